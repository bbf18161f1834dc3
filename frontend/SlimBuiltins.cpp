//===- SlimBuiltins.cpp - The `tf_slim` module of model files -------------===//
//
// TF-Slim's layers, meta-ops (repeat, stack, arg_scope), variables API,
// initializers and regularizers, with the library's signatures, defaults,
// scope names and error messages.
//
//===----------------------------------------------------------------------===//

#include "frontend/Builtins.h"
#include "frontend/GraphOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include "llvm/Support/Regex.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {
Ref none() { return makeNone(); }

/// Runs `body` inside `tf.variable_scope(scope, defaultName, reuse=reuse)`.
template <typename F>
Ref inVariableScope(Interpreter &in, const Bound &b,
                    llvm::StringRef defaultName, F body) {
  std::vector<std::pair<std::string, Ref>> kw;
  if (b.get("reuse"))
    kw.emplace_back("reuse", b.get("reuse"));
  Ref ctx = in.callWith(in.lookupKnown("tf.variable_scope"), b.loc("scope"),
                        {b.get("scope"), makeStr(defaultName.str())}, kw);
  if (!ctx)
    return nullptr;
  auto *cm = cast<ContextObj>(ctx.get());
  Ref sc = cm->enter(in, b.callLoc);
  if (!sc)
    return nullptr;
  Ref result = body(cast<VarScopeObj>(*sc));
  cm->exit(in);
  return result;
}

/// Runs `body` inside `tf.name_scope(scope, defaultName)`.
template <typename F>
Ref inNameScope(Interpreter &in, const Bound &b, llvm::StringRef defaultName,
                F body) {
  Ref ctx = in.callWith(in.lookupKnown("tf.name_scope"), b.loc("scope"),
                        {b.get("scope"), makeStr(defaultName.str())});
  if (!ctx)
    return nullptr;
  auto *cm = cast<ContextObj>(ctx.get());
  Ref sc = cm->enter(in, b.callLoc);
  if (!sc)
    return nullptr;
  Ref result = body(cast<StrObj>(*sc).value);
  cm->exit(in);
  return result;
}

/// TF-Slim's utils.collect_named_outputs.
Ref collectNamedOutputs(Interpreter &in, const Ref &collections,
                        std::string alias, const Ref &outputs, SMLoc loc) {
  if (!outputs || isNone(collections))
    return outputs;
  if (!alias.empty() && alias.back() == '/')
    alias.pop_back();
  auto *t = dyn_cast<TensorObj>(outputs.get());
  if (!t)
    return outputs;
  t->aliases.push_back(alias);
  std::vector<std::string> names;
  if (auto *s = dyn_cast<StrObj>(collections.get())) {
    names.push_back(s->value);
  } else if (auto *seq = dyn_cast<SeqObj>(collections.get())) {
    for (auto &item : seq->items) {
      auto *s = dyn_cast<StrObj>(item.get());
      if (!s)
        return in.error(loc, "outputs_collections must be strings");
      names.push_back(s->value);
    }
  } else {
    return in.error(loc, "outputs_collections must be a string or a list of "
                         "strings, not " +
                             typeName(*collections));
  }
  for (auto &name : names)
    in.collections[name].emplace_back(alias, outputs);
  return outputs;
}

/// variables_collections may be a list for every variable or a dict by name.
std::vector<std::string> variableCollections(const Ref &value,
                                             llvm::StringRef name) {
  std::vector<std::string> out;
  Ref v = value;
  if (auto *d = dyn_cast<DictObj>(value.get()))
    v = d->get(makeStr(name.str()));
  if (auto *s = dyn_cast<StrObj>(v.get()))
    out.push_back(s->value);
  else if (auto *seq = dyn_cast<SeqObj>(v.get()))
    for (auto &item : seq->items)
      if (auto *s = dyn_cast<StrObj>(item.get()))
        out.push_back(s->value);
  return out;
}

bool checkSpec(Interpreter &in, const Bound &b, llvm::StringRef name,
               ObjKind kind) {
  Ref v = b.get(name);
  if (isNone(v) || v->kind == kind)
    return true;
  std::string hint;
  if (isa<BuiltinObj>(*v))
    hint = " (did you forget the parentheses, e.g. tf.zeros_initializer()?)";
  in.error(b.loc(name), b.function + "() argument '" + name + "' must be " +
                            (kind == ObjKind::Initializer ? "an initializer"
                                                          : "a regularizer") +
                            ", not " + typeName(*v) + hint);
  return false;
}

/// Creates a model variable as TF-Slim's layers do.
Ref layerVariable(Interpreter &in, const Bound &b, llvm::StringRef name,
                  llvm::ArrayRef<int64_t> shape, Ref initializer,
                  Ref regularizer) {
  bool trainable = true;
  if (b.get("trainable"))
    trainable = isTruthy(*b.get("trainable"));
  Ref collections =
      b.get("variables_collections") ? b.get("variables_collections") : none();
  return in.getVariable(name, shape, initializer, regularizer, trainable,
                        /*isModel=*/true,
                        variableCollections(collections, name), "", b.callLoc);
}

bool getTensor4D(Interpreter &in, const Bound &b, TensorObj *&x) {
  x = getTensor(in, b, "inputs");
  if (!x)
    return false;
  if (x->shape.size() != 4) {
    in.error(b.loc("inputs"), b.function +
                                  "() expects a 4-D NHWC input, got "
                                  "shape [" +
                                  mlir::slim::shapeToString(x->shape) + "]");
    return false;
  }
  return true;
}

