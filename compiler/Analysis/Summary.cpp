//===- Summary.cpp - Layer table and totals of a slim module --------------===//

#include "compiler/Analysis/Analysis.h"
#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
llvm::ArrayRef<int64_t> shapeOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType()).getShape();
}

/// 138357544 -> "138,357,544".
std::string withCommas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string humanBytes(int64_t bytes) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.2f MiB", bytes / (1024.0 * 1024.0));
  return s;
}

/// Whether a row in the layer table is worth printing for `op`: everything
/// that computes at run time, not reads of variables or parameters.
bool isLayer(Operation *op) {
  return op->getDialect() &&
         op->getDialect()->getNamespace() ==
             SlimDialect::getDialectNamespace() &&
         !isa<ReadVariableOp, ReadParamOp, WriteParamOp>(op);
}

/// The variables a layer's weights come from, following derived parameters
/// back into @slim_prepare.
class VariableTracer {
public:
  explicit VariableTracer(ModuleOp module) : symbols(module) {
    if (auto prepare = module.lookupSymbol<func::FuncOp>("slim_prepare"))
      prepare.walk([&](WriteParamOp write) {
        written[write.getNameAttr().getAttr()] = write.getValue();
      });
  }

  void collect(Operation *layer, llvm::SetVector<VariableOp> &out) {
    llvm::SmallVector<Value> worklist(layer->getOperands());
    llvm::DenseSet<Value> seen;
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      if (!seen.insert(v).second)
        continue;
      Operation *def = v.getDefiningOp();
      if (!def)
        continue;
      if (auto read = dyn_cast<ReadVariableOp>(def)) {
        if (auto var = symbols.lookup<VariableOp>(read.getName()))
          out.insert(var);
        continue;
      }
      if (auto read = dyn_cast<ReadParamOp>(def)) {
        if (Value source = written.lookup(read.getNameAttr().getAttr()))
          worklist.push_back(source);
        continue;
      }
      // Only load-time transforms (and views) lead to weights; activations
      // come from other layers, whose weights are theirs.
      if (isa<BnScaleShiftOp, FoldScaleShiftOp, PackFilterOp, ReshapeOp>(def))
        worklist.append(def->operand_begin(), def->operand_end());
    }
  }

private:
  SymbolTable symbols;
  llvm::DenseMap<StringAttr, Value> written;
};

void printRow(llvm::raw_ostream &os, llvm::StringRef scope, llvm::StringRef op,
              llvm::StringRef shape, llvm::StringRef params,
              llvm::StringRef macs) {
  os << llvm::left_justify(scope, 48) << " " << llvm::left_justify(op, 34)
     << " " << llvm::left_justify(shape, 24) << " "
     << llvm::right_justify(params, 14) << " " << llvm::right_justify(macs, 16)
     << "\n";
}

int64_t variableElements(VariableOp var) {
  return numElements(llvm::cast<RankedTensorType>(var.getType()).getShape());
}

int64_t moduleIntAttr(ModuleOp module, llvm::StringRef name) {
  auto attr = module->getAttrOfType<IntegerAttr>(name);
  return attr ? attr.getInt() : -1;
}

std::string shapeString(Operation *op) {
  if (op->getNumResults() == 0)
    return "-";
  auto type = llvm::dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type)
    return "-";
  std::string s = shapeToString(type.getShape());
  if (int64_t block = getLayoutBlock(type); block > 0)
    s += " " + getLayoutName(block, type.getRank());
  return s;
}

/// The product of `factors`, saturated at INT64_MAX (as is a factor that
/// already overflowed, numElements' -1): hostile sizes must not wrap to a
/// negative count.
int64_t macProduct(std::initializer_list<int64_t> factors) {
  if (llvm::any_of(factors, [](int64_t f) { return f < 0; }))
    return INT64_MAX;
  return ::slim::checked::product(llvm::ArrayRef<int64_t>(factors))
      .value_or(INT64_MAX);
}
} // namespace

