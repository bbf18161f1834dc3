//===- TensorShape.h - tf.TensorShape and tf.Dimension ----------*- C++ -*-===//
//
// A TensorShape is a tuple of dimensions marked as a shape, so that indexing,
// unpacking, `len` and `for` work as on a tuple; it also answers
// TensorShape's methods (`as_list`, `with_rank`, `merge_with`, ...). A known
// dimension is an int marked as a Dimension: arithmetic and comparisons treat
// it as the int (TF 2's `shape[i]`), and `.value` and Dimension's methods
// work as in TF 1, where the TF-Slim nets were written. An unknown dimension
// is None. Shapes of tensors are always fully defined (the batch takes
// --batch); only `tf.TensorShape([None, ...])` has unknown dimensions.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_TENSORSHAPE_H
#define SLIM_FRONTEND_BUILTINS_TENSORSHAPE_H

#include "frontend/Interpreter.h"

#include <optional>

namespace slim {

bool isTensorShape(const Object &o);
bool isDimension(const Object &o);
/// A TensorShape of known dimensions (a tensor's shape).
Ref makeTensorShape(llvm::ArrayRef<int64_t> dims);
/// A TensorShape of `dims`, each an int (made a Dimension) or None.
Ref makeTensorShapeOf(std::vector<Ref> dims);
/// Whether `name` is a method of TensorShape or Dimension, so that attribute
/// lookup can bind it.
bool isShapeMethod(llvm::StringRef name);
/// `self.name(...)` for a TensorShape or Dimension `self`; std::nullopt when
/// `self` is neither or has no such method (null after an error).
std::optional<Ref> callShapeMethod(Interpreter &interp, const Ref &self,
                                   llvm::StringRef name, CallArgs &args);
/// `self.name` for the properties (`ndims`, `rank`, `dims`, `value`);
/// std::nullopt when it is none of them.
std::optional<Ref> getShapeProperty(const Ref &self, llvm::StringRef name);

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_TENSORSHAPE_H