bool checkDataFormat(Interpreter &in, const Bound &b) {
  Ref v = b.get("data_format");
  if (!v || isNone(v))
    return true;
  auto *s = dyn_cast<StrObj>(v.get());
  if (s && (s->value == "NHWC" || s->value == "NWC"))
    return true;
  in.error(b.loc("data_format"), "slimc compiles NHWC models; data_format=" +
                                     reprValue(*v) + " is not supported");
  return false;
}

/// normalizer_fn or biases, then activation_fn: the tail every TF-Slim
/// weight layer shares.
Ref normalizeBiasActivate(Interpreter &in, const Bound &b, Ref out,
                          int64_t numOutputs) {
  if (!b.isNone("normalizer_fn")) {
    CallArgs args;
    args.loc = b.loc("normalizer_fn");
    args.positional.push_back({"", out, args.loc, SMLoc()});
    if (!b.isNone("normalizer_params")) {
      auto *params = dyn_cast<DictObj>(b.get("normalizer_params").get());
      if (!params)
        return in.error(b.loc("normalizer_params"),
                        "normalizer_params must be a dict");
      for (auto &entry : params->entries) {
        auto *key = dyn_cast<StrObj>(entry.first.get());
        if (!key)
          return in.error(b.loc("normalizer_params"),
                          "normalizer_params keys must be strings");
        const Arg *from = b.arg("normalizer_params");
        args.keywords.push_back({key->value, entry.second, args.loc,
                                 from ? from->scopeLoc : SMLoc()});
      }
    }
    out = in.call(b.get("normalizer_fn"), args);
  } else if (!b.isNone("biases_initializer")) {
    Ref biases =
        layerVariable(in, b, "biases", {numOutputs},
                      b.get("biases_initializer"), b.get("biases_regularizer"));
    if (!biases)
      return nullptr;
    out = emitBiasAdd(in, cast<TensorObj>(*out), cast<TensorObj>(*biases),
                      b.callLoc);
  }
  if (!out)
    return nullptr;
  if (!b.isNone("activation_fn"))
    out = in.callWith(b.get("activation_fn"), b.loc("activation_fn"), {out});
  if (out && !isa<TensorObj>(*out))
    return in.error(b.loc("activation_fn"),
                    "activation_fn must return a tensor, got " +
                        typeName(*out));
  return out;
}

bool windowArgs(Interpreter &in, const Bound &b, int64_t kernel[2],
                int64_t stride[2], int64_t rate[2]) {
  if (!getIntPair(in, b, "kernel_size", kernel) ||
      !getIntPair(in, b, "stride", stride))
    return false;
  rate[0] = rate[1] = 1;
  if (b.get("rate") && !getIntPair(in, b, "rate", rate))
    return false;
  for (int i = 0; i < 2; ++i) {
    if (kernel[i] < 1 || stride[i] < 1 || rate[i] < 1) {
      in.error(b.callLoc, b.function + "(): kernel_size, stride and rate must "
                                       "be positive");
      return false;
    }
  }
  if ((rate[0] > 1 || rate[1] > 1) && (stride[0] > 1 || stride[1] > 1)) {
    in.error(b.loc("rate"), "only one of rate or stride can be larger than "
                            "one");
    return false;
  }
  return true;
}

std::vector<ParamSpec> withCommonTail(std::vector<ParamSpec> head,
                                      Interpreter &in) {
  for (ParamSpec p : std::vector<ParamSpec>{
           {"normalizer_fn", none()},
           {"normalizer_params", none()},
           {"weights_initializer", in.lookupKnown("xavier_default")},
           {"weights_regularizer", none()},
           {"biases_initializer", in.lookupKnown("zeros_default")},
           {"biases_regularizer", none()},
           {"reuse", none()},
           {"variables_collections", none()},
           {"outputs_collections", none()},
           {"trainable", makeBool(true)},
           {"scope", none()}})
    head.push_back(p);
  return head;
}

Ref makeVarianceScaling(double factor, std::string mode, bool uniform) {
  auto spec =
      std::make_shared<SpecObj>(ObjKind::Initializer, "variance_scaling");
  spec->params = {{"factor", factor}};
  spec->strParams = {
      {"mode", mode},
      {"distribution", uniform ? "uniform" : "slim_truncated_normal"}};
  return spec;
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

/// get_variables(scope): TF's collection filter is re.match, a regex
/// anchored at the start of the variable name.
bool filterVariables(Interpreter &in, const Ref &scope, SMLoc loc,
                     std::vector<VariableInfo *> &vars) {
  if (isNone(scope))
    return true;
  std::string pattern;
  if (auto *s = dyn_cast<StrObj>(scope.get()))
    pattern = s->value;
  else if (auto *sc = dyn_cast<VarScopeObj>(scope.get()))
    pattern = sc->name;
  else {
    in.error(loc, "scope must be a string, not " + typeName(*scope));
    return false;
  }
  llvm::Regex re("^(" + pattern + ")");
  std::string err;
  if (!re.isValid(err)) {
    in.error(loc, "invalid scope pattern '" + pattern + "': " + err);
    return false;
  }
  std::vector<VariableInfo *> kept;
  for (VariableInfo *v : vars)
    if (re.match(v->op.getSymName()))
      kept.push_back(v);
  vars = std::move(kept);
  return true;
}

Ref variablesList(const std::vector<VariableInfo *> &vars) {
  std::vector<Ref> out;
  for (VariableInfo *v : vars)
    out.push_back(v->tensor);
  return makeList(std::move(out));
}
} // namespace

