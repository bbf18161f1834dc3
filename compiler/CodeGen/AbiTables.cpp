//===- AbiTables.cpp - The descriptor tables of a generated model ---------===//
//
// kInputs, kOutputs, kVariables, kParams and kLayers of model_abi.h: plain
// constant-initialized arrays (no static constructors), the same on every
// target. An empty table still gets one zero entry, since C++ has no empty
// arrays; its count in the slim_model_def is 0.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/ModelEmitter.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace {

const char *dtypeName(Type t) {
  if (t.isF32())
    return "SLIM_DTYPE_F32";
  if (t.isF64())
    return "SLIM_DTYPE_F64";
  if (t.isInteger(32))
    return "SLIM_DTYPE_I32";
  if (t.isInteger(64))
    return "SLIM_DTYPE_I64";
  if (t.isInteger(8))
    return "SLIM_DTYPE_U8";
  return nullptr;
}

/// The slim_init_spec initializer of `var`, or failure if the ABI has no
/// equivalent; explicit values name the tables writeValueTables wrote for
/// variable number `index`.
FailureOr<std::string> initSpec(VariableOp var, size_t index) {
  DictionaryAttr init = var.getInitializer();
  StringRef kind = attrString(init, "kind");
  auto numbers = [&](const char *k, const char *mode, int uniform, double value,
                     double mean, double stddev, double minval, double maxval,
                     double factor) {
    return "{" + std::string(k) + ", " + mode + ", " + std::to_string(uniform) +
           ", 0, " + fmtDouble(value) + ", " + fmtDouble(mean) + ", " +
           fmtDouble(stddev) + ", " + fmtDouble(minval) + ", " +
           fmtDouble(maxval) + ", " + fmtDouble(factor) + "}";
  };
  if (kind == "zeros")
    return numbers("SLIM_INIT_ZEROS", "0", 0, 0, 0, 0, 0, 0, 0);
  if (kind == "ones")
    return numbers("SLIM_INIT_ONES", "0", 0, 0, 0, 0, 0, 0, 0);
  if (kind == "constant")
    return numbers("SLIM_INIT_CONSTANT", "0", 0, attrNumber(init, "value"), 0,
                   0, 0, 0, 0);
  if (kind == "truncated_normal" || kind == "random_normal")
    return numbers(kind == "truncated_normal" ? "SLIM_INIT_TRUNCATED_NORMAL"
                                              : "SLIM_INIT_RANDOM_NORMAL",
                   "0", 0, 0, attrNumber(init, "mean"),
                   attrNumber(init, "stddev", 1.0), 0, 0, 0);
  if (kind == "random_uniform")
    return numbers("SLIM_INIT_RANDOM_UNIFORM", "0", 0, 0, 0, 0,
                   attrNumber(init, "minval"), attrNumber(init, "maxval", 1.0),
                   0);
  if (kind == "values") {
    // numbers()' ten fields, then the count and the two tables.
    std::string spec = numbers("SLIM_INIT_VALUES", "0", 0, 0, 0, 0, 0, 0, 0);
    spec.pop_back();
    std::string n = std::to_string(index);
    return spec + ", " +
           std::to_string(init.getAs<DenseI64ArrayAttr>("indices").size()) +
           ", kInitIndices" + n + ", kInitValues" + n + "}";
  }
  if (kind == "variance_scaling") {
    StringRef mode = attrString(init, "mode");
    StringRef dist = attrString(init, "distribution");
    const char *m = mode == "FAN_IN"    ? "SLIM_FAN_IN"
                    : mode == "FAN_OUT" ? "SLIM_FAN_OUT"
                    : mode == "FAN_AVG" ? "SLIM_FAN_AVG"
                                        : nullptr;
    if (!m || (dist != "uniform" && dist != "slim_truncated_normal"))
      return var.emitError("variable '")
             << var.getSymName() << "': variance_scaling with mode '" << mode
             << "' and distribution '" << dist << "' has no ABI initializer";
    return numbers("SLIM_INIT_VARIANCE_SCALING", m, dist == "uniform", 0, 0, 0,
                   0, 0, attrNumber(init, "factor", 1.0));
  }
  return var.emitError("variable '") << var.getSymName() << "': initializer '"
                                     << kind << "' has no ABI equivalent";
}

/// The {l1, l2} scales of `var`'s regularizer ({0, 0} without one).
FailureOr<std::pair<double, double>> regularizerScales(VariableOp var) {
  DictionaryAttr reg = var.getRegularizerAttr();
  if (!reg)
    return std::make_pair(0.0, 0.0);
  StringRef rk = attrString(reg, "kind");
  if (rk == "l2")
    return std::make_pair(0.0, attrNumber(reg, "scale"));
  if (rk == "l1")
    return std::make_pair(attrNumber(reg, "scale"), 0.0);
  if (rk == "l1_l2")
    return std::make_pair(attrNumber(reg, "scale_l1"),
                          attrNumber(reg, "scale_l2"));
  return var.emitError("variable '") << var.getSymName() << "': regularizer '"
                                     << rk << "' has no ABI equivalent";
}

} // namespace

