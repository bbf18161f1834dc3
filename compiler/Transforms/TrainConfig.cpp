//===- TrainConfig.cpp - The slim.train attribute of @train_step ----------===//

#include "compiler/Transforms/TrainConfig.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

using namespace mlir;
using namespace mlir::slim;

namespace {

/// A number given as a float or an integer attribute.
std::optional<double> number(DictionaryAttr dict, StringRef key) {
  Attribute a = dict.get(key);
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return static_cast<double>(i.getValue().getSExtValue());
  return std::nullopt;
}

std::optional<bool> boolean(DictionaryAttr dict, StringRef key) {
  if (auto b = dyn_cast_or_null<BoolAttr>(dict.get(key)))
    return b.getValue();
  return std::nullopt;
}

std::string stringAttr(DictionaryAttr dict, StringRef key) {
  if (auto s = dyn_cast_or_null<StringAttr>(dict.get(key)))
    return s.getValue().str();
  return "";
}

/// Reads the required number `key` of `dict` into `out`.
LogicalResult required(func::FuncOp fn, DictionaryAttr dict, StringRef what,
                       StringRef key, double &out) {
  std::optional<double> v = number(dict, key);
  if (!v)
    return fn.emitError("slim.train: ")
           << what << " needs a number '" << key << "'";
  out = *v;
  return success();
}

LogicalResult parseOptimizer(func::FuncOp fn, DictionaryAttr dict,
                             OptimizerConfig &opt) {
  opt.kind = stringAttr(dict, "kind");
  static const std::pair<const char *, const char *> defaults[] = {
      {"sgd", "GradientDescent"},
      {"momentum", "Momentum"},
      {"adam", "Adam"},
      {"rmsprop", "RMSProp"}};
  const char *defaultName = nullptr;
  for (auto [kind, name] : defaults)
    if (opt.kind == kind)
      defaultName = name;
  if (!defaultName)
    return fn.emitError("slim.train: unsupported optimizer kind '")
           << opt.kind << "' (sgd, momentum, adam, rmsprop)";
  opt.name = stringAttr(dict, "name");
  if (opt.name.empty())
    opt.name = defaultName;
  if (opt.kind == "momentum") {
    if (failed(required(fn, dict, "momentum", "momentum", opt.momentum)))
      return failure();
    opt.useNesterov = boolean(dict, "use_nesterov").value_or(false);
  } else if (opt.kind == "adam") {
    opt.beta1 = number(dict, "beta1").value_or(0.9);
    opt.beta2 = number(dict, "beta2").value_or(0.999);
    opt.epsilon = number(dict, "epsilon").value_or(1e-8);
    opt.useNesterov = boolean(dict, "use_nesterov").value_or(false);
  } else if (opt.kind == "rmsprop") {
    opt.decay = number(dict, "decay").value_or(0.9);
    opt.momentum = number(dict, "momentum").value_or(0.0);
    opt.epsilon = number(dict, "epsilon").value_or(1e-10);
    opt.centered = boolean(dict, "centered").value_or(false);
  }
  return success();
}

LogicalResult parseLearningRate(func::FuncOp fn, DictionaryAttr dict,
                                LearningRateConfig &lr) {
  lr.kind = stringAttr(dict, "kind");
  if (lr.kind == "constant")
    return required(fn, dict, "a constant learning rate", "value", lr.value);
  if (lr.kind == "exponential_decay" || lr.kind == "polynomial_decay") {
    double steps = 0;
    if (failed(required(fn, dict, lr.kind, "learning_rate", lr.learningRate)) ||
        failed(required(fn, dict, lr.kind, "decay_steps", steps)))
      return failure();
    lr.decaySteps = static_cast<int64_t>(steps);
    if (lr.decaySteps < 1)
      return fn.emitError("slim.train: ")
             << lr.kind << " needs a positive decay_steps";
    if (lr.kind == "exponential_decay") {
      lr.staircase = boolean(dict, "staircase").value_or(false);
      return required(fn, dict, lr.kind, "decay_rate", lr.decayRate);
    }
    lr.endLearningRate = number(dict, "end_learning_rate").value_or(0.0001);
    lr.power = number(dict, "power").value_or(1.0);
    lr.cycle = boolean(dict, "cycle").value_or(false);
    return success();
  }
  if (lr.kind == "piecewise_constant") {
    auto boundaries = dyn_cast_or_null<ArrayAttr>(dict.get("boundaries"));
    auto values = dyn_cast_or_null<ArrayAttr>(dict.get("values"));
    if (!boundaries || !values || values.size() != boundaries.size() + 1)
      return fn.emitError("slim.train: piecewise_constant needs 'boundaries' "
                          "and one more 'values'");
    for (Attribute a : boundaries) {
      auto i = dyn_cast<IntegerAttr>(a);
      if (!i)
        return fn.emitError("slim.train: boundaries must be integers");
      lr.boundaries.push_back(i.getValue().getSExtValue());
    }
    for (Attribute a : values) {
      if (auto f = dyn_cast<FloatAttr>(a))
        lr.values.push_back(f.getValueAsDouble());
      else if (auto i = dyn_cast<IntegerAttr>(a))
        lr.values.push_back(static_cast<double>(i.getValue().getSExtValue()));
      else
        return fn.emitError("slim.train: values must be numbers");
    }
    return success();
  }
  return fn.emitError("slim.train: unsupported learning rate kind '")
         << lr.kind
         << "' (constant, exponential_decay, piecewise_constant, "
            "polynomial_decay)";
}

} // namespace

