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
#include "frontend/ObjectRegistry.h"
#include "frontend/Value.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace slim {

struct GeneratorAccess;

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
  /// slimc --train: also build `@train_step` from the script's train op
  /// (TrainGraph.h).
  bool train = false;
  /// The work budget, against files that never end or build without end
  /// (slimc --work-limit): a statement or call costs 1, each element a
  /// builtin materializes (range, sequence repetition and concatenation,
  /// list()/tuple() of an iterable) 1, each graph op created
  /// Interpreter::kWorkPerGraphOp.
  int64_t stepLimit = 20'000'000;
};

/// How a statement list finished. `Error` means an exception is pending
/// (Interpreter::hadError): a Python exception that `try` may catch, or a
/// compile error that ends compilation.
enum class Flow { Normal, Return, Break, Continue, Error };

/// How a generator is resumed (Python's next()/send(), throw(), close(),
/// and slimc's teardown of an abandoned one).
enum class ResumeMode { Next, Send, Throw, Abort };
/// How a resumed generator handed control back.
enum class ResumeResult { Yielded, Returned, Error };

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

  /// Raises an error at `loc` and returns null, so callers can `return
  /// interp.error(...)`. It is printed (`error: message`, with the current
  /// call stack as notes) when it reaches the top level. A message that
  /// starts with a Python exception's name (`KeyError: 'x'`,
  /// `ValueError: ...`) is that exception, which `try`/`except` can catch;
  /// any other is a compile error that ends compilation (finally blocks
  /// and __exit__ methods do not run for it).
  Ref error(llvm::SMLoc loc, const llvm::Twine &message);
  /// Raises the Python exception `type` (e.g. "TypeError") with `message`,
  /// printed as is if uncaught.
  Ref raise(llvm::StringRef type, llvm::SMLoc loc, const llvm::Twine &message);
  /// Raises an exception object (a `raise` statement, a generator's
  /// throw()); one raised before keeps its first location.
  void raiseObject(const std::shared_ptr<ExceptionObj> &exception,
                   llvm::SMLoc loc);
  /// Adds a `note:` to the pending error (printed at once if there is none).
  void note(llvm::SMLoc loc, const llvm::Twine &message);
  void warning(llvm::SMLoc loc, const llvm::Twine &message);
  /// True while an exception is pending or after an error was printed.
  bool hadError() const { return pending.has_value() || reportedErrors > 0; }
  /// Records that an error was already printed (by the parser of an
  /// imported file): compilation ends, nothing more is printed.
  void failReported();
  /// Prints the pending error, if any, and clears it.
  void reportPending();
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  /// The exception in flight, set aside while a handler, `finally` or
  /// `__exit__` runs.
  struct PendingError {
    std::shared_ptr<ExceptionObj> exception;
    /// A compile error, which no handler catches.
    bool fatal = false;
  };
  std::optional<PendingError> takePending() {
    std::optional<PendingError> p = std::move(pending);
    pending.reset();
    return p;
  }
  void setPending(std::optional<PendingError> p) { pending = std::move(p); }
  const std::optional<PendingError> &getPending() const { return pending; }
  /// True when a catchable exception of class `type` (or a subclass) is
  /// pending.
  bool pendingIs(llvm::StringRef type) const;
  /// The builtin exception class `type` (ValueError, StopIteration, ...).
  Ref exceptionClass(llvm::StringRef type) const;

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
  /// Python's `getattr(base, name)`; null after an error at `loc`
  /// (AttributeError when the attribute does not exist).
  Ref getAttr(const Ref &base, llvm::StringRef name, llvm::SMLoc loc);
  /// Collects every item of an iterable (list, tuple, dict keys, string,
  /// generator, iterator); false after an error.
  bool iterate(const Ref &value, llvm::SMLoc loc, std::vector<Ref> &out);

  /// One iteration in progress (a `for` loop, a comprehension, next()).
  struct Cursor {
    Ref iterable;
    size_t index = 0;
    std::vector<Ref> snapshot; // a dict's keys, a string's characters
  };
  /// Starts iterating `value`; a TypeError at `loc` if it is not iterable.
  bool beginIteration(const Ref &value, llvm::SMLoc loc, Cursor &out);
  /// The next item: 1 with `out` set, 0 when exhausted, -1 after an error.
  /// Lists are read live, as Python's list iterator does.
  int nextItem(Cursor &cursor, llvm::SMLoc loc, Ref &out);
  /// `iter(value)`: the value itself for generators and iterators, else an
  /// iterator over it.
  Ref makeIterator(const Ref &value, llvm::SMLoc loc);

  //===--------------------------------------------------------------------===//
  // Generators (Generators.cpp)
  //===--------------------------------------------------------------------===//

  /// Makes a generator whose frame runs `body` (on its own coroutine) when
  /// first resumed; `function` (the generator function, or null for a
  /// generator expression) and `env` make its call-stack frame.
  Ref makeGenerator(std::string name, llvm::SMLoc loc,
                    std::function<Flow(Ref &)> body, const Ref &function,
                    EnvPtr env);
  /// Resumes a generator: Yielded (with the value in `out`), Returned (it
  /// finished; `out` is its return value) or Error. `value` is what send()
  /// passes, or for Throw the exception raised at the `yield`.
  ResumeResult resumeGenerator(GeneratorObj &gen, ResumeMode mode,
                               const Ref &value, llvm::SMLoc loc, Ref &out);
  /// gen.close(): GeneratorExit at its `yield`; false after an error.
  bool closeGenerator(GeneratorState &gen, llvm::SMLoc loc);
  /// Called when the last reference to a suspended generator goes: it is
  /// closed at the next statement boundary.
  void scheduleClose(std::shared_ptr<GeneratorState> gen);
  /// Raises StopIteration carrying a generator's return value.
  Ref raiseStopIteration(const Ref &value, llvm::SMLoc loc);
  /// The generator methods send/throw/close/__next__.
  Ref callGeneratorMethod(GeneratorObj &gen, llvm::StringRef name,
                          CallArgs &args);
  /// What building one graph op costs against the work budget: a layer
  /// call builds a handful of ops (variables, reads, the op, bias,
  /// activation), far more work than a statement.
  static constexpr int64_t kWorkPerGraphOp = 200;
  /// Counts one step against the work budget; false (after an error) when
  /// the budget is spent.
  bool step(llvm::SMLoc loc) { return charge(loc, 1); }
  /// Charges `units` of work done at `loc` (elements a builtin creates);
  /// false (after an error) when the budget is spent.
  bool charge(llvm::SMLoc loc, int64_t units);

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

  /// Every value and scope this interpreter makes joins it, so that the
  /// destructor can free their reference cycles. Declared before every
  /// member that holds values: made first, destroyed last.
  ObjectRegistry objectRegistry;

  /// Shared objects other builtins refer to (tf.nn.relu, the default
  /// initializers, slim.batch_norm, ...), registered by the module builders
  /// (builtins/Modules.cpp) before any model code runs.
  std::map<std::string, Ref> known;
  /// The class `_GeneratorContextManager` that contextlib.contextmanager's
  /// wrappers instantiate (PyModules.cpp).
  Ref generatorContextManagerClass;
  /// The known object `name`, or null if there is none.
  Ref lookupKnown(llvm::StringRef name) const;
  /// The known object `name`, which the module builders must have
  /// registered (a missing one is a bug in slimc, not in the model).
  Ref requireKnown(llvm::StringRef name) const;

  /// One active call of a model-file function, innermost last.
  struct Frame {
    std::string function;
    llvm::SMLoc callLoc;
    /// The function and its locals (for the zero-argument super()).
    const FunctionObj *fn = nullptr;
    EnvPtr env;
  };
  const std::vector<Frame> &getCallStack() const { return callStack; }

