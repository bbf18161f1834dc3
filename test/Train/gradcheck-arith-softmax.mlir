// Finite-difference check of the arithmetic rules: slim.binary mul, sub,
// div, max and min with broadcasting on either side (and x * x, one value
// as both operands), slim.binary_scalar of every kind in both orders
// (3 - x, x / 2, 1 / x, max / min with a number), tile, strided slice with
// a negative stride, reduce_max (and mean) over H and W, a standalone
// softmax, fc and sparse cross-entropy. SGD.
// RUN: slimc %s --train -o %t.so
// RUN: slim-train-gradcheck %t.so --classes 3 | FileCheck %s
// CHECK: loss
// CHECK: a/scale: 2 elements, {{.*}}, ok{{$}}
// CHECK: a/shift: 4 elements, {{.*}}, ok{{$}}
// CHECK: a/div: 8 elements, {{.*}}, ok{{$}}
// CHECK: a/floor: 2 elements, {{.*}}, ok{{$}}
// CHECK: a/cap: 4 elements, {{.*}}, ok{{$}}
// CHECK: fc/weights: 9 elements, {{.*}}, ok{{$}}
slim.variable @"a/scale" : tensor<2xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 1.0, stddev = 0.5}, trainable = true}
slim.variable @"a/shift" : tensor<1x4x1x1xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @"a/div" : tensor<1x1x4x2xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 2.0, stddev = 0.3}, trainable = true}
slim.variable @"a/floor" : tensor<2xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = -0.2, stddev = 0.3}, trainable = true}
slim.variable @"a/cap" : tensor<4x1x1xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.5, stddev = 0.3}, trainable = true}
slim.variable @"fc/weights" : tensor<3x3xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 1.0}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%x: tensor<2x4x4x2xf32> {slim.name = "x"}) -> (tensor<2x4x4x2xf32> {slim.name = "y"}) {
  %y = slim.activation "relu" %x {scope = "r"} : tensor<2x4x4x2xf32>
  return %y : tensor<2x4x4x2xf32>
}

func.func @train_step(%x: tensor<2x4x4x2xf32> {slim.name = "x"}, %labels: tensor<2xi32> {slim.name = "labels"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@"a/scale", @"a/shift", @"a/div", @"a/floor", @"a/cap", @"fc/weights"], update_ops = true, clip_gradient_norm = 0.0}} {
  %ws = slim.read_variable @"a/scale" : tensor<2xf32>
  %m = slim.binary "mul" %x, %ws {scope = "a"} : (tensor<2x4x4x2xf32>, tensor<2xf32>) -> tensor<2x4x4x2xf32>
  %wsh = slim.read_variable @"a/shift" : tensor<1x4x1x1xf32>
  %s = slim.binary "sub" %wsh, %m {scope = "a"} : (tensor<1x4x1x1xf32>, tensor<2x4x4x2xf32>) -> tensor<2x4x4x2xf32>
  %wd = slim.read_variable @"a/div" : tensor<1x1x4x2xf32>
  %q = slim.binary "div" %s, %wd {scope = "a"} : (tensor<2x4x4x2xf32>, tensor<1x1x4x2xf32>) -> tensor<2x4x4x2xf32>
  %wf = slim.read_variable @"a/floor" : tensor<2xf32>
  %mx = slim.binary "max" %q, %wf {scope = "a"} : (tensor<2x4x4x2xf32>, tensor<2xf32>) -> tensor<2x4x4x2xf32>
  %wc = slim.read_variable @"a/cap" : tensor<4x1x1xf32>
  %mn = slim.binary "min" %wc, %mx {scope = "a"} : (tensor<4x1x1xf32>, tensor<2x4x4x2xf32>) -> tensor<2x4x4x2xf32>
  %sq = slim.binary "mul" %mn, %mn {scope = "sq"} : (tensor<2x4x4x2xf32>, tensor<2x4x4x2xf32>) -> tensor<2x4x4x2xf32>
  %p = slim.binary "add" %sq, %mx {scope = "p"} : (tensor<2x4x4x2xf32>, tensor<2x4x4x2xf32>) -> tensor<2x4x4x2xf32>
  %r1 = slim.binary_scalar "sub" %p {scalar = 3.0 : f32, scalar_first = true, scope = "s"} : tensor<2x4x4x2xf32>
  %r2 = slim.binary_scalar "div" %r1 {scalar = 2.0 : f32, scalar_first = false, scope = "s"} : tensor<2x4x4x2xf32>
  %r3 = slim.binary_scalar "div" %r2 {scalar = 1.0 : f32, scalar_first = true, scope = "s"} : tensor<2x4x4x2xf32>
  %r4 = slim.binary_scalar "mul" %r3 {scalar = -1.5 : f32, scalar_first = false, scope = "s"} : tensor<2x4x4x2xf32>
  %r5 = slim.binary_scalar "max" %r4 {scalar = -1.2 : f32, scalar_first = true, scope = "s"} : tensor<2x4x4x2xf32>
  %r6 = slim.binary_scalar "min" %r5 {scalar = -0.8 : f32, scalar_first = false, scope = "s"} : tensor<2x4x4x2xf32>
  %r7 = slim.binary_scalar "add" %r6 {scalar = 0.5 : f32, scalar_first = false, scope = "s"} : tensor<2x4x4x2xf32>
  %r8 = slim.binary_scalar "sub" %r7 {scalar = 0.25 : f32, scalar_first = false, scope = "s"} : tensor<2x4x4x2xf32>
  %t = slim.tile %r8 {multiples = array<i64: 1, 1, 1, 2>, scope = "tile"} : tensor<2x4x4x2xf32> -> tensor<2x4x4x4xf32>
  %ss = slim.strided_slice %t {begin = array<i64: 0, 3, 0, 1>, strides = array<i64: 1, -1, 2, 1>, scope = "slice"} : tensor<2x4x4x4xf32> -> tensor<2x4x2x3xf32>
  %rm = slim.reduce_max %ss {axes = array<i64: 1, 2>, keep_dims = false, scope = "max"} : tensor<2x4x2x3xf32> -> tensor<2x3xf32>
  %ra = slim.reduce_mean %ss {axes = array<i64: 1, 2>, keep_dims = false, scope = "mean"} : tensor<2x4x2x3xf32> -> tensor<2x3xf32>
  %both = slim.add %rm, %ra {scope = "both"} : tensor<2x3xf32>
  %sm = slim.softmax %both {scope = "softmax"} : tensor<2x3xf32>
  %w = slim.read_variable @"fc/weights" : tensor<3x3xf32>
  %logits = slim.matmul %sm, %w {scope = "fc"} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %xent = slim.softmax_cross_entropy %logits, %labels {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  %total = slim.total_loss %xent : (tensor<f32>) -> tensor<f32>
  return %total : tensor<f32>
}
