// RUN: slim-opt %s | slim-opt | FileCheck %s

// The 5-D ops round-trip, with the blocked 5-D layout in their types.

// CHECK-LABEL: func.func @layers
func.func @layers(%x: tensor<1x8x16x16x3xf32>, %w: tensor<3x3x3x3x8xf32>) -> tensor<1x2x4x4x8xf32> {
  // CHECK: slim.conv3d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "c", strides = array<i64: 1, 1, 1>}
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x16x16x3xf32>, tensor<3x3x3x3x8xf32>) -> tensor<1x8x16x16x8xf32>
  // CHECK: slim.max_pool3d
  %m = slim.max_pool3d %c {kernel = array<i64: 1, 3, 3>, strides = array<i64: 1, 2, 2>, pads = array<i64: 0, 0, 0, 1, 0, 1>, scope = "p"} : tensor<1x8x16x16x8xf32> -> tensor<1x8x8x8x8xf32>
  // CHECK: slim.avg_pool3d
  %a = slim.avg_pool3d %m {kernel = array<i64: 4, 2, 2>, strides = array<i64: 4, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, scope = "a"} : tensor<1x8x8x8x8xf32> -> tensor<1x2x4x4x8xf32>
  return %a : tensor<1x2x4x4x8xf32>
}

// CHECK-LABEL: func.func @blocked
func.func @blocked(%x: tensor<1x4x8x8x3xf32>, %w: tensor<2304xf32>, %b: tensor<16xf32>) -> tensor<1x4x8x8x16xf32> {
  // CHECK: slim.to_blocked %{{.*}} : tensor<1x4x8x8x3xf32> -> tensor<1x4x8x8x3xf32, "ndChw8c">
  %xb = slim.to_blocked %x : tensor<1x4x8x8x3xf32> -> tensor<1x4x8x8x3xf32, "ndChw8c">
  // CHECK: slim.fused_conv3d
  %c = slim.fused_conv3d %xb, %w bias(%b : tensor<16xf32>) {activation = "relu", kernel = array<i64: 2, 3, 3>, strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 1, 1, 1, 1>, scope = "c", packing = "conv3d", vector_width = 8 : i64} : (tensor<1x4x8x8x3xf32, "ndChw8c">, tensor<2304xf32>) -> tensor<1x4x8x8x16xf32, "ndChw8c">
  // CHECK: slim.from_blocked %{{.*}} : tensor<1x4x8x8x16xf32, "ndChw8c"> -> tensor<1x4x8x8x16xf32>
  %y = slim.from_blocked %c : tensor<1x4x8x8x16xf32, "ndChw8c"> -> tensor<1x4x8x8x16xf32>
  return %y : tensor<1x4x8x8x16xf32>
}
