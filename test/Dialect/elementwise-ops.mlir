// RUN: slim-opt %s | slim-opt | FileCheck %s
// The ops of SlimElementwiseOps.td print and parse back.

// CHECK-LABEL: func.func @arithmetic
func.func @arithmetic(%x: tensor<1x8x8x4xf32>, %g: tensor<1x1x1x4xf32>) -> tensor<1x8x8x4xf32> {
  // CHECK: slim.binary "mul" %{{.*}}, %{{.*}} {scope = "se"} : (tensor<1x8x8x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x8x8x4xf32>
  %m = slim.binary "mul" %x, %g {scope = "se"} : (tensor<1x8x8x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x8x8x4xf32>
  // CHECK: slim.binary_scalar "sub" %{{.*}} {scalar = 3.000000e+00 : f32, scalar_first = true, scope = ""} : tensor<1x8x8x4xf32>
  %s = slim.binary_scalar "sub" %m {scalar = 3.0 : f32, scalar_first = true, scope = ""} : tensor<1x8x8x4xf32>
  // CHECK: slim.activation "leaky_relu" %{{.*}} {alpha = 2.000000e-01 : f32, scope = ""}
  %l = slim.activation "leaky_relu" %s {alpha = 0.2 : f32, scope = ""} : tensor<1x8x8x4xf32>
  // CHECK: slim.lrn %{{.*}} {alpha = 9.99999974E-5 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, depth_radius = 4 : i64, scope = "norm1"} : tensor<1x8x8x4xf32>
  %n = slim.lrn %l {depth_radius = 4 : i64, bias = 1.0 : f32, alpha = 1.0e-4 : f32, beta = 0.75 : f32, scope = "norm1"} : tensor<1x8x8x4xf32>
  return %n : tensor<1x8x8x4xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<3xf32>, tensor<2x1x4xf32>, tensor<f32>, tensor<4x3x8xf32>) {
  // CHECK: slim.reduce_sum %{{.*}} {axes = array<i64: 0, 2>, keep_dims = false, scope = ""} : tensor<2x3x4xf32> -> tensor<3xf32>
  %s = slim.reduce_sum %x {axes = array<i64: 0, 2>, keep_dims = false, scope = ""} : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: slim.reduce_max %{{.*}} {axes = array<i64: 1>, keep_dims = true, scope = ""} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %m = slim.reduce_max %x {axes = array<i64: 1>, keep_dims = true, scope = ""} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: slim.reduce_mean %{{.*}} {axes = array<i64: 0, 1, 2>, keep_dims = false, scope = ""} : tensor<2x3x4xf32> -> tensor<f32>
  %a = slim.reduce_mean %x {axes = array<i64: 0, 1, 2>, keep_dims = false, scope = ""} : tensor<2x3x4xf32> -> tensor<f32>
  // CHECK: slim.tile %{{.*}} {multiples = array<i64: 2, 1, 2>, scope = ""} : tensor<2x3x4xf32> -> tensor<4x3x8xf32>
  %t = slim.tile %x {multiples = array<i64: 2, 1, 2>, scope = ""} : tensor<2x3x4xf32> -> tensor<4x3x8xf32>
  return %s, %m, %a, %t : tensor<3xf32>, tensor<2x1x4xf32>, tensor<f32>, tensor<4x3x8xf32>
}

// CHECK-LABEL: func.func @splat
func.func @splat() -> tensor<16xf32> {
  // CHECK: slim.splat 1.700000e-01 : tensor<16xf32>
  %c = slim.splat 0.17 : tensor<16xf32>
  return %c : tensor<16xf32>
}
