//===- Losses.cpp - slim.losses and tf.losses -----------------------------===//
//
// The losses of a training script: softmax cross-entropy (one-hot and
// sparse, in tf_slim's argument order `(logits, labels)` and tf.losses'
// `(labels, logits)`), the LOSSES collection, the regularization losses of
// the regularized variables and their sum, `get_total_loss`. Each loss is a
// scalar f32 tensor; the ops only reach `@train_step` (TrainGraph.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/Registry.h"

#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/SlimTrainOps.h"

#include "llvm/Support/Regex.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

constexpr const char *kLosses = "losses";

/// Runs `body` inside TensorFlow's `name_scope(scope, defaultName)`: the
/// loss ops' `scope` and tensor names.
template <typename F>
Ref inLossScope(Interpreter &in, const Bound &b, llvm::StringRef defaultName,
                F body) {
  std::string scope;
  if (b.has("scope") && !getOptionalString(in, b, "scope", scope))
    return nullptr;
  GraphState &g = in.graph();
  std::string saved = g.nameScope();
  g.setNameScope(g.openNameScope(scope.empty() ? defaultName : scope));
  Ref result = body();
  g.setNameScope(saved);
  return result;
}

/// A loss's `weights`: a Python number (scalar weights are what slimc's
/// losses take; a tensor of per-sample weights is refused).
bool getWeight(Interpreter &in, const Bound &b, double &out) {
  Ref w = b.get("weights");
  if (isa<TensorObj>(*w)) {
    in.error(b.loc("weights"),
             b.function + ": tensor-valued weights are not supported; slimc's "
                          "losses take a scalar Python number");
    return false;
  }
  return getFloat(in, b, "weights", out);
}

bool isF32(const TensorObj &t) {
  return llvm::cast<mlir::RankedTensorType>(t.value.getType())
      .getElementType()
      .isF32();
}

/// tf.losses' `reduction`: the two that mean `weight x batch mean` for a
/// scalar weight.
bool checkReduction(Interpreter &in, const Bound &b) {
  if (!b.has("reduction"))
    return true;
  std::string r;
  if (!getString(in, b, "reduction", r))
    return false;
  if (r == "weighted_sum_by_nonzero_weights" ||
      r == "weighted_sum_over_batch_size")
    return true;
  in.error(b.loc("reduction"),
           b.function + ": reduction '" + r +
               "' is not supported (SUM_BY_NONZERO_WEIGHTS, the default, or "
               "SUM_OVER_BATCH_SIZE)");
  return false;
}

/// Adds `loss` to `collection` (None: no collection), as tf_slim's add_loss.
bool addToLossCollection(Interpreter &in, const Ref &loss,
                         const Ref &collection, SMLoc loc) {
  if (isNone(collection))
    return true;
  auto *name = dyn_cast<StrObj>(collection.get());
  if (!name) {
    in.error(loc, "loss_collection must be a string or None");
    return false;
  }
  in.graph().collections[name->value].emplace_back("", loss);
  return true;
}

