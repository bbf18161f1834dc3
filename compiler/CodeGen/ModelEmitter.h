//===- ModelEmitter.h - What every code generation target shares -*- C++
//-*-===//
//
// Code generation writes one source file that implements the model ABI
// (runtime/include/slim/model_abi.h) for a slim module. ModelEmitter does
// everything that does not depend on where the model computes: it collects
// the module's symbols (variables, params, the inference and prepare
// functions), walks @slim_prepare and the inference function op by op,
// keeps the map from each value to the C++ pointer expression that holds it
// (arena offsets from the memory plan or bump allocation, concat channel
// offsets, graph outputs written in place, views), records the layer list
// for profiling, copies outputs not written in place, and writes every ABI
// table (inputs, outputs, variables with initializers and regularizers and
// `prepare_only`, params, layers), the `slim_model_def` and the exported
// symbols. A target subclass says how each op computes and supplies the
// pieces of text that differ per target through the virtual hooks below.
//
// Adding a target (a CUDA emitter writing a `.cu` file, say):
//   1. Subclass ModelEmitter in compiler/CodeGen/<Target>Emitter.cpp (or
//      CpuEmitter, for another set of CPU kernels) and implement the pure
//      hooks: checkModuleForm, emitFileHeader, emitPrologue, emitRunOp,
//      emitLayerBegin/emitLayerEnd, emitRunPrologue and emitOutputCopy.
//      Override emitPrepareOp, emitRunEpilogue and emitDefTail where the target
//      needs more than the default.
//   2. Put each op family in its own named member function and dispatch to
//      them from emitRunOp; an op with no code path is `unsupported(op)`, a
//      compile error naming the op and its TF-Slim scope.
//   3. Declare the target's factory in Emitters.h, choose it in emitCpp
//      (CodeGen.cpp) and list the file in CMakeLists.txt.
// The ABI function signatures are the same on every target: a device model's
// `run` receives device pointers in `inputs`, `outputs`, `params`,
// `variables` and `arena`, and `prepare` is host code on every target.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_MODELEMITTER_H
#define SLIM_CODEGEN_MODELEMITTER_H

#include "compiler/CodeGen/CodeGen.h"
#include "compiler/CodeGen/EmitUtil.h"

#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace mlir::slim::codegen {

/// Where a tensor value lives in the generated code.
struct Storage {
  /// C++ expression of type `float *`.
  std::string ptr;
  /// Values that are a slice of a bigger buffer along channels (a producer
  /// writing into a concat in place): offset and total, in channel blocks
  /// for blocked values, in channels for dense (NHWC) ones; 0 for a whole
  /// tensor.
  int64_t cbOffset = 0;
  int64_t cbTotal = 0;
};

/// The buffers the ABI hands to `prepare` and `run`.
enum class Buffer {
  /// variables[i] (read-only).
  Variable,
  /// params[i] as `run` reads it (read-only).
  Param,
  /// params[i] as `prepare` writes it.
  PreparedParam,
  /// inputs[i] (read-only).
  Input,
  /// outputs[i].
  Output,
  /// A byte offset into `run`'s arena.
  Arena,
  /// A byte offset into `prepare`'s scratch.
  Scratch,
};

class ModelEmitter {
public:
  virtual ~ModelEmitter();

  /// Writes the whole file to `os`. On failure an error is reported at the
  /// offending op and `os` may hold a partial file.
  LogicalResult emit(raw_ostream &os);

protected:
  /// Where `run` places values that are not graph outputs.
  enum class Placement {
    /// At the `arena_offset` of the memory plan (slim-plan-memory); a value
    /// without one is an error.
    MemoryPlan,
    /// Each value its own 64-byte aligned slice, in program order.
    Bump,
  };

  ModelEmitter(ModuleOp module, const CodeGenOptions &options,
               Placement placement);

  //===--------------------------------------------------------------------===//
  // Hooks: what a target says.
  //===--------------------------------------------------------------------===//

