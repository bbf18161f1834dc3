//===- ShapeRules.h - Output shapes of slim ops -----------------*- C++ -*-===//
//
// The shape rule of each slim op as a plain function. The frontend calls them
// to report shape errors at the user's source location before it builds an op,
// and the op verifiers call the same functions, so the two can never disagree.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_DIALECT_SHAPERULES_H
#define SLIM_DIALECT_SHAPERULES_H

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <string>

namespace mlir::slim {

using Shape = llvm::SmallVector<int64_t, 4>;

/// Padding TensorFlow uses for SAME: the output has ceil(in / stride) elements
/// and the smaller half of the total padding goes before. False when the
/// arithmetic overflows int64 (a hostile kernel, stride or rate).
bool computeSamePadding(int64_t in, int64_t kernel, int64_t stride,
                        int64_t dilation, int64_t &before, int64_t &after);

/// (kernel - 1) * dilation + 1, the extent of a dilated window; -1 when it
/// does not fit in int64.
int64_t dilatedWindowSize(int64_t kernel, int64_t dilation);

/// Size of one spatial output dimension for a window op with explicit pads;
/// -1 when the padded input is smaller than the (dilated) window, or when
/// the arithmetic overflows int64.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBefore, int64_t padAfter);

/// How a shape rule reports why it fails. Each rule either fills `out` and
/// succeeds without calling `emitError`, or calls it once with a message
/// (lower-case, no period) and fails.
///
/// A message callback rather than MLIR's `function_ref<InFlightDiagnostic()>`
/// (the attribute and type verifiers' idiom) because the rules have two
/// reporters and only one of them speaks MLIR diagnostics: the op verifiers
/// pass opError(op) (VerifierSupport.h), `(void)op->emitOpError(m)`, while
/// the frontend raises a Python exception through Interpreter::error (a
/// try/except in the model file can catch it), prefixed with the TF call
/// (`tf.pad: ...`) and located at the user's file:line:col. Handing both a
/// finished message keeps each caller to one line and the texts identical;
/// an InFlightDiagnostic would make the frontend capture MLIR diagnostics
/// only to turn them back into exceptions.
using ShapeErrorFn = llvm::function_ref<void(const llvm::Twine &)>;

LogicalResult inferConv2DShape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> filter,
                               llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> dilations,
                               llvm::ArrayRef<int64_t> pads, Shape &out,
                               ShapeErrorFn emitError);
LogicalResult inferDepthwiseConv2DShape(llvm::ArrayRef<int64_t> input,
                                        llvm::ArrayRef<int64_t> filter,
                                        llvm::ArrayRef<int64_t> strides,
                                        llvm::ArrayRef<int64_t> dilations,
                                        llvm::ArrayRef<int64_t> pads,
                                        Shape &out, ShapeErrorFn emitError);
LogicalResult inferConv2DTransposeShape(llvm::ArrayRef<int64_t> input,
                                        llvm::ArrayRef<int64_t> filter,
                                        llvm::ArrayRef<int64_t> strides,
                                        llvm::ArrayRef<int64_t> dilations,
                                        llvm::ArrayRef<int64_t> pads,
                                        Shape &out, ShapeErrorFn emitError);
LogicalResult inferPoolShape(llvm::ArrayRef<int64_t> input,
                             llvm::ArrayRef<int64_t> kernel,
                             llvm::ArrayRef<int64_t> strides,
                             llvm::ArrayRef<int64_t> pads, Shape &out,
                             ShapeErrorFn emitError);
LogicalResult inferMatMulShape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> weights, Shape &out,
                               ShapeErrorFn emitError);
LogicalResult inferConcatShape(llvm::ArrayRef<Shape> inputs, int64_t axis,
                               Shape &out, ShapeErrorFn emitError);
/// `mode` is a tf.pad mode in lower case: "constant", "reflect" or
/// "symmetric" (the last two bound each pad by the dimension, as TF does).
LogicalResult inferPadShape(llvm::ArrayRef<int64_t> input,
                            llvm::ArrayRef<int64_t> padding,
                            llvm::StringRef mode, Shape &out,
                            ShapeErrorFn emitError);

// The spatial ops of SlimSpatialOps.td (SpatialShapeRules.cpp).

/// slim.resize of an NHWC `input` to `size` = [height, width] with TF's
/// `method` ("nearest", "bilinear") and sampling attributes.
LogicalResult inferResizeShape(llvm::ArrayRef<int64_t> input,
                               llvm::ArrayRef<int64_t> size,
                               llvm::StringRef method, bool alignCorners,
                               bool halfPixelCenters, Shape &out,
                               ShapeErrorFn emitError);
/// slim.strided_slice: `count[d]` elements from `begin[d]` every
/// `strides[d]` must lie inside `input`.
LogicalResult inferStridedSliceShape(llvm::ArrayRef<int64_t> input,
                                     llvm::ArrayRef<int64_t> begin,
                                     llvm::ArrayRef<int64_t> strides,
                                     llvm::ArrayRef<int64_t> count, Shape &out,
                                     ShapeErrorFn emitError);
/// slim.instance_norm: an NHWC-like input of rank >= 2 whose last axis
/// holds the channels of `params` (beta, gamma; empty when absent).
LogicalResult inferInstanceNormShape(llvm::ArrayRef<int64_t> input,
                                     llvm::ArrayRef<Shape> params,
                                     double epsilon, Shape &out,
                                     ShapeErrorFn emitError);
/// slim.group_norm: `channels_axis` and `reduction_axes` are in [0, rank)
/// (already made non-negative), distinct, and rank <= 8; `groups` divides
/// the channels; `params` (beta, gamma) are [channels].
LogicalResult inferGroupNormShape(llvm::ArrayRef<int64_t> input,
                                  llvm::ArrayRef<Shape> params, int64_t groups,
                                  int64_t channelsAxis,
                                  llvm::ArrayRef<int64_t> reductionAxes,
                                  double epsilon, Shape &out,
                                  ShapeErrorFn emitError);

/// The pads of the forward convolution that a TF conv2d_transpose of an
/// `in`-element dimension into `out` elements inverts (TF's
/// conv2d_backprop_input): SAME puts the smaller half of the overlap
/// before; an output longer than the taps reach (kernel < stride, or a
/// VALID output_shape with a remainder) gives a negative `after`. False
/// when the arithmetic overflows int64.
bool computeTransposePadding(int64_t in, int64_t out, int64_t kernel,
                             int64_t stride, bool same, int64_t &before,
                             int64_t &after);

/// Blocks of `vectorWidth` channels that hold `channels` channels.
int64_t numChannelBlocks(int64_t channels, int64_t vectorWidth);

/// Floats of a filter packed by `slim.pack_filter` of the given kind
/// (`conv2d`, `depthwise`, `fc`, `fc_blocked`) for a filter of TF-Slim shape
/// `filter`; -1 for an unknown kind or a filter of the wrong rank. The sizes
/// are the contract the runtime's `slim/kernels/pack.h` fills
/// (runtime/include/slim/contract.h).
int64_t packedFilterSize(llvm::StringRef kind, llvm::ArrayRef<int64_t> filter,
                         int64_t vectorWidth);

/// Number of elements, or -1 on overflow past 2^62.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// "1x224x224x3", the spelling used in messages.
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::slim

#endif // SLIM_DIALECT_SHAPERULES_H
