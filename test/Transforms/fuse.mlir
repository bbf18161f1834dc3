// RUN: slim-opt %s --split-input-file --slim-inference-simplify --slim-fuse | FileCheck %s

// VGG block: conv + bias + relu twice, then a max pool (not fused).
slim.variable @"conv1_1/weights" : tensor<3x3x3x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv1_1/biases" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv1_2/weights" : tensor<3x3x8x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv1_2/biases" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @vgg_block
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x3xf32>)
// CHECK-DAG: %[[W1:.+]] = slim.read_variable @"conv1_1/weights"
// CHECK-DAG: %[[B1:.+]] = slim.read_variable @"conv1_1/biases"
// CHECK: %[[C1:.+]] = slim.fused_conv2d %[[X]], %[[W1]] bias(%[[B1]] : tensor<8xf32>) {activation = "relu", dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1/conv1_1", strides = array<i64: 1, 1>}
// CHECK-DAG: %[[W2:.+]] = slim.read_variable @"conv1_2/weights"
// CHECK-DAG: %[[B2:.+]] = slim.read_variable @"conv1_2/biases"
// CHECK: %[[C2:.+]] = slim.fused_conv2d %[[C1]], %[[W2]] bias(%[[B2]] : tensor<8xf32>) {activation = "relu", {{.*}}scope = "conv1/conv1_2"
// CHECK: slim.max_pool %[[C2]]
// CHECK-NOT: slim.conv2d
// CHECK-NOT: slim.bias_add
// CHECK-NOT: slim.activation
func.func @vgg_block(%x: tensor<1x8x8x3xf32>) -> tensor<1x4x4x8xf32> {
  %w1 = slim.read_variable @"conv1_1/weights" : tensor<3x3x3x8xf32>
  %b1 = slim.read_variable @"conv1_1/biases" : tensor<8xf32>
  %c1 = slim.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1/conv1_1"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  %cb1 = slim.bias_add %c1, %b1 {scope = "conv1/conv1_1"} : tensor<1x8x8x8xf32>, tensor<8xf32>
  %r1 = slim.activation "relu" %cb1 {scope = "conv1/conv1_1"} : tensor<1x8x8x8xf32>
  %w2 = slim.read_variable @"conv1_2/weights" : tensor<3x3x8x8xf32>
  %b2 = slim.read_variable @"conv1_2/biases" : tensor<8xf32>
  %c2 = slim.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1/conv1_2"} : (tensor<1x8x8x8xf32>, tensor<3x3x8x8xf32>) -> tensor<1x8x8x8xf32>
  %cb2 = slim.bias_add %c2, %b2 {scope = "conv1/conv1_2"} : tensor<1x8x8x8xf32>, tensor<8xf32>
  %r2 = slim.activation "relu" %cb2 {scope = "conv1/conv1_2"} : tensor<1x8x8x8xf32>
  %p = slim.max_pool %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool1"} : tensor<1x8x8x8xf32> -> tensor<1x4x4x8xf32>
  return %p : tensor<1x4x4x8xf32>
}

// -----