  /// Checks that the module is in the form this target expects (optimized
  /// or not, with a memory plan or not); called once symbols are known.
  virtual LogicalResult checkModuleForm() = 0;
  /// The file's first lines: a comment saying what it is and how to
  /// compile it, and the includes.
  virtual void emitFileHeader(raw_ostream &os) = 0;
  /// Declarations at the top of the anonymous namespace that holds the
  /// tables and entry points (using-directives, compile-time checks, a
  /// device target's `slim_device_ops` table).
  virtual void emitPrologue(raw_ostream &os) = 0;
  /// One op of the inference function, other than views (read_variable,
  /// read_param, reshape, identity, dense dropout), which the base binds.
  /// Typically allocateResult() for its result, then a LayerBlock around
  /// the statements written to body().
  virtual LogicalResult emitRunOp(Operation *op) = 0;
  /// One op of @slim_prepare other than views. The default emits the
  /// host load-time ops (emitLoadTimeOp): `prepare` runs on the host on
  /// every target.
  virtual LogicalResult emitPrepareOp(Operation *op);
  /// A `float *` expression for `buffer`: element `index` of the ABI's
  /// pointer table, or a byte offset into the arena or the scratch. The
  /// same on every target: the ABI's tables are untyped pointers on all of
  /// them (device pointers on a device target).
  std::string bufferPtr(Buffer buffer, int64_t index) const;
  /// Statements into body() right before (after) layer `layer`'s work; a
  /// CPU target calls the profiler's begin (end), a device target records
  /// an event on its stream.
  virtual void emitLayerBegin(int layer) = 0;
  virtual void emitLayerEnd(int layer) = 0;
  /// Declarations at the start of `run`'s body, before the ops (the thread
  /// pool, the profiler, a device target's stream); numLayers() is known.
  virtual void emitRunPrologue(raw_ostream &os) = 0;
  /// Statements into body() after the ops and output copies of `run` (a
  /// device target reports its layer timings here). Default: none.
  virtual void emitRunEpilogue() {}
  /// Statements into body() copying `bytes` from `src` to the output buffer
  /// `dst` in `run` (memcpy on a CPU, an asynchronous device copy on a
  /// stream).
  virtual void emitOutputCopy(StringRef dst, StringRef src, int64_t bytes) = 0;
  /// Initializers of `slim_model_def`'s `device` and `device_ops`, one per
  /// line. Default: a CPU model.
  virtual void emitDefTail(raw_ostream &os) {
    os << "    SLIM_DEVICE_CPU,\n    nullptr,\n";
  }

  //===--------------------------------------------------------------------===//
  // Services for the hooks.
  //===--------------------------------------------------------------------===//

  /// Reports that `op` has no code path on this target (naming its TF-Slim
  /// scope and `why`) and returns failure.
  LogicalResult unsupported(Operation *op, const Twine &why = "");

  /// Declares a new local pointer for `v` at `expr` and records it.
  std::string define(Value v, const Twine &expr, int64_t cbOffset = 0,
                     int64_t cbTotal = 0);
  /// Makes `to` the same storage as `from` (a view).
  void alias(Value to, Value from) { values[to] = values.lookup(from); }
  /// Binds `v` to `expr` without declaring a local.
  void bind(Value v, const std::string &expr) { values[v] = Storage{expr}; }
  const Storage &get(Value v) { return values[v]; }
  std::string ptr(Value v) { return values.lookup(v).ptr; }
  /// ptr(v), or "nullptr" for an absent optional operand.
  std::string optPtr(Value v) { return v ? ptr(v) : std::string("nullptr"); }
  /// The arguments after x and y of every backend's groupNorm (the caller
  /// declares `dims`): rank, dims, channel axis, reduced-axes mask, groups,
  /// beta, gamma, epsilon, one pass.
  std::string groupNormArgs(GroupNormOp norm);

  /// Storage for the single result `result` of `op` in `run`: its place in
  /// the memory plan (and its channel block range when it is written into a
  /// concat in place), the graph output it is (through views), or a bump
  /// allocation.
  LogicalResult allocateResult(Operation *op, Value result);
  /// Storage for a result of an op in @slim_prepare: prepare's scratch at
  /// `offset` (>= 0), else the derived parameter it is written to.
  LogicalResult allocatePrepareResult(Operation *op, Value result,
                                      int64_t offset);
  /// The load-time ops of @slim_prepare (bn_scale_shift, fold_scale_shift,
  /// pack_filter, write_param) as calls to slim/kernels/pack.h.
  LogicalResult emitLoadTimeOp(Operation *op);

