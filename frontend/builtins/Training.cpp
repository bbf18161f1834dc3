//===- Training.cpp - tf.train and slim.learning --------------------------===//
//
// The global step, the learning-rate schedules, the optimizers and
// `slim.learning.create_train_op`, with tf.compat.v1.train's (TF 2.12)
// signatures and defaults. Schedules and optimizers are compile-time
// values holding the dictionary they contribute to `slim.train`;
// create_train_op records the whole dictionary in the graph's TrainState.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/Registry.h"

#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/SlimTrainOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// An optimizer or a learning-rate schedule: its part of `slim.train`.
struct TrainConfigObj : OpaqueObj {
  TrainConfigObj(std::string name, mlir::DictionaryAttr config)
      : OpaqueObj(std::move(name)), config(config) {}
  mlir::DictionaryAttr config;
};

constexpr const char *kOptimizerType = "Optimizer";
constexpr const char *kScheduleType = "LearningRateSchedule";

/// `value` as a TrainConfigObj of type `name`, or null.
TrainConfigObj *asConfig(const Ref &value, llvm::StringRef name) {
  auto *o = dyn_cast<OpaqueObj>(value.get());
  if (!o || o->name != name)
    return nullptr;
  return static_cast<TrainConfigObj *>(o);
}

mlir::Builder builder(Interpreter &in) {
  return mlir::Builder(&in.getContext());
}

mlir::NamedAttribute f64(Interpreter &in, llvm::StringRef key, double v) {
  auto b = builder(in);
  return b.getNamedAttr(key, b.getF64FloatAttr(v));
}

mlir::NamedAttribute i64(Interpreter &in, llvm::StringRef key, int64_t v) {
  auto b = builder(in);
  return b.getNamedAttr(key, b.getI64IntegerAttr(v));
}

mlir::NamedAttribute boolean(Interpreter &in, llvm::StringRef key, bool v) {
  auto b = builder(in);
  return b.getNamedAttr(key, b.getBoolAttr(v));
}

mlir::NamedAttribute str(Interpreter &in, llvm::StringRef key,
                         llvm::StringRef v) {
  auto b = builder(in);
  return b.getNamedAttr(key, b.getStringAttr(v));
}

/// A Python number known at compile time (a tensor is refused: slimc's
/// hyper-parameters are constants of the compiled step).
bool getNumber(Interpreter &in, const Bound &b, llvm::StringRef name,
               double &out) {
  if (isa<TensorObj>(*b.get(name))) {
    in.error(b.loc(name), b.function + ": '" + name +
                              "' must be a Python number; slimc compiles "
                              "hyper-parameters into the train step");
    return false;
  }
  if (!getFloat(in, b, name, out))
    return false;
  if (!std::isfinite(out)) {
    in.error(b.loc(name), b.function + ": '" + name + "' must be finite");
    return false;
  }
  return true;
}

/// A positive whole number of steps (an int, or a float without fraction).
bool getSteps(Interpreter &in, const Bound &b, llvm::StringRef name,
              int64_t &out) {
  double d;
  if (!getNumber(in, b, name, d))
    return false;
  if (d != std::floor(d) || d < 1 || d > 9.2e18) {
    in.error(b.loc(name), b.function + ": '" + name +
                              "' must be a positive whole number of steps");
    return false;
  }
  out = int64_t(d);
  return true;
}

//===----------------------------------------------------------------------===//
// The global step
//===----------------------------------------------------------------------===//

bool isGlobalStep(Interpreter &in, const Ref &value) {
  return value && value == in.graph().training().globalStep;
}

Ref getOrCreateGlobalStep(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_or_create_global_step", {{"graph", none()}}, args, b))
    return nullptr;
  TrainState &ts = in.graph().training();
  if (!ts.globalStep)
    ts.globalStep = in.graph().createGlobalStep(args.loc);
  return ts.globalStep;
}

Ref createGlobalStep(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "create_global_step", {{"graph", none()}}, args, b))
    return nullptr;
  TrainState &ts = in.graph().training();
  if (ts.globalStep)
    return in.error(args.loc, "ValueError: \"global_step\" already exists.");
  return ts.globalStep = in.graph().createGlobalStep(args.loc);
}

