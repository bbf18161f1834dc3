// RUN: slim-opt %s | slim-opt | FileCheck %s

// CHECK: slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

// CHECK-LABEL: func.func @losses
// CHECK: slim.softmax_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 0.000000e+00 : f32, scope = "xent", sparse = true, weight = 1.000000e+00 : f32} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
// CHECK: slim.softmax_cross_entropy %{{.*}}, %{{.*}} {{.*}}sparse = false{{.*}} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
// CHECK: slim.regularization_loss %{{.*}} {regularizer = {kind = "l2", scale = 1.000000e-04 : f64}} : tensor<8x10xf32> -> tensor<f32>
// CHECK: slim.total_loss %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
func.func @losses(%logits: tensor<8x10xf32>, %ids: tensor<8xi64>, %onehot: tensor<8x10xf32>) -> tensor<f32> {
  %a = slim.softmax_cross_entropy %logits, %ids {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  %b = slim.softmax_cross_entropy %logits, %onehot {sparse = false, label_smoothing = 0.1 : f32, weight = 2.0 : f32, scope = "xent2"} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
  %r = slim.regularization_loss %logits {regularizer = {kind = "l2", scale = 1.0e-04}} : tensor<8x10xf32> -> tensor<f32>
  %t = slim.total_loss %a, %b, %r : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return %t : tensor<f32>
}