func::FuncOp mlir::slim::getTrainStep(ModuleOp module) {
  return module.lookupSymbol<func::FuncOp>(kTrainStepName);
}

FailureOr<TrainConfig> mlir::slim::parseTrainConfig(func::FuncOp fn) {
  auto dict = fn->getAttrOfType<DictionaryAttr>("slim.train");
  if (!dict)
    return fn.emitError("@")
           << fn.getSymName() << " has no 'slim.train' dictionary";
  TrainConfig config;
  auto optimizer = dyn_cast_or_null<DictionaryAttr>(dict.get("optimizer"));
  auto lr = dyn_cast_or_null<DictionaryAttr>(dict.get("learning_rate"));
  if (!optimizer || !lr)
    return fn.emitError("slim.train needs 'optimizer' and 'learning_rate' "
                        "dictionaries");
  if (failed(parseOptimizer(fn, optimizer, config.optimizer)) ||
      failed(parseLearningRate(fn, lr, config.learningRate)))
    return failure();
  auto step = dyn_cast_or_null<FlatSymbolRefAttr>(dict.get("global_step"));
  if (!step)
    return fn.emitError("slim.train needs 'global_step' (a variable symbol)");
  config.globalStep = step.getValue().str();
  auto vars = dyn_cast_or_null<ArrayAttr>(dict.get("variables_to_train"));
  if (!vars)
    return fn.emitError("slim.train needs 'variables_to_train'");
  for (Attribute a : vars) {
    auto ref = dyn_cast<FlatSymbolRefAttr>(a);
    if (!ref)
      return fn.emitError("slim.train: variables_to_train holds symbols");
    config.variablesToTrain.push_back(ref.getValue().str());
  }
  config.updateOps = boolean(dict, "update_ops").value_or(true);
  config.clipGradientNorm = number(dict, "clip_gradient_norm").value_or(0.0);
  if (config.clipGradientNorm < 0)
    return fn.emitError("slim.train: clip_gradient_norm must be >= 0");
  return config;
}

SmallVector<SlotSpec> mlir::slim::slotsOf(const OptimizerConfig &opt,
                                          StringRef var) {
  // TF names slot k (k >= 1) of one variable `<var>/<name>_<k>`.
  SmallVector<double> inits;
  if (opt.kind == "momentum")
    inits = {0.0};
  else if (opt.kind == "adam")
    inits = {0.0, 0.0};
  else if (opt.kind == "rmsprop")
    inits = opt.centered ? SmallVector<double>{1.0, 0.0, 0.0}
                         : SmallVector<double>{1.0, 0.0};
  SmallVector<SlotSpec> slots;
  for (auto [k, init] : llvm::enumerate(inits)) {
    std::string name = (var + "/" + opt.name).str();
    if (k)
      name += "_" + std::to_string(k);
    slots.push_back({name, init});
  }
  return slots;
}

SmallVector<SlotSpec> mlir::slim::nonSlotsOf(const OptimizerConfig &opt) {
  if (opt.kind == "adam")
    return {{"beta1_power", opt.beta1}, {"beta2_power", opt.beta2}};
  return {};
}
