//===- TFArray.h - Tensor indexing ------------------------------*- C++ -*-===//
//
// `tensor[index]`: TF's Tensor.__getitem__ (basic indexing: ints, slices with
// steps, `...`, `None` / `tf.newaxis`) on static shapes, lowered to one
// slim.strided_slice and, where axes are dropped or inserted, a reshape.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_TFARRAY_H
#define SLIM_FRONTEND_BUILTINS_TFARRAY_H

#include "frontend/Interpreter.h"

namespace slim {

/// Evaluates `tensor[index]`: `index` is the subscript's expression (a
/// slice, `...`, a tuple of those, or an expression giving an int or None).
/// `loc` is the subscript's `[`. Null after an error.
Ref subscriptTensor(Interpreter &interp, const Ref &tensor,
                    const ExprAST &index, const EnvPtr &env, llvm::SMLoc loc);

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_TFARRAY_H
