// RUN: slim-opt %s | slim-opt | FileCheck %s

// CHECK: slim.variable @"conv1/weights" : tensor<3x3x3x8xf32>
slim.variable @"conv1/weights" : tensor<3x3x3x8xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0 : f32, stddev = 1.0e-2 : f32}, regularizer = {kind = "l2", scale = 5.0e-4 : f32}, trainable = true}
slim.variable @"conv1/biases" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// CHECK-LABEL: func.func @main
func.func @main(%x: tensor<1x8x8x3xf32>) -> tensor<1x4x4x8xf32> {
  // CHECK: slim.read_variable @"conv1/weights" : tensor<3x3x3x8xf32>
  %w = slim.read_variable @"conv1/weights" : tensor<3x3x3x8xf32>
  %b = slim.read_variable @"conv1/biases" : tensor<8xf32>
  // CHECK: slim.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1", strides = array<i64: 1, 1>}
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  %cb = slim.bias_add %c, %b {scope = "conv1"} : tensor<1x8x8x8xf32>, tensor<8xf32>
  // CHECK: slim.activation "relu"
  %r = slim.activation "relu" %cb {scope = "conv1"} : tensor<1x8x8x8xf32>
  // CHECK: slim.max_pool
  %p = slim.max_pool %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool1"} : tensor<1x8x8x8xf32> -> tensor<1x4x4x8xf32>
  return %p : tensor<1x4x4x8xf32>
}
