//===- ModelEmitter.cpp - What every code generation target shares --------===//
//
// One pass over the module: collect its symbols, write `prepare` (the ops of
// @slim_prepare) and `run` (the inference function) into text buffers,
// recording each layer on the way, then write the file in order: the
// target's header and prologue, the ABI tables, both entry points, the
// `slim_model_def` and the exported symbols. Every tensor value becomes a
// pointer expression: a variable, a parameter, an input, an output, or a
// slice of the arena. Reshapes, identities and inference dropouts are views.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/ModelEmitter.h"

#include "compiler/Analysis/Analysis.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

ModelEmitter::ModelEmitter(ModuleOp module, const CodeGenOptions &options,
                           Placement placement)
    : module(module), options(options), placement(placement) {}

ModelEmitter::~ModelEmitter() = default;

LogicalResult ModelEmitter::unsupported(Operation *op, const Twine &why) {
  InFlightDiagnostic d = op->emitError() << "slimc cannot generate code for '"
                                         << op->getName() << "'";
  StringRef scope = scopeOf(op);
  if (!scope.empty())
    d << " (TF-Slim scope '" << scope << "')";
  if (!why.isTriviallyEmpty())
    d << ": " << why;
  return failure();
}

std::string ModelEmitter::define(Value v, const Twine &expr, int64_t cbOffset,
                                 int64_t cbTotal) {
  std::string name = "t" + std::to_string(nextLocal++);
  std::string e = expr.str();
  body().line("float *const " + name + " = " + e + ";");
  values[v] = Storage{name, cbOffset, cbTotal};
  localExpr[name] = e;
  return name;
}

LogicalResult ModelEmitter::collectSymbols() {
  for (auto var : module.getOps<VariableOp>()) {
    variableIndex[var.getSymName()] = variables.size();
    variables.push_back(var);
  }
  for (auto param : module.getOps<ParamOp>()) {
    paramIndex[param.getSymName()] = params.size();
    params.push_back(param);
  }
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isDeclaration())
      continue;
    if (fn.getSymName() == "slim_prepare") {
      prepareFn = fn;
      continue;
    }
    if (runFn)
      return fn.emitError("slimc generates code for one inference function; "
                          "found '")
             << runFn.getSymName() << "' and '" << fn.getSymName() << "'";
    runFn = fn;
  }
  if (!runFn)
    return module.emitError("the module has no inference function");
  return success();
}

int ModelEmitter::beginLayer(Operation *op) {
  Layer l;
  l.name = scopeOf(op).str();
  if (l.name.empty())
    l.name = op->getName().stripDialect().str();
  l.op = describeLayer(op);
  l.flops = 2.0 * static_cast<double>(countMacs(op));
  layers.push_back(l);
  int index = layers.size() - 1;
  body().line("// " + l.name + ": " + l.op);
  emitLayerBegin(index);
  return index;
}

ModelEmitter::LayerBlock::LayerBlock(ModelEmitter &e, Operation *op,
                                     Scope scope)
    : e(e), layer(e.beginLayer(op)), scope(scope) {
  if (scope == Flat)
    return;
  e.body().line("{");
  e.body().in();
}

ModelEmitter::LayerBlock::~LayerBlock() {
  if (scope == Braced) {
    e.body().out();
    e.body().line("}");
  }
  e.endLayer(layer);
}

LogicalResult ModelEmitter::allocateResult(Operation *op, Value result) {
  if (placement == Placement::MemoryPlan) {
    if (auto off = op->getAttrOfType<IntegerAttr>("arena_offset")) {
      int64_t cbOffset = 0, cbTotal = 0;
      if (auto cOff = op->getAttrOfType<IntegerAttr>("concat_channel_offset")) {
        // Blocked values count whole channel blocks, dense (NHWC) values
        // channels.
        int64_t v = blockWidth(result);
        if (v == 0)
          v = 1;
        auto cTotal = op->getAttrOfType<IntegerAttr>("concat_channels");
        if (v < 0 || !cTotal || cOff.getInt() % v != 0)
          return unsupported(op, "concat placement on an unknown layout");
        cbOffset = cOff.getInt() / v;
        cbTotal = ceilDiv(cTotal.getInt(), v);
      }
      define(result, bufferPtr(Buffer::Arena, off.getInt()), cbOffset, cbTotal);
      return success();
    }
  }
  // A value that is (through views) a graph output is written there directly.
  Value v = result;
  while (true) {
    auto it = outputOf.find(v);
    if (it != outputOf.end()) {
      if (v == result || numElements(v) == numElements(result)) {
        define(result, bufferPtr(Buffer::Output, it->second));
        outputOf.erase(it);
        return success();
      }
    }
    if (!v.hasOneUse() ||
        !isa<ReshapeOp, IdentityOp, DropoutOp>(*v.getUsers().begin()))
      break;
    v = v.getUsers().begin()->getResult(0);
  }
  if (placement == Placement::MemoryPlan)
    return unsupported(op, "its result has no arena offset and is not a "
                           "graph output");
  uint64_t bytes = (numElements(result) * 4 + 63) / 64 * 64;
  define(result, bufferPtr(Buffer::Arena, bumpOffset));
  bumpOffset += bytes;
  arenaSize = bumpOffset;
  return success();
}

