// RUN: slim-opt %s --split-input-file --slim-materialize-optimizer -verify-diagnostics

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train: unsupported optimizer kind 'adagrad' (sgd, momentum, adam, rmsprop)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "adagrad"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train: unsupported learning rate kind 'cosine_decay' (constant, exponential_decay, piecewise_constant, polynomial_decay)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd"}, learning_rate = {kind = "cosine_decay"}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<f32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train: the global step 'global_step' must be a scalar i64 variable}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// expected-error @+1 {{slim.train: variables_to_train names 'missing', which is not a variable}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "momentum", momentum = 0.9}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@missing], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}
