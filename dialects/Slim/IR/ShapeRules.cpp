//===- ShapeRules.cpp - Output shapes of slim ops -------------------------===//

#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/CheckedInt.h"

#include "slim/contract.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;
using namespace mlir::slim;

namespace {
std::string describe(llvm::ArrayRef<int64_t> shape) {
  return "[" + shapeToString(shape) + "]";
}

LogicalResult fail(ShapeErrorFn emitError, const llvm::Twine &message) {
  emitError(message);
  return failure();
}

/// Checks the attributes every 2-D window op shares.
LogicalResult checkWindowAttrs(llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> dilations,
                               llvm::ArrayRef<int64_t> pads,
                               ShapeErrorFn emitError) {
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return fail(emitError, "strides must be two positive integers");
  if (dilations.size() != 2 || dilations[0] < 1 || dilations[1] < 1)
    return fail(emitError, "dilation rates must be two positive integers");
  if (pads.size() != 4 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return fail(emitError, "pads must be four non-negative integers");
  return success();
}

LogicalResult spatialOutput(llvm::ArrayRef<int64_t> input, int64_t kh,
                            int64_t kw, llvm::ArrayRef<int64_t> strides,
                            llvm::ArrayRef<int64_t> dilations,
                            llvm::ArrayRef<int64_t> pads, int64_t &oh,
                            int64_t &ow, ShapeErrorFn emitError) {
  if (dilatedWindowSize(kh, dilations[0]) < 0 ||
      dilatedWindowSize(kw, dilations[1]) < 0)
    return fail(emitError, "integer overflow: the " + llvm::Twine(kh) + "x" +
                               llvm::Twine(kw) + " window at rates " +
                               llvm::Twine(dilations[0]) + "x" +
                               llvm::Twine(dilations[1]) +
                               " spans more elements than fit in int64");
  oh = windowOutputSize(input[1], kh, strides[0], dilations[0], pads[0],
                        pads[1]);
  ow = windowOutputSize(input[2], kw, strides[1], dilations[1], pads[2],
                        pads[3]);
  if (oh < 1 || ow < 1)
    return fail(emitError,
                "the " + llvm::Twine(kh) + "x" + llvm::Twine(kw) +
                    " window does not fit in the " + llvm::Twine(input[1]) +
                    "x" + llvm::Twine(input[2]) + " input (after padding)");
  return success();
}
} // namespace

int64_t mlir::slim::numElements(llvm::ArrayRef<int64_t> shape) {
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return -1;
  return ::slim::checked::product(shape).value_or(-1);
}

std::string mlir::slim::shapeToString(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

bool mlir::slim::computeSamePadding(int64_t in, int64_t kernel, int64_t stride,
                                    int64_t dilation, int64_t &before,
                                    int64_t &after) {
  namespace checked = ::slim::checked;
  before = after = 0;
  int64_t effective = dilatedWindowSize(kernel, dilation);
  // out = ceil(in / stride); total = (out - 1) * stride + effective - in.
  auto out = checked::add(in, stride - 1);
  if (effective < 0 || !out || stride < 1)
    return false;
  auto covered = checked::mul(*out / stride - 1, stride);
  auto reach = covered ? checked::add(*covered, effective) : std::nullopt;
  auto total = reach ? checked::sub(*reach, in) : std::nullopt;
  if (!total)
    return false;
  before = std::max<int64_t>(*total, 0) / 2;
  after = std::max<int64_t>(*total, 0) - before;
  return true;
}

int64_t mlir::slim::dilatedWindowSize(int64_t kernel, int64_t dilation) {
  auto span = ::slim::checked::mul(kernel - 1, dilation);
  auto size = span ? ::slim::checked::add(*span, 1) : std::nullopt;
  return size.value_or(-1);
}

int64_t mlir::slim::windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                     int64_t dilation, int64_t padBefore,
                                     int64_t padAfter) {
  namespace checked = ::slim::checked;
  if (kernel < 1 || stride < 1)
    return -1;
  int64_t effective = dilatedWindowSize(kernel, dilation);
  auto padded = checked::add(in, padBefore);
  padded = padded ? checked::add(*padded, padAfter) : std::nullopt;
  if (effective < 0 || !padded || *padded < effective)
    return -1;
  return (*padded - effective) / stride + 1;
}

LogicalResult mlir::slim::inferConv2DShape(llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> filter,
                                           llvm::ArrayRef<int64_t> strides,
                                           llvm::ArrayRef<int64_t> dilations,
                                           llvm::ArrayRef<int64_t> pads,
                                           Shape &out, ShapeErrorFn emitError) {
  if (input.size() != 4)
    return fail(emitError, "convolution input must be 4-D (NHWC), got shape " +
                               describe(input));
  if (filter.size() != 4)
    return fail(emitError, "convolution filter must be 4-D (HWIO), got shape " +
                               describe(filter));
  if (failed(checkWindowAttrs(strides, dilations, pads, emitError)))
    return failure();
  if (filter[2] != input[3])
    return fail(emitError, "filter expects " + llvm::Twine(filter[2]) +
                               " input channels but the input has " +
                               llvm::Twine(input[3]));
  int64_t oh, ow;
  if (failed(spatialOutput(input, filter[0], filter[1], strides, dilations,
                           pads, oh, ow, emitError)))
    return failure();
  out = {input[0], oh, ow, filter[3]};
  return success();
}

LogicalResult mlir::slim::inferDepthwiseConv2DShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> filter,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
    llvm::ArrayRef<int64_t> pads, Shape &out, ShapeErrorFn emitError) {
  if (input.size() != 4)
    return fail(emitError,
                "depthwise convolution input must be 4-D (NHWC), got shape " +
                    describe(input));
  if (filter.size() != 4)
    return fail(emitError,
                "depthwise filter must be 4-D [kh, kw, C, multiplier], "
                "got shape " +
                    describe(filter));
  if (failed(checkWindowAttrs(strides, dilations, pads, emitError)))
    return failure();
  if (filter[2] != input[3])
    return fail(emitError, "depthwise filter expects " +
                               llvm::Twine(filter[2]) +
                               " input channels but the input has " +
                               llvm::Twine(input[3]));
  int64_t oh, ow;
  if (failed(spatialOutput(input, filter[0], filter[1], strides, dilations,
                           pads, oh, ow, emitError)))
    return failure();
  auto channels = ::slim::checked::mul(filter[2], filter[3]);
  if (!channels)
    return fail(emitError, "integer overflow: " + llvm::Twine(filter[2]) +
                               " channels times depth multiplier " +
                               llvm::Twine(filter[3]));
  out = {input[0], oh, ow, *channels};
  return success();
}