Ref getGlobalStep(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_global_step", {{"graph", none()}}, args, b))
    return nullptr;
  Ref step = in.graph().training().globalStep;
  return step ? step : makeNone();
}

/// A schedule's `global_step` argument: the global step variable.
bool checkStepArg(Interpreter &in, const Bound &b, llvm::StringRef name) {
  if (isNone(b.get(name))) {
    in.error(b.loc(name),
             "ValueError: global_step is required for " + b.function + ".");
    return false;
  }
  if (!isGlobalStep(in, b.get(name))) {
    in.error(b.loc(name),
             b.function + ": '" + name +
                 "' must be tf.train.get_or_create_global_step(); slimc "
                 "schedules the learning rate by the global step");
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Learning rates
//===----------------------------------------------------------------------===//

Ref makeSchedule(Interpreter &in,
                 llvm::SmallVector<mlir::NamedAttribute> entries) {
  return std::make_shared<TrainConfigObj>(
      kScheduleType, builder(in).getDictionaryAttr(entries));
}

Ref exponentialDecay(Interpreter &in, CallArgs &args) {
  Bound b;
  double rate, decayRate;
  int64_t steps;
  bool staircase;
  if (!bindArgs(in, "exponential_decay",
                {{"learning_rate", nullptr},
                 {"global_step", nullptr},
                 {"decay_steps", nullptr},
                 {"decay_rate", nullptr},
                 {"staircase", makeBool(false)},
                 {"name", none()}},
                args, b) ||
      !checkStepArg(in, b, "global_step") ||
      !getNumber(in, b, "learning_rate", rate) ||
      !getSteps(in, b, "decay_steps", steps) ||
      !getNumber(in, b, "decay_rate", decayRate) ||
      !getBool(in, b, "staircase", staircase))
    return nullptr;
  return makeSchedule(
      in, {str(in, "kind", "exponential_decay"), f64(in, "learning_rate", rate),
           i64(in, "decay_steps", steps), f64(in, "decay_rate", decayRate),
           boolean(in, "staircase", staircase)});
}

Ref polynomialDecay(Interpreter &in, CallArgs &args) {
  Bound b;
  double rate, endRate, power;
  int64_t steps;
  bool cycle;
  if (!bindArgs(in, "polynomial_decay",
                {{"learning_rate", nullptr},
                 {"global_step", nullptr},
                 {"decay_steps", nullptr},
                 {"end_learning_rate", makeFloat(0.0001)},
                 {"power", makeFloat(1.0)},
                 {"cycle", makeBool(false)},
                 {"name", none()}},
                args, b) ||
      !checkStepArg(in, b, "global_step") ||
      !getNumber(in, b, "learning_rate", rate) ||
      !getSteps(in, b, "decay_steps", steps) ||
      !getNumber(in, b, "end_learning_rate", endRate) ||
      !getNumber(in, b, "power", power) || !getBool(in, b, "cycle", cycle))
    return nullptr;
  return makeSchedule(
      in, {str(in, "kind", "polynomial_decay"), f64(in, "learning_rate", rate),
           i64(in, "decay_steps", steps), f64(in, "end_learning_rate", endRate),
           f64(in, "power", power), boolean(in, "cycle", cycle)});
}

Ref piecewiseConstant(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "piecewise_constant",
                {{"x", nullptr},
                 {"boundaries", nullptr},
                 {"values", nullptr},
                 {"name", none()}},
                args, b) ||
      !checkStepArg(in, b, "x"))
    return nullptr;
  auto *boundaries = dyn_cast<SeqObj>(b.get("boundaries").get());
  auto *values = dyn_cast<SeqObj>(b.get("values").get());
  if (!boundaries || !values)
    return in.error(boundaries ? b.loc("values") : b.loc("boundaries"),
                    "piecewise_constant: boundaries and values must be lists");
  if (values->items.size() != boundaries->items.size() + 1)
    return in.error(b.loc("values"),
                    "ValueError: The length of boundaries should be 1 less "
                    "than the length of values");
  auto bld = builder(in);
  llvm::SmallVector<mlir::Attribute> steps, rates;
  for (const Ref &item : boundaries->items) {
    auto *i = dyn_cast<IntObj>(item.get());
    if (!i)
      return in.error(b.loc("boundaries"),
                      "piecewise_constant: boundaries must be ints (steps of "
                      "the int64 global step), got " +
                          reprValue(*item));
    if (!steps.empty() &&
        i->value <= cast<mlir::IntegerAttr>(steps.back()).getInt())
      return in.error(b.loc("boundaries"),
                      "piecewise_constant: boundaries must increase");
    steps.push_back(bld.getI64IntegerAttr(i->value));
  }
  for (const Ref &item : values->items) {
    double v;
    if (auto *f = dyn_cast<FloatObj>(item.get()))
      v = f->value;
    else if (auto *i = dyn_cast<IntObj>(item.get()))
      v = double(i->value);
    else
      return in.error(b.loc("values"),
                      "piecewise_constant: values must be Python numbers, "
                      "got " +
                          typeName(*item));
    rates.push_back(bld.getF64FloatAttr(v));
  }
  return makeSchedule(in,
                      {str(in, "kind", "piecewise_constant"),
                       bld.getNamedAttr("boundaries", bld.getArrayAttr(steps)),
                       bld.getNamedAttr("values", bld.getArrayAttr(rates))});
}

