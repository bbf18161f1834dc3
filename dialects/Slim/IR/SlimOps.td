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

include "mlir/IR/OpBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

def Slim_Dialect : Dialect {
  let name = "slim";
  let summary = "TF-Slim models: variables as symbols and layer-level tensor ops";
  let description = [{
    The `slim` dialect is what the slimc frontend produces from a TF-Slim model
    file, and what its optimization passes rewrite. Variables are module-level
    symbols carrying everything TF-Slim records about them (name, shape,
    initializer, regularizer, collection, device, trainability); the graph reads
    them with `slim.read_variable`. Activations are NHWC float32 tensors, as in
    TF-Slim. Every layer op carries the `scope` TF-Slim's name scopes gave it.
  }];
  let cppNamespace = "::mlir::slim";
}

class Slim_Op<string mnemonic, list<Trait> traits = []>
    : Op<Slim_Dialect, mnemonic, traits>;

def Slim_Tensor : RankedTensorOf<[F32]>;

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
    `is_training = true` it uses the statistics of the batch itself.
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$moving_mean,
    Slim_Tensor:$moving_variance, Optional<Slim_Tensor>:$beta,
    Optional<Slim_Tensor>:$gamma, F32Attr:$epsilon, BoolAttr:$is_training,
    StrAttr:$scope);
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
    `kind` is one of `relu`, `relu6`, `sigmoid`, `tanh`, `elu`, `softplus`.
  }];
  let arguments = (ins Slim_Tensor:$input, StrAttr:$kind, StrAttr:$scope);
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

def Slim_ReduceMeanOp : Slim_Op<"reduce_mean", [Pure]> {
  let summary = "mean over a set of axes";
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keep_dims,
    StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_PadOp : Slim_Op<"pad", [Pure]> {
  let summary = "zero padding, [before, after] per dimension";
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$padding, StrAttr:$scope);
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

#endif // SLIM_OPS_TD
