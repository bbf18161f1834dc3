// RUN: slim-opt %s --slim-inference-pipeline --slim-print-dot -o /dev/null | FileCheck %s
// RUN: slim-opt %s --slim-inference-pipeline --slim-print-dot -o /dev/null | dot -Tsvg | FileCheck %s --check-prefix=SVG

// The optimized graph as Graphviz: graph inputs and outputs, one node per
// layer labelled with its scope and fused op, shapes (and layouts) on edges.
// Weights, parameters and load-time transforms are not nodes.

slim.variable @"conv1/weights" : tensor<3x3x3x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv1/biases" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}

// CHECK: digraph slim {
// CHECK: subgraph cluster_0 {
// CHECK: label="@main";
// CHECK: f0_in0 [label="images", shape=ellipse
// CHECK: f0_n0 [label="to_blocked", fillcolor="#fff3cd"];
// CHECK: f0_in0 -> f0_n0 [label="1x8x8x3"];
// CHECK: f0_n1 [label="conv1\nconv2d+bias+relu", fillcolor="#cfe2ff"];
// CHECK: f0_n0 -> f0_n1 [label="1x8x8x3 nChw8c"];
// CHECK: f0_n2 [label="pool1\nmax_pool", fillcolor="white"];
// CHECK: f0_n1 -> f0_n2 [label="1x8x8x8 nChw8c"];
// CHECK: f0_out0 [label="pooled \"features\"", shape=ellipse
// CHECK: f0_n3 -> f0_out0 [label="1x4x4x8"];
// CHECK-NOT: read_variable
// CHECK-NOT: pack_filter
// SVG: <svg
// SVG: conv2d+bias+relu
func.func @main(%x: tensor<1x8x8x3xf32> {slim.name = "images"}) -> (tensor<1x4x4x8xf32> {slim.name = "pooled \"features\""}) {
  %w = slim.read_variable @"conv1/weights" : tensor<3x3x3x8xf32>
  %b = slim.read_variable @"conv1/biases" : tensor<8xf32>
  %c = slim.conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "conv1"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x8x8x8xf32>
  %cb = slim.bias_add %c, %b {scope = "conv1"} : tensor<1x8x8x8xf32>, tensor<8xf32>
  %r = slim.activation "relu" %cb {scope = "conv1"} : tensor<1x8x8x8xf32>
  %p = slim.max_pool %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool1"} : tensor<1x8x8x8xf32> -> tensor<1x4x4x8xf32>
  return %p : tensor<1x4x4x8xf32>
}
