//===- ArgScope.cpp - slim.arg_scope, slim.repeat and slim.stack ----------===//
//
// TF-Slim's meta-ops: arg_scope (and add_arg_scope, current_arg_scope),
// which supply keyword arguments to the layers they list, and repeat/stack,
// which call a layer several times under numbered scopes.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/LayerArgs.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// Inner scope names come from the layer's __name__, as in tf_slim.
std::string layerName(const Ref &layer) {
  if (auto *b = dyn_cast<BuiltinObj>(layer.get()))
    return b->name;
  if (auto *f = dyn_cast<FunctionObj>(layer.get()))
    return f->name;
  return "repeat";
}

Ref repeat(Interpreter &in, CallArgs &args) {
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
  inner.positional.assign(args.positional.begin() + 3, args.positional.end());
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
  // repeat takes *args/**kwargs, so it binds `scope` by hand for
  // inVariableScope.
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
      call.keywords.push_back({"scope",
                               makeStr(prefix + "_" + std::to_string(i + 1)),
                               scopeLoc, SMLoc()});
      out = in.call(layer, call);
      if (!out)
        return nullptr;
    }
    return out;
  });
}

Ref stack(Interpreter &in, CallArgs &args) {
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
          call.positional.push_back({"", item, b.loc("stack_args"), SMLoc()});
      else
        call.positional.push_back(
            {"", layerArgs, b.loc("stack_args"), SMLoc()});
      call.keywords = b.extraKeywords;
      call.keywords.push_back({"scope",
                               makeStr(prefix + "_" + std::to_string(i + 1)),
                               b.loc("scope"), SMLoc()});
      out = in.call(layer, call);
      if (!out)
        return nullptr;
    }
    return out;
  });
}

Ref argScope(Interpreter &in, CallArgs &args) {
  if (args.positional.size() != 1)
    return in.error(args.loc, "arg_scope() takes one positional argument: "
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
}

Ref addArgScope(Interpreter &in, CallArgs &args) {
  if (args.positional.size() != 1 ||
      !isa<FunctionObj>(*args.positional[0].value))
    return in.error(args.loc, "add_arg_scope decorates one function");
  cast<FunctionObj>(*args.positional[0].value).argScoped = true;
  return args.positional[0].value;
}

Ref currentArgScope(Interpreter &in, CallArgs &) {
  return in.currentArgScope();
}

const BuiltinDef argScopeBuiltins[] = {
    {"slim", "repeat", "repeat", repeat},
    {"slim", "stack", "stack", stack, true},
    {"slim", "arg_scope", "arg_scope", argScope},
    {"slim", "add_arg_scope", "add_arg_scope", addArgScope},
    {"slim", "current_arg_scope", "current_arg_scope", currentArgScope},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimArgScopeBuiltins() {
  return argScopeBuiltins;
}
