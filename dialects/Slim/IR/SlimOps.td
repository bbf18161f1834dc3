//===- SlimOps.td - The slim dialect: TF-Slim models as MLIR ---*- tablegen -*-===//
//
// A module holds one `slim.variable` symbol per TF-Slim variable (named exactly
// as TF-Slim names it, so checkpoints restore by name) and a `func.func` whose
// body is the inference graph traced from the model file. Layer ops carry the
// TF-Slim scope that created them; tensors are NHWC float32 as in TF-Slim.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_OPS_TD
#define SLIM_OPS_TD

include "dialects/Slim/IR/SlimBase.td"

//===----------------------------------------------------------------------===//
// Variables
//===----------------------------------------------------------------------===//

def Slim_VariableOp : Slim_Op<"variable", [Symbol]> {
  let summary = "a TF-Slim variable (checkpoint entry)";
  let description = [{
    Declares one variable, named as TF-Slim names it (`vgg_16/conv1/conv1_1/weights`).
    The symbol name is the checkpoint key. `initializer` and `regularizer` are
    dictionaries with a `kind` entry (e.g. `{kind = "truncated_normal",
    mean = 0.0, stddev = 0.01}`, `{kind = "l2", scale = 5.0e-04}`).
    `collection` is `"model"` for model variables (everything a layer creates,
    `slim.model_variable`) or `"regular"` (`slim.variable`).

    ```mlir
    slim.variable @"conv1/weights" : tensor<3x3x3x64xf32>
        {collection = "model", initializer = {kind = "zeros"}, trainable = true}
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    TypeAttrOf<AnyRankedTensor>:$type,
    DictionaryAttr:$initializer,
    OptionalAttr<DictionaryAttr>:$regularizer,
    StrAttr:$collection,
    BoolAttr:$trainable,
    OptionalAttr<StrAttr>:$device
  );
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let hasVerifier = 1;
}

def Slim_ReadVariableOp : Slim_Op<"read_variable",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the value of a variable";
  let description = [{
    Reads the variable named by `name`. In compiled inference the value is the
    one loaded from a checkpoint (or initialized) before the first run.
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Layer ops
//===----------------------------------------------------------------------===//

// Common spatial attributes: strides [sh, sw], dilations [dh, dw] and explicit
// zero padding [top, bottom, left, right] (the frontend resolves TF's SAME and
// VALID into explicit pads so that later passes can merge `tf.pad` into it).
class Slim_SpatialOp<string mnemonic, list<Trait> traits = []>
    : Slim_Op<mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

def Slim_Conv2DOp : Slim_SpatialOp<"conv2d"> {
  let summary = "2-D convolution, NHWC input and HWIO filter";
  let description = [{
    `tf.nn.conv2d` with `strides`, `dilations` (TF-Slim's `rate`) and explicit
    padding `pads = [top, bottom, left, right]`. No bias, no activation: those
    are separate ops until the fusion pass merges them.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
    DenseI64ArrayAttr:$pads, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $filter attr-dict `:` `(` type($input) `,` type($filter) `)` `->` type($output)
  }];
}

def Slim_DepthwiseConv2DOp : Slim_SpatialOp<"depthwise_conv2d"> {
  let summary = "depthwise 2-D convolution, filter [kh, kw, Cin, multiplier]";
  let description = [{
    `tf.nn.depthwise_conv2d`: every input channel is convolved with its own
    `multiplier` filters; output channel `c * multiplier + m`.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
    DenseI64ArrayAttr:$pads, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $filter attr-dict `:` `(` type($input) `,` type($filter) `)` `->` type($output)
  }];
}

def Slim_Conv2DTransposeOp : Slim_SpatialOp<"conv2d_transpose"> {
  let summary = "transposed 2-D convolution, filter [kh, kw, Cout, Cin]";
  let description = [{
    `tf.nn.conv2d_transpose` as `slim.conv2d_transpose` calls it. `pads` are
    the padding of the equivalent forward convolution, so the output size is
    `(in - 1) * stride + k - pad_before - pad_after`.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
    DenseI64ArrayAttr:$pads, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $filter attr-dict `:` `(` type($input) `,` type($filter) `)` `->` type($output)
  }];
}

def Slim_MatMulOp : Slim_Op<"matmul", [Pure]> {
  let summary = "contraction of the last input axis with a [Cin, Cout] matrix";
  let description = [{
    The core of `slim.fully_connected`: for an input of rank > 2 only the last
    axis is contracted and the leading axes are kept, as TF-Slim does.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$weights, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weights attr-dict `:` `(` type($input) `,` type($weights) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def Slim_BiasAddOp : Slim_Op<"bias_add", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "adds a bias vector along the last axis";
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$bias, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $bias attr-dict `:` type($input) `,` type($bias)
  }];
  let hasVerifier = 1;
}

def Slim_BatchNormOp : Slim_Op<"batch_norm", [Pure, AttrSizedOperandSegments,
    AllTypesMatch<["input", "output"]>,
    AllTypesMatch<["moving_mean", "moving_variance"]>]> {
  let summary = "batch normalization along the last axis";
  let description = [{
    `slim.batch_norm`. With `is_training = false` it normalizes with the moving
    statistics: `(x - mean) / sqrt(variance + epsilon) * gamma + beta`; `beta`
    and `gamma` are absent when TF-Slim's `center` / `scale` are false. With
    `is_training = true` it uses the statistics of the batch itself; in a
    training script `decay` (TF-Slim's moving-average decay) is then
    recorded, and only then.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$moving_mean,
    Slim_Tensor:$moving_variance, Optional<Slim_Tensor>:$beta,
    Optional<Slim_Tensor>:$gamma, F32Attr:$epsilon, BoolAttr:$is_training,
    StrAttr:$scope, OptionalAttr<F32Attr>:$decay);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $moving_mean `,` $moving_variance
    (`beta` `(` $beta^ `:` type($beta) `)`)? (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    attr-dict `:` type($input) `,` type($moving_mean)
  }];
  let hasVerifier = 1;
}

def Slim_ActivationOp : Slim_Op<"activation", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "elementwise activation function";
  let description = [{
    `kind` is one of `relu`, `relu6`, `sigmoid`, `tanh`, `elu`, `softplus`,
    `selu` and `leaky_relu`; `alpha`, leaky_relu's slope
    (`x > 0 ? x : alpha * x`, as tf.nn.leaky_relu), is present exactly for
    leaky_relu.
  }];
  let arguments = (ins Slim_Tensor:$input, StrAttr:$kind,
    OptionalAttr<F32Attr>:$alpha, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$kind $input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

class Slim_PoolOp<string mnemonic, string what> : Slim_SpatialOp<mnemonic> {
  let summary = what # " pooling over H and W of an NHWC tensor";
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$kernel,
    DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Slim_MaxPoolOp : Slim_PoolOp<"max_pool", "max"> {
  let description = [{ `slim.max_pool2d`; padded positions never win. }];
}

def Slim_AvgPoolOp : Slim_PoolOp<"avg_pool", "average"> {
  let description = [{
    `slim.avg_pool2d`; as in TensorFlow, each output divides by the number of
    window elements inside the input (padding is not counted).
  }];
}

def Slim_DropoutOp : Slim_Op<"dropout", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "TF-Slim dropout";
  let description = [{
    The identity unless `is_training`; compiled inference always has it false
    by the time code is generated (training graphs are rejected by the driver).
  }];
  let arguments = (ins Slim_Tensor:$input, F32Attr:$keep_prob, BoolAttr:$is_training,
    StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Slim_ReshapeOp : Slim_Op<"reshape", [Pure]> {
  let summary = "reinterprets a tensor with another shape of the same size";
  let description = [{
    Covers `slim.flatten`, `tf.reshape` and `tf.squeeze`: all keep row-major
    element order and only change the shape.
  }];
  let arguments = (ins Slim_Tensor:$input, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_SoftmaxOp : Slim_Op<"softmax", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "softmax over the last axis";
  let arguments = (ins Slim_Tensor:$input, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Slim_ConcatOp : Slim_Op<"concat", [Pure]> {
  let summary = "concatenation along one axis";
  let arguments = (ins Variadic<Slim_Tensor>:$inputs, I64Attr:$axis, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $output)";
  let hasVerifier = 1;
}

def Slim_AddOp : Slim_Op<"add", [Pure, AllTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "elementwise sum of two tensors of the same shape";
  let arguments = (ins Slim_Tensor:$lhs, Slim_Tensor:$rhs, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
}

def Slim_PadOp : Slim_Op<"pad", [Pure]> {
  let summary = "tf.pad: [before, after] elements per dimension";
  let description = [{
    `mode` is TF's: `constant` fills with `constant_value`; `reflect`
    mirrors the input without repeating its edge (each pad smaller than the
    dimension), `symmetric` with it (each pad at most the dimension).
  }];
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$padding,
    StrAttr:$scope, DefaultValuedStrAttr<StrAttr, "constant">:$mode,
    DefaultValuedAttr<F32Attr, "0.0f">:$constant_value);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_IdentityOp : Slim_Op<"identity", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "tf.identity: names a tensor";
  let arguments = (ins Slim_Tensor:$input, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Ops introduced by the optimization passes
//===----------------------------------------------------------------------===//
//
// The frontend never emits these. They fall in three groups:
//  * graph ops that replace sequences of layer ops (channel_affine, the fused
//    layers, layout conversions);
//  * load-time weight transforms (bn_scale_shift, fold_scale_shift,
//    pack_filter): their operands derive only from variables, so
//    slim-hoist-weight-transforms moves them into `@slim_prepare`, which the
//    runtime runs once after variables are loaded;
//  * derived parameters (param, read_param, write_param), the buffers through
//    which `@slim_prepare` hands its results to the inference function.
//
// Activation layout is part of the tensor type: a 4-D NHWC tensor whose
// encoding is the string "nChw8c" or "nChw16c" is stored blocked as
// [N][ceil(C/8)][H][W][8] (or 16) with zero padding lanes; the shape stays the
// logical NHWC shape, so every shape rule applies unchanged.

def Slim_ChannelAffineOp : Slim_Op<"channel_affine",
    [Pure, AllTypesMatch<["input", "output"]>, AllTypesMatch<["scale", "shift"]>]> {
  let summary = "x * scale + shift along the last axis";
  let description = [{
    What an inference `batch_norm` computes once its moving statistics are
    folded into one `scale` and one `shift` per channel. `slim-fuse` folds it
    into a preceding convolution or matmul; otherwise it stays an elementwise
    op (for example a batch norm applied to a graph input).
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$scale,
    Slim_Tensor:$shift, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Slim_BnScaleShiftOp : Slim_Op<"bn_scale_shift", [Pure, AttrSizedOperandSegments,
    AllTypesMatch<["moving_mean", "moving_variance", "scale", "shift"]>]> {
  let summary = "load-time: per-channel scale and shift of an inference batch norm";
  let description = [{
    `scale = gamma / sqrt(moving_variance + epsilon)` and
    `shift = beta - moving_mean * scale`, with `gamma = 1` and `beta = 0` when
    absent. The runtime kernel is `slim::kernels::batchNormScaleShift`.
  }];
  let arguments = (ins Slim_Tensor:$moving_mean, Slim_Tensor:$moving_variance,
    Optional<Slim_Tensor>:$beta, Optional<Slim_Tensor>:$gamma,
    F32Attr:$epsilon);
  let results = (outs Slim_Tensor:$scale, Slim_Tensor:$shift);
  let assemblyFormat = [{
    $moving_mean `,` $moving_variance
    (`beta` `(` $beta^ `:` type($beta) `)`)? (`gamma` `(` $gamma^ `:` type($gamma) `)`)?
    attr-dict `:` type($moving_mean)
  }];
  let hasVerifier = 1;
}

def Slim_FoldScaleShiftOp : Slim_Op<"fold_scale_shift", [Pure,
    AllTypesMatch<["weights", "folded_weights"]>,
    AllTypesMatch<["scale", "shift", "folded_bias"]>]> {
  let summary = "load-time: folds a per-output-channel affine into weights and bias";
  let description = [{
    For a linear layer `y = x (*) w + bias` followed by `y * scale + shift`,
    computes `w' = w * scale` and `bias' = bias * scale + shift` (`bias = 0`
    when absent). The weights are viewed as `[outer, C]` where `C`, the size
    of `scale`, is the product of their trailing axes: `[Cout]` for HWIO conv
    and `[Cin, Cout]` matmul weights, `[Cin, multiplier]` for depthwise
    filters. The runtime kernel is `slim::kernels::foldScaleShift`.
  }];
  let arguments = (ins Slim_Tensor:$weights, Optional<Slim_Tensor>:$bias,
    Slim_Tensor:$scale, Slim_Tensor:$shift);
  let results = (outs Slim_Tensor:$folded_weights, Slim_Tensor:$folded_bias);
  let assemblyFormat = [{
    $weights `,` $scale `,` $shift (`bias` `(` $bias^ `:` type($bias) `)`)?
    attr-dict `:` type($weights) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Slim_PackFilterOp : Slim_Op<"pack_filter", [Pure]> {
  let summary = "load-time: packs a filter into a kernel's layout";
  let description = [{
    Reorders TF-Slim weights into the flat layout a blocked CPU kernel
    streams, with zeros for padding channels (see runtime
    `slim/kernels/pack.h`). `kind` and `vector_width` (8 or 16) pick it:
      * `conv2d`: HWIO -> [OCb][ICb][kh][kw][ic][oc], OCb rounded up to even
        (`packConv2dWeights`);
      * `depthwise`: [kh][kw][C][mult] -> [OCb][kh][kw][oc]
        (`packDepthwiseWeights`);
      * `fc`: [K][N] -> [NP][K][2 * vector_width]
        (`packFullyConnectedWeights`);
      * `fc_blocked`: HWIO weights whose window covers the whole input, read
        as the [h*w*C][N] matrix of a fully connected layer over the blocked
        input (`packFullyConnectedWeightsBlocked`): VGG's fc6..fc8;
      * `conv2d_transpose`: [kh][kw][Cout][Cin] -> the `conv2d` layout with
        Cin as the input side (`packConv2dTransposeWeights`).
  }];
  let arguments = (ins Slim_Tensor:$filter, StrAttr:$kind, I64Attr:$vector_width);
  let results = (outs Slim_Tensor:$packed);
  let assemblyFormat = "$kind $filter attr-dict `:` type($filter) `->` type($packed)";
  let hasVerifier = 1;
}

// Fused layers: act(op(input, filter) + bias + residual). Filter is the
// TF-Slim layout (HWIO, [kh,kw,C,mult] or [K,N]) until slim-pack-weights
// replaces it with a 1-D packed buffer and sets `packing` and `vector_width`.
class Slim_FusedOp<string mnemonic, list<Trait> traits = []>
    : Slim_Op<mnemonic, !listconcat(traits, [Pure, AttrSizedOperandSegments])> {
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $filter (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`residual` `(` $residual^ `:` type($residual) `)`)?
    attr-dict `:` `(` type($input) `,` type($filter) `)` `->` type($output)
  }];
}

def Slim_FusedConv2DOp : Slim_FusedOp<"fused_conv2d"> {
  let summary = "conv2d + bias + residual add + activation";
  let description = [{
    `act(conv2d(input, filter) + bias + residual)`: the epilogue of the CPU
    conv kernel. `kernel = [kh, kw]` keeps the window size once the filter is
    packed. `activation` is `none`, `relu`, `relu6`, `sigmoid`, `tanh` or
    `elu`. `residual` has the output's shape.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    Optional<Slim_Tensor>:$bias, Optional<Slim_Tensor>:$residual,
    DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
    DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
    StrAttr:$activation, StrAttr:$scope,
    OptionalAttr<StrAttr>:$packing, OptionalAttr<I64Attr>:$vector_width);
  let results = (outs Slim_Tensor:$output);
}

def Slim_FusedDepthwiseConv2DOp : Slim_FusedOp<"fused_depthwise_conv2d"> {
  let summary = "depthwise_conv2d + bias + residual add + activation";
  let description = [{
    As `fused_conv2d` for a depthwise convolution; the output has
    `C * multiplier` channels.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    Optional<Slim_Tensor>:$bias, Optional<Slim_Tensor>:$residual,
    DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
    DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
    StrAttr:$activation, StrAttr:$scope,
    OptionalAttr<StrAttr>:$packing, OptionalAttr<I64Attr>:$vector_width);
  let results = (outs Slim_Tensor:$output);
}

def Slim_FusedMatMulOp : Slim_FusedOp<"fused_matmul"> {
  let summary = "fully_connected: matmul + bias + residual add + activation";
  let description = [{
    `act(matmul(input, filter) + bias + residual)` contracting the last input
    axis with a [K, N] weight matrix.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    Optional<Slim_Tensor>:$bias, Optional<Slim_Tensor>:$residual,
    StrAttr:$activation, StrAttr:$scope,
    OptionalAttr<StrAttr>:$packing, OptionalAttr<I64Attr>:$vector_width);
  let results = (outs Slim_Tensor:$output);
}

def Slim_ToBlockedOp : Slim_Op<"to_blocked", [Pure]> {
  let summary = "NHWC -> blocked NCHWc layout conversion";
  let description = [{
    Converts a plain NHWC tensor into the blocked layout named by the
    result's encoding (`"nChw8c"` or `"nChw16c"`); same logical shape.
  }];
  let arguments = (ins Slim_Tensor:$input);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_FromBlockedOp : Slim_Op<"from_blocked", [Pure]> {
  let summary = "blocked NCHWc -> NHWC layout conversion (and reshape)";
  let description = [{
    Converts a blocked tensor back to dense row-major NHWC. The result may
    have any shape with the same number of elements: the conversion then also
    performs the reshape that follows it (TF-Slim's `spatial_squeeze` of the
    logits), which costs nothing extra.
  }];
  let arguments = (ins Slim_Tensor:$input);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_ParamOp : Slim_Op<"param", [Symbol]> {
  let summary = "a derived parameter buffer computed at load time";
  let description = [{
    Declares one derived parameter (the runtime ABI's `slim_param_desc`), in
    ABI order: `@slim_prepare` writes it with `slim.write_param`, the
    inference function reads it with `slim.read_param`. `name` is for
    diagnostics (scope plus what the buffer holds).
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttrOf<AnyRankedTensor>:$type);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
}

def Slim_ReadParamOp : Slim_Op<"read_param",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the value of a derived parameter";
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Slim_WriteParamOp : Slim_Op<"write_param",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "stores the value of a derived parameter (in @slim_prepare)";
  let arguments = (ins FlatSymbolRefAttr:$name, AnyRankedTensor:$value);
  let assemblyFormat = "$name `,` $value attr-dict `:` type($value)";
}

include "dialects/Slim/IR/SlimSpatialOps.td"
include "dialects/Slim/IR/SlimElementwiseOps.td"
include "dialects/Slim/IR/SlimOps3D.td"

#endif // SLIM_OPS_TD
