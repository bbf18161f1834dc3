//===- Modules.cpp - The tensorflow and tf_slim module objects ------------===//
//
// Builds the module objects model files import (tensorflow, tf.nn,
// tf.compat.v1, tf.contrib.slim, tf_slim, slim.utils, ...), their constants,
// and the shared default objects, then fills the modules from the family
// tables.
//
// Registration order does not matter: every object one builtin refers to
// (tf.variable_scope, tf.nn.relu, the default initializers) is looked up in
// Interpreter::known when it is called, not when it is registered, and all
// tables are installed before any model code runs.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/Registry.h"
#include "frontend/builtins/SpecBuilders.h"

#include "llvm/Support/ErrorHandling.h"

using namespace slim;

namespace {

/// The module objects by the Python path the tables use.
using ModulePaths = std::map<std::string, std::shared_ptr<ModuleObj>>;

ModuleObj &moduleAt(const ModulePaths &modules, llvm::StringRef path) {
  auto it = modules.find(path.str());
  if (it == modules.end())
    llvm::report_fatal_error("builtin table names an unknown module '" +
                             llvm::Twine(path) + "'");
  return *it->second;
}

void install(Interpreter &interp, const ModulePaths &modules,
             llvm::ArrayRef<BuiltinDef> table) {
  for (const BuiltinDef &def : table) {
    ModuleObj &module = moduleAt(modules, def.module);
    // Two rows for one name would silently drop the first.
    if (module.attrs.count(def.attr))
      llvm::report_fatal_error("builtin " + llvm::Twine(def.module) + "." +
                               def.attr + " is registered twice");
    Ref fn =
        defineBuiltin(module, def.attr, def.pythonName, def.fn, def.argScoped);
    if (def.knownAs) {
      if (interp.known.count(def.knownAs))
        llvm::report_fatal_error("known object '" + llvm::Twine(def.knownAs) +
                                 "' is registered twice");
      interp.known[def.knownAs] = fn;
    }
  }
}

void installAliases(const ModulePaths &modules,
                    llvm::ArrayRef<BuiltinAlias> aliases) {
  for (const BuiltinAlias &a : aliases) {
    Ref fn = moduleAt(modules, a.module).attrs[a.attr];
    if (!fn)
      llvm::report_fatal_error("alias of unregistered builtin " +
                               llvm::Twine(a.module) + "." + a.attr);
    moduleAt(modules, a.aliasModule).attrs[a.alias] = fn;
  }
}

} // namespace

