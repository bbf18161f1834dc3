//===- Interpreter.h - Runs a model file into a slim module -----*- C++ -*-===//
//
// The elaborator: runs the Python subset of a model file at compile time, as
// TensorFlow's graph construction does, with TF-Slim's semantics for scopes,
// variables and arg_scope. Tensor-producing calls append `slim` ops to the
// graph function; variables become `slim.variable` symbols. The graph itself
// (scopes, variables, collections, the module) is a GraphState the
// interpreter owns; the tf/slim builtins are in builtins/.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_INTERPRETER_H
#define SLIM_FRONTEND_INTERPRETER_H

#include "frontend/AST.h"
#include "frontend/GraphState.h"
#include "frontend/Value.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace slim {

/// What the driver tells the elaborator.
struct ElaborateOptions {
  /// Batch size substituted for a `None` batch dimension of placeholders.
  int64_t batch = 1;
  /// When set, call this function with a placeholder of `entryInputShape`.
  std::string entry;
  llvm::SmallVector<int64_t, 4> entryInputShape;
  /// Directories searched for `from nets import x` (after the model's own).
  std::vector<std::string> includeDirs;
  /// Name of the generated graph function.
  std::string functionName = "main";
  /// Bound on executed statements and calls, against files that never end.
  int64_t stepLimit = 20'000'000;
};

/// How a statement list finished.
enum class Flow { Normal, Return, Break, Continue, Error };

class Interpreter {
public:
  Interpreter(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context,
              ElaborateOptions options);
  ~Interpreter();

  /// Runs the module in buffer `bufferId` and builds the slim module.
  /// Returns null after printing diagnostics.
  mlir::OwningOpRef<mlir::ModuleOp> run(const ModuleAST &module);

  //===--------------------------------------------------------------------===//
  // Diagnostics
  //===--------------------------------------------------------------------===//

