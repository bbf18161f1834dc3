//===- TrainStepEmitter.cpp - The train step of slimc --train -------------===//
//
// Writes the model ABI's `train` entry (model_abi.h, ABI 7) for @train_step:
//
//   1. the training-mode forward pass, op by op, on NHWC tensors
//      (batch norm with batch statistics, dropout with Philox masks keyed
//      by (seed, global step, element)), every value in a slice of the train
//      arena;
//   2. reverse-mode differentiation: the ops are walked backwards and each
//      op whose operands need a gradient (they depend on a variable of
//      `variables_to_train`) adds its vector-Jacobian product into their
//      gradient buffers. Views (reshape, identity, identity dropout) share
//      their operand's gradient buffer; every read of a trained variable
//      accumulates into the ABI's `gradients[i]`. An op with no rule is a
//      `file:line:col` error naming it;
//   3. the updates of create_train_op: batch-norm moving averages
//      (update_ops), the learning rate from the global step (before its
//      increment), clip_by_norm of each gradient (into a copy: `gradients`
//      keep the unclipped values), the optimizer's update of each variable
//      and its slots, then global_step += 1.
//
// The arena: alloc() names a slice (a `const` pointer local declared at the
// top of the function) and emits nothing; after the body is written, each
// slice lives from the first statement that names it to the last
// (TrainArena.h), and slices whose lives do not intersect share bytes. A
// gradient buffer is zeroed right before the first backward op that touches
// it, so it lives only from there. Nothing needs freeing: a temporary of a
// backward rule dies after its last use in the text.
//
// The heavy backward kernels are called through one namespace alias,
// kKernelNamespace, so the plain loops of slim::kernels::ref and the fast
// kernels with the same signatures swap in one place.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CodeGen.h"
#include "compiler/CodeGen/EmitUtil.h"
#include "compiler/CodeGen/KernelParams.h"
#include "compiler/CodeGen/TrainArena.h"
#include "compiler/CodeGen/TrainStepLayers.h"
#include "compiler/Transforms/TrainConfig.h"

#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/SlimTrainOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace {

/// Where the backward kernels (conv, depthwise, fully connected, pooling,
/// batch norm) come from: slim::kernels::ref (backward_reference.h) or the
/// fast slim::kernels ones with the same signatures. The one place to
/// switch.
constexpr llvm::StringLiteral kKernelNamespace = "slim::kernels";

/// The thread pool the fast backward kernels split their work over (the
/// train step's `env`).
constexpr llvm::StringLiteral kPar = "env->parallel";

/// The forward's fast kernels with NHWC in and out (train_forward.h): conv,
/// depthwise, fully connected, pooling, bias, activations, add.
constexpr llvm::StringLiteral kForward = "slim::kernels::nhwc";

/// The key of dropout op number k of the step is kDropoutSeed + k.
constexpr uint64_t kDropoutSeed = 0x5111d0000ull;

class TrainStepEmitter {
public:
  TrainStepEmitter(ModuleOp module, func::FuncOp fn, TrainConfig config,
                   TrainForward forward)
      : module(module), fn(fn), config(std::move(config)), forward(forward),
        w(text) {}

  FailureOr<std::string> emit(TrainStepStats *stats);

private:
  // Forward.
  LogicalResult classifyArguments();
  LogicalResult emitForwardOp(Operation *op);
  LogicalResult emitConv(Operation *op);
  LogicalResult emitBatchNorm(BatchNormOp bn);
  LogicalResult emitLoss(SoftmaxCrossEntropyOp loss);
  LogicalResult emitRegularization(RegularizationLossOp reg);
  // Backward.
  void findGradients();
  LogicalResult checkGradientRule(Operation *op);
  void allocateGradients();
  LogicalResult emitBackwardOp(Operation *op);
  // Updates.
  void emitMovingAverages();
  void emitLearningRate();
  LogicalResult emitOptimizer();

  /// A fresh arena slice of `bytes` (64-byte aligned) as a `float *` local
  /// (declared at the top of the function; it is live from the first
  /// statement that names it to the last).
  std::string alloc(int64_t bytes, StringRef type = "float");
  /// Zeroes v's gradient buffer here if nothing has written it yet.
  void touchGradient(Value v);
  std::string allocFloats(int64_t n) { return alloc(n * 4); }
  /// A new local `float *` holding `expr`.
  std::string local(const Twine &expr, StringRef type = "float");
  std::string val(Value v) { return values.lookup(v); }
  bool needs(Value v) const { return needsGrad.contains(v); }
  /// grad(v) += tmp over v's elements, when v needs a gradient.
  void accumulate(Value v, StringRef tmp);
  void writeConvParams(Operation *op, Value in, Value filter, Value out);
  void writePoolParams(Operation *op);
  LogicalResult unsupported(Operation *op, const Twine &why);
  /// The bookkeeping the further layer ops' rules use (TrainStepLayers.h).
  TrainLayerContext layerContext();
  std::optional<unsigned> trainedIndex(Value v);

  ModuleOp module;
  func::FuncOp fn;
  TrainConfig config;
  TrainForward forward;
  std::string text;
  Writer w;
  llvm::StringMap<unsigned> varIndex;
  SmallVector<VariableOp> variables;
  llvm::StringMap<unsigned> gradIndex;
  SmallVector<unsigned> inputArgs, labelArgs;
  DenseMap<Value, std::string> values, grads;
  llvm::DenseSet<Value> needsGrad;
  /// Batch norm in training: the arena slices of its batch mean, variance
  /// and inverse standard deviation.
  DenseMap<Operation *, std::array<std::string, 3>> bnStats;
  /// Dropout: its mask.
  DenseMap<Operation *, std::string> dropoutMask;
  /// Softmax cross-entropy: its labels as int64 class ids (sparse) or
  /// dense f32 rows.
  DenseMap<Operation *, std::string> lossLabels;
  /// The arena's slices: their locals' names, types and the plan.
  SmallVector<ArenaSlice> slices;
  SmallVector<std::string> sliceNames, sliceTypes;
  llvm::StringMap<unsigned> sliceOf;
  /// Gradient buffers not zeroed yet: name -> bytes.
  llvm::StringMap<int64_t> unzeroed;
  uint64_t arena = 0, unplannedArena = 0;
  unsigned nextLocal = 0;
  unsigned dropouts = 0;
  std::string lossValue;
};

std::string TrainStepEmitter::alloc(int64_t bytes, StringRef type) {
  std::string name = "t" + std::to_string(nextLocal++);
  ArenaSlice s;
  s.bytes = (static_cast<uint64_t>(std::max<int64_t>(bytes, 1)) + 63) / 64 * 64;
  sliceOf[name] = slices.size();
  slices.push_back(s);
  sliceNames.push_back(name);
  sliceTypes.push_back(type.str());
  return name;
}

