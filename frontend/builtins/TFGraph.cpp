//===- TFGraph.cpp - tf's graph-building API ------------------------------===//
//
// tf.placeholder, tf.variable_scope, tf.name_scope, tf.get_variable_scope,
// tf.get_variable and the collections API: the calls that change the graph
// state rather than append ops.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/LayerArgs.h"
#include "frontend/builtins/TFOps.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// Placeholders are the model's inputs.
Ref placeholder(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "placeholder",
                {{"dtype", nullptr}, {"shape", none()}, {"name", none()}}, args,
                b))
    return nullptr;
  // A training script's labels are class ids: int32 or int64 placeholders
  // (they may only feed a loss; GraphState::makeTensor checks).
  mlir::Type elementType;
  auto *dtype = dyn_cast<DTypeObj>(b.get("dtype").get());
  if (dtype && (dtype->name == "int32" || dtype->name == "int64"))
    elementType = mlir::IntegerType::get(&in.getContext(),
                                         dtype->name == "int32" ? 32 : 64);
  else if (!checkDType(in, b, "dtype"))
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
        return in.error(b.loc("shape"),
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
  return in.graph().addPlaceholder(shape, name, args.loc, elementType);
}

/// Builds a context manager that enters a variable scope.
Ref makeVariableScope(Interpreter &interp, Bound b) {
  auto ctx = std::make_shared<ContextObj>();
  auto saved =
      std::make_shared<std::pair<std::string, std::shared_ptr<VarScopeObj>>>();
  ctx->enter = [b, saved](Interpreter &in, SMLoc loc) -> Ref {
    // A scope's defaults are initializer and regularizer objects (a Python
    // function initializer is resolved per variable by layers and
    // tf.get_variable only).
    for (auto [name, kind] : {std::pair{"initializer", ObjKind::Initializer},
                              {"regularizer", ObjKind::Regularizer}}) {
      Ref v = b.get(name);
      if (!isNone(v) && v->kind != kind)
        return in.error(b.loc(name),
                        b.function + "() argument '" + name + "' must be " +
                            (kind == ObjKind::Initializer ? "an initializer"
                                                          : "a regularizer") +
                            " object, not " + typeName(*v));
    }
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
    auto parent = in.graph().varScope();
    auto scope = std::make_shared<VarScopeObj>();
    scope->reuse = reuse ? reuse : parent->reuse;
    scope->initializer =
        b.isNone("initializer") ? parent->initializer : b.get("initializer");
    scope->regularizer =
        b.isNone("regularizer") ? parent->regularizer : b.get("regularizer");
    saved->first = in.graph().nameScope();
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
      in.graph().openVarScopeCount(scope->name);
      in.graph().setNameScope(existing->originalNameScope);
    } else if (auto *s = dyn_cast<StrObj>(nameOrScope.get())) {
      scope->name =
          parent->name.empty() ? s->value : parent->name + "/" + s->value;
      in.graph().openVarScopeCount(scope->name);
      in.graph().setNameScope(in.graph().openNameScope(s->value));
      scope->originalNameScope = in.graph().nameScope();
    } else if (isNone(nameOrScope)) {
      auto *def = dyn_cast<StrObj>(b.get("default_name").get());
      if (!def)
        return in.error(b.loc("default_name"),
                        "variable_scope: if default_name is None then "
                        "name_or_scope is required");
      if (reuse == 1)
        return in.error(loc, "variable_scope: reuse=True cannot be used "
                             "without a name_or_scope");
      std::string nameScope = in.graph().openNameScope(def->value);
      std::string unique = in.graph().uniqueVarScopeName(def->value);
      scope->name = parent->name.empty() ? unique : parent->name + "/" + unique;
      in.graph().openVarScopeCount(scope->name);
      in.graph().setNameScope(nameScope);
      scope->originalNameScope = nameScope;
    } else {
      return in.error(b.loc("name_or_scope"),
                      "variable_scope: name_or_scope must be a string, a "
                      "VariableScope or None, not " +
                          typeName(*nameOrScope));
    }
    in.graph().setVarScope(scope);
    return scope;
  };
  ctx->exit = [saved](Interpreter &in) {
    in.graph().setNameScope(saved->first);
    in.graph().setVarScope(saved->second);
  };
  return ctx;
}