void slim::installModelModules(Interpreter &interp) {
  // The module objects and how they nest.
  auto tf = std::make_shared<ModuleObj>("tensorflow");
  auto nn = std::make_shared<ModuleObj>("tensorflow.nn");
  auto math = std::make_shared<ModuleObj>("tensorflow.math");
  auto compat = std::make_shared<ModuleObj>("tensorflow.compat");
  auto graphKeys = std::make_shared<ModuleObj>("tensorflow.GraphKeys");
  auto contrib = std::make_shared<ModuleObj>("tensorflow.contrib");
  auto testMod = std::make_shared<ModuleObj>("tensorflow.test");
  auto logging = std::make_shared<ModuleObj>("tensorflow.logging");
  auto contribUtil = std::make_shared<ModuleObj>("tensorflow.contrib.util");
  auto training = std::make_shared<ModuleObj>("tensorflow.contrib.training");
  auto slimMod = std::make_shared<ModuleObj>("tf_slim");
  auto utils = std::make_shared<ModuleObj>("tf_slim.utils");
  auto image = std::make_shared<ModuleObj>("tensorflow.image");
  auto v2 = std::make_shared<ModuleObj>("tensorflow.compat.v2");
  auto imageV2 = std::make_shared<ModuleObj>("tensorflow.compat.v2.image");
  // The training half of a script (Losses.cpp, Training.cpp).
  auto train = std::make_shared<ModuleObj>("tensorflow.train");
  auto losses = std::make_shared<ModuleObj>("tensorflow.losses");
  auto summary = std::make_shared<ModuleObj>("tensorflow.summary");
  auto slimLosses = std::make_shared<ModuleObj>("tf_slim.losses");
  auto learning = std::make_shared<ModuleObj>("tf_slim.learning");
  tf->attrs["train"] = train;
  tf->attrs["losses"] = losses;
  tf->attrs["summary"] = summary;
  slimMod->attrs["losses"] = slimLosses;
  slimMod->attrs["learning"] = learning;
  auto reduction = std::make_shared<ModuleObj>("Reduction");
  for (auto [key, value] :
       {std::pair{"NONE", "none"},
        {"SUM", "weighted_sum"},
        {"SUM_OVER_BATCH_SIZE", "weighted_sum_over_batch_size"},
        {"MEAN", "weighted_mean"},
        {"SUM_BY_NONZERO_WEIGHTS", "weighted_sum_by_nonzero_weights"},
        {"SUM_OVER_NONZERO_WEIGHTS", "weighted_sum_by_nonzero_weights"}})
    reduction->attrs[key] = makeStr(value);
  losses->attrs["Reduction"] = reduction;
  tf->attrs["nn"] = nn;
  tf->attrs["image"] = image;
  tf->attrs["math"] = math;
  tf->attrs["compat"] = compat;
  compat->attrs["v1"] = tf;
  // tf.compat.v2 is TF 2's namespace: TF 1's names (slimc's tf has both
  // side by side, completed at the end below), except where TF 2 changed a
  // name's meaning (tf.compat.v2.image.resize).
  compat->attrs["v2"] = v2;
  v2->attrs["image"] = imageV2;
  tf->attrs["test"] = testMod;
  tf->attrs["logging"] = logging;
  for (auto [level, value] : {std::pair{"DEBUG", 10},
                              {"INFO", 20},
                              {"WARN", 30},
                              {"ERROR", 40},
                              {"FATAL", 50}})
    logging->attrs[level] = makeInt(value);
  contrib->attrs["util"] = contribUtil;
  contrib->attrs["training"] = training;
  training->attrs["HParams"] = makeHParamsClass();
  tf->attrs["GraphKeys"] = graphKeys;
  tf->attrs["contrib"] = contrib;
  // tf_slim's submodules are views of one namespace here.
  slimMod->attrs["utils"] = utils;
  slimMod->attrs["layers"] = slimMod;
  slimMod->attrs["initializers"] = slimMod;
  slimMod->attrs["regularizers"] = slimMod;
  slimMod->attrs["variables"] = slimMod;
  contrib->attrs["slim"] = slimMod;
  contrib->attrs["layers"] = slimMod;
  contrib->attrs["framework"] = slimMod;
  interp.known["module:tensorflow"] = tf;
  interp.known["module:contrib"] = contrib;
  interp.known["module:slim"] = slimMod;
  interp.known["module:layers"] = slimMod;

  // Constants.
  for (const char *dtype : {"float32", "float16", "float64", "int32", "int64",
                            "uint8", "bool", "string"}) {
    auto d = std::make_shared<DTypeObj>(dtype);
    tf->attrs[dtype] = d;
    interp.known[std::string("tf.") + dtype] = d;
  }
  tf->attrs["float"] = tf->attrs["float32"];
  tf->attrs["newaxis"] = makeNone();
  // TF 1's ResizeMethod (ResizeMethodV1) numbers the methods, TF 2's names
  // them.
  auto resizeMethod = std::make_shared<ModuleObj>("ResizeMethod");
  auto resizeMethodV1 = std::make_shared<ModuleObj>("ResizeMethodV1");
  for (auto [key, value] : {std::pair{"BILINEAR", "bilinear"},
                            {"NEAREST_NEIGHBOR", "nearest"},
                            {"BICUBIC", "bicubic"},
                            {"AREA", "area"},
                            {"LANCZOS3", "lanczos3"},
                            {"LANCZOS5", "lanczos5"},
                            {"GAUSSIAN", "gaussian"},
                            {"MITCHELLCUBIC", "mitchellcubic"}})
    resizeMethod->attrs[key] = makeStr(value);
  for (auto [key, value] : {std::pair{"BILINEAR", 0},
                            {"NEAREST_NEIGHBOR", 1},
                            {"BICUBIC", 2},
                            {"AREA", 3}})
    resizeMethodV1->attrs[key] = makeInt(value);
  image->attrs["ResizeMethod"] = resizeMethodV1;
  imageV2->attrs["ResizeMethod"] = resizeMethod;
  tf->attrs["AUTO_REUSE"] = std::make_shared<OpaqueObj>("AUTO_REUSE");
  for (auto [key, value] : {std::pair{"GLOBAL_VARIABLES", "variables"},
                            {"MODEL_VARIABLES", "model_variables"},
                            {"TRAINABLE_VARIABLES", "trainable_variables"},
                            {"LOCAL_VARIABLES", "local_variables"},
                            {"UPDATE_OPS", "update_ops"},
                            {"REGULARIZATION_LOSSES", "regularization_losses"},
                            {"ACTIVATIONS", "activations"},
                            {"LOSSES", "losses"},
                            {"GLOBAL_STEP", "global_step"}})
    graphKeys->attrs[key] = makeStr(value);

  // Default initializers: the layers' weights (xavier), biases and
  // batch_norm's statistics, and tf.get_variable's own default.
  interp.known["xavier_default"] = makeVarianceScaling(1.0, "FAN_AVG", true);
  interp.known["zeros_default"] = makeInitializer("zeros", {});
  interp.known["ones_default"] = makeInitializer("ones", {});
  interp.graph().setDefaultInitializer(
      makeInitializer("variance_scaling", {{"factor", 1.0}},
                      {{"mode", "FAN_AVG"}, {"distribution", "uniform"}}));

  // The functions, by family.
  ModulePaths modules = {{"tf", tf},
                         {"tf.nn", nn},
                         {"tf.image", image},
                         {"tf.compat.v2.image", imageV2},
                         {"tf.compat", compat},
                         {"tf.test", testMod},
                         {"tf.logging", logging},
                         {"tf.contrib.util", contribUtil},
                         {"slim", slimMod},
                         {"slim.utils", utils},
                         {"tf.train", train},
                         {"tf.losses", losses},
                         {"tf.summary", summary},
                         {"slim.losses", slimLosses},
                         {"slim.learning", learning}};
  modules["tf.math"] = math;
  for (llvm::ArrayRef<BuiltinDef> table :
       {tfGraphBuiltins(),      tfCoreBuiltins(),
        tfNNBuiltins(),         tfInitializerBuiltins(),
        slimLayerBuiltins(),    slimArgScopeBuiltins(),
        slimVariableBuiltins(), slimInitializerBuiltins(),
        slimUtilBuiltins(),     tensorShapeBuiltins(),
        tfMiscBuiltins(),       tfPoolBuiltins(),
        tfArrayBuiltins(),      tfImageBuiltins(),
        tfNNConvBuiltins(),     slimNormalizationBuiltins(),
        tfMathBuiltins(),       tfTileBuiltins(),
        layer3DBuiltins(),      lossBuiltins(),
        trainingBuiltins()})
    install(interp, modules, table);
  installAliases(modules, tfMathAliases());
  installAliases(modules, tfNNAliases());
  installAliases(modules, slimLayerAliases());
  installAliases(modules, tfImageAliases());
  installAliases(modules, layer3DAliases());
  for (const auto &entry : tf->attrs)
    v2->attrs.insert(entry);
}
