// Finite-difference check of the backward pass: pad, depthwise conv
// (multiplier 2), batch norm in training (gamma and beta), relu6, avg_pool
// (SAME borders), concat of two branches along channels, add, sigmoid,
// tanh, reduce_mean over H and W, identity, dense softmax cross-entropy
// with one-hot labels and label smoothing 0.1. Adam.
// RUN: slimc %s --train -o %t.so
// RUN: slim-train-gradcheck %t.so | FileCheck %s
// CHECK: loss
// CHECK: dw/depthwise_weights: 36 elements, {{.*}}, ok{{$}}
// CHECK: bn/gamma: 4 elements, {{.*}}, ok{{$}}
// CHECK: bn/beta: 4 elements, {{.*}}, ok{{$}}
// CHECK: side/weights: 8 elements, {{.*}}, ok{{$}}
// CHECK: fc/weights: 24 elements, {{.*}}, ok{{$}}
slim.variable @"dw/depthwise_weights" : tensor<3x3x2x2xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @"bn/gamma" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 1.0, stddev = 0.2}, trainable = true}
slim.variable @"bn/beta" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.2}, trainable = true}
slim.variable @"bn/moving_mean" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn/moving_variance" : tensor<4xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"side/weights" : tensor<1x1x4x2xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @"fc/weights" : tensor<6x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%x: tensor<2x5x5x1xf32> {slim.name = "x"}) -> (tensor<2x5x5x1xf32> {slim.name = "y"}) {
  %y = slim.activation "relu" %x {scope = "r"} : tensor<2x5x5x1xf32>
  return %y : tensor<2x5x5x1xf32>
}

func.func @train_step(%x0: tensor<2x5x5x1xf32> {slim.name = "x"}, %labels: tensor<2x4xf32> {slim.name = "onehot"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "adam", name = "Adam", beta1 = 0.9, beta2 = 0.999, epsilon = 1.0e-08}, learning_rate = {kind = "piecewise_constant", boundaries = [10, 20], values = [0.1, 0.01, 0.001]}, global_step = @global_step, variables_to_train = [@"dw/depthwise_weights", @"bn/gamma", @"bn/beta", @"side/weights", @"fc/weights"], update_ops = true, clip_gradient_norm = 0.0}} {
  %x = slim.concat %x0, %x0 {axis = 3 : i64, scope = "dup"} : (tensor<2x5x5x1xf32>, tensor<2x5x5x1xf32>) -> tensor<2x5x5x2xf32>
  %xp = slim.pad %x {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, scope = "pad"} : tensor<2x5x5x2xf32> -> tensor<2x7x7x2xf32>
  %w = slim.read_variable @"dw/depthwise_weights" : tensor<3x3x2x2xf32>
  %dw = slim.depthwise_conv2d %xp, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "dw"} : (tensor<2x7x7x2xf32>, tensor<3x3x2x2xf32>) -> tensor<2x5x5x4xf32>
  %g = slim.read_variable @"bn/gamma" : tensor<4xf32>
  %be = slim.read_variable @"bn/beta" : tensor<4xf32>
  %mm = slim.read_variable @"bn/moving_mean" : tensor<4xf32>
  %mv = slim.read_variable @"bn/moving_variance" : tensor<4xf32>
  %n = slim.batch_norm %dw, %mm, %mv beta(%be : tensor<4xf32>) gamma(%g : tensor<4xf32>) {epsilon = 0.001 : f32, is_training = true, decay = 0.99 : f32, scope = "bn"} : tensor<2x5x5x4xf32>, tensor<4xf32>
  %r6 = slim.activation "relu6" %n {scope = "bn"} : tensor<2x5x5x4xf32>
  %ap = slim.avg_pool %r6 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, scope = "pool"} : tensor<2x5x5x4xf32> -> tensor<2x3x3x4xf32>
  %sw = slim.read_variable @"side/weights" : tensor<1x1x4x2xf32>
  %side = slim.conv2d %ap, %sw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "side"} : (tensor<2x3x3x4xf32>, tensor<1x1x4x2xf32>) -> tensor<2x3x3x2xf32>
  %sg = slim.activation "sigmoid" %side {scope = "side"} : tensor<2x3x3x2xf32>
  %cat = slim.concat %ap, %sg {axis = 3 : i64, scope = "cat"} : (tensor<2x3x3x4xf32>, tensor<2x3x3x2xf32>) -> tensor<2x3x3x6xf32>
  %th = slim.activation "tanh" %cat {scope = "th"} : tensor<2x3x3x6xf32>
  %sum = slim.add %cat, %th {scope = "res"} : tensor<2x3x3x6xf32>
  %id = slim.identity %sum {scope = "id"} : tensor<2x3x3x6xf32>
  %mean = slim.reduce_mean %id {axes = array<i64: 1, 2>, keep_dims = false, scope = "gap"} : tensor<2x3x3x6xf32> -> tensor<2x6xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<6x4xf32>
  %logits = slim.matmul %mean, %wf {scope = "fc"} : (tensor<2x6xf32>, tensor<6x4xf32>) -> tensor<2x4xf32>
  %xent = slim.softmax_cross_entropy %logits, %labels {sparse = false, label_smoothing = 0.1 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<f32>
  %t = slim.total_loss %xent : (tensor<f32>) -> tensor<f32>
  return %t : tensor<f32>
}
