// RUN: slim-opt %s --split-input-file --slim-memory-plan | FileCheck %s

// A chain: each layer's output reuses the space of the tensor before its
// input, so the arena is the largest adjacent pair (the lower bound), not
// the sum. 1x8x8x8 floats = 2048 bytes, 1x8x8x16 = 4096.
// CHECK: module attributes {slim.arena_alignment = 64 : i64, slim.arena_lower_bound = 6144 : i64, slim.arena_no_reuse = 8192 : i64, slim.arena_size = 6144 : i64, slim.prepare_scratch_size = 0 : i64}
// CHECK-LABEL: func.func @chain
// CHECK: slim.to_blocked {{.*}}arena_offset = [[IN:[0-9]+]] : i64
// CHECK: slim.fused_conv2d {{.*}}arena_offset = 4096 : i64
// CHECK: slim.fused_conv2d {{.*}}arena_offset = [[IN]] : i64
// The output is written straight into the caller's buffer.
// CHECK: %[[O:.+]] = slim.from_blocked
// CHECK-NOT: arena_offset
// CHECK-SAME: -> tensor<1x8x8x16xf32>
func.func @chain(%x: tensor<1x8x8x8xf32>, %w1: tensor<128xf32>, %w2: tensor<128xf32>) -> tensor<1x8x8x16xf32> {
  %b = slim.to_blocked %x : tensor<1x8x8x8xf32> -> tensor<1x8x8x8xf32, "nChw8c">
  %c1 = slim.fused_conv2d %b, %w1 {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv1", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x8x8x8xf32, "nChw8c">, tensor<128xf32>) -> tensor<1x8x8x8xf32, "nChw8c">
  %c2 = slim.fused_conv2d %c1, %w2 {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv2", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x8x8x8xf32, "nChw8c">, tensor<128xf32>) -> tensor<1x8x8x16xf32, "nChw8c">
  %y = slim.from_blocked %c2 : tensor<1x8x8x16xf32, "nChw8c"> -> tensor<1x8x8x16xf32>
  return %y : tensor<1x8x8x16xf32>
}

// -----

// Inception: branch outputs produced only for the concat are written into
// it at channel offsets; the concat copies nothing. A piece that would start
// inside a channel block (after a 4-channel piece) is copied by the concat.
// The first concat (1024 bytes) stays alive while the second one's branches
// run (1024 bytes for it, 512 for a branch), so the bound is 2560.
// CHECK: slim.arena_lower_bound = 2560 : i64, slim.arena_no_reuse = 4096 : i64, slim.arena_size = 2560 : i64
// CHECK-LABEL: func.func @concat_in_place
// CHECK: slim.fused_conv2d {{.*}}arena_offset = [[CAT:[0-9]+]] : i64, concat_channel_offset = 0 : i64, concat_channels = 16 : i64
// CHECK: slim.fused_conv2d {{.*}}arena_offset = [[CAT]] : i64, concat_channel_offset = 8 : i64, concat_channels = 16 : i64
// CHECK: slim.concat {{.*}}arena_offset = [[CAT]] : i64, {{.*}}in_place_inputs = array<i1: true, true>
// CHECK: slim.fused_conv2d {{.*}}concat_channel_offset = 0 : i64, concat_channels = 12 : i64
// CHECK: slim.fused_conv2d
// CHECK-NOT: concat_channel_offset
// CHECK-SAME: -> tensor<1x4x4x8xf32, "nChw8c">
// CHECK: in_place_inputs = array<i1: true, false>
func.func @concat_in_place(%x: tensor<1x4x4x16xf32, "nChw8c">, %w: tensor<256xf32>, %w4: tensor<256xf32>, %w8: tensor<256xf32>) -> (tensor<1x4x4x16xf32>, tensor<1x4x4x12xf32>) {
  %a = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "b0", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x4x4x16xf32, "nChw8c">, tensor<256xf32>) -> tensor<1x4x4x8xf32, "nChw8c">
  %b = slim.fused_conv2d %x, %w {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "b1", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x4x4x16xf32, "nChw8c">, tensor<256xf32>) -> tensor<1x4x4x8xf32, "nChw8c">
  %c = slim.concat %a, %b {axis = 3 : i64, scope = "mixed"} : (tensor<1x4x4x8xf32, "nChw8c">, tensor<1x4x4x8xf32, "nChw8c">) -> tensor<1x4x4x16xf32, "nChw8c">
  %y = slim.from_blocked %c : tensor<1x4x4x16xf32, "nChw8c"> -> tensor<1x4x4x16xf32>
  %d = slim.fused_conv2d %c, %w4 {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "b2", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x4x4x16xf32, "nChw8c">, tensor<256xf32>) -> tensor<1x4x4x4xf32, "nChw8c">
  %f = slim.fused_conv2d %c, %w8 {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "b3", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x4x4x16xf32, "nChw8c">, tensor<256xf32>) -> tensor<1x4x4x8xf32, "nChw8c">
  %e = slim.concat %d, %f {axis = 3 : i64, scope = "mixed2"} : (tensor<1x4x4x4xf32, "nChw8c">, tensor<1x4x4x8xf32, "nChw8c">) -> tensor<1x4x4x12xf32, "nChw8c">
  %z = slim.from_blocked %e : tensor<1x4x4x12xf32, "nChw8c"> -> tensor<1x4x4x12xf32>
  return %y, %z : tensor<1x4x4x16xf32>, tensor<1x4x4x12xf32>
}

// -----

// Unfused elementwise ops overwrite an operand that dies with them; one
// whose operand is read again later needs its own buffer (the relu), and
// the add overwrites the operand that dies with it.
// CHECK-LABEL: func.func @elementwise_in_place
// CHECK: slim.fused_conv2d {{.*}}arena_offset = [[A:[0-9]+]] : i64
// CHECK: slim.activation "sigmoid" {{.*}}arena_offset = [[A]] : i64
// CHECK: slim.activation "tanh" {{.*}}arena_offset = [[A]] : i64
// CHECK: slim.activation "relu" {{.*}}arena_offset = [[B:[0-9]+]] : i64
// CHECK: slim.add {{.*}}arena_offset = [[B]] : i64
func.func @elementwise_in_place(%x: tensor<1x8x8x8xf32, "nChw8c">, %w: tensor<128xf32>) -> tensor<1x8x8x8xf32> {
  %c = slim.fused_conv2d %x, %w {activation = "none", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x8x8x8xf32, "nChw8c">, tensor<128xf32>) -> tensor<1x8x8x8xf32, "nChw8c">
  %s = slim.activation "sigmoid" %c {scope = "s"} : tensor<1x8x8x8xf32, "nChw8c">
  %t = slim.activation "tanh" %s {scope = "t"} : tensor<1x8x8x8xf32, "nChw8c">
  %r = slim.activation "relu" %t {scope = "r"} : tensor<1x8x8x8xf32, "nChw8c">
  %a = slim.add %t, %r {scope = "a"} : tensor<1x8x8x8xf32, "nChw8c">
  %y = slim.from_blocked %a : tensor<1x8x8x8xf32, "nChw8c"> -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}

// -----

// @slim_prepare's temporaries (batch-norm coefficients here) get a scratch
// plan of their own; values stored into parameters need none.
slim.variable @w : tensor<1x1x8x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @mean : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @var : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.param @folded_filter : tensor<1x1x8x8xf32>
slim.param @folded_bias : tensor<8xf32>
// CHECK: slim.prepare_scratch_size = 128 : i64
// CHECK-LABEL: func.func @slim_prepare
// CHECK: slim.bn_scale_shift {{.*}}arena_offsets = array<i64: {{0, 64|64, 0}}>
// CHECK: slim.fold_scale_shift
// CHECK-NOT: arena_offset
// CHECK-SAME: tensor<1x1x8x8xf32>, tensor<8xf32>
func.func @slim_prepare() {
  %w = slim.read_variable @w : tensor<1x1x8x8xf32>
  %m = slim.read_variable @mean : tensor<8xf32>
  %v = slim.read_variable @var : tensor<8xf32>
  %s, %t = slim.bn_scale_shift %m, %v {epsilon = 1.0e-03 : f32} : tensor<8xf32>
  %fw, %fb = slim.fold_scale_shift %w, %s, %t : tensor<1x1x8x8xf32>, tensor<8xf32>
  slim.write_param @folded_filter, %fw : tensor<1x1x8x8xf32>
  slim.write_param @folded_bias, %fb : tensor<8xf32>
  return
}

// -----

// A reshape of a variable is a view of the variable, not a scratch copy.
slim.variable @w : tensor<32x10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.param @packed : tensor<512xf32>
// CHECK: slim.prepare_scratch_size = 0 : i64
// CHECK-LABEL: func.func @slim_prepare
// CHECK: slim.reshape
// CHECK-NOT: arena_offset
// CHECK-SAME: -> tensor<2x2x8x10xf32>
func.func @slim_prepare() {
  %w = slim.read_variable @w : tensor<32x10xf32>
  %r = slim.reshape %w {scope = "fc"} : tensor<32x10xf32> -> tensor<2x2x8x10xf32>
  %p = slim.pack_filter "fc_blocked" %r {vector_width = 8 : i64} : tensor<2x2x8x10xf32> -> tensor<512xf32>
  slim.write_param @packed, %p : tensor<512xf32>
  return
}

// -----

// An activation of a reshape view must not overwrite the viewed tensor while
// it is still read.
// CHECK-LABEL: func.func @view_still_read
// CHECK: slim.max_pool {{.*}}arena_offset = [[P:[0-9]+]] : i64
// CHECK: slim.reshape {{.*}}arena_offset = [[P]] : i64
// CHECK: slim.activation
// CHECK-NOT: arena_offset = [[P]] : i64
// CHECK-SAME: tensor<1x128xf32>
func.func @view_still_read(%x: tensor<1x4x4x8xf32>) -> (tensor<1x128xf32>, tensor<1x2x2x8xf32>) {
  %p = slim.max_pool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "p"} : tensor<1x4x4x8xf32> -> tensor<1x4x4x8xf32>
  %f = slim.reshape %p {scope = "flatten"} : tensor<1x4x4x8xf32> -> tensor<1x128xf32>
  %r = slim.activation "relu" %f {scope = "relu"} : tensor<1x128xf32>
  %s = slim.softmax %r {scope = "softmax"} : tensor<1x128xf32>
  %q = slim.max_pool %p {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "q"} : tensor<1x4x4x8xf32> -> tensor<1x2x2x8xf32>
  return %s, %q : tensor<1x128xf32>, tensor<1x2x2x8xf32>
}