LogicalResult ModelEmitter::allocatePrepareResult(Operation *op, Value result,
                                                  int64_t offset) {
  if (offset >= 0) {
    define(result, bufferPtr(Buffer::Scratch, offset));
    return success();
  }
  // The parameter it is written to, directly or through reshapes (an
  // unpacked filter reshaped for the layer that reads it).
  for (Value v = result;;) {
    for (Operation *user : v.getUsers())
      if (auto w = dyn_cast<WriteParamOp>(user)) {
        unsigned index = paramIndex.lookup(w.getName());
        define(result, bufferPtr(Buffer::PreparedParam, index));
        inParam[result] = index;
        return success();
      }
    if (!v.hasOneUse() || !isa<ReshapeOp>(*v.getUsers().begin()))
      break;
    v = v.getUsers().begin()->getResult(0);
  }
  return unsupported(op, "a load-time result with neither a scratch offset "
                         "nor a parameter");
}

std::string ModelEmitter::bufferPtr(Buffer buffer, int64_t index) const {
  std::string i = std::to_string(index);
  // The ABI passes untyped pointers, const where the model must not write;
  // the kernels take `float *` for every operand they may alias.
  switch (buffer) {
  case Buffer::Variable:
    return "const_cast<float *>(static_cast<const float *>(variables[" + i +
           "]))";
  case Buffer::Param:
    return "const_cast<float *>(static_cast<const float *>(params[" + i + "]))";
  case Buffer::PreparedParam:
    return "static_cast<float *>(params[" + i + "])";
  case Buffer::Input:
    return "const_cast<float *>(static_cast<const float *>(inputs[" + i + "]))";
  case Buffer::Output:
    return "static_cast<float *>(outputs[" + i + "])";
  case Buffer::Arena:
    return "at(arena, " + i + ")";
  case Buffer::Scratch:
    return "at(scratch, " + i + ")";
  }
  llvm_unreachable("unknown buffer");
}

LogicalResult ModelEmitter::emitPrepareOp(Operation *op) {
  return emitLoadTimeOp(op);
}

LogicalResult ModelEmitter::emitOp(Operation *op, bool inPrepare) {
  if (auto read = dyn_cast<ReadVariableOp>(op)) {
    auto it = variableIndex.find(read.getName());
    if (it == variableIndex.end())
      return unsupported(op, "unknown variable");
    bind(read.getResult(), bufferPtr(Buffer::Variable, it->second));
    if (!cast<RankedTensorType>(read.getType()).getElementType().isF32())
      return unsupported(op,
                         "variable '" + read.getName() + "' is not float32");
    return success();
  }
  if (auto read = dyn_cast<ReadParamOp>(op)) {
    bind(read.getResult(),
         bufferPtr(Buffer::Param, paramIndex.lookup(read.getName())));
    return success();
  }
  if (isa<ReshapeOp, IdentityOp>(op) ||
      (isa<DropoutOp>(op) && blockWidth(op->getResult(0)) == 0)) {
    // Views. Training-mode dropout compiles as inference (the identity):
    // a compiled model only runs inference.
    alias(op->getResult(0), op->getOperand(0));
    return success();
  }
  return inPrepare ? emitPrepareOp(op) : emitRunOp(op);
}

LogicalResult ModelEmitter::emitPrepare() {
  Writer w(prepareText);
  current = &w;
  if (!prepareFn)
    return success();
  int64_t scratch = 0;
  if (auto a = module->getAttrOfType<IntegerAttr>("slim.prepare_scratch_size"))
    scratch = a.getInt();
  // The runtime lends prepare its scratch (slim_exec_env::scratch) for the
  // call, so generated code never allocates.
  prepareScratchSize = scratch > 0 ? (scratch + 63) / 64 * 64 : 0;
  if (scratch > 0)
    w.line("void *const scratch = env->scratch;");
  findLastReaders();
  for (Operation &op : prepareFn.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (failed(emitOp(&op, /*inPrepare=*/true)))
      return failure();
    for (unsigned var : lastReaderOf.lookup(&op))
      consumedAt.emplace_back(prepareText.size(), var);
  }
  return success();
}

