//===- SlimTrainOps.cpp - Verifiers of the losses and of slim.train -------===//

#include "dialects/Slim/IR/SlimTrainOps.h"
#include "dialects/Slim/IR/SlimDialect.h"
#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/VerifierSupport.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::slim;

#define GET_OP_CLASSES
#include "dialects/Slim/IR/SlimTrainOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::verify() {
  auto logits = shapeOf(getLogits());
  if (logits.size() != 2)
    return emitOpError("logits must be [batch, classes], got [")
           << shapeToString(logits) << "]";
  auto labelsType = llvm::cast<RankedTensorType>(getLabels().getType());
  auto labels = labelsType.getShape();
  if (getSparse()) {
    if (!labelsType.getElementType().isInteger(32) &&
        !labelsType.getElementType().isInteger(64))
      return emitOpError("sparse labels are class ids (i32 or i64), got ")
             << labelsType;
    if (labels.size() != 1 || labels[0] != logits[0])
      return emitOpError("sparse labels must be [")
             << logits[0] << "] (one class id per sample), got ["
             << shapeToString(labels) << "]";
    if (!getLabelSmoothing().isZero())
      return emitOpError("label_smoothing applies to one-hot labels only");
  } else {
    if (!labelsType.getElementType().isF32())
      return emitOpError("one-hot labels must be f32, got ") << labelsType;
    if (labels != logits)
      return emitOpError("one-hot labels of shape [")
             << shapeToString(labels) << "] do not match the logits' ["
             << shapeToString(logits) << "]";
  }
  float smoothing = getLabelSmoothing().convertToFloat();
  if (!(smoothing >= 0.0f && smoothing <= 1.0f))
    return emitOpError("label_smoothing must be in [0, 1], got ") << smoothing;
  if (!std::isfinite(getWeight().convertToFloat()))
    return emitOpError("weight must be finite");
  return success();
}

namespace {
/// Checks a regularizer dictionary as slim.variable records it.
LogicalResult verifyRegularizer(Operation *op, DictionaryAttr reg) {
  auto kind = reg.getAs<StringAttr>("kind");
  if (!kind)
    return op->emitOpError("regularizer needs a 'kind' entry");
  auto needFloat = [&](StringRef key) -> LogicalResult {
    auto value = reg.getAs<FloatAttr>(key);
    if (!value || value.getValueAsDouble() < 0)
      return op->emitOpError("regularizer '")
             << kind.getValue() << "' needs a non-negative float '" << key
             << "'";
    return success();
  };
  if (kind.getValue() == "l1" || kind.getValue() == "l2")
    return needFloat("scale");
  if (kind.getValue() == "l1_l2")
    return success(succeeded(needFloat("scale_l1")) &&
                   succeeded(needFloat("scale_l2")));
  if (kind.getValue() == "sum") {
    auto parts = reg.getAs<ArrayAttr>("parts");
    if (!parts || parts.empty())
      return op->emitOpError("a 'sum' regularizer needs 'parts'");
    for (Attribute part : parts) {
      auto dict = llvm::dyn_cast<DictionaryAttr>(part);
      if (!dict || failed(verifyRegularizer(op, dict)))
        return failure();
    }
    return success();
  }
  return op->emitOpError("unknown regularizer kind '")
         << kind.getValue() << "'";
}
} // namespace

LogicalResult RegularizationLossOp::verify() {
  return verifyRegularizer(*this, getRegularizer());
}

//===----------------------------------------------------------------------===//
// slim.train
//===----------------------------------------------------------------------===//

namespace {

/// Checks one dictionary of slim.train against the keys its kind needs.
class DictChecker {
public:
  DictChecker(Operation *op, DictionaryAttr dict, StringRef what)
      : op(op), dict(dict), what(what) {}

