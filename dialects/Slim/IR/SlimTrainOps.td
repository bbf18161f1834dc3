//===- SlimTrainOps.td - The losses of a training script ---*- tablegen -*-===//
//
// What the training half of a TF-Slim script adds to the graph: the data
// losses (`slim.losses.*`, `tf.losses.*`), one regularization loss per
// regularized variable, and their sum (`get_total_loss`). They appear in
// `@train_step` only; the optimizer, the learning-rate schedule and the rest
// of `create_train_op` are the `slim.train` dictionary on that function
// (verified by SlimDialect::verifyOperationAttribute). Generated apart from
// SlimOps.td (SlimTrainOps.h.inc), so that the many users of SlimOps.h do not
// depend on it.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_TRAIN_OPS_TD
#define SLIM_TRAIN_OPS_TD

include "dialects/Slim/IR/SlimBase.td"

def Slim_Scalar : 0DTensorOf<[F32]>;
def Slim_Labels : RankedTensorOf<[I32, I64, F32]>;

def Slim_SoftmaxCrossEntropyOp : Slim_Op<"softmax_cross_entropy", [Pure]> {
  let summary = "softmax cross-entropy loss of logits [N, C], mean over N";
  let description = [{
    `slim.losses.softmax_cross_entropy` / `sparse_softmax_cross_entropy` and
    their `tf.losses` twins. With `sparse`, `labels` are class ids `[N]`
    (i32 or i64); otherwise f32 one-hot `[N, C]`, smoothed towards
    `1/C` by `label_smoothing` as TensorFlow does
    (`labels * (1 - s) + s / C`). The result is `weight` times the mean
    over the batch of the per-sample loss: TensorFlow's
    SUM_BY_NONZERO_WEIGHTS reduction for a scalar weight (a weight of 0
    gives 0).

    ```mlir
    %l = slim.softmax_cross_entropy %logits, %labels {label_smoothing = 0.0 : f32,
        scope = "sparse_softmax_cross_entropy_loss", sparse = true, weight = 1.0 : f32}
        : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Slim_Tensor:$logits, Slim_Labels:$labels,
    BoolAttr:$sparse, F32Attr:$label_smoothing, F32Attr:$weight,
    StrAttr:$scope);
  let results = (outs Slim_Scalar:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Slim_RegularizationLossOp : Slim_Op<"regularization_loss", [Pure]> {
  let summary = "the regularizer of a variable applied to its value";
  let description = [{
    One entry of TensorFlow's REGULARIZATION_LOSSES collection: `regularizer`
    is the variable's regularizer dictionary (`{kind = "l2", scale = ..}`,
    `l1`, `l1_l2`, `sum` of `parts`), `input` the variable's value.
    tf_slim's l2 is `scale * sum(w^2) / 2`, l1 `scale * sum(|w|)`.
  }];
  let arguments = (ins Slim_Tensor:$input, DictionaryAttr:$regularizer);
  let results = (outs Slim_Scalar:$loss);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($loss)";
  let hasVerifier = 1;
}

def Slim_TotalLossOp : Slim_Op<"total_loss", [Pure]> {
  let summary = "the sum of scalar losses (get_total_loss)";
  let description = [{
    `tf.add_n` of the losses in TensorFlow's order: the LOSSES collection,
    then the REGULARIZATION_LOSSES. Without operands it is 0
    (`tf.losses.get_regularization_loss()` of a net without regularizers).
  }];
  let arguments = (ins Variadic<Slim_Scalar>:$losses);
  let results = (outs Slim_Scalar:$total);
  let assemblyFormat = "$losses attr-dict `:` functional-type($losses, results)";
}

#endif // SLIM_TRAIN_OPS_TD
