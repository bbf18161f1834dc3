//===- Interpreter.cpp - Evaluates a model file into a slim module --------===//

#include "frontend/Interpreter.h"
#include "frontend/Parser.h"
#include "frontend/PyNumpy.h"
#include "frontend/TrainGraph.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

Interpreter::Interpreter(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context,
                         ElaborateOptions options)
    : sourceMgr(sourceMgr), context(context), options(std::move(options)),
      graphState(
          sourceMgr, context,
          GraphDiagnostics{[this](SMLoc loc, const llvm::Twine &message) {
                             error(loc, message);
                           },
                           [this](SMLoc loc, const llvm::Twine &message) {
                             note(loc, message);
                           }},
          this->options.batch) {
  argScopeStack.push_back(std::make_shared<ArgScopeObj>());
  builtins = std::make_shared<Env>(nullptr);
  installPythonBuiltins(*this, *builtins);
  installPythonModules(*this, *builtins);
  installModelModules(*this);
}

Interpreter::~Interpreter() {
  // No coroutine thread outlives the elaborator: generators still
  // suspended (after an error) are unwound without running model code.
  finishGenerators(/*runCode=*/false);
  // Modules, closures and classes hold each other in cycles, as in Python;
  // with no garbage collector, emptying every value is what frees them.
  objectRegistry.breakCycles();
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

bool Interpreter::charge(SMLoc loc, int64_t units) {
  // Saturating: a charge never wraps the count around to a small number.
  steps = units > options.stepLimit - steps
              ? options.stepLimit + 1
              : steps + std::max<int64_t>(units, 0);
  int64_t ops = graphState.getOpsCreated();
  int64_t opWork = ops > options.stepLimit / kWorkPerGraphOp
                       ? options.stepLimit + 1
                       : ops * kWorkPerGraphOp;
  if (steps <= options.stepLimit - opWork)
    return true;
  error(loc, "the model file did not finish evaluating within its work "
             "budget of " +
                 llvm::Twine(options.stepLimit) + " steps (" +
                 llvm::Twine(ops) +
                 " graph ops built; an endless loop or recursion, or a model "
                 "too large? --work-limit raises the budget)");
  return false;
}

Ref Interpreter::lookupKnown(llvm::StringRef name) const {
  auto it = known.find(name.str());
  return it == known.end() ? nullptr : it->second;
}

Ref Interpreter::requireKnown(llvm::StringRef name) const {
  Ref r = lookupKnown(name);
  if (!r)
    llvm::report_fatal_error("slimc bug: no builtin object '" +
                             llvm::Twine(name) + "' was registered");
  return r;
}

//===----------------------------------------------------------------------===//
// Running a module
//===----------------------------------------------------------------------===//

mlir::OwningOpRef<mlir::ModuleOp> Interpreter::run(const ModuleAST &ast) {
  context.loadDialect<mlir::slim::SlimDialect, mlir::func::FuncDialect>();
  unsigned buffer = ast.getBufferId();
  SMLoc fileLoc = SMLoc::getFromPointer(
      sourceMgr.getMemoryBuffer(buffer)->getBufferStart());
  graphState.beginModule(fileLoc, options.functionName);

  auto globals = std::make_shared<Env>(builtins);
  globals->isModule = true;
  // With --entry the file is used as a library, as if imported, so its
  // `if __name__ == '__main__':` block does not run.
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
  globals->vars["__name__"] = makeStr(
      options.entry.empty() ? "__main__" : llvm::sys::path::stem(file).str());
  Ref ignored;
  Flow flow = execBlock(ast.getBody(), globals, ignored);
  auto fail = [&]() -> mlir::OwningOpRef<mlir::ModuleOp> {
    finishGenerators(/*runCode=*/false);
    reportPending();
    return nullptr;
  };
  if (flow == Flow::Error || hadError())
    return fail();

  Ref entryResult;
  if (!options.entry.empty()) {
    Ref fn = globals->lookup(options.entry);
    if (!fn || !isa<FunctionObj>(*fn)) {
      reportBadEntry(ast, *globals, fn);
      return fail();
    }
    auto &f = cast<FunctionObj>(*fn);
    if (options.entryInputShape.empty()) {
      error(f.nameLoc(),
            "--entry needs --input-shape to know the shape of its input, "
            "e.g. --input-shape 1x224x224x3");
      return fail();
    }
    llvm::StringRef inputName = "input";
    if (!f.params().empty())
      inputName = f.params().front().name;
    Ref input = graphState.addPlaceholder(options.entryInputShape, inputName,
                                          f.nameLoc());
    if (!input)
      return fail();
    entryResult = callWith(fn, f.nameLoc(), {input});
    if (!entryResult)
      return fail();
  }
  // Generators still suspended are closed, as Python closes them at exit.
  if (!runScheduledCloses())
    return fail();
  finishGenerators(/*runCode=*/true);
  if (hadError())
    return fail();
  if (!finishOutputs(entryResult, fileLoc))
    return fail();
  if (mlir::failed(mlir::verify(graphState.getModule())))
    return nullptr;
  return graphState.takeModule();
}

/// The last top-level statement that binds `name` (def, class, assignment or
/// import), for pointing at what --entry named.
static SMLoc findTopLevelBinding(const ModuleAST &ast, llvm::StringRef name) {
  SMLoc found;
  std::function<void(const ExprAST &)> visitTarget = [&](const ExprAST &e) {
    if (auto *n = dyn_cast<NameExprAST>(&e)) {
      if (n->getName() == name)
        found = n->getLoc();
    } else if (auto *t = dyn_cast<TupleExprAST>(&e)) {
      for (const ExprPtr &el : t->getElements())
        visitTarget(*el);
    } else if (auto *l = dyn_cast<ListExprAST>(&e)) {
      for (const ExprPtr &el : l->getElements())
        visitTarget(*el);
    }
  };
  auto visitAliases = [&](const std::vector<ImportAlias> &aliases) {
    for (const ImportAlias &a : aliases) {
      llvm::StringRef bound = a.asName.empty()
                                  ? llvm::StringRef(a.name).split('.').first
                                  : a.asName;
      if (bound == name)
        found = a.asName.empty() ? a.loc : a.asLoc;
    }
  };
  for (const StmtPtr &stmt : ast.getBody()) {
    if (auto *def = dyn_cast<FunctionDefAST>(stmt.get())) {
      if (def->getName() == name)
        found = def->getNameLoc();
    } else if (auto *cls = dyn_cast<ClassDefAST>(stmt.get())) {
      if (cls->getName() == name)
        found = cls->getNameLoc();
    } else if (auto *assign = dyn_cast<AssignStmtAST>(stmt.get())) {
      for (const ExprPtr &target : assign->getTargets())
        visitTarget(*target);
    } else if (auto *imp = dyn_cast<ImportStmtAST>(stmt.get())) {
      visitAliases(imp->getNames());
    } else if (auto *imp = dyn_cast<ImportFromStmtAST>(stmt.get())) {
      visitAliases(imp->getNames());
    }
  }
  return found;
}

void Interpreter::reportBadEntry(const ModuleAST &ast, const Env &globals,
                                 const Ref &value) {
  if (value) {
    // Bound, but not to a function: point at the binding.
    SMLoc at = findTopLevelBinding(ast, options.entry);
    error(at.isValid() ? at : fileStart(ast), "--entry '" + options.entry +
                                                  "' is a " + typeName(*value) +
                                                  ", not a function");
    return;
  }
  // Not bound at all: the file is the location, and the closest function
  // name, if any is close, is the note.
  const FunctionObj *best = nullptr;
  unsigned bestDistance = 0;
  for (const auto &entry : globals.vars) {
    auto *fn = dyn_cast<FunctionObj>(entry.second.get());
    if (!fn)
      continue;
    unsigned distance = llvm::StringRef(entry.first)
                            .edit_distance(options.entry, true,
                                           /*MaxEditDistance=*/3);
    if (distance <= 3 && (!best || distance < bestDistance)) {
      best = fn;
      bestDistance = distance;
    }
  }
  error(fileStart(ast), "--entry '" + options.entry +
                            "': no function of that name is defined at the "
                            "top level of this file");
  if (best)
    note(best->nameLoc(), "did you mean '" + best->name + "'?");
}

SMLoc Interpreter::fileStart(const ModuleAST &ast) const {
  return SMLoc::getFromPointer(
      sourceMgr.getMemoryBuffer(ast.getBufferId())->getBufferStart());
}

bool Interpreter::finishOutputs(const Ref &entryResult, SMLoc loc) {
  std::vector<std::pair<std::string, Ref>> outputs;
  if (entryResult) {
    auto addTensor = [&](const Ref &r) {
      if (auto *t = dyn_cast<TensorObj>(r.get()))
        outputs.emplace_back(t->name, r);
    };
    if (auto *seq = dyn_cast<SeqObj>(entryResult.get())) {
      for (auto &item : seq->items)
        addTensor(item);
    } else {
      addTensor(entryResult);
    }
    if (outputs.empty()) {
      error(loc, "entry function '" + options.entry +
                     "' returned no tensor (got " + typeName(*entryResult) +
                     ")");
      return false;
    }
  } else {
    outputs = graphState.getNamedOutputs();
  }
  // A graph with neither input nor output is still a program when it
  // creates variables: its library initializes them and saves a checkpoint
  // (a checkpoint factory, as TF-Slim's variables-only snippets are). Only a
  // file that builds nothing at all is refused, and a graph with inputs but
  // no output, which is a forgotten tf.identity.
  bool hasInputs = !graphState.getPlaceholders().empty();
  bool hasVariables = !graphState.getVariables().empty();
  if (!hasInputs && outputs.empty() && !hasVariables) {
    error(loc, "the model has no input: declare one with "
               "`inputs = tf.placeholder(tf.float32, [None, 224, 224, 3], "
               "name='input')`, or compile a function with "
               "`--entry NAME --input-shape 1x224x224x3`");
    return false;
  }
  if (hasInputs && outputs.empty()) {
    error(loc, "the model has no output: name one at the top level with "
               "`tf.identity(logits, name='logits')`, or compile a function "
               "with `--entry NAME`");
    return false;
  }

  if (!finishTraining(*this, options.train, outputs, loc))
    return false;
  graphState.finishFunction(outputs);
  return true;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

Flow Interpreter::execBlock(const StmtList &body, const EnvPtr &env,
                            Ref &returnValue) {
  for (const StmtPtr &stmt : body) {
    Flow flow = exec(*stmt, env, returnValue);
    if (flow != Flow::Normal)
      return flow;
  }
  return Flow::Normal;
}

Flow Interpreter::execFor(const ForStmtAST &s, const EnvPtr &env,
                          Ref &returnValue) {
  Ref iterable = eval(s.getIterable(), env);
  if (!iterable)
    return Flow::Error;
  Cursor cursor;
  if (!beginIteration(iterable, s.getIterable().getLoc(), cursor))
    return Flow::Error;
  while (true) {
    Ref item;
    int got = nextItem(cursor, s.getIterable().getLoc(), item);
    if (got < 0)
      return Flow::Error;
    if (got == 0)
      break;
    if (!assign(s.getTarget(), item, env))
      return Flow::Error;
    Flow flow = execBlock(s.getBody(), env, returnValue);
    if (flow == Flow::Break)
      return Flow::Normal; // `else` runs only when the loop ran out
    if (flow == Flow::Continue || flow == Flow::Normal)
      continue;
    return flow;
  }
  return execBlock(s.getElseBody(), env, returnValue);
}

Flow Interpreter::execWhile(const WhileStmtAST &s, const EnvPtr &env,
                            Ref &returnValue) {
  while (true) {
    if (!step(s.getLoc()))
      return Flow::Error;
    Ref cond = eval(s.getCond(), env);
    if (!cond)
      return Flow::Error;
    if (isa<TensorObj>(*cond)) {
      error(s.getCond().getLoc(),
            "a tensor's value is not known at compile time, so it cannot "
            "decide a 'while'; only Python values can");
      return Flow::Error;
    }
    if (!isTruthy(*cond))
      break;
    Flow flow = execBlock(s.getBody(), env, returnValue);
    if (flow == Flow::Break)
      return Flow::Normal;
    if (flow == Flow::Continue || flow == Flow::Normal)
      continue;
    return flow;
  }
  return execBlock(s.getElseBody(), env, returnValue);
}

/// True if `ctx` has `name` as a method of its class (an instance of a
/// model-file class, or of a class slimc implements such as contextlib's).
static bool hasMethod(const Ref &ctx, llvm::StringRef name) {
  auto *inst = dyn_cast<InstanceObj>(ctx.get());
  return inst && cast<ClassObj>(*inst->cls).lookup(name);
}

Flow Interpreter::execWith(const WithStmtAST &s, const EnvPtr &env,
                           Ref &returnValue) {
  // Entered managers, innermost last: a built-in ContextObj, or an
  // instance with __enter__/__exit__.
  std::vector<Ref> entered;
  Flow flow = Flow::Normal;
  for (const WithItem &item : s.getItems()) {
    SMLoc loc = item.context->getLoc();
    Ref ctx = eval(*item.context, env);
    if (!ctx) {
      flow = Flow::Error;
      break;
    }
    Ref asValue;
    if (auto *cm = dyn_cast<ContextObj>(ctx.get())) {
      asValue = cm->enter(*this, loc);
    } else if (hasMethod(ctx, "__enter__") && hasMethod(ctx, "__exit__")) {
      Ref enter = getAttr(ctx, "__enter__", loc);
      asValue = enter ? callWith(enter, loc, {}) : nullptr;
    } else {
      raise("TypeError", loc,
            "'" + typeName(*ctx) +
                "' object does not support the context manager protocol");
      flow = Flow::Error;
      break;
    }
    if (!asValue) {
      flow = Flow::Error;
      break;
    }
    entered.push_back(ctx);
    if (item.target && !assign(*item.target, asValue, env)) {
      flow = Flow::Error;
      break;
    }
  }
  if (flow == Flow::Normal)
    flow = execBlock(s.getBody(), env, returnValue);
  for (auto it = entered.rbegin(); it != entered.rend(); ++it)
    exitContext(*it, s.getLoc(), flow);
  return flow;
}

void Interpreter::exitContext(const Ref &ctx, SMLoc loc, Flow &flow) {
  if (auto *cm = dyn_cast<ContextObj>(ctx.get())) {
    // Scopes slimc implements are left on every path, errors included.
    cm->exit(*this);
    return;
  }
  // A compile error runs no more model code.
  if (flow == Flow::Error && pending && pending->fatal)
    return;
  // __exit__(type, value, traceback) gets the exception in flight; a true
  // result suppresses it.
  std::optional<PendingError> inFlight =
      flow == Flow::Error ? takePending() : std::nullopt;
  Ref exitFn = getAttr(ctx, "__exit__", loc);
  if (!exitFn) {
    flow = Flow::Error;
    return;
  }
  std::vector<Ref> args = {makeNone(), makeNone(), makeNone()};
  if (inFlight) {
    args[0] = exceptionClass(inFlight->exception->type);
    args[1] = inFlight->exception;
  }
  Ref result = callWith(exitFn, loc, args);
  if (!result) {
    flow = Flow::Error; // __exit__ raised (perhaps the same exception)
    return;
  }
  if (!inFlight)
    return;
  if (isTruthy(*result)) {
    flow = Flow::Normal;
    return;
  }
  setPending(std::move(inFlight));
}

Flow Interpreter::exec(const StmtAST &stmt, const EnvPtr &env,
                       Ref &returnValue) {
  if (!step(stmt.getLoc()))
    return Flow::Error;
  // Generators dropped by the previous statement are closed now.
  if (!closeQueue.empty() && !runScheduledCloses())
    return Flow::Error;
  switch (stmt.getKind()) {
  case StmtAST::Stmt_Expr:
    return eval(cast<ExprStmtAST>(stmt).getExpr(), env) ? Flow::Normal
                                                        : Flow::Error;
  case StmtAST::Stmt_Assign: {
    auto &s = cast<AssignStmtAST>(stmt);
    Ref value = eval(s.getValue(), env);
    if (!value)
      return Flow::Error;
    for (const ExprPtr &target : s.getTargets())
      if (!assign(*target, value, env))
        return Flow::Error;
    return Flow::Normal;
  }
  case StmtAST::Stmt_AugAssign: {
    auto &s = cast<AugAssignStmtAST>(stmt);
    Ref current = eval(s.getTarget(), env);
    if (!current)
      return Flow::Error;
    Ref rhs = eval(s.getValue(), env);
    if (!rhs)
      return Flow::Error;
    Ref result;
    // `lst += other` extends the list in place, as Python does.
    if (s.getOp() == BinaryOp::Add && current->kind == ObjKind::List) {
      std::vector<Ref> items;
      if (!iterate(rhs, s.getOpLoc(), items))
        return Flow::Error;
      auto &list = cast<SeqObj>(*current).items;
      list.insert(list.end(), items.begin(), items.end());
      result = current;
    } else {
      result = evalBinary(s.getOp(), current, rhs, s.getOpLoc());
    }
    if (!result || !assign(s.getTarget(), result, env))
      return Flow::Error;
    return Flow::Normal;
  }
  case StmtAST::Stmt_FunctionDef: {
    auto &def = cast<FunctionDefAST>(stmt);
    Ref fn = defineFunction(def, env);
    if (!fn)
      return Flow::Error;
    env->vars[def.getName().str()] = fn;
    return Flow::Normal;
  }
  case StmtAST::Stmt_Return: {
    auto &s = cast<ReturnStmtAST>(stmt);
    if (callStack.empty()) {
      error(s.getLoc(), "'return' outside function");
      return Flow::Error;
    }
    returnValue = s.getValue() ? eval(*s.getValue(), env) : makeNone();
    return returnValue ? Flow::Return : Flow::Error;
  }
  case StmtAST::Stmt_If: {
    auto &s = cast<IfStmtAST>(stmt);
    for (const IfClause &clause : s.getClauses()) {
      Ref cond = eval(*clause.cond, env);
      if (!cond)
        return Flow::Error;
      if (isa<TensorObj>(*cond)) {
        error(clause.cond->getLoc(),
              "a tensor's value is not known at compile time, so it cannot "
              "decide an 'if'; only Python values (numbers, strings, None, "
              "lists) can");
        return Flow::Error;
      }
      if (isTruthy(*cond))
        return execBlock(clause.body, env, returnValue);
    }
    if (s.hasElse())
      return execBlock(s.getElseBody(), env, returnValue);
    return Flow::Normal;
  }
  case StmtAST::Stmt_For:
    return execFor(cast<ForStmtAST>(stmt), env, returnValue);
  case StmtAST::Stmt_While:
    return execWhile(cast<WhileStmtAST>(stmt), env, returnValue);
  case StmtAST::Stmt_With:
    return execWith(cast<WithStmtAST>(stmt), env, returnValue);
  case StmtAST::Stmt_Try:
    return execTry(cast<TryStmtAST>(stmt), env, returnValue);
  case StmtAST::Stmt_Global:
  case StmtAST::Stmt_Nonlocal:
    // Declarations: the def records them (Env::bindingEnv).
    return Flow::Normal;
  case StmtAST::Stmt_Import:
  case StmtAST::Stmt_ImportFrom:
    return execImport(stmt, env);
  case StmtAST::Stmt_ClassDef: {
    auto &def = cast<ClassDefAST>(stmt);
    Ref cls = defineClass(def, env);
    if (!cls)
      return Flow::Error;
    env->vars[def.getName().str()] = cls;
    return Flow::Normal;
  }
  case StmtAST::Stmt_Pass:
    return Flow::Normal;
  case StmtAST::Stmt_Break:
    return Flow::Break;
  case StmtAST::Stmt_Continue:
    return Flow::Continue;
  case StmtAST::Stmt_Raise:
    return execRaise(cast<RaiseStmtAST>(stmt), env);
  case StmtAST::Stmt_Del:
    return deleteTarget(cast<DelStmtAST>(stmt).getTargets(), env) ? Flow::Normal
                                                                  : Flow::Error;
  case StmtAST::Stmt_Assert: {
    auto &s = cast<AssertStmtAST>(stmt);
    Ref test = eval(s.getTest(), env);
    if (!test)
      return Flow::Error;
    if (isTruthy(*test))
      return Flow::Normal;
    std::string message = "AssertionError";
    if (s.getMessage()) {
      Ref m = eval(*s.getMessage(), env);
      if (!m)
        return Flow::Error;
      message += ": " + strValue(*m);
    }
    error(s.getLoc(), message);
    return Flow::Error;
  }
  }
  return Flow::Error;
}

Ref Interpreter::defineFunction(const FunctionDefAST &def, const EnvPtr &env) {
  auto fn = std::make_shared<FunctionObj>();
  fn->def = &def;
  fn->closure = env;
  fn->name = def.getName().str();
  for (const Param &p : def.getParams()) {
    Ref d;
    if (p.defaultValue) {
      d = eval(*p.defaultValue, env);
      if (!d)
        return nullptr;
    }
    fn->defaults.push_back(d);
  }
  fn->attrs["__name__"] = makeStr(fn->name);
  Ref result = fn;
  // Decorators apply innermost (last written) first.
  const ExprList &decorators = def.getDecorators();
  for (auto it = decorators.rbegin(); it != decorators.rend(); ++it) {
    Ref decorator = eval(**it, env);
    if (!decorator)
      return nullptr;
    result = callWith(decorator, (*it)->getLoc(), {result});
    if (!result)
      return nullptr;
  }
  return result;
}

Ref Interpreter::defineClass(const ClassDefAST &def, const EnvPtr &env) {
  if (!def.getDecorators().empty())
    return error(def.getDecorators().front()->getLoc(),
                 "class decorators are not supported by slimc");
  const ExprList &bases = def.getBases();
  if (bases.size() > 1)
    return error(bases[1]->getLoc(),
                 "multiple inheritance is not supported by slimc: class '" +
                     def.getName() +
                     "' may have one base (object, a "
                     "namedtuple or another class of the model file)");
  auto cls = std::make_shared<ClassObj>(def.getName().str());
  Ref base = bases.empty() ? builtins->lookup("object") : eval(*bases[0], env);
  if (!base)
    return nullptr;
  auto *baseClass = dyn_cast<ClassObj>(base.get());
  if (!baseClass) {
    auto *exc = dyn_cast<ExceptionObj>(base.get());
    std::string what = exc && exc->isClass
                           ? "the exception class '" + exc->type + "'"
                           : "a " + typeName(*base);
    return error(bases[0]->getLoc(),
                 "class '" + def.getName() + "' derives from " + what +
                     "; slimc classes may derive only from object, a "
                     "namedtuple or another class of the model file");
  }
  // `object` is the root: a class deriving from it has no base to walk.
  if (baseClass->base || baseClass->name != "object")
    cls->base = base;
  cls->fields = baseClass->fields;
  cls->fieldDefaults = baseClass->fieldDefaults;
  cls->isNamedTuple = baseClass->isNamedTuple;
  cls->attrs["__name__"] = makeStr(cls->name);

  // The body runs in its own namespace, which becomes the class's
  // attributes. As in Python, functions defined there do not see that
  // namespace: their free names resolve in the enclosing scope.
  auto body = std::make_shared<Env>(env);
  Ref ignored;
  Flow flow = execBlock(def.getBody(), body, ignored);
  if (flow == Flow::Error)
    return nullptr;
  if (flow != Flow::Normal)
    return error(def.getLoc(), "'return', 'break' or 'continue' at class "
                               "level of '" +
                                   def.getName() + "'");
  for (auto &entry : body->vars) {
    // Methods remember their class for the zero-argument super(), also
    // through staticmethod/classmethod/property.
    Ref value = entry.second;
    if (auto *desc = dyn_cast<DescriptorObj>(value.get()))
      value = desc->function;
    if (auto *fn = dyn_cast<FunctionObj>(value.get())) {
      if (fn->closure == body)
        fn->closure = env;
      if (fn->definingClass.expired())
        fn->definingClass = cls;
    }
    cls->attrs[entry.first] = entry.second;
  }
  return cls;
}

bool Interpreter::assign(const ExprAST &target, const Ref &value,
                         const EnvPtr &env) {
  switch (target.getKind()) {
  case ExprAST::Expr_Name: {
    llvm::StringRef name = cast<NameExprAST>(target).getName();
    env->bindingEnv(name)->vars[name.str()] = value;
    return true;
  }
  case ExprAST::Expr_Tuple:
  case ExprAST::Expr_List: {
    const ExprList &elements = target.getKind() == ExprAST::Expr_Tuple
                                   ? cast<TupleExprAST>(target).getElements()
                                   : cast<ListExprAST>(target).getElements();
    std::vector<Ref> items;
    if (!iterate(value, target.getLoc(), items))
      return false;
    if (items.size() != elements.size()) {
      error(target.getLoc(), items.size() < elements.size()
                                 ? "not enough values to unpack (expected " +
                                       llvm::Twine(elements.size()) + ", got " +
                                       llvm::Twine(items.size()) + ")"
                                 : "too many values to unpack (expected " +
                                       llvm::Twine(elements.size()) + ", got " +
                                       llvm::Twine(items.size()) + ")");
      return false;
    }
    for (size_t i = 0; i < items.size(); ++i)
      if (!assign(*elements[i], items[i], env))
        return false;
    return true;
  }
  case ExprAST::Expr_Attribute: {
    auto &attr = cast<AttributeExprAST>(target);
    Ref base = eval(attr.getBase(), env);
    if (!base)
      return false;
    if (!hasWritableAttrs(*base)) {
      error(attr.getNameLoc(), "cannot set attribute '" + attr.getName() +
                                   "' on a " + typeName(*base) +
                                   " at compile time");
      return false;
    }
    base->attrs[attr.getName().str()] = value;
    return true;
  }
  case ExprAST::Expr_Subscript: {
    auto &sub = cast<SubscriptExprAST>(target);
    Ref base = eval(sub.getBase(), env);
    if (!base)
      return false;
    Ref key = eval(sub.getIndex(), env);
    if (!key)
      return false;
    if (isNDArray(*base))
      return ndarraySetItem(*this, base, key, value, sub.getLBracketLoc());
    if (auto *dict = dyn_cast<DictObj>(base.get())) {
      if (key->kind == ObjKind::List || key->kind == ObjKind::Dict) {
        error(sub.getLBracketLoc(),
              "unhashable type: '" + typeName(*key) + "'");
        return false;
      }
      dict->set(key, value);
      return true;
    }
    if (base->kind == ObjKind::List) {
      auto *idx = dyn_cast<IntObj>(key.get());
      auto &items = cast<SeqObj>(*base).items;
      if (!idx) {
        error(sub.getLBracketLoc(),
              "list indices must be integers, not " + typeName(*key));
        return false;
      }
      int64_t i =
          idx->value < 0 ? idx->value + int64_t(items.size()) : idx->value;
      if (i < 0 || i >= int64_t(items.size())) {
        error(sub.getLBracketLoc(), "list assignment index out of range");
        return false;
      }
      items[i] = value;
      return true;
    }
    error(sub.getLBracketLoc(), "'" + typeName(*base) +
                                    "' object does not support item "
                                    "assignment");
    return false;
  }
  default:
    error(target.getLoc(), "cannot assign to this expression");
    return false;
  }
}