/// softmax_cross_entropy and sparse_softmax_cross_entropy of either module.
Ref softmaxLoss(Interpreter &in, const Bound &b, bool sparse,
                llvm::StringRef labelsParam, SMLoc loc) {
  TensorObj *logits = getTensor(in, b, "logits");
  if (!logits)
    return nullptr;
  auto *labels = dyn_cast<TensorObj>(b.get(labelsParam).get());
  if (!labels)
    return in.raise("TypeError", b.loc(labelsParam),
                    b.function + "() argument '" + labelsParam +
                        "' must be a tensor, not " +
                        typeName(*b.get(labelsParam)));
  double weight, smoothing = 0;
  if (!getWeight(in, b, weight) || !checkReduction(in, b) ||
      (b.has("label_smoothing") &&
       !getFloat(in, b, "label_smoothing", smoothing)))
    return nullptr;
  if (logits->shape.size() != 2 || !isF32(*logits))
    return in.error(b.loc("logits"),
                    b.function +
                        ": logits must be a float32 [batch, "
                        "classes] tensor, got shape [" +
                        mlir::slim::shapeToString(logits->shape) + "]");
  auto labelsType = llvm::cast<mlir::RankedTensorType>(labels->value.getType());
  if (sparse) {
    if (isF32(*labels))
      return in.error(b.loc(labelsParam),
                      b.function + ": labels must be int32 or int64 class "
                                   "ids, got float32 (one-hot labels go to "
                                   "softmax_cross_entropy)");
    if (labels->shape.size() != 1 || labels->shape[0] != logits->shape[0])
      return in.error(b.loc(labelsParam),
                      b.function + ": labels must have shape [" +
                          llvm::Twine(logits->shape[0]) +
                          "] (one class id per sample), got [" +
                          mlir::slim::shapeToString(labels->shape) + "]");
  } else {
    if (!labelsType.getElementType().isF32())
      return in.error(b.loc(labelsParam),
                      b.function + ": one-hot labels must be float32 (class "
                                   "ids go to sparse_softmax_cross_entropy)");
    if (labels->shape != logits->shape)
      return in.error(b.loc(labelsParam),
                      b.function + ": one-hot labels of shape [" +
                          mlir::slim::shapeToString(labels->shape) +
                          "] do not match the logits' [" +
                          mlir::slim::shapeToString(logits->shape) + "]");
  }
  // TF-Slim smooths only for a positive value.
  if (smoothing < 0)
    smoothing = 0;
  if (smoothing > 1)
    return in.error(b.loc("label_smoothing"),
                    b.function + ": label_smoothing must be in [0, 1]");
  // A placeholder passed as labels is a label input of @train_step, not
  // of @main.
  if (llvm::isa<mlir::BlockArgument>(labels->value))
    in.graph().training().labelInputs.emplace(labels->name, b.loc(labelsParam));

  Ref loss = inLossScope(
      in, b,
      sparse ? "sparse_softmax_cross_entropy_loss"
             : "softmax_cross_entropy_loss",
      [&]() -> Ref {
        GraphState &g = in.graph();
        auto &builder = g.getBuilder();
        llvm::StringRef scope = g.nameScope();
        scope.consume_back("/");
        auto op = builder.create<mlir::slim::SoftmaxCrossEntropyOp>(
            g.getLoc(loc),
            mlir::RankedTensorType::get({}, builder.getF32Type()),
            logits->value, labels->value, builder.getBoolAttr(sparse),
            builder.getF32FloatAttr(smoothing), builder.getF32FloatAttr(weight),
            builder.getStringAttr(scope));
        return g.makeTensor(op, "value");
      });
  if (!loss)
    return nullptr;
  Ref collection =
      b.has("loss_collection") ? b.get("loss_collection") : makeStr(kLosses);
  if (!addToLossCollection(in, loss, collection, b.loc("loss_collection")))
    return nullptr;
  return loss;
}

// tf_slim.losses: logits first.
Ref slimSoftmaxCrossEntropy(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "softmax_cross_entropy",
                {{"logits", nullptr},
                 {"onehot_labels", nullptr},
                 {"weights", makeFloat(1.0)},
                 {"label_smoothing", makeInt(0)},
                 {"scope", none()}},
                args, b))
    return nullptr;
  return softmaxLoss(in, b, /*sparse=*/false, "onehot_labels", args.loc);
}

Ref slimSparseSoftmaxCrossEntropy(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "sparse_softmax_cross_entropy",
                {{"logits", nullptr},
                 {"labels", nullptr},
                 {"weights", makeFloat(1.0)},
                 {"scope", none()}},
                args, b))
    return nullptr;
  return softmaxLoss(in, b, /*sparse=*/true, "labels", args.loc);
}

// tf.losses (tf.compat.v1.losses): labels first.
Ref tfSoftmaxCrossEntropy(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "softmax_cross_entropy",
                {{"onehot_labels", nullptr},
                 {"logits", nullptr},
                 {"weights", makeFloat(1.0)},
                 {"label_smoothing", makeInt(0)},
                 {"scope", none()},
                 {"loss_collection", makeStr(kLosses)},
                 {"reduction", makeStr("weighted_sum_by_nonzero_weights")}},
                args, b))
    return nullptr;
  return softmaxLoss(in, b, /*sparse=*/false, "onehot_labels", args.loc);
}