std::optional<unsigned> ModelEmitter::variableOf(Value v) const {
  while (Operation *def = v.getDefiningOp()) {
    if (auto read = dyn_cast<ReadVariableOp>(def)) {
      auto it = variableIndex.find(read.getName());
      if (it == variableIndex.end())
        return std::nullopt;
      return it->second;
    }
    if (!isa<ReshapeOp, IdentityOp, DropoutOp>(def))
      return std::nullopt;
    v = def->getOperand(0);
  }
  return std::nullopt;
}

void ModelEmitter::findLastReaders() {
  // Ops are visited in program order, so the last one recorded wins.
  // Views emit no code: their readers read the variable.
  llvm::MapVector<unsigned, Operation *> last;
  for (Operation &op : prepareFn.getBody().front()) {
    if (isa<ReadVariableOp, ReshapeOp, IdentityOp, DropoutOp, func::ReturnOp>(
            op))
      continue;
    for (Value operand : op.getOperands())
      if (std::optional<unsigned> var = variableOf(operand))
        last[*var] = &op;
  }
  for (auto [var, op] : last)
    lastReaderOf[op].push_back(var);
  for (auto &entry : lastReaderOf)
    llvm::sort(entry.second);
}

std::string ModelEmitter::sourceConsumer(Operation *op, Value source) {
  std::optional<unsigned> var = variableOf(source);
  if (!var || !llvm::is_contained(lastReaderOf.lookup(op), *var))
    return "";
  consumedInPack.insert(*var);
  return ", slim::kernels::SourceConsumer(env, " + std::to_string(*var) + ")";
}

std::string ModelEmitter::prepareBody() const {
  auto report = [&](unsigned var) {
    auto type = cast<RankedTensorType>(VariableOp(variables[var]).getType());
    uint64_t bytes = uint64_t(type.getNumElements()) *
                     uint64_t(type.getElementTypeBitWidth() / 8);
    return "  slim::kernels::variableConsumed(env, " + std::to_string(var) +
           ", " + std::to_string(bytes) + "u);\n";
  };
  std::string out;
  size_t from = 0;
  for (auto [at, var] : consumedAt) {
    // A statement appended later still reads it.
    if (tailReads.contains(var))
      continue;
    out += prepareText.substr(from, at - from);
    out += report(var);
    from = at;
  }
  out += prepareText.substr(from);
  out += prepareTail;
  SmallVector<unsigned> tail(tailReads.begin(), tailReads.end());
  llvm::sort(tail);
  for (unsigned var : tail) {
    assert(!consumedInPack.contains(var) &&
           "a pack dropped a variable that an appended statement reads");
    out += report(var);
  }
  return out;
}

LogicalResult ModelEmitter::emitRun() {
  Writer w(runText);
  current = &w;
  Block &block = runFn.getBody().front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    outputOf.try_emplace(v, i);
  for (auto [i, arg] : llvm::enumerate(runFn.getArguments()))
    bind(arg, bufferPtr(Buffer::Input, i));
  for (Operation &op : block) {
    if (&op == ret.getOperation())
      continue;
    if (failed(emitOp(&op, /*inPrepare=*/false)))
      return failure();
  }
  // Outputs not written in place (a graph input returned, a value returned
  // twice, a value that also lives on in the arena) are copied.
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    std::string dst = bufferPtr(Buffer::Output, i);
    if (ptr(v) == dst || localExpr.lookup(ptr(v)) == dst)
      continue;
    if (get(v).cbTotal || blockWidth(v) != 0)
      return ret.emitError("output ")
             << i << " is a blocked tensor; the pipeline must convert it";
    emitOutputCopy(dst, ptr(v), numElements(v) * 4);
  }
  emitRunEpilogue();
  return success();
}

LogicalResult ModelEmitter::emit(raw_ostream &os) {
  if (failed(collectSymbols()) || failed(checkModuleForm()) ||
      failed(emitPrepare()) || failed(emitRun()))
    return failure();
  if (placement == Placement::Bump)
    arenaSize = bumpOffset;
  else if (auto a = module->getAttrOfType<IntegerAttr>("slim.arena_size"))
    arenaSize = a.getInt();
  arenaSize = std::max(arenaSize, arenaFloor);

  emitFileHeader(os);
  if (!options.trainStep.empty())
    os << "// The train step's kernels (slimc --train).\n"
       << "#include \"slim/kernels/backward.h\"\n"
       << "#include \"slim/kernels/dropout.h\"\n"
       << "#include \"slim/kernels/optimizers.h\"\n"
       << "#include \"slim/kernels/conv_exact.h\"\n"
       << "#include \"slim/kernels/train_forward.h\"\n\n"
       << "#include <algorithm>\n\n";
  os << "namespace {\n\n";
  emitPrologue(os);
  emitTensorTables(os);
  if (failed(emitVariableTable(os)))
    return failure();
  emitParamAndLayerTables(os);
  emitEntryPoints(os);
  os << options.trainStep;
  emitDefAndExports(os);
  return success();
}

