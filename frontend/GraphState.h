//===- GraphState.h - TensorFlow's graph under construction -----*- C++ -*-===//
//
// What TensorFlow's default Graph holds while a model file runs: the name
// and variable scopes, the names in use, the variables and collections, the
// placeholders and named outputs, and the MLIR module and graph function the
// ops are appended to. The interpreter owns one; builtins reach it through
// Interpreter::graph().
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_GRAPHSTATE_H
#define SLIM_FRONTEND_GRAPHSTATE_H

#include "frontend/TrainState.h"
#include "frontend/Value.h"

#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace slim {

/// A variable created during elaboration.
struct VariableInfo {
  mlir::slim::VariableOp op;
  llvm::SmallVector<int64_t, 4> shape;
  llvm::SMLoc loc;
  bool isModel = false;
  bool trainable = true;
  std::vector<std::string> collections;
  Ref tensor; // the value read in the graph
};

/// Where the graph state reports errors. The interpreter implements it, so
/// a graph error carries the model's call stack like any other.
struct GraphDiagnostics {
  std::function<void(llvm::SMLoc, const llvm::Twine &)> error;
  std::function<void(llvm::SMLoc, const llvm::Twine &)> note;
};

class GraphState {
public:
  /// `batch` replaces a `None` batch dimension of placeholders.
  GraphState(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context,
             GraphDiagnostics diagnostics, int64_t batch);

  mlir::MLIRContext &getContext() { return context; }
  mlir::OpBuilder &getBuilder() { return builder; }
  /// The MLIR location of a source location (unknown outside any buffer).
  mlir::Location getLoc(llvm::SMLoc loc);

  //===--------------------------------------------------------------------===//
  // The module
  //===--------------------------------------------------------------------===//

  /// Creates the module and its empty graph function `functionName`, with
  /// `fileLoc` as their location; ops are appended to the function.
  void beginModule(llvm::SMLoc fileLoc, llvm::StringRef functionName);
  /// Returns `outputs` (named tensors) from the graph function, and names
  /// its arguments and results after the placeholders and outputs.
  void finishFunction(llvm::ArrayRef<std::pair<std::string, Ref>> outputs);
  mlir::ModuleOp getModule() { return *module; }
  /// The graph function the ops are appended to.
  mlir::func::FuncOp getFunction() { return function; }
  mlir::OwningOpRef<mlir::ModuleOp> takeModule() { return std::move(module); }

  //===--------------------------------------------------------------------===//
  // Names and scopes
  //===--------------------------------------------------------------------===//

  /// TensorFlow's Graph.unique_name: `name`, else `name_1`, `name_2`...
  std::string uniqueName(llvm::StringRef name, bool markUsed = true);
  /// The current name scope with a trailing slash, or "".
  const std::string &nameScope() const { return currentNameScope; }
  void setNameScope(std::string scope) { currentNameScope = std::move(scope); }
  /// Opens `tf.name_scope(name)` below the current one (a name ending in
  /// '/' is absolute); returns the new scope string.
  std::string openNameScope(llvm::StringRef name);

  std::shared_ptr<VarScopeObj> varScope() const { return currentVarScope; }
  void setVarScope(std::shared_ptr<VarScopeObj> s) {
    currentVarScope = std::move(s);
  }
  /// TensorFlow's bookkeeping of how often each variable scope was opened,
  /// which decides `Conv`, `Conv_1`, ...
  std::string uniqueVarScopeName(llvm::StringRef prefix);
  void openVarScopeCount(const std::string &fullName);

  //===--------------------------------------------------------------------===//
  // Variables, placeholders, outputs, collections
  //===--------------------------------------------------------------------===//

  /// The initializer of variables created without one, in a scope without
  /// one (tf.get_variable's glorot_uniform); set by the module setup.
  void setDefaultInitializer(Ref init) { defaultInitializer = std::move(init); }