Ref tfSparseSoftmaxCrossEntropy(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "sparse_softmax_cross_entropy",
                {{"labels", nullptr},
                 {"logits", nullptr},
                 {"weights", makeFloat(1.0)},
                 {"scope", none()},
                 {"loss_collection", makeStr(kLosses)},
                 {"reduction", makeStr("weighted_sum_by_nonzero_weights")}},
                args, b))
    return nullptr;
  return softmaxLoss(in, b, /*sparse=*/true, "labels", args.loc);
}

/// A scalar float32 loss tensor, or an error naming `what`.
TensorObj *scalarLoss(Interpreter &in, const Ref &value, SMLoc loc,
                      const llvm::Twine &what) {
  auto *t = dyn_cast<TensorObj>(value.get());
  if (!t || !t->shape.empty() || !isF32(*t)) {
    in.error(loc, what + " must be a scalar float32 loss tensor, got " +
                      (t ? "shape [" + mlir::slim::shapeToString(t->shape) + "]"
                         : typeName(*value)));
    return nullptr;
  }
  return t;
}

Ref addLoss(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "add_loss",
                {{"loss", nullptr}, {"loss_collection", makeStr(kLosses)}},
                args, b))
    return nullptr;
  if (!scalarLoss(in, b.get("loss"), b.loc("loss"), "add_loss: loss") ||
      !addToLossCollection(in, b.get("loss"), b.get("loss_collection"),
                           b.loc("loss_collection")))
    return nullptr;
  return makeNone();
}

/// Whether `name` is in the optional `scope` (TensorFlow's get_collection
/// filter: re.match of the scope at the start of the name).
bool inScope(Interpreter &in, const Bound &b, llvm::StringRef name, bool &out) {
  out = true;
  if (b.isNone("scope"))
    return true;
  std::string scope;
  if (!getString(in, b, "scope", scope))
    return false;
  llvm::Regex re("^(" + scope + ")");
  std::string error;
  if (!re.isValid(error)) {
    in.error(b.loc("scope"), b.function + ": bad scope pattern: " + error);
    return false;
  }
  out = re.match(name);
  return true;
}

Ref getLosses(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_losses",
                {{"scope", none()}, {"loss_collection", makeStr(kLosses)}},
                args, b))
    return nullptr;
  std::string collection;
  if (!getString(in, b, "loss_collection", collection))
    return nullptr;
  std::vector<Ref> out;
  for (auto &entry : in.graph().collections[collection]) {
    auto *t = dyn_cast<TensorObj>(entry.second.get());
    bool keep;
    if (!inScope(in, b, t ? llvm::StringRef(t->name) : "", keep))
      return nullptr;
    if (keep)
      out.push_back(entry.second);
  }
  return makeList(std::move(out));
}

/// The regularization loss of every regularized variable whose name is in
/// `scope`, in creation order (TensorFlow's REGULARIZATION_LOSSES), each
/// made once, where it is first asked for.
bool regularizationLosses(Interpreter &in, const Bound &b,
                          std::vector<Ref> &out) {
  GraphState &g = in.graph();
  for (auto &var : g.getVariables()) {
    mlir::DictionaryAttr reg = var->op.getRegularizerAttr();
    if (!reg)
      continue;
    std::string name = var->op.getSymName().str();
    bool keep;
    if (!inScope(in, b, name, keep))
      return false;
    if (!keep)
      continue;
    Ref &loss = g.training().regularizationLosses[name];
    if (!loss) {
      std::string saved = g.nameScope();
      g.setNameScope(name + "/Regularizer/");
      auto &builder = g.getBuilder();
      auto op = builder.create<mlir::slim::RegularizationLossOp>(
          var->op.getLoc(),
          mlir::RankedTensorType::get({}, builder.getF32Type()),
          cast<TensorObj>(*var->tensor).value, reg);
      loss = g.makeTensor(op, reg.getAs<mlir::StringAttr>("kind").str() +
                                  "_regularizer");
      g.setNameScope(saved);
      if (!loss)
        return false;
    }
    out.push_back(loss);
  }
  return true;
}

Ref getRegularizationLosses(Interpreter &in, CallArgs &args) {
  Bound b;
  std::vector<Ref> out;
  if (!bindArgs(in, "get_regularization_losses", {{"scope", none()}}, args,
                b) ||
      !regularizationLosses(in, b, out))
    return nullptr;
  return makeList(std::move(out));
}