void ModelEmitter::emitTensorTables(raw_ostream &os) {
  os << "const slim_tensor_desc kInputs[] = {\n";
  for (auto [i, arg] : llvm::enumerate(runFn.getArguments())) {
    auto name = runFn.getArgAttrOfType<StringAttr>(i, "slim.name");
    auto type = cast<RankedTensorType>(arg.getType());
    os << "    {"
       << cString(name ? name.getValue() : "input" + std::to_string(i))
       << ", SLIM_DTYPE_F32, " << type.getRank() << ", "
       << dimsList(type.getShape()) << "},\n";
  }
  if (runFn.getNumArguments() == 0)
    os << "    {nullptr, 0, 0, {0}},\n";
  os << "};\n\nconst slim_tensor_desc kOutputs[] = {\n";
  for (auto [i, t] : llvm::enumerate(runFn.getResultTypes())) {
    auto name = runFn.getResultAttrOfType<StringAttr>(i, "slim.name");
    auto type = cast<RankedTensorType>(t);
    os << "    {"
       << cString(name ? name.getValue() : "output" + std::to_string(i))
       << ", SLIM_DTYPE_F32, " << type.getRank() << ", "
       << dimsList(type.getShape()) << "},\n";
  }
  // A variables-only model has no output; C++ has no empty arrays, so the
  // table gets a sentinel the count (0) keeps the runtime from reading.
  if (runFn.getNumResults() == 0)
    os << "    {nullptr, 0, 0, {0}},\n";
  os << "};\n\n";
}

bool ModelEmitter::runReadsValueOf(ReadVariableOp read) const {
  Operation *ret = read->getBlock()->getTerminator();
  SmallVector<Value> pending = {read.getResult()};
  while (!pending.empty()) {
    Value v = pending.pop_back_val();
    if (llvm::is_contained(ret->getOperands(), v))
      return true;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<ReshapeOp, IdentityOp>(user))
        pending.push_back(user->getResult(0));
      else if (!replacedUses.contains(&use))
        return true;
    }
  }
  return false;
}

LogicalResult ModelEmitter::emitVariableTable(raw_ostream &os) {
  // Variables `run` reads itself must stay; the rest only feed prepare, and
  // slim_model_freeze may release them (prepare_only = 1).
  llvm::StringSet<> readByRun;
  runFn.walk([&](ReadVariableOp read) {
    if (runReadsValueOf(read))
      readByRun.insert(read.getName());
  });

  // Explicit initial values (a Python initializer function's constant) are
  // sparse tables beside the descriptors.
  for (auto [i, var] : llvm::enumerate(variables)) {
    DictionaryAttr init = var.getInitializer();
    if (attrString(init, "kind") != "values")
      continue;
    auto indices = init.getAs<DenseI64ArrayAttr>("indices");
    auto values = init.getAs<DenseF32ArrayAttr>("values");
    std::string n = std::to_string(i);
    os << "const int64_t kInitIndices" << n << "[] = {";
    for (int64_t v : indices.asArrayRef())
      os << v << ", ";
    os << "0};\nconst float kInitValues" << n << "[] = {";
    for (float v : values.asArrayRef())
      os << fmtFloat(v) << ", ";
    os << "0};\n";
  }
  os << "const slim_variable_desc kVariables[] = {\n";
  for (auto [index, var] : llvm::enumerate(variables)) {
    auto type = cast<RankedTensorType>(var.getType());
    const char *dt = dtypeName(type.getElementType());
    if (!dt)
      return var.emitError("variable '")
             << var.getSymName() << "' has an element type the ABI lacks";
    FailureOr<std::string> spec = initSpec(var, index);
    if (failed(spec))
      return failure();
    FailureOr<std::pair<double, double>> reg = regularizerScales(var);
    if (failed(reg))
      return failure();
    os << "    {" << cString(var.getSymName()) << ", " << dt << ", "
       << type.getRank() << ", " << dimsList(type.getShape()) << ", "
       << (var.getCollection() == "model" ? "SLIM_COLLECTION_MODEL"
                                          : "SLIM_COLLECTION_REGULAR")
       << ", " << (var.getTrainable() ? 1 : 0) << ", "
       << cString(var.getDevice().value_or("")) << ",\n     " << *spec
       << ",\n     {" << fmtDouble(reg->first) << ", " << fmtDouble(reg->second)
       << "}, " << (readByRun.contains(var.getSymName()) ? 0 : 1) << "},\n";
  }
  if (variables.empty())
    os << "    {nullptr, 0, 0, {0}, 0, 0, nullptr, {}, {}, 0},\n";
  os << "};\n\n";
  return success();
}

void ModelEmitter::emitParamAndLayerTables(raw_ostream &os) {
  os << "const slim_param_desc kParams[] = {\n";
  for (ParamOp p : params)
    os << "    {" << cString(p.getSymName()) << ", "
       << cast<RankedTensorType>(p.getType()).getNumElements() * 4
       << ", 64},\n";
  for (const ExtraParam &p : extraParams)
    os << "    {" << cString(p.name) << ", " << p.bytes << ", 64},\n";
  if (numAllParams() == 0)
    os << "    {nullptr, 0, 0},\n";
  os << "};\n\n";

  os << "const slim_layer_desc kLayers[] = {\n";
  for (const Layer &l : layers)
    os << "    {" << cString(l.name) << ", " << cString(l.op) << ", "
       << fmtDouble(l.flops) << "},\n";
  if (layers.empty())
    os << "    {nullptr, nullptr, 0},\n";
  os << "};\n\n";
}