/// An optimizer's learning rate: a number (constant) or a schedule.
bool learningRate(Interpreter &in, const Bound &b, mlir::DictionaryAttr &out) {
  Ref v = b.get("learning_rate");
  if (TrainConfigObj *schedule = asConfig(v, kScheduleType)) {
    out = schedule->config;
    return true;
  }
  if (isa<TensorObj>(*v)) {
    in.error(b.loc("learning_rate"),
             b.function + ": learning_rate must be a Python number or a "
                          "schedule (tf.train.exponential_decay, "
                          "piecewise_constant, polynomial_decay), not a "
                          "tensor");
    return false;
  }
  double value;
  if (!getNumber(in, b, "learning_rate", value))
    return false;
  out = builder(in).getDictionaryAttr(
      {str(in, "kind", "constant"), f64(in, "value", value)});
  return true;
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

Ref unsupportedMethod(Interpreter &in, CallArgs &args) {
  return in.error(args.loc,
                  "the optimizer's own methods (minimize, compute_gradients, "
                  "apply_gradients) are not supported: build the train op "
                  "with slim.learning.create_train_op(total_loss, optimizer)");
}

Ref makeOptimizer(Interpreter &in, const Bound &b, llvm::StringRef kind,
                  llvm::SmallVector<mlir::NamedAttribute> entries) {
  mlir::DictionaryAttr rate;
  std::string name;
  if (!learningRate(in, b, rate) || !getString(in, b, "name", name))
    return nullptr;
  if (name.empty())
    return in.error(b.loc("name"), b.function + ": name must not be empty");
  entries.push_back(str(in, "kind", kind));
  entries.push_back(str(in, "name", name));
  auto optimizer = builder(in).getDictionaryAttr(entries);
  auto b2 = builder(in);
  auto obj = std::make_shared<TrainConfigObj>(
      kOptimizerType,
      b2.getDictionaryAttr({b2.getNamedAttr("optimizer", optimizer),
                            b2.getNamedAttr("learning_rate", rate)}));
  for (const char *method :
       {"minimize", "compute_gradients", "apply_gradients"})
    obj->attrs[method] =
        std::make_shared<BuiltinObj>(method, unsupportedMethod);
  return obj;
}

Ref gradientDescent(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "GradientDescentOptimizer",
                {{"learning_rate", nullptr},
                 {"use_locking", makeBool(false)},
                 {"name", makeStr("GradientDescent")}},
                args, b))
    return nullptr;
  return makeOptimizer(in, b, "sgd", {});
}

Ref momentum(Interpreter &in, CallArgs &args) {
  Bound b;
  double m;
  bool nesterov;
  if (!bindArgs(in, "MomentumOptimizer",
                {{"learning_rate", nullptr},
                 {"momentum", nullptr},
                 {"use_locking", makeBool(false)},
                 {"name", makeStr("Momentum")},
                 {"use_nesterov", makeBool(false)}},
                args, b) ||
      !getNumber(in, b, "momentum", m) ||
      !getBool(in, b, "use_nesterov", nesterov))
    return nullptr;
  return makeOptimizer(
      in, b, "momentum",
      {f64(in, "momentum", m), boolean(in, "use_nesterov", nesterov)});
}

