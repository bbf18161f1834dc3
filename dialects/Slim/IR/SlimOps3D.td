//===- SlimOps3D.td - Video (5-D) ops of the slim dialect -*- tablegen -*-===//
//
// The ops of video nets (I3D, S3D-G): 3-D convolution and pooling over
// NDHWC activations ([batch, time, height, width, channels]) with DHWIO
// filters, and the fused convolution. Included by SlimOps.td.
//
// The blocked layout of a 5-D activation is "ndChw8c" (or 16c):
// [N][D][C/V][H][W][V], i.e. the 4-D "nChw8c" layout of the N*D frames. Every
// op that works frame by frame (1x1x1 and 1xkxk convolutions, bias, batch
// norm, activations, channel concat) therefore runs the 4-D kernels on a
// batch of N*D frames.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_OPS_3D_TD
#define SLIM_OPS_3D_TD

//===----------------------------------------------------------------------===//
// Layer ops
//===----------------------------------------------------------------------===//

def Slim_Conv3DOp : Slim_SpatialOp<"conv3d"> {
  let summary = "3-D convolution, NDHWC input and DHWIO filter";
  let description = [{
    `tf.nn.conv3d` (what `slim.conv3d` computes) with `strides = [sd, sh,
    sw]`, `dilations = [dd, dh, dw]` (TF-Slim's `rate`) and explicit zero
    padding `pads = [front, back, top, bottom, left, right]` (the frontend
    resolves SAME and VALID). No bias, no activation: those are separate ops
    until the fusion pass merges them.

    ```mlir
    %y = slim.conv3d %x, %w {dilations = array<i64: 1, 1, 1>,
        pads = array<i64: 1, 1, 1, 1, 1, 1>, scope = "Conv",
        strides = array<i64: 1, 1, 1>}
        : (tensor<1x8x16x16x3xf32>, tensor<3x3x3x3x8xf32>)
        -> tensor<1x8x16x16x8xf32>
    ```
  }];
  let arguments = (ins Slim_Tensor
                   : $input, Slim_Tensor
                   : $filter, DenseI64ArrayAttr
                   : $strides, DenseI64ArrayAttr
                   : $dilations, DenseI64ArrayAttr
                   : $pads, StrAttr
                   : $scope);
  let results = (outs Slim_Tensor : $output);
  let assemblyFormat = [{
    $input `,` $filter attr-dict `:` `(` type($input) `,` type($filter) `)` `->` type($output)
  }];
}

class Slim_Pool3DOp<string mnemonic, string what> : Slim_SpatialOp<mnemonic> {
  let summary = what #" pooling over D, H and W of an NDHWC tensor";
  let arguments = (ins Slim_Tensor
                   : $input, DenseI64ArrayAttr
                   : $kernel, DenseI64ArrayAttr
                   : $strides, DenseI64ArrayAttr
                   : $pads, StrAttr
                   : $scope);
  let results = (outs Slim_Tensor : $output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Slim_MaxPool3DOp : Slim_Pool3DOp<"max_pool3d", "max"> {
  let description = [{
    `slim.max_pool3d` / `tf.nn.max_pool3d`: `kernel = [kd, kh, kw]`,
    `strides`, `pads = [front, back, top, bottom, left, right]`;
    padded positions never win.
  }];
}

def Slim_AvgPool3DOp : Slim_Pool3DOp<"avg_pool3d", "average"> {
  let description = [{
    `slim.avg_pool3d` / `tf.nn.avg_pool3d`;
    as in TensorFlow,
        each output divides by the number of window elements inside the input(
            padding is not counted)
            .
  }];
}

//===----------------------------------------------------------------------===//
// Ops introduced by the optimization passes
//===----------------------------------------------------------------------===//

def Slim_FusedConv3DOp : Slim_FusedOp<"fused_conv3d"> {
  let summary = "conv3d + bias + residual add + activation";
  let description = [{
    `act(conv3d(input, filter) + bias + residual)`, as `fused_conv2d` for a
    5-D input. `kernel = [kd, kh, kw]` keeps the window size once the filter
    is packed (`conv3d` packing: [OCb][kd][ICb][kh][kw][ic][oc], see
    `packConv3dWeights`; a 1x1x1-deep layer over a whole 1-frame map may be
    packed `fc_blocked` like the 2-D one).
  }];
  let arguments = (ins Slim_Tensor:$input, Slim_Tensor:$filter,
    Optional<Slim_Tensor>:$bias, Optional<Slim_Tensor>:$residual,
    DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
    DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
    StrAttr:$activation, StrAttr:$scope,
    OptionalAttr<StrAttr>:$packing, OptionalAttr<I64Attr>:$vector_width);
  let results = (outs Slim_Tensor : $output);
}

#endif // SLIM_OPS_3D_TD