void TrainStepEmitter::touchGradient(Value v) {
  if (!needs(v))
    return;
  auto it = unzeroed.find(grads.lookup(v));
  if (it == unzeroed.end())
    return;
  w.line("std::memset(" + it->first() + ", 0, " + Twine(it->second) + ");");
  unzeroed.erase(it);
}

std::string TrainStepEmitter::local(const Twine &expr, StringRef type) {
  std::string name = "t" + std::to_string(nextLocal++);
  w.line(type + " *const " + name + " = " + expr + ";");
  return name;
}

/// The kernels' PadMode of a slim.pad.
std::string padModeEnum(PadOp pad) {
  return pad.getMode() == "reflect"     ? "PadMode::Reflect"
         : pad.getMode() == "symmetric" ? "PadMode::Symmetric"
                                        : "PadMode::Constant";
}

LogicalResult TrainStepEmitter::unsupported(Operation *op, const Twine &why) {
  std::string scope = scopeOf(op).str();
  return op->emitError("slimc --train: '")
         << op->getName() << "'"
         << (scope.empty() ? std::string() : " (scope '" + scope + "')") << " "
         << why;
}

TrainLayerContext TrainStepEmitter::layerContext() {
  return TrainLayerContext{
      w,
      [this](Value v) { return val(v); },
      [this](Value v) { return values[v] = allocFloats(numElements(v)); },
      [this](Value v) { return grads.lookup(v); },
      [this](Value v) { return needs(v); },
      [this](int64_t n) { return allocFloats(n); },
      [this](Value v, StringRef tmp) { accumulate(v, tmp); }};
}

std::optional<unsigned> TrainStepEmitter::trainedIndex(Value v) {
  auto read = v.getDefiningOp<ReadVariableOp>();
  if (!read)
    return std::nullopt;
  auto it = gradIndex.find(read.getName());
  if (it == gradIndex.end())
    return std::nullopt;
  return it->second;
}

LogicalResult TrainStepEmitter::classifyArguments() {
  // Inputs are the placeholders @main takes too; the rest are labels.
  llvm::StringSet<> mainInputs;
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    for (unsigned i = 0; i < main.getNumArguments(); ++i)
      if (auto n = main.getArgAttrOfType<StringAttr>(i, "slim.name"))
        mainInputs.insert(n.getValue());
  for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
    auto type = dyn_cast<RankedTensorType>(fn.getArgument(i).getType());
    if (!type || !type.hasStaticShape())
      return fn.emitError("@train_step argument ")
             << i << " needs a static shape";
    Type e = type.getElementType();
    if (!e.isF32() && !e.isInteger(32) && !e.isInteger(64))
      return fn.emitError("@train_step argument ")
             << i << " must be f32, i32 or i64";
    auto name = fn.getArgAttrOfType<StringAttr>(i, "slim.name");
    bool input = e.isF32() && name && mainInputs.contains(name.getValue());
    (input ? inputArgs : labelArgs).push_back(i);
  }
  return success();
}

void TrainStepEmitter::findGradients() {
  // Forward: what depends on a trained variable.
  fn.walk([&](Operation *op) {
    if (auto read = dyn_cast<ReadVariableOp>(op)) {
      if (gradIndex.count(read.getName()))
        needsGrad.insert(read.getResult());
      return;
    }
    for (Value operand : op->getOperands())
      if (needsGrad.contains(operand)) {
        for (Value r : op->getResults())
          needsGrad.insert(r);
        return;
      }
  });
}

LogicalResult TrainStepEmitter::checkGradientRule(Operation *op) {
  bool any = llvm::any_of(op->getOperands(),
                          [&](Value v) { return needsGrad.contains(v); });
  if (!any || isa<func::ReturnOp>(op))
    return success();
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    // is_training=false: the moving statistics are constants of the step
    // (TrainStepLayers.cpp differentiates it).
    if (needs(bn.getMovingMean()) || needs(bn.getMovingVariance()))
      return unsupported(op, "trains its moving statistics");
    return success();
  }
  if (auto sce = dyn_cast<SoftmaxCrossEntropyOp>(op))
    return needs(sce.getLabels())
               ? unsupported(op, "has no gradient rule for its labels")
               : success();
  if (isa<Conv2DOp, DepthwiseConv2DOp, MatMulOp, BiasAddOp, ActivationOp,
          MaxPoolOp, AvgPoolOp, DropoutOp, ReshapeOp, IdentityOp, ConcatOp,
          PadOp, AddOp, ReduceMeanOp, ReduceSumOp, RegularizationLossOp,
          TotalLossOp>(op))
    return success();
  if (hasTrainLayerRule(op))
    return success();
  return unsupported(op, "has no gradient rule (no backward pass for this "
                         "op kind yet)");
}

void TrainStepEmitter::writeConvParams(Operation *op, Value in, Value filter,
                                       Value out) {
  auto attr = [&](StringRef name) {
    return op->getAttrOfType<DenseI64ArrayAttr>(name).asArrayRef();
  };
  ArrayRef<int64_t> f = shapeOf(filter);
  writeConv2DParams(w, "p", in, out, f.take_front(2), attr("strides"),
                    attr("dilations"), attr("pads"));
  if (isa<DepthwiseConv2DOp>(op))
    w.line("p.depthMultiplier = " + Twine(f[3]) + ";");
}

void TrainStepEmitter::writePoolParams(Operation *op) {
  auto attr = [&](StringRef name) {
    return op->getAttrOfType<DenseI64ArrayAttr>(name).asArrayRef();
  };
  writePool2DParams(w, "p", op->getOperand(0), op->getResult(0), attr("kernel"),
                    attr("strides"), attr("pads"));
}

LogicalResult TrainStepEmitter::emitConv(Operation *op) {
  Value in = op->getOperand(0), filter = op->getOperand(1),
        out = op->getResult(0);
  values[out] = allocFloats(numElements(out));
  w.line("{");
  w.in();
  writeConvParams(op, in, filter, out);
  // Exact (default): ref::conv2d's double sums and bits, vectorized and
  // threaded. Float sums (Fast, the blocked kernels) move activations by
  // ~1e-6 relative, enough to flip max-pool argmaxes and ReLU masks at
  // near-ties that TensorFlow's float sums decide otherwise (conv_exact.h;
  // docs/training.md, "Discontinuities").
  StringRef ns =
      forward == TrainForward::Exact ? "slim::kernels::exact" : kForward;
  w.line(ns + (isa<DepthwiseConv2DOp>(op) ? "::depthwiseConv2d" : "::conv2d") +
         "(p, " + val(in) + ", " + val(filter) + ", " + val(out) + ", " + kPar +
         ");");
  w.out();
  w.line("}");
  return success();
}

