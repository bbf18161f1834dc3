//===- EmitUtil.cpp - Text and type helpers of code generation ------------===//

#include "compiler/CodeGen/EmitUtil.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"

#include <cstdio>
#include <cstring>

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

int64_t codegen::numElements(Value v) {
  return cast<RankedTensorType>(v.getType()).getNumElements();
}

ArrayRef<int64_t> codegen::shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

int64_t codegen::blockWidth(Value v) {
  // The dialect's layout names: nChw8c / nChw16c on 4-D tensors, ndChw8c /
  // ndChw16c on 5-D ones.
  return getLayoutBlock(v.getType());
}

int64_t codegen::ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

codegen::Frames codegen::framesOf(Value v) {
  ArrayRef<int64_t> s = shapeOf(v);
  size_t r = s.size();
  assert(r >= 4 && "frames of a 4-D or 5-D activation");
  return Frames{product(s.drop_back(3)), s[r - 3], s[r - 2], s[r - 1]};
}

int64_t codegen::product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

std::string codegen::cString(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\%03o", static_cast<unsigned>(c));
      out += esc;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string codegen::fmtDouble(double d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

std::string codegen::fmtFloat(double d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", d);
  std::string s = buf;
  // "1" would be an int literal: keep it a float.
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s + "f";
}

std::string codegen::joinInts(ArrayRef<int64_t> values) {
  return llvm::join(
      llvm::map_range(values, [](int64_t d) { return std::to_string(d); }),
      ", ");
}

std::string codegen::dimsList(ArrayRef<int64_t> dims) {
  if (dims.empty())
    return "{0}";
  return "{" + joinInts(dims) + "}";
}

StringRef codegen::scopeOf(Operation *op) {
  if (auto s = op->getAttrOfType<StringAttr>("scope"))
    return s.getValue();
  return "";
}

std::string codegen::activationEnum(StringRef kind) {
  if (kind == "none")
    return "Activation::None";
  if (kind == "relu")
    return "Activation::Relu";
  if (kind == "relu6")
    return "Activation::Relu6";
  if (kind == "sigmoid")
    return "Activation::Sigmoid";
  if (kind == "tanh")
    return "Activation::Tanh";
  if (kind == "elu")
    return "Activation::Elu";
  return "";
}

std::string codegen::pointwiseEnum(StringRef kind) {
  if (kind == "softplus")
    return "Pointwise::Softplus";
  if (kind == "leaky_relu")
    return "Pointwise::LeakyRelu";
  if (kind == "selu")
    return "Pointwise::Selu";
  std::string act = activationEnum(kind);
  if (act.empty())
    return "";
  return "Pointwise::" + act.substr(strlen("Activation::"));
}

std::string codegen::binaryEnum(StringRef kind) {
  if (kind == "add")
    return "Binary::Add";
  if (kind == "sub")
    return "Binary::Sub";
  if (kind == "mul")
    return "Binary::Mul";
  if (kind == "div")
    return "Binary::Div";
  if (kind == "max")
    return "Binary::Max";
  if (kind == "min")
    return "Binary::Min";
  return "";
}

std::string codegen::reduceEnum(Operation *op) {
  if (isa<ReduceSumOp>(op))
    return "Reduce::Sum";
  if (isa<ReduceMaxOp>(op))
    return "Reduce::Max";
  return "Reduce::Mean";
}

BroadcastShapes codegen::broadcastShapes(Value a, Value b, Value y) {
  BroadcastShapes s;
  s.y.assign(shapeOf(y).begin(), shapeOf(y).end());
  if (s.y.empty())
    s.y.push_back(1);
  auto pad = [&](Value v, SmallVector<int64_t, 4> &out) {
    ArrayRef<int64_t> shape = shapeOf(v);
    out.assign(s.y.size() - shape.size(), 1);
    out.append(shape.begin(), shape.end());
  };
  pad(a, s.a);
  pad(b, s.b);
  return s;
}

double codegen::attrNumber(DictionaryAttr dict, StringRef key, double dflt) {
  Attribute a = dict ? dict.get(key) : Attribute();
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return static_cast<double>(i.getInt());
  return dflt;
}

StringRef codegen::attrString(DictionaryAttr dict, StringRef key) {
  if (auto s = dyn_cast_or_null<StringAttr>(dict ? dict.get(key) : nullptr))
    return s.getValue();
  return "";
}
