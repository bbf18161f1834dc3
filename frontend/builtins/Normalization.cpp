//===- Normalization.cpp - slim.instance_norm, slim.group_norm ------------===//
//
// TF-Slim's instance_norm and group_norm (tf_slim.layers.normalization;
// contrib.layers in TF 1): per image and channel (instance) or per kept
// index and group of channels (group) statistics, beta then gamma as model
// variables in scope `InstanceNorm` / `GroupNorm`. Batch norm, which every
// zoo net uses, lives with the other layers in Layers.cpp.
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
        !(beta = layerVariable(
              in, b, "beta", {channels},
              initializerOf("beta", in.requireKnown("zeros_default")), none())))
      return nullptr;
    if (scale &&
        !(gamma = layerVariable(
              in, b, "gamma", {channels},
              initializerOf("gamma", in.requireKnown("ones_default")), none())))
      return nullptr;
    Ref out = emitInstanceNorm(
        in, "instance_norm", *x, beta ? cast<TensorObj>(beta.get()) : nullptr,
        gamma ? cast<TensorObj>(gamma.get()) : nullptr, epsilon, args.loc);
    out = applyActivation(in, b, out);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

/// group_norm's axes in [0, rank) as TF-Slim standardizes them (adding the
/// rank to a negative axis); the shape rule reports what is still out of
/// bounds.
int64_t standardizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

Ref groupNorm(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "group_norm",
                {{"inputs", nullptr},
                 {"groups", makeInt(32)},
                 {"channels_axis", makeInt(-1)},
                 {"reduction_axes", makeTuple({makeInt(-3), makeInt(-2)})},
                 {"center", makeBool(true)},
                 {"scale", makeBool(true)},
                 {"epsilon", makeFloat(1e-6)},
                 {"activation_fn", none()},
                 {"param_initializers", none()},
                 {"reuse", none()},
                 {"variables_collections", none()},
                 {"outputs_collections", none()},
                 {"trainable", makeBool(true)},
                 {"scope", none()},
                 {"mean_close_to_zero", makeBool(false)}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  double epsilon;
  bool center, scale, onePass;
  int64_t groups, channelsAxis;
  std::vector<int64_t> reductionAxes;
  if (!x || !getInt(in, b, "groups", groups) ||
      !getInt(in, b, "channels_axis", channelsAxis) ||
      !getIntList(in, b.get("reduction_axes"), b.loc("reduction_axes"),
                  "group_norm: reduction_axes", reductionAxes) ||
      !getFloat(in, b, "epsilon", epsilon) ||
      !getBool(in, b, "center", center) || !getBool(in, b, "scale", scale) ||
      !getBool(in, b, "mean_close_to_zero", onePass))
    return nullptr;
  int64_t rank = x->shape.size();
  channelsAxis = standardizeAxis(channelsAxis, rank);
  for (int64_t &a : reductionAxes)
    a = standardizeAxis(a, rank);
  // Check the shape before creating variables, as TF-Slim raises first.
  mlir::slim::Shape checked;
  auto emitError = [&](const llvm::Twine &m) {
    in.error(args.loc, "group_norm: " + m);
  };
  if (mlir::failed(mlir::slim::inferGroupNormShape(
          x->shape, {}, groups, channelsAxis, reductionAxes, epsilon, checked,
          emitError)))
    return nullptr;
  if (!b.isNone("param_initializers") &&
      !dyn_cast<DictObj>(b.get("param_initializers").get()))
    return in.error(b.loc("param_initializers"),
                    "group_norm: param_initializers must be a dict");
  auto initializerOf = [&](llvm::StringRef key, Ref fallback) -> Ref {
    auto *d = dyn_cast<DictObj>(b.get("param_initializers").get());
    Ref v = d ? d->get(makeStr(key.str())) : nullptr;
    return v ? v : fallback;
  };
  int64_t channels = x->shape[channelsAxis];
  // TF-Slim reshapes the input into groups before opening its scope.
  in.graph().uniqueName(in.graph().nameScope() + "Reshape");
  return inVariableScope(in, b, "GroupNorm", [&](VarScopeObj &sc) -> Ref {
    Ref beta, gamma;
    if (center &&
        !(beta = layerVariable(
              in, b, "beta", {channels},
              initializerOf("beta", in.requireKnown("zeros_default")), none())))
      return nullptr;
    if (scale &&
        !(gamma = layerVariable(
              in, b, "gamma", {channels},
              initializerOf("gamma", in.requireKnown("ones_default")), none())))
      return nullptr;
    // Each parameter is reshaped to broadcast over the groups first.
    for (bool used : {center, scale})
      if (used)
        in.graph().uniqueName(in.graph().nameScope() + "Reshape");
    Ref out = emitGroupNorm(
        in, "group_norm", *x, beta ? cast<TensorObj>(beta.get()) : nullptr,
        gamma ? cast<TensorObj>(gamma.get()) : nullptr, groups, channelsAxis,
        reductionAxes, epsilon, onePass, args.loc);
    out = applyActivation(in, b, out);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

const BuiltinDef normalizationBuiltins[] = {
    {"slim", "instance_norm", "instance_norm", instanceNorm, true},
    {"slim", "group_norm", "group_norm", groupNorm, true},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimNormalizationBuiltins() {
  return normalizationBuiltins;
}
