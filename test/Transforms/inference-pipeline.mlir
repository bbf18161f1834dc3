// RUN: slim-opt %s --slim-inference-pipeline | FileCheck %s
// RUN: slim-opt %s --slim-inference-pipeline="vector-width=16 blocked-layout=false" | FileCheck %s --check-prefix=DENSE

// A small net with every pattern of the four reference nets: ResNet's
// conv2d_same stem, a bottleneck unit with batch norm and an identity
// shortcut, an Inception concat, global mean pooling, logits as a 1x1 conv,
// dropout and the spatial squeeze. Batch norms sharing variables share one
// load-time transform (CSE). After the pipeline only fused layers,
// pooling, the concat and conversions at the graph's edges remain.

slim.variable @"stem/weights" : tensor<3x3x3x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"stem/biases" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"unit/conv1/weights" : tensor<1x1x16x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"unit/conv2/weights" : tensor<3x3x8x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"bn8/mean" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn8/var" : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"bn16/mean" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn16/var" : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"mixed/b0/weights" : tensor<1x1x16x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"mixed/b1/weights" : tensor<3x3x16x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"logits/weights" : tensor<1x1x16x10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"logits/biases" : tensor<10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// CHECK: module attributes {slim.arena_alignment = 64 : i64, slim.arena_lower_bound = [[BOUND:[0-9]+]] : i64, slim.arena_no_reuse = {{[0-9]+}} : i64, slim.arena_size = [[BOUND]] : i64, slim.prepare_scratch_size = {{[0-9]+}} : i64}
// CHECK-COUNT-9: slim.param
// CHECK-LABEL: func.func @slim_prepare()
// CHECK-COUNT-2: slim.bn_scale_shift
// CHECK: slim.pack_filter "fc_blocked"
// CHECK-COUNT-9: slim.write_param
// CHECK-LABEL: func.func @net
// CHECK-SAME: (%[[X:.+]]: tensor<1x16x16x3xf32> {slim.name = "input"}) -> (tensor<1x10xf32> {slim.name = "logits"})
// CHECK: %[[B:.+]] = slim.to_blocked %[[X]] {{.*}}-> tensor<1x16x16x3xf32, "nChw8c">
// CHECK: %[[STEM:.+]] = slim.fused_conv2d %[[B]], {{.*}}activation = "relu", {{.*}}packing = "conv2d", pads = array<i64: 0, 1, 0, 1>, scope = "stem", strides = array<i64: 2, 2>
// CHECK: %[[C1:.+]] = slim.fused_conv2d %[[STEM]]
// CHECK: slim.fused_conv2d %[[C1]], %{{.+}} bias(%{{.+}}) residual(%[[STEM]] : tensor<1x8x8x16xf32, "nChw8c">) {activation = "relu"
// CHECK: slim.fused_conv2d {{.*}}concat_channel_offset = 0
// CHECK: slim.fused_conv2d {{.*}}concat_channel_offset = 8
// CHECK: slim.concat {{.*}}in_place_inputs = array<i1: true, true>
// CHECK: slim.reduce_mean {{.*}}-> tensor<1x1x1x16xf32, "nChw8c">
// CHECK: %[[L:.+]] = slim.fused_conv2d {{.*}}packing = "fc_blocked"
// CHECK: %[[Y:.+]] = slim.from_blocked %[[L]] : tensor<1x1x1x10xf32, "nChw8c"> -> tensor<1x10xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: slim.batch_norm
// CHECK-NOT: slim.channel_affine
// CHECK-NOT: slim.dropout
// CHECK-NOT: slim.reshape

