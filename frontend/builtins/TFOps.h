//===- TFOps.h - Helpers of the tf.* builtins -------------------*- C++ -*-===//

#ifndef SLIM_FRONTEND_BUILTINS_TFOPS_H
#define SLIM_FRONTEND_BUILTINS_TFOPS_H

#include "frontend/builtins/Registry.h"

namespace slim {

/// Checks that the dtype argument `name` is None or tf.float32: slimc
/// compiles float32 models.
bool checkDType(Interpreter &interp, const Bound &b, llvm::StringRef name);

/// The `tf.Operation` that produced `tensor` (`t.op`): its `name`, `type`,
/// `outputs`, `values()`, `graph`.
Ref makeOperation(Interpreter &interp, const Ref &tensor);
/// The graph being built (`t.graph`, tf.get_default_graph()).
Ref defaultGraph(Interpreter &interp);

/// Runs `body` and, when the op's `name=` argument `param` is given, names
/// its result `<name scope><name>` as TF ops do.
template <typename F>
Ref withOpName(Interpreter &interp, const Bound &b, llvm::StringRef param,
               F body) {
  std::string name;
  if (!getOptionalString(interp, b, param, name))
    return nullptr;
  Ref result = body();
  if (!result || name.empty())
    return result;
  auto *t = llvm::cast<TensorObj>(result.get());
  t->name = interp.graph().uniqueName(interp.graph().nameScope() + name);
  return result;
}

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_TFOPS_H