LogicalResult TrainStepEmitter::emitBatchNorm(BatchNormOp bn) {
  Value x = bn.getInput(), y = bn.getOutput();
  int64_t c = numElements(bn.getMovingMean());
  int64_t outer = numElements(x) / c;
  values[y] = allocFloats(numElements(y));
  if (!bn.getIsTraining()) {
    w.line("ref::batchNorm(" + val(x) + ", " + val(y) + ", " + Twine(outer) +
           ", " + Twine(c) + ", " +
           (bn.getGamma() ? val(bn.getGamma()) : "nullptr") + ", " +
           (bn.getBeta() ? val(bn.getBeta()) : "nullptr") + ", " +
           val(bn.getMovingMean()) + ", " + val(bn.getMovingVariance()) + ", " +
           fmtFloat(bn.getEpsilon().convertToDouble()) + ");");
    return success();
  }
  std::array<std::string, 3> stats = {allocFloats(c), allocFloats(c),
                                      allocFloats(c)};
  bnStats[bn] = stats;
  w.line(kKernelNamespace + "::batchNormTraining(" + val(x) + ", " + val(y) +
         ", " + Twine(outer) + ", " + Twine(c) + ", " +
         (bn.getGamma() ? val(bn.getGamma()) : "nullptr") + ", " +
         (bn.getBeta() ? val(bn.getBeta()) : "nullptr") + ", " +
         fmtFloat(bn.getEpsilon().convertToDouble()) + ", " + stats[0] + ", " +
         stats[1] + ", " + stats[2] + ", " + kPar + ");");
  return success();
}

LogicalResult TrainStepEmitter::emitLoss(SoftmaxCrossEntropyOp loss) {
  Value logits = loss.getLogits(), labels = loss.getLabels();
  int64_t cols = shapeOf(logits).back();
  int64_t rows = numElements(logits) / cols;
  float smoothing = loss.getLabelSmoothing().convertToFloat();
  double weight = loss.getWeight().convertToDouble();
  Type le = cast<RankedTensorType>(labels.getType()).getElementType();
  std::string lab;
  bool sparse = loss.getSparse();
  if (sparse && smoothing == 0.0f) {
    // Class ids as the kernel takes them.
    if (le.isInteger(64)) {
      lab =
          local("reinterpret_cast<int64_t *>(" + val(labels) + ")", "int64_t");
    } else {
      lab = alloc(rows * 8, "int64_t");
      w.line("for (int64_t r = 0; r < " + Twine(rows) + "; ++r)");
      w.line("  " + lab + "[r] = reinterpret_cast<const int32_t *>(" +
             val(labels) + ")[r];");
    }
  } else if (sparse) {
    // Label smoothing applies to one-hot rows: expand the ids (an id out
    // of range gives a NaN row, as the sparse kernel does).
    lab = allocFloats(rows * cols);
    std::string id = le.isInteger(64) ? "int64_t" : "int32_t";
    w.line("for (int64_t r = 0; r < " + Twine(rows) + "; ++r) {");
    w.line("  int64_t id = reinterpret_cast<const " + id + " *>(" +
           val(labels) + ")[r];");
    w.line("  for (int64_t j = 0; j < " + Twine(cols) + "; ++j)");
    w.line("    " + lab + "[r * " + Twine(cols) + " + j] = id < 0 || id >= " +
           Twine(cols) + " ? NAN : (j == id ? 1.0f : 0.0f);");
    w.line("}");
    sparse = false;
  } else {
    lab = val(labels);
  }
  lossLabels[loss] = lab;
  std::string perRow = allocFloats(rows);
  if (sparse)
    w.line("ref::sparseSoftmaxCrossEntropy(" + val(logits) + ", " + lab + ", " +
           Twine(rows) + ", " + Twine(cols) + ", " + perRow +
           ", nullptr, nullptr);");
  else
    w.line("ref::softmaxCrossEntropy(" + val(logits) + ", " + lab + ", " +
           Twine(rows) + ", " + Twine(cols) + ", " + fmtFloat(smoothing) +
           ", " + perRow + ", nullptr, nullptr);");
  std::string out = allocFloats(1);
  values[loss.getLoss()] = out;
  // SUM_BY_NONZERO_WEIGHTS with a scalar weight: sum(w * l) / rows, and 0
  // for a zero weight.
  w.line("{");
  w.line("  double s = 0.0;");
  w.line("  for (int64_t r = 0; r < " + Twine(rows) + "; ++r)");
  w.line("    s += static_cast<double>(" + perRow + "[r] * " +
         fmtFloat(weight) + ");");
  w.line("  " + out + "[0] = " +
         (weight == 0.0 ? std::string("0.0f")
                        : "static_cast<float>(s / " + Twine(rows).str() + ")") +
         ";");
  w.line("}");
  return success();
}

LogicalResult TrainStepEmitter::emitRegularization(RegularizationLossOp reg) {
  DictionaryAttr r = reg.getRegularizer();
  StringRef kind = attrString(r, "kind");
  std::string out = allocFloats(1);
  values[reg.getLoss()] = out;
  std::string x = val(reg.getInput());
  int64_t n = numElements(reg.getInput());
  auto term = [&](StringRef fnName, double scale) {
    return "ref::" + fnName.str() + "(" + x + ", " + std::to_string(n) + ", " +
           fmtFloat(scale) + ", nullptr)";
  };
  if (kind == "l2")
    w.line(out + "[0] = " + term("l2Regularizer", attrNumber(r, "scale")) +
           ";");
  else if (kind == "l1")
    w.line(out + "[0] = " + term("l1Regularizer", attrNumber(r, "scale")) +
           ";");
  else
    w.line(out + "[0] = " + term("l1Regularizer", attrNumber(r, "scale_l1")) +
           " + " + term("l2Regularizer", attrNumber(r, "scale_l2")) + ";");
  return success();
}