// ResNet v1 bottleneck with a projection shortcut: every conv + BN folds its
// BN into the weights at load time; the last conv takes the residual add and
// the relu after it; the shortcut (computed first) is the residual operand.
slim.variable @"shortcut/weights" : tensor<1x1x4x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv1/weights" : tensor<1x1x4x4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv2/weights" : tensor<3x3x4x4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv3/weights" : tensor<1x1x4x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"bn4/mean" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn4/var" : tensor<4xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"bn4/beta" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"bn16/mean" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn16/var" : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"bn16/beta" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @bottleneck
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x4xf32>)
// CHECK: %[[SW:.+]], %[[SB:.+]] = slim.fold_scale_shift %{{.+}}, %{{.+}}, %{{.+}} : tensor<1x1x4x16xf32>, tensor<16xf32>
// CHECK: %[[SC:.+]] = slim.fused_conv2d %[[X]], %[[SW]] bias(%[[SB]] : tensor<16xf32>) {activation = "none", {{.*}}scope = "unit_1/shortcut"
// CHECK: slim.fold_scale_shift
// CHECK: %[[C1:.+]] = slim.fused_conv2d %[[X]], {{.*}}activation = "relu", {{.*}}scope = "unit_1/conv1"
// CHECK: slim.fold_scale_shift
// CHECK: %[[C2:.+]] = slim.fused_conv2d %[[C1]], {{.*}}activation = "relu", {{.*}}scope = "unit_1/conv2"
// CHECK: %[[W3:.+]], %[[B3:.+]] = slim.fold_scale_shift
// CHECK: %[[OUT:.+]] = slim.fused_conv2d %[[C2]], %[[W3]] bias(%[[B3]] : tensor<16xf32>) residual(%[[SC]] : tensor<1x8x8x16xf32>) {activation = "relu", {{.*}}scope = "unit_1/conv3"
// CHECK: return %[[OUT]]
// CHECK-NOT: slim.channel_affine
// CHECK-NOT: slim.add
func.func @bottleneck(%x: tensor<1x8x8x4xf32>) -> tensor<1x8x8x16xf32> {
  %m4 = slim.read_variable @"bn4/mean" : tensor<4xf32>
  %v4 = slim.read_variable @"bn4/var" : tensor<4xf32>
  %b4 = slim.read_variable @"bn4/beta" : tensor<4xf32>
  %m16 = slim.read_variable @"bn16/mean" : tensor<16xf32>
  %v16 = slim.read_variable @"bn16/var" : tensor<16xf32>
  %b16 = slim.read_variable @"bn16/beta" : tensor<16xf32>
  %ws = slim.read_variable @"shortcut/weights" : tensor<1x1x4x16xf32>
  %s = slim.conv2d %x, %ws {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "unit_1/shortcut"} : (tensor<1x8x8x4xf32>, tensor<1x1x4x16xf32>) -> tensor<1x8x8x16xf32>
  %sn = slim.batch_norm %s, %m16, %v16 beta(%b16 : tensor<16xf32>) {epsilon = 1.0e-05 : f32, is_training = false, scope = "unit_1/shortcut/BatchNorm"} : tensor<1x8x8x16xf32>, tensor<16xf32>
  %w1 = slim.read_variable @"conv1/weights" : tensor<1x1x4x4xf32>
  %c1 = slim.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "unit_1/conv1"} : (tensor<1x8x8x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x8x4xf32>
  %n1 = slim.batch_norm %c1, %m4, %v4 beta(%b4 : tensor<4xf32>) {epsilon = 1.0e-05 : f32, is_training = false, scope = "unit_1/conv1/BatchNorm"} : tensor<1x8x8x4xf32>, tensor<4xf32>
  %r1 = slim.activation "relu" %n1 {scope = "unit_1/conv1"} : tensor<1x8x8x4xf32>
  %w2 = slim.read_variable @"conv2/weights" : tensor<3x3x4x4xf32>
  %c2 = slim.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "unit_1/conv2"} : (tensor<1x8x8x4xf32>, tensor<3x3x4x4xf32>) -> tensor<1x8x8x4xf32>
  %n2 = slim.batch_norm %c2, %m4, %v4 beta(%b4 : tensor<4xf32>) {epsilon = 1.0e-05 : f32, is_training = false, scope = "unit_1/conv2/BatchNorm"} : tensor<1x8x8x4xf32>, tensor<4xf32>
  %r2 = slim.activation "relu" %n2 {scope = "unit_1/conv2"} : tensor<1x8x8x4xf32>
  %w3 = slim.read_variable @"conv3/weights" : tensor<1x1x4x16xf32>
  %c3 = slim.conv2d %r2, %w3 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "unit_1/conv3"} : (tensor<1x8x8x4xf32>, tensor<1x1x4x16xf32>) -> tensor<1x8x8x16xf32>
  %n3 = slim.batch_norm %c3, %m16, %v16 beta(%b16 : tensor<16xf32>) {epsilon = 1.0e-05 : f32, is_training = false, scope = "unit_1/conv3/BatchNorm"} : tensor<1x8x8x16xf32>, tensor<16xf32>
  %sum = slim.add %sn, %n3 {scope = "unit_1"} : tensor<1x8x8x16xf32>
  %out = slim.activation "relu" %sum {scope = "unit_1"} : tensor<1x8x8x16xf32>
  return %out : tensor<1x8x8x16xf32>
}

