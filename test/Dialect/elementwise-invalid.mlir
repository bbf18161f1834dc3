// RUN: slim-opt %s -split-input-file -verify-diagnostics
// The verifiers of SlimElementwiseOps.td and of the activation kinds.

func.func @no_broadcast(%a: tensor<1x8x8x4xf32>, %b: tensor<1x8x8x3xf32>) -> tensor<1x8x8x4xf32> {
  // expected-error @+1 {{shapes [1x8x8x4] and [1x8x8x3] do not broadcast (dimension 4 against 3)}}
  %y = slim.binary "add" %a, %b {scope = ""} : (tensor<1x8x8x4xf32>, tensor<1x8x8x3xf32>) -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

func.func @wrong_result(%a: tensor<4x1xf32>, %b: tensor<1x5xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{result shape [4x1] does not match the inferred shape [4x5]}}
  %y = slim.binary "mul" %a, %b {scope = ""} : (tensor<4x1xf32>, tensor<1x5xf32>) -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}

// -----

func.func @unknown_kind(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown kind 'pow'}}
  %y = slim.binary "pow" %a, %a {scope = ""} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @unknown_scalar_kind(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown kind 'mod'}}
  %y = slim.binary_scalar "mod" %a {scalar = 2.0 : f32, scalar_first = false, scope = ""} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @blocked_channel_broadcast(%a: tensor<1x8x8x16xf32, "nChw8c">, %b: tensor<1x8x8x1xf32, "nChw8c">) -> tensor<1x8x8x16xf32, "nChw8c"> {
  // expected-error @+1 {{operands and result must share a layout; a blocked operand has the result's channels}}
  %y = slim.binary "mul" %a, %b {scope = ""} : (tensor<1x8x8x16xf32, "nChw8c">, tensor<1x8x8x1xf32, "nChw8c">) -> tensor<1x8x8x16xf32, "nChw8c">
  return %y : tensor<1x8x8x16xf32, "nChw8c">
}

// -----

func.func @leaky_without_alpha(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'alpha' is leaky_relu's slope: present exactly for leaky_relu}}
  %y = slim.activation "leaky_relu" %a {scope = ""} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @alpha_on_relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'alpha' is leaky_relu's slope: present exactly for leaky_relu}}
  %y = slim.activation "relu" %a {alpha = 0.1 : f32, scope = ""} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @lrn_rank(%a: tensor<1x8x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{input must be 4-D (NHWC), got shape [1x8x4]}}
  %y = slim.lrn %a {depth_radius = 2 : i64, bias = 1.0 : f32, alpha = 1.0 : f32, beta = 0.5 : f32, scope = ""} : tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

func.func @lrn_radius(%a: tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32> {
  // expected-error @+1 {{depth_radius must be non-negative, got -1}}
  %y = slim.lrn %a {depth_radius = -1 : i64, bias = 1.0 : f32, alpha = 1.0 : f32, beta = 0.5 : f32, scope = ""} : tensor<1x2x2x4xf32>
  return %y : tensor<1x2x2x4xf32>
}

// -----

func.func @reduce_axis(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{reduction axis 2 is out of range for rank 2}}
  %y = slim.reduce_sum %a {axes = array<i64: 2>, keep_dims = false, scope = ""} : tensor<2x3xf32> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @reduce_order(%a: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{reduction axes must be distinct and increasing}}
  %y = slim.reduce_max %a {axes = array<i64: 1, 0>, keep_dims = false, scope = ""} : tensor<2x3xf32> -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @reduce_result(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result shape [2] does not match the inferred shape [2x1]}}
  %y = slim.reduce_mean %a {axes = array<i64: 1>, keep_dims = true, scope = ""} : tensor<2x3xf32> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @tile_rank(%a: tensor<2x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{multiples has 1 entries for a tensor of rank 2}}
  %y = slim.tile %a {multiples = array<i64: 2>, scope = ""} : tensor<2x3xf32> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

func.func @tile_zero(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{multiples must be positive, got 0}}
  %y = slim.tile %a {multiples = array<i64: 1, 0>, scope = ""} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
