// The verifiers of the spatial ops (the frontend reports the same rules at
// the user's source, test/Frontend/errors/spatial.slim).
// RUN: slim-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

func.func @reflect_too_far(%x: tensor<1x4x4x3xf32>) -> tensor<1x12x4x3xf32> {
  // expected-error @+1 {{paddings must be less than the dimension size: 4, 4 not less than 4 (REFLECT, dimension 1)}}
  %p = slim.pad %x {padding = array<i64: 0, 0, 4, 4, 0, 0, 0, 0>, mode = "reflect", scope = ""} : tensor<1x4x4x3xf32> -> tensor<1x12x4x3xf32>
  return %p : tensor<1x12x4x3xf32>
}

// -----

func.func @symmetric_at_most(%x: tensor<1x4x4x3xf32>) -> tensor<1x12x4x3xf32> {
  %p = slim.pad %x {padding = array<i64: 0, 0, 4, 4, 0, 0, 0, 0>, mode = "symmetric", scope = ""} : tensor<1x4x4x3xf32> -> tensor<1x12x4x3xf32>
  return %p : tensor<1x12x4x3xf32>
}

// -----

func.func @pad_mode(%x: tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32> {
  // expected-error @+1 {{pad mode must be 'constant', 'reflect' or 'symmetric', got 'edge'}}
  %p = slim.pad %x {padding = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, mode = "edge", scope = ""} : tensor<1x4x4x3xf32> -> tensor<1x4x4x3xf32>
  return %p : tensor<1x4x4x3xf32>
}

// -----

func.func @resize_method(%x: tensor<1x4x4x3xf32>) -> tensor<1x8x8x3xf32> {
  // expected-error @+1 {{resize method must be 'nearest' or 'bilinear', got 'bicubic'}}
  %r = slim.resize %x {method = "bicubic", align_corners = false, half_pixel_centers = false, scope = ""} : tensor<1x4x4x3xf32> -> tensor<1x8x8x3xf32>
  return %r : tensor<1x8x8x3xf32>
}

// -----

func.func @resize_both(%x: tensor<1x4x4x3xf32>) -> tensor<1x8x8x3xf32> {
  // expected-error @+1 {{if half_pixel_centers is True, align_corners must be False}}
  %r = slim.resize %x {method = "nearest", align_corners = true, half_pixel_centers = true, scope = ""} : tensor<1x4x4x3xf32> -> tensor<1x8x8x3xf32>
  return %r : tensor<1x8x8x3xf32>
}

// -----

func.func @resize_channels(%x: tensor<1x4x4x3xf32>) -> tensor<1x8x8x4xf32> {
  // expected-error @+1 {{result shape [1x8x8x4] does not match the inferred shape [1x8x8x3]}}
  %r = slim.resize %x {method = "nearest", align_corners = false, half_pixel_centers = false, scope = ""} : tensor<1x4x4x3xf32> -> tensor<1x8x8x4xf32>
  return %r : tensor<1x8x8x4xf32>
}

// -----

func.func @slice_outside(%x: tensor<1x8x8x3xf32>) -> tensor<1x5x8x3xf32> {
  // expected-error @+1 {{the slice of dimension 1 reads outside the input [1x8x8x3]}}
  %s = slim.strided_slice %x {begin = array<i64: 0, 1, 0, 0>, strides = array<i64: 1, 2, 1, 1>, scope = ""} : tensor<1x8x8x3xf32> -> tensor<1x5x8x3xf32>
  return %s : tensor<1x5x8x3xf32>
}

// -----

func.func @slice_backwards_outside(%x: tensor<1x8x8x3xf32>) -> tensor<1x3x8x3xf32> {
  // expected-error @+1 {{the slice of dimension 1 reads outside the input [1x8x8x3]}}
  %s = slim.strided_slice %x {begin = array<i64: 0, 2, 0, 0>, strides = array<i64: 1, -1, 1, 1>, scope = ""} : tensor<1x8x8x3xf32> -> tensor<1x4x8x3xf32>
  return %s : tensor<1x4x8x3xf32>
}

// -----

func.func @slice_stride(%x: tensor<1x8x8x3xf32>) -> tensor<1x8x8x3xf32> {
  // expected-error @+1 {{slice strides must be non-zero}}
  %s = slim.strided_slice %x {begin = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 0, 1, 1>, scope = ""} : tensor<1x8x8x3xf32> -> tensor<1x8x8x3xf32>
  return %s : tensor<1x8x8x3xf32>
}

// -----

func.func @slice_rank(%x: tensor<1x8x8x3xf32>) -> tensor<8x8x3xf32> {
  // expected-error @+1 {{a slice of a rank-4 tensor needs 4 begins, strides and sizes}}
  %s = slim.strided_slice %x {begin = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>, scope = ""} : tensor<1x8x8x3xf32> -> tensor<8x8x3xf32>
  return %s : tensor<8x8x3xf32>
}

// -----

func.func @norm_params(%x: tensor<1x8x8x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x8x3xf32> {
  // expected-error @+1 {{parameter of shape [4] does not match 3 channels}}
  %n = slim.instance_norm %x beta(%b : tensor<4xf32>) {epsilon = 1.0e-3 : f32, scope = ""} : tensor<1x8x8x3xf32>
  return %n : tensor<1x8x8x3xf32>
}

// -----

func.func @norm_epsilon(%x: tensor<1x8x8x3xf32>) -> tensor<1x8x8x3xf32> {
  // expected-error @+1 {{instance_norm epsilon must be positive}}
  %n = slim.instance_norm %x {epsilon = 0.0 : f32, scope = ""} : tensor<1x8x8x3xf32>
  return %n : tensor<1x8x8x3xf32>
}

// -----

func.func @transpose_negative_pads(%x: tensor<1x5x4x8xf32>, %w: tensor<1x1x6x8xf32>) -> tensor<1x15x8x6xf32> {
  // An output longer than the taps reach: negative after-pads are valid.
  %t = slim.conv2d_transpose %x, %w {strides = array<i64: 3, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, -2, 0, -1>, scope = ""} : (tensor<1x5x4x8xf32>, tensor<1x1x6x8xf32>) -> tensor<1x15x8x6xf32>
  return %t : tensor<1x15x8x6xf32>
}

// -----

func.func @transpose_dilation(%x: tensor<1x5x4x8xf32>, %w: tensor<3x3x6x8xf32>) -> tensor<1x11x9x6xf32> {
  // expected-error @+1 {{transposed convolution does not support dilation}}
  %t = slim.conv2d_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = ""} : (tensor<1x5x4x8xf32>, tensor<3x3x6x8xf32>) -> tensor<1x11x9x6xf32>
  return %t : tensor<1x11x9x6xf32>
}

// -----

func.func @fused_packed_size(%x: tensor<1x4x4x8xf32>, %w: tensor<100xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{packed filter has 100 elements, the packing of [4x4x6x8] needs 8192}}
  %t = slim.fused_conv2d_transpose %x, %w {kernel = array<i64: 4, 4>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, activation = "none", scope = "", packing = "conv2d_transpose", vector_width = 16} : (tensor<1x4x4x8xf32>, tensor<100xf32>) -> tensor<1x8x8x6xf32>
  return %t : tensor<1x8x8x6xf32>
}

