// RUN: slim-opt %s -split-input-file -verify-diagnostics

func.func @bad_channels(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{filter expects 4 input channels but the input has 3}}
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "c"} : (tensor<1x8x8x3xf32>, tensor<3x3x4x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}

// -----

func.func @bad_result(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{result shape [1x8x8x8] does not match the inferred shape [1x6x6x8]}}
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "c"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  return %c : tensor<1x8x8x8xf32>
}

// -----

func.func @unknown_variable() -> tensor<8xf32> {
  // expected-error @+1 {{reads unknown variable @missing}}
  %b = slim.read_variable @missing : tensor<8xf32>
  return %b : tensor<8xf32>
}

// -----

// expected-error @+1 {{collection must be "model", "regular" or "global", got "local"}}
slim.variable @v : tensor<2xf32> {collection = "local", initializer = {kind = "zeros"}, trainable = true}

// -----

func.func @bad_activation(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown activation 'swish'}}
  %r = slim.activation "swish" %x {scope = "a"} : tensor<4xf32>
  return %r : tensor<4xf32>
}
