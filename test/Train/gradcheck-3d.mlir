// Finite-difference check of the 3-D rules: conv3d (data and filter,
// stride 2 in H and W, SAME-style pads; and a dilated one), max_pool3d and
// avg_pool3d (padded borders not counted), reduce_mean over D, H and W, fc
// and sparse cross-entropy. SGD.
// RUN: slimc %s --train -o %t.so
// RUN: slim-train-gradcheck %t.so --classes 3 | FileCheck %s
// CHECK: loss
// CHECK: c1/weights: 96 elements, {{.*}}, ok{{$}}
// CHECK: c2/weights: 64 elements, {{.*}}, ok{{$}}
// CHECK: fc/weights: 12 elements, {{.*}}, ok{{$}}
slim.variable @"c1/weights" : tensor<2x3x2x2x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @"c2/weights" : tensor<2x2x2x4x2xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @"fc/weights" : tensor<4x3xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 1.0}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%x: tensor<2x3x5x5x2xf32> {slim.name = "x"}) -> (tensor<2x3x5x5x2xf32> {slim.name = "y"}) {
  %y = slim.activation "relu" %x {scope = "r"} : tensor<2x3x5x5x2xf32>
  return %y : tensor<2x3x5x5x2xf32>
}

func.func @train_step(%x: tensor<2x3x5x5x2xf32> {slim.name = "x"}, %labels: tensor<2xi32> {slim.name = "labels"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@"c1/weights", @"c2/weights", @"fc/weights"], update_ops = true, clip_gradient_norm = 0.0}} {
  %w1 = slim.read_variable @"c1/weights" : tensor<2x3x2x2x4xf32>
  %c1 = slim.conv3d %x, %w1 {strides = array<i64: 1, 2, 2>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 1, 1, 0, 1>, scope = "c1"} : (tensor<2x3x5x5x2xf32>, tensor<2x3x2x2x4xf32>) -> tensor<2x3x3x3x4xf32>
  %t = slim.activation "tanh" %c1 {scope = "c1"} : tensor<2x3x3x3x4xf32>
  %mp = slim.max_pool3d %t {kernel = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 0, 1, 0, 1>, scope = "mp"} : tensor<2x3x3x3x4xf32> -> tensor<2x3x3x3x4xf32>
  %w2 = slim.read_variable @"c2/weights" : tensor<2x2x2x4x2xf32>
  %c2 = slim.conv3d %mp, %w2 {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 2, 2>, pads = array<i64: 1, 0, 1, 1, 1, 1>, scope = "c2"} : (tensor<2x3x3x3x4xf32>, tensor<2x2x2x4x2xf32>) -> tensor<2x3x3x3x2xf32>
  %ap = slim.avg_pool3d %c2 {kernel = array<i64: 3, 3, 3>, strides = array<i64: 1, 2, 2>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "ap"} : tensor<2x3x3x3x2xf32> -> tensor<2x3x2x2x2xf32>
  %cat = slim.concat %ap, %ap {axis = 4 : i64, scope = "cat"} : (tensor<2x3x2x2x2xf32>, tensor<2x3x2x2x2xf32>) -> tensor<2x3x2x2x4xf32>
  %sq = slim.binary "mul" %cat, %cat {scope = "sq"} : (tensor<2x3x2x2x4xf32>, tensor<2x3x2x2x4xf32>) -> tensor<2x3x2x2x4xf32>
  %mean = slim.reduce_mean %sq {axes = array<i64: 1, 2, 3>, keep_dims = false, scope = "gap"} : tensor<2x3x2x2x4xf32> -> tensor<2x4xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<4x3xf32>
  %logits = slim.matmul %mean, %wf {scope = "fc"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %xent = slim.softmax_cross_entropy %logits, %labels {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  %total = slim.total_loss %xent : (tensor<f32>) -> tensor<f32>
  return %total : tensor<f32>
}