int64_t mlir::slim::countMacs(Operation *op) {
  auto outputElements = [&] { return numElements(shapeOf(op->getResult(0))); };
  if (auto conv = dyn_cast<FusedConv2DOp>(op))
    return macProduct({outputElements(), conv.getKernel()[0],
                       conv.getKernel()[1], shapeOf(conv.getInput()).back()});
  if (auto conv = dyn_cast<FusedDepthwiseConv2DOp>(op))
    return macProduct(
        {outputElements(), conv.getKernel()[0], conv.getKernel()[1]});
  if (auto fc = dyn_cast<FusedMatMulOp>(op))
    return macProduct({outputElements(), shapeOf(fc.getInput()).back()});
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    auto filter = shapeOf(conv.getFilter());
    return macProduct({outputElements(), filter[0], filter[1], filter[2]});
  }
  if (auto conv = dyn_cast<DepthwiseConv2DOp>(op)) {
    auto filter = shapeOf(conv.getFilter());
    return macProduct({outputElements(), filter[0], filter[1]});
  }
  if (auto fc = dyn_cast<MatMulOp>(op))
    return macProduct({outputElements(), shapeOf(fc.getInput()).back()});
  if (auto conv = dyn_cast<FusedConv2DTransposeOp>(op))
    return macProduct({numElements(shapeOf(conv.getInput())),
                       conv.getKernel()[0], conv.getKernel()[1],
                       shapeOf(conv.getOutput()).back()});
  if (auto lrn = dyn_cast<LrnOp>(op)) {
    // The sum of squares over the window, one multiply-add per tap (the
    // elementwise ops count no MACs, like pooling and activations).
    auto taps = ::slim::checked::add(
        ::slim::checked::mul(2, lrn.getDepthRadius()).value_or(-2), 1);
    return macProduct({outputElements(), taps.value_or(-1)});
  }
  if (isa<GroupNormOp>(op)) {
    // The variance's sum of squared differences, one multiply-add per
    // element, as LRN's sum of squares (the affine is elementwise).
    return outputElements();
  }
  if (auto conv = dyn_cast<FusedConv3DOp>(op))
    return outputElements() * conv.getKernel()[0] * conv.getKernel()[1] *
           conv.getKernel()[2] * shapeOf(conv.getInput()).back();
  if (auto conv = dyn_cast<Conv3DOp>(op)) {
    auto filter = shapeOf(conv.getFilter());
    return outputElements() * filter[0] * filter[1] * filter[2] * filter[3];
  }
  if (auto conv = dyn_cast<Conv2DTransposeOp>(op)) {
    // Every input element meets every tap of the filter once.
    auto filter = shapeOf(conv.getFilter());
    return macProduct({numElements(shapeOf(conv.getInput())), filter[0],
                       filter[1], filter[2]});
  }
  return 0;
}

std::string mlir::slim::describeLayer(Operation *op) {
  std::string base;
  Value bias, residual;
  llvm::StringRef activation = "none";
  if (auto conv = dyn_cast<FusedConv2DOp>(op)) {
    base = conv.getPacking() == "fc_blocked" ? "conv2d(as fc)" : "conv2d";
    bias = conv.getBias();
    residual = conv.getResidual();
    activation = conv.getActivation();
  } else if (auto conv = dyn_cast<FusedConv3DOp>(op)) {
    base = conv.getPacking() == "fc_blocked" ? "conv3d(as fc)" : "conv3d";
    bias = conv.getBias();
    residual = conv.getResidual();
    activation = conv.getActivation();
  } else if (auto conv = dyn_cast<FusedDepthwiseConv2DOp>(op)) {
    base = "depthwise_conv2d";
    bias = conv.getBias();
    residual = conv.getResidual();
    activation = conv.getActivation();
  } else if (auto fc = dyn_cast<FusedMatMulOp>(op)) {
    base = "fully_connected";
    bias = fc.getBias();
    residual = fc.getResidual();
    activation = fc.getActivation();
  } else if (auto conv = dyn_cast<FusedConv2DTransposeOp>(op)) {
    // Its epilogue: bias, the affine of a batch norm, the activation.
    base = "conv2d_transpose";
    if (conv.getBias())
      base += "+bias";
    if (conv.getScale())
      base += "+affine";
    if (conv.getActivation() != "none")
      base += "+" + conv.getActivation().str();
    return base;
  } else if (auto act = dyn_cast<ActivationOp>(op)) {
    return "activation:" + act.getKind().str();
  } else if (auto bin = dyn_cast<BinaryOp>(op)) {
    return "binary:" + bin.getKind().str();
  } else if (auto bin = dyn_cast<BinaryScalarOp>(op)) {
    return "binary_scalar:" + bin.getKind().str();
  } else if (auto concat = dyn_cast<ConcatOp>(op)) {
    auto inPlace = concat->getAttrOfType<DenseBoolArrayAttr>("in_place_inputs");
    if (inPlace && llvm::all_of(inPlace.asArrayRef(), [](bool b) { return b; }))
      return "concat(in place)";
    return "concat";
  } else {
    return op->getName().stripDialect().str();
  }
  if (bias)
    base += "+bias";
  if (residual)
    base += "+residual";
  if (activation != "none")
    base += "+" + activation.str();
  return base;
}