LogicalResult TrainStepEmitter::emitForwardOp(Operation *op) {
  auto result = [&](Value v) {
    return values[v] = allocFloats(numElements(v));
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ReadVariableOp read) {
        auto it = varIndex.find(read.getName());
        if (it == varIndex.end())
          return unsupported(op, "reads an unknown variable");
        auto type = cast<RankedTensorType>(read.getType());
        if (!type.getElementType().isF32()) {
          if (!read->use_empty())
            return unsupported(op, "reads a non-f32 variable as a tensor");
          return success();
        }
        values[read.getResult()] =
            local("static_cast<float *>(variables[" + Twine(it->second) + "])");
        return success();
      })
      .Case<Conv2DOp, DepthwiseConv2DOp>([&](auto) { return emitConv(op); })
      .Case([&](MatMulOp mm) {
        ArrayRef<int64_t> wt = shapeOf(mm.getWeights());
        std::string y = result(mm.getOutput());
        w.line("{");
        w.line("  FullyConnectedParams p;");
        w.line("  p.m = " + Twine(numElements(mm.getInput()) / wt[0]) +
               "; p.k = " + Twine(wt[0]) + "; p.n = " + Twine(wt[1]) + ";");
        w.line("  " + kForward + "::fullyConnected(p, " + val(mm.getInput()) +
               ", " + val(mm.getWeights()) + ", " + y + ", " + kPar + ");");
        w.line("}");
        return success();
      })
      .Case([&](BiasAddOp b) {
        int64_t c = numElements(b.getBias());
        std::string y = result(b.getOutput());
        w.line(kForward + "::biasAdd(" + val(b.getInput()) + ", " +
               val(b.getBias()) + ", " + y + ", " +
               Twine(numElements(b.getInput()) / c) + ", " + Twine(c) + ", " +
               kPar + ");");
        return success();
      })
      .Case([&](BatchNormOp bn) { return emitBatchNorm(bn); })
      .Case([&](ActivationOp act) {
        float alpha = act.getAlpha() ? act.getAlpha()->convertToFloat() : 0.0f;
        std::string y = result(act.getOutput());
        w.line(kForward + "::pointwise(" + pointwiseEnum(act.getKind()) + ", " +
               fmtFloat(alpha) + ", " + val(act.getInput()) + ", " + y + ", " +
               Twine(numElements(act.getInput())) + ", " + kPar + ");");
        return success();
      })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto) {
        std::string y = result(op->getResult(0));
        w.line("{");
        w.in();
        writePoolParams(op);
        w.line(kForward + (isa<MaxPoolOp>(op) ? "::maxPool2d" : "::avgPool2d") +
               "(p, " + val(op->getOperand(0)) + ", " + y + ", " + kPar + ");");
        w.out();
        w.line("}");
        return success();
      })
      .Case([&](DropoutOp d) {
        double keep = d.getKeepProb().convertToDouble();
        if (!d.getIsTraining() || keep >= 1.0) {
          values[d.getOutput()] = val(d.getInput());
          return success();
        }
        if (!(keep > 0.0))
          return unsupported(op, "needs keep_prob in (0, 1]");
        int64_t n = numElements(d.getInput());
        std::string y = result(d.getOutput());
        std::string mask = allocFloats(n);
        dropoutMask[op] = mask;
        w.line("slim::kernels::dropoutForward(" + val(d.getInput()) + ", " + y +
               ", " + mask + ", 0, " + Twine(n) + ", " + fmtDouble(keep) +
               ", " + Twine(kDropoutSeed + dropouts++) +
               "ull, static_cast<uint64_t>(step));");
        return success();
      })
      .Case<ReshapeOp, IdentityOp>([&](auto) {
        values[op->getResult(0)] = val(op->getOperand(0));
        return success();
      })
      .Case([&](ConcatOp cat) {
        int64_t axis = cat.getAxis();
        ArrayRef<int64_t> out = shapeOf(cat.getOutput());
        if (axis < 0)
          axis += out.size();
        int64_t outer = product(out.take_front(axis));
        std::string y = result(cat.getOutput());
        std::vector<std::string> srcs, chunks;
        for (Value in : cat.getInputs()) {
          srcs.push_back(val(in));
          chunks.push_back(std::to_string(numElements(in) / outer));
        }
        w.line("{");
        w.line("  const float *const srcs[] = {" + llvm::join(srcs, ", ") +
               "};");
        w.line("  static const int64_t chunks[] = {" +
               llvm::join(chunks, ", ") + "};");
        w.line("  concatDense(" + Twine(outer) + ", " + Twine(srcs.size()) +
               ", srcs, chunks, " + y + ");");
        w.line("}");
        return success();
      })
      .Case([&](PadOp pad) {
        std::string y = result(pad.getOutput());
        ArrayRef<int64_t> in = shapeOf(pad.getInput());
        w.line("{");
        w.line("  static const int64_t dims[] = {" + joinInts(in) + "};");
        w.line("  static const int64_t pads[] = {" +
               joinInts(pad.getPadding()) + "};");
        w.line("  ref::pad(" + val(pad.getInput()) + ", " + y + ", " +
               Twine(in.size()) + ", dims, pads, " + padModeEnum(pad) + ", " +
               fmtFloat(pad.getConstantValue().convertToFloat()) + ");");
        w.line("}");
        return success();
      })
      .Case([&](AddOp add) {
        std::string y = result(add.getOutput());
        w.line(kForward + "::add(" + val(add.getLhs()) + ", " +
               val(add.getRhs()) + ", " + y + ", " +
               Twine(numElements(add.getLhs())) + ", " + kPar + ");");
        return success();
      })
      .Case<ReduceMeanOp, ReduceSumOp>([&](auto) {
        std::string y = result(op->getResult(0));
        w.line("{");
        int64_t rank = writeReduceTables(w, op, "  ");
        w.line("  ref::reduce(" + reduceEnum(op) + ", " +
               val(op->getOperand(0)) + ", shape, reduced, " + Twine(rank) +
               ", " + y + ");");
        w.line("}");
        return success();
      })
      .Case([&](SoftmaxOp sm) {
        int64_t cols = shapeOf(sm.getInput()).back();
        std::string y = result(sm.getOutput());
        w.line("ref::softmax(" + val(sm.getInput()) + ", " + y + ", " +
               Twine(numElements(sm.getInput()) / cols) + ", " + Twine(cols) +
               ");");
        return success();
      })
      .Case([&](SoftmaxCrossEntropyOp loss) { return emitLoss(loss); })
      .Case([&](RegularizationLossOp reg) { return emitRegularization(reg); })
      .Case([&](TotalLossOp total) {
        std::string y = result(total.getTotal());
        std::vector<std::string> terms;
        for (Value l : total.getLosses())
          terms.push_back(val(l) + "[0]");
        w.line(y + "[0] = " + llvm::join(terms, " + ") + ";");
        return success();
      })
      .Case([&](func::ReturnOp ret) {
        if (ret.getNumOperands() != 1 || numElements(ret.getOperand(0)) != 1)
          return unsupported(op, "must return the scalar total loss");
        lossValue = val(ret.getOperand(0));
        return success();
      })
      .Default([&](Operation *) {
        TrainLayerContext cx = layerContext();
        if (std::optional<LogicalResult> done = emitTrainLayerForward(op, cx))
          return *done;
        return unsupported(op, "is not supported in @train_step");
      });
}

