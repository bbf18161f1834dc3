//===- ElementwiseShapeRules.cpp - Shapes of SlimElementwiseOps.td --------===//

#include "dialects/Slim/IR/ElementwiseShapeRules.h"
#include "dialects/Slim/IR/CheckedInt.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>

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
} // namespace

LogicalResult mlir::slim::inferReduceShape(llvm::ArrayRef<int64_t> input,
                                           llvm::ArrayRef<int64_t> axes,
                                           bool keepDims, Shape &out,
                                           ShapeErrorFn emitError) {
  int64_t rank = input.size();
  llvm::SmallVector<bool, 4> reduced(rank, false);
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (a < 0 || a >= rank)
      return fail(emitError, "reduction axis " + llvm::Twine(a) +
                                 " is out of range for rank " +
                                 llvm::Twine(rank));
    if (i > 0 && a <= axes[i - 1])
      return fail(emitError, "reduction axes must be distinct and increasing");
    reduced[a] = true;
  }
  out.clear();
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d])
      out.push_back(input[d]);
    else if (keepDims)
      out.push_back(1);
  }
  return success();
}

LogicalResult mlir::slim::inferBroadcastShape(llvm::ArrayRef<int64_t> lhs,
                                              llvm::ArrayRef<int64_t> rhs,
                                              Shape &out,
                                              ShapeErrorFn emitError) {
  size_t rank = std::max(lhs.size(), rhs.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Aligned at the last axis: missing leading axes count as 1.
    int64_t a = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t b = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (a != b && a != 1 && b != 1)
      return fail(emitError,
                  "shapes " + describe(lhs) + " and " + describe(rhs) +
                      " do not broadcast (dimension " + llvm::Twine(a) +
                      " against " + llvm::Twine(b) + ")");
    out[rank - 1 - i] = a == 1 ? b : a;
  }
  return success();
}

LogicalResult mlir::slim::checkLrn(llvm::ArrayRef<int64_t> input,
                                   int64_t depthRadius,
                                   ShapeErrorFn emitError) {
  if (input.size() != 4)
    return fail(emitError,
                "input must be 4-D (NHWC), got shape " + describe(input));
  if (depthRadius < 0)
    return fail(emitError, "depth_radius must be non-negative, got " +
                               llvm::Twine(depthRadius));
  return success();
}

bool mlir::slim::isBinaryKind(llvm::StringRef kind) {
  return llvm::is_contained({"add", "sub", "mul", "div", "max", "min"}, kind);
}

LogicalResult mlir::slim::inferTileShape(llvm::ArrayRef<int64_t> input,
                                         llvm::ArrayRef<int64_t> multiples,
                                         Shape &out, ShapeErrorFn emitError) {
  if (multiples.size() != input.size())
    return fail(emitError, "multiples has " + llvm::Twine(multiples.size()) +
                               " entries for a tensor of rank " +
                               llvm::Twine(input.size()));
  out.assign(input.begin(), input.end());
  for (auto [d, m] : llvm::enumerate(multiples)) {
    if (m < 1)
      return fail(emitError,
                  "multiples must be positive, got " + llvm::Twine(m));
    auto tiled = ::slim::checked::mul(out[d], m);
    if (!tiled)
      return fail(emitError,
                  "the tiled tensor has more elements than fit in int64");
    out[d] = *tiled;
  }
  if (numElements(out) < 0)
    return fail(emitError,
                "the tiled tensor has more elements than fit in int64");
  return success();
}
