// RUN: slim-opt %s -split-input-file -verify-diagnostics

func.func @sparse_float(%l: tensor<2x3xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  // expected-error @+1 {{sparse labels are class ids (i32 or i64), got 'tensor<2xf32>'}}
  %x = slim.softmax_cross_entropy %l, %y {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "x"} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<f32>
  return %x : tensor<f32>
}

// -----

func.func @sparse_shape(%l: tensor<2x3xf32>, %y: tensor<3xi32>) -> tensor<f32> {
  // expected-error @+1 {{sparse labels must be [2] (one class id per sample), got [3]}}
  %x = slim.softmax_cross_entropy %l, %y {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "x"} : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<f32>
  return %x : tensor<f32>
}

// -----

func.func @sparse_smoothing(%l: tensor<2x3xf32>, %y: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{label_smoothing applies to one-hot labels only}}
  %x = slim.softmax_cross_entropy %l, %y {sparse = true, label_smoothing = 0.1 : f32, weight = 1.0 : f32, scope = "x"} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return %x : tensor<f32>
}

// -----

func.func @onehot_shape(%l: tensor<2x3xf32>, %y: tensor<2x4xf32>) -> tensor<f32> {
  // expected-error @+1 {{one-hot labels of shape [2x4] do not match the logits' [2x3]}}
  %x = slim.softmax_cross_entropy %l, %y {sparse = false, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "x"} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<f32>
  return %x : tensor<f32>
}

// -----

func.func @onehot_smoothing(%l: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{label_smoothing must be in [0, 1], got 1.5}}
  %x = slim.softmax_cross_entropy %l, %y {sparse = false, label_smoothing = 1.5 : f32, weight = 1.0 : f32, scope = "x"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  return %x : tensor<f32>
}

// -----

func.func @logits_rank(%l: tensor<6xf32>, %y: tensor<6xi64>) -> tensor<f32> {
  // expected-error @+1 {{logits must be [batch, classes], got [6]}}
  %x = slim.softmax_cross_entropy %l, %y {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "x"} : (tensor<6xf32>, tensor<6xi64>) -> tensor<f32>
  return %x : tensor<f32>
}

// -----

func.func @bad_regularizer(%w: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{unknown regularizer kind 'l3'}}
  %r = slim.regularization_loss %w {regularizer = {kind = "l3", scale = 1.0 : f64}} : tensor<3xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

func.func @regularizer_scale(%w: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{regularizer 'l1_l2' needs a non-negative float 'scale_l2'}}
  %r = slim.regularization_loss %w {regularizer = {kind = "l1_l2", scale_l1 = 1.0 : f64}} : tensor<3xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// expected-error @+1 {{variables are f32 tensors or a rank-0 i64 (the global step), got 'tensor<2xi64>'}}
slim.variable @steps : tensor<2xi64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

// -----

func.func @decay_inference(%x: tensor<2x4xf32>, %m: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'decay' (the moving averages' update) is recorded only with is_training}}
  %n = slim.batch_norm %x, %m, %m {epsilon = 1.0e-03 : f32, is_training = false, decay = 0.9 : f32, scope = "bn"} : tensor<2x4xf32>, tensor<4xf32>
  return %n : tensor<2x4xf32>
}

// -----

func.func @decay_range(%x: tensor<2x4xf32>, %m: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{decay must be in [0, 1], got 1.5}}
  %n = slim.batch_norm %x, %m, %m {epsilon = 1.0e-03 : f32, is_training = true, decay = 1.5 : f32, scope = "bn"} : tensor<2x4xf32>, tensor<4xf32>
  return %n : tensor<2x4xf32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train optimizer: unknown kind 'adagrad' (sgd, momentum, adam, rmsprop)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "adagrad", name = "Adagrad"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train optimizer: needs 'use_nesterov' (bool)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "momentum", name = "Momentum", momentum = 9.0e-01 : f64}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train learning_rate: needs one more value than boundaries}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "piecewise_constant", boundaries = [10, 20], values = [1.0e-01 : f64, 1.0e-02 : f64]}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train learning_rate: unknown kind 'cosine_decay' (constant, exponential_decay, piecewise_constant, polynomial_decay)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "cosine_decay"}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @m : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}

// expected-error @+1 {{slim.train: variable m is not trainable}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@m], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train: 'global_step' must name a tensor<i64> variable}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @w, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train: 'clip_gradient_norm' must be a non-negative f64 (0: none)}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = -1.0 : f64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{slim.train: unexpected entry 'seed'}}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64, seed = 1 : i64}} {
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// expected-error @+1 {{a train step returns the total loss, one tensor<f32>}}
func.func @train_step(%w: tensor<3xf32>) -> tensor<3xf32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  return %w : tensor<3xf32>
}

// -----

slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @w : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

func.func @train_step(%x: tensor<2x3xf32>, %m: tensor<3xf32>) -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 1.0e-01 : f64}, global_step = @global_step, variables_to_train = [@w], update_ops = true, clip_gradient_norm = 0.0 : f64}} {
  // expected-error @+1 {{in a train step needs 'decay' (is_training)}}
  %n = slim.batch_norm %x, %m, %m {epsilon = 1.0e-03 : f32, is_training = true, scope = "bn"} : tensor<2x3xf32>, tensor<3xf32>
  %z = slim.total_loss : () -> tensor<f32>
  return %z : tensor<f32>
}