void TrainStepEmitter::allocateGradients() {
  // Gradient buffers in program order, so a view's operand has its buffer
  // before the view shares it.
  fn.walk([&](Operation *op) {
    for (Value r : op->getResults()) {
      if (!needsGrad.contains(r))
        continue;
      if (std::optional<unsigned> g = trainedIndex(r)) {
        grads[r] = "G" + std::to_string(*g);
        continue;
      }
      bool view = isa<ReshapeOp, IdentityOp>(op);
      if (isa<DropoutOp>(op))
        view = !dropoutMask.count(op);
      if (view) {
        grads[r] = grads.lookup(op->getOperand(0));
        continue;
      }
      grads[r] = allocFloats(numElements(r));
      unzeroed[grads[r]] = numElements(r) * 4;
    }
  });
}

void TrainStepEmitter::accumulate(Value v, StringRef tmp) {
  if (!needs(v))
    return;
  w.line("trainAddInto(" + grads.lookup(v) + ", " + tmp + ", " +
         Twine(numElements(v)) + ", " + kPar + ");");
}

LogicalResult TrainStepEmitter::emitBackwardOp(Operation *op) {
  if (!llvm::any_of(op->getOperands(), [&](Value v) { return needs(v); }))
    return success();
  if (isa<func::ReturnOp, ReshapeOp, IdentityOp>(op))
    return success();
  for (Value v : op->getOperands())
    touchGradient(v);
  for (Value v : op->getResults())
    touchGradient(v);
  std::string ns = kKernelNamespace.str();
  auto tmpFor = [&](Value v) { return allocFloats(numElements(v)); };
  std::string gy = op->getNumResults() ? grads.lookup(op->getResult(0)) : "";
  w.line("// d " + op->getName().getStringRef().str() + " " +
         scopeOf(op).str());
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<Conv2DOp, DepthwiseConv2DOp>([&](auto) {
        bool dw = isa<DepthwiseConv2DOp>(op);
        Value in = op->getOperand(0), filter = op->getOperand(1);
        w.line("{");
        w.in();
        writeConvParams(op, in, filter, op->getResult(0));
        if (needs(in)) {
          std::string t = tmpFor(in);
          w.line(
              ns +
              (dw ? "::depthwiseConv2dBackwardData" : "::conv2dBackwardData") +
              "(p, " + gy + ", " + val(filter) + ", " + t + ", " + kPar + ");");
          accumulate(in, t);
        }
        if (needs(filter)) {
          std::string t = tmpFor(filter);
          w.line(ns +
                 (dw ? "::depthwiseConv2dBackwardFilter"
                     : "::conv2dBackwardFilter") +
                 "(p, " + val(in) + ", " + gy + ", " + t + ", " + kPar + ");");
          accumulate(filter, t);
        }
        w.out();
        w.line("}");
        return success();
      })
      .Case([&](MatMulOp mm) {
        Value x = mm.getInput(), wt = mm.getWeights();
        ArrayRef<int64_t> ws = shapeOf(wt);
        std::string tx = needs(x) ? tmpFor(x) : "nullptr";
        std::string tw = needs(wt) ? tmpFor(wt) : "nullptr";
        w.line("{");
        w.line("  FullyConnectedParams p;");
        w.line("  p.m = " + Twine(numElements(x) / ws[0]) +
               "; p.k = " + Twine(ws[0]) + "; p.n = " + Twine(ws[1]) + ";");
        w.line("  " + ns + "::fullyConnectedBackward(p, " + val(x) + ", " +
               val(wt) + ", " + gy + ", " + tx + ", " + tw + ", " + kPar +
               ");");
        w.line("}");
        if (needs(x))
          accumulate(x, tx);
        if (needs(wt))
          accumulate(wt, tw);
        return success();
      })
      .Case([&](BiasAddOp b) {
        accumulate(b.getInput(), gy);
        if (needs(b.getBias())) {
          int64_t c = numElements(b.getBias());
          std::string t = tmpFor(b.getBias());
          w.line(ns + "::biasBackward(" + gy + ", " +
                 Twine(numElements(b.getInput()) / c) + ", " + Twine(c) + ", " +
                 t + ", " + kPar + ");");
          accumulate(b.getBias(), t);
        }
        return success();
      })
      .Case([&](BatchNormOp bn) {
        if (!bn.getIsTraining()) {
          TrainLayerContext cx = layerContext();
          return *emitTrainLayerBackward(op, cx);
        }
        const std::array<std::string, 3> &s = bnStats[op];
        Value x = bn.getInput();
        int64_t c = numElements(bn.getMovingMean());
        std::string tx = tmpFor(x);
        std::string tg =
            bn.getGamma() && needs(bn.getGamma()) ? allocFloats(c) : "nullptr";
        std::string tb =
            bn.getBeta() && needs(bn.getBeta()) ? allocFloats(c) : "nullptr";
        w.line(ns + "::batchNormTrainingBackward(" + val(x) + ", " + gy + ", " +
               Twine(numElements(x) / c) + ", " + Twine(c) + ", " +
               (bn.getGamma() ? val(bn.getGamma()) : "nullptr") + ", " + s[0] +
               ", " + s[2] + ", " + tx + ", " + tg + ", " + tb + ", " + kPar +
               ");");
        accumulate(x, tx);
        if (tg != "nullptr")
          accumulate(bn.getGamma(), tg);
        if (tb != "nullptr")
          accumulate(bn.getBeta(), tb);
        return success();
      })
      .Case([&](ActivationOp act) {
        float alpha = act.getAlpha() ? act.getAlpha()->convertToFloat() : 0.0f;
        std::string t = tmpFor(act.getInput());
        w.line(ns + "::pointwiseBackward(" + pointwiseEnum(act.getKind()) +
               ", " + fmtFloat(alpha) + ", " + val(act.getInput()) + ", " + gy +
               ", " + t + ", " + Twine(numElements(act.getInput())) + ", " +
               kPar + ");");
        accumulate(act.getInput(), t);
        return success();
      })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto) {
        Value in = op->getOperand(0);
        std::string t = tmpFor(in);
        w.line("{");
        w.in();
        writePoolParams(op);
        if (isa<MaxPoolOp>(op))
          w.line(ns + "::maxPool2dBackward(p, " + val(in) + ", " + gy + ", " +
                 t + ", " + kPar + ");");
        else
          w.line(ns + "::avgPool2dBackward(p, " + gy + ", " + t + ", " + kPar +
                 ");");
        w.out();
        w.line("}");
        accumulate(in, t);
        return success();
      })
      .Case([&](DropoutOp d) {
        auto it = dropoutMask.find(op);
        if (it == dropoutMask.end())
          return success(); // A view: shares its input's gradient.
        int64_t n = numElements(d.getInput());
        std::string t = tmpFor(d.getInput());
        w.line("slim::kernels::dropoutBackward(" + gy + ", " + it->second +
               ", " + t + ", 0, " + Twine(n) + ");");
        accumulate(d.getInput(), t);
        return success();
      })
      .Case([&](ConcatOp cat) {
        int64_t axis = cat.getAxis();
        ArrayRef<int64_t> out = shapeOf(cat.getOutput());
        if (axis < 0)
          axis += out.size();
        int64_t outer = product(out.take_front(axis));
        std::vector<std::string> dsts, chunks;
        for (Value in : cat.getInputs()) {
          dsts.push_back(tmpFor(in));
          chunks.push_back(std::to_string(numElements(in) / outer));
        }
        w.line("{");
        w.line("  float *const dsts[] = {" + llvm::join(dsts, ", ") + "};");
        w.line("  static const int64_t chunks[] = {" +
               llvm::join(chunks, ", ") + "};");
        w.line("  ref::concatChannelsBackward(" + Twine(outer) + ", " +
               Twine(dsts.size()) + ", chunks, " + gy + ", dsts);");
        w.line("}");
        for (auto [i, in] : llvm::enumerate(cat.getInputs()))
          accumulate(in, dsts[i]);
        return success();
      })
      .Case([&](PadOp pad) {
        ArrayRef<int64_t> in = shapeOf(pad.getInput());
        std::string t = tmpFor(pad.getInput());
        w.line("{");
        w.line("  static const int64_t dims[] = {" + joinInts(in) + "};");
        w.line("  static const int64_t pads[] = {" +
               joinInts(pad.getPadding()) + "};");
        w.line("  ref::padBackward(" + gy + ", " + t + ", " + Twine(in.size()) +
               ", dims, pads, " + padModeEnum(pad) + ");");
        w.line("}");
        accumulate(pad.getInput(), t);
        return success();
      })
      .Case([&](AddOp add) {
        accumulate(add.getLhs(), gy);
        accumulate(add.getRhs(), gy);
        return success();
      })
      .Case<ReduceMeanOp, ReduceSumOp>([&](auto) {
        Value input = op->getOperand(0);
        std::string t = tmpFor(input);
        w.line("{");
        int64_t rank = writeReduceTables(w, op, "  ");
        w.line("  ref::reduceBackward(" + reduceEnum(op) + ", " + gy +
               ", shape, reduced, " + Twine(rank) + ", " + t + ");");
        w.line("}");
        accumulate(input, t);
        return success();
      })
      .Case([&](SoftmaxCrossEntropyOp loss) {
        Value logits = loss.getLogits();
        int64_t cols = shapeOf(logits).back();
        int64_t rows = numElements(logits) / cols;
        double weight = loss.getWeight().convertToDouble();
        std::string dl = allocFloats(rows);
        w.line("for (int64_t r = 0; r < " + Twine(rows) + "; ++r)");
        w.line("  " + dl + "[r] = " +
               (weight == 0.0 ? std::string("0.0f")
                              : gy + "[0] * " + fmtFloat(weight) + " / " +
                                    Twine(rows).str() + ".0f") +
               ";");
        std::string t = tmpFor(logits);
        const std::string &lab = lossLabels[op];
        bool sparse = loss.getSparse() &&
                      loss.getLabelSmoothing().convertToFloat() == 0.0f;
        if (sparse)
          w.line("ref::sparseSoftmaxCrossEntropy(" + val(logits) + ", " + lab +
                 ", " + Twine(rows) + ", " + Twine(cols) + ", nullptr, " + dl +
                 ", " + t + ");");
        else
          w.line("ref::softmaxCrossEntropy(" + val(logits) + ", " + lab + ", " +
                 Twine(rows) + ", " + Twine(cols) + ", " +
                 fmtFloat(loss.getLabelSmoothing().convertToFloat()) +
                 ", nullptr, " + dl + ", " + t + ");");
        accumulate(logits, t);
        return success();
      })
      .Case([&](RegularizationLossOp reg) {
        DictionaryAttr r = reg.getRegularizer();
        StringRef kind = attrString(r, "kind");
        std::string x = val(reg.getInput()), g = grads.lookup(reg.getInput());
        int64_t n = numElements(reg.getInput());
        // The kernels add scale * w (or scale * sign w) into the gradient;
        // the upstream gradient scales it.
        auto term = [&](StringRef fnName, double scale) {
          w.line("ref::" + fnName + "(" + x + ", " + Twine(n) + ", " +
                 fmtFloat(scale) + " * " + gy + "[0], " + g + ");");
        };
        if (kind == "l2")
          term("l2Regularizer", attrNumber(r, "scale"));
        else if (kind == "l1")
          term("l1Regularizer", attrNumber(r, "scale"));
        else {
          term("l1Regularizer", attrNumber(r, "scale_l1"));
          term("l2Regularizer", attrNumber(r, "scale_l2"));
        }
        return success();
      })
      .Case([&](TotalLossOp total) {
        for (Value l : total.getLosses())
          if (needs(l))
            w.line(grads.lookup(l) + "[0] += " + gy + "[0];");
        return success();
      })
      .Default([&](Operation *) {
        TrainLayerContext cx = layerContext();
        if (std::optional<LogicalResult> done = emitTrainLayerBackward(op, cx))
          return *done;
        return unsupported(op, "has no gradient rule");
      });
}