/// Builds a context manager that enters a name scope (and restores the
/// enclosing one on exit).
Ref makeNameScope(Interpreter &interp, Bound b) {
  auto ctx = std::make_shared<ContextObj>();
  auto saved = std::make_shared<std::string>();
  ctx->enter = [b, saved](Interpreter &in, SMLoc loc) -> Ref {
    *saved = in.graph().nameScope();
    Ref name = b.get("name");
    std::string n;
    if (auto *s = dyn_cast<StrObj>(name.get()))
      n = s->value;
    if (n.empty())
      if (auto *d = dyn_cast<StrObj>(b.get("default_name").get()))
        n = d->value;
    if (n.empty()) {
      in.graph().setNameScope("");
      return makeStr("");
    }
    in.graph().setNameScope(in.graph().openNameScope(n));
    return makeStr(in.graph().nameScope());
  };
  ctx->exit = [saved](Interpreter &in) { in.graph().setNameScope(*saved); };
  return ctx;
}

Ref variableScope(Interpreter &in, CallArgs &args) {
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
}

Ref nameScope(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(
          in, "name_scope",
          {{"name", nullptr}, {"default_name", none()}, {"values", none()}},
          args, b))
    return nullptr;
  return makeNameScope(in, b);
}

Ref getVariableScope(Interpreter &in, CallArgs &) {
  return in.graph().varScope();
}

Ref getVariable(Interpreter &in, CallArgs &args) {
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
  Ref initializer =
      resolveInitializer(in, b.get("initializer"), shape, b.loc("initializer"));
  if (!initializer)
    return nullptr;
  return in.graph().getVariable(name, shape, initializer, b.get("regularizer"),
                                trainable, isModel, collections, "",
                                b.loc("name"));
}

Ref addToCollection(Interpreter &in, CallArgs &args) {
  Bound b;
  std::string name;
  if (!bindArgs(in, "add_to_collection",
                {{"name", nullptr}, {"value", nullptr}}, args, b) ||
      !getString(in, b, "name", name))
    return nullptr;
  in.graph().collections[name].emplace_back("", b.get("value"));
  return makeNone();
}

Ref getCollection(Interpreter &in, CallArgs &args) {
  Bound b;
  std::string name;
  if (!bindArgs(in, "get_collection", {{"key", nullptr}, {"scope", none()}},
                args, b) ||
      !getString(in, b, "key", name))
    return nullptr;
  std::vector<Ref> out;
  for (auto &entry : in.graph().collections[name])
    out.push_back(entry.second);
  return makeList(std::move(out));
}

Ref getDefaultGraph(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_default_graph", {}, args, b))
    return nullptr;
  return defaultGraph(in);
}

const BuiltinDef graphBuiltins[] = {
    {"tf", "get_default_graph", "get_default_graph", getDefaultGraph},
    {"tf", "placeholder", "placeholder", placeholder},
    // The layers open their scopes through these objects.
    {"tf", "variable_scope", "variable_scope", variableScope, false,
     "tf.variable_scope"},
    {"tf", "name_scope", "name_scope", nameScope, false, "tf.name_scope"},
    {"tf", "get_variable_scope", "get_variable_scope", getVariableScope},
    {"tf", "get_variable", "get_variable", getVariable},
    {"tf", "add_to_collection", "add_to_collection", addToCollection},
    {"tf", "get_collection", "get_collection", getCollection},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfGraphBuiltins() { return graphBuiltins; }

Ref slim::makeOperation(Interpreter &interp, const Ref &tensor) {
  auto &t = cast<TensorObj>(*tensor);
  auto op = std::make_shared<OpaqueObj>("Operation");
  op->attrs["name"] = makeStr(t.name);
  op->attrs["outputs"] = makeList({tensor});
  op->attrs["graph"] = defaultGraph(interp);
  op->attrs["values"] = std::make_shared<BuiltinObj>(
      "values", [tensor](Interpreter &in, CallArgs &args) -> Ref {
        if (!args.positional.empty() || !args.keywords.empty())
          return in.raise("TypeError", args.loc, "values() takes no arguments");
        return makeTuple({tensor});
      });
  return op;
}

/// The graph as model files see it: get_operations() lists the operations
/// made so far, in order (MobileNet collects its endpoints from it by
/// name).
Ref slim::defaultGraph(Interpreter &interp) {
  if (Ref graph = interp.lookupKnown("tf.graph"))
    return graph;
  auto graph = std::make_shared<OpaqueObj>("Graph");
  graph->attrs["get_operations"] = std::make_shared<BuiltinObj>(
      "get_operations", [](Interpreter &in, CallArgs &args) -> Ref {
        if (!args.positional.empty() || !args.keywords.empty())
          return in.raise("TypeError", args.loc,
                          "get_operations() takes no arguments");
        std::vector<Ref> ops;
        for (const Ref &t : in.graph().getOperations())
          ops.push_back(makeOperation(in, t));
        return makeList(std::move(ops));
      });
  interp.known["tf.graph"] = graph;
  return graph;
}