  /// Prints `error: message` at `loc` with the current call stack as notes
  /// and returns null, so callers can `return interp.error(...)`.
  Ref error(llvm::SMLoc loc, const llvm::Twine &message);
  /// Prints a `note:` (after an error).
  void note(llvm::SMLoc loc, const llvm::Twine &message);
  void warning(llvm::SMLoc loc, const llvm::Twine &message);
  bool hadError() const { return errorCount > 0; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  //===--------------------------------------------------------------------===//
  // Evaluation
  //===--------------------------------------------------------------------===//

  Ref eval(const ExprAST &expr, const EnvPtr &env);
  Flow execBlock(const StmtList &body, const EnvPtr &env, Ref &returnValue);
  /// Calls any callable with TF-Slim's arg_scope applied to arg-scoped ones.
  Ref call(const Ref &callee, CallArgs &args);
  /// Calls with keyword arguments given as (name, value) pairs.
  Ref callWith(const Ref &callee, llvm::SMLoc loc, std::vector<Ref> positional,
               std::vector<std::pair<std::string, Ref>> keywords = {});
  /// Python's `getattr(base, name)`; null after an error at `loc`.
  Ref getAttr(const Ref &base, llvm::StringRef name, llvm::SMLoc loc);
  /// Iterates a list, tuple, dict (keys), or string; null on error.
  bool iterate(const Ref &value, llvm::SMLoc loc, std::vector<Ref> &out);
  /// Counts one step against the step limit; false (after an error) when
  /// the limit is hit.
  bool step(llvm::SMLoc loc);

  //===--------------------------------------------------------------------===//
  // Graph state
  //===--------------------------------------------------------------------===//

  mlir::MLIRContext &getContext() { return context; }
  /// TensorFlow's graph under construction: scopes, variables, collections,
  /// placeholders, outputs and the MLIR module.
  GraphState &graph() { return graphState; }
  /// True while the top level of the compiled file itself runs: not inside a
  /// function and not inside an imported module, whose top-level
  /// `tf.identity(..., name=)` names no output of this model.
  bool atMainTopLevel() const { return callStack.empty() && importDepth == 0; }

  //===--------------------------------------------------------------------===//
  // arg_scope
  //===--------------------------------------------------------------------===//

  std::shared_ptr<ArgScopeObj> currentArgScope() const {
    return argScopeStack.back();
  }
  void pushArgScope(std::shared_ptr<ArgScopeObj> scope) {
    argScopeStack.push_back(std::move(scope));
  }
  void popArgScope() { argScopeStack.pop_back(); }

  /// Shared objects other builtins refer to (tf.nn.relu, the default
  /// initializers, slim.batch_norm, ...), registered by the module builders
  /// (builtins/Modules.cpp) before any model code runs.
  std::map<std::string, Ref> known;
  /// The known object `name`, or null if there is none.
  Ref lookupKnown(llvm::StringRef name) const;
  /// The known object `name`, which the module builders must have
  /// registered (a missing one is a bug in slimc, not in the model).
  Ref requireKnown(llvm::StringRef name) const;

private:
  struct Frame {
    std::string function;
    llvm::SMLoc callLoc;
  };

  Flow exec(const StmtAST &stmt, const EnvPtr &env, Ref &returnValue);
  bool assign(const ExprAST &target, const Ref &value, const EnvPtr &env);
  /// `del target`: unbinds a name of the current scope, removes a dict key or
  /// list items, or an attribute set on an object.
  bool deleteTarget(const ExprAST &target, const EnvPtr &env);
  Ref evalBinary(BinaryOp op, const Ref &lhs, const Ref &rhs,
                 llvm::SMLoc opLoc);
  Ref evalCompare(CompareOp op, const Ref &lhs, const Ref &rhs,
                  llvm::SMLoc opLoc);
  Ref evalSubscript(const Ref &base, const ExprAST &index, const EnvPtr &env,
                    llvm::SMLoc loc);
  Ref evalCall(const CallExprAST &call, const EnvPtr &env);
  Ref callFunction(FunctionObj &fn, CallArgs &args);
  Ref callBoundMethod(BoundMethodObj &method, CallArgs &args);
  Flow execImport(const StmtAST &stmt, const EnvPtr &env);
  Flow execImportFromModelFile(const ImportFromStmtAST &from,
                               const EnvPtr &env);
  /// Where the search path puts the model module `dotted`.
  struct ModuleLocation {
    std::string file;       ///< its .slim file, if one was found
    std::string packageDir; ///< else a directory of that name, if any
    std::string searched;   ///< " dir1 dir2 ...", for error messages
  };
  ModuleLocation findModelModule(llvm::StringRef dotted, llvm::SMLoc loc);
  /// Reports an error and returns true if `dotted` is a Python module
  /// slimc cannot provide (numpy, os, ...).
  bool rejectUnavailableModule(llvm::StringRef dotted, llvm::SMLoc loc);
  /// Finds and loads `dotted` (a .slim file); an error if there is none.
  Ref importModelModule(llvm::StringRef dotted, llvm::SMLoc loc);
  /// Runs the model file `path` once as module `dotted` (cached by path).
  Ref loadModelModule(llvm::StringRef dotted, const std::string &path,
                      llvm::SMLoc loc);
  /// `collections`, `functools`, `copy`: null for any other name.
  Ref pythonModule(llvm::StringRef dotted) const;
  Ref defineFunction(const FunctionDefAST &def, const EnvPtr &env);
  Ref defineClass(const ClassDefAST &def, const EnvPtr &env);
  /// Calls a class: builds a namedtuple or an instance (running __init__).
  Ref instantiate(const Ref &cls, CallArgs &args);
  bool finishOutputs(const Ref &entryResult, llvm::SMLoc loc);
  /// The error for an --entry name that is unbound or not a function.
  void reportBadEntry(const ModuleAST &ast, const Env &globals,
                      const Ref &value);
  /// The first character of the model file, for file-level diagnostics.
  llvm::SMLoc fileStart(const ModuleAST &ast) const;

  llvm::SourceMgr &sourceMgr;
  mlir::MLIRContext &context;
  ElaborateOptions options;
  GraphState graphState;

  EnvPtr builtins;
  std::map<std::string, Ref> loadedModules; // imported .slim files by path
  std::vector<std::unique_ptr<ModuleAST>> importedASTs;
  unsigned importDepth = 0; // > 0 while an imported module's body runs

  std::vector<Frame> callStack;
  std::vector<std::shared_ptr<ArgScopeObj>> argScopeStack;
  int64_t steps = 0;
  unsigned errorCount = 0;
};

/// Registers Python's builtins (len, range, int, ValueError, ...).
void installPythonBuiltins(Interpreter &interp, Env &env);
/// Registers `object` and the modules `collections`, `functools` and `copy`.
void installPythonModules(Interpreter &interp, Env &env);
/// Calls a method of a str, list, dict, tensor or shape; null on error.
Ref callMethod(Interpreter &interp, const Ref &self, llvm::StringRef name,
               CallArgs &args);
/// Attribute lookup on non-module built-in values (tensor.shape, sc.name).
Ref getBuiltinAttr(Interpreter &interp, const Ref &base, llvm::StringRef name,
                   llvm::SMLoc loc);
/// `%` string formatting; null on error.
Ref formatPercent(Interpreter &interp, const std::string &format,
                  const Ref &args, llvm::SMLoc loc);
/// Builds the `tensorflow` (tf, tf.nn, tf.compat.v1, tf.contrib) and
/// `tf_slim` module objects into Interpreter::known.
void installModelModules(Interpreter &interp);

} // namespace slim

#endif // SLIM_FRONTEND_INTERPRETER_H