private:
  Flow exec(const StmtAST &stmt, const EnvPtr &env, Ref &returnValue);
  Flow execFor(const ForStmtAST &stmt, const EnvPtr &env, Ref &returnValue);
  Flow execWhile(const WhileStmtAST &stmt, const EnvPtr &env, Ref &returnValue);
  Flow execWith(const WithStmtAST &stmt, const EnvPtr &env, Ref &returnValue);
  Flow execTry(const TryStmtAST &stmt, const EnvPtr &env, Ref &returnValue);
  Flow execRaise(const RaiseStmtAST &stmt, const EnvPtr &env);
  /// Calls `ctx.__exit__` (or a builtin context's exit) for a `with`; with
  /// an exception pending, passes it and clears it if __exit__ suppresses
  /// it. Updates `flow`.
  void exitContext(const Ref &ctx, llvm::SMLoc loc, Flow &flow);
  /// Runs the handlers of a `try` for the pending exception.
  Flow handleException(const TryStmtAST &stmt, const EnvPtr &env,
                       Ref &returnValue);
  /// Evaluates a comprehension (list, dict or generator expression).
  Ref evalComprehension(const ComprehensionExprAST &comp, const EnvPtr &env);
  /// Runs the `for` clauses of a comprehension from `clause` on, calling
  /// `emit` in the innermost loop; false after an error.
  bool runComprehension(const ComprehensionExprAST &comp, size_t clause,
                        const Ref &firstIterable, const EnvPtr &scope,
                        const std::function<bool()> &emit);
  /// `yield value` / `yield from iterable` inside a generator's frame.
  Ref evalYield(const YieldExprAST &yield, const EnvPtr &env);
  /// Hands `value` to the generator's consumer and waits to be resumed.
  Ref yieldValue(const Ref &value, llvm::SMLoc loc);
  /// Closes the generators scheduled by scheduleClose; false after an error.
  bool runScheduledCloses();
  /// Ends an abandoned generator without running its code further.
  void abortGenerator(GeneratorState &gen);
  /// Closes (or, at teardown, aborts) every generator still suspended.
  void finishGenerators(bool runCode);
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
  Ref callFunction(const Ref &callee, CallArgs &args);
  /// Binds a call's arguments to a def's parameters in a new env.
  EnvPtr bindParameters(FunctionObj &fn, CallArgs &args);
  Ref callBoundMethod(BoundMethodObj &method, CallArgs &args);
  Flow execImport(const StmtAST &stmt, const EnvPtr &env);
  Flow execImportFromModelFile(const ImportFromStmtAST &from,
                               const EnvPtr &env);
  /// Where the search path puts the model module `dotted`.
  struct ModuleLocation {
    std::string file;       ///< its .slim file, if one was found
    std::string packageDir; ///< else a directory of that name, if any
    std::string searched;   ///< " dir1 dir2 ...", for error messages
    /// The file was found by its last name only (`c.slim` for `a.b.c`),
    /// not at its package path.
    bool byLastName = false;
    /// The file is a package's `__init__`.
    bool isPackageInit = false;
  };
  /// The module object of package `dotted` (a directory, with or without
  /// `__init__`), made and cached once.
  Ref packageModule(llvm::StringRef dotted, const ModuleLocation &where,
                    llvm::SMLoc loc);
  /// The package `dotted` (imported once, its parents first): a directory
  /// with or without `__init__`, or an implicit one when none exists.
  Ref ensurePackage(llvm::StringRef dotted, llvm::SMLoc loc);
  /// Sets an imported module as the attribute of its parent packages
  /// (`import nets.x` makes `nets.x` reachable from `nets`).
  void linkSubmodule(llvm::StringRef dotted, const Ref &module);
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

  std::map<std::string, Ref> packages; // package modules by name
  /// Packages made for module paths that have no directory.
  std::set<std::string> implicitPackages;

  std::vector<Frame> callStack;
  std::vector<std::shared_ptr<ArgScopeObj>> argScopeStack;
  int64_t steps = 0;

  /// The exception in flight (see error()).
  std::optional<PendingError> pending;
  /// The exceptions whose handlers are running, innermost last (what a
  /// bare `raise` re-raises).
  std::vector<std::shared_ptr<ExceptionObj>> handling;
  unsigned reportedErrors = 0;

  /// Generators with a started frame that has not finished.
  std::set<GeneratorState *> liveGenerators;
  /// Generators to close at the next statement boundary.
  std::vector<std::shared_ptr<GeneratorState>> closeQueue;
  friend struct GeneratorAccess;
};

/// Registers Python's builtins (len, range, int, ValueError, ...).
void installPythonBuiltins(Interpreter &interp, Env &env);
/// Registers `object`, `super`, `staticmethod`, `classmethod`, `property`
/// and the standard-library modules slimc provides (collections,
/// functools, copy, contextlib, math, six, os.path, numpy's compile-time
/// subset).
void installPythonModules(Interpreter &interp, Env &env);
/// math, six and os.path (PyStdlib.cpp).
void installPythonStdlib(Interpreter &interp, Env &env);
/// numpy's compile-time subset (PyNumpy.cpp).
void installNumpy(Interpreter &interp);
/// The standard-library module `dotted` as far as slimc provides it, or
/// null.
Ref pythonStdModule(Interpreter &interp, llvm::StringRef dotted);
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
