//===- Normalization.cpp - slim.instance_norm -----------------------------===//
//
// TF-Slim's instance_norm (tf_slim.layers.normalization; contrib.layers in
// TF 1): per image and channel statistics, beta then gamma as model
// variables in scope `InstanceNorm`. Batch norm, which every zoo net uses,
// lives with the other layers in Layers.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/SpatialGraphOps.h"
#include "frontend/builtins/LayerArgs.h"

#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;

namespace {

Ref instanceNorm(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "instance_norm",
                {{"inputs", nullptr},
                 {"center", makeBool(true)},
                 {"scale", makeBool(true)},
                 {"epsilon", makeFloat(1e-6)},
                 {"activation_fn", none()},
                 {"param_initializers", none()},
                 {"reuse", none()},
                 {"variables_collections", none()},
                 {"outputs_collections", none()},
                 {"trainable", makeBool(true)},
                 {"data_format", makeStr("NHWC")},
                 {"scope", none()}},
                args, b) ||
      !checkDataFormat(in, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  double epsilon;
  bool center, scale;
  if (!x || !getFloat(in, b, "epsilon", epsilon) ||
      !getBool(in, b, "center", center) || !getBool(in, b, "scale", scale))
    return nullptr;
  if (x->shape.size() < 2)
    return in.error(b.loc("inputs"), "instance_norm: inputs must have rank "
                                     ">= 2 (batch and channels), got shape [" +
                                         mlir::slim::shapeToString(x->shape) +
                                         "]");
  if (!b.isNone("param_initializers") &&
      !dyn_cast<DictObj>(b.get("param_initializers").get()))
    return in.error(b.loc("param_initializers"),
                    "instance_norm: param_initializers must be a dict");
  auto initializerOf = [&](llvm::StringRef key, Ref fallback) -> Ref {
    auto *d = dyn_cast<DictObj>(b.get("param_initializers").get());
    Ref v = d ? d->get(makeStr(key.str())) : nullptr;
    return v ? v : fallback;
  };
  int64_t channels = x->shape.back();
  return inVariableScope(in, b, "InstanceNorm", [&](VarScopeObj &sc) -> Ref {
    // tf_slim creates beta before gamma here (batch_norm does the reverse).
    Ref beta, gamma;
    if (center &&
        !(beta = layerVariable(in, b, "beta", {channels},
                               initializerOf("beta",
                                             in.requireKnown("zeros_default")),
                               none())))
      return nullptr;
    if (scale &&
        !(gamma = layerVariable(in, b, "gamma", {channels},
                                initializerOf("gamma",
                                              in.requireKnown("ones_default")),
                                none())))
      return nullptr;
    Ref out = emitInstanceNorm(in, "instance_norm", *x,
                               beta ? cast<TensorObj>(beta.get()) : nullptr,
                               gamma ? cast<TensorObj>(gamma.get()) : nullptr,
                               epsilon, args.loc);
    out = applyActivation(in, b, out);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

const BuiltinDef normalizationBuiltins[] = {
    {"slim", "instance_norm", "instance_norm", instanceNorm, true},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimNormalizationBuiltins() {
  return normalizationBuiltins;
}
