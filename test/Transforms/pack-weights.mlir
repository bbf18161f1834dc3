// RUN: slim-opt %s --split-input-file --slim-pack-weights | FileCheck %s

// Blocked conv, depthwise and a dense fully connected layer each get the
// packing their kernel streams; the block size comes from the layout.
// CHECK-LABEL: func.func @pack
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x3xf32, "nChw8c">, %[[W:.+]]: tensor<3x3x3x20xf32>, %[[DW:.+]]: tensor<3x3x20x1xf32>, %[[F:.+]]: tensor<1x20xf32>, %[[FW:.+]]: tensor<20x10xf32>)
// 3 input channels and 20 output channels round up to 1 and 3 blocks of 8,
// and the conv kernel computes output blocks in pairs: 1 x 4 blocks.
// CHECK: %[[PW:.+]] = slim.pack_filter "conv2d" %[[W]] {vector_width = 8 : i64} : tensor<3x3x3x20xf32> -> tensor<2304xf32>
// CHECK: %[[C:.+]] = slim.fused_conv2d %[[X]], %[[PW]] {{.*}}packing = "conv2d", {{.*}}vector_width = 8 : i64}
// CHECK: %[[PD:.+]] = slim.pack_filter "depthwise" %[[DW]] {vector_width = 8 : i64} : tensor<3x3x20x1xf32> -> tensor<216xf32>
// CHECK: slim.fused_depthwise_conv2d %[[C]], %[[PD]] {{.*}}packing = "depthwise"
// Panels of 16 columns: 10 columns take one panel of 20 rows.
// CHECK: %[[PF:.+]] = slim.pack_filter "fc" %[[FW]] {vector_width = 8 : i64} : tensor<20x10xf32> -> tensor<320xf32>
// CHECK: slim.fused_matmul %[[F]], %[[PF]] {{.*}}packing = "fc"
func.func @pack(%x: tensor<1x8x8x3xf32, "nChw8c">, %w: tensor<3x3x3x20xf32>, %dw: tensor<3x3x20x1xf32>, %f: tensor<1x20xf32>, %fw: tensor<20x10xf32>) -> (tensor<1x8x8x20xf32, "nChw8c">, tensor<1x10xf32>) {
  %c = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<1x8x8x3xf32, "nChw8c">, tensor<3x3x3x20xf32>) -> tensor<1x8x8x20xf32, "nChw8c">
  %d = slim.fused_depthwise_conv2d %c, %dw {activation = "relu6", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "dw"} : (tensor<1x8x8x20xf32, "nChw8c">, tensor<3x3x20x1xf32>) -> tensor<1x8x8x20xf32, "nChw8c">
  %y = slim.fused_matmul %f, %fw {activation = "none", scope = "fc"} : (tensor<1x20xf32>, tensor<20x10xf32>) -> tensor<1x10xf32>
  return %d, %y : tensor<1x8x8x20xf32, "nChw8c">, tensor<1x10xf32>
}

// -----

// VGG's fc6: a 7x7 VALID conv over a 7x7 map is a fully connected layer that
// reads the blocked map directly. With padding it is a real convolution.
// CHECK-LABEL: func.func @fc6
// CHECK: slim.pack_filter "fc_blocked" %{{.+}} {vector_width = 16 : i64} : tensor<7x7x16x40xf32> -> tensor<50176xf32>
// CHECK: slim.fused_conv2d {{.*}}packing = "fc_blocked"
// CHECK: slim.pack_filter "conv2d"
func.func @fc6(%x: tensor<1x7x7x16xf32, "nChw16c">, %w: tensor<7x7x16x40xf32>) -> (tensor<1x1x1x40xf32, "nChw16c">, tensor<1x7x7x40xf32, "nChw16c">) {
  %y = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 7, 7>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "fc6"} : (tensor<1x7x7x16xf32, "nChw16c">, tensor<7x7x16x40xf32>) -> tensor<1x1x1x40xf32, "nChw16c">
  %z = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 7, 7>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, scope = "same"} : (tensor<1x7x7x16xf32, "nChw16c">, tensor<7x7x16x40xf32>) -> tensor<1x7x7x40xf32, "nChw16c">
  return %y, %z : tensor<1x1x1x40xf32, "nChw16c">, tensor<1x7x7x40xf32, "nChw16c">
}

// -----

// Dense (reference-kernel) convolutions keep TF-Slim's HWIO filter.
// CHECK-LABEL: func.func @dense_conv
// CHECK-NOT: slim.pack_filter
func.func @dense_conv(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32> {
  %c = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}
