// The slim.train dictionary is checked by the dialect's attribute verifier
// (SlimTrainOps.cpp) before the pass runs; these are its messages.
// RUN: slim-opt %s --split-input-file --slim-materialize-optimizer -verify-diagnostics

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train optimizer: unknown kind 'adagrad' (sgd, momentum, adam, rmsprop)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "adagrad", name = "X"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train learning_rate: unknown kind 'cosine_decay' (constant, exponential_decay, piecewise_constant, polynomial_decay)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "cosine_decay"}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<f32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train: 'global_step' must name a tensor<i64> variable}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train: 'variables_to_train' must name variables}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "momentum", name = "Momentum", momentum = 0.9, use_nesterov = false}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@missing], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}