/// slim.total_loss of `losses`, named `name` (tf.add_n's name).
Ref emitTotal(Interpreter &in, llvm::ArrayRef<Ref> losses, llvm::StringRef name,
              SMLoc loc) {
  GraphState &g = in.graph();
  llvm::SmallVector<mlir::Value> values;
  for (const Ref &l : losses)
    values.push_back(cast<TensorObj>(*l).value);
  auto &builder = g.getBuilder();
  auto op = builder.create<mlir::slim::TotalLossOp>(
      g.getLoc(loc), mlir::RankedTensorType::get({}, builder.getF32Type()),
      values);
  return g.makeTensor(op, name);
}

Ref getRegularizationLoss(Interpreter &in, CallArgs &args) {
  Bound b;
  std::vector<Ref> regs;
  std::string name;
  if (!bindArgs(
          in, "get_regularization_loss",
          {{"scope", none()}, {"name", makeStr("total_regularization_loss")}},
          args, b) ||
      !getString(in, b, "name", name) || !regularizationLosses(in, b, regs))
    return nullptr;
  return emitTotal(in, regs, name, args.loc);
}

/// get_total_loss of tf_slim (no `scope`) and of tf.losses.
Ref totalLoss(Interpreter &in, const Bound &b) {
  bool addRegularization;
  std::string name;
  if (!getBool(in, b, "add_regularization_losses", addRegularization) ||
      !getString(in, b, "name", name))
    return nullptr;
  std::vector<Ref> losses;
  for (auto &entry : in.graph().collections[kLosses]) {
    auto *t = dyn_cast<TensorObj>(entry.second.get());
    bool keep;
    if (!inScope(in, b, t ? llvm::StringRef(t->name) : "", keep))
      return nullptr;
    if (!keep)
      continue;
    if (!scalarLoss(in, entry.second, b.callLoc,
                    b.function + ": an entry of tf.GraphKeys.LOSSES"))
      return nullptr;
    losses.push_back(entry.second);
  }
  if (losses.empty())
    return in.error(b.callLoc, b.function +
                                   ": no loss was added before it: call a loss "
                                   "first, e.g. slim.losses."
                                   "sparse_softmax_cross_entropy(logits, "
                                   "labels)");
  if (addRegularization && !regularizationLosses(in, b, losses))
    return nullptr;
  return emitTotal(in, losses, name, b.callLoc);
}

Ref slimGetTotalLoss(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_total_loss",
                {{"add_regularization_losses", makeBool(true)},
                 {"name", makeStr("total_loss")}},
                args, b))
    return nullptr;
  return totalLoss(in, b);
}

Ref tfGetTotalLoss(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_total_loss",
                {{"add_regularization_losses", makeBool(true)},
                 {"name", makeStr("total_loss")},
                 {"scope", none()}},
                args, b))
    return nullptr;
  return totalLoss(in, b);
}

const BuiltinDef kLossBuiltins[] = {
    {"slim.losses", "softmax_cross_entropy", "softmax_cross_entropy",
     slimSoftmaxCrossEntropy},
    {"slim.losses", "sparse_softmax_cross_entropy",
     "sparse_softmax_cross_entropy", slimSparseSoftmaxCrossEntropy},
    {"slim.losses", "add_loss", "add_loss", addLoss, true},
    {"slim.losses", "get_losses", "get_losses", getLosses},
    {"slim.losses", "get_regularization_losses", "get_regularization_losses",
     getRegularizationLosses},
    {"slim.losses", "get_total_loss", "get_total_loss", slimGetTotalLoss},
    {"tf.losses", "softmax_cross_entropy", "softmax_cross_entropy",
     tfSoftmaxCrossEntropy},
    {"tf.losses", "sparse_softmax_cross_entropy",
     "sparse_softmax_cross_entropy", tfSparseSoftmaxCrossEntropy},
    {"tf.losses", "add_loss", "add_loss", addLoss},
    {"tf.losses", "get_losses", "get_losses", getLosses},
    {"tf.losses", "get_regularization_losses", "get_regularization_losses",
     getRegularizationLosses},
    {"tf.losses", "get_regularization_loss", "get_regularization_loss",
     getRegularizationLoss},
    {"tf.losses", "get_total_loss", "get_total_loss", tfGetTotalLoss},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::lossBuiltins() { return kLossBuiltins; }
