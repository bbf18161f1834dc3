//===- Dot.cpp - Graphviz view of a slim module ---------------------------===//

#include "compiler/Analysis/Analysis.h"
#include "dialects/Slim/IR/ShapeRules.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::slim;

namespace {
/// Escapes a string for a double-quoted dot label.
std::string escape(llvm::StringRef s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string edgeLabel(Value v) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  if (!type)
    return "";
  std::string s = shapeToString(type.getShape());
  if (int64_t block = getLayoutBlock(type); block > 0)
    s += " " + getLayoutName(block, type.getRank());
  return s;
}

bool isFused(Operation *op) {
  return isa<FusedConv2DOp, FusedDepthwiseConv2DOp, FusedMatMulOp,
             FusedConv3DOp>(op);
}

/// Operations that are data, not nodes: their values are weights.
bool isWeightSource(Operation *op) {
  return isa<ReadVariableOp, ReadParamOp, BnScaleShiftOp, FoldScaleShiftOp,
             PackFilterOp>(op);
}
} // namespace

void mlir::slim::printDot(ModuleOp module, llvm::raw_ostream &os) {
  os << "digraph slim {\n";
  os << "  rankdir=TB;\n";
  os << "  node [shape=box, style=\"rounded,filled\", fillcolor=white, "
        "fontname=\"Helvetica\"];\n";
  os << "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  int cluster = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.getSymName() == "slim_prepare")
      continue;
    std::string prefix = "f" + std::to_string(cluster) + "_";
    os << "  subgraph cluster_" << cluster++ << " {\n";
    os << "    label=\"@" << escape(func.getSymName()) << "\";\n";
    llvm::DenseMap<Value, std::string> producer;
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      std::string name = prefix + "in" + std::to_string(i);
      auto attr = func.getArgAttrOfType<StringAttr>(i, "slim.name");
      std::string label =
          attr ? attr.getValue().str() : "input " + std::to_string(i);
      os << "    " << name << " [label=\"" << escape(label)
         << "\", shape=ellipse, fillcolor=\"#dddddd\"];\n";
      producer[arg] = name;
    }
    int index = 0;
    for (Operation &op : func.getBody().front()) {
      if (isWeightSource(&op))
        continue;
      std::string name = prefix + "n" + std::to_string(index++);
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          std::string out = prefix + "out" + std::to_string(i);
          auto attr = func.getResultAttrOfType<StringAttr>(i, "slim.name");
          std::string label =
              attr ? attr.getValue().str() : "output " + std::to_string(i);
          os << "    " << out << " [label=\"" << escape(label)
             << "\", shape=ellipse, fillcolor=\"#dddddd\"];\n";
          if (producer.count(v))
            os << "    " << producer[v] << " -> " << out << " [label=\""
               << escape(edgeLabel(v)) << "\"];\n";
        }
        continue;
      }
      // "\n" is a line break inside a dot label.
      std::string label = escape(describeLayer(&op));
      if (auto scope = op.getAttrOfType<StringAttr>("scope"))
        label = escape(scope.getValue()) + "\\n" + label;
      const char *fill = isFused(&op)                          ? "#cfe2ff"
                         : isa<ToBlockedOp, FromBlockedOp>(op) ? "#fff3cd"
                                                               : "white";
      os << "    " << name << " [label=\"" << label << "\", fillcolor=\""
         << fill << "\"];\n";
      for (Value operand : op.getOperands()) {
        auto it = producer.find(operand);
        if (it == producer.end())
          continue;
        os << "    " << it->second << " -> " << name << " [label=\""
           << escape(edgeLabel(operand)) << "\"];\n";
      }
      for (Value result : op.getResults())
        producer[result] = name;
    }
    os << "  }\n";
  }
  os << "}\n";
}