// Without the blocked layout nothing is packed or converted; folding stays.
// DENSE-LABEL: func.func @slim_prepare()
// DENSE-NOT: slim.pack_filter
// DENSE: slim.fold_scale_shift
// DENSE-LABEL: func.func @net
// DENSE-NOT: slim.to_blocked
// DENSE: slim.fused_conv2d
// The logits conv writes the output buffer (no arena_offset), through the
// squeeze, which is a view.
// DENSE: %[[L:.+]] = slim.fused_conv2d %{{.+}}, %{{.+}} bias(%{{.+}} : tensor<10xf32>) {activation = "none", dilations
// DENSE: %[[Y:.+]] = slim.reshape %[[L]]
// DENSE: return %[[Y]]
func.func @net(%x: tensor<1x16x16x3xf32> {slim.name = "input"}) -> (tensor<1x10xf32> {slim.name = "logits"}) {
  %ws = slim.read_variable @"stem/weights" : tensor<3x3x3x16xf32>
  %bs = slim.read_variable @"stem/biases" : tensor<16xf32>
  %xp = slim.pad %x {padding = array<i64: 0, 0, 0, 1, 0, 1, 0, 0>, scope = "stem"} : tensor<1x16x16x3xf32> -> tensor<1x17x17x3xf32>
  %s = slim.conv2d %xp, %ws {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "stem"} : (tensor<1x17x17x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x8x8x16xf32>
  %sb = slim.bias_add %s, %bs {scope = "stem"} : tensor<1x8x8x16xf32>, tensor<16xf32>
  %sr = slim.activation "relu" %sb {scope = "stem"} : tensor<1x8x8x16xf32>

  %m8 = slim.read_variable @"bn8/mean" : tensor<8xf32>
  %v8 = slim.read_variable @"bn8/var" : tensor<8xf32>
  %w1 = slim.read_variable @"unit/conv1/weights" : tensor<1x1x16x8xf32>
  %c1 = slim.conv2d %sr, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "unit/conv1"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x8xf32>) -> tensor<1x8x8x8xf32>
  %n1 = slim.batch_norm %c1, %m8, %v8 {epsilon = 1.0e-05 : f32, is_training = false, scope = "unit/conv1/BatchNorm"} : tensor<1x8x8x8xf32>, tensor<8xf32>
  %r1 = slim.activation "relu" %n1 {scope = "unit/conv1"} : tensor<1x8x8x8xf32>
  %m16 = slim.read_variable @"bn16/mean" : tensor<16xf32>
  %v16 = slim.read_variable @"bn16/var" : tensor<16xf32>
  %w2 = slim.read_variable @"unit/conv2/weights" : tensor<3x3x8x16xf32>
  %c2 = slim.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "unit/conv2"} : (tensor<1x8x8x8xf32>, tensor<3x3x8x16xf32>) -> tensor<1x8x8x16xf32>
  %n2 = slim.batch_norm %c2, %m16, %v16 {epsilon = 1.0e-05 : f32, is_training = false, scope = "unit/conv2/BatchNorm"} : tensor<1x8x8x16xf32>, tensor<16xf32>
  %sum = slim.add %sr, %n2 {scope = "unit"} : tensor<1x8x8x16xf32>
  %u = slim.activation "relu" %sum {scope = "unit"} : tensor<1x8x8x16xf32>

  %wb0 = slim.read_variable @"mixed/b0/weights" : tensor<1x1x16x8xf32>
  %b0 = slim.conv2d %u, %wb0 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "mixed/b0"} : (tensor<1x8x8x16xf32>, tensor<1x1x16x8xf32>) -> tensor<1x8x8x8xf32>
  %n3 = slim.batch_norm %b0, %m8, %v8 {epsilon = 1.0e-05 : f32, is_training = false, scope = "mixed/b0/BatchNorm"} : tensor<1x8x8x8xf32>, tensor<8xf32>
  %r3 = slim.activation "relu" %n3 {scope = "mixed/b0"} : tensor<1x8x8x8xf32>
  %wb1 = slim.read_variable @"mixed/b1/weights" : tensor<3x3x16x8xf32>
  %b1 = slim.conv2d %u, %wb1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "mixed/b1"} : (tensor<1x8x8x16xf32>, tensor<3x3x16x8xf32>) -> tensor<1x8x8x8xf32>
  %r4 = slim.activation "relu" %b1 {scope = "mixed/b1"} : tensor<1x8x8x8xf32>
  %cat = slim.concat %r3, %r4 {axis = 3 : i64, scope = "mixed"} : (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x16xf32>

  %g = slim.reduce_mean %cat {axes = array<i64: 1, 2>, keep_dims = true, scope = "pool5"} : tensor<1x8x8x16xf32> -> tensor<1x1x1x16xf32>
  %d = slim.dropout %g {keep_prob = 8.0e-01 : f32, is_training = false, scope = "dropout"} : tensor<1x1x1x16xf32>
  %wl = slim.read_variable @"logits/weights" : tensor<1x1x16x10xf32>
  %bl = slim.read_variable @"logits/biases" : tensor<10xf32>
  %l = slim.conv2d %d, %wl {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "logits"} : (tensor<1x1x1x16xf32>, tensor<1x1x16x10xf32>) -> tensor<1x1x1x10xf32>
  %lb = slim.bias_add %l, %bl {scope = "logits"} : tensor<1x1x1x10xf32>, tensor<10xf32>
  %sq = slim.reshape %lb {scope = "logits/SpatialSqueeze"} : tensor<1x1x1x10xf32> -> tensor<1x10xf32>
  %id = slim.identity %sq {scope = "logits"} : tensor<1x10xf32>
  return %id : tensor<1x10xf32>
}
