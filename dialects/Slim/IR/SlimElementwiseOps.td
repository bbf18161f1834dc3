//===- SlimElementwiseOps.td - Arithmetic, lrn, reductions -*- tablegen -*-===//
//
// TensorFlow's elementwise tensor arithmetic (with NumPy broadcasting, and
// with Python numbers), local response normalization, the reductions and
// tf.tile, and the constants the passes make. Included by SlimOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_ELEMENTWISE_OPS_TD
#define SLIM_ELEMENTWISE_OPS_TD

//===----------------------------------------------------------------------===//
// Layer ops
//===----------------------------------------------------------------------===//

// tf.reduce_mean / reduce_sum / reduce_max: `axes` sorted, distinct and in
// range; with `keep_dims` the reduced axes stay as 1s.
class Slim_ReduceOp<string mnemonic, string what> : Slim_Op<mnemonic, [Pure]> {
  let summary = what # " over a set of axes";
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keep_dims,
    StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_ReduceMeanOp : Slim_ReduceOp<"reduce_mean", "mean">;
def Slim_ReduceSumOp : Slim_ReduceOp<"reduce_sum", "sum">;
def Slim_ReduceMaxOp : Slim_ReduceOp<"reduce_max", "maximum">;

def Slim_BinaryOp : Slim_Op<"binary", [Pure]> {
  let summary = "elementwise arithmetic of two tensors, NumPy broadcasting";
  let description = [{
    `kind` is `add`, `sub`, `mul`, `div`, `max` or `min` (tf.add,
    tf.subtract, tf.multiply, tf.divide, tf.maximum, tf.minimum and the
    Python operators). The operands broadcast as in NumPy and TensorFlow:
    shapes align at their last axes, and each pair of sizes is equal or one
    of them is 1; the result has the broadcast shape. Two tensors of one
    shape added are `slim.add`, which the fusion knows as a residual.

    ```mlir
    %y = slim.binary "mul" %x, %gate {scope = "se"}
        : (tensor<1x8x8x32xf32>, tensor<1x1x1x32xf32>) -> tensor<1x8x8x32xf32>
    ```
  }];
  let arguments = (ins Slim_Tensor:$lhs, Slim_Tensor:$rhs, StrAttr:$kind,
    StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $kind $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def Slim_BinaryScalarOp : Slim_Op<"binary_scalar", [Pure,
    AllTypesMatch<["input", "output"]>]> {
  let summary = "elementwise arithmetic of a tensor and a number";
  let description = [{
    `input kind scalar`, or `scalar kind input` when `scalar_first` (`3 - x`,
    `1 / x`): a Python number in tensor arithmetic, converted to float32 as
    TensorFlow converts it. `kind` as for `slim.binary`; `-x` is `mul` by -1.
  }];
  let arguments = (ins Slim_Tensor:$input, StrAttr:$kind, F32Attr:$scalar,
    BoolAttr:$scalar_first, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Slim_LrnOp : Slim_Op<"lrn", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "local response normalization over the channel axis";
  let description = [{
    `tf.nn.lrn` / `tf.nn.local_response_normalization` of a 4-D NHWC tensor:
    `y = x / (bias + alpha * sqr_sum) ^ beta`, `sqr_sum` the sum of squares
    over channels `[c - depth_radius, c + depth_radius]` (TensorFlow's
    formula: alpha is not divided by the window size).
  }];
  let arguments = (ins Slim_Tensor:$input, I64Attr:$depth_radius,
    F32Attr:$bias, F32Attr:$alpha, F32Attr:$beta, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Slim_TileOp : Slim_Op<"tile", [Pure]> {
  let summary = "repeats a tensor `multiples[d]` times along each axis d";
  let description = [{
    `tf.tile`: the result's size along axis d is `input[d] * multiples[d]`
    and its element `i` along d is the input's `i % input[d]`.
  }];
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$multiples,
    StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Ops introduced by the optimization passes
//===----------------------------------------------------------------------===//

def Slim_SplatOp : Slim_Op<"splat", [Pure]> {
  let summary = "load-time: a tensor whose every element is `value`";
  let description = [{
    The constants the passes introduce: `x * 0.17` becomes a
    `channel_affine` whose scale is a splat of 0.17. It reads nothing, so
    slim-hoist-weight-transforms computes it in `@slim_prepare`. The runtime
    kernel is `slim::kernels::fill`.
  }];
  let arguments = (ins F32Attr:$value);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$value attr-dict `:` type($output)";
}

#endif // SLIM_ELEMENTWISE_OPS_TD
