// RUN: slim-opt %s -split-input-file -verify-diagnostics

// Verifiers of the ops the optimization passes introduce.

func.func @packed_size(%x: tensor<1x8x8x8xf32, "nChw8c">, %w: tensor<100xf32>) -> tensor<1x8x8x8xf32, "nChw8c"> {
  // expected-error @+1 {{packed filter has 100 elements, 'conv2d' packing of [3x3x8x8] needs 1152}}
  %c = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x8x8x8xf32, "nChw8c">, tensor<100xf32>) -> tensor<1x8x8x8xf32, "nChw8c">
  return %c : tensor<1x8x8x8xf32, "nChw8c">
}

// -----

func.func @packed_without_packing(%x: tensor<1x8x8x8xf32>, %w: tensor<1152xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{a packed (1-D) filter needs 'packing' and 'vector_width'}}
  %c = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x8x8xf32>, tensor<1152xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}

// -----

func.func @filter_mismatch(%x: tensor<1x8x8x8xf32>, %w: tensor<3x3x8x4xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{filter of shape [3x3x8x4] does not match [3x3x8x8]}}
  %c = slim.fused_conv2d %x, %w {activation = "none", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x8x8xf32>, tensor<3x3x8x4xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}

// -----

func.func @softplus_epilogue(%x: tensor<1x8x8x8xf32>, %w: tensor<1x1x8x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{unsupported fused activation 'softplus'}}
  %c = slim.fused_conv2d %x, %w {activation = "softplus", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "c"} : (tensor<1x8x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}

// -----

func.func @residual_layout(%x: tensor<1x8x8x8xf32, "nChw8c">, %w: tensor<128xf32>, %r: tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32, "nChw8c"> {
  // expected-error @+1 {{residual type 'tensor<1x8x8x8xf32>' does not match the result type 'tensor<1x8x8x8xf32, "nChw8c">'}}
  %c = slim.fused_conv2d %x, %w residual(%r : tensor<1x8x8x8xf32>) {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "c", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x8x8x8xf32, "nChw8c">, tensor<128xf32>) -> tensor<1x8x8x8xf32, "nChw8c">
  return %c : tensor<1x8x8x8xf32, "nChw8c">
}

// -----

func.func @mixed_layouts(%x: tensor<1x8x8x8xf32>, %w: tensor<1x1x8x8xf32>) -> tensor<1x8x8x8xf32, "nChw8c"> {
  // expected-error @+1 {{input and result layouts differ}}
  %c = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "c"} : (tensor<1x8x8x8xf32>, tensor<1x1x8x8xf32>) -> tensor<1x8x8x8xf32, "nChw8c">
  return %c : tensor<1x8x8x8xf32, "nChw8c">
}

// -----

func.func @depthwise_channels(%x: tensor<1x8x8x8xf32>, %w: tensor<3x3x8x1xf32>) -> tensor<1x8x8x12xf32> {
  // expected-error @+1 {{depthwise output channels 12 are not a multiple of the input channels 8}}
  %c = slim.fused_depthwise_conv2d %x, %w {activation = "relu6", kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "dw"} : (tensor<1x8x8x8xf32>, tensor<3x3x8x1xf32>) -> tensor<1x8x8x12xf32>
  return %c : tensor<1x8x8x12xf32>
}

// -----

func.func @fold_axes(%w: tensor<3x3x8x4xf32>, %s: tensor<6xf32>) -> tensor<3x3x8x4xf32> {
  // expected-error @+1 {{no trailing axes of the weights [3x3x8x4] hold 6 channels}}
  %fw, %fb = slim.fold_scale_shift %w, %s, %s : tensor<3x3x8x4xf32>, tensor<6xf32>
  return %fw : tensor<3x3x8x4xf32>
}

// -----

func.func @pack_kind(%w: tensor<3x3x8x4xf32>) -> tensor<64xf32> {
  // expected-error @+1 {{cannot pack a filter of shape [3x3x8x4] as 'fc'}}
  %p = slim.pack_filter "fc" %w {vector_width = 8 : i64} : tensor<3x3x8x4xf32> -> tensor<64xf32>
  return %p : tensor<64xf32>
}

// -----

func.func @pack_width(%w: tensor<8x4xf32>) -> tensor<64xf32> {
  // expected-error @+1 {{vector_width must be 8 or 16}}
  %p = slim.pack_filter "fc" %w {vector_width = 4 : i64} : tensor<8x4xf32> -> tensor<64xf32>
  return %p : tensor<64xf32>
}

// -----

func.func @to_blocked_twice(%x: tensor<1x8x8x8xf32, "nChw8c">) -> tensor<1x8x8x8xf32, "nChw16c"> {
  // expected-error @+1 {{converts a dense tensor into a blocked layout}}
  %b = slim.to_blocked %x : tensor<1x8x8x8xf32, "nChw8c"> -> tensor<1x8x8x8xf32, "nChw16c">
  return %b : tensor<1x8x8x8xf32, "nChw16c">
}

// -----

func.func @from_blocked_size(%x: tensor<1x2x2x8xf32, "nChw8c">) -> tensor<1x30xf32> {
  // expected-error @+1 {{result must have as many elements as the input}}
  %d = slim.from_blocked %x : tensor<1x2x2x8xf32, "nChw8c"> -> tensor<1x30xf32>
  return %d : tensor<1x30xf32>
}

// -----

func.func @affine_channels(%x: tensor<1x4x4x8xf32>, %s: tensor<4xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{scale of shape [4] does not match 8 channels}}
  %y = slim.channel_affine %x, %s, %s {scope = "bn"} : tensor<1x4x4x8xf32>, tensor<4xf32>
  return %y : tensor<1x4x4x8xf32>
}

// -----

slim.param @p : tensor<8xf32>
func.func @param_type() -> tensor<4xf32> {
  // expected-error @+1 {{type 'tensor<4xf32>' does not match parameter type 'tensor<8xf32>'}}
  %p = slim.read_param @p : tensor<4xf32>
  return %p : tensor<4xf32>
}

// -----

func.func @missing_param(%v: tensor<8xf32>) {
  // expected-error @+1 {{uses unknown parameter @q}}
  slim.write_param @q, %v : tensor<8xf32>
  return
}