// -----

func.func @fused_scale_alone(%x: tensor<1x4x4x8xf32>, %w: tensor<4x4x6x8xf32>, %s: tensor<6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{scale and shift come together}}
  %t = slim.fused_conv2d_transpose %x, %w scale(%s : tensor<6xf32>) {kernel = array<i64: 4, 4>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, activation = "none", scope = ""} : (tensor<1x4x4x8xf32>, tensor<4x4x6x8xf32>) -> tensor<1x8x8x6xf32>
  return %t : tensor<1x8x8x6xf32>
}

// -----

func.func @fused_filter(%x: tensor<1x4x4x8xf32>, %w: tensor<4x4x8x6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{filter of shape [4x4x8x6] does not match [4x4x6x8]}}
  %t = slim.fused_conv2d_transpose %x, %w {kernel = array<i64: 4, 4>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, activation = "none", scope = ""} : (tensor<1x4x4x8xf32>, tensor<4x4x8x6xf32>) -> tensor<1x8x8x6xf32>
  return %t : tensor<1x8x8x6xf32>
}

// -----

func.func @group_norm_commensurate(%x: tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{6 channels is not commensurate with 4 groups}}
  %n = slim.group_norm %x {groups = 4 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 1, 2>, epsilon = 1.0e-3 : f32, one_pass = false, scope = ""} : tensor<1x8x8x6xf32>
  return %n : tensor<1x8x8x6xf32>
}

// -----

func.func @group_norm_exclusive(%x: tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{reduction axes must be mutually exclusive with the channels axis 3}}
  %n = slim.group_norm %x {groups = 2 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 1, 3>, epsilon = 1.0e-3 : f32, one_pass = false, scope = ""} : tensor<1x8x8x6xf32>
  return %n : tensor<1x8x8x6xf32>
}

// -----

func.func @group_norm_repeated_axis(%x: tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{reduction axis 1 repeats}}
  %n = slim.group_norm %x {groups = 2 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 1, 1>, epsilon = 1.0e-3 : f32, one_pass = false, scope = ""} : tensor<1x8x8x6xf32>
  return %n : tensor<1x8x8x6xf32>
}

// -----

func.func @group_norm_negative_axis(%x: tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{channels axis -1 is out of bounds for shape [1x8x8x6]}}
  %n = slim.group_norm %x {groups = 2 : i64, channels_axis = -1 : i64, reduction_axes = array<i64: 1, 2>, epsilon = 1.0e-3 : f32, one_pass = false, scope = ""} : tensor<1x8x8x6xf32>
  return %n : tensor<1x8x8x6xf32>
}

// -----

func.func @group_norm_params(%x: tensor<1x8x8x6xf32>, %g: tensor<3xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{parameter of shape [3] does not match 6 channels}}
  %n = slim.group_norm %x gamma(%g : tensor<3xf32>) {groups = 3 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 1, 2>, epsilon = 1.0e-3 : f32, one_pass = false, scope = ""} : tensor<1x8x8x6xf32>
  return %n : tensor<1x8x8x6xf32>
}

// -----

func.func @group_norm_rank(%x: tensor<1x1x1x1x1x1x1x1x6xf32>) -> tensor<1x1x1x1x1x1x1x1x6xf32> {
  // expected-error @+1 {{input must have rank 2 to 8, got shape [1x1x1x1x1x1x1x1x6]}}
  %n = slim.group_norm %x {groups = 3 : i64, channels_axis = 8 : i64, reduction_axes = array<i64: 1, 2>, epsilon = 1.0e-3 : f32, one_pass = false, scope = ""} : tensor<1x1x1x1x1x1x1x1x6xf32>
  return %n : tensor<1x1x1x1x1x1x1x1x6xf32>
}

// -----

func.func @group_norm_epsilon(%x: tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32> {
  // expected-error @+1 {{epsilon must be positive}}
  %n = slim.group_norm %x {groups = 3 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 1, 2>, epsilon = 0.0 : f32, one_pass = false, scope = ""} : tensor<1x8x8x6xf32>
  return %n : tensor<1x8x8x6xf32>
}
