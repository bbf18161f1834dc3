// RUN: slim-opt %s --split-input-file --slim-materialize-optimizer | FileCheck %s

// Momentum (nesterov): one zeros slot per trained variable, in TF's order,
// after the module's variables; a variable not trained gets none.
// CHECK-LABEL: slim.variable @"a/weights"
// CHECK: slim.variable @"b/weights"
// CHECK: slim.variable @global_step
// CHECK-NEXT: slim.variable @"a/weights/Momentum" : tensor<3x3xf32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// CHECK-NEXT: slim.variable @"b/weights/Momentum" : tensor<2xf32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// CHECK-NOT: frozen/Momentum
// CHECK: func.func @train_step
slim.variable @"a/weights" : tensor<3x3xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"b/weights" : tensor<2xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"frozen" : tensor<2xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "momentum", name = "Momentum", momentum = 0.9, use_nesterov = true}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@"a/weights", @"b/weights"], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @"b/weights" : tensor<2xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<2xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// Adam with its own name: `v/<name>` (m) and `v/<name>_1` (v), then the
// non-slot beta powers, initially beta1 and beta2.
// CHECK-LABEL: slim.variable @v
// CHECK: slim.variable @step
// CHECK-NEXT: slim.variable @"v/MyAdam" : tensor<4xf32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// CHECK-NEXT: slim.variable @"v/MyAdam_1" : tensor<4xf32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// CHECK-NEXT: slim.variable @beta1_power : tensor<f32> {collection = "global", initializer = {kind = "constant", value = 8.000000e-01 : f64}, trainable = false}
// CHECK-NEXT: slim.variable @beta2_power : tensor<f32> {collection = "global", initializer = {kind = "constant", value = 0.99899999999999999 : f64}, trainable = false}
slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "adam", name = "MyAdam", beta1 = 0.8, beta2 = 0.999, epsilon = 1.0e-08}, learning_rate = {kind = "constant", value = 0.1}, global_step = @step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// RMSProp: `v/RMSProp` is the rms slot (ones), then the momentum slot;
// centered puts the mg slot (zeros) between them.
// CHECK-LABEL: slim.variable @v
// CHECK: slim.variable @"v/RMSProp" : tensor<4xf32> {collection = "global", initializer = {kind = "ones"}, trainable = false}
// CHECK-NEXT: slim.variable @"v/RMSProp_1" : tensor<4xf32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
// CHECK-NEXT: slim.variable @"v/RMSProp_2" : tensor<4xf32> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
slim.variable @v : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "rmsprop", name = "RMSProp", decay = 0.9, momentum = 0.0, epsilon = 1.0e-10, centered = true}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@v], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @v : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

// SGD has no slots; running the pass twice adds nothing more.
// RUN: slim-opt %s --split-input-file --slim-materialize-optimizer --slim-materialize-optimizer | FileCheck %s --check-prefix=TWICE
// TWICE: slim.variable @"a/weights/Momentum"
// TWICE-NOT: slim.variable @"a/weights/Momentum"
// TWICE: // -----
// CHECK-LABEL: slim.variable @sgd_var
// CHECK-NEXT: slim.variable @global_step
// CHECK-NEXT: func.func @train_step
slim.variable @sgd_var : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @global_step : tensor<i64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
func.func @train_step() -> tensor<f32> attributes {slim.train = {optimizer = {kind = "sgd", name = "GradientDescent"}, learning_rate = {kind = "constant", value = 0.1}, global_step = @global_step, variables_to_train = [@sgd_var], update_ops = true, clip_gradient_norm = 0.0}} {
  %w = slim.read_variable @sgd_var : tensor<4xf32>
  %r = slim.regularization_loss %w {regularizer = {kind = "l2", scale = 1.0}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}
