//===- ShapeRules3D.cpp - Output shapes of the 5-D slim ops ---------------===//

#include "dialects/Slim/IR/ShapeRules3D.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

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

/// Checks the attributes every 3-D window op shares.
LogicalResult checkWindowAttrs3D(llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> dilations,
                                 llvm::ArrayRef<int64_t> pads,
                                 ShapeErrorFn emitError) {
  auto positive = [](llvm::ArrayRef<int64_t> v) {
    return v.size() == 3 && llvm::all_of(v, [](int64_t x) { return x >= 1; });
  };
  if (!positive(strides))
    return fail(emitError, "strides must be three positive integers");
  if (!positive(dilations))
    return fail(emitError, "dilation rates must be three positive integers");
  if (pads.size() != 6 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return fail(emitError, "pads must be six non-negative integers");
  return success();
}

/// D, H and W of the output of a [kd, kh, kw] window over an NDHWC input.
LogicalResult volumeOutput(llvm::ArrayRef<int64_t> input,
                           llvm::ArrayRef<int64_t> kernel,
                           llvm::ArrayRef<int64_t> strides,
                           llvm::ArrayRef<int64_t> dilations,
                           llvm::ArrayRef<int64_t> pads, int64_t out[3],
                           ShapeErrorFn emitError) {
  for (int d = 0; d < 3; ++d)
    out[d] = windowOutputSize(input[1 + d], kernel[d], strides[d], dilations[d],
                              pads[2 * d], pads[2 * d + 1]);
  if (out[0] < 1 || out[1] < 1 || out[2] < 1)
    return fail(emitError,
                "the " + llvm::Twine(kernel[0]) + "x" + llvm::Twine(kernel[1]) +
                    "x" + llvm::Twine(kernel[2]) +
                    " window does not fit in the " + llvm::Twine(input[1]) +
                    "x" + llvm::Twine(input[2]) + "x" + llvm::Twine(input[3]) +
                    " input (after padding)");
  return success();
}
} // namespace

LogicalResult mlir::slim::inferConv3DShape(llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> filter,
                                           llvm::ArrayRef<int64_t> strides,
                                           llvm::ArrayRef<int64_t> dilations,
                                           llvm::ArrayRef<int64_t> pads,
                                           Shape &out, ShapeErrorFn emitError) {
  if (input.size() != 5)
    return fail(emitError,
                "3-D convolution input must be 5-D (NDHWC), got shape " +
                    describe(input));
  if (filter.size() != 5)
    return fail(emitError,
                "3-D convolution filter must be 5-D (DHWIO), got shape " +
                    describe(filter));
  if (failed(checkWindowAttrs3D(strides, dilations, pads, emitError)))
    return failure();
  if (filter[3] != input[4])
    return fail(emitError, "filter expects " + llvm::Twine(filter[3]) +
                               " input channels but the input has " +
                               llvm::Twine(input[4]));
  int64_t o[3];
  if (failed(volumeOutput(input, filter.take_front(3), strides, dilations, pads,
                          o, emitError)))
    return failure();
  out = {input[0], o[0], o[1], o[2], filter[4]};
  return success();
}

LogicalResult mlir::slim::inferPool3DShape(llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> kernel,
                                           llvm::ArrayRef<int64_t> strides,
                                           llvm::ArrayRef<int64_t> pads,
                                           Shape &out, ShapeErrorFn emitError) {
  if (input.size() != 5)
    return fail(emitError, "3-D pooling input must be 5-D (NDHWC), got shape " +
                               describe(input));
  if (kernel.size() != 3 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return fail(emitError, "pooling kernel must be three positive integers");
  int64_t ones[3] = {1, 1, 1};
  if (failed(checkWindowAttrs3D(strides, ones, pads, emitError)))
    return failure();
  // A window made only of padding would have no valid element.
  for (int d = 0; d < 3; ++d)
    if (pads[2 * d] >= kernel[d] || pads[2 * d + 1] >= kernel[d])
      return fail(emitError, "pooling padding must be smaller than the window");
  int64_t o[3];
  if (failed(volumeOutput(input, kernel, strides, ones, pads, o, emitError)))
    return failure();
  out = {input[0], o[0], o[1], o[2], input[4]};
  return success();
}