void TrainStepEmitter::emitMovingAverages() {
  if (!config.updateOps)
    return;
  fn.walk([&](BatchNormOp bn) {
    if (!bn.getIsTraining())
      return;
    const std::array<std::string, 3> &s = bnStats[bn];
    int64_t c = numElements(bn.getMovingMean());
    int64_t outer = numElements(bn.getInput()) / c;
    // TF-Slim's default decay when the frontend records none.
    double decay = 0.999;
    if (auto d = bn->getAttrOfType<FloatAttr>("decay")) {
      // The script's decay is a Python float that the f32 attribute rounded;
      // TF computes 1 - decay from the double, so take the shortest decimal
      // that reads back as the attribute (0.9, not 0.8999999761...).
      float f = d.getValue().convertToFloat();
      for (int digits = 1; digits <= 9; ++digits) {
        char text[32];
        std::snprintf(text, sizeof(text), "%.*g", digits, double(f));
        decay = std::strtod(text, nullptr);
        if (static_cast<float>(decay) == f)
          break;
      }
    }
    w.line("// update_ops: moving averages of " + scopeOf(bn).str());
    w.line("ref::movingAverageUpdate(" + val(bn.getMovingMean()) + ", " + s[0] +
           ", " + Twine(c) + ", " + fmtDouble(decay) + ");");
    std::string corrected = allocFloats(c);
    w.line("ref::besselCorrectVariance(" + s[1] + ", " + Twine(outer) + ", " +
           Twine(c) + ", " + corrected + ");");
    w.line("ref::movingAverageUpdate(" + val(bn.getMovingVariance()) + ", " +
           corrected + ", " + Twine(c) + ", " + fmtDouble(decay) + ");");
  });
}

