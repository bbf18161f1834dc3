// Finite-difference check of the backward pass: conv2d (stride 2, SAME
// pads), bias_add, relu, max_pool (padded), reshape, dropout (training,
// keep 0.7), matmul, elu, sparse softmax cross-entropy (int32 labels,
// weight 0.5), l2 and l1_l2 regularizers, total_loss. SGD, clipping on.
// RUN: slimc %s --train -o %t.so
// RUN: slim-train-gradcheck %t.so --classes 3 | FileCheck %s
// CHECK: loss
// CHECK: conv/weights: 72 elements, {{.*}}, ok{{$}}
// CHECK: conv/biases: 4 elements, {{.*}}, ok{{$}}
// CHECK: fc/weights: 48 elements, {{.*}}, ok{{$}}
// CHECK: fc/biases: 3 elements, {{.*}}, ok{{$}}
slim.variable @"conv/weights" : tensor<3x3x2x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, regularizer = {kind = "l2", scale = 0.01}, trainable = true}
slim.variable @"conv/biases" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.1}, trainable = true}
slim.variable @"fc/weights" : tensor<16x3xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, regularizer = {kind = "l1_l2", scale_l1 = 0.01, scale_l2 = 0.02}, trainable = true}
slim.variable @"fc/biases" : tensor<3xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.1}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%x: tensor<3x7x7x2xf32> {slim.name = "x"}) -> (tensor<3x3xf32> {slim.name = "logits"}) {
  %w = slim.read_variable @"conv/weights" : tensor<3x3x2x4xf32>
  %b = slim.read_variable @"conv/biases" : tensor<4xf32>
  %c = slim.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv"} : (tensor<3x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<3x4x4x4xf32>
  %cb = slim.bias_add %c, %b {scope = "conv"} : tensor<3x4x4x4xf32>, tensor<4xf32>
  %r = slim.activation "relu" %cb {scope = "conv"} : tensor<3x4x4x4xf32>
  %p = slim.max_pool %r {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, scope = "pool"} : tensor<3x4x4x4xf32> -> tensor<3x2x2x4xf32>
  %f = slim.reshape %p {scope = "flatten"} : tensor<3x2x2x4xf32> -> tensor<3x16xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<16x3xf32>
  %bf = slim.read_variable @"fc/biases" : tensor<3xf32>
  %m = slim.matmul %f, %wf {scope = "fc"} : (tensor<3x16xf32>, tensor<16x3xf32>) -> tensor<3x3xf32>
  %l = slim.bias_add %m, %bf {scope = "fc"} : tensor<3x3xf32>, tensor<3xf32>
  return %l : tensor<3x3xf32>
}

func.func @train_step(%x: tensor<3x7x7x2xf32> {slim.name = "x"}, %y: tensor<3xi32> {slim.name = "y"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 0.01}, global_step = @global_step, variables_to_train = [@"conv/weights", @"conv/biases", @"fc/weights", @"fc/biases"], update_ops = true, clip_gradient_norm = 1.0}} {
  %w = slim.read_variable @"conv/weights" : tensor<3x3x2x4xf32>
  %b = slim.read_variable @"conv/biases" : tensor<4xf32>
  %c = slim.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv"} : (tensor<3x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<3x4x4x4xf32>
  %cb = slim.bias_add %c, %b {scope = "conv"} : tensor<3x4x4x4xf32>, tensor<4xf32>
  %r = slim.activation "relu" %cb {scope = "conv"} : tensor<3x4x4x4xf32>
  %p = slim.max_pool %r {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, scope = "pool"} : tensor<3x4x4x4xf32> -> tensor<3x2x2x4xf32>
  %f = slim.reshape %p {scope = "flatten"} : tensor<3x2x2x4xf32> -> tensor<3x16xf32>
  %d = slim.dropout %f {keep_prob = 0.7 : f32, is_training = true, scope = "dropout"} : tensor<3x16xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<16x3xf32>
  %bf = slim.read_variable @"fc/biases" : tensor<3xf32>
  %m = slim.matmul %d, %wf {scope = "fc"} : (tensor<3x16xf32>, tensor<16x3xf32>) -> tensor<3x3xf32>
  %l = slim.bias_add %m, %bf {scope = "fc"} : tensor<3x3xf32>, tensor<3xf32>
  %e = slim.activation "elu" %l {scope = "elu"} : tensor<3x3xf32>
  %xent = slim.softmax_cross_entropy %e, %y {sparse = true, label_smoothing = 0.0 : f32, weight = 0.5 : f32, scope = "xent"} : (tensor<3x3xf32>, tensor<3xi32>) -> tensor<f32>
  %rw = slim.read_variable @"conv/weights" : tensor<3x3x2x4xf32>
  %r1 = slim.regularization_loss %rw {regularizer = {kind = "l2", scale = 0.01}} : tensor<3x3x2x4xf32> -> tensor<f32>
  %rf = slim.read_variable @"fc/weights" : tensor<16x3xf32>
  %r2 = slim.regularization_loss %rf {regularizer = {kind = "l1_l2", scale_l1 = 0.01, scale_l2 = 0.02}} : tensor<16x3xf32> -> tensor<f32>
  %t = slim.total_loss %xent, %r1, %r2 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return %t : tensor<f32>
}