  LogicalResult fail(const Twine &message) {
    InFlightDiagnostic diag = op->emitOpError("slim.train");
    if (!what.empty())
      diag << " " << what;
    return diag << ": " << message;
  }
  /// The entry `key` as an A, or failure after an error.
  template <typename A> FailureOr<A> get(StringRef key, StringRef type) {
    seen.insert(key);
    auto value = dict.getAs<A>(key);
    if (!value)
      return fail("needs '" + key + "' (" + type + ")");
    return value;
  }
  LogicalResult f64(StringRef key) {
    auto value = get<FloatAttr>(key, "f64");
    if (failed(value))
      return failure();
    if (!value->getType().isF64() || !std::isfinite(value->getValueAsDouble()))
      return fail("'" + key + "' must be a finite f64");
    return success();
  }
  LogicalResult boolean(StringRef key) {
    return success(succeeded(get<BoolAttr>(key, "bool")));
  }
  LogicalResult positiveSteps(StringRef key) {
    auto value = get<IntegerAttr>(key, "i64");
    if (failed(value))
      return failure();
    if (!value->getType().isInteger(64) || value->getInt() <= 0)
      return fail("'" + key + "' must be a positive i64");
    return success();
  }
  /// Rejects keys no check asked for.
  LogicalResult noOthers() {
    for (NamedAttribute entry : dict)
      if (!seen.contains(entry.getName().getValue()))
        return fail("unexpected entry '" + entry.getName().getValue() + "'");
    return success();
  }

private:
  Operation *op;
  DictionaryAttr dict;
  StringRef what;
  llvm::DenseSet<StringRef> seen;
};

LogicalResult verifyOptimizer(Operation *op, DictionaryAttr dict) {
  DictChecker c(op, dict, "optimizer");
  auto kind = c.get<StringAttr>("kind", "string");
  auto name = c.get<StringAttr>("name", "string");
  if (failed(kind) || failed(name))
    return failure();
  if (name->getValue().empty())
    return c.fail("'name' (the slot variables' prefix) must not be empty");
  StringRef k = kind->getValue();
  if (k == "momentum") {
    if (failed(c.f64("momentum")) || failed(c.boolean("use_nesterov")))
      return failure();
  } else if (k == "adam") {
    if (failed(c.f64("beta1")) || failed(c.f64("beta2")) ||
        failed(c.f64("epsilon")))
      return failure();
  } else if (k == "rmsprop") {
    if (failed(c.f64("decay")) || failed(c.f64("momentum")) ||
        failed(c.f64("epsilon")) || failed(c.boolean("centered")))
      return failure();
  } else if (k != "sgd") {
    return c.fail("unknown kind '" + k + "' (sgd, momentum, adam, rmsprop)");
  }
  return c.noOthers();
}

LogicalResult verifyLearningRate(Operation *op, DictionaryAttr dict) {
  DictChecker c(op, dict, "learning_rate");
  auto kind = c.get<StringAttr>("kind", "string");
  if (failed(kind))
    return failure();
  StringRef k = kind->getValue();
  if (k == "constant") {
    if (failed(c.f64("value")))
      return failure();
  } else if (k == "exponential_decay") {
    if (failed(c.f64("learning_rate")) ||
        failed(c.positiveSteps("decay_steps")) || failed(c.f64("decay_rate")) ||
        failed(c.boolean("staircase")))
      return failure();
  } else if (k == "polynomial_decay") {
    if (failed(c.f64("learning_rate")) ||
        failed(c.positiveSteps("decay_steps")) ||
        failed(c.f64("end_learning_rate")) || failed(c.f64("power")) ||
        failed(c.boolean("cycle")))
      return failure();
  } else if (k == "piecewise_constant") {
    auto boundaries = c.get<ArrayAttr>("boundaries", "array of i64");
    auto values = c.get<ArrayAttr>("values", "array of f64");
    if (failed(boundaries) || failed(values))
      return failure();
    std::optional<int64_t> previous;
    for (Attribute b : *boundaries) {
      auto i = llvm::dyn_cast<IntegerAttr>(b);
      if (!i || !i.getType().isInteger(64))
        return c.fail("'boundaries' must hold i64 steps");
      if (previous && i.getInt() <= *previous)
        return c.fail("'boundaries' must increase");
      previous = i.getInt();
    }
    for (Attribute v : *values) {
      auto f = llvm::dyn_cast<FloatAttr>(v);
      if (!f || !f.getType().isF64())
        return c.fail("'values' must hold f64 rates");
    }
    if (values->size() != boundaries->size() + 1)
      return c.fail("needs one more value than boundaries");
  } else {
    return c.fail("unknown kind '" + k +
                  "' (constant, exponential_decay, piecewise_constant, "
                  "polynomial_decay)");
  }
  return c.noOthers();
}

LogicalResult verifyTrain(Operation *op, DictionaryAttr train) {
  auto fn = llvm::dyn_cast<FunctionOpInterface>(op);
  if (!fn)
    return op->emitOpError("slim.train belongs on the train-step function");
  DictChecker c(op, train, "");
  auto optimizer = c.get<DictionaryAttr>("optimizer", "dictionary");
  auto rate = c.get<DictionaryAttr>("learning_rate", "dictionary");
  if (failed(optimizer) || failed(verifyOptimizer(op, *optimizer)) ||
      failed(rate) || failed(verifyLearningRate(op, *rate)))
    return failure();

  auto step = c.get<FlatSymbolRefAttr>("global_step", "symbol");
  if (failed(step))
    return failure();
  auto stepVar = SymbolTable::lookupNearestSymbolFrom<VariableOp>(op, *step);
  auto i64Scalar =
      RankedTensorType::get({}, IntegerType::get(op->getContext(), 64));
  if (!stepVar || stepVar.getType() != i64Scalar)
    return c.fail("'global_step' must name a tensor<i64> variable");

  auto vars = c.get<ArrayAttr>("variables_to_train", "array of symbols");
  if (failed(vars))
    return failure();
  if (vars->empty())
    return c.fail("'variables_to_train' is empty");
  llvm::DenseSet<Attribute> listed;
  for (Attribute a : *vars) {
    auto ref = llvm::dyn_cast<FlatSymbolRefAttr>(a);
    auto var = ref ? SymbolTable::lookupNearestSymbolFrom<VariableOp>(op, ref)
                   : VariableOp();
    if (!var)
      return c.fail("'variables_to_train' must name variables");
    if (!var.getTrainable() ||
        !llvm::cast<RankedTensorType>(var.getType()).getElementType().isF32())
      return c.fail("variable " + var.getSymName() + " is not trainable");
    if (!listed.insert(a).second)
      return c.fail("variable " + var.getSymName() + " is listed twice");
  }
  if (failed(c.boolean("update_ops")))
    return failure();
  auto clip = c.get<FloatAttr>("clip_gradient_norm", "f64");
  if (failed(clip))
    return failure();
  if (!clip->getType().isF64() || !(clip->getValueAsDouble() >= 0))
    return c.fail("'clip_gradient_norm' must be a non-negative f64 (0: none)");
  if (failed(c.noOthers()))
    return failure();

  // The train step returns the total loss, and every batch norm that trains
  // says how fast its moving averages move.
  llvm::ArrayRef<Type> results = fn.getResultTypes();
  if (results.size() != 1 ||
      results[0] !=
          RankedTensorType::get({}, Float32Type::get(op->getContext())))
    return op->emitOpError("a train step returns the total loss, one "
                           "tensor<f32>");
  WalkResult walk = op->walk([&](BatchNormOp bn) {
    if (bn.getIsTraining() && !bn.getDecay()) {
      bn.emitOpError("in a train step needs 'decay' (is_training)");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

} // namespace

LogicalResult SlimDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() != "slim.train")
    return success();
  auto dict = llvm::dyn_cast<DictionaryAttr>(attr.getValue());
  if (!dict)
    return op->emitOpError("slim.train must be a dictionary");
  return verifyTrain(op, dict);
}
