// An op without a gradient rule on the path from a trained variable to the
// loss is an error at its line and column, naming it; nothing is written.
// RUN: rm -f %t.so
// RUN: not slimc %s --train -o %t.so 2>&1 | FileCheck %s
// RUN: not test -e %t.so
// Every op the frontend writes into @train_step has a rule; the ones the
// optimization passes make (here slim-fuse's channel_affine) do not, and a
// hand-written .mlir input may hold them.
// CHECK: no-gradient-rule.mlir:[[@LINE+15]]:8: error: slimc --train: 'slim.channel_affine' (scope 'norm') has no gradient rule (no backward pass for this op kind yet)
slim.variable @"fc/weights" : tensor<4x3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"norm/scale" : tensor<3xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%x: tensor<2x4xf32> {slim.name = "x"}) -> (tensor<2x3xf32> {slim.name = "logits"}) {
  %w = slim.read_variable @"fc/weights" : tensor<4x3xf32>
  %m = slim.matmul %x, %w {scope = "fc"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %m : tensor<2x3xf32>
}

func.func @train_step(%x: tensor<2x4xf32> {slim.name = "x"}, %y: tensor<2xi32> {slim.name = "y"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@"fc/weights"], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @"fc/weights" : tensor<4x3xf32>
  %m = slim.matmul %x, %w {scope = "fc"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %s = slim.read_variable @"norm/scale" : tensor<3xf32>
  %n = slim.channel_affine %m, %s, %s {scope = "norm"} : tensor<2x3xf32>, tensor<3xf32>
  %f = slim.identity %n {scope = "r"} : tensor<2x3xf32>
  %l = slim.softmax_cross_entropy %f, %y {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  %t = slim.total_loss %l : (tensor<f32>) -> tensor<f32>
  return %t : tensor<f32>
}