LogicalResult mlir::slim::inferConv2DTransposeShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> filter,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dilations,
    llvm::ArrayRef<int64_t> pads, Shape &out, ShapeErrorFn emitError) {
  if (input.size() != 4 || filter.size() != 4)
    return fail(emitError, "transposed convolution needs a 4-D input and a 4-D "
                           "filter, got " +
                               describe(input) + " and " + describe(filter));
  // Pads may be negative here: an output longer than the taps reach has
  // rows no input contributes to (see computeTransposePadding).
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return fail(emitError, "strides must be two positive integers");
  if (dilations.size() != 2 || dilations[0] != 1 || dilations[1] != 1)
    return fail(emitError, "transposed convolution does not support dilation");
  if (pads.size() != 4)
    return fail(emitError, "pads must be four integers");
  if (filter[3] != input[3])
    return fail(emitError, "transposed filter expects " +
                               llvm::Twine(filter[3]) +
                               " input channels but the input has " +
                               llvm::Twine(input[3]));
  // (in - 1) * stride + kernel - padBefore - padAfter, checked.
  auto transposedSize = [](int64_t in, int64_t stride, int64_t kernel,
                           int64_t before, int64_t after) -> int64_t {
    namespace checked = ::slim::checked;
    auto r = checked::mul(in - 1, stride);
    r = r ? checked::add(*r, kernel) : std::nullopt;
    r = r ? checked::sub(*r, before) : std::nullopt;
    r = r ? checked::sub(*r, after) : std::nullopt;
    return r.value_or(-1);
  };
  int64_t oh =
      transposedSize(input[1], strides[0], filter[0], pads[0], pads[1]);
  int64_t ow =
      transposedSize(input[2], strides[1], filter[1], pads[2], pads[3]);
  if (oh == -1 || ow == -1)
    return fail(emitError, "integer overflow in the transposed convolution's "
                           "output size");
  if (oh < 1 || ow < 1)
    return fail(emitError, "transposed convolution output would be empty");
  out = {input[0], oh, ow, filter[2]};
  return success();
}

LogicalResult mlir::slim::inferPoolShape(llvm::ArrayRef<int64_t> input,
                                         llvm::ArrayRef<int64_t> kernel,
                                         llvm::ArrayRef<int64_t> strides,
                                         llvm::ArrayRef<int64_t> pads,
                                         Shape &out, ShapeErrorFn emitError) {
  if (input.size() != 4)
    return fail(emitError, "pooling input must be 4-D (NHWC), got shape " +
                               describe(input));
  if (kernel.size() != 2 || kernel[0] < 1 || kernel[1] < 1)
    return fail(emitError, "pooling kernel must be two positive integers");
  int64_t ones[2] = {1, 1};
  if (failed(checkWindowAttrs(strides, ones, pads, emitError)))
    return failure();
  // A window made only of padding would have no valid element.
  if (pads[0] >= kernel[0] || pads[1] >= kernel[0] || pads[2] >= kernel[1] ||
      pads[3] >= kernel[1])
    return fail(emitError, "pooling padding must be smaller than the window");
  int64_t oh, ow;
  if (failed(spatialOutput(input, kernel[0], kernel[1], strides, ones, pads, oh,
                           ow, emitError)))
    return failure();
  out = {input[0], oh, ow, input[3]};
  return success();
}