  /// Creates (or reuses, per the scope's reuse flag) a variable named
  /// `name` under the current variable scope; null after an error.
  Ref getVariable(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                  Ref initializer, Ref regularizer, bool trainable,
                  bool isModel, std::vector<std::string> collections,
                  std::string device, llvm::SMLoc loc);
  const std::vector<std::unique_ptr<VariableInfo>> &getVariables() const {
    return variables;
  }
  VariableInfo *findVariable(llvm::StringRef name);

  /// tf.placeholder: a new graph input, f32 unless `elementType` says
  /// otherwise (a training script's integer labels).
  Ref addPlaceholder(llvm::ArrayRef<int64_t> declared, llvm::StringRef name,
                     llvm::SMLoc loc, mlir::Type elementType = {});
  /// Removes the placeholders for which `drop` holds (their arguments must
  /// be unused): a training script's labels leave @main.
  void erasePlaceholders(llvm::function_ref<bool(llvm::StringRef)> drop);
  /// tf.train.get_or_create_global_step(): the scalar int64 variable
  /// `global_step` (collection "global", not trainable, zeros) and its read.
  Ref createGlobalStep(llvm::SMLoc loc);
  /// Removes a variable that nothing reads any more (the global step of a
  /// training script compiled without --train).
  void eraseVariable(llvm::StringRef name);

  /// The training half of the script (losses, train op), if any.
  TrainState &training() { return trainState; }
  const std::vector<std::pair<std::string, Ref>> &getPlaceholders() const {
    return placeholders;
  }
  /// Wraps an op result as a tensor named `<name scope><opType>`; null
  /// after an error when the result is larger than a tensor may be.
  Ref makeTensor(mlir::Value value, llvm::StringRef opType);
  /// Every tensor made so far (placeholders and op results), in creation
  /// order: `graph.get_operations()`.
  const std::vector<Ref> &getOperations() const { return operations; }
  /// Records a top-level `tf.identity(t, name=...)` as a graph output.
  void addNamedOutput(Ref tensor, std::string name);
  const std::vector<std::pair<std::string, Ref>> &getNamedOutputs() const {
    return namedOutputs;
  }

  /// Graph ops created so far (variables and reads included): the work the
  /// elaborator charges against its budget (Interpreter::step), because one
  /// call of a layer builtin costs far more than one Python statement.
  int64_t getOpsCreated() const { return opCounter.count; }

  /// Graph collections (`outputs_collections`, tf.add_to_collection).
  std::map<std::string, std::vector<std::pair<std::string, Ref>>> collections;

  /// The source position of a location getLoc made (for errors found
  /// after an op is built); an unknown location gives an empty SMLoc.
  llvm::SMLoc sourceLoc(mlir::Location loc);

private:
  /// Reports an error and returns null, for `return fail(...)`.
  Ref fail(llvm::SMLoc loc, const llvm::Twine &message);

  llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext &context;
  GraphDiagnostics diag;
  int64_t batch;
  Ref defaultInitializer;

  /// Counts every op the builder (or a copy of it) inserts.
  struct OpCounter : mlir::OpBuilder::Listener {
    int64_t count = 0;
    void notifyOperationInserted(mlir::Operation *,
                                 mlir::OpBuilder::InsertPoint) override {
      ++count;
    }
  };
  OpCounter opCounter;
  mlir::OpBuilder builder;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp function;
  mlir::Block *moduleBody = nullptr;
  mlir::Operation *lastVariable = nullptr;
  /// The last variable read at the top of the graph: the next one goes
  /// after it (looking it up through all variables was quadratic).
  mlir::Operation *lastVariableRead = nullptr;

  std::string currentNameScope;
  std::shared_ptr<VarScopeObj> currentVarScope;
  llvm::StringMap<int64_t> namesInUse;
  std::map<std::string, int64_t> varScopeCounts;
  std::vector<std::unique_ptr<VariableInfo>> variables;
  llvm::StringMap<VariableInfo *> variablesByName;
  std::vector<std::pair<std::string, Ref>> placeholders;
  std::vector<std::pair<std::string, Ref>> namedOutputs;
  std::vector<Ref> operations;
  TrainState trainState;
};

} // namespace slim

#endif // SLIM_FRONTEND_GRAPHSTATE_H