// -----

// A conv whose output is also a model output keeps it: nothing after it is
// fused in, and a bias-added value read twice stops the chain there.
slim.variable @w : tensor<1x1x4x4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @b : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @must_not_fuse
// CHECK: %[[C:.+]] = slim.fused_conv2d %{{.+}}, %{{.+}} {activation = "none"
// CHECK: %[[B:.+]] = slim.bias_add %[[C]]
// CHECK: %[[R:.+]] = slim.activation "relu" %[[B]]
// CHECK: %[[D:.+]] = slim.fused_conv2d %{{.+}}, %{{.+}} bias(%{{.+}} : tensor<4xf32>) {activation = "none"
// CHECK: %[[E:.+]] = slim.activation "relu" %[[D]]
// CHECK: %[[F:.+]] = slim.activation "sigmoid" %[[D]]
// CHECK: return %[[C]], %[[R]], %[[E]], %[[F]]
func.func @must_not_fuse(%x: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = slim.read_variable @w : tensor<1x1x4x4xf32>
  %b = slim.read_variable @b : tensor<4xf32>
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv_out"} : (tensor<1x4x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x4x4x4xf32>
  %cb = slim.bias_add %c, %b {scope = "conv_out"} : tensor<1x4x4x4xf32>, tensor<4xf32>
  %r = slim.activation "relu" %cb {scope = "conv_out"} : tensor<1x4x4x4xf32>
  %d = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv_two_users"} : (tensor<1x4x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x4x4x4xf32>
  %db = slim.bias_add %d, %b {scope = "conv_two_users"} : tensor<1x4x4x4xf32>, tensor<4xf32>
  %e = slim.activation "relu" %db {scope = "a"} : tensor<1x4x4x4xf32>
  %f = slim.activation "sigmoid" %db {scope = "b"} : tensor<1x4x4x4xf32>
  return %c, %r, %e, %f : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// MobileNet: depthwise + BN + relu6, then pointwise + BN + relu6.
slim.variable @dw : tensor<3x3x8x1xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @pw : tensor<1x1x8x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @m8 : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @v8 : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @g8 : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = true}
slim.variable @m16 : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @v16 : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
// CHECK-LABEL: func.func @mobilenet_block
// CHECK: %[[S8:.+]], %[[T8:.+]] = slim.bn_scale_shift %{{.+}}, %{{.+}} gamma(%{{.+}} : tensor<8xf32>)
// CHECK: %[[DW:.+]], %[[DB:.+]] = slim.fold_scale_shift %{{.+}}, %[[S8]], %[[T8]] : tensor<3x3x8x1xf32>, tensor<8xf32>
// CHECK: %[[D:.+]] = slim.fused_depthwise_conv2d %{{.+}}, %[[DW]] bias(%[[DB]] : tensor<8xf32>) {activation = "relu6", {{.*}}strides = array<i64: 2, 2>}
// CHECK: slim.fused_conv2d %[[D]], {{.*}}activation = "relu6"
func.func @mobilenet_block(%x: tensor<1x8x8x8xf32>) -> tensor<1x4x4x16xf32> {
  %dw = slim.read_variable @dw : tensor<3x3x8x1xf32>
  %m8 = slim.read_variable @m8 : tensor<8xf32>
  %v8 = slim.read_variable @v8 : tensor<8xf32>
  %g8 = slim.read_variable @g8 : tensor<8xf32>
  %d = slim.depthwise_conv2d %x, %dw {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>, scope = "Conv2d_1_depthwise"} : (tensor<1x8x8x8xf32>, tensor<3x3x8x1xf32>) -> tensor<1x4x4x8xf32>
  %dn = slim.batch_norm %d, %m8, %v8 gamma(%g8 : tensor<8xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "Conv2d_1_depthwise/BatchNorm"} : tensor<1x4x4x8xf32>, tensor<8xf32>
  %dr = slim.activation "relu6" %dn {scope = "Conv2d_1_depthwise"} : tensor<1x4x4x8xf32>
  %pw = slim.read_variable @pw : tensor<1x1x8x16xf32>
  %m16 = slim.read_variable @m16 : tensor<16xf32>
  %v16 = slim.read_variable @v16 : tensor<16xf32>
  %p = slim.conv2d %dr, %pw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "Conv2d_1_pointwise"} : (tensor<1x4x4x8xf32>, tensor<1x1x8x16xf32>) -> tensor<1x4x4x16xf32>
  %pn = slim.batch_norm %p, %m16, %v16 {epsilon = 1.0e-03 : f32, is_training = false, scope = "Conv2d_1_pointwise/BatchNorm"} : tensor<1x4x4x16xf32>, tensor<16xf32>
  %pr = slim.activation "relu6" %pn {scope = "Conv2d_1_pointwise"} : tensor<1x4x4x16xf32>
  return %pr : tensor<1x4x4x16xf32>
}

