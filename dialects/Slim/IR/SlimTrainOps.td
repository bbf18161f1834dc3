//===- SlimTrainOps.td - Losses of a TF-Slim training script -*- tablegen -*-===//
//
// The loss ops of `@train_step` (issue 15): what `slim.losses.*` /
// `tf.losses.*` and `get_total_loss` compute. Every one yields a scalar f32;
// `slimc --train` differentiates through them.
//
// Generated on its own (SlimTrainOps.h.inc) and registered by
// SlimDialect::initialize, so that the many users of SlimOps.h do not depend
// on it.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_TRAIN_OPS_TD
#define SLIM_TRAIN_OPS_TD

include "dialects/Slim/IR/SlimBase.td"

def Slim_SoftmaxCrossEntropyOp : Slim_Op<"softmax_cross_entropy", [Pure]> {
  let summary = "weighted mean softmax cross-entropy over the batch";
  let description = [{
    `slim.losses.(sparse_)softmax_cross_entropy` / `tf.losses.*`: `weight`
    times the mean over the rows of `logits` (all axes but the last) of the
    per-row cross-entropy (TF's SUM_BY_NONZERO_WEIGHTS for a scalar weight;
    a weight of 0 gives 0). `sparse`: `labels` holds class ids (i32 or i64)
    with the shape of `logits` minus its last axis; otherwise one-hot f32
    labels of the shape of `logits`, smoothed by `label_smoothing` first.

    ```mlir
    %l = slim.softmax_cross_entropy %logits, %labels {sparse = true,
        label_smoothing = 0.0 : f32, weight = 1.0 : f32, scope = "xent"}
        : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Slim_Tensor:$logits, AnyRankedTensor:$labels,
    BoolAttr:$sparse, F32Attr:$label_smoothing, F32Attr:$weight,
    StrAttr:$scope);
  let results = (outs 0DTensorOf<[F32]>:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Slim_RegularizationLossOp : Slim_Op<"regularization_loss", [Pure]> {
  let summary = "the regularization loss of one variable";
  let description = [{
    The value the variable's regularizer adds to REGULARIZATION_LOSSES:
    `l2`: scale * sum(w^2) / 2, `l1`: scale * sum |w|, `l1_l2`: both
    (`scale_l1`, `scale_l2`). `regularizer` is the variable's dictionary.
  }];
  let arguments = (ins Slim_Tensor:$input, DictionaryAttr:$regularizer);
  let results = (outs 0DTensorOf<[F32]>:$loss);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($loss)";
  let hasVerifier = 1;
}

def Slim_TotalLossOp : Slim_Op<"total_loss", [Pure]> {
  let summary = "get_total_loss: the sum of the losses";
  let description = [{
    The sum of its scalar operands, in TF's order: the losses, then the
    regularization losses.
  }];
  let arguments = (ins Variadic<0DTensorOf<[F32]>>:$losses);
  let results = (outs 0DTensorOf<[F32]>:$total);
  let assemblyFormat = "$losses attr-dict `:` functional-type($losses, $total)";
  let hasVerifier = 1;
}

#endif // SLIM_TRAIN_OPS_TD
