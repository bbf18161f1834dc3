// RUN: slim-opt %s | slim-opt | FileCheck %s
// The training ops and slim.train round-trip and verify.

// CHECK: slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"fc/weights" : tensor<4x3xf32> {collection = "model", initializer = {kind = "zeros"}, regularizer = {kind = "l2", scale = 1.0e-4 : f64}, trainable = true}
slim.variable @"fc/biases" : tensor<3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"bn/moving_mean" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn/moving_variance" : tensor<4xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: slim.train = {clip_gradient_norm = 5.000000e+00 : f64, global_step = @global_step
func.func @train_step(%x: tensor<2x4xf32> {slim.name = "x"}, %y: tensor<2xi64> {slim.name = "y"}, %h: tensor<2x3xf32> {slim.name = "h"}) -> (tensor<f32> {slim.name = "total_loss"})
    attributes {slim.train = {
      optimizer = {kind = "momentum", name = "Momentum", momentum = 9.0e-01 : f64, use_nesterov = true},
      learning_rate = {kind = "exponential_decay", learning_rate = 1.0e-01 : f64, decay_steps = 100 : i64, decay_rate = 9.0e-01 : f64, staircase = true},
      global_step = @global_step,
      variables_to_train = [@"fc/weights", @"fc/biases"],
      update_ops = true,
      clip_gradient_norm = 5.0 : f64}} {
  %m = slim.read_variable @"bn/moving_mean" : tensor<4xf32>
  %v = slim.read_variable @"bn/moving_variance" : tensor<4xf32>
  %w = slim.read_variable @"fc/weights" : tensor<4x3xf32>
  // CHECK: slim.batch_norm {{.*}}decay = 0.899999976 : f32{{.*}}is_training = true
  %n = slim.batch_norm %x, %m, %v {epsilon = 1.0e-03 : f32, is_training = true, decay = 0.9 : f32, scope = "bn"} : tensor<2x4xf32>, tensor<4xf32>
  %logits = slim.matmul %n, %w {scope = "fc"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  // CHECK: slim.softmax_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 0.000000e+00 : f32, scope = "xent", sparse = true, weight = 1.000000e+00 : f32} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  %l = slim.softmax_cross_entropy %logits, %y {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  // CHECK: slim.softmax_cross_entropy {{.*}}sparse = false{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  %l2 = slim.softmax_cross_entropy %logits, %h {sparse = false, label_smoothing = 0.1 : f32, weight = 0.5 : f32, scope = "xent_1"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  // CHECK: slim.regularization_loss %{{.*}} {regularizer = {kind = "l2", scale = 1.000000e-04 : f64}} : tensor<4x3xf32> -> tensor<f32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0e-4 : f64}} : tensor<4x3xf32> -> tensor<f32>
  // CHECK: slim.total_loss %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  %t = slim.total_loss %l, %l2, %r : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  // CHECK: slim.total_loss : () -> tensor<f32>
  %z = slim.total_loss : () -> tensor<f32>
  return %t : tensor<f32>
}
