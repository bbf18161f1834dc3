//===- TFOps.cpp - Helpers of the tf.* builtins ---------------------------===//

#include "frontend/builtins/TFOps.h"

using namespace slim;

bool slim::checkDType(Interpreter &interp, const Bound &b,
                      llvm::StringRef name) {
  Ref v = b.get(name);
  if (isNone(v))
    return true;
  auto *d = llvm::dyn_cast<DTypeObj>(v.get());
  if (d && d->name == "float32")
    return true;
  interp.error(b.loc(name), b.function + "(): slimc compiles float32 models; " +
                                name + "=" + reprValue(*v) +
                                " is not supported");
  return false;
}
