//===- SlimSpatialOps.td - Resizing, slicing, transposed conv -*- tablegen -*-===//
//
// The spatial ops image-to-image nets (DCGAN, pix2pix, CycleGAN) and NASNet's
// factorized reduction use besides the classifier layers: image resizing,
// strided slicing, instance normalization and the fused form of the
// transposed convolution. Included by SlimOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_SPATIAL_OPS_TD
#define SLIM_SPATIAL_OPS_TD

//===----------------------------------------------------------------------===//
// Layer ops
//===----------------------------------------------------------------------===//

def Slim_ResizeOp : Slim_Op<"resize", [Pure]> {
  let summary = "resizes the H and W of an NHWC tensor";
  let description = [{
    TF's `ResizeNearestNeighbor` and `ResizeBilinear` kernels, which every
    `tf.image.resize*` call lowers to. The output size is the result type's
    H and W. `method` is `nearest` or `bilinear`; `align_corners` and
    `half_pixel_centers` are the kernels' attributes with TF's meaning (the
    frontend resolves the TF 1 and TF 2 APIs' defaults into them), and they
    are never both true.

    ```mlir
    %y = slim.resize %x {method = "bilinear", align_corners = false,
                         half_pixel_centers = true, scope = "up"}
        : tensor<1x8x8x3xf32> -> tensor<1x16x16x3xf32>
    ```
  }];
  let arguments = (ins Slim_Tensor:$input, StrAttr:$method,
    BoolAttr:$align_corners, BoolAttr:$half_pixel_centers, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_StridedSliceOp : Slim_Op<"strided_slice", [Pure]> {
  let summary = "every `strides[d]`-th element from `begin[d]`, per dimension";
  let description = [{
    The core of tensor indexing (`t[:, 1:, ::2, ...]`), `tf.slice` and
    `tf.strided_slice`: output element `i` along dimension `d` is input
    element `begin[d] + i * strides[d]`, for as many elements as the result
    type has. Negative strides walk backwards. The frontend resolves Python's
    and TF's index rules (negative indices, clamping, ellipsis) into this
    form; dropped and new axes are a `slim.reshape` of the result.
  }];
  let arguments = (ins Slim_Tensor:$input, DenseI64ArrayAttr:$begin,
    DenseI64ArrayAttr:$strides, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Slim_InstanceNormOp : Slim_Op<"instance_norm", [Pure,
    AttrSizedOperandSegments, AllTypesMatch<["input", "output"]>]> {
  let summary = "normalization over the spatial axes of each image and channel";
  let description = [{
    `slim.instance_norm` (TF-Slim's `layers.instance_norm`, NHWC): for each
    image n and channel c, with mean and (biased) variance over every axis
    between the first and the last,
    `(x - mean) / sqrt(variance + epsilon) * gamma + beta`; `beta` and
    `gamma` are absent when `center` / `scale` are false.
  }];
  let arguments = (ins Slim_Tensor:$input, Optional<Slim_Tensor>:$beta,
    Optional<Slim_Tensor>:$gamma, F32Attr:$epsilon, StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`gamma` `(` $gamma^ `:` type($gamma) `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def Slim_GroupNormOp : Slim_Op<"group_norm", [Pure,
    AttrSizedOperandSegments, AllTypesMatch<["input", "output"]>]> {
  let summary = "normalization over groups of channels";
  let description = [{
    `slim.group_norm` (TF-Slim's `layers.group_norm`): the channels of axis
    `channels_axis` split into `groups` groups of consecutive channels; for
    each index of the axes that are neither `reduction_axes` nor the channel
    axis and each group, mean and (biased) variance over the reduction axes
    and the group's channels, then
    `(x - mean) / sqrt(variance + epsilon) * gamma + beta`. `one_pass`
    (TF-Slim's `mean_close_to_zero`) takes the variance as
    `E[x^2] - mean^2`. Axes are non-negative; `beta` and `gamma` are
    [channels] and absent when `center` / `scale` are false.
  }];
  let arguments = (ins Slim_Tensor:$input, Optional<Slim_Tensor>:$beta,
    Optional<Slim_Tensor>:$gamma, I64Attr:$groups, I64Attr:$channels_axis,
    DenseI64ArrayAttr:$reduction_axes, F32Attr:$epsilon, BoolAttr:$one_pass,
    StrAttr:$scope);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`gamma` `(` $gamma^ `:` type($gamma) `)`)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Ops introduced by the optimization passes
//===----------------------------------------------------------------------===//

def Slim_FusedConv2DTransposeOp : Slim_Op<"fused_conv2d_transpose",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "conv2d_transpose + bias + per-channel affine + activation";
  let description = [{
    `act((conv2d_transpose(input, filter) + bias) * scale + shift)`, what
    `slim-fuse` makes of a transposed convolution and the bias, inference
    batch norm (`channel_affine`) and activation after it. The affine stays
    in the epilogue rather than being folded into the weights: the output
    channel axis of the [kh, kw, Cout, Cin] filter is not its last axis.
    `kernel = [kh, kw]`; `pads` as in `slim.conv2d_transpose`. The filter is
    TF-Slim's until slim-pack-weights packs it (`packing =
    "conv2d_transpose"`, for the blocked CPU kernel).
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    Optional<Slim_Tensor>:$bias, Optional<Slim_Tensor>:$scale,
    Optional<Slim_Tensor>:$shift, DenseI64ArrayAttr:$kernel,
    DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
    StrAttr:$activation, StrAttr:$scope,
    OptionalAttr<StrAttr>:$packing, OptionalAttr<I64Attr>:$vector_width);
  let results = (outs Slim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $filter (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`shift` `(` $shift^ `:` type($shift) `)`)?
    attr-dict `:` `(` type($input) `,` type($filter) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // SLIM_SPATIAL_OPS_TD