// -----

// fully_connected after flatten: matmul + bias + relu; softplus is not an
// epilogue of the kernels and stays separate. The flatten has two readers, so
// the layers stay matmuls over the flat tensor.
slim.variable @w : tensor<32x10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @b : tensor<10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @fc_after_flatten
// CHECK: %[[F:.+]] = slim.reshape
// CHECK: %[[Y:.+]] = slim.fused_matmul %[[F]], %{{.+}} bias(%{{.+}} : tensor<10xf32>) {activation = "relu", scope = "fc3"} : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
// CHECK: %[[Z:.+]] = slim.fused_matmul %[[F]], {{.*}}activation = "none"
// CHECK: slim.activation "softplus" %[[Z]]
func.func @fc_after_flatten(%x: tensor<1x2x2x8xf32>) -> tensor<1x10xf32> {
  %f = slim.reshape %x {scope = "flatten"} : tensor<1x2x2x8xf32> -> tensor<1x32xf32>
  %w = slim.read_variable @w : tensor<32x10xf32>
  %b = slim.read_variable @b : tensor<10xf32>
  %m = slim.matmul %f, %w {scope = "fc3"} : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  %mb = slim.bias_add %m, %b {scope = "fc3"} : tensor<1x10xf32>, tensor<10xf32>
  %r = slim.activation "relu" %mb {scope = "fc3"} : tensor<1x10xf32>
  %w2 = slim.read_variable @w : tensor<32x10xf32>
  %m2 = slim.matmul %f, %w2 {scope = "fc4"} : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  %s = slim.activation "softplus" %m2 {scope = "fc4"} : tensor<1x10xf32>
  %y = slim.add %r, %s {scope = "sum"} : tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// -----

// fully_connected over a flattened map is the convolution whose window
// covers the map (the weights' rows are in HWIO order already), so that it
// can read the map in the blocked layout without an NHWC copy.
slim.variable @w : tensor<32x10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @b : tensor<10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @flatten_then_fc
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x2x8xf32>)
// CHECK: %[[W:.+]] = slim.read_variable @w
// CHECK: %[[WR:.+]] = slim.reshape %[[W]] {scope = "fc3"} : tensor<32x10xf32> -> tensor<2x2x8x10xf32>
// CHECK: %[[C:.+]] = slim.fused_conv2d %[[X]], %[[WR]] bias(%{{.+}} : tensor<10xf32>) {activation = "relu", dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "fc3", strides = array<i64: 1, 1>} : (tensor<1x2x2x8xf32>, tensor<2x2x8x10xf32>) -> tensor<1x1x1x10xf32>
// CHECK: %[[Y:.+]] = slim.reshape %[[C]] {scope = "fc3"} : tensor<1x1x1x10xf32> -> tensor<1x10xf32>
// CHECK: return %[[Y]]
func.func @flatten_then_fc(%x: tensor<1x2x2x8xf32>) -> tensor<1x10xf32> {
  %f = slim.reshape %x {scope = "flatten"} : tensor<1x2x2x8xf32> -> tensor<1x32xf32>
  %w = slim.read_variable @w : tensor<32x10xf32>
  %b = slim.read_variable @b : tensor<10xf32>
  %m = slim.matmul %f, %w {scope = "fc3"} : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  %mb = slim.bias_add %m, %b {scope = "fc3"} : tensor<1x10xf32>, tensor<10xf32>
  %r = slim.activation "relu" %mb {scope = "fc3"} : tensor<1x10xf32>
  return %r : tensor<1x10xf32>
}