Ref adam(Interpreter &in, CallArgs &args) {
  Bound b;
  double beta1, beta2, epsilon;
  if (!bindArgs(in, "AdamOptimizer",
                {{"learning_rate", makeFloat(0.001)},
                 {"beta1", makeFloat(0.9)},
                 {"beta2", makeFloat(0.999)},
                 {"epsilon", makeFloat(1e-08)},
                 {"use_locking", makeBool(false)},
                 {"name", makeStr("Adam")}},
                args, b) ||
      !getNumber(in, b, "beta1", beta1) || !getNumber(in, b, "beta2", beta2) ||
      !getNumber(in, b, "epsilon", epsilon))
    return nullptr;
  return makeOptimizer(in, b, "adam",
                       {f64(in, "beta1", beta1), f64(in, "beta2", beta2),
                        f64(in, "epsilon", epsilon)});
}

Ref rmsprop(Interpreter &in, CallArgs &args) {
  Bound b;
  double decay, m, epsilon;
  bool centered;
  if (!bindArgs(in, "RMSPropOptimizer",
                {{"learning_rate", nullptr},
                 {"decay", makeFloat(0.9)},
                 {"momentum", makeFloat(0.0)},
                 {"epsilon", makeFloat(1e-10)},
                 {"use_locking", makeBool(false)},
                 {"centered", makeBool(false)},
                 {"name", makeStr("RMSProp")}},
                args, b) ||
      !getNumber(in, b, "decay", decay) || !getNumber(in, b, "momentum", m) ||
      !getNumber(in, b, "epsilon", epsilon) ||
      !getBool(in, b, "centered", centered))
    return nullptr;
  return makeOptimizer(in, b, "rmsprop",
                       {f64(in, "decay", decay), f64(in, "momentum", m),
                        f64(in, "epsilon", epsilon),
                        boolean(in, "centered", centered)});
}

/// tf.train names slimc does not train with: a clear error instead of an
/// AttributeError.
Ref unsupportedTrainName(Interpreter &in, CallArgs &args, llvm::StringRef name,
                         bool isOptimizer) {
  if (isOptimizer)
    return in.error(args.loc,
                    "tf.train." + name +
                        " is not supported by slimc's training; use "
                        "GradientDescentOptimizer, MomentumOptimizer, "
                        "AdamOptimizer or RMSPropOptimizer");
  return in.error(args.loc,
                  "tf.train." + name +
                      " is not supported by slimc's training; the learning "
                      "rate may be a number, exponential_decay, "
                      "piecewise_constant or polynomial_decay");
}

#define UNSUPPORTED(fn, name, isOptimizer)                                     \
  Ref fn(Interpreter &in, CallArgs &args) {                                    \
    return unsupportedTrainName(in, args, name, isOptimizer);                  \
  }
UNSUPPORTED(adagrad, "AdagradOptimizer", true)
UNSUPPORTED(adagradDA, "AdagradDAOptimizer", true)
UNSUPPORTED(adadelta, "AdadeltaOptimizer", true)
UNSUPPORTED(ftrl, "FtrlOptimizer", true)
UNSUPPORTED(proximalSgd, "ProximalGradientDescentOptimizer", true)
UNSUPPORTED(proximalAdagrad, "ProximalAdagradOptimizer", true)
UNSUPPORTED(syncReplicas, "SyncReplicasOptimizer", true)
UNSUPPORTED(cosineDecay, "cosine_decay", false)
UNSUPPORTED(cosineDecayRestarts, "cosine_decay_restarts", false)
UNSUPPORTED(linearCosineDecay, "linear_cosine_decay", false)
UNSUPPORTED(noisyLinearCosineDecay, "noisy_linear_cosine_decay", false)
UNSUPPORTED(inverseTimeDecay, "inverse_time_decay", false)
UNSUPPORTED(naturalExpDecay, "natural_exp_decay", false)
#undef UNSUPPORTED

//===----------------------------------------------------------------------===//
// create_train_op
//===----------------------------------------------------------------------===//

/// True when `value` is computed from one of the losses' ops.
bool comesFromLoss(mlir::Value value) {
  llvm::SmallVector<mlir::Value> work = {value};
  llvm::DenseSet<mlir::Value> seen;
  while (!work.empty()) {
    mlir::Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    mlir::Operation *op = v.getDefiningOp();
    if (!op)
      continue;
    if (isa<mlir::slim::SoftmaxCrossEntropyOp,
            mlir::slim::RegularizationLossOp>(op))
      return true;
    for (mlir::Value operand : op->getOperands())
      work.push_back(operand);
  }
  return false;
}

