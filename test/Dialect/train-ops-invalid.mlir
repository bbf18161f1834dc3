// RUN: slim-opt %s -split-input-file -verify-diagnostics

func.func @sparse_shape(%logits: tensor<8x10xf32>, %ids: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{sparse labels 'tensor<4xi64>' must have the shape of logits 'tensor<8x10xf32>' without its last axis}}
  %a = slim.softmax_cross_entropy %logits, %ids {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<8x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %a : tensor<f32>
}

// -----

func.func @sparse_float(%logits: tensor<8x10xf32>, %ids: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{sparse labels must be i32 or i64 class ids, got 'tensor<8xf32>'}}
  %a = slim.softmax_cross_entropy %logits, %ids {sparse = true, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<8x10xf32>, tensor<8xf32>) -> tensor<f32>
  return %a : tensor<f32>
}

// -----

func.func @dense_shape(%logits: tensor<8x10xf32>, %l: tensor<8x9xf32>) -> tensor<f32> {
  // expected-error @+1 {{dense labels 'tensor<8x9xf32>' must be f32 of the shape of logits 'tensor<8x10xf32>'}}
  %a = slim.softmax_cross_entropy %logits, %l {sparse = false, label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<8x10xf32>, tensor<8x9xf32>) -> tensor<f32>
  return %a : tensor<f32>
}

// -----

func.func @smoothing(%logits: tensor<8x10xf32>, %l: tensor<8x10xf32>) -> tensor<f32> {
  // expected-error @+1 {{label_smoothing must be in [0, 1], got 1.5}}
  %a = slim.softmax_cross_entropy %logits, %l {sparse = false, label_smoothing = 1.5 : f32, weight = 1.0 : f32, scope = "xent"} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<f32>
  return %a : tensor<f32>
}

// -----

func.func @reg_kind(%w: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{regularizer needs kind "l1", "l2" or "l1_l2"}}
  %r = slim.regularization_loss %w {regularizer = {kind = "sum"}} : tensor<4xf32> -> tensor<f32>
  return %r : tensor<f32>
}

// -----

func.func @no_losses() -> tensor<f32> {
  // expected-error @+1 {{needs at least one loss}}
  %t = slim.total_loss : () -> tensor<f32>
  return %t : tensor<f32>
}

// -----

// expected-error @+1 {{variables are f32, or a scalar i64 (global_step); got 'tensor<2xi64>'}}
slim.variable @steps : tensor<2xi64> {collection = "global", initializer = {kind = "zeros"}, trainable = false}
