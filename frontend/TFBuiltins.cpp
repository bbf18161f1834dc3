//===- TFBuiltins.cpp - The `tensorflow` module of model files ------------===//
//
// The part of TensorFlow that TF-Slim model files use: placeholders, scopes,
// get_variable, initializers, collections and the handful of tensor ops the
// reference nets call directly.
//
//===----------------------------------------------------------------------===//

#include "frontend/Builtins.h"
#include "frontend/GraphOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {
Ref none() { return makeNone(); }
Ref flt(double v) { return makeFloat(v); }
Ref str(const char *s) { return makeStr(s); }

Ref makeInitializer(
    std::string kind, std::vector<std::pair<std::string, double>> params,
    std::vector<std::pair<std::string, std::string>> strs = {}) {
  auto spec = std::make_shared<SpecObj>(ObjKind::Initializer, std::move(kind));
  spec->params = std::move(params);
  spec->strParams = std::move(strs);
  return spec;
}

bool checkDType(Interpreter &interp, const Bound &b, llvm::StringRef name) {
  Ref v = b.get(name);
  if (isNone(v))
    return true;
  auto *d = dyn_cast<DTypeObj>(v.get());
  if (d && d->name == "float32")
    return true;
  interp.error(b.loc(name), b.function + "(): slimc compiles float32 models; " +
                                name + "=" + reprValue(*v) +
                                " is not supported");
  return false;
}

/// Runs `body` inside `tf.name_scope(name)` when a name is given, as the
/// `name=` argument of TF ops does.
template <typename F>
Ref withOpName(Interpreter &interp, const Bound &b, llvm::StringRef param,
               F body) {
  std::string name;
  if (!getOptionalString(interp, b, param, name))
    return nullptr;
  Ref result = body();
  if (!result || name.empty())
    return result;
  auto *t = cast<TensorObj>(result.get());
  t->name = interp.uniqueName(interp.nameScope() + name);
  return result;
}
} // namespace

/// Builds a context manager that enters a variable scope.
static Ref makeVariableScope(Interpreter &interp, Bound b) {
  auto ctx = std::make_shared<ContextObj>();
  auto saved =
      std::make_shared<std::pair<std::string, std::shared_ptr<VarScopeObj>>>();
  ctx->enter = [b, saved](Interpreter &in, SMLoc loc) -> Ref {
    Ref nameOrScope = b.get("name_or_scope");
    Ref reuseArg = b.get("reuse");
    int reuse = 0;
    if (!isNone(reuseArg)) {
      if (auto *o = dyn_cast<OpaqueObj>(reuseArg.get());
          o && o->name == "AUTO_REUSE")
        reuse = 2;
      else
        reuse = isTruthy(*reuseArg) ? 1 : 0;
    }
    auto parent = in.varScope();
    auto scope = std::make_shared<VarScopeObj>();
    scope->reuse = reuse ? reuse : parent->reuse;
    scope->initializer =
        b.isNone("initializer") ? parent->initializer : b.get("initializer");
    scope->regularizer =
        b.isNone("regularizer") ? parent->regularizer : b.get("regularizer");
    saved->first = in.nameScope();
    saved->second = parent;

    if (auto *existing = dyn_cast<VarScopeObj>(nameOrScope.get())) {
      scope->name = existing->name;
      scope->originalNameScope = existing->originalNameScope;
      if (!reuse)
        scope->reuse = existing->reuse ? existing->reuse : parent->reuse;
      if (isNone(b.get("initializer")))
        scope->initializer = existing->initializer;
      if (isNone(b.get("regularizer")))
        scope->regularizer = existing->regularizer;
      in.openVarScopeCount(scope->name);
      in.setNameScope(existing->originalNameScope);
    } else if (auto *s = dyn_cast<StrObj>(nameOrScope.get())) {
      scope->name =
          parent->name.empty() ? s->value : parent->name + "/" + s->value;
      in.openVarScopeCount(scope->name);
      in.setNameScope(in.openNameScope(s->value));
      scope->originalNameScope = in.nameScope();
    } else if (isNone(nameOrScope)) {
      auto *def = dyn_cast<StrObj>(b.get("default_name").get());
      if (!def)
        return in.error(b.loc("default_name"),
                        "variable_scope: if default_name is None then "
                        "name_or_scope is required");
      if (reuse == 1)
        return in.error(loc, "variable_scope: reuse=True cannot be used "
                             "without a name_or_scope");
      std::string nameScope = in.openNameScope(def->value);
      std::string unique = in.uniqueVarScopeName(def->value);
      scope->name = parent->name.empty() ? unique : parent->name + "/" + unique;
      in.openVarScopeCount(scope->name);
      in.setNameScope(nameScope);
      scope->originalNameScope = nameScope;
    } else {
      return in.error(b.loc("name_or_scope"),
                      "variable_scope: name_or_scope must be a string, a "
                      "VariableScope or None, not " +
                          typeName(*nameOrScope));
    }
    in.setVarScope(scope);
    return scope;
  };
  ctx->exit = [saved](Interpreter &in) {
    in.setNameScope(saved->first);
    in.setVarScope(saved->second);
  };
  return ctx;
}