/// `update_ops` resolved against the training batch norms: true when every
/// moving-average update runs, false when none does (a batch norm with
/// `updates_collections=None` updates in place, always).
bool resolveUpdateOps(Interpreter &in, const Bound &b, bool &out) {
  TrainState &ts = in.graph().training();
  for (const TrainingBatchNorm &bn : ts.batchNorms)
    if (!(bn.decay >= 0 && bn.decay <= 1)) {
      in.error(bn.loc, "batch_norm: decay must be a Python number in [0, 1] "
                       "in a training script (it is the moving averages' "
                       "decay)");
      in.note(b.callLoc, "the train op that updates them");
      return false;
    }
  std::vector<Ref> given;
  bool explicitList = !isNone(b.get("update_ops"));
  if (explicitList) {
    if (!in.iterate(b.get("update_ops"), b.loc("update_ops"), given))
      return false;
    for (const Ref &item : given)
      if (!llvm::any_of(ts.batchNorms, [&](const TrainingBatchNorm &bn) {
            return llvm::is_contained(bn.updateOps, item);
          })) {
        in.error(b.loc("update_ops"),
                 b.function +
                     ": update_ops may hold only the batch norms' "
                     "moving-average updates (tf.GraphKeys.UPDATE_OPS), got " +
                     typeName(*item));
        return false;
      }
  } else {
    for (auto &entry : in.graph().collections["update_ops"])
      given.push_back(entry.second);
  }
  size_t covered = 0, inPlace = 0;
  // A batch norm updates when both of its updates run.
  for (const TrainingBatchNorm &bn : ts.batchNorms) {
    if (bn.updateOps.empty())
      ++inPlace;
    else if (llvm::all_of(bn.updateOps, [&](const Ref &u) {
               return llvm::is_contained(given, u);
             }))
      ++covered;
  }
  bool none = explicitList && given.empty();
  if (!none && covered + inPlace == ts.batchNorms.size()) {
    out = true;
    return true;
  }
  if (none && inPlace == 0) {
    out = false;
    return true;
  }
  if (none) {
    for (const TrainingBatchNorm &bn : ts.batchNorms)
      if (bn.updateOps.empty()) {
        in.error(b.loc("update_ops"),
                 b.function + ": update_ops=[] cannot stop the updates of a "
                              "batch norm with updates_collections=None (it "
                              "updates its moving averages in place); slimc "
                              "updates all of them or none");
        in.note(bn.loc, "this batch norm updates in place");
        return false;
      }
  }
  in.error(b.loc("update_ops"),
           b.function + ": update_ops runs " + llvm::Twine(covered + inPlace) +
               " of the " + llvm::Twine(ts.batchNorms.size()) +
               " batch norms' moving-average updates; slimc updates all of "
               "them (update_ops=None, the default) or none (update_ops=[])");
  in.note(ts.batchNorms.front().loc, "a batch norm that trains");
  return false;
}

