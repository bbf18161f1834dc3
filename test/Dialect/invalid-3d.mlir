// RUN: slim-opt %s -split-input-file -verify-diagnostics

// Verifiers and shape rules of the 5-D ops.

func.func @conv3d_channels(%x: tensor<1x4x8x8x3xf32>, %w: tensor<3x3x3x4x8xf32>) -> tensor<1x4x8x8x8xf32> {
  // expected-error @+1 {{filter expects 4 input channels but the input has 3}}
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "c"} : (tensor<1x4x8x8x3xf32>, tensor<3x3x3x4x8xf32>) -> tensor<1x4x8x8x8xf32>
  return %c : tensor<1x4x8x8x8xf32>
}

// -----

func.func @conv3d_result(%x: tensor<1x4x8x8x3xf32>, %w: tensor<3x3x3x3x8xf32>) -> tensor<1x4x8x8x8xf32> {
  // expected-error @+1 {{result shape [1x4x8x8x8] does not match the inferred shape [1x2x6x6x8]}}
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, scope = "c"} : (tensor<1x4x8x8x3xf32>, tensor<3x3x3x3x8xf32>) -> tensor<1x4x8x8x8xf32>
  return %c : tensor<1x4x8x8x8xf32>
}

// -----

func.func @conv3d_rank(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x3x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{3-D convolution input must be 5-D (NDHWC), got shape [1x8x8x3]}}
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}

// -----

func.func @conv3d_strides(%x: tensor<1x4x8x8x3xf32>, %w: tensor<3x3x3x3x8xf32>) -> tensor<1x4x8x8x8xf32> {
  // expected-error @+1 {{strides must be three positive integers}}
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "c"} : (tensor<1x4x8x8x3xf32>, tensor<3x3x3x3x8xf32>) -> tensor<1x4x8x8x8xf32>
  return %c : tensor<1x4x8x8x8xf32>
}

// -----

func.func @conv3d_pads(%x: tensor<1x4x8x8x3xf32>, %w: tensor<3x3x3x3x8xf32>) -> tensor<1x4x8x8x8xf32> {
  // expected-error @+1 {{pads must be six non-negative integers}}
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c"} : (tensor<1x4x8x8x3xf32>, tensor<3x3x3x3x8xf32>) -> tensor<1x4x8x8x8xf32>
  return %c : tensor<1x4x8x8x8xf32>
}

// -----

func.func @pool3d_padding(%x: tensor<1x4x8x8x3xf32>) -> tensor<1x5x8x8x3xf32> {
  // expected-error @+1 {{pooling padding must be smaller than the window}}
  %p = slim.max_pool3d %x {kernel = array<i64: 1, 1, 1>, strides = array<i64: 1, 1, 1>, pads = array<i64: 1, 0, 0, 0, 0, 0>, scope = "p"} : tensor<1x4x8x8x3xf32> -> tensor<1x5x8x8x3xf32>
  return %p : tensor<1x5x8x8x3xf32>
}

// -----

func.func @pool3d_window(%x: tensor<1x2x8x8x3xf32>) -> tensor<1x1x8x8x3xf32> {
  // expected-error @+1 {{the 3x1x1 window does not fit in the 2x8x8 input (after padding)}}
  %p = slim.avg_pool3d %x {kernel = array<i64: 3, 1, 1>, strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, scope = "p"} : tensor<1x2x8x8x3xf32> -> tensor<1x1x8x8x3xf32>
  return %p : tensor<1x1x8x8x3xf32>
}

// -----

func.func @pool3d_kernel(%x: tensor<1x2x8x8x3xf32>) -> tensor<1x2x8x8x3xf32> {
  // expected-error @+1 {{pooling kernel must be three positive integers}}
  %p = slim.avg_pool3d %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, scope = "p"} : tensor<1x2x8x8x3xf32> -> tensor<1x2x8x8x3xf32>
  return %p : tensor<1x2x8x8x3xf32>
}

// -----

func.func @fused_conv3d_packed(%x: tensor<1x4x8x8x3xf32, "ndChw8c">, %w: tensor<100xf32>) -> tensor<1x4x8x8x16xf32, "ndChw8c"> {
  // expected-error @+1 {{packed filter has 100 elements, 'conv3d' packing of [2x3x3x3x16] needs 2304}}
  %c = slim.fused_conv3d %x, %w {activation = "relu", kernel = array<i64: 2, 3, 3>, strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 1, 1, 1, 1>, scope = "c", packing = "conv3d", vector_width = 8 : i64} : (tensor<1x4x8x8x3xf32, "ndChw8c">, tensor<100xf32>) -> tensor<1x4x8x8x16xf32, "ndChw8c">
  return %c : tensor<1x4x8x8x16xf32, "ndChw8c">
}

// -----

func.func @fused_conv3d_fc(%x: tensor<1x2x4x4x8xf32, "ndChw8c">, %w: tensor<2560xf32>) -> tensor<1x1x1x1x10xf32, "ndChw8c"> {
  // expected-error @+1 {{'fc_blocked' packing needs a 1-frame window over a whole unpadded 1-frame input}}
  %c = slim.fused_conv3d %x, %w {activation = "none", kernel = array<i64: 2, 4, 4>, strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, scope = "c", packing = "fc_blocked", vector_width = 8 : i64} : (tensor<1x2x4x4x8xf32, "ndChw8c">, tensor<2560xf32>) -> tensor<1x1x1x1x10xf32, "ndChw8c">
  return %c : tensor<1x1x1x1x10xf32, "ndChw8c">
}

// -----

func.func @fused_conv3d_layouts(%x: tensor<1x4x8x8x3xf32, "ndChw8c">, %w: tensor<2x3x3x3x16xf32>) -> tensor<1x4x8x8x16xf32> {
  // expected-error @+1 {{input and result layouts differ}}
  %c = slim.fused_conv3d %x, %w {activation = "relu", kernel = array<i64: 2, 3, 3>, strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 1, 1, 1, 1, 1>, scope = "c"} : (tensor<1x4x8x8x3xf32, "ndChw8c">, tensor<2x3x3x3x16xf32>) -> tensor<1x4x8x8x16xf32>
  return %c : tensor<1x4x8x8x16xf32>
}

// -----

func.func @layout_rank(%x: tensor<1x4x8x8x3xf32>) -> tensor<1x4x8x8x3xf32, "nChw8c"> {
  // expected-error @+1 {{converts a dense tensor into a blocked layout}}
  %b = slim.to_blocked %x : tensor<1x4x8x8x3xf32> -> tensor<1x4x8x8x3xf32, "nChw8c">
  return %b : tensor<1x4x8x8x3xf32, "nChw8c">
}
