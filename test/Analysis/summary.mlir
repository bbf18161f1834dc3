// RUN: slim-opt %s --slim-inference-pipeline --slim-print-summary -o /dev/null | FileCheck %s
// RUN: slim-opt %s --slim-print-summary -o /dev/null | FileCheck %s --check-prefix=RAW

// A VGG-style block and classifier: parameters are counted from the
// variables each layer reads (through the load-time transforms), MACs from
// the layer shapes.

slim.variable @"net/conv1/weights" : tensor<3x3x3x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"net/conv1/biases" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"net/conv2/weights" : tensor<3x3x16x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"net/conv2/BatchNorm/moving_mean" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"net/conv2/BatchNorm/moving_variance" : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"net/conv2/BatchNorm/beta" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"net/fc/weights" : tensor<256x10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"net/fc/biases" : tensor<10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<1xf32> {collection = "regular", initializer = {kind = "zeros"}, trainable = false}

// CHECK: Model @net
// CHECK-NEXT: Layer (scope) Op Output shape Params MACs
// CHECK: - to_blocked 1x8x8x3 nChw8c
// 3*3*3*16 + 16 = 448 parameters; 8*8*16 outputs of 27 MACs each.
// CHECK-NEXT: net/conv1 conv2d+bias+relu 1x8x8x16 nChw8c 448 27,648
// 3*3*16*16 + 3*16 batch-norm variables.
// CHECK-NEXT: net/conv2 conv2d+bias+relu 1x8x8x16 nChw8c 2,352 147,456
// CHECK-NEXT: net/pool2 max_pool 1x4x4x16 nChw8c
// The classifier over the flattened map runs as a convolution covering it.
// CHECK-NEXT: net/fc conv2d(as fc)+bias 1x1x1x10 nChw8c 2,570 2,560
// CHECK-NEXT: - from_blocked 1x10
// CHECK: Parameters (model variables): 5,370
// CHECK-NEXT: Parameters (all variables): 5,371
// CHECK-NEXT: Weight bytes (variables): 21,484 (0.02 MiB)
// CHECK-NEXT: Derived parameter bytes:
// CHECK-NEXT: MACs per run: 177,664 (0.00 G)
// CHECK-NEXT: Activation arena: {{[0-9,]+}}
// CHECK-NEXT: lower bound (largest live set): {{[0-9,]+}} ({{.*}}), arena / bound = 1.000
// CHECK-NEXT: no reuse (sum of intermediates):

// Before the pipeline: the same totals, layers unfused, no memory plan.
// RAW: net/conv1 conv2d 1x8x8x16 432 27,648
// RAW: net/conv1 bias_add 1x8x8x16 16
// RAW: MACs per run: 177,664
// RAW: Memory plan: not planned (run slim-memory-plan)
func.func @net(%x: tensor<1x8x8x3xf32> {slim.name = "images"}) -> (tensor<1x10xf32> {slim.name = "logits"}) {
  %w1 = slim.read_variable @"net/conv1/weights" : tensor<3x3x3x16xf32>
  %b1 = slim.read_variable @"net/conv1/biases" : tensor<16xf32>
  %c1 = slim.conv2d %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "net/conv1"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x8x8x16xf32>
  %cb1 = slim.bias_add %c1, %b1 {scope = "net/conv1"} : tensor<1x8x8x16xf32>, tensor<16xf32>
  %r1 = slim.activation "relu" %cb1 {scope = "net/conv1"} : tensor<1x8x8x16xf32>
  %w2 = slim.read_variable @"net/conv2/weights" : tensor<3x3x16x16xf32>
  %m = slim.read_variable @"net/conv2/BatchNorm/moving_mean" : tensor<16xf32>
  %v = slim.read_variable @"net/conv2/BatchNorm/moving_variance" : tensor<16xf32>
  %be = slim.read_variable @"net/conv2/BatchNorm/beta" : tensor<16xf32>
  %c2 = slim.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "net/conv2"} : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32>
  %n2 = slim.batch_norm %c2, %m, %v beta(%be : tensor<16xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "net/conv2/BatchNorm"} : tensor<1x8x8x16xf32>, tensor<16xf32>
  %r2 = slim.activation "relu" %n2 {scope = "net/conv2"} : tensor<1x8x8x16xf32>
  %p = slim.max_pool %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "net/pool2"} : tensor<1x8x8x16xf32> -> tensor<1x4x4x16xf32>
  %f = slim.reshape %p {scope = "net/flatten"} : tensor<1x4x4x16xf32> -> tensor<1x256xf32>
  %wf = slim.read_variable @"net/fc/weights" : tensor<256x10xf32>
  %bf = slim.read_variable @"net/fc/biases" : tensor<10xf32>
  %y = slim.matmul %f, %wf {scope = "net/fc"} : (tensor<1x256xf32>, tensor<256x10xf32>) -> tensor<1x10xf32>
  %yb = slim.bias_add %y, %bf {scope = "net/fc"} : tensor<1x10xf32>, tensor<10xf32>
  return %yb : tensor<1x10xf32>
}