Ref createTrainOp(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "create_train_op",
                {{"total_loss", nullptr},
                 {"optimizer", nullptr},
                 {"global_step", makeInt(0)},
                 {"update_ops", none()},
                 {"variables_to_train", none()},
                 {"clip_gradient_norm", makeInt(0)},
                 {"summarize_gradients", makeBool(false)},
                 {"gate_gradients", makeInt(1)},
                 {"aggregation_method", none()},
                 {"colocate_gradients_with_ops", makeBool(false)},
                 {"gradient_multipliers", none()},
                 {"check_numerics", makeBool(true)}},
                args, b))
    return nullptr;
  GraphState &g = in.graph();
  TrainState &ts = g.training();
  if (ts.trainOp) {
    in.error(args.loc, "create_train_op: a second train op; slimc compiles "
                       "one train step per file");
    in.note(ts.trainOp->loc, "the first train op is created here");
    return nullptr;
  }

  // The loss.
  Ref lossRef = b.get("total_loss");
  auto *loss = dyn_cast<TensorObj>(lossRef.get());
  if (!loss)
    return in.error(b.loc("total_loss"),
                    "create_train_op: total_loss must be a tensor, not " +
                        typeName(*lossRef));
  if (!loss->shape.empty() ||
      !cast<mlir::RankedTensorType>(loss->value.getType())
           .getElementType()
           .isF32())
    return in.error(b.loc("total_loss"),
                    "create_train_op: total_loss must be a scalar (shape "
                    "[]) float32 loss, got shape [" +
                        mlir::slim::shapeToString(loss->shape) +
                        "]; an optimizer minimizes one number");
  if (!comesFromLoss(loss->value))
    return in.error(b.loc("total_loss"),
                    "create_train_op: total_loss is not computed from a loss: "
                    "add one first (slim.losses.sparse_softmax_cross_entropy, "
                    "softmax_cross_entropy, or their tf.losses twins) and "
                    "pass slim.losses.get_total_loss()");

  // The optimizer and its learning rate.
  TrainConfigObj *optimizer = asConfig(b.get("optimizer"), kOptimizerType);
  if (!optimizer)
    return in.error(b.loc("optimizer"),
                    "create_train_op: optimizer must be a "
                    "tf.train.GradientDescentOptimizer, MomentumOptimizer, "
                    "AdamOptimizer or RMSPropOptimizer, not " +
                        typeName(*b.get("optimizer")));

  // The global step: TF-Slim's default creates it.
  Ref step = b.get("global_step");
  if (auto *i = dyn_cast<IntObj>(step.get()); i && i->value == 0) {
    if (!ts.globalStep)
      ts.globalStep = g.createGlobalStep(args.loc);
    if (!ts.globalStep)
      return nullptr;
  } else if (isNone(step)) {
    return in.error(b.loc("global_step"),
                    "create_train_op: global_step=None is not supported: "
                    "slimc's train step always counts its steps in "
                    "global_step (leave the argument out)");
  } else if (!isGlobalStep(in, step)) {
    return in.error(b.loc("global_step"),
                    "create_train_op: global_step must be "
                    "tf.train.get_or_create_global_step()");
  }

  // The variables to train: TensorFlow's trainable variables, in creation
  // order, or the given subset of them.
  llvm::SmallVector<mlir::Attribute> vars;
  auto bld = builder(in);
  if (b.isNone("variables_to_train")) {
    for (auto &v : g.getVariables())
      if (v->trainable)
        vars.push_back(mlir::FlatSymbolRefAttr::get(v->op.getSymNameAttr()));
  } else {
    std::vector<Ref> items;
    if (!in.iterate(b.get("variables_to_train"), b.loc("variables_to_train"),
                    items))
      return nullptr;
    llvm::DenseSet<VariableInfo *> chosen;
    for (const Ref &item : items) {
      auto *t = dyn_cast<TensorObj>(item.get());
      VariableInfo *v =
          t && !t->varName.empty() ? g.findVariable(t->varName) : nullptr;
      if (!v)
        return in.error(b.loc("variables_to_train"),
                        "create_train_op: variables_to_train must hold "
                        "variables, got " +
                            (t ? "the tensor " + t->name : typeName(*item)));
      if (!v->trainable)
        return in.error(b.loc("variables_to_train"),
                        "create_train_op: variable " + t->varName +
                            " is not trainable");
      chosen.insert(v);
    }
    for (auto &v : g.getVariables())
      if (chosen.contains(v.get()))
        vars.push_back(mlir::FlatSymbolRefAttr::get(v->op.getSymNameAttr()));
  }
  if (vars.empty())
    return in.error(
        b.isNone("variables_to_train") ? args.loc : b.loc("variables_to_train"),
        "create_train_op: there are no variables to train");

  bool updateOps;
  double clip;
  if (!resolveUpdateOps(in, b, updateOps) ||
      !getNumber(in, b, "clip_gradient_norm", clip))
    return nullptr;
  if (!b.isNone("gradient_multipliers"))
    return in.error(b.loc("gradient_multipliers"),
                    "create_train_op: gradient_multipliers is not supported");

  llvm::SmallVector<mlir::NamedAttribute> config(
      optimizer->config.getValue().begin(), optimizer->config.getValue().end());
  config.push_back(bld.getNamedAttr(
      "global_step", mlir::FlatSymbolRefAttr::get(
                         g.findVariable("global_step")->op.getSymNameAttr())));
  config.push_back(
      bld.getNamedAttr("variables_to_train", bld.getArrayAttr(vars)));
  config.push_back(boolean(in, "update_ops", updateOps));
  // tf_slim clips only for a positive norm.
  config.push_back(f64(in, "clip_gradient_norm", clip > 0 ? clip : 0.0));
  ts.trainOp = TrainOp{args.loc, lossRef, bld.getDictionaryAttr(config)};
  // TF-Slim's train op evaluates to the total loss.
  return lossRef;
}

