//===- LayerArgs.cpp - Arguments TF-Slim's layers share -------------------===//

#include "frontend/builtins/LayerArgs.h"
#include "frontend/GraphOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

std::vector<ParamSpec>
slim::weightLayerParams(Interpreter &in, std::vector<ParamSpec> head,
                        std::vector<ParamSpec> extraAfterWeightsInitializer) {
  head.push_back({"normalizer_fn", none()});
  head.push_back({"normalizer_params", none()});
  head.push_back({"weights_initializer", in.requireKnown("xavier_default")});
  for (ParamSpec &p : extraAfterWeightsInitializer)
    head.push_back(p);
  for (ParamSpec p : std::vector<ParamSpec>{
           {"weights_regularizer", none()},
           {"biases_initializer", in.requireKnown("zeros_default")},
           {"biases_regularizer", none()},
           {"reuse", none()},
           {"variables_collections", none()},
           {"outputs_collections", none()},
           {"trainable", makeBool(true)},
           {"scope", none()}})
    head.push_back(p);
  return head;
}

TensorObj *slim::getNHWCInput(Interpreter &in, const Bound &b) {
  TensorObj *x = getTensor(in, b, "inputs");
  if (!x)
    return nullptr;
  if (x->shape.size() != 4) {
    in.error(b.loc("inputs"), b.function +
                                  "() expects a 4-D NHWC input, got "
                                  "shape [" +
                                  mlir::slim::shapeToString(x->shape) + "]");
    return nullptr;
  }
  return checkDataFormat(in, b) ? x : nullptr;
}

