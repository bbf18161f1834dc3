// RUN: slim-opt %s --split-input-file --slim-hoist-weight-transforms | FileCheck %s

// Batch-norm folding and packing depend only on variables: they move into
// @slim_prepare, and what inference reads back becomes parameters. The
// variables inference reads directly stay variable reads.
slim.variable @w : tensor<1x1x8x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @mean : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @var : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @b : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
// CHECK-DAG: slim.param @"conv1/packed_filter" : tensor<128xf32>
// CHECK-DAG: slim.param @"conv1/folded_bias" : tensor<8xf32>
// CHECK-DAG: slim.param @"conv2/packed_filter" : tensor<128xf32>
// CHECK-LABEL: func.func @slim_prepare()
// CHECK-DAG: %[[M:.+]] = slim.read_variable @mean
// CHECK-DAG: %[[V:.+]] = slim.read_variable @var
// CHECK: %[[S:.+]], %[[T:.+]] = slim.bn_scale_shift %[[M]], %[[V]]
// CHECK: %[[W:.+]] = slim.read_variable @w
// CHECK: %[[FW:.+]], %[[FB:.+]] = slim.fold_scale_shift %[[W]], %[[S]], %[[T]]
// CHECK: %[[P:.+]] = slim.pack_filter "conv2d" %[[FW]]
// CHECK-DAG: slim.write_param @"conv1/packed_filter", %[[P]] : tensor<128xf32>
// CHECK-DAG: slim.write_param @"conv1/folded_bias", %[[FB]] : tensor<8xf32>
// CHECK: return
// CHECK-LABEL: func.func @graph
// CHECK-NOT: slim.read_variable @w
// CHECK-NOT: slim.bn_scale_shift
// CHECK-NOT: slim.pack_filter
// CHECK-DAG: %[[RB:.+]] = slim.read_param @"conv1/folded_bias" : tensor<8xf32>
// CHECK-DAG: %[[RP:.+]] = slim.read_param @"conv1/packed_filter" : tensor<128xf32>
// CHECK: %[[C:.+]] = slim.fused_conv2d %{{.+}}, %[[RP]] bias(%[[RB]] : tensor<8xf32>)
// CHECK: %[[B:.+]] = slim.read_variable @b
// CHECK: slim.fused_conv2d %[[C]], %{{.+}} bias(%[[B]] : tensor<8xf32>)
func.func @graph(%x: tensor<1x4x4x8xf32, "nChw8c">) -> tensor<1x4x4x8xf32, "nChw8c"> {
  %w = slim.read_variable @w : tensor<1x1x8x8xf32>
  %m = slim.read_variable @mean : tensor<8xf32>
  %v = slim.read_variable @var : tensor<8xf32>
  %s, %t = slim.bn_scale_shift %m, %v {epsilon = 1.0e-03 : f32} : tensor<8xf32>
  %fw, %fb = slim.fold_scale_shift %w, %s, %t : tensor<1x1x8x8xf32>, tensor<8xf32>
  %p = slim.pack_filter "conv2d" %fw {vector_width = 8 : i64} : tensor<1x1x8x8xf32> -> tensor<128xf32>
  %c = slim.fused_conv2d %x, %p bias(%fb : tensor<8xf32>) {activation = "relu", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv1", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x4x4x8xf32, "nChw8c">, tensor<128xf32>) -> tensor<1x4x4x8xf32, "nChw8c">
  %b = slim.read_variable @b : tensor<8xf32>
  %p2 = slim.pack_filter "conv2d" %w {vector_width = 8 : i64} : tensor<1x1x8x8xf32> -> tensor<128xf32>
  %d = slim.fused_conv2d %c, %p2 bias(%b : tensor<8xf32>) {activation = "none", kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv2", packing = "conv2d", vector_width = 8 : i64} : (tensor<1x4x4x8xf32, "nChw8c">, tensor<128xf32>) -> tensor<1x4x4x8xf32, "nChw8c">
  return %d : tensor<1x4x4x8xf32, "nChw8c">
}

// -----

// Nothing to hoist: an empty @slim_prepare, the graph unchanged.
// CHECK-LABEL: func.func @slim_prepare()
// CHECK-NEXT: return
// CHECK-LABEL: func.func @plain
// CHECK-NEXT: slim.softmax
func.func @plain(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %s = slim.softmax %x {scope = "predictions"} : tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}
