// RUN: slim-opt %s --split-input-file --slim-inference-simplify | FileCheck %s

// Inference dropout and tf.identity disappear; the function result keeps
// being a result.
// CHECK-LABEL: func.func @dropout_identity
// CHECK-SAME: (%[[X:.+]]: tensor<1x4xf32>)
// CHECK-NOT: slim.dropout
// CHECK-NOT: slim.identity
// CHECK: %[[S:.+]] = slim.softmax %[[X]]
// CHECK: return %[[S]], %[[X]]
func.func @dropout_identity(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %d = slim.dropout %x {keep_prob = 5.0e-01 : f32, is_training = false, scope = "dropout7"} : tensor<1x4xf32>
  %s = slim.softmax %d {scope = "predictions"} : tensor<1x4xf32>
  %i = slim.identity %d {scope = "end"} : tensor<1x4xf32>
  return %s, %i : tensor<1x4xf32>, tensor<1x4xf32>
}

// -----

// Training-mode dropout is kept.
// CHECK-LABEL: func.func @training_dropout
// CHECK: slim.dropout
func.func @training_dropout(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %d = slim.dropout %x {keep_prob = 5.0e-01 : f32, is_training = true, scope = "dropout7"} : tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// -----

// reshape(reshape(x)) is one reshape; a reshape to the same shape is nothing.
// CHECK-LABEL: func.func @reshapes
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x1x10xf32>)
// CHECK-NEXT: %[[R:.+]] = slim.reshape %[[X]] {{.*}} : tensor<1x1x1x10xf32> -> tensor<1x10xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshapes(%x: tensor<1x1x1x10xf32>) -> tensor<1x10xf32> {
  %a = slim.reshape %x {scope = "flatten"} : tensor<1x1x1x10xf32> -> tensor<10xf32>
  %b = slim.reshape %a {scope = "squeeze"} : tensor<10xf32> -> tensor<1x10xf32>
  %c = slim.reshape %b {scope = "noop"} : tensor<1x10xf32> -> tensor<1x10xf32>
  return %c : tensor<1x10xf32>
}

// -----

// ResNet's conv2d_same with stride 2: tf.pad then a VALID conv becomes one
// conv with the pad in its own pads.
slim.variable @w : tensor<3x3x4x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @pad_into_conv
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x4xf32>)
// CHECK-NOT: slim.pad
// CHECK: slim.conv2d %[[X]], %{{.+}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1", strides = array<i64: 2, 2>}
func.func @pad_into_conv(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x8xf32> {
  %w = slim.read_variable @w : tensor<3x3x4x8xf32>
  %p = slim.pad %x {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, scope = "conv1"} : tensor<1x8x8x4xf32> -> tensor<1x10x10x4xf32>
  %c = slim.conv2d %p, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv1"} : (tensor<1x10x10x4xf32>, tensor<3x3x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %c : tensor<1x4x4x8xf32>
}

// -----

// A pad before pooling is not zero padding for the pool (max never picks it,
// avg does not count it), so it stays; a pad of channels stays too; an
// all-zero pad disappears.
// CHECK-LABEL: func.func @pads_kept
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x8x4xf32>)
// CHECK: %[[P:.+]] = slim.pad %[[X]] {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>
// CHECK: slim.max_pool %[[P]]
// CHECK: %[[Q:.+]] = slim.pad %[[X]] {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>
// CHECK: slim.avg_pool %[[Q]]
// CHECK: slim.pad %[[X]] {padding = array<i64: 0, 0, 0, 0, 0, 0, 2, 2>
// CHECK-NOT: slim.pad
func.func @pads_kept(%x: tensor<1x8x8x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x8x8x8xf32>, tensor<1x8x8x4xf32>) {
  %p = slim.pad %x {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, scope = "a"} : tensor<1x8x8x4xf32> -> tensor<1x10x10x4xf32>
  %m = slim.max_pool %p {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool"} : tensor<1x10x10x4xf32> -> tensor<1x4x4x4xf32>
  %q = slim.pad %x {padding = array<i64: 0, 0, 1, 1, 1, 1, 0, 0>, scope = "b"} : tensor<1x8x8x4xf32> -> tensor<1x10x10x4xf32>
  %a = slim.avg_pool %q {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool"} : tensor<1x10x10x4xf32> -> tensor<1x4x4x4xf32>
  %c = slim.pad %x {padding = array<i64: 0, 0, 0, 0, 0, 0, 2, 2>, scope = "c"} : tensor<1x8x8x4xf32> -> tensor<1x8x8x8xf32>
  %z = slim.pad %x {padding = array<i64: 0, 0, 0, 0, 0, 0, 0, 0>, scope = "d"} : tensor<1x8x8x4xf32> -> tensor<1x8x8x4xf32>
  return %m, %a, %c, %z : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>, tensor<1x8x8x8xf32>, tensor<1x8x8x4xf32>
}

// -----

// Inference batch norm: scale/shift from the variables, then an affine.
slim.variable @mean : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @var : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @beta : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x4x8xf32>)
// CHECK-DAG: %[[M:.+]] = slim.read_variable @mean
// CHECK-DAG: %[[V:.+]] = slim.read_variable @var
// CHECK-DAG: %[[B:.+]] = slim.read_variable @beta
// CHECK: %[[S:.+]], %[[T:.+]] = slim.bn_scale_shift %[[M]], %[[V]] beta(%[[B]] : tensor<8xf32>) {epsilon = 1.000000e-03 : f32} : tensor<8xf32>
// CHECK: slim.channel_affine %[[X]], %[[S]], %[[T]] {scope = "bn"} : tensor<1x4x4x8xf32>, tensor<8xf32>
// CHECK-NOT: slim.batch_norm
func.func @batch_norm(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %m = slim.read_variable @mean : tensor<8xf32>
  %v = slim.read_variable @var : tensor<8xf32>
  %b = slim.read_variable @beta : tensor<8xf32>
  %y = slim.batch_norm %x, %m, %v beta(%b : tensor<8xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "bn"} : tensor<1x4x4x8xf32>, tensor<8xf32>
  return %y : tensor<1x4x4x8xf32>
}

// -----

// A batch norm in training mode normalizes with batch statistics: kept.
slim.variable @mean : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @var : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
// CHECK-LABEL: func.func @training_batch_norm
// CHECK: slim.batch_norm
// CHECK-NOT: slim.bn_scale_shift
// CHECK-NOT: slim.channel_affine
func.func @training_batch_norm(%x: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %m = slim.read_variable @mean : tensor<8xf32>
  %v = slim.read_variable @var : tensor<8xf32>
  %y = slim.batch_norm %x, %m, %v {epsilon = 1.0e-03 : f32, is_training = true, scope = "bn"} : tensor<1x4x4x8xf32>, tensor<8xf32>
  return %y : tensor<1x4x4x8xf32>
}
