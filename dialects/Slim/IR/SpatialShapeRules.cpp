//===- SpatialShapeRules.cpp - Shapes of resize, slices, instance norm ----===//

#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/ShapeRules.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::slim;

namespace {
LogicalResult fail(ShapeErrorFn emitError, const llvm::Twine &message) {
  emitError(message);
  return failure();
}

std::string describe(llvm::ArrayRef<int64_t> shape) {
  return "[" + shapeToString(shape) + "]";
}
} // namespace

LogicalResult mlir::slim::inferResizeShape(llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> size,
                                           llvm::StringRef method,
                                           bool alignCorners,
                                           bool halfPixelCenters, Shape &out,
                                           ShapeErrorFn emitError) {
  if (input.size() != 4)
    return fail(emitError, "resize input must be 4-D (NHWC), got shape " +
                               describe(input));
  if (method != "nearest" && method != "bilinear")
    return fail(emitError,
                "resize method must be 'nearest' or 'bilinear', got '" +
                    method + "'");
  if (size.size() != 2 || size[0] < 1 || size[1] < 1)
    return fail(emitError, "resize size must be two positive integers");
  // TF's ResizeNearestNeighbor and ResizeBilinear reject the combination.
  if (alignCorners && halfPixelCenters)
    return fail(emitError,
                "if half_pixel_centers is True, align_corners must be "
                "False");
  out = {input[0], size[0], size[1], input[3]};
  return success();
}

LogicalResult mlir::slim::inferStridedSliceShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<int64_t> begin,
    llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> count, Shape &out,
    ShapeErrorFn emitError) {
  size_t rank = input.size();
  if (begin.size() != rank || strides.size() != rank || count.size() != rank)
    return fail(emitError, "a slice of a rank-" + llvm::Twine(rank) +
                               " tensor needs " + llvm::Twine(rank) +
                               " begins, strides and sizes");
  for (size_t d = 0; d < rank; ++d) {
    if (strides[d] == 0)
      return fail(emitError, "slice strides must be non-zero");
    if (count[d] < 1)
      return fail(emitError, "the slice of dimension " + llvm::Twine(d) +
                                 " of " + describe(input) +
                                 " is empty (slimc compiles no empty tensors)");
    // The first and the last element read must both be inside the input.
    auto span = ::slim::checked::mul(count[d] - 1, strides[d]);
    auto lastRead = span ? ::slim::checked::add(begin[d], *span) : std::nullopt;
    int64_t last = lastRead.value_or(-1);
    if (begin[d] < 0 || begin[d] >= input[d] || last < 0 || last >= input[d])
      return fail(emitError, "the slice of dimension " + llvm::Twine(d) +
                                 " reads outside the input " + describe(input));
  }
  out.assign(count.begin(), count.end());
  return success();
}

LogicalResult mlir::slim::inferInstanceNormShape(llvm::ArrayRef<int64_t> input,
                                                 llvm::ArrayRef<Shape> params,
                                                 double epsilon, Shape &out,
                                                 ShapeErrorFn emitError) {
  if (input.size() < 2)
    return fail(emitError, "instance_norm input must have rank >= 2 (batch and "
                           "channels), got shape " +
                               describe(input));
  for (const Shape &p : params)
    if (p.size() != 1 || p[0] != input.back())
      return fail(emitError, "parameter of shape " + describe(p) +
                                 " does not match " +
                                 llvm::Twine(input.back()) + " channels");
  if (!(epsilon > 0.0))
    return fail(emitError, "instance_norm epsilon must be positive");
  out.assign(input.begin(), input.end());
  return success();
}

LogicalResult mlir::slim::inferGroupNormShape(
    llvm::ArrayRef<int64_t> input, llvm::ArrayRef<Shape> params, int64_t groups,
    int64_t channelsAxis, llvm::ArrayRef<int64_t> reductionAxes, double epsilon,
    Shape &out, ShapeErrorFn emitError) {
  int64_t rank = input.size();
  // The kernels' loop nests (slim/kernels/group_norm_layout.h) hold 8 axes.
  if (rank < 2 || rank > 8)
    return fail(emitError,
                "input must have rank 2 to 8, got shape " + describe(input));
  if (channelsAxis < 0 || channelsAxis >= rank)
    return fail(emitError, "channels axis " + llvm::Twine(channelsAxis) +
                               " is out of bounds for shape " +
                               describe(input));
  llvm::SmallVector<bool, 8> seen(rank, false);
  for (int64_t a : reductionAxes) {
    if (a < 0 || a >= rank)
      return fail(emitError, "reduction axis " + llvm::Twine(a) +
                                 " is out of bounds for shape " +
                                 describe(input));
    if (a == channelsAxis)
      return fail(emitError, "reduction axes must be mutually "
                             "exclusive with the channels axis " +
                                 llvm::Twine(channelsAxis));
    if (seen[a])
      return fail(emitError, "reduction axis " + llvm::Twine(a) + " repeats");
    seen[a] = true;
  }
  int64_t channels = input[channelsAxis];
  if (groups <= 0 || groups > channels)
    return fail(emitError, "invalid groups " + llvm::Twine(groups) + " for " +
                               llvm::Twine(channels) + " channels");
  if (channels % groups != 0)
    return fail(emitError, llvm::Twine(channels) +
                               " channels is not commensurate with " +
                               llvm::Twine(groups) + " groups");
  for (const Shape &p : params)
    if (p.size() != 1 || p[0] != channels)
      return fail(emitError, "parameter of shape " + describe(p) +
                                 " does not match " + llvm::Twine(channels) +
                                 " channels");
  if (!(epsilon > 0.0))
    return fail(emitError, "epsilon must be positive");
  out.assign(input.begin(), input.end());
  return success();
}

bool mlir::slim::computeTransposePadding(int64_t in, int64_t out,
                                         int64_t kernel, int64_t stride,
                                         bool same, int64_t &before,
                                         int64_t &after) {
  namespace checked = ::slim::checked;
  // The taps of `in` input elements reach (in - 1) * stride + kernel output
  // elements; the forward convolution of the output would pad by the excess.
  auto reach = checked::mul(in - 1, stride);
  reach = reach ? checked::add(*reach, kernel) : std::nullopt;
  auto excess = reach ? checked::sub(*reach, out) : std::nullopt;
  before = after = 0;
  if (!excess)
    return false;
  before = same ? std::max<int64_t>(*excess, 0) / 2 : 0;
  after = *excess - before;
  return true;
}
