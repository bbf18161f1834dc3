//===- Layers.cpp - TF-Slim's layers --------------------------------------===//
//
// slim.conv2d, separable_conv2d, conv2d_transpose, fully_connected,
// batch_norm, the pools, dropout, flatten, softmax and bias_add, with
// tf_slim's signatures, defaults, scope names and error messages.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps.h"
#include "frontend/builtins/LayerArgs.h"

#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/ShapeRules.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

namespace {

Ref conv2d(Interpreter &in, CallArgs &args) {
  std::vector<ParamSpec> params = weightLayerParams(
      in, {{"inputs", nullptr},
           {"num_outputs", nullptr},
           {"kernel_size", nullptr},
           {"stride", makeInt(1)},
           {"padding", makeStr("SAME")},
           {"data_format", none()},
           {"rate", makeInt(1)},
           {"activation_fn", in.requireKnown("activation:relu")}});
  Bound b;
  TensorObj *x = nullptr;
  int64_t numOutputs;
  Window w;
  if (!bindArgs(in, "convolution2d", params, args, b) ||
      !(x = getNHWCInput(in, b)) || !getInt(in, b, "num_outputs", numOutputs) ||
      !getWindow(in, b, w) || !checkWeightLayerSpecs(in, b))
    return nullptr;
  if (numOutputs < 1)
    return in.error(b.loc("num_outputs"), "num_outputs must be positive");
  if (!resolveWindowPadding(in, b, *x, w))
    return nullptr;
  return inVariableScope(in, b, "Conv", [&](VarScopeObj &sc) -> Ref {
    Ref weights = layerVariable(
        in, b, "weights", {w.kernel[0], w.kernel[1], x->shape[3], numOutputs},
        b.get("weights_initializer"), b.get("weights_regularizer"));
    if (!weights)
      return nullptr;
    Ref out = emitConv2D(in, *x, cast<TensorObj>(*weights), w.stride, w.rate,
                         w.pads, args.loc);
    if (!out)
      return nullptr;
    out = normalizeBiasActivate(in, b, out, numOutputs);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

Ref fullyConnected(Interpreter &in, CallArgs &args) {
  std::vector<ParamSpec> params = weightLayerParams(
      in, {{"inputs", nullptr},
           {"num_outputs", nullptr},
           {"activation_fn", in.requireKnown("activation:relu")}});
  Bound b;
  if (!bindArgs(in, "fully_connected", params, args, b) ||
      !checkWeightLayerSpecs(in, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  if (!x)
    return nullptr;
  if (!isa<IntObj>(*b.get("num_outputs")))
    return in.error(b.loc("num_outputs"),
                    "ValueError: num_outputs type should be one of [int], "
                    "got " +
                        typeName(*b.get("num_outputs")));
  int64_t numOutputs = cast<IntObj>(*b.get("num_outputs")).value;
  if (numOutputs < 1)
    return in.error(b.loc("num_outputs"), "num_outputs must be positive");
  if (x->shape.size() < 2)
    return in.error(b.loc("inputs"),
                    "fully_connected input must have rank >= 2, got [" +
                        mlir::slim::shapeToString(x->shape) + "]");
  return inVariableScope(in, b, "fully_connected", [&](VarScopeObj &sc) -> Ref {
    Ref weights = layerVariable(in, b, "weights", {x->shape.back(), numOutputs},
                                b.get("weights_initializer"),
                                b.get("weights_regularizer"));
    if (!weights)
      return nullptr;
    Ref out = emitMatMul(in, *x, cast<TensorObj>(*weights), args.loc);
    if (!out)
      return nullptr;
    out = normalizeBiasActivate(in, b, out, numOutputs);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

Ref separableConv2d(Interpreter &in, CallArgs &args) {
  std::vector<ParamSpec> params =
      weightLayerParams(in,
                        {{"inputs", nullptr},
                         {"num_outputs", nullptr},
                         {"kernel_size", nullptr},
                         {"depth_multiplier", makeInt(1)},
                         {"stride", makeInt(1)},
                         {"padding", makeStr("SAME")},
                         {"data_format", none()},
                         {"rate", makeInt(1)},
                         {"activation_fn", in.requireKnown("activation:relu")}},
                        {{"pointwise_initializer", none()}});
  Bound b;
  TensorObj *x = nullptr;
  int64_t multiplier;
  Window w;
  // tf_slim does not check biases_regularizer here; neither does slimc.
  if (!bindArgs(in, "separable_convolution2d", params, args, b) ||
      !(x = getNHWCInput(in, b)) ||
      !getInt(in, b, "depth_multiplier", multiplier) || !getWindow(in, b, w) ||
      !checkSpecs(in, b,
                  {{"weights_initializer", ObjKind::Initializer},
                   {"pointwise_initializer", ObjKind::Initializer},
                   {"biases_initializer", ObjKind::Initializer},
                   {"weights_regularizer", ObjKind::Regularizer}}))
    return nullptr;
  int64_t numOutputs = 0;
  bool depthwiseOnly = b.isNone("num_outputs");
  if (!depthwiseOnly && !getInt(in, b, "num_outputs", numOutputs))
    return nullptr;
  if (multiplier < 1 || (!depthwiseOnly && numOutputs < 1))
    return in.error(args.loc, "depth_multiplier and num_outputs must be "
                              "positive");
  if (!resolveWindowPadding(in, b, *x, w))
    return nullptr;
  return inVariableScope(in, b, "SeparableConv2d", [&](VarScopeObj &sc) -> Ref {
    int64_t cin = x->shape[3];
    Ref dw = layerVariable(
        in, b, "depthwise_weights", {w.kernel[0], w.kernel[1], cin, multiplier},
        b.get("weights_initializer"), b.get("weights_regularizer"));
    if (!dw)
      return nullptr;
    Ref out = emitDepthwiseConv2D(in, *x, cast<TensorObj>(*dw), w.stride,
                                  w.rate, w.pads, args.loc);
    if (!out)
      return nullptr;
    int64_t channels = cin * multiplier;
    if (!depthwiseOnly) {
      Ref pwInit = b.isNone("pointwise_initializer")
                       ? b.get("weights_initializer")
                       : b.get("pointwise_initializer");
      Ref pw = layerVariable(in, b, "pointwise_weights",
                             {1, 1, channels, numOutputs}, pwInit,
                             b.get("weights_regularizer"));
      if (!pw)
        return nullptr;
      int64_t one[2] = {1, 1};
      int64_t zero[4] = {0, 0, 0, 0};
      out = emitConv2D(in, cast<TensorObj>(*out), cast<TensorObj>(*pw), one,
                       one, zero, args.loc);
      if (!out)
        return nullptr;
      channels = numOutputs;
    }
    out = normalizeBiasActivate(in, b, out, channels);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

Ref conv2dTranspose(Interpreter &in, CallArgs &args) {
  std::vector<ParamSpec> params = weightLayerParams(
      in, {{"inputs", nullptr},
           {"num_outputs", nullptr},
           {"kernel_size", nullptr},
           {"stride", makeInt(1)},
           {"padding", makeStr("SAME")},
           {"data_format", none()},
           {"activation_fn", in.requireKnown("activation:relu")}});
  Bound b;
  TensorObj *x = nullptr;
  int64_t numOutputs;
  Window w;
  if (!bindArgs(in, "convolution2d_transpose", params, args, b) ||
      !(x = getNHWCInput(in, b)) || !getInt(in, b, "num_outputs", numOutputs) ||
      !getWindow(in, b, w))
    return nullptr;
  // The output size is Keras' deconv_output_length (tf_slim builds a
  // Conv2DTranspose layer); the pads are those TF's conv2d_backprop_input
  // then derives from it.
  std::string upper = llvm::StringRef(w.padding).upper();
  if (upper != "SAME" && upper != "VALID")
    return in.error(b.loc("padding"),
                    "padding must be 'SAME' or 'VALID', got '" + w.padding +
                        "'");
  llvm::SmallVector<int64_t, 4> pads(4, 0);
  for (int d = 0; d < 2; ++d) {
    int64_t inSize = x->shape[1 + d];
    auto outSize = slim::checked::mul(inSize, w.stride[d]);
    if (outSize && upper == "VALID")
      outSize = slim::checked::add(
          *outSize, std::max<int64_t>(w.kernel[d] - w.stride[d], 0));
    if (!outSize || !mlir::slim::computeTransposePadding(
                        inSize, *outSize, w.kernel[d], w.stride[d],
                        upper == "SAME", pads[2 * d], pads[2 * d + 1]))
      return in.error(args.loc, "conv2d_transpose: integer overflow in the "
                                "output size (input " +
                                    llvm::Twine(inSize) + ", stride " +
                                    llvm::Twine(w.stride[d]) + ", kernel " +
                                    llvm::Twine(w.kernel[d]) + ")");
  }
  return inVariableScope(
      in, b, "Conv2d_transpose", [&](VarScopeObj &sc) -> Ref {
        Ref weights = layerVariable(
            in, b, "weights",
            {w.kernel[0], w.kernel[1], numOutputs, x->shape[3]},
            b.get("weights_initializer"), b.get("weights_regularizer"));
        if (!weights)
          return nullptr;
        Ref out = emitConv2DTranspose(in, *x, cast<TensorObj>(*weights),
                                      w.stride, pads, args.loc);
        if (!out)
          return nullptr;
        out = normalizeBiasActivate(in, b, out, numOutputs);
        return collectNamedOutputs(in, b.get("outputs_collections"), sc.name,
                                   out, args.loc);
      });
}

/// A batch norm that trains: its moving averages' `decay` (recorded on the
/// op if the file turns out to be a training script) and its update, which
/// TF-Slim puts in `updates_collections` (tf.GraphKeys.UPDATE_OPS) for
/// create_train_op to run, or runs in place when that is None.
void recordTrainingBatchNorm(Interpreter &in, const Bound &b, Object &out,
                             const std::string &scope) {
  // Recorded without complaint: only a training script uses it (and says
  // so at create_train_op), and a net for inference must compile as before.
  double decay = std::nan("");
  if (auto *f = dyn_cast<FloatObj>(b.get("decay").get()))
    decay = f->value;
  else if (auto *i = dyn_cast<IntObj>(b.get("decay").get()))
    decay = double(i->value);
  auto *t = cast<TensorObj>(&out);
  TrainingBatchNorm record;
  record.op = cast<mlir::slim::BatchNormOp>(t->value.getDefiningOp());
  record.decay = decay;
  record.loc = b.callLoc;
  Ref collections = b.get("updates_collections");
  if (!isNone(collections)) {
    std::vector<Ref> names;
    if (isa<StrObj>(*collections))
      names.push_back(collections);
    else if (auto *seq = dyn_cast<SeqObj>(collections.get()))
      names = seq->items;
    for (const char *suffix : {"/AssignMovingAvg", "/AssignMovingAvg_1"}) {
      auto update = std::make_shared<OpaqueObj>("Operation");
      update->attrs["name"] = makeStr(scope + suffix);
      record.updateOps.push_back(update);
      for (const Ref &name : names)
        if (auto *n = dyn_cast<StrObj>(name.get()))
          in.graph().collections[n->value].emplace_back("", update);
    }
  }
  in.graph().training().batchNorms.push_back(std::move(record));
}

Ref batchNorm(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "batch_norm",
                {{"inputs", nullptr},
                 {"decay", makeFloat(0.999)},
                 {"center", makeBool(true)},
                 {"scale", makeBool(false)},
                 {"epsilon", makeFloat(0.001)},
                 {"activation_fn", none()},
                 {"param_initializers", none()},
                 {"param_regularizers", none()},
                 {"updates_collections", makeStr("update_ops")},
                 {"is_training", makeBool(true)},
                 {"reuse", none()},
                 {"variables_collections", none()},
                 {"outputs_collections", none()},
                 {"trainable", makeBool(true)},
                 {"batch_weights", none()},
                 {"fused", none()},
                 {"data_format", none()},
                 {"zero_debias_moving_mean", makeBool(false)},
                 {"scope", none()},
                 {"renorm", makeBool(false)},
                 {"renorm_clipping", none()},
                 {"renorm_decay", makeFloat(0.99)},
                 {"adjustment", none()}},
                args, b) ||
      !checkDataFormat(in, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  double epsilon;
  bool center, scale, isTraining;
  if (!x || !getFloat(in, b, "epsilon", epsilon) ||
      !getBool(in, b, "center", center) || !getBool(in, b, "scale", scale) ||
      !getBool(in, b, "is_training", isTraining))
    return nullptr;
  if (isTruthy(*b.get("renorm")) || !b.isNone("batch_weights"))
    return in.error(args.loc, "batch_norm: renorm and batch_weights are not "
                              "supported by slimc");
  if (x->shape.size() < 2)
    return in.error(b.loc("inputs"), "batch_norm input must have rank >= 2");
  int64_t channels = x->shape.back();
  auto paramOf = [&](llvm::StringRef dictName, llvm::StringRef key,
                     Ref fallback) -> Ref {
    auto *d = dyn_cast<DictObj>(b.get(dictName).get());
    if (!d)
      return fallback;
    Ref v = d->get(makeStr(key.str()));
    return v ? v : fallback;
  };
  return inVariableScope(in, b, "BatchNorm", [&](VarScopeObj &sc) -> Ref {
    // TF-Slim creates gamma before beta (the goldens recorded from
    // tf_slim 1.1.0 show this order).
    Ref beta, gamma;
    if (scale) {
      gamma = layerVariable(in, b, "gamma", {channels},
                            paramOf("param_initializers", "gamma",
                                    in.requireKnown("ones_default")),
                            paramOf("param_regularizers", "gamma", none()));
      if (!gamma)
        return nullptr;
    }
    if (center) {
      beta = layerVariable(in, b, "beta", {channels},
                           paramOf("param_initializers", "beta",
                                   in.requireKnown("zeros_default")),
                           paramOf("param_regularizers", "beta", none()));
      if (!beta)
        return nullptr;
    }
    // Moving statistics are model variables but never trainable.
    Ref collections = b.get("variables_collections");
    auto movingVar = [&](llvm::StringRef name, Ref init) {
      return in.graph().getVariable(name, {channels}, init, none(), false, true,
                                    variableCollections(collections, name), "",
                                    args.loc);
    };
    Ref mean =
        movingVar("moving_mean", paramOf("param_initializers", "moving_mean",
                                         in.requireKnown("zeros_default")));
    if (!mean)
      return nullptr;
    Ref variance = movingVar("moving_variance",
                             paramOf("param_initializers", "moving_variance",
                                     in.requireKnown("ones_default")));
    if (!variance)
      return nullptr;
    Ref out = emitBatchNorm(in, *x, cast<TensorObj>(*mean),
                            cast<TensorObj>(*variance),
                            beta ? cast<TensorObj>(beta.get()) : nullptr,
                            gamma ? cast<TensorObj>(gamma.get()) : nullptr,
                            epsilon, isTraining, args.loc);
    if (out && isTraining)
      recordTrainingBatchNorm(in, b, *out, sc.name);
    out = applyActivation(in, b, out);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

/// max_pool2d and avg_pool2d: TF-Slim's signature, a name scope (pools have
/// no variables).
Ref pool2d(Interpreter &in, CallArgs &args, bool isMax) {
  Bound b;
  TensorObj *x = nullptr;
  Window w;
  if (!bindArgs(in, isMax ? "max_pool2d" : "avg_pool2d",
                {{"inputs", nullptr},
                 {"kernel_size", nullptr},
                 {"stride", makeInt(2)},
                 {"padding", makeStr("VALID")},
                 {"data_format", none()},
                 {"outputs_collections", none()},
                 {"scope", none()}},
                args, b) ||
      !(x = getNHWCInput(in, b)) || !getWindow(in, b, w) ||
      !resolveWindowPadding(in, b, *x, w))
    return nullptr;
  return inNameScope(in, b, isMax ? "MaxPool2D" : "AvgPool2D",
                     [&](const std::string &sc) -> Ref {
                       Ref out = emitPool(in, isMax, *x, w.kernel, w.stride,
                                          w.pads, args.loc);
                       return collectNamedOutputs(
                           in, b.get("outputs_collections"), sc, out, args.loc);
                     });
}

Ref maxPool2d(Interpreter &in, CallArgs &args) {
  return pool2d(in, args, /*isMax=*/true);
}

Ref avgPool2d(Interpreter &in, CallArgs &args) {
  return pool2d(in, args, /*isMax=*/false);
}

Ref dropout(Interpreter &in, CallArgs &args) {
  Bound b;
  double keepProb;
  bool isTraining;
  if (!bindArgs(in, "dropout",
                {{"inputs", nullptr},
                 {"keep_prob", makeFloat(0.5)},
                 {"noise_shape", none()},
                 {"is_training", makeBool(true)},
                 {"outputs_collections", none()},
                 {"scope", none()},
                 {"seed", none()}},
                args, b) ||
      !getFloat(in, b, "keep_prob", keepProb) ||
      !getBool(in, b, "is_training", isTraining))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  if (!x)
    return nullptr;
  return inNameScope(in, b, "Dropout", [&](const std::string &sc) -> Ref {
    Ref out = emitDropout(in, *x, keepProb, isTraining, args.loc);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc, out,
                               args.loc);
  });
}

Ref flatten(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "flatten",
                {{"inputs", nullptr},
                 {"outputs_collections", none()},
                 {"scope", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  if (!x)
    return nullptr;
  if (x->shape.size() < 2)
    return in.error(b.loc("inputs"), "inputs must have a least 2 "
                                     "dimensions");
  int64_t rest = 1;
  for (size_t d = 1; d < x->shape.size(); ++d)
    rest *= x->shape[d];
  return inNameScope(in, b, "Flatten", [&](const std::string &sc) -> Ref {
    Ref out = emitReshape(in, *x, {x->shape[0], rest}, "Reshape", args.loc);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc, out,
                               args.loc);
  });
}

Ref softmax(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "softmax", {{"logits", nullptr}, {"scope", none()}}, args,
                b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "logits");
  if (!x)
    return nullptr;
  return inVariableScope(in, b, "softmax", [&](VarScopeObj &) -> Ref {
    return emitSoftmax(in, *x, args.loc);
  });
}

Ref biasAdd(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "bias_add",
                {{"inputs", nullptr},
                 {"activation_fn", none()},
                 {"initializer", in.requireKnown("zeros_default")},
                 {"regularizer", none()},
                 {"reuse", none()},
                 {"variables_collections", none()},
                 {"outputs_collections", none()},
                 {"trainable", makeBool(true)},
                 {"data_format", none()},
                 {"scope", none()}},
                args, b) ||
      !checkDataFormat(in, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "inputs");
  if (!x)
    return nullptr;
  return inVariableScope(in, b, "BiasAdd", [&](VarScopeObj &sc) -> Ref {
    Ref biases = layerVariable(in, b, "biases", {x->shape.back()},
                               b.get("initializer"), b.get("regularizer"));
    if (!biases)
      return nullptr;
    Ref out = emitBiasAdd(in, *x, cast<TensorObj>(*biases), args.loc);
    out = applyActivation(in, b, out);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

const BuiltinDef layers[] = {
    {"slim", "conv2d", "convolution2d", conv2d, true},
    {"slim", "fully_connected", "fully_connected", fullyConnected, true},
    {"slim", "separable_conv2d", "separable_convolution2d", separableConv2d,
     true},
    {"slim", "conv2d_transpose", "convolution2d_transpose", conv2dTranspose,
     true},
    {"slim", "batch_norm", "batch_norm", batchNorm, true, "slim.batch_norm"},
    {"slim", "max_pool2d", "max_pool2d", maxPool2d, true},
    {"slim", "avg_pool2d", "avg_pool2d", avgPool2d, true},
    {"slim", "dropout", "dropout", dropout, true},
    {"slim", "flatten", "flatten", flatten, true},
    {"slim", "softmax", "softmax", softmax, true},
    {"slim", "bias_add", "bias_add", biasAdd, true},
};

const BuiltinAlias layerAliases[] = {
    {"slim", "conv2d", "slim", "convolution2d"},
    {"slim", "conv2d", "slim", "convolution"},
    {"slim", "fully_connected", "slim", "linear_layer"},
    {"slim", "separable_conv2d", "slim", "separable_convolution2d"},
    {"slim", "conv2d_transpose", "slim", "convolution2d_transpose"},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimLayerBuiltins() { return layers; }
llvm::ArrayRef<BuiltinAlias> slim::slimLayerAliases() { return layerAliases; }