static Ref makeNameScope(Interpreter &interp, Bound b) {
  auto ctx = std::make_shared<ContextObj>();
  auto saved = std::make_shared<std::string>();
  ctx->enter = [b, saved](Interpreter &in, SMLoc loc) -> Ref {
    *saved = in.nameScope();
    Ref name = b.get("name");
    std::string n;
    if (auto *s = dyn_cast<StrObj>(name.get()))
      n = s->value;
    if (n.empty())
      if (auto *d = dyn_cast<StrObj>(b.get("default_name").get()))
        n = d->value;
    if (n.empty()) {
      in.setNameScope("");
      return makeStr("");
    }
    in.setNameScope(in.openNameScope(n));
    return makeStr(in.nameScope());
  };
  ctx->exit = [saved](Interpreter &in) { in.setNameScope(*saved); };
  return ctx;
}

Ref slim::makeTensorFlowModule(Interpreter &interp) {
  auto tf = std::make_shared<ModuleObj>("tensorflow");
  auto nn = std::make_shared<ModuleObj>("tensorflow.nn");
  auto compat = std::make_shared<ModuleObj>("tensorflow.compat");
  auto graphKeys = std::make_shared<ModuleObj>("tensorflow.GraphKeys");
  tf->attrs["nn"] = nn;
  tf->attrs["compat"] = compat;
  compat->attrs["v1"] = tf;
  tf->attrs["GraphKeys"] = graphKeys;
  interp.known["module:tensorflow"] = tf;

  for (const char *dtype : {"float32", "float16", "float64", "int32", "int64",
                            "uint8", "bool", "string"}) {
    auto d = std::make_shared<DTypeObj>(dtype);
    tf->attrs[dtype] = d;
    interp.known[std::string("tf.") + dtype] = d;
  }
  tf->attrs["float"] = tf->attrs["float32"];
  tf->attrs["AUTO_REUSE"] = std::make_shared<OpaqueObj>("AUTO_REUSE");
  for (auto [key, value] : {std::pair{"GLOBAL_VARIABLES", "variables"},
                            {"MODEL_VARIABLES", "model_variables"},
                            {"TRAINABLE_VARIABLES", "trainable_variables"},
                            {"LOCAL_VARIABLES", "local_variables"},
                            {"UPDATE_OPS", "update_ops"},
                            {"REGULARIZATION_LOSSES", "regularization_losses"},
                            {"ACTIVATIONS", "activations"}})
    graphKeys->attrs[key] = makeStr(value);

  // Placeholders are the model's inputs.
  defineBuiltin(
      *tf, "placeholder", "placeholder",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "placeholder",
                      {{"dtype", nullptr}, {"shape", none()}, {"name", none()}},
                      args, b) ||
            !checkDType(in, b, "dtype"))
          return nullptr;
        std::string name;
        if (!getOptionalString(in, b, "name", name))
          return nullptr;
        if (name.empty())
          name = "Placeholder";
        auto *seq = dyn_cast<SeqObj>(b.get("shape").get());
        if (!seq)
          return in.error(b.loc("shape"),
                          "placeholder needs a shape list such as [None, 224, "
                          "224, 3]: slimc compiles for static shapes");
        llvm::SmallVector<int64_t, 4> shape;
        for (size_t i = 0; i < seq->items.size(); ++i) {
          Ref d = seq->items[i];
          if (isNone(d)) {
            if (i != 0)
              return in.error(
                  b.loc("shape"),
                  "only the batch (first) dimension of a placeholder "
                  "may be None; dimension " +
                      llvm::Twine(i) + " must be a number");
            shape.push_back(-1);
            continue;
          }
          auto *n = dyn_cast<IntObj>(d.get());
          if (!n || n->value <= 0)
            return in.error(b.loc("shape"),
                            "placeholder dimensions must be positive ints or "
                            "None, got " +
                                reprValue(*d));
          shape.push_back(n->value);
        }
        return in.addPlaceholder(shape, name, args.loc);
      });

  defineBuiltin(*tf, "variable_scope", "variable_scope",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  if (!bindArgs(in, "variable_scope",
                                {{"name_or_scope", nullptr},
                                 {"default_name", none()},
                                 {"values", none()},
                                 {"initializer", none()},
                                 {"regularizer", none()},
                                 {"caching_device", none()},
                                 {"partitioner", none()},
                                 {"custom_getter", none()},
                                 {"reuse", none()},
                                 {"dtype", none()},
                                 {"use_resource", none()},
                                 {"constraint", none()},
                                 {"auxiliary_name_scope", makeBool(true)}},
                                args, b))
                    return nullptr;
                  return makeVariableScope(in, b);
                });
  defineBuiltin(*tf, "name_scope", "name_scope",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  if (!bindArgs(in, "name_scope",
                                {{"name", nullptr},
                                 {"default_name", none()},
                                 {"values", none()}},
                                args, b))
                    return nullptr;
                  return makeNameScope(in, b);
                });
  defineBuiltin(
      *tf, "get_variable_scope", "get_variable_scope",
      [](Interpreter &in, CallArgs &args) -> Ref { return in.varScope(); });

  defineBuiltin(
      *tf, "get_variable", "get_variable",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "get_variable",
                      {{"name", nullptr},
                       {"shape", none()},
                       {"dtype", none()},
                       {"initializer", none()},
                       {"regularizer", none()},
                       {"trainable", none()},
                       {"collections", none()},
                       {"caching_device", none()},
                       {"partitioner", none()},
                       {"validate_shape", makeBool(true)},
                       {"use_resource", none()},
                       {"custom_getter", none()},
                       {"constraint", none()}},
                      args, b) ||
            !checkDType(in, b, "dtype"))
          return nullptr;
        std::string name;
        std::vector<int64_t> shape;
        std::vector<std::string> collections;
        if (!getString(in, b, "name", name) ||
            !getIntList(in, b.get("shape"), b.loc("shape"), "shape", shape) ||
            !getStringList(in, b, "collections", collections))
          return nullptr;
        bool trainable = b.isNone("trainable") || isTruthy(*b.get("trainable"));
        bool isModel = llvm::is_contained(collections, "model_variables");
        return in.getVariable(name, shape, b.get("initializer"),
                              b.get("regularizer"), trainable, isModel,
                              collections, "", b.loc("name"));
      });

  // Tensor ops.
  defineBuiltin(
      *tf, "identity", "identity", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "identity", {{"input", nullptr}, {"name", none()}},
                      args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "input");
        if (!x)
          return nullptr;
        Ref out = withOpName(in, b, "name",
                             [&] { return emitIdentity(in, *x, args.loc); });
        if (out && in.atMainTopLevel() && !b.isNone("name"))
          in.addNamedOutput(out, cast<TensorObj>(*out).name);
        return out;
      });
  Ref add = defineBuiltin(
      *tf, "add", "add", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "add",
                      {{"x", nullptr}, {"y", nullptr}, {"name", none()}}, args,
                      b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "x");
        TensorObj *y = x ? getTensor(in, b, "y") : nullptr;
        if (!y)
          return nullptr;
        return withOpName(in, b, "name",
                          [&] { return emitAdd(in, *x, *y, args.loc); });
      });
  interp.known["tf.add"] = add;
  defineBuiltin(
      *tf, "concat", "concat", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "concat",
                      {{"values", nullptr},
                       {"axis", nullptr},
                       {"name", str("concat")}},
                      args, b))
          return nullptr;
        if (isa<IntObj>(*b.get("values")))
          return in.error(args.loc,
                          "concat(values, axis): the first argument "
                          "must be the list of tensors (TensorFlow 1.0 "
                          "swapped the old concat(axis, values) order)");
        auto *seq = dyn_cast<SeqObj>(b.get("values").get());
        if (!seq || seq->items.empty())
          return in.error(b.loc("values"),
                          "concat values must be a non-empty list of tensors");
        std::vector<TensorObj *> inputs;
        for (auto &v : seq->items) {
          auto *t = dyn_cast<TensorObj>(v.get());
          if (!t)
            return in.error(b.loc("values"),
                            "concat values must be tensors, got " +
                                typeName(*v));
          inputs.push_back(t);
        }
        int64_t axis;
        if (!getInt(in, b, "axis", axis))
          return nullptr;
        return withOpName(in, b, "name", [&] {
          return emitConcat(in, inputs, axis, args.loc);
        });
      });
  defineBuiltin(
      *tf, "squeeze", "squeeze", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "squeeze",
                      {{"input", nullptr},
                       {"axis", none()},
                       {"name", none()},
                       {"squeeze_dims", none()}},
                      args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "input");
        if (!x)
          return nullptr;
        Ref axisValue =
            b.isNone("axis") ? b.get("squeeze_dims") : b.get("axis");
        std::vector<int64_t> axes;
        if (isa<IntObj>(*axisValue))
          axes.push_back(cast<IntObj>(*axisValue).value);
        else if (!isNone(axisValue) &&
                 !getIntList(in, axisValue, b.loc("axis"), "axis", axes))
          return nullptr;
        int64_t rank = x->shape.size();
        std::vector<bool> drop(rank, false);
        if (axes.empty()) {
          for (int64_t d = 0; d < rank; ++d)
            drop[d] = x->shape[d] == 1;
        }
        for (int64_t a : axes) {
          int64_t d = a < 0 ? a + rank : a;
          if (d < 0 || d >= rank)
            return in.error(args.loc, "squeeze axis " + llvm::Twine(a) +
                                          " is out of range for rank " +
                                          llvm::Twine(rank));
          if (x->shape[d] != 1)
            return in.error(args.loc,
                            "can not squeeze dim[" + llvm::Twine(d) +
                                "], expected a dimension of 1, got " +
                                llvm::Twine(x->shape[d]) + " (shape [" +
                                mlir::slim::shapeToString(x->shape) + "])");
          drop[d] = true;
        }
        llvm::SmallVector<int64_t, 4> shape;
        for (int64_t d = 0; d < rank; ++d)
          if (!drop[d])
            shape.push_back(x->shape[d]);
        return withOpName(in, b, "name", [&] {
          return emitReshape(in, *x, shape, "Squeeze", args.loc);
        });
      });
  defineBuiltin(
      *tf, "reshape", "reshape", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(
                in, "reshape",
                {{"tensor", nullptr}, {"shape", nullptr}, {"name", none()}},
                args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "tensor");
        std::vector<int64_t> dims;
        if (!x ||
            !getIntList(in, b.get("shape"), b.loc("shape"), "shape", dims))
          return nullptr;
        int64_t known = 1, inferred = -1;
        for (size_t i = 0; i < dims.size(); ++i) {
          if (dims[i] == -1) {
            if (inferred >= 0)
              return in.error(b.loc("shape"), "only one dimension of a reshape "
                                              "may be -1");
            inferred = i;
          } else if (dims[i] <= 0) {
            return in.error(b.loc("shape"),
                            "reshape dimensions must be positive "
                            "or -1");
          } else {
            known *= dims[i];
          }
        }
        int64_t total = mlir::slim::numElements(x->shape);
        if (inferred >= 0) {
          if (total % known)
            return in.error(b.loc("shape"),
                            "cannot reshape a tensor of shape [" +
                                mlir::slim::shapeToString(x->shape) + "]");
          dims[inferred] = total / known;
        }
        return withOpName(in, b, "name", [&] {
          return emitReshape(in, *x, llvm::ArrayRef<int64_t>(dims), "Reshape",
                             args.loc);
        });
      });
  defineBuiltin(
      *tf, "reduce_mean", "reduce_mean",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "reduce_mean",
                      {{"input_tensor", nullptr},
                       {"axis", none()},
                       {"keepdims", none()},
                       {"name", none()},
                       {"reduction_indices", none()},
                       {"keep_dims", none()}},
                      args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "input_tensor");
        if (!x)
          return nullptr;
        if (!b.isNone("keepdims") && !b.isNone("keep_dims"))
          return in.error(args.loc, "reduce_mean: cannot specify both keepdims "
                                    "and keep_dims");
        bool keep = !b.isNone("keepdims") ? isTruthy(*b.get("keepdims"))
                                          : (!b.isNone("keep_dims") &&
                                             isTruthy(*b.get("keep_dims")));
        Ref axisValue =
            b.isNone("axis") ? b.get("reduction_indices") : b.get("axis");
        std::vector<int64_t> axes;
        if (isa<IntObj>(*axisValue))
          axes.push_back(cast<IntObj>(*axisValue).value);
        else if (isNone(axisValue))
          for (size_t d = 0; d < x->shape.size(); ++d)
            axes.push_back(d);
        else if (!getIntList(in, axisValue, b.loc("axis"), "axis", axes))
          return nullptr;
        return withOpName(in, b, "name", [&] {
          return emitReduceMean(in, *x, axes, keep, args.loc);
        });
      });
  defineBuiltin(*tf, "pad", "pad", [](Interpreter &in, CallArgs &args) -> Ref {
    Bound b;
    if (!bindArgs(in, "pad",
                  {{"tensor", nullptr},
                   {"paddings", nullptr},
                   {"mode", str("CONSTANT")},
                   {"name", none()},
                   {"constant_values", makeInt(0)}},
                  args, b))
      return nullptr;
    TensorObj *x = getTensor(in, b, "tensor");
    if (!x)
      return nullptr;
    std::string mode;
    if (!getString(in, b, "mode", mode))
      return nullptr;
    if (llvm::StringRef(mode).upper() != "CONSTANT")
      return in.error(b.loc("mode"), "slimc supports only CONSTANT padding, "
                                     "got '" +
                                         mode + "'");
    Ref cv = b.get("constant_values");
    if (!(isa<IntObj>(*cv) && cast<IntObj>(*cv).value == 0) &&
        !(isa<FloatObj>(*cv) && cast<FloatObj>(*cv).value == 0.0))
      return in.error(b.loc("constant_values"),
                      "slimc supports only zero padding");
    auto *rows = dyn_cast<SeqObj>(b.get("paddings").get());
    if (!rows || rows->items.size() != x->shape.size())
      return in.error(b.loc("paddings"),
                      "paddings must be a list of " +
                          llvm::Twine(x->shape.size()) +
                          " [before, after] pairs, one per dimension");
    std::vector<int64_t> flat;
    for (auto &row : rows->items) {
      std::vector<int64_t> pair;
      if (!getIntList(in, row, b.loc("paddings"), "paddings", pair))
        return nullptr;
      if (pair.size() != 2)
        return in.error(b.loc("paddings"),
                        "each paddings entry must be [before, after]");
      flat.insert(flat.end(), pair.begin(), pair.end());
    }
    return withOpName(in, b, "name",
                      [&] { return emitPad(in, *x, flat, args.loc); });
  });

  // Activations: tf.nn.relu etc., also reachable as tf.sigmoid/tf.tanh.
  for (const char *kind :
       {"relu", "relu6", "sigmoid", "tanh", "elu", "softplus"}) {
    std::string k = kind;
    Ref fn = defineBuiltin(
        *nn, kind, kind, [k](Interpreter &in, CallArgs &args) -> Ref {
          Bound b;
          if (!bindArgs(in, k, {{"features", nullptr}, {"name", none()}}, args,
                        b))
            return nullptr;
          TensorObj *x = getTensor(in, b, "features");
          if (!x)
            return nullptr;
          return withOpName(in, b, "name", [&] {
            return emitActivation(in, *x, k, args.loc);
          });
        });
    interp.known["activation:" + k] = fn;
    if (k == "sigmoid" || k == "tanh")
      tf->attrs[k] = fn;
  }
  defineBuiltin(
      *nn, "softmax", "softmax", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "softmax",
                      {{"logits", nullptr}, {"axis", none()}, {"name", none()}},
                      args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "logits");
        if (!x)
          return nullptr;
        if (!b.isNone("axis")) {
          int64_t axis;
          if (!getInt(in, b, "axis", axis))
            return nullptr;
          if (axis != -1 && axis != int64_t(x->shape.size()) - 1)
            return in.error(b.loc("axis"),
                            "slimc's softmax works over the last axis only");
        }
        return withOpName(in, b, "name",
                          [&] { return emitSoftmax(in, *x, args.loc); });
      });
  defineBuiltin(
      *nn, "bias_add", "bias_add", [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        if (!bindArgs(in, "bias_add",
                      {{"value", nullptr},
                       {"bias", nullptr},
                       {"data_format", none()},
                       {"name", none()}},
                      args, b))
          return nullptr;
        TensorObj *x = getTensor(in, b, "value");
        TensorObj *bias = x ? getTensor(in, b, "bias") : nullptr;
        if (!bias)
          return nullptr;
        return withOpName(in, b, "name",
                          [&] { return emitBiasAdd(in, *x, *bias, args.loc); });
      });

  // Initializers.
  // truncated_normal and random_normal share TF's (mean, stddev) signature.
  auto normalInitializer = [](const char *name, const char *kind) {
    return [name, kind](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      double mean, stddev;
      if (!bindArgs(in, name,
                    {{"mean", flt(0.0)},
                     {"stddev", flt(1.0)},
                     {"seed", none()},
                     {"dtype", none()}},
                    args, b) ||
          !checkDType(in, b, "dtype") || !getFloat(in, b, "mean", mean) ||
          !getFloat(in, b, "stddev", stddev))
        return nullptr;
      if (stddev < 0)
        return in.error(b.loc("stddev"), "stddev must be non-negative");
      return makeInitializer(kind, {{"mean", mean}, {"stddev", stddev}});
    };
  };
  defineBuiltin(
      *tf, "truncated_normal_initializer", "truncated_normal_initializer",
      normalInitializer("truncated_normal_initializer", "truncated_normal"));
  defineBuiltin(
      *tf, "random_normal_initializer", "random_normal_initializer",
      normalInitializer("random_normal_initializer", "random_normal"));
  defineBuiltin(
      *tf, "random_uniform_initializer", "random_uniform_initializer",
      [](Interpreter &in, CallArgs &args) -> Ref {
        Bound b;
        double lo, hi = 1.0;
        if (!bindArgs(in, "random_uniform_initializer",
                      {{"minval", flt(0.0)},
                       {"maxval", none()},
                       {"seed", none()},
                       {"dtype", none()}},
                      args, b) ||
            !checkDType(in, b, "dtype") || !getFloat(in, b, "minval", lo) ||
            (!b.isNone("maxval") && !getFloat(in, b, "maxval", hi)))
          return nullptr;
        if (hi < lo)
          return in.error(args.loc,
                          "random_uniform_initializer: maxval must not "
                          "be below minval");
        return makeInitializer("random_uniform",
                               {{"minval", lo}, {"maxval", hi}});
      });
  auto constantInit = [](const char *name, double value) {
    return [name, value](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      if (!bindArgs(in, name, {{"dtype", none()}}, args, b) ||
          !checkDType(in, b, "dtype"))
        return nullptr;
      return makeInitializer(value == 0.0 ? "zeros" : "ones", {});
    };
  };
  interp.known["zeros_initializer"] =
      defineBuiltin(*tf, "zeros_initializer", "zeros_initializer",
                    constantInit("zeros_initializer", 0.0));
  interp.known["ones_initializer"] =
      defineBuiltin(*tf, "ones_initializer", "ones_initializer",
                    constantInit("ones_initializer", 1.0));
  defineBuiltin(*tf, "constant_initializer", "constant_initializer",
                [](Interpreter &in, CallArgs &args) -> Ref {
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
                    return in.error(b.loc("value"),
                                    "slimc supports scalar "
                                    "constant_initializer values only");
                  if (!getFloat(in, b, "value", value))
                    return nullptr;
                  return makeInitializer("constant", {{"value", value}});
                });
  auto glorot = [](const char *name, const char *distribution) {
    return [name, distribution](Interpreter &in, CallArgs &args) -> Ref {
      Bound b;
      if (!bindArgs(in, name, {{"seed", none()}, {"dtype", none()}}, args, b) ||
          !checkDType(in, b, "dtype"))
        return nullptr;
      return makeInitializer(
          "variance_scaling", {{"factor", 1.0}},
          {{"mode", "FAN_AVG"}, {"distribution", distribution}});
    };
  };
  defineBuiltin(*tf, "glorot_uniform_initializer", "glorot_uniform_initializer",
                glorot("glorot_uniform_initializer", "uniform"));
  defineBuiltin(*tf, "glorot_normal_initializer", "glorot_normal_initializer",
                glorot("glorot_normal_initializer", "truncated_normal"));
  // tf.get_variable's default for float variables.
  interp.known["glorot_uniform"] =
      makeInitializer("variance_scaling", {{"factor", 1.0}},
                      {{"mode", "FAN_AVG"}, {"distribution", "uniform"}});

  // Collections.
  defineBuiltin(*tf, "add_to_collection", "add_to_collection",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  std::string name;
                  if (!bindArgs(in, "add_to_collection",
                                {{"name", nullptr}, {"value", nullptr}}, args,
                                b) ||
                      !getString(in, b, "name", name))
                    return nullptr;
                  in.collections[name].emplace_back("", b.get("value"));
                  return makeNone();
                });
  defineBuiltin(*tf, "get_collection", "get_collection",
                [](Interpreter &in, CallArgs &args) -> Ref {
                  Bound b;
                  std::string name;
                  if (!bindArgs(in, "get_collection",
                                {{"key", nullptr}, {"scope", none()}}, args,
                                b) ||
                      !getString(in, b, "key", name))
                    return nullptr;
                  std::vector<Ref> out;
                  for (auto &entry : in.collections[name])
                    out.push_back(entry.second);
                  return makeList(std::move(out));
                });

  // tf.contrib.slim and tf.contrib.layers are set up by the slim module.
  auto contrib = std::make_shared<ModuleObj>("tensorflow.contrib");
  tf->attrs["contrib"] = contrib;
  interp.known["module:contrib"] = contrib;
  return tf;
}
