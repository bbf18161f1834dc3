//===- TFInitializers.cpp - tf's initializers -----------------------------===//
//
// tf.truncated_normal_initializer, random_normal, random_uniform, zeros,
// ones, constant and glorot initializers. They build SpecObjs, which become
// the `initializer` attribute of slim.variable.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/SpecBuilders.h"
#include "frontend/builtins/TFOps.h"

using namespace slim;
using llvm::isa;

namespace {

/// truncated_normal and random_normal share TF's (mean, stddev) signature.
Ref normalInitializer(Interpreter &in, CallArgs &args, const char *name,
                      const char *kind) {
  Bound b;
  double mean, stddev;
  if (!bindArgs(in, name,
                {{"mean", makeFloat(0.0)},
                 {"stddev", makeFloat(1.0)},
                 {"seed", none()},
                 {"dtype", none()}},
                args, b) ||
      !checkDType(in, b, "dtype") || !getFloat(in, b, "mean", mean) ||
      !getFloat(in, b, "stddev", stddev))
    return nullptr;
  if (stddev < 0)
    return in.error(b.loc("stddev"), "stddev must be non-negative");
  return makeInitializer(kind, {{"mean", mean}, {"stddev", stddev}});
}

Ref truncatedNormalInitializer(Interpreter &in, CallArgs &args) {
  return normalInitializer(in, args, "truncated_normal_initializer",
                           "truncated_normal");
}

Ref randomNormalInitializer(Interpreter &in, CallArgs &args) {
  return normalInitializer(in, args, "random_normal_initializer",
                           "random_normal");
}

Ref randomUniformInitializer(Interpreter &in, CallArgs &args) {
  Bound b;
  double lo, hi = 1.0;
  if (!bindArgs(in, "random_uniform_initializer",
                {{"minval", makeFloat(0.0)},
                 {"maxval", none()},
                 {"seed", none()},
                 {"dtype", none()}},
                args, b) ||
      !checkDType(in, b, "dtype") || !getFloat(in, b, "minval", lo) ||
      (!b.isNone("maxval") && !getFloat(in, b, "maxval", hi)))
    return nullptr;
  if (hi < lo)
    return in.error(args.loc, "random_uniform_initializer: maxval must not "
                              "be below minval");
  return makeInitializer("random_uniform", {{"minval", lo}, {"maxval", hi}});
}

/// zeros_initializer and ones_initializer take only a dtype.
Ref constantValueInitializer(Interpreter &in, CallArgs &args, const char *name,
                             const char *kind) {
  Bound b;
  if (!bindArgs(in, name, {{"dtype", none()}}, args, b) ||
      !checkDType(in, b, "dtype"))
    return nullptr;
  return makeInitializer(kind, {});
}

Ref zerosInitializer(Interpreter &in, CallArgs &args) {
  return constantValueInitializer(in, args, "zeros_initializer", "zeros");
}

Ref onesInitializer(Interpreter &in, CallArgs &args) {
  return constantValueInitializer(in, args, "ones_initializer", "ones");
}

Ref constantInitializer(Interpreter &in, CallArgs &args) {
  Bound b;
  double value;
  if (!bindArgs(in, "constant_initializer",
                {{"value", makeInt(0)},
                 {"dtype", none()},
                 {"verify_shape", makeBool(false)}},
                args, b) ||
      !checkDType(in, b, "dtype"))
    return nullptr;
  if (isa<SeqObj>(*b.get("value")))
    return in.error(b.loc("value"), "slimc supports scalar "
                                    "constant_initializer values only");
  if (!getFloat(in, b, "value", value))
    return nullptr;
  return makeInitializer("constant", {{"value", value}});
}

Ref glorotInitializer(Interpreter &in, CallArgs &args, const char *name,
                      const char *distribution) {
  Bound b;
  if (!bindArgs(in, name, {{"seed", none()}, {"dtype", none()}}, args, b) ||
      !checkDType(in, b, "dtype"))
    return nullptr;
  return makeInitializer("variance_scaling", {{"factor", 1.0}},
                         {{"mode", "FAN_AVG"}, {"distribution", distribution}});
}

Ref glorotUniformInitializer(Interpreter &in, CallArgs &args) {
  return glorotInitializer(in, args, "glorot_uniform_initializer", "uniform");
}

Ref glorotNormalInitializer(Interpreter &in, CallArgs &args) {
  return glorotInitializer(in, args, "glorot_normal_initializer",
                           "truncated_normal");
}

const BuiltinDef initializerBuiltins[] = {
    {"tf", "truncated_normal_initializer", "truncated_normal_initializer",
     truncatedNormalInitializer},
    {"tf", "random_normal_initializer", "random_normal_initializer",
     randomNormalInitializer},
    {"tf", "random_uniform_initializer", "random_uniform_initializer",
     randomUniformInitializer},
    {"tf", "zeros_initializer", "zeros_initializer", zerosInitializer, false,
     "zeros_initializer"},
    {"tf", "ones_initializer", "ones_initializer", onesInitializer, false,
     "ones_initializer"},
    {"tf", "constant_initializer", "constant_initializer", constantInitializer},
    {"tf", "glorot_uniform_initializer", "glorot_uniform_initializer",
     glorotUniformInitializer},
    {"tf", "glorot_normal_initializer", "glorot_normal_initializer",
     glorotNormalInitializer},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfInitializerBuiltins() {
  return initializerBuiltins;
}
