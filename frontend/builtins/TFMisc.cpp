//===- TFMisc.cpp - tf.test, tf.logging and tf.contrib.util ---------------===//
//
// The parts of TensorFlow's API that nets call around the graph rather than
// to build it:
//  * tf.test.is_gpu_available(): NASNet asks it to suggest the NCHW layout.
//    A slimc model is compiled ahead of time, for whatever device runs it
//    later; no GPU is visible while the graph is built, so it is False.
//  * tf.logging (tf.compat.v1.logging): info and debug print nothing at TF's
//    default verbosity (WARN); warning and error print TF's
//    "WARNING:tensorflow:" lines to standard error.
//  * tf.contrib.util.constant_value(x): the value of `x` if it is known at
//    graph-construction time (a shape from tf.shape, a tf.constant, numbers
//    and lists: all compile-time values in slimc), unchanged, as TF returns
//    a non-tensor; None for a tensor.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/Registry.h"

#include "llvm/Support/raw_ostream.h"

using namespace slim;
using llvm::isa;

namespace {

Ref isGpuAvailable(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "is_gpu_available",
                {{"cuda_only", makeBool(false)},
                 {"min_cuda_compute_capability", none()}},
                args, b))
    return nullptr;
  return makeBool(false);
}

Ref isBuiltWithCuda(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "is_built_with_cuda", {}, args, b))
    return nullptr;
  return makeBool(false);
}

/// tf.logging.<level>(msg, *args): `msg % args` at WARN and above.
Ref log(Interpreter &in, CallArgs &args, const char *level, bool shown) {
  if (args.positional.empty())
    return in.raise("TypeError", args.loc,
                    std::string(level) + "() missing required argument 'msg'");
  Ref msg = args.positional[0].value;
  std::string text = strValue(*msg);
  if (args.positional.size() > 1 && isa<StrObj>(*msg)) {
    std::vector<Ref> rest;
    for (size_t i = 1; i < args.positional.size(); ++i)
      rest.push_back(args.positional[i].value);
    Ref formatted = formatPercent(in, text, makeTuple(rest), args.loc);
    if (!formatted)
      return nullptr;
    text = strValue(*formatted);
  }
  if (shown)
    llvm::errs() << level << ":tensorflow:" << text << "\n";
  return makeNone();
}

Ref logInfo(Interpreter &in, CallArgs &a) { return log(in, a, "INFO", false); }
Ref logDebug(Interpreter &in, CallArgs &a) {
  return log(in, a, "DEBUG", false);
}
Ref logWarning(Interpreter &in, CallArgs &a) {
  return log(in, a, "WARNING", true);
}
Ref logError(Interpreter &in, CallArgs &a) { return log(in, a, "ERROR", true); }
Ref setVerbosity(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "set_verbosity", {{"v", nullptr}}, args, b))
    return nullptr;
  return makeNone();
}

Ref constantValue(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "constant_value",
                {{"tensor", nullptr}, {"partial", makeBool(false)}}, args, b))
    return nullptr;
  // TF's tensor_util.constant_value returns anything but a tensor as it is;
  // a tensor's value is never known to slimc at compile time.
  Ref value = b.get("tensor");
  return isa<TensorObj>(*value) ? makeNone() : value;
}

const BuiltinDef builtins[] = {
    {"tf.test", "is_gpu_available", "is_gpu_available", isGpuAvailable},
    {"tf.test", "is_built_with_cuda", "is_built_with_cuda", isBuiltWithCuda},
    {"tf.logging", "info", "info", logInfo},
    {"tf.logging", "debug", "debug", logDebug},
    {"tf.logging", "warning", "warning", logWarning},
    {"tf.logging", "warn", "warn", logWarning},
    {"tf.logging", "error", "error", logError},
    {"tf.logging", "set_verbosity", "set_verbosity", setVerbosity},
    {"tf.contrib.util", "constant_value", "constant_value", constantValue},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfMiscBuiltins() { return builtins; }