void ModelEmitter::emitEntryPoints(raw_ostream &os) {
  os << "int32_t prepare(const slim_exec_env *env, const void *const "
        "*variables,\n                void *const *params) {\n"
     << "  (void)env;\n  (void)variables;\n  (void)params;\n"
     << prepareBody() << "  return 0;\n}\n\n";
  os << "int32_t run(const slim_exec_env *env, const void *const "
        "*variables,\n            const void *const *params, const void "
        "*const *inputs,\n            void *const *outputs, void *arena) {\n"
     << "  (void)variables;\n  (void)params;\n  (void)inputs;\n"
     << "  (void)outputs;\n  (void)arena;\n";
  emitRunPrologue(os);
  // The batch-dependent literals of runText become expressions of it
  // (generalizeBatch).
  if (options.dynamicBatch)
    os << "  const int64_t batch = env->batch;\n  (void)batch;\n";
  os << runText << "  return 0;\n}\n\n";
}

void ModelEmitter::emitDefAndExports(raw_ostream &os) {
  std::string ident;
  for (char c : options.modelName)
    ident += llvm::isAlnum(c) ? c : '_';
  if (ident.empty() || llvm::isDigit(ident[0]))
    ident = "m_" + ident;

  os << "const slim_model_def kDef = {\n"
     << "    SLIM_MODEL_ABI_VERSION,\n"
     << "    " << options.requiredIsa << "u,\n"
     << "    " << cString(options.modelName) << ",\n"
     << "    " << cString(options.generator) << ",\n"
     << "    " << runFn.getNumArguments() << ",\n    kInputs,\n"
     << "    " << runFn.getNumResults() << ",\n    kOutputs,\n"
     << "    " << variables.size() << ",\n    kVariables,\n"
     << "    " << numAllParams() << ",\n    kParams,\n"
     << "    " << arenaSize << "u /* arena_size */,\n    64,\n"
     << "    " << layers.size() << ",\n    kLayers,\n"
     << "    prepare,\n    run,\n"
     << "    " << prepareScratchSize << "u,\n"
     << "    " << options.defaultNumThreads << ",\n";
  emitDefTail(os);
  // slimc's batch tracing (generalizeBatch) fills in the bytes per sample
  // after the marker.
  os << "    " << (options.dynamicBatch ? 1 : 0) << ",\n"
     << "    " << options.maxBatch << ",\n"
     << "    0u /* arena_bytes_per_sample */,\n";
  // ABI 7: the train step, when slimc --train wrote one.
  if (options.trainStep.empty())
    os << "    nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0u,\n";
  else
    os << "    SLIM_TRAIN_DEF_FIELDS,\n";
  os << "};\n\n} // namespace\n\n";
  os << "#define SLIM_EXPORT __attribute__((visibility(\"default\")))\n\n"
     << "extern \"C\" {\n"
     << "SLIM_EXPORT extern const uint32_t slim_model_required_isa;\n"
     << "const uint32_t slim_model_required_isa = " << options.requiredIsa
     << "u;\n"
     << "SLIM_EXPORT const slim_model_def *slim_model_get_def(void) {\n"
     << "  return &kDef;\n}\n"
     << "/// For static linking.\n"
     << "SLIM_EXPORT const slim_model_def *" << ident
     << "_get_def(void) { return &kDef; }\n"
     << "}\n";
}

std::string ModelEmitter::groupNormArgs(GroupNormOp norm) {
  unsigned mask = 0;
  for (int64_t a : norm.getReductionAxes())
    mask |= 1u << a;
  return (Twine(shapeOf(norm.getInput()).size()) + ", dims, " +
          Twine(norm.getChannelsAxis()) + ", " + Twine(mask) + "u, " +
          Twine(norm.getGroups()) + ", " + optPtr(norm.getBeta()) + ", " +
          optPtr(norm.getGamma()) + ", " +
          fmtFloat(norm.getEpsilon().convertToDouble()) + ", " +
          (norm.getOnePass() ? "true" : "false"))
      .str();
}
