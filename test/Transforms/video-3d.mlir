// RUN: slim-opt %s --slim-inference-simplify --slim-fuse | FileCheck %s --check-prefix=FUSE
// RUN: slim-opt %s --slim-inference-simplify --slim-fuse --slim-layout --slim-pack-weights | FileCheck %s --check-prefix=LAYOUT
// RUN: slim-opt %s --slim-inference-pipeline | FileCheck %s --check-prefix=PLAN

// An I3D piece: conv3d + batch norm + relu (the batch norm folds into the
// weights at load time), a 3-D max pool, a 1x1x1 conv and the pool's branch
// concatenated on axis 4, then the logits' mean over time.
slim.variable @"Conv/weights" : tensor<3x3x3x3x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"Conv/BatchNorm/beta" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"Conv/BatchNorm/moving_mean" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"Conv/BatchNorm/moving_variance" : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"B/weights" : tensor<1x1x1x8x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"B/biases" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// FUSE-LABEL: func.func @main
// FUSE: %[[SCALE:.+]], %[[SHIFT:.+]] = slim.bn_scale_shift
// FUSE: %[[W:.+]], %[[B:.+]] = slim.fold_scale_shift %{{.*}}, %[[SCALE]], %[[SHIFT]] : tensor<3x3x3x3x8xf32>, tensor<8xf32>
// FUSE: %[[C:.+]] = slim.fused_conv3d %{{.*}}, %[[W]] bias(%[[B]] : tensor<8xf32>) {activation = "relu", dilations = array<i64: 1, 1, 1>, kernel = array<i64: 3, 3, 3>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "Conv", strides = array<i64: 1, 1, 1>}
// FUSE: %[[P:.+]] = slim.max_pool3d %[[C]]
// FUSE: slim.fused_conv3d %[[P]], {{.*}} {activation = "relu", {{.*}}kernel = array<i64: 1, 1, 1>
// FUSE-NOT: slim.batch_norm
// FUSE-NOT: slim.channel_affine

// LAYOUT-LABEL: func.func @main
// LAYOUT: slim.to_blocked %{{.*}} : tensor<1x4x6x6x3xf32> -> tensor<1x4x6x6x3xf32, "ndChw8c">
// LAYOUT: slim.pack_filter "conv3d" %{{.*}} {vector_width = 8 : i64} : tensor<3x3x3x3x8xf32> -> tensor<3456xf32>
// LAYOUT: slim.fused_conv3d {{.*}}packing = "conv3d"{{.*}} -> tensor<1x4x6x6x8xf32, "ndChw8c">
// LAYOUT: slim.max_pool3d {{.*}} : tensor<1x4x6x6x8xf32, "ndChw8c"> -> tensor<1x4x6x6x8xf32, "ndChw8c">
// LAYOUT: slim.concat {{.*}}axis = 4{{.*}} -> tensor<1x4x6x6x16xf32, "ndChw8c">
// LAYOUT: %[[D:.+]] = slim.from_blocked %{{.*}} : tensor<1x4x6x6x16xf32, "ndChw8c"> -> tensor<1x4x6x6x16xf32>
// LAYOUT: slim.reduce_mean %[[D]] {axes = array<i64: 1>, keep_dims = false

// The 1x1x1 conv writes into the concat's buffer at its channel block
// offset; the first conv, also read by the pool, is copied.
// PLAN-LABEL: func.func @main
// PLAN: slim.fused_conv3d {{.*}}kernel = array<i64: 3, 3, 3>
// PLAN-NOT: concat_channel_offset
// PLAN: slim.fused_conv3d {{.*}}concat_channel_offset = 8 : i64, concat_channels = 16 : i64
// PLAN: slim.concat {{.*}}in_place_inputs = array<i1: false, true>
func.func @main(%x: tensor<1x4x6x6x3xf32>) -> tensor<1x6x6x16xf32> {
  %w = slim.read_variable @"Conv/weights" : tensor<3x3x3x3x8xf32>
  %c = slim.conv3d %x, %w {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "Conv"} : (tensor<1x4x6x6x3xf32>, tensor<3x3x3x3x8xf32>) -> tensor<1x4x6x6x8xf32>
  %mean = slim.read_variable @"Conv/BatchNorm/moving_mean" : tensor<8xf32>
  %var = slim.read_variable @"Conv/BatchNorm/moving_variance" : tensor<8xf32>
  %beta = slim.read_variable @"Conv/BatchNorm/beta" : tensor<8xf32>
  %bn = slim.batch_norm %c, %mean, %var beta(%beta : tensor<8xf32>) {epsilon = 1.0e-3 : f32, is_training = false, scope = "Conv/BatchNorm"} : tensor<1x4x6x6x8xf32>, tensor<8xf32>
  %r = slim.activation "relu" %bn {scope = "Conv"} : tensor<1x4x6x6x8xf32>
  %p = slim.max_pool3d %r {kernel = array<i64: 3, 3, 3>, strides = array<i64: 1, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "B/MaxPool"} : tensor<1x4x6x6x8xf32> -> tensor<1x4x6x6x8xf32>
  %wb = slim.read_variable @"B/weights" : tensor<1x1x1x8x8xf32>
  %bb = slim.read_variable @"B/biases" : tensor<8xf32>
  %cb = slim.conv3d %p, %wb {strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, scope = "B"} : (tensor<1x4x6x6x8xf32>, tensor<1x1x1x8x8xf32>) -> tensor<1x4x6x6x8xf32>
  %cbb = slim.bias_add %cb, %bb {scope = "B"} : tensor<1x4x6x6x8xf32>, tensor<8xf32>
  %rb = slim.activation "relu" %cbb {scope = "B"} : tensor<1x4x6x6x8xf32>
  %cat = slim.concat %r, %rb {axis = 4 : i64, scope = "Mixed"} : (tensor<1x4x6x6x8xf32>, tensor<1x4x6x6x8xf32>) -> tensor<1x4x6x6x16xf32>
  %m = slim.reduce_mean %cat {axes = array<i64: 1>, keep_dims = false, scope = "Logits"} : tensor<1x4x6x6x16xf32> -> tensor<1x6x6x16xf32>
  return %m : tensor<1x6x6x16xf32>
}