void mlir::slim::printSummary(ModuleOp module, llvm::raw_ostream &os) {
  VariableTracer tracer(module);
  int64_t totalMacs = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.getSymName() == "slim_prepare")
      continue;
    os << "Model @" << func.getSymName() << "\n";
    printRow(os, "Layer (scope)", "Op", "Output shape", "Params", "MACs");
    os << std::string(140, '-') << "\n";
    func.walk([&](Operation *op) {
      if (!isLayer(op))
        return;
      llvm::SetVector<VariableOp> vars;
      tracer.collect(op, vars);
      int64_t params = 0;
      for (VariableOp var : vars)
        params += variableElements(var);
      int64_t macs = countMacs(op);
      totalMacs = ::slim::checked::add(totalMacs, macs).value_or(INT64_MAX);
      auto scope = op->getAttrOfType<StringAttr>("scope");
      std::string scopeText = scope ? scope.getValue().str() : "-";
      printRow(os, scopeText, describeLayer(op), shapeString(op),
               params ? withCommas(params) : "", macs ? withCommas(macs) : "");
    });
    os << std::string(140, '-') << "\n";
  }

  int64_t modelParams = 0, allParams = 0, weightBytes = 0, derivedBytes = 0;
  for (auto var : module.getOps<VariableOp>()) {
    int64_t n = variableElements(var);
    allParams += n;
    if (var.getCollection() == "model")
      modelParams += n;
    weightBytes += getStorageBytes(llvm::cast<RankedTensorType>(var.getType()));
  }
  for (auto param : module.getOps<ParamOp>())
    derivedBytes +=
        getStorageBytes(llvm::cast<RankedTensorType>(param.getType()));

  os << "Parameters (model variables): " << withCommas(modelParams) << "\n";
  if (allParams != modelParams)
    os << "Parameters (all variables):   " << withCommas(allParams) << "\n";
  os << "Weight bytes (variables):     " << withCommas(weightBytes) << " ("
     << humanBytes(weightBytes) << ")\n";
  if (derivedBytes)
    os << "Derived parameter bytes:      " << withCommas(derivedBytes) << " ("
       << humanBytes(derivedBytes) << ", folded and packed at load time)\n";
  os << "MACs per run:                 " << withCommas(totalMacs)
     << llvm::format(" (%.2f G)", totalMacs / 1e9) << "\n";

  int64_t arena = moduleIntAttr(module, "slim.arena_size");
  if (arena < 0) {
    os << "Memory plan:                  not planned (run slim-memory-plan)\n";
    return;
  }
  int64_t bound = moduleIntAttr(module, "slim.arena_lower_bound");
  int64_t noReuse = moduleIntAttr(module, "slim.arena_no_reuse");
  os << "Activation arena:             " << withCommas(arena) << " ("
     << humanBytes(arena) << ")\n";
  os << "  lower bound (largest live set): " << withCommas(bound) << " ("
     << humanBytes(bound) << ")";
  if (bound > 0)
    os << llvm::format(", arena / bound = %.3f", double(arena) / bound);
  os << "\n";
  os << "  no reuse (sum of intermediates): " << withCommas(noReuse) << " ("
     << humanBytes(noReuse) << ")\n";
  int64_t scratch = moduleIntAttr(module, "slim.prepare_scratch_size");
  if (scratch > 0)
    os << "Load-time scratch (prepare):  " << withCommas(scratch) << " ("
       << humanBytes(scratch) << ")\n";
}

namespace {
struct PrintSummaryPass
    : public PassWrapper<PrintSummaryPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PrintSummaryPass)
  llvm::StringRef getArgument() const override { return "slim-print-summary"; }
  llvm::StringRef getDescription() const override {
    return "prints the layer table, totals and memory plan to stdout";
  }
  void runOnOperation() override {
    printSummary(getOperation(), llvm::outs());
    markAllAnalysesPreserved();
  }
};

struct PrintDotPass
    : public PassWrapper<PrintDotPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PrintDotPass)
  llvm::StringRef getArgument() const override { return "slim-print-dot"; }
  llvm::StringRef getDescription() const override {
    return "prints the graph as Graphviz dot to stdout";
  }
  void runOnOperation() override {
    printDot(getOperation(), llvm::outs());
    markAllAnalysesPreserved();
  }
};
} // namespace

void mlir::slim::registerSlimAnalysisPasses() {
  PassRegistration<PrintSummaryPass>();
  PassRegistration<PrintDotPass>();
}
