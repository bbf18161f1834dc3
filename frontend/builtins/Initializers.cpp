//===- Initializers.cpp - TF-Slim's initializers and regularizers ---------===//
//
// slim.xavier_initializer, variance_scaling_initializer and the
// l1/l2/l1_l2/sum regularizers. They build SpecObjs, which become the
// `initializer`/`regularizer` attributes of slim.variable.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/SpecBuilders.h"

using namespace slim;
using llvm::isa;

namespace {

Ref xavierInitializer(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(
          in, "xavier_initializer",
          {{"uniform", makeBool(true)}, {"seed", none()}, {"dtype", none()}},
          args, b))
    return nullptr;
  return makeVarianceScaling(1.0, "FAN_AVG", isTruthy(*b.get("uniform")));
}

Ref varianceScalingInitializer(Interpreter &in, CallArgs &args) {
  Bound b;
  double factor;
  std::string mode;
  if (!bindArgs(in, "variance_scaling_initializer",
                {{"factor", makeFloat(2.0)},
                 {"mode", makeStr("FAN_IN")},
                 {"uniform", makeBool(false)},
                 {"seed", none()},
                 {"dtype", none()}},
                args, b) ||
      !getFloat(in, b, "factor", factor) || !getString(in, b, "mode", mode))
    return nullptr;
  if (mode != "FAN_IN" && mode != "FAN_OUT" && mode != "FAN_AVG")
    return in.error(b.loc("mode"), "TypeError: Unknown mode " + mode +
                                       " [FAN_IN, FAN_OUT, FAN_AVG]");
  return makeVarianceScaling(factor, mode, isTruthy(*b.get("uniform")));
}

/// Validates a regularizer scale as tf_slim's regularizers do.
bool checkScale(Interpreter &in, const Bound &b, llvm::StringRef name,
                double &scale) {
  Ref v = b.get(name);
  if (isa<IntObj>(*v) || isa<BoolObj>(*v)) {
    in.error(b.loc(name),
             "ValueError: " + name + " cannot be an integer: " + reprValue(*v));
    return false;
  }
  if (!getFloat(in, b, name, scale))
    return false;
  if (scale < 0) {
    in.error(b.loc(name),
             "ValueError: Setting a scale less than 0 on a regularizer: " +
                 reprValue(*v));
    return false;
  }
  return true;
}

Ref makeRegularizer(std::string kind,
                    std::vector<std::pair<std::string, double>> params) {
  auto spec = std::make_shared<SpecObj>(ObjKind::Regularizer, std::move(kind));
  spec->params = std::move(params);
  return spec;
}

/// l1_regularizer and l2_regularizer.
Ref singleRegularizer(Interpreter &in, CallArgs &args, bool isL1) {
  Bound b;
  double scale;
  if (!bindArgs(in, isL1 ? "l1_regularizer" : "l2_regularizer",
                {{"scale", nullptr}, {"scope", none()}}, args, b) ||
      !checkScale(in, b, "scale", scale))
    return nullptr;
  // A zero scale disables the regularizer, as in tf_slim.
  if (scale == 0.0)
    return makeNone();
  return makeRegularizer(isL1 ? "l1" : "l2", {{"scale", scale}});
}

Ref l1Regularizer(Interpreter &in, CallArgs &args) {
  return singleRegularizer(in, args, /*isL1=*/true);
}

Ref l2Regularizer(Interpreter &in, CallArgs &args) {
  return singleRegularizer(in, args, /*isL1=*/false);
}

Ref l1L2Regularizer(Interpreter &in, CallArgs &args) {
  Bound b;
  double l1, l2;
  if (!bindArgs(in, "l1_l2_regularizer",
                {{"scale_l1", makeFloat(1.0)},
                 {"scale_l2", makeFloat(1.0)},
                 {"scope", none()}},
                args, b) ||
      !checkScale(in, b, "scale_l1", l1) || !checkScale(in, b, "scale_l2", l2))
    return nullptr;
  if (l1 == 0.0 && l2 == 0.0)
    return makeNone();
  if (l1 == 0.0)
    return makeRegularizer("l2", {{"scale", l2}});
  if (l2 == 0.0)
    return makeRegularizer("l1", {{"scale", l1}});
  return makeRegularizer("l1_l2", {{"scale_l1", l1}, {"scale_l2", l2}});
}

Ref sumRegularizer(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "sum_regularizer",
                {{"regularizer_list", nullptr}, {"scope", none()}}, args, b))
    return nullptr;
  auto *seq = llvm::dyn_cast<SeqObj>(b.get("regularizer_list").get());
  if (!seq)
    return in.error(b.loc("regularizer_list"),
                    "regularizer_list must be a list");
  auto sum = std::make_shared<SpecObj>(ObjKind::Regularizer, "sum");
  for (auto &r : seq->items) {
    if (isNone(r))
      continue;
    if (r->kind != ObjKind::Regularizer)
      return in.error(b.loc("regularizer_list"),
                      "regularizer_list must contain regularizers, not " +
                          typeName(*r));
    sum->parts.push_back(r);
  }
  if (sum->parts.empty())
    return makeNone();
  if (sum->parts.size() == 1)
    return sum->parts.front();
  return sum;
}

const BuiltinDef initializerBuiltins[] = {
    {"slim", "xavier_initializer", "xavier_initializer", xavierInitializer},
    {"slim", "xavier_initializer_conv2d", "xavier_initializer",
     xavierInitializer},
    {"slim", "variance_scaling_initializer", "variance_scaling_initializer",
     varianceScalingInitializer},
    {"slim", "l1_regularizer", "l1_regularizer", l1Regularizer},
    {"slim", "l2_regularizer", "l2_regularizer", l2Regularizer},
    {"slim", "l1_l2_regularizer", "l1_l2_regularizer", l1L2Regularizer},
    {"slim", "sum_regularizer", "sum_regularizer", sumRegularizer},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimInitializerBuiltins() {
  return initializerBuiltins;
}