void TrainStepEmitter::emitLearningRate() {
  const LearningRateConfig &lr = config.learningRate;
  w.line("// The learning rate at the global step before its increment.");
  if (lr.kind == "constant") {
    w.line("const float lr = " + fmtFloat(lr.value) + ";");
    return;
  }
  if (lr.kind == "exponential_decay") {
    // tf.compat.v1.train.exponential_decay, in float32 as TF computes it.
    w.line("float decayP = static_cast<float>(step) / " +
           fmtFloat(static_cast<double>(lr.decaySteps)) + ";");
    if (lr.staircase)
      w.line("decayP = std::floor(decayP);");
    w.line("const float lr = " + fmtFloat(lr.learningRate) + " * std::pow(" +
           fmtFloat(lr.decayRate) + ", decayP);");
    return;
  }
  if (lr.kind == "piecewise_constant") {
    w.line("float lr = " + fmtFloat(lr.values.back()) + ";");
    for (int i = static_cast<int>(lr.boundaries.size()) - 1; i >= 0; --i)
      w.line("if (step <= " + Twine(lr.boundaries[i]) +
             ") lr = " + fmtFloat(lr.values[i]) + ";");
    return;
  }
  // polynomial_decay.
  w.line("float polyStep = static_cast<float>(step);");
  w.line("float polySteps = " + fmtFloat(static_cast<double>(lr.decaySteps)) +
         ";");
  if (lr.cycle) {
    w.line("float polyMul = std::ceil(polyStep / polySteps);");
    w.line("polySteps *= polyMul == 0.0f ? 1.0f : polyMul;");
  } else {
    w.line("polyStep = std::min(polyStep, polySteps);");
  }
  w.line("const float lr = (" + fmtFloat(lr.learningRate) + " - " +
         fmtFloat(lr.endLearningRate) + ") * std::pow(1.0f - polyStep / " +
         "polySteps, " + fmtFloat(lr.power) + ") + " +
         fmtFloat(lr.endLearningRate) + ";");
}

LogicalResult TrainStepEmitter::emitOptimizer() {
  const OptimizerConfig &opt = config.optimizer;
  SmallVector<SlotSpec> nonSlots = nonSlotsOf(opt);
  SmallVector<std::string> powers;
  for (const SlotSpec &s : nonSlots) {
    auto it = varIndex.find(s.name);
    if (it == varIndex.end())
      return fn.emitError("slimc --train: the optimizer's variable '")
             << s.name << "' is missing (run slim-materialize-optimizer)";
    powers.push_back(
        local("static_cast<float *>(variables[" + Twine(it->second) + "])"));
  }
  if (opt.kind == "adam")
    w.line("slim::kernels::opt::AdamPowers powers(" + powers[0] + "[0], " +
           powers[1] + "[0]);");
  for (auto [g, name] : llvm::enumerate(config.variablesToTrain)) {
    unsigned index = varIndex.lookup(name);
    int64_t n =
        cast<RankedTensorType>(variables[index].getType()).getNumElements();
    std::string var =
        "static_cast<float *>(variables[" + std::to_string(index) + "])";
    std::string grad = "G" + std::to_string(g);
    w.line("// " + name);
    if (config.clipGradientNorm > 0) {
      std::string clipped = allocFloats(n);
      w.line("std::memcpy(" + clipped + ", " + grad + ", " + Twine(n * 4) +
             ");");
      w.line("slim::kernels::opt::clipByNorm(" + clipped + ", " + Twine(n) +
             ", " + fmtFloat(config.clipGradientNorm) + ");");
      grad = clipped;
    }
    SmallVector<std::string> slots;
    for (const SlotSpec &s : slotsOf(opt, name)) {
      auto it = varIndex.find(s.name);
      if (it == varIndex.end())
        return fn.emitError("slimc --train: the slot variable '")
               << s.name << "' is missing (run slim-materialize-optimizer)";
      slots.push_back("static_cast<float *>(variables[" +
                      std::to_string(it->second) + "])");
    }
    std::string count = std::to_string(n);
    if (opt.kind == "sgd")
      w.line("slim::kernels::opt::applyGradientDescent(" + var + ", " + grad +
             ", " + count + ", lr);");
    else if (opt.kind == "momentum")
      w.line("slim::kernels::opt::applyMomentum(" + var + ", " + slots[0] +
             ", " + grad + ", " + count + ", lr, " + fmtFloat(opt.momentum) +
             ", " + (opt.useNesterov ? "true" : "false") + ");");
    else if (opt.kind == "adam")
      w.line("slim::kernels::opt::applyAdam(" + var + ", " + slots[0] + ", " +
             slots[1] + ", " + grad + ", " + count + ", powers, lr, " +
             fmtFloat(opt.beta1) + ", " + fmtFloat(opt.beta2) + ", " +
             fmtFloat(opt.epsilon) + ", " +
             (opt.useNesterov ? "true" : "false") + ");");
    else if (opt.centered)
      w.line("slim::kernels::opt::applyCenteredRMSProp(" + var + ", " +
             slots[1] + ", " + slots[0] + ", " + slots[2] + ", " + grad + ", " +
             count + ", lr, " + fmtFloat(opt.decay) + ", " +
             fmtFloat(opt.momentum) + ", " + fmtFloat(opt.epsilon) + ");");
    else
      w.line("slim::kernels::opt::applyRMSProp(" + var + ", " + slots[0] +
             ", " + slots[1] + ", " + grad + ", " + count + ", lr, " +
             fmtFloat(opt.decay) + ", " + fmtFloat(opt.momentum) + ", " +
             fmtFloat(opt.epsilon) + ");");
  }
  if (opt.kind == "adam") {
    w.line("powers.advance(" + fmtFloat(opt.beta1) + ", " +
           fmtFloat(opt.beta2) + ");");
    w.line(powers[0] + "[0] = powers.beta1Power;");
    w.line(powers[1] + "[0] = powers.beta2Power;");
  }
  return success();
}