bool slim::checkDataFormat(Interpreter &in, const Bound &b) {
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

bool slim::getWindow(Interpreter &in, const Bound &b, Window &w) {
  if (!getIntPair(in, b, "kernel_size", w.kernel) ||
      !getIntPair(in, b, "stride", w.stride))
    return false;
  w.rate[0] = w.rate[1] = 1;
  if (b.get("rate") && !getIntPair(in, b, "rate", w.rate))
    return false;
  for (int i = 0; i < 2; ++i) {
    if (w.kernel[i] < 1 || w.stride[i] < 1 || w.rate[i] < 1) {
      in.error(b.callLoc, b.function + "(): kernel_size, stride and rate must "
                                       "be positive");
      return false;
    }
  }
  if ((w.rate[0] > 1 || w.rate[1] > 1) &&
      (w.stride[0] > 1 || w.stride[1] > 1)) {
    in.error(b.loc("rate"), "only one of rate or stride can be larger than "
                            "one");
    return false;
  }
  return getString(in, b, "padding", w.padding);
}

bool slim::resolveWindowPadding(Interpreter &in, const Bound &b,
                                const TensorObj &input, Window &w) {
  return resolvePadding(in, w.padding, b.loc("padding"), input.shape, w.kernel,
                        w.stride, w.rate, w.pads);
}

bool slim::checkSpecs(
    Interpreter &in, const Bound &b,
    std::initializer_list<std::pair<llvm::StringRef, ObjKind>> specs) {
  for (auto [name, kind] : specs) {
    Ref v = b.get(name);
    if (isNone(v) || v->kind == kind ||
        (kind == ObjKind::Initializer && isa<FunctionObj>(*v)))
      continue;
    std::string hint;
    if (isa<BuiltinObj>(*v))
      hint = " (did you forget the parentheses, e.g. tf.zeros_initializer()?)";
    in.error(b.loc(name), b.function + "() argument '" + name + "' must be " +
                              (kind == ObjKind::Initializer ? "an initializer"
                                                            : "a regularizer") +
                              ", not " + typeName(*v) + hint);
    return false;
  }
  return true;
}

bool slim::checkWeightLayerSpecs(Interpreter &in, const Bound &b) {
  return checkSpecs(in, b,
                    {{"weights_initializer", ObjKind::Initializer},
                     {"biases_initializer", ObjKind::Initializer},
                     {"weights_regularizer", ObjKind::Regularizer},
                     {"biases_regularizer", ObjKind::Regularizer}});
}

std::vector<std::string> slim::variableCollections(const Ref &value,
                                                   llvm::StringRef name) {
  std::vector<std::string> out;
  Ref v = value;
  // TF-Slim's get_variable_collections does variables_collections.get(name):
  // a dict without the variable's key adds no collection for it.
  if (auto *d = dyn_cast<DictObj>(value.get()))
    v = d->get(makeStr(name.str()));
  if (!v)
    return out;
  if (auto *s = dyn_cast<StrObj>(v.get()))
    out.push_back(s->value);
  else if (auto *seq = dyn_cast<SeqObj>(v.get()))
    for (auto &item : seq->items)
      if (auto *s = dyn_cast<StrObj>(item.get()))
        out.push_back(s->value);
  return out;
}

namespace {
/// Appends the elements of the compile-time array `v` of shape `shape`
/// (nested lists, a numpy array) in row-major order; false if its shape
/// differs.
bool flattenArray(const Ref &v, llvm::ArrayRef<int64_t> shape,
                  std::vector<double> &out) {
  if (shape.empty()) {
    if (auto *i = dyn_cast<IntObj>(v.get()))
      out.push_back(double(i->value));
    else if (auto *f = dyn_cast<FloatObj>(v.get()))
      out.push_back(f->value);
    else if (auto *b = dyn_cast<BoolObj>(v.get()))
      out.push_back(b->value ? 1.0 : 0.0);
    else
      return false;
    return true;
  }
  auto *seq = dyn_cast<SeqObj>(v.get());
  if (!seq || int64_t(seq->items.size()) != shape[0])
    return false;
  for (const Ref &item : seq->items)
    if (!flattenArray(item, shape.drop_front(), out))
      return false;
  return true;
}
} // namespace

Ref slim::resolveInitializer(Interpreter &in, Ref initializer,
                             llvm::ArrayRef<int64_t> shape, SMLoc loc) {
  if (!initializer || !isa<FunctionObj>(*initializer))
    return initializer;
  std::vector<Ref> dims;
  for (int64_t d : shape)
    dims.push_back(makeInt(d));
  Ref result = in.callWith(
      initializer, loc, {makeList(std::move(dims))},
      {{"dtype", in.lookupKnown("tf.float32")}, {"partition_info", none()}});
  if (!result)
    return nullptr;
  std::vector<double> flat;
  if (isa<TensorObj>(*result) || !flattenArray(result, shape, flat))
    return in.error(loc, "an initializer function must return a "
                         "compile-time array of the variable's shape [" +
                             mlir::slim::shapeToString(shape) + "] (e.g. " +
                             "tf.constant of a numpy array), got " +
                             typeName(*result));
  auto spec = std::make_shared<SpecObj>(ObjKind::Initializer, "values");
  for (size_t i = 0; i < flat.size(); ++i)
    if (flat[i] != 0.0) {
      spec->valueIndices.push_back(int64_t(i));
      spec->values.push_back(float(flat[i]));
    }
  return spec;
}

Ref slim::layerVariable(Interpreter &in, const Bound &b, llvm::StringRef name,
                        llvm::ArrayRef<int64_t> shape, Ref initializer,
                        Ref regularizer) {
  bool trainable = true;
  if (b.get("trainable"))
    trainable = isTruthy(*b.get("trainable"));
  Ref collections =
      b.get("variables_collections") ? b.get("variables_collections") : none();
  initializer = resolveInitializer(in, initializer, shape, b.callLoc);
  if (!initializer)
    return nullptr;
  return in.graph().getVariable(
      name, shape, initializer, regularizer, trainable,
      /*isModel=*/true, variableCollections(collections, name), "", b.callLoc);
}

Ref slim::normalizeBiasActivate(Interpreter &in, const Bound &b, Ref out,
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

Ref slim::applyActivation(Interpreter &in, const Bound &b, Ref out) {
  if (out && !b.isNone("activation_fn"))
    out = in.callWith(b.get("activation_fn"), b.loc("activation_fn"), {out});
  return out;
}

Ref slim::collectNamedOutputs(Interpreter &in, const Ref &collections,
                              std::string alias, const Ref &outputs,
                              SMLoc loc) {
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
    in.graph().collections[name].emplace_back(alias, outputs);
  return outputs;
}