  /// Appends `op` to the layer list, writes a comment naming it and
  /// emitLayerBegin; returns its index.
  int beginLayer(Operation *op);
  /// emitLayerEnd for layer `layer`.
  void endLayer(int layer) { emitLayerEnd(layer); }
  int numLayers() const { return layers.size(); }
  /// Makes the arena the library reports at least `bytes` long (room a
  /// target's kernels need beyond the memory plan, e.g. a workspace).
  void reserveArena(uint64_t bytes) {
    arenaFloor = std::max(arenaFloor, bytes);
  }
  /// @slim_prepare, null when the module has none.
  func::FuncOp prepareFunc() const { return prepareFn; }
  size_t numParams() const { return params.size(); }
  /// The module's params and those the target added (addParam).
  size_t numAllParams() const { return params.size() + extraParams.size(); }
  /// A derived parameter of `bytes` the target's `prepare` computes (after
  /// the module's, see appendPrepare) and `run` reads, beyond the module's
  /// `slim.param`s (e.g. weights converted for a precision); returns its
  /// index in `params`.
  unsigned addParam(StringRef name, uint64_t bytes) {
    extraParams.push_back({name.str(), bytes});
    return numAllParams() - 1;
  }
  /// Records that the code for `use`'s owner does not read `use`'s value
  /// (it reads a derived parameter made from it instead, e.g. weights
  /// converted for a precision). A variable whose every use in run is
  /// replaced is marked prepare_only: the runtime neither uploads nor keeps
  /// it after a freeze.
  void replaceUse(OpOperand &use) { replacedUses.insert(&use); }
  /// A statement of `prepare` after the module's load-time ops (prepare
  /// is written before run, so run's ops add theirs here).
  void appendPrepare(const Twine &line) {
    prepareTail += "  " + line.str() + "\n";
  }
  /// Records that a statement of appendPrepare reads variable `index`: it
  /// is reported consumed after them, not after its last load-time op.
  void readInPrepareTail(unsigned index) { tailReads.insert(index); }
  /// The variable whose storage `v` is (through views), if any.
  std::optional<unsigned> variableOf(Value v) const;
  /// ", slim::kernels::SourceConsumer(env, i)", a last argument for a pack
  /// that is the last reader in @slim_prepare of the variable `source` is,
  /// so it reports the bytes it has walked; else "".
  std::string sourceConsumer(Operation *op, Value source);

  /// The statements of the function being written (prepare or run).
  Writer &body() { return *current; }

  /// One layer's statements: beginLayer on construction, endLayer when it
  /// goes out of scope. Braced wraps them in `{ }` (for the locals of a
  /// params struct).
  class LayerBlock {
  public:
    enum Scope { Braced, Flat };
    LayerBlock(ModelEmitter &e, Operation *op, Scope scope = Braced);
    ~LayerBlock();
    LayerBlock(const LayerBlock &) = delete;
    LayerBlock &operator=(const LayerBlock &) = delete;

  private:
    ModelEmitter &e;
    int layer;
    Scope scope;
  };

  ModuleOp module;
  const CodeGenOptions &options;
  llvm::StringMap<unsigned> variableIndex, paramIndex;

private:
  LogicalResult collectSymbols();
  LogicalResult emitPrepare();
  LogicalResult emitRun();
  /// Binds the views; everything else goes to emitRunOp / emitPrepareOp.
  LogicalResult emitOp(Operation *op, bool inPrepare);

  /// The parts of the file after emitPrologue, in order.
  void emitTensorTables(raw_ostream &os);
  LogicalResult emitVariableTable(raw_ostream &os);
  void emitParamAndLayerTables(raw_ostream &os);
  void emitEntryPoints(raw_ostream &os);
  void emitDefAndExports(raw_ostream &os);

  Placement placement;
  func::FuncOp prepareFn, runFn;
  SmallVector<VariableOp> variables;
  SmallVector<ParamOp> params;
  DenseMap<Value, Storage> values;
  /// The expression each local of define() was initialized with.
  llvm::StringMap<std::string> localExpr;
  /// For run: the first output index each returned value goes to.
  DenseMap<Value, unsigned> outputOf;
  /// Values `prepare` computes straight into a derived parameter.
  DenseMap<Value, unsigned> inParam;

  struct Layer {
    std::string name, op;
    double flops;
  };
  std::vector<Layer> layers;

  std::string prepareText, runText, prepareTail;
  /// For each op of @slim_prepare, the variables it reads for the last time
  /// (through views): `prepare` reports them consumed right after it.
  DenseMap<Operation *, SmallVector<unsigned>> lastReaderOf;
  /// Where those reports go: (offset in prepareText, variable).
  std::vector<std::pair<size_t, unsigned>> consumedAt;
  /// Variables read by the appended statements (readInPrepareTail), and
  /// those whose last load-time op reports its bytes as it goes.
  llvm::DenseSet<unsigned> tailReads, consumedInPack;
  void findLastReaders();
  /// prepareText and prepareTail with the consumed reports inserted.
  std::string prepareBody() const;
  struct ExtraParam {
    std::string name;
    uint64_t bytes;
  };
  std::vector<ExtraParam> extraParams;
  llvm::DenseSet<OpOperand *> replacedUses;
  /// True when the generated run reads `read`'s value: some use, through
  /// views, that the target did not replace (replaceUse).
  bool runReadsValueOf(ReadVariableOp read) const;
  Writer *current = nullptr;
  unsigned nextLocal = 0;
  uint64_t bumpOffset = 0;
  uint64_t arenaSize = 0;
  uint64_t arenaFloor = 0;
  uint64_t prepareScratchSize = 0;
};

} // namespace mlir::slim::codegen

#endif // SLIM_CODEGEN_MODELEMITTER_H