Ref slim::makeSlimModule(Interpreter &interp) {
  auto slimMod = std::make_shared<ModuleObj>("tf_slim");
  auto utils = std::make_shared<ModuleObj>("tf_slim.utils");
  slimMod->attrs["utils"] = utils;
  slimMod->attrs["layers"] = slimMod;
  slimMod->attrs["initializers"] = slimMod;
  slimMod->attrs["regularizers"] = slimMod;
  slimMod->attrs["variables"] = slimMod;
  interp.known["module:slim"] = slimMod;
  interp.known["module:layers"] = slimMod;
  Ref tf = interp.lookupKnown("module:tensorflow");
  interp.known["tf.variable_scope"] = tf->attrs["variable_scope"];
  interp.known["tf.name_scope"] = tf->attrs["name_scope"];
  Ref contrib = interp.lookupKnown("module:contrib");
  contrib->attrs["slim"] = slimMod;
  contrib->attrs["layers"] = slimMod;
  contrib->attrs["framework"] = slimMod;

  interp.known["xavier_default"] = makeVarianceScaling(1.0, "FAN_AVG", true);
  interp.known["zeros_default"] =
      std::make_shared<SpecObj>(ObjKind::Initializer, "zeros");
  interp.known["ones_default"] =
      std::make_shared<SpecObj>(ObjKind::Initializer, "ones");
  Ref relu = interp.lookupKnown("activation:relu");

  auto alias = [&](llvm::StringRef from, llvm::StringRef to) {
    slimMod->attrs[to.str()] = slimMod->attrs[from.str()];
  };

  //===--------------------------------------------------------------------===//
  // Layers
  //===--------------------------------------------------------------------===//

  std::vector<ParamSpec> convParams =
      withCommonTail({{"inputs", nullptr},
                      {"num_outputs", nullptr},
                      {"kernel_size", nullptr},
                      {"stride", makeInt(1)},
                      {"padding", makeStr("SAME")},
                      {"data_format", none()},
                      {"rate", makeInt(1)},
                      {"activation_fn", relu}},
                     interp);
  defineBuiltin(
      *slimMod, "conv2d", "convolution2d",
      [convParams](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        TensorObj *x;
        int64_t numOutputs, kernel[2], stride[2], rate[2];
        std::string padding;
        if (!bindArgs(in, "convolution2d", convParams, args, b) ||
            !getTensor4D(in, b, x) || !checkDataFormat(in, b) ||
            !getInt(in, b, "num_outputs", numOutputs) ||
            !windowArgs(in, b, kernel, stride, rate) ||
            !getString(in, b, "padding", padding) ||
            !checkSpec(in, b, "weights_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "biases_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "weights_regularizer", ObjKind::Regularizer) ||
            !checkSpec(in, b, "biases_regularizer", ObjKind::Regularizer))
          return nullptr;
        if (numOutputs < 1)
          return in.error(b.loc("num_outputs"), "num_outputs must be positive");
        llvm::SmallVector<int64_t, 4> pads;
        if (!resolvePadding(in, padding, b.loc("padding"), x->shape, kernel,
                            stride, rate, pads))
          return nullptr;
        return inVariableScope(in, b, "Conv", [&](VarScopeObj &sc) -> Ref {
          Ref weights = layerVariable(
              in, b, "weights", {kernel[0], kernel[1], x->shape[3], numOutputs},
              b.get("weights_initializer"), b.get("weights_regularizer"));
          if (!weights)
            return nullptr;
          Ref out = emitConv2D(in, *x, cast<TensorObj>(*weights), stride, rate,
                               pads, args.loc);
          if (!out)
            return nullptr;
          out = normalizeBiasActivate(in, b, out, numOutputs);
          return collectNamedOutputs(in, b.get("outputs_collections"), sc.name,
                                     out, args.loc);
        });
      },
      /*argScoped=*/true);
  alias("conv2d", "convolution2d");
  alias("conv2d", "convolution");

  std::vector<ParamSpec> fcParams = withCommonTail(
      {{"inputs", nullptr}, {"num_outputs", nullptr}, {"activation_fn", relu}},
      interp);
  defineBuiltin(
      *slimMod, "fully_connected", "fully_connected",
      [fcParams](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "fully_connected", fcParams, args, b) ||
            !checkSpec(in, b, "weights_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "biases_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "weights_regularizer", ObjKind::Regularizer) ||
            !checkSpec(in, b, "biases_regularizer", ObjKind::Regularizer))
          return nullptr;
        TensorObj *x = getTensor(in, b, "inputs");
        if (!x)
          return nullptr;
        if (!isa<IntObj>(*b.get("num_outputs")))
          return in.error(
              b.loc("num_outputs"),
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
        return inVariableScope(
            in, b, "fully_connected", [&](VarScopeObj &sc) -> Ref {
              Ref weights = layerVariable(
                  in, b, "weights", {x->shape.back(), numOutputs},
                  b.get("weights_initializer"), b.get("weights_regularizer"));
              if (!weights)
                return nullptr;
              Ref out = emitMatMul(in, *x, cast<TensorObj>(*weights), args.loc);
              if (!out)
                return nullptr;
              out = normalizeBiasActivate(in, b, out, numOutputs);
              return collectNamedOutputs(in, b.get("outputs_collections"),
                                         sc.name, out, args.loc);
            });
      },
      true);
  alias("fully_connected", "linear_layer");

  std::vector<ParamSpec> sepParams = {
      {"inputs", nullptr},
      {"num_outputs", nullptr},
      {"kernel_size", nullptr},
      {"depth_multiplier", makeInt(1)},
      {"stride", makeInt(1)},
      {"padding", makeStr("SAME")},
      {"data_format", none()},
      {"rate", makeInt(1)},
      {"activation_fn", relu},
      {"normalizer_fn", none()},
      {"normalizer_params", none()},
      {"weights_initializer", interp.lookupKnown("xavier_default")},
      {"pointwise_initializer", none()},
      {"weights_regularizer", none()},
      {"biases_initializer", interp.lookupKnown("zeros_default")},
      {"biases_regularizer", none()},
      {"reuse", none()},
      {"variables_collections", none()},
      {"outputs_collections", none()},
      {"trainable", makeBool(true)},
      {"scope", none()}};
  defineBuiltin(
      *slimMod, "separable_conv2d", "separable_convolution2d",
      [sepParams](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        TensorObj *x;
        int64_t multiplier, kernel[2], stride[2], rate[2];
        std::string padding;
        if (!bindArgs(in, "separable_convolution2d", sepParams, args, b) ||
            !getTensor4D(in, b, x) || !checkDataFormat(in, b) ||
            !getInt(in, b, "depth_multiplier", multiplier) ||
            !windowArgs(in, b, kernel, stride, rate) ||
            !getString(in, b, "padding", padding) ||
            !checkSpec(in, b, "weights_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "pointwise_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "biases_initializer", ObjKind::Initializer) ||
            !checkSpec(in, b, "weights_regularizer", ObjKind::Regularizer))
          return nullptr;
        int64_t numOutputs = 0;
        bool depthwiseOnly = b.isNone("num_outputs");
        if (!depthwiseOnly && !getInt(in, b, "num_outputs", numOutputs))
          return nullptr;
        if (multiplier < 1 || (!depthwiseOnly && numOutputs < 1))
          return in.error(args.loc, "depth_multiplier and num_outputs must be "
                                    "positive");
        llvm::SmallVector<int64_t, 4> pads;
        if (!resolvePadding(in, padding, b.loc("padding"), x->shape, kernel,
                            stride, rate, pads))
          return nullptr;
        return inVariableScope(
            in, b, "SeparableConv2d", [&](VarScopeObj &sc) -> Ref {
              int64_t cin = x->shape[3];
              Ref dw = layerVariable(in, b, "depthwise_weights",
                                     {kernel[0], kernel[1], cin, multiplier},
                                     b.get("weights_initializer"),
                                     b.get("weights_regularizer"));
              if (!dw)
                return nullptr;
              Ref out = emitDepthwiseConv2D(in, *x, cast<TensorObj>(*dw),
                                            stride, rate, pads, args.loc);
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
                out =
                    emitConv2D(in, cast<TensorObj>(*out), cast<TensorObj>(*pw),
                               one, one, zero, args.loc);
                if (!out)
                  return nullptr;
                channels = numOutputs;
              }
              out = normalizeBiasActivate(in, b, out, channels);
              return collectNamedOutputs(in, b.get("outputs_collections"),
                                         sc.name, out, args.loc);
            });
      },
      true);
  alias("separable_conv2d", "separable_convolution2d");

  std::vector<ParamSpec> transParams =
      withCommonTail({{"inputs", nullptr},
                      {"num_outputs", nullptr},
                      {"kernel_size", nullptr},
                      {"stride", makeInt(1)},
                      {"padding", makeStr("SAME")},
                      {"data_format", none()},
                      {"activation_fn", relu}},
                     interp);
  defineBuiltin(
      *slimMod, "conv2d_transpose", "convolution2d_transpose",
      [transParams](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        TensorObj *x;
        int64_t numOutputs, kernel[2], stride[2], rate[2];
        std::string padding;
        if (!bindArgs(in, "convolution2d_transpose", transParams, args, b) ||
            !getTensor4D(in, b, x) || !checkDataFormat(in, b) ||
            !getInt(in, b, "num_outputs", numOutputs) ||
            !windowArgs(in, b, kernel, stride, rate) ||
            !getString(in, b, "padding", padding))
          return nullptr;
        std::string upper = llvm::StringRef(padding).upper();
        if (upper != "SAME" && upper != "VALID")
          return in.error(b.loc("padding"),
                          "padding must be 'SAME' or 'VALID', got '" + padding +
                              "'");
        llvm::SmallVector<int64_t, 4> pads(4, 0);
        for (int d = 0; d < 2; ++d) {
          if (kernel[d] < stride[d])
            return in.error(b.loc("kernel_size"),
                            "slimc's conv2d_transpose needs kernel_size >= "
                            "stride");
          if (upper == "SAME") {
            int64_t total = kernel[d] - stride[d];
            pads[2 * d] = total / 2;
            pads[2 * d + 1] = total - total / 2;
          }
        }
        return inVariableScope(
            in, b, "Conv2d_transpose", [&](VarScopeObj &sc) -> Ref {
              Ref weights = layerVariable(
                  in, b, "weights",
                  {kernel[0], kernel[1], numOutputs, x->shape[3]},
                  b.get("weights_initializer"), b.get("weights_regularizer"));
              if (!weights)
                return nullptr;
              Ref out = emitConv2DTranspose(in, *x, cast<TensorObj>(*weights),
                                            stride, pads, args.loc);
              if (!out)
                return nullptr;
              out = normalizeBiasActivate(in, b, out, numOutputs);
              return collectNamedOutputs(in, b.get("outputs_collections"),
                                         sc.name, out, args.loc);
            });
      },
      true);
  alias("conv2d_transpose", "convolution2d_transpose");

  Ref batchNorm = defineBuiltin(
      *slimMod, "batch_norm", "batch_norm",
      [](Interpreter &in, CallArgs &args) -> Ref {
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
            !getBool(in, b, "center", center) ||
            !getBool(in, b, "scale", scale) ||
            !getBool(in, b, "is_training", isTraining))
          return nullptr;
        if (isTruthy(*b.get("renorm")) || !b.isNone("batch_weights"))
          return in.error(args.loc,
                          "batch_norm: renorm and batch_weights are not "
                          "supported by slimc");
        if (x->shape.size() < 2)
          return in.error(b.loc("inputs"),
                          "batch_norm input must have rank >= 2");
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
            gamma =
                layerVariable(in, b, "gamma", {channels},
                              paramOf("param_initializers", "gamma",
                                      in.lookupKnown("ones_default")),
                              paramOf("param_regularizers", "gamma", none()));
            if (!gamma)
              return nullptr;
          }
          if (center) {
            beta = layerVariable(in, b, "beta", {channels},
                                 paramOf("param_initializers", "beta",
                                         in.lookupKnown("zeros_default")),
                                 paramOf("param_regularizers", "beta", none()));
            if (!beta)
              return nullptr;
          }
          // Moving statistics are model variables but never trainable.
          Ref collections = b.get("variables_collections");
          auto movingVar = [&](llvm::StringRef name, Ref init) {
            return in.getVariable(name, {channels}, init, none(), false, true,
                                  variableCollections(collections, name), "",
                                  args.loc);
          };
          Ref mean = movingVar("moving_mean",
                               paramOf("param_initializers", "moving_mean",
                                       in.lookupKnown("zeros_default")));
          if (!mean)
            return nullptr;
          Ref variance =
              movingVar("moving_variance",
                        paramOf("param_initializers", "moving_variance",
                                in.lookupKnown("ones_default")));
          if (!variance)
            return nullptr;
          Ref out = emitBatchNorm(
              in, *x, cast<TensorObj>(*mean), cast<TensorObj>(*variance),
              beta ? cast<TensorObj>(beta.get()) : nullptr,
              gamma ? cast<TensorObj>(gamma.get()) : nullptr, epsilon,
              isTraining, args.loc);
          if (out && !b.isNone("activation_fn"))
            out = in.callWith(b.get("activation_fn"), b.loc("activation_fn"),
                              {out});
          return collectNamedOutputs(in, b.get("outputs_collections"), sc.name,
                                     out, args.loc);
        });
      },
      true);
  interp.known["slim.batch_norm"] = batchNorm;

  auto pool = [](bool isMax) {
    const char *name = isMax ? "max_pool2d" : "avg_pool2d";
    return [isMax, name](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      TensorObj *x;
      int64_t kernel[2], stride[2], rate[2];
      std::string padding;
      if (!bindArgs(in, name,
                    {{"inputs", nullptr},
                     {"kernel_size", nullptr},
                     {"stride", makeInt(2)},
                     {"padding", makeStr("VALID")},
                     {"data_format", none()},
                     {"outputs_collections", none()},
                     {"scope", none()}},
                    args, b) ||
          !getTensor4D(in, b, x) || !checkDataFormat(in, b) ||
          !windowArgs(in, b, kernel, stride, rate) ||
          !getString(in, b, "padding", padding))
        return nullptr;
      llvm::SmallVector<int64_t, 4> pads;
      if (!resolvePadding(in, padding, b.loc("padding"), x->shape, kernel,
                          stride, rate, pads))
        return nullptr;
      return inNameScope(
          in, b, isMax ? "MaxPool2D" : "AvgPool2D",
          [&](const std::string &sc) -> Ref {
            Ref out = emitPool(in, isMax, *x, kernel, stride, pads, args.loc);
            return collectNamedOutputs(in, b.get("outputs_collections"), sc,
                                       out, args.loc);
          });
    };
  };
  defineBuiltin(*slimMod, "max_pool2d", "max_pool2d", pool(true), true);
  defineBuiltin(*slimMod, "avg_pool2d", "avg_pool2d", pool(false), true);

  defineBuiltin(
      *slimMod, "dropout", "dropout",
      [](Interpreter &in, CallArgs &args) -> Ref {
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
      },
      true);

  defineBuiltin(
      *slimMod, "flatten", "flatten",
      [](Interpreter &in, CallArgs &args) -> Ref {
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
          Ref out =
              emitReshape(in, *x, {x->shape[0], rest}, "Reshape", args.loc);
          return collectNamedOutputs(in, b.get("outputs_collections"), sc, out,
                                     args.loc);
        });
      },
      true);

  defineBuiltin(
      *slimMod, "softmax", "softmax",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "softmax", {{"logits", nullptr}, {"scope", none()}},
                      args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "logits");
        if (!x)
          return nullptr;
        return inVariableScope(in, b, "softmax", [&](VarScopeObj &) -> Ref {
          return emitSoftmax(in, *x, args.loc);
        });
      },
      true);

  defineBuiltin(
      *slimMod, "bias_add", "bias_add",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "bias_add",
                      {{"inputs", nullptr},
                       {"activation_fn", none()},
                       {"initializer", in.lookupKnown("zeros_default")},
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
          Ref biases =
              layerVariable(in, b, "biases", {x->shape.back()},
                            b.get("initializer"), b.get("regularizer"));
          if (!biases)
            return nullptr;
          Ref out = emitBiasAdd(in, *x, cast<TensorObj>(*biases), args.loc);
          if (out && !b.isNone("activation_fn"))
            out = in.callWith(b.get("activation_fn"), b.loc("activation_fn"),
                              {out});
          return collectNamedOutputs(in, b.get("outputs_collections"), sc.name,
                                     out, args.loc);
        });
      },
      true);

  //===--------------------------------------------------------------------===//
  // repeat, stack, arg_scope
  //===--------------------------------------------------------------------===//

  // Inner scope names come from the layer's __name__, as in tf_slim.
  auto layerName = [](const Ref &layer) -> std::string {
    if (auto *b = dyn_cast<BuiltinObj>(layer.get()))
      return b->name;
    if (auto *f = dyn_cast<FunctionObj>(layer.get()))
      return f->name;
    return "repeat";
  };

  defineBuiltin(
      *slimMod, "repeat", "repeat",
      [layerName](Interpreter &in, CallArgs &args) -> Ref {
        if (args.positional.size() < 3)
          return in.error(args.loc, "repeat() needs inputs, repetitions and "
                                    "layer");
        Ref inputs = args.positional[0].value;
        auto *reps = dyn_cast<IntObj>(args.positional[1].value.get());
        if (!reps || reps->value < 0)
          return in.error(args.positional[1].loc,
                          "repeat() repetitions must be a non-negative int");
        Ref layer = args.positional[2].value;
        CallArgs inner;
        inner.loc = args.loc;
        inner.positional.assign(args.positional.begin() + 3,
                                args.positional.end());
        Ref scope = none();
        SMLoc scopeLoc = args.loc;
        for (const Arg &k : args.keywords) {
          if (k.name == "scope") {
            scope = k.value;
            scopeLoc = k.loc;
          } else {
            inner.keywords.push_back(k);
          }
        }
        Bound sb;
        sb.callLoc = args.loc;
        sb.values = {{"scope", scope}};
        if (!isNone(scope))
          sb.given = {{"scope", {"scope", scope, scopeLoc, SMLoc()}}};
        std::string prefix;
        if (auto *s = dyn_cast<StrObj>(scope.get()))
          prefix = s->value;
        else if (isNone(scope))
          prefix = layerName(layer);
        else
          return in.error(scopeLoc, "repeat() scope must be a string");
        return inVariableScope(in, sb, "Repeat", [&](VarScopeObj &) -> Ref {
          Ref out = inputs;
          for (int64_t i = 0; i < reps->value; ++i) {
            CallArgs call = inner;
            call.positional.insert(call.positional.begin(),
                                   {"", out, args.positional[0].loc, SMLoc()});
            call.keywords.push_back(
                {"scope", makeStr(prefix + "_" + std::to_string(i + 1)),
                 scopeLoc, SMLoc()});
            out = in.call(layer, call);
            if (!out)
              return nullptr;
          }
          return out;
        });
      });

  defineBuiltin(
      *slimMod, "stack", "stack",
      [layerName](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "stack",
                      {{"inputs", nullptr},
                       {"layer", nullptr},
                       {"stack_args", nullptr},
                       {"scope", none()}},
                      args, b, /*acceptExtraKeywords=*/true))
          return nullptr;
        auto *stackArgs = dyn_cast<SeqObj>(b.get("stack_args").get());
        if (!stackArgs)
          return in.error(b.loc("stack_args"),
                          "ValueError: stack_args need to be a list or tuple");
        Ref layer = b.get("layer");
        std::string prefix;
        if (auto *s = dyn_cast<StrObj>(b.get("scope").get()))
          prefix = s->value;
        else if (b.isNone("scope"))
          prefix = layerName(layer);
        else
          return in.error(b.loc("scope"), "stack() scope must be a string");
        return inVariableScope(in, b, "Stack", [&](VarScopeObj &) -> Ref {
          Ref out = b.get("inputs");
          for (size_t i = 0; i < stackArgs->items.size(); ++i) {
            CallArgs call;
            call.loc = args.loc;
            call.positional.push_back({"", out, b.loc("inputs"), SMLoc()});
            Ref layerArgs = stackArgs->items[i];
            if (auto *seq = dyn_cast<SeqObj>(layerArgs.get()))
              for (auto &item : seq->items)
                call.positional.push_back(
                    {"", item, b.loc("stack_args"), SMLoc()});
            else
              call.positional.push_back(
                  {"", layerArgs, b.loc("stack_args"), SMLoc()});
            call.keywords = b.extraKeywords;
            call.keywords.push_back(
                {"scope", makeStr(prefix + "_" + std::to_string(i + 1)),
                 b.loc("scope"), SMLoc()});
            out = in.call(layer, call);
            if (!out)
              return nullptr;
          }
          return out;
        });
      },
      true);

  defineBuiltin(
      *slimMod, "arg_scope", "arg_scope",
      [](Interpreter &in, CallArgs &args) -> Ref {
        if (args.positional.size() != 1)
          return in.error(args.loc,
                          "arg_scope() takes one positional argument: "
                          "a list of ops or a saved scope");
        Ref target = args.positional[0].value;
        std::shared_ptr<ArgScopeObj> scope;
        if (auto *saved = dyn_cast<ArgScopeObj>(target.get())) {
          if (!args.keywords.empty())
            return in.error(args.keywords.front().loc,
                            "ValueError: When attempting to re-use a scope by "
                            "suppling a dictionary, kwargs must be empty.");
          scope = std::make_shared<ArgScopeObj>(*saved);
        } else if (auto *ops = dyn_cast<SeqObj>(target.get())) {
          scope = std::make_shared<ArgScopeObj>(*in.currentArgScope());
          for (auto &op : ops->items) {
            bool scoped = false;
            if (auto *b = dyn_cast<BuiltinObj>(op.get()))
              scoped = b->argScoped;
            else if (auto *f = dyn_cast<FunctionObj>(op.get()))
              scoped = f->argScoped;
            if (!scoped) {
              std::string name = reprValue(*op);
              if (auto *b = dyn_cast<BuiltinObj>(op.get()))
                name = b->name;
              else if (auto *f = dyn_cast<FunctionObj>(op.get()))
                name = f->name;
              return in.error(args.positional[0].loc,
                              "ValueError: " + name +
                                  " is not decorated with @add_arg_scope");
            }
            scope->getOrCreate(op).merge(args.keywords);
          }
        } else {
          return in.error(args.positional[0].loc,
                          "TypeError: list_ops_or_scope must either be a "
                          "list/tuple or reused scope (i.e. dict)");
        }
        auto ctx = std::make_shared<ContextObj>();
        ctx->enter = [scope](Interpreter &in, SMLoc) -> Ref {
          in.pushArgScope(scope);
          return scope;
        };
        ctx->exit = [](Interpreter &in) { in.popArgScope(); };
        return ctx;
      });
  defineBuiltin(*slimMod, "add_arg_scope", "add_arg_scope",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  if (args.positional.size() != 1 ||
                      !isa<FunctionObj>(*args.positional[0].value))
                    return in.error(args.loc,
                                    "add_arg_scope decorates one function");
                  cast<FunctionObj>(*args.positional[0].value).argScoped = true;
                  return args.positional[0].value;
                });
  defineBuiltin(
      *slimMod, "current_arg_scope", "current_arg_scope",
      [](Interpreter &in, CallArgs &) -> Ref { return in.currentArgScope(); });

  //===--------------------------------------------------------------------===//
  // Variables
  //===--------------------------------------------------------------------===//

  auto variableFn = [](bool isModel) {
    const char *name = isModel ? "model_variable" : "variable";
    return [isModel, name](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      if (!bindArgs(in, name,
                    {{"name", nullptr},
                     {"shape", none()},
                     {"dtype", none()},
                     {"initializer", none()},
                     {"regularizer", none()},
                     {"trainable", makeBool(true)},
                     {"collections", none()},
                     {"caching_device", none()},
                     {"device", none()},
                     {"partitioner", none()},
                     {"custom_getter", none()},
                     {"use_resource", none()},
                     {"synchronization", none()},
                     {"aggregation", none()}},
                    args, b) ||
          !checkSpec(in, b, "initializer", ObjKind::Initializer) ||
          !checkSpec(in, b, "regularizer", ObjKind::Regularizer))
        return nullptr;
      Ref dtype = b.get("dtype");
      if (!isNone(dtype) &&
          !(isa<DTypeObj>(*dtype) && cast<DTypeObj>(*dtype).name == "float32"))
        return in.error(b.loc("dtype"),
                        "slimc supports float32 variables only");
      std::string varName, device;
      std::vector<int64_t> shape;
      std::vector<std::string> collections;
      if (!getString(in, b, "name", varName) ||
          !getOptionalString(in, b, "device", device) ||
          !getStringList(in, b, "collections", collections))
        return nullptr;
      if (b.isNone("shape"))
        return in.error(args.loc, std::string(name) +
                                      "() needs a shape: slimc variables "
                                      "have static shapes");
      if (!getIntList(in, b.get("shape"), b.loc("shape"), "shape", shape))
        return nullptr;
      return in.getVariable(varName, shape, b.get("initializer"),
                            b.get("regularizer"), isTruthy(*b.get("trainable")),
                            isModel, collections, device, b.loc("name"));
    };
  };
  defineBuiltin(*slimMod, "variable", "variable", variableFn(false), true);
  defineBuiltin(*slimMod, "model_variable", "model_variable", variableFn(true),
                true);

  auto listVariables = [](int which) {
    // 0: all, 1: model, 2: trainable
    return [which](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      if (!bindArgs(in, "get_variables",
                    {{"scope", none()}, {"suffix", none()}}, args, b))
        return nullptr;
      std::vector<VariableInfo *> vars;
      for (auto &v : in.getVariables())
        if (which == 0 || (which == 1 && v->isModel) ||
            (which == 2 && v->trainable))
          vars.push_back(v.get());
      if (!filterVariables(in, b.get("scope"), b.loc("scope"), vars))
        return nullptr;
      std::string suffix;
      if (!getOptionalString(in, b, "suffix", suffix))
        return nullptr;
      if (!suffix.empty())
        llvm::erase_if(vars, [&](VariableInfo *v) {
          return !v->op.getSymName().ends_with(suffix);
        });
      return variablesList(vars);
    };
  };
  defineBuiltin(*slimMod, "get_variables", "get_variables", listVariables(0));
  defineBuiltin(*slimMod, "get_model_variables", "get_model_variables",
                listVariables(1));
  defineBuiltin(*slimMod, "get_trainable_variables", "get_trainable_variables",
                listVariables(2));
  defineBuiltin(
      *slimMod, "get_variables_to_restore", "get_variables_to_restore",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "get_variables_to_restore",
                      {{"include", none()}, {"exclude", none()}}, args, b))
          return nullptr;
        std::vector<VariableInfo *> all;
        for (auto &v : in.getVariables())
          all.push_back(v.get());
        auto select = [&](llvm::StringRef param,
                          std::vector<VariableInfo *> &out) -> bool {
          auto *seq = dyn_cast<SeqObj>(b.get(param).get());
          if (!seq) {
            in.error(b.loc(param), param + " must be a list of scope names");
            return false;
          }
          for (auto &scope : seq->items) {
            std::vector<VariableInfo *> part = all;
            if (!filterVariables(in, scope, b.loc(param), part))
              return false;
            out.insert(out.end(), part.begin(), part.end());
          }
          return true;
        };
        std::vector<VariableInfo *> included, excluded;
        if (b.isNone("include"))
          included = all;
        else if (!select("include", included))
          return nullptr;
        if (!b.isNone("exclude") && !select("exclude", excluded))
          return nullptr;
        llvm::erase_if(included, [&](VariableInfo *v) {
          return llvm::is_contained(excluded, v);
        });
        return variablesList(included);
      });
  defineBuiltin(*slimMod, "add_model_variable", "add_model_variable",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  if (args.positional.size() != 1)
                    return in.error(args.loc,
                                    "add_model_variable() takes one variable");
                  auto *t = dyn_cast<TensorObj>(args.positional[0].value.get());
                  VariableInfo *v = t ? in.findVariable(t->varName) : nullptr;
                  if (!v)
                    return in.error(args.positional[0].loc,
                                    "add_model_variable() needs a variable");
                  if (!v->isModel) {
                    v->isModel = true;
                    v->op.setCollection("model");
                  }
                  return makeNone();
                });

  //===--------------------------------------------------------------------===//
  // Initializers and regularizers
  //===--------------------------------------------------------------------===//

  auto xavier = [](Interpreter &in, CallArgs &args) -> Ref {
    Bound b;
    if (!bindArgs(
            in, "xavier_initializer",
            {{"uniform", makeBool(true)}, {"seed", none()}, {"dtype", none()}},
            args, b))
      return nullptr;
    return makeVarianceScaling(1.0, "FAN_AVG", isTruthy(*b.get("uniform")));
  };
  defineBuiltin(*slimMod, "xavier_initializer", "xavier_initializer", xavier);
  defineBuiltin(*slimMod, "xavier_initializer_conv2d", "xavier_initializer",
                xavier);
  defineBuiltin(
      *slimMod, "variance_scaling_initializer", "variance_scaling_initializer",
      [](Interpreter &in, CallArgs &args) -> Ref {
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
            !getFloat(in, b, "factor", factor) ||
            !getString(in, b, "mode", mode))
          return nullptr;
        if (mode != "FAN_IN" && mode != "FAN_OUT" && mode != "FAN_AVG")
          return in.error(b.loc("mode"), "TypeError: Unknown mode " + mode +
                                             " [FAN_IN, FAN_OUT, FAN_AVG]");
        return makeVarianceScaling(factor, mode, isTruthy(*b.get("uniform")));
      });

  auto singleRegularizer = [](bool isL1) {
    const char *name = isL1 ? "l1_regularizer" : "l2_regularizer";
    return [isL1, name](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      double scale;
      if (!bindArgs(in, name, {{"scale", nullptr}, {"scope", none()}}, args,
                    b) ||
          !checkScale(in, b, "scale", scale))
        return nullptr;
      // A zero scale disables the regularizer, as in tf_slim.
      if (scale == 0.0)
        return makeNone();
      return makeRegularizer(isL1 ? "l1" : "l2", {{"scale", scale}});
    };
  };
  defineBuiltin(*slimMod, "l1_regularizer", "l1_regularizer",
                singleRegularizer(true));
  defineBuiltin(*slimMod, "l2_regularizer", "l2_regularizer",
                singleRegularizer(false));
  defineBuiltin(
      *slimMod, "l1_l2_regularizer", "l1_l2_regularizer",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        double l1, l2;
        if (!bindArgs(in, "l1_l2_regularizer",
                      {{"scale_l1", makeFloat(1.0)},
                       {"scale_l2", makeFloat(1.0)},
                       {"scope", none()}},
                      args, b) ||
            !checkScale(in, b, "scale_l1", l1) ||
            !checkScale(in, b, "scale_l2", l2))
          return nullptr;
        if (l1 == 0.0 && l2 == 0.0)
          return makeNone();
        if (l1 == 0.0)
          return makeRegularizer("l2", {{"scale", l2}});
        if (l2 == 0.0)
          return makeRegularizer("l1", {{"scale", l1}});
        return makeRegularizer("l1_l2", {{"scale_l1", l1}, {"scale_l2", l2}});
      });
  defineBuiltin(
      *slimMod, "sum_regularizer", "sum_regularizer",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "sum_regularizer",
                      {{"regularizer_list", nullptr}, {"scope", none()}}, args,
                      b))
          return nullptr;
        auto *seq = dyn_cast<SeqObj>(b.get("regularizer_list").get());
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
      });

  //===--------------------------------------------------------------------===//
  // slim.utils
  //===--------------------------------------------------------------------===//

  defineBuiltin(*utils, "convert_collection_to_dict",
                "convert_collection_to_dict",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  std::string name;
                  if (!bindArgs(in, "convert_collection_to_dict",
                                {{"collection", nullptr},
                                 {"clear_collection", makeBool(false)}},
                                args, b) ||
                      !getString(in, b, "collection", name))
                    return nullptr;
                  auto dict = std::make_shared<DictObj>();
                  // Each tensor contributes every alias it was collected under.
                  for (auto &entry : in.collections[name]) {
                    auto *t = dyn_cast<TensorObj>(entry.second.get());
                    if (!t)
                      continue;
                    for (auto &alias : t->aliases)
                      dict->set(makeStr(alias), entry.second);
                  }
                  if (isTruthy(*b.get("clear_collection")))
                    in.collections[name].clear();
                  return dict;
                });
  defineBuiltin(*utils, "collect_named_outputs", "collect_named_outputs",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  std::string alias;
                  if (!bindArgs(in, "collect_named_outputs",
                                {{"collections", nullptr},
                                 {"alias", nullptr},
                                 {"outputs", nullptr}},
                                args, b) ||
                      !getString(in, b, "alias", alias))
                    return nullptr;
                  return collectNamedOutputs(in, b.get("collections"), alias,
                                             b.get("outputs"), args.loc);
                });
  defineBuiltin(*utils, "last_dimension", "last_dimension",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  int64_t minRank;
                  if (!bindArgs(in, "last_dimension",
                                {{"shape", nullptr}, {"min_rank", makeInt(1)}},
                                args, b) ||
                      !getInt(in, b, "min_rank", minRank))
                    return nullptr;
                  auto *seq = dyn_cast<SeqObj>(b.get("shape").get());
                  if (!seq)
                    return in.error(b.loc("shape"),
                                    "last_dimension() needs a TensorShape");
                  if (int64_t(seq->items.size()) < minRank)
                    return in.error(
                        args.loc,
                        "ValueError: rank of shape must be at least " +
                            llvm::Twine(minRank) +
                            " not: " + llvm::Twine(seq->items.size()));
                  return seq->items.back();
                });
  return slimMod;
}
