// Finite-difference check of the spatial rules: batch norm with
// is_training = false (frozen moving statistics; gamma and beta trained),
// lrn, conv2d_transpose (stride 2, data and filter), instance norm, resize
// nearest (down) and bilinear (up, align_corners), reflect and symmetric
// pads, group norm (2 groups over H, W and channels), tanh, reduce_mean,
// fc and sparse cross-entropy. Momentum.
// RUN: slimc %s --train -o %t.so
// RUN: slim-train-gradcheck %t.so --classes 3 | FileCheck %s
// CHECK: loss
// CHECK: c1/weights: 36 elements, {{.*}}, ok{{$}}
// CHECK: bn/gamma: 4 elements, {{.*}}, ok{{$}}
// CHECK: bn/beta: 4 elements, {{.*}}, ok{{$}}
// CHECK: t/weights: 144 elements, {{.*}}, ok{{$}}
// CHECK: in/gamma: 4 elements, {{.*}}, ok{{$}}
// CHECK: in/beta: 4 elements, {{.*}}, ok{{$}}
// CHECK: gn/gamma: 4 elements, {{.*}}, ok{{$}}
// CHECK: gn/beta: 4 elements, {{.*}}, ok{{$}}
// CHECK: fc/weights: 12 elements, {{.*}}, ok{{$}}
slim.variable @"c1/weights" : tensor<3x3x1x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.5}, trainable = true}
slim.variable @"bn/gamma" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 1.0, stddev = 0.2}, trainable = true}
slim.variable @"bn/beta" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.2}, trainable = true}
slim.variable @"bn/moving_mean" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.1, stddev = 0.2}, trainable = false}
slim.variable @"bn/moving_variance" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 1.5, stddev = 0.2}, trainable = false}
slim.variable @"t/weights" : tensor<3x3x4x4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.3}, trainable = true}
slim.variable @"in/gamma" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 1.0, stddev = 0.2}, trainable = true}
slim.variable @"in/beta" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.2}, trainable = true}
slim.variable @"gn/gamma" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 1.0, stddev = 0.2}, trainable = true}
slim.variable @"gn/beta" : tensor<4xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 0.2}, trainable = true}
slim.variable @"fc/weights" : tensor<4x3xf32> {collection = "model", initializer = {kind = "truncated_normal", mean = 0.0, stddev = 1.0}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}

func.func @main(%x: tensor<2x5x5x1xf32> {slim.name = "x"}) -> (tensor<2x5x5x1xf32> {slim.name = "y"}) {
  %y = slim.activation "relu" %x {scope = "r"} : tensor<2x5x5x1xf32>
  return %y : tensor<2x5x5x1xf32>
}

func.func @train_step(%x: tensor<2x5x5x1xf32> {slim.name = "x"}, %labels: tensor<2xi64> {slim.name = "labels"}) -> (tensor<f32> {slim.name = "total_loss"}) attributes {slim.train = {optimizer = {kind = "momentum", name = "Momentum", momentum = 0.9, use_nesterov = false}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@"c1/weights", @"bn/gamma", @"bn/beta", @"t/weights", @"in/gamma", @"in/beta", @"gn/gamma", @"gn/beta", @"fc/weights"], update_ops = true, clip_gradient_norm = 0.0}} {
  %w1 = slim.read_variable @"c1/weights" : tensor<3x3x1x4xf32>
  %c1 = slim.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "c1"} : (tensor<2x5x5x1xf32>, tensor<3x3x1x4xf32>) -> tensor<2x3x3x4xf32>
  %g = slim.read_variable @"bn/gamma" : tensor<4xf32>
  %be = slim.read_variable @"bn/beta" : tensor<4xf32>
  %mm = slim.read_variable @"bn/moving_mean" : tensor<4xf32>
  %mv = slim.read_variable @"bn/moving_variance" : tensor<4xf32>
  %bn = slim.batch_norm %c1, %mm, %mv beta(%be : tensor<4xf32>) gamma(%g : tensor<4xf32>) {epsilon = 0.001 : f32, is_training = false, scope = "bn"} : tensor<2x3x3x4xf32>, tensor<4xf32>
  %lrn = slim.lrn %bn {depth_radius = 1 : i64, bias = 1.0 : f32, alpha = 0.5 : f32, beta = 0.75 : f32, scope = "lrn"} : tensor<2x3x3x4xf32>
  %wt = slim.read_variable @"t/weights" : tensor<3x3x4x4xf32>
  %up = slim.conv2d_transpose %lrn, %wt {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "t"} : (tensor<2x3x3x4xf32>, tensor<3x3x4x4xf32>) -> tensor<2x5x5x4xf32>
  %ig = slim.read_variable @"in/gamma" : tensor<4xf32>
  %ib = slim.read_variable @"in/beta" : tensor<4xf32>
  %in = slim.instance_norm %up beta(%ib : tensor<4xf32>) gamma(%ig : tensor<4xf32>) {epsilon = 0.001 : f32, scope = "in"} : tensor<2x5x5x4xf32>
  %down = slim.resize %in {method = "nearest", align_corners = false, half_pixel_centers = true, scope = "down"} : tensor<2x5x5x4xf32> -> tensor<2x3x3x4xf32>
  %rp = slim.pad %down {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, mode = "reflect", scope = "rp"} : tensor<2x3x3x4xf32> -> tensor<2x5x5x4xf32>
  %bil = slim.resize %rp {method = "bilinear", align_corners = true, half_pixel_centers = false, scope = "bil"} : tensor<2x5x5x4xf32> -> tensor<2x7x6x4xf32>
  %sp = slim.pad %bil {padding = array<i64: 0, 0, 2, 0, 0, 1, 0, 0>, mode = "symmetric", scope = "sp"} : tensor<2x7x6x4xf32> -> tensor<2x9x7x4xf32>
  %gg = slim.read_variable @"gn/gamma" : tensor<4xf32>
  %gb = slim.read_variable @"gn/beta" : tensor<4xf32>
  %gn = slim.group_norm %sp beta(%gb : tensor<4xf32>) gamma(%gg : tensor<4xf32>) {groups = 2 : i64, channels_axis = 3 : i64, reduction_axes = array<i64: 1, 2>, epsilon = 0.001 : f32, one_pass = false, scope = "gn"} : tensor<2x9x7x4xf32>
  %th = slim.activation "tanh" %gn {scope = "th"} : tensor<2x9x7x4xf32>
  %mean = slim.reduce_mean %th {axes = array<i64: 1, 2>, keep_dims = false, scope = "gap"} : tensor<2x9x7x4xf32> -> tensor<2x4xf32>
  %wf = slim.read_variable @"fc/weights" : tensor<4x3xf32>
  %logits = slim.matmul %mean, %wf {scope = "fc"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %xent = slim.softmax_cross_entropy %logits, %labels {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  %total = slim.total_loss %xent : (tensor<f32>) -> tensor<f32>
  return %total : tensor<f32>
}
