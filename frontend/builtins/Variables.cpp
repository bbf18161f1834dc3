//===- Variables.cpp - TF-Slim's variables API ----------------------------===//
//
// slim.variable, slim.model_variable, get_variables and its filters,
// get_variables_to_restore and add_model_variable.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/LayerArgs.h"

#include "llvm/Support/Regex.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

Ref makeVariable(Interpreter &in, CallArgs &args, bool isModel) {
  const char *name = isModel ? "model_variable" : "variable";
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
      !checkSpecs(in, b,
                  {{"initializer", ObjKind::Initializer},
                   {"regularizer", ObjKind::Regularizer}}))
    return nullptr;
  Ref dtype = b.get("dtype");
  if (!isNone(dtype) &&
      !(isa<DTypeObj>(*dtype) && cast<DTypeObj>(*dtype).name == "float32"))
    return in.error(b.loc("dtype"), "slimc supports float32 variables only");
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
  return in.graph().getVariable(varName, shape, b.get("initializer"),
                                b.get("regularizer"),
                                isTruthy(*b.get("trainable")), isModel,
                                collections, device, b.loc("name"));
}

Ref variable(Interpreter &in, CallArgs &args) {
  return makeVariable(in, args, /*isModel=*/false);
}

Ref modelVariable(Interpreter &in, CallArgs &args) {
  return makeVariable(in, args, /*isModel=*/true);
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

enum class Which { All, Model, Trainable };

/// get_variables, get_model_variables, get_trainable_variables.
Ref listVariables(Interpreter &in, CallArgs &args, Which which) {
  Bound b;
  if (!bindArgs(in, "get_variables", {{"scope", none()}, {"suffix", none()}},
                args, b))
    return nullptr;
  std::vector<VariableInfo *> vars;
  for (auto &v : in.graph().getVariables())
    if (which == Which::All || (which == Which::Model && v->isModel) ||
        (which == Which::Trainable && v->trainable))
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
}

Ref getVariables(Interpreter &in, CallArgs &args) {
  return listVariables(in, args, Which::All);
}

Ref getModelVariables(Interpreter &in, CallArgs &args) {
  return listVariables(in, args, Which::Model);
}

Ref getTrainableVariables(Interpreter &in, CallArgs &args) {
  return listVariables(in, args, Which::Trainable);
}

/// tf.trainable_variables / tf.global_variables (scope only).
Ref tfVariables(Interpreter &in, CallArgs &args, Which which) {
  Bound b;
  if (!bindArgs(
          in, which == Which::All ? "global_variables" : "trainable_variables",
          {{"scope", none()}}, args, b))
    return nullptr;
  std::vector<VariableInfo *> vars;
  for (auto &v : in.graph().getVariables())
    if (which == Which::All || v->trainable)
      vars.push_back(v.get());
  if (!filterVariables(in, b.get("scope"), b.loc("scope"), vars))
    return nullptr;
  return variablesList(vars);
}

Ref tfTrainableVariables(Interpreter &in, CallArgs &args) {
  return tfVariables(in, args, Which::Trainable);
}

Ref tfGlobalVariables(Interpreter &in, CallArgs &args) {
  return tfVariables(in, args, Which::All);
}

Ref getVariablesToRestore(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_variables_to_restore",
                {{"include", none()}, {"exclude", none()}}, args, b))
    return nullptr;
  std::vector<VariableInfo *> all;
  for (auto &v : in.graph().getVariables())
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
}

Ref addModelVariable(Interpreter &in, CallArgs &args) {
  if (args.positional.size() != 1)
    return in.error(args.loc, "add_model_variable() takes one variable");
  auto *t = dyn_cast<TensorObj>(args.positional[0].value.get());
  VariableInfo *v = t ? in.graph().findVariable(t->varName) : nullptr;
  if (!v)
    return in.error(args.positional[0].loc,
                    "add_model_variable() needs a variable");
  if (!v->isModel) {
    v->isModel = true;
    v->op.setCollection("model");
  }
  return makeNone();
}

const BuiltinDef variableBuiltins[] = {
    {"slim", "variable", "variable", variable, true},
    {"slim", "model_variable", "model_variable", modelVariable, true},
    {"slim", "get_variables", "get_variables", getVariables},
    {"slim", "get_model_variables", "get_model_variables", getModelVariables},
    {"slim", "get_trainable_variables", "get_trainable_variables",
     getTrainableVariables},
    {"slim", "get_variables_to_restore", "get_variables_to_restore",
     getVariablesToRestore},
    {"slim", "add_model_variable", "add_model_variable", addModelVariable},
    {"tf", "trainable_variables", "trainable_variables", tfTrainableVariables},
    {"tf", "global_variables", "global_variables", tfGlobalVariables},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::slimVariableBuiltins() {
  return variableBuiltins;
}
