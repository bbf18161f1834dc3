// RUN: slim-opt %s --split-input-file --slim-layout | FileCheck %s
// RUN: slim-opt %s --split-input-file --slim-layout=vector-width=16 | FileCheck %s --check-prefix=AVX512
// RUN: not slim-opt %s --split-input-file --slim-layout=vector-width=4 2>&1 | FileCheck %s --check-prefix=BADWIDTH

// BADWIDTH: error: vector-width must be 8 or 16

// A chain of blocked ops converts only at the graph input and output.
// CHECK-LABEL: func.func @edges_only
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x3xf32>, %[[W:.+]]: tensor<3x3x3x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK: %[[B:.+]] = slim.to_blocked %[[X]] : tensor<1x8x8x3xf32> -> tensor<1x8x8x3xf32, "nChw8c">
// CHECK: %[[C:.+]] = slim.fused_conv2d %[[B]], %[[W]] {{.*}} : (tensor<1x8x8x3xf32, "nChw8c">, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32, "nChw8c">
// CHECK: %[[P:.+]] = slim.max_pool %[[C]] {{.*}} : tensor<1x8x8x8xf32, "nChw8c"> -> tensor<1x4x4x8xf32, "nChw8c">
// CHECK: %[[D:.+]] = slim.from_blocked %[[P]] : tensor<1x4x4x8xf32, "nChw8c"> -> tensor<1x4x4x8xf32>
// CHECK: return %[[D]]
// AVX512-LABEL: func.func @edges_only
// AVX512: slim.to_blocked %{{.+}} : tensor<1x8x8x3xf32> -> tensor<1x8x8x3xf32, "nChw16c">
func.func @edges_only(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x8xf32>) -> tensor<1x4x4x8xf32> {
  %c = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  %p = slim.max_pool %c {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool1"} : tensor<1x8x8x8xf32> -> tensor<1x4x4x8xf32>
  return %p : tensor<1x4x4x8xf32>
}

// -----

// Inception: the branches, the channel concat and the residual-free add all
// stay blocked; the input is converted once for both branches.
// CHECK-LABEL: func.func @inception_concat
// CHECK-COUNT-1: slim.to_blocked
// CHECK: slim.concat {{.*}} -> tensor<1x4x4x16xf32, "nChw8c">
// CHECK: slim.add {{.*}} : tensor<1x4x4x16xf32, "nChw8c">
// CHECK: slim.from_blocked
// CHECK-NOT: slim.to_blocked
func.func @inception_concat(%x: tensor<1x4x4x16xf32>, %w0: tensor<1x1x16x8xf32>, %w1: tensor<3x3x16x8xf32>) -> tensor<1x4x4x16xf32> {
  %a = slim.fused_conv2d %x, %w0 {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "b0"} : (tensor<1x4x4x16xf32>, tensor<1x1x16x8xf32>) -> tensor<1x4x4x8xf32>
  %b = slim.fused_conv2d %x, %w1 {activation = "relu", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "b1"} : (tensor<1x4x4x16xf32>, tensor<3x3x16x8xf32>) -> tensor<1x4x4x8xf32>
  %c = slim.concat %a, %b {axis = 3 : i64, scope = "mixed"} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x16xf32>
  %s = slim.add %c, %x {scope = "sum"} : tensor<1x4x4x16xf32>
  return %s : tensor<1x4x4x16xf32>
}

// -----

// Flatten then fully_connected needs NHWC element order: the conversion back
// performs the flatten itself; the matmul stays dense.
// CHECK-LABEL: func.func @flatten_fc
// CHECK: %[[P:.+]] = slim.max_pool {{.*}} -> tensor<1x2x2x8xf32, "nChw8c">
// CHECK: %[[F:.+]] = slim.from_blocked %[[P]] : tensor<1x2x2x8xf32, "nChw8c"> -> tensor<1x32xf32>
// CHECK-NOT: slim.reshape
// CHECK: slim.fused_matmul %[[F]], {{.*}} : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
func.func @flatten_fc(%x: tensor<1x4x4x8xf32>, %w: tensor<32x10xf32>) -> tensor<1x10xf32> {
  %p = slim.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool2"} : tensor<1x4x4x8xf32> -> tensor<1x2x2x8xf32>
  %f = slim.reshape %p {scope = "flatten"} : tensor<1x2x2x8xf32> -> tensor<1x32xf32>
  %y = slim.fused_matmul %f, %w {activation = "none", scope = "fc3"} : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// -----

// Ops without a blocked kernel (softmax) get dense operands. A pad that
// leaves the channels alone keeps the blocks whole, so it stays blocked, as
// does global mean pooling with keep_dims.
// CHECK-LABEL: func.func @dense_islands
// CHECK: %[[M:.+]] = slim.reduce_mean {{.*}} -> tensor<1x1x1x8xf32, "nChw8c">
// CHECK: %[[A:.+]] = slim.activation "relu" {{.*}} : tensor<1x4x4x8xf32, "nChw8c">
// CHECK: slim.pad %[[A]] {{.*}} -> tensor<1x6x6x8xf32, "nChw8c">
// CHECK: %[[D:.+]] = slim.from_blocked %[[A]] : tensor<1x4x4x8xf32, "nChw8c"> -> tensor<1x4x4x8xf32>
// CHECK: slim.softmax %[[D]]
func.func @dense_islands(%x: tensor<1x4x4x8xf32>) -> (tensor<1x1x1x8xf32>, tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>) {
  %m = slim.reduce_mean %x {axes = array<i64: 1, 2>, keep_dims = true, scope = "pool"} : tensor<1x4x4x8xf32> -> tensor<1x1x1x8xf32>
  %a = slim.activation "relu" %x {scope = "relu"} : tensor<1x4x4x8xf32>
  %p = slim.pad %a {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, scope = "pad"} : tensor<1x4x4x8xf32> -> tensor<1x6x6x8xf32>
  %s = slim.softmax %a {scope = "softmax"} : tensor<1x4x4x8xf32>
  return %m, %p, %s : tensor<1x1x1x8xf32>, tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>
}