// -----

// A dropout (compiled as the identity, training mode included) is a view:
// it shares its operand's buffer, which lives until the view's last reader,
// so fc2 does not write over fc1's output. A view returned as an output
// (drop2) keeps its operand's buffer (fc2's) alive to the end, when the
// output is copied out: fc3 and fc4 are placed around it.
// CHECK: slim.arena_lower_bound = 192 : i64, slim.arena_no_reuse = 256 : i64, slim.arena_size = 192 : i64
// CHECK-LABEL: func.func @dropout_view
// CHECK: slim.fused_matmul {{.*}}arena_offset = 0 : i64{{.*}}scope = "fc1"
// CHECK: slim.dropout {{.*}}arena_offset = 0 : i64{{.*}}scope = "drop1"
// CHECK: slim.fused_matmul {{.*}}arena_offset = 64 : i64{{.*}}scope = "fc2"
// CHECK: slim.dropout
// CHECK-NOT: arena_offset
// CHECK-SAME: scope = "drop2"
// CHECK: slim.fused_matmul {{.*}}arena_offset = 0 : i64{{.*}}scope = "fc3"
// CHECK: slim.fused_matmul {{.*}}arena_offset = 128 : i64{{.*}}scope = "fc4"
func.func @dropout_view(%x: tensor<1x8xf32>, %w: tensor<128xf32>, %b: tensor<8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %h1 = slim.fused_matmul %x, %w bias(%b : tensor<8xf32>) {activation = "relu", packing = "fc", scope = "fc1", vector_width = 8 : i64} : (tensor<1x8xf32>, tensor<128xf32>) -> tensor<1x8xf32>
  %d1 = slim.dropout %h1 {is_training = true, keep_prob = 5.000000e-01 : f32, scope = "drop1"} : tensor<1x8xf32>
  %h2 = slim.fused_matmul %d1, %w bias(%b : tensor<8xf32>) {activation = "relu", packing = "fc", scope = "fc2", vector_width = 8 : i64} : (tensor<1x8xf32>, tensor<128xf32>) -> tensor<1x8xf32>
  %d2 = slim.dropout %h2 {is_training = true, keep_prob = 5.000000e-01 : f32, scope = "drop2"} : tensor<1x8xf32>
  %h3 = slim.fused_matmul %h2, %w bias(%b : tensor<8xf32>) {activation = "relu", packing = "fc", scope = "fc3", vector_width = 8 : i64} : (tensor<1x8xf32>, tensor<128xf32>) -> tensor<1x8xf32>
  %h4 = slim.fused_matmul %h3, %w bias(%b : tensor<8xf32>) {activation = "relu", packing = "fc", scope = "fc4", vector_width = 8 : i64} : (tensor<1x8xf32>, tensor<128xf32>) -> tensor<1x8xf32>
  %h5 = slim.fused_matmul %h4, %w bias(%b : tensor<8xf32>) {activation = "relu", packing = "fc", scope = "fc5", vector_width = 8 : i64} : (tensor<1x8xf32>, tensor<128xf32>) -> tensor<1x8xf32>
  return %h5, %d2 : tensor<1x8xf32>, tensor<1x8xf32>
}