FailureOr<std::string> TrainStepEmitter::emit(TrainStepStats *stats) {
  for (auto var : module.getOps<VariableOp>()) {
    varIndex[var.getSymName()] = variables.size();
    variables.push_back(var);
  }
  for (auto [i, name] : llvm::enumerate(config.variablesToTrain)) {
    if (!varIndex.count(name))
      return fn.emitError("slim.train: variables_to_train names '")
             << name << "', which is not a variable";
    gradIndex[name] = i;
  }
  auto step = varIndex.find(config.globalStep);
  if (step == varIndex.end())
    return fn.emitError("slim.train: no global step variable '")
           << config.globalStep << "'";
  if (failed(classifyArguments()))
    return failure();
  findGradients();
  WalkResult checked = fn.walk([&](Operation *op) {
    return failed(checkGradientRule(op)) ? WalkResult::interrupt()
                                         : WalkResult::advance();
  });
  if (checked.wasInterrupted())
    return failure();

  w.line("(void)env;");
  w.line("int64_t *const globalStep = static_cast<int64_t *>(variables[" +
         Twine(step->second) + "]);");
  w.line("const int64_t step = *globalStep;");
  w.line("(void)step;");
  for (unsigned g = 0; g < config.variablesToTrain.size(); ++g)
    w.line("float *const G" + Twine(g) + " = static_cast<float *>(gradients[" +
           Twine(g) + "]);");
  for (auto [k, i] : llvm::enumerate(inputArgs))
    values[fn.getArgument(i)] =
        local("const_cast<float *>(static_cast<const float *>(inputs[" +
              Twine(k) + "]))");
  for (auto [k, i] : llvm::enumerate(labelArgs))
    values[fn.getArgument(i)] =
        local("const_cast<float *>(static_cast<const float *>(labels[" +
              Twine(k) + "]))");

  w.line("// Forward (training mode).");
  for (Operation &op : fn.getBody().front())
    if (failed(emitForwardOp(&op)))
      return failure();

  w.line("// Backward.");
  for (unsigned g = 0; g < config.variablesToTrain.size(); ++g) {
    VariableOp var = variables[varIndex.lookup(config.variablesToTrain[g])];
    w.line("std::memset(G" + Twine(g) + ", 0, " +
           Twine(cast<RankedTensorType>(var.getType()).getNumElements() * 4) +
           ");");
  }
  allocateGradients();
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  if (needs(ret.getOperand(0))) {
    touchGradient(ret.getOperand(0));
    w.line(grads.lookup(ret.getOperand(0)) + "[0] = 1.0f;");
  }
  for (Operation &op : llvm::reverse(fn.getBody().front()))
    if (failed(emitBackwardOp(&op)))
      return failure();

  w.line("// Updates.");
  emitMovingAverages();
  emitLearningRate();
  if (failed(emitOptimizer()))
    return failure();
  w.line("*globalStep = step + 1;");
  w.line("*out_loss = " + lossValue + "[0];");
  w.line("*out_learning_rate = lr;");

  // The arena plan: the slices' lives in the body, first-fit offsets.
  computeArenaLiveness(text, sliceOf, slices);
  arena = planArena(slices);
  std::string overlap = checkArenaPlan(slices);
  if (!overlap.empty())
    return fn.emitError("slimc --train: internal error, the train arena "
                        "plan overlaps live slices:\n")
           << overlap;
  std::string decls;
  for (auto [k, s] : llvm::enumerate(slices)) {
    unplannedArena += s.bytes;
    if (s.first < 0)
      continue;
    decls += "  " + sliceTypes[k] + " *const " + sliceNames[k] +
             " = reinterpret_cast<" + sliceTypes[k] + " *>(A + " +
             std::to_string(s.offset) + ");\n";
  }
  if (stats) {
    stats->arenaBytes = arena;
    stats->unplannedBytes = unplannedArena;
    stats->slices = slices.size();
  }

  // The tables and the entry point.
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "// The train step (slimc --train); backward kernels from "
     << kKernelNamespace << ".\n"
     << "void trainAddInto(float *y, const float *x, int64_t n,\n"
     << "                  const slim_parallel *par) {\n"
     << "  slim::kernels::nhwc::add(y, x, y, n, par);\n}\n\n";
  auto tensorTable = [&](StringRef name, ArrayRef<unsigned> args) {
    os << "const slim_tensor_desc " << name << "[] = {\n";
    for (unsigned i : args) {
      auto type = cast<RankedTensorType>(fn.getArgument(i).getType());
      auto n = fn.getArgAttrOfType<StringAttr>(i, "slim.name");
      Type e = type.getElementType();
      os << "    {" << cString(n ? n.getValue() : "arg" + std::to_string(i))
         << ", "
         << (e.isF32()         ? "SLIM_DTYPE_F32"
             : e.isInteger(32) ? "SLIM_DTYPE_I32"
                               : "SLIM_DTYPE_I64")
         << ", " << type.getRank() << ", " << dimsList(type.getShape())
         << "},\n";
    }
    if (args.empty())
      os << "    {nullptr, 0, 0, {0}},\n";
    os << "};\n";
  };
  tensorTable("kTrainInputs", inputArgs);
  tensorTable("kLabels", labelArgs);
  os << "const int32_t kGradientVariables[] = {";
  for (const std::string &name : config.variablesToTrain)
    os << varIndex.lookup(name) << ", ";
  os << "0};\n\n";
  os << "int32_t train_step(const slim_exec_env *env, void *const *variables,\n"
     << "                   const void *const *inputs,\n"
     << "                   const void *const *labels,\n"
     << "                   void *const *gradients, float *out_loss,\n"
     << "                   float *out_learning_rate, void *arena) {\n"
     << "  (void)inputs;\n  (void)labels;\n  (void)gradients;\n"
     << "  char *const A = static_cast<char *>(arena);\n  (void)A;\n"
     << decls << text << "  return 0;\n}\n\n";
  // What the def's ABI 7 fields are (ModelEmitter writes them).
  os << "#define SLIM_TRAIN_DEF_FIELDS train_step, " << inputArgs.size()
     << ", kTrainInputs, " << labelArgs.size() << ", kLabels, "
     << config.variablesToTrain.size() << ", kGradientVariables, " << arena
     << "u\n\n";
  return out;
}

} // namespace

FailureOr<std::string> mlir::slim::emitTrainStep(ModuleOp module,
                                                 TrainStepStats *stats,
                                                 TrainForward forward) {
  func::FuncOp fn = getTrainStep(module);
  if (!fn)
    return module.emitError("slimc --train: the module has no @train_step");
  if (!fn.getBody().hasOneBlock())
    return fn.emitError("@train_step must be one block");
  FailureOr<TrainConfig> config = parseTrainConfig(fn);
  if (failed(config))
    return failure();
  TrainStepEmitter emitter(module, fn, *config, forward);
  return emitter.emit(stats);
}