LogicalResult mlir::slim::inferMatMulShape(llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> weights,
                                           Shape &out, ShapeErrorFn emitError) {
  if (input.size() < 2)
    return fail(emitError,
                "fully_connected input must have rank >= 2, got shape " +
                    describe(input));
  if (weights.size() != 2)
    return fail(emitError, "fully_connected weights must be 2-D, got shape " +
                               describe(weights));
  if (weights[0] != input.back())
    return fail(emitError,
                "weights expect " + llvm::Twine(weights[0]) +
                    " input features but the input's last axis has " +
                    llvm::Twine(input.back()));
  out.assign(input.begin(), input.end());
  out.back() = weights[1];
  return success();
}

LogicalResult mlir::slim::inferConcatShape(llvm::ArrayRef<Shape> inputs,
                                           int64_t axis, Shape &out,
                                           ShapeErrorFn emitError) {
  if (inputs.empty())
    return fail(emitError, "concat needs at least one tensor");
  int64_t rank = inputs.front().size();
  if (axis < -rank || axis >= rank)
    return fail(emitError, "concat axis " + llvm::Twine(axis) +
                               " is out of range for rank " +
                               llvm::Twine(rank));
  if (axis < 0)
    axis += rank;
  out = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape &s = inputs[i];
    if (int64_t(s.size()) != rank)
      return fail(emitError, "concat inputs have different ranks: " +
                                 describe(inputs.front()) + " and " +
                                 describe(s));
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      if (s[d] != out[d])
        return fail(emitError, "concat inputs " + describe(inputs.front()) +
                                   " and " + describe(s) +
                                   " differ in dimension " + llvm::Twine(d));
    }
    auto joined = ::slim::checked::add(out[axis], s[axis]);
    if (!joined)
      return fail(emitError,
                  "integer overflow: the concatenation's dimension " +
                      llvm::Twine(axis) + " does not fit in int64");
    out[axis] = *joined;
  }
  return success();
}

LogicalResult mlir::slim::inferPadShape(llvm::ArrayRef<int64_t> input,
                                        llvm::ArrayRef<int64_t> padding,
                                        llvm::StringRef mode, Shape &out,
                                        ShapeErrorFn emitError) {
  if (padding.size() != 2 * input.size())
    return fail(emitError,
                "padding needs a [before, after] pair for each of the " +
                    llvm::Twine(input.size()) + " dimensions");
  bool reflect = mode == "reflect", symmetric = mode == "symmetric";
  if (!reflect && !symmetric && mode != "constant")
    return fail(emitError, "pad mode must be 'constant', 'reflect' or "
                           "'symmetric', got '" +
                               mode + "'");
  out.assign(input.begin(), input.end());
  for (size_t d = 0; d < input.size(); ++d) {
    int64_t before = padding[2 * d], after = padding[2 * d + 1];
    if (before < 0 || after < 0)
      return fail(emitError, "padding must be non-negative");
    // TF's MirrorPad bounds (and its wording): a reflection never repeats
    // the edge, so it has one element fewer to mirror.
    if (reflect && (before >= input[d] || after >= input[d]))
      return fail(emitError,
                  "paddings must be less than the dimension size: " +
                      llvm::Twine(before) + ", " + llvm::Twine(after) +
                      " not less than " + llvm::Twine(input[d]) +
                      " (REFLECT, dimension " + llvm::Twine(d) + ")");
    if (symmetric && (before > input[d] || after > input[d]))
      return fail(emitError,
                  "paddings must be no greater than the dimension size: " +
                      llvm::Twine(before) + ", " + llvm::Twine(after) +
                      " greater than " + llvm::Twine(input[d]) +
                      " (SYMMETRIC, dimension " + llvm::Twine(d) + ")");
    auto padded = ::slim::checked::add(out[d], before);
    padded = padded ? ::slim::checked::add(*padded, after) : std::nullopt;
    if (!padded)
      return fail(emitError, "integer overflow: padding dimension " +
                                 llvm::Twine(d) + " of " + describe(input) +
                                 " by " + llvm::Twine(before) + " and " +
                                 llvm::Twine(after));
    out[d] = *padded;
  }
  return success();
}

int64_t mlir::slim::numChannelBlocks(int64_t channels, int64_t vectorWidth) {
  return ::slim::contract::numBlocks(channels, vectorWidth);
}

int64_t mlir::slim::packedFilterSize(llvm::StringRef kind,
                                     llvm::ArrayRef<int64_t> filter,
                                     int64_t vectorWidth) {
  using ::slim::contract::PackKind;
  std::optional<PackKind> packKind =
      llvm::StringSwitch<std::optional<PackKind>>(kind)
          .Case("conv2d", PackKind::Conv2D)
          .Case("depthwise", PackKind::Depthwise)
          .Case("fc", PackKind::FullyConnected)
          .Case("fc_blocked", PackKind::FullyConnectedBlocked)
          .Case("conv2d_transpose", PackKind::Conv2DTranspose)
          .Case("conv3d", PackKind::Conv3D)
          .Default(std::nullopt);
  if (!packKind)
    return -1;
  return ::slim::contract::packedFilterSize(
      *packKind, filter.data(), static_cast<int>(filter.size()), vectorWidth);
}