Ref learningTrain(Interpreter &in, CallArgs &args) {
  return in.error(args.loc,
                  "slim.learning.train runs TensorFlow's session loop; slimc "
                  "compiles the train step instead: build the library with "
                  "`slimc --train` and run the steps with `slimrun MODEL.so "
                  "--train --data x.npy --labels y.npy`");
}

/// tf.summary.*: TensorBoard summaries; slimc writes none.
Ref ignoredSummary(Interpreter &in, CallArgs &args) { return makeNone(); }

const BuiltinDef kTrainingBuiltins[] = {
    {"tf.train", "get_or_create_global_step", "get_or_create_global_step",
     getOrCreateGlobalStep},
    {"tf.train", "create_global_step", "create_global_step", createGlobalStep},
    {"tf.train", "get_global_step", "get_global_step", getGlobalStep},
    {"slim", "get_or_create_global_step", "get_or_create_global_step",
     getOrCreateGlobalStep},
    {"slim", "create_global_step", "create_global_step", createGlobalStep},
    {"slim", "get_global_step", "get_global_step", getGlobalStep},
    {"tf.train", "exponential_decay", "exponential_decay", exponentialDecay},
    {"tf.train", "polynomial_decay", "polynomial_decay", polynomialDecay},
    {"tf.train", "piecewise_constant", "piecewise_constant", piecewiseConstant},
    {"tf.train", "piecewise_constant_decay", "piecewise_constant",
     piecewiseConstant},
    {"tf.train", "GradientDescentOptimizer", "GradientDescentOptimizer",
     gradientDescent},
    {"tf.train", "MomentumOptimizer", "MomentumOptimizer", momentum},
    {"tf.train", "AdamOptimizer", "AdamOptimizer", adam},
    {"tf.train", "RMSPropOptimizer", "RMSPropOptimizer", rmsprop},
    {"tf.train", "AdagradOptimizer", "AdagradOptimizer", adagrad},
    {"tf.train", "AdagradDAOptimizer", "AdagradDAOptimizer", adagradDA},
    {"tf.train", "AdadeltaOptimizer", "AdadeltaOptimizer", adadelta},
    {"tf.train", "FtrlOptimizer", "FtrlOptimizer", ftrl},
    {"tf.train", "ProximalGradientDescentOptimizer",
     "ProximalGradientDescentOptimizer", proximalSgd},
    {"tf.train", "ProximalAdagradOptimizer", "ProximalAdagradOptimizer",
     proximalAdagrad},
    {"tf.train", "SyncReplicasOptimizer", "SyncReplicasOptimizer",
     syncReplicas},
    {"tf.train", "cosine_decay", "cosine_decay", cosineDecay},
    {"tf.train", "cosine_decay_restarts", "cosine_decay_restarts",
     cosineDecayRestarts},
    {"tf.train", "linear_cosine_decay", "linear_cosine_decay",
     linearCosineDecay},
    {"tf.train", "noisy_linear_cosine_decay", "noisy_linear_cosine_decay",
     noisyLinearCosineDecay},
    {"tf.train", "inverse_time_decay", "inverse_time_decay", inverseTimeDecay},
    {"tf.train", "natural_exp_decay", "natural_exp_decay", naturalExpDecay},
    {"slim.learning", "create_train_op", "create_train_op", createTrainOp},
    {"slim.learning", "train", "train", learningTrain},
    {"tf.summary", "scalar", "scalar", ignoredSummary},
    {"tf.summary", "histogram", "histogram", ignoredSummary},
    {"tf.summary", "image", "image", ignoredSummary},
    {"tf.summary", "merge_all", "merge_all", ignoredSummary},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::trainingBuiltins() {
  return kTrainingBuiltins;
}
