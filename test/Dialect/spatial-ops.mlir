// The spatial ops print and parse back.
// RUN: slim-opt %s | slim-opt | FileCheck %s

// CHECK-LABEL: func.func @spatial
func.func @spatial(%x: tensor<1x8x8x3xf32>, %w: tensor<4x4x6x3xf32>, %g: tensor<3xf32>, %sc: tensor<6xf32>) -> (tensor<1x16x16x3xf32>, tensor<1x16x16x6xf32>) {
  // CHECK: slim.pad %{{.+}} {constant_value = 2.500000e+00 : f32, padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, scope = "p"}
  %p = slim.pad %x {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, constant_value = 2.5 : f32, scope = "p"} : tensor<1x8x8x3xf32> -> tensor<1x10x10x3xf32>
  // CHECK: slim.pad %{{.+}} {mode = "reflect", padding = array<i64: 0, 0, 3, 3, 3, 3, 0, 0>, scope = "r"}
  %r = slim.pad %x {padding = array<i64: 0, 0, 3, 3, 3, 3, 0, 0>, mode = "reflect", scope = "r"} : tensor<1x8x8x3xf32> -> tensor<1x14x14x3xf32>
  // CHECK: slim.strided_slice %{{.+}} {begin = array<i64: 0, 13, 0, 0>, scope = "s", strides = array<i64: 1, -2, 2, 1>} : tensor<1x14x14x3xf32> -> tensor<1x7x7x3xf32>
  %s = slim.strided_slice %r {begin = array<i64: 0, 13, 0, 0>, strides = array<i64: 1, -2, 2, 1>, scope = "s"} : tensor<1x14x14x3xf32> -> tensor<1x7x7x3xf32>
  // CHECK: slim.resize %{{.+}} {align_corners = false, half_pixel_centers = true, method = "bilinear", scope = "up"}
  %u = slim.resize %s {method = "bilinear", align_corners = false, half_pixel_centers = true, scope = "up"} : tensor<1x7x7x3xf32> -> tensor<1x16x16x3xf32>
  // CHECK: slim.instance_norm %{{.+}} gamma(%{{.+}} : tensor<3xf32>) {epsilon = 1.000000e-03 : f32, scope = "in"} : tensor<1x16x16x3xf32>
  %n = slim.instance_norm %u gamma(%g : tensor<3xf32>) {epsilon = 1.0e-3 : f32, scope = "in"} : tensor<1x16x16x3xf32>
  // CHECK: slim.group_norm %{{.+}} beta(%{{.+}} : tensor<3xf32>) {channels_axis = 3 : i64, epsilon = 1.000000e-03 : f32, groups = 3 : i64, one_pass = true, reduction_axes = array<i64: 2>, scope = "gn"} : tensor<1x16x16x3xf32>
  %gn = slim.group_norm %n beta(%g : tensor<3xf32>) {groups = 3 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 2>, epsilon = 1.0e-3 : f32, one_pass = true, scope = "gn"} : tensor<1x16x16x3xf32>
  // CHECK: slim.conv2d_transpose %{{.+}}, %{{.+}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "t", strides = array<i64: 2, 2>}
  // CHECK: slim.fused_conv2d_transpose %{{.+}}, %{{.+}} scale(%{{.+}} : tensor<6xf32>) shift(%{{.+}} : tensor<6xf32>) {activation = "relu", kernel = array<i64: 4, 4>, pads = array<i64: 1, 1, 1, 1>, scope = "t", strides = array<i64: 2, 2>}
  %t = slim.conv2d_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "t"} : (tensor<1x8x8x3xf32>, tensor<4x4x6x3xf32>) -> tensor<1x16x16x6xf32>
  %f = slim.fused_conv2d_transpose %x, %w scale(%sc : tensor<6xf32>) shift(%sc : tensor<6xf32>) {kernel = array<i64: 4, 4>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, activation = "relu", scope = "t"} : (tensor<1x8x8x3xf32>, tensor<4x4x6x3xf32>) -> tensor<1x16x16x6xf32>
  %sum = slim.add %t, %f {scope = ""} : tensor<1x16x16x6xf32>
  return %gn, %sum : tensor<1x16x16x3xf32>, tensor<1x16x16x6xf32>
}
