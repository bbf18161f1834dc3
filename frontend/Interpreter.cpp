//===- Interpreter.cpp - Evaluates a model file into a slim module --------===//

#include "frontend/Interpreter.h"
#include "frontend/Parser.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>

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

Interpreter::~Interpreter() = default;

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

Ref Interpreter::error(SMLoc loc, const llvm::Twine &message) {
  ++errorCount;
  // Only the first error is reported: later ones are usually its echo.
  if (errorCount > 1)
    return nullptr;
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
  unsigned shown = 0;
  for (auto it = callStack.rbegin(); it != callStack.rend(); ++it) {
    if (++shown > 8) {
      sourceMgr.PrintMessage(it->callLoc, llvm::SourceMgr::DK_Note,
                             "... and " + llvm::Twine(callStack.size() - 8) +
                                 " more calls");
      break;
    }
    sourceMgr.PrintMessage(it->callLoc, llvm::SourceMgr::DK_Note,
                           "in call to '" + it->function + "'");
  }
  return nullptr;
}

void Interpreter::note(SMLoc loc, const llvm::Twine &message) {
  if (errorCount > 1)
    return;
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Note, message);
}

void Interpreter::warning(SMLoc loc, const llvm::Twine &message) {
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Warning, message);
}

bool Interpreter::step(SMLoc loc) {
  if (++steps <= options.stepLimit)
    return true;
  error(loc, "the model file did not finish evaluating within " +
                 llvm::Twine(options.stepLimit) +
                 " steps (an endless loop or recursion?)");
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
  // With --entry the file is used as a library, as if imported, so its
  // `if __name__ == '__main__':` block does not run.
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
  globals->vars["__name__"] = makeStr(
      options.entry.empty() ? "__main__" : llvm::sys::path::stem(file).str());
  Ref ignored;
  Flow flow = execBlock(ast.getBody(), globals, ignored);
  if (flow == Flow::Error || hadError())
    return nullptr;

  Ref entryResult;
  if (!options.entry.empty()) {
    Ref fn = globals->lookup(options.entry);
    if (!fn) {
      llvm::errs() << sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier()
                   << ": error: entry function '" << options.entry
                   << "' is not defined in this file\n";
      return nullptr;
    }
    if (!isa<FunctionObj>(*fn)) {
      llvm::errs() << "error: entry '" << options.entry << "' is a "
                   << typeName(*fn) << ", not a function\n";
      return nullptr;
    }
    auto &f = cast<FunctionObj>(*fn);
    if (options.entryInputShape.empty()) {
      error(f.nameLoc(),
            "--entry needs --input-shape to know the shape of its input, "
            "e.g. --input-shape 1x224x224x3");
      return nullptr;
    }
    llvm::StringRef inputName = "input";
    if (!f.params().empty())
      inputName = f.params().front().name;
    Ref input = graphState.addPlaceholder(options.entryInputShape, inputName,
                                          f.nameLoc());
    if (!input)
      return nullptr;
    entryResult = callWith(fn, f.nameLoc(), {input});
    if (!entryResult)
      return nullptr;
  }
  if (!finishOutputs(entryResult, fileLoc))
    return nullptr;
  if (mlir::failed(mlir::verify(graphState.getModule())))
    return nullptr;
  return graphState.takeModule();
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

Flow Interpreter::exec(const StmtAST &stmt, const EnvPtr &env,
                       Ref &returnValue) {
  if (!step(stmt.getLoc()))
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
  case StmtAST::Stmt_For: {
    auto &s = cast<ForStmtAST>(stmt);
    Ref iterable = eval(s.getIterable(), env);
    if (!iterable)
      return Flow::Error;
    std::vector<Ref> items;
    if (!iterate(iterable, s.getIterable().getLoc(), items))
      return Flow::Error;
    for (Ref &item : items) {
      if (!assign(s.getTarget(), item, env))
        return Flow::Error;
      Flow flow = execBlock(s.getBody(), env, returnValue);
      if (flow == Flow::Break)
        break;
      if (flow == Flow::Continue || flow == Flow::Normal)
        continue;
      return flow;
    }
    return Flow::Normal;
  }
  case StmtAST::Stmt_With: {
    auto &s = cast<WithStmtAST>(stmt);
    // Entered managers, innermost last: a built-in ContextObj, or an
    // instance of a model-file class with __enter__/__exit__.
    std::vector<Ref> entered;
    Flow flow = Flow::Normal;
    for (const WithItem &item : s.getItems()) {
      Ref ctx = eval(*item.context, env);
      if (!ctx) {
        flow = Flow::Error;
        break;
      }
      Ref asValue;
      if (auto *cm = dyn_cast<ContextObj>(ctx.get())) {
        asValue = cm->enter(*this, item.context->getLoc());
      } else if (auto *inst = dyn_cast<InstanceObj>(ctx.get());
                 inst && cast<ClassObj>(*inst->cls).lookup("__enter__") &&
                 cast<ClassObj>(*inst->cls).lookup("__exit__")) {
        Ref enter = getAttr(ctx, "__enter__", item.context->getLoc());
        asValue = enter ? callWith(enter, item.context->getLoc(), {}) : nullptr;
      } else {
        error(item.context->getLoc(),
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
    for (auto it = entered.rbegin(); it != entered.rend(); ++it) {
      if (auto *cm = dyn_cast<ContextObj>(it->get())) {
        cm->exit(*this);
        continue;
      }
      // An error already ends compilation, so __exit__ only runs on the
      // normal path, with no exception: __exit__(None, None, None).
      if (flow == Flow::Error)
        continue;
      Ref exit = getAttr(*it, "__exit__", s.getLoc());
      if (!exit ||
          !callWith(exit, s.getLoc(), {makeNone(), makeNone(), makeNone()}))
        flow = Flow::Error;
    }
    return flow;
  }
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
  case StmtAST::Stmt_Raise: {
    auto &s = cast<RaiseStmtAST>(stmt);
    if (!s.getException()) {
      error(s.getLoc(), "re-raise without an active exception");
      return Flow::Error;
    }
    Ref exc = eval(*s.getException(), env);
    if (!exc)
      return Flow::Error;
    if (auto *e = dyn_cast<ExceptionObj>(exc.get()))
      error(s.getLoc(),
            e->type + (e->message.empty() ? "" : ": ") + e->message);
    else
      error(s.getLoc(),
            "exceptions must derive from BaseException, got " + typeName(*exc));
    return Flow::Error;
  }
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
    if (auto *fn = dyn_cast<FunctionObj>(entry.second.get()))
      if (fn->closure == body)
        fn->closure = env;
    cls->attrs[entry.first] = entry.second;
  }
  return cls;
}

bool Interpreter::assign(const ExprAST &target, const Ref &value,
                         const EnvPtr &env) {
  switch (target.getKind()) {
  case ExprAST::Expr_Name:
    env->vars[cast<NameExprAST>(target).getName().str()] = value;
    return true;
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

//===----------------------------------------------------------------------===//
// Imports
//===----------------------------------------------------------------------===//

Flow Interpreter::execImport(const StmtAST &stmt, const EnvPtr &env) {
  auto resolve = [&](llvm::StringRef dotted, SMLoc loc) -> Ref {
    if (Ref mod = pythonModule(dotted))
      return mod;
    if (dotted == "tensorflow" || dotted == "tensorflow.compat.v1")
      return lookupKnown("module:tensorflow");
    if (dotted == "tf_slim" || dotted == "tensorflow.contrib.slim" ||
        dotted == "slim")
      return lookupKnown("module:slim");
    if (dotted == "tensorflow.contrib")
      return lookupKnown("module:contrib");
    if (dotted == "tf_slim.layers" || dotted == "tensorflow.contrib.layers")
      return lookupKnown("module:layers");
    return importModelModule(dotted, loc);
  };

  if (auto *imp = dyn_cast<ImportStmtAST>(&stmt)) {
    for (const ImportAlias &alias : imp->getNames()) {
      llvm::StringRef dotted = alias.name;
      if (alias.asName.empty()) {
        // `import a.b` binds `a`; we support it for the modules we know.
        llvm::StringRef head = dotted.split('.').first;
        Ref mod = resolve(head, alias.loc);
        if (!mod)
          return Flow::Error;
        env->vars[head.str()] = mod;
      } else {
        Ref mod = resolve(dotted, alias.loc);
        if (!mod)
          return Flow::Error;
        env->vars[alias.asName.str()] = mod;
      }
    }
    return Flow::Normal;
  }
  auto &from = cast<ImportFromStmtAST>(stmt);
  if (from.getModule() == "__future__")
    return Flow::Normal;
  if (from.getLevel() != 0) {
    error(from.getLoc(), "relative imports are not supported; use "
                         "`from nets import x` with -I");
    return Flow::Error;
  }
  bool isModelFile = from.getModule() != "tensorflow" &&
                     from.getModule() != "tf_slim" &&
                     !from.getModule().starts_with("tensorflow.") &&
                     !pythonModule(from.getModule());
  if (isModelFile)
    return execImportFromModelFile(from, env);
  Ref mod = resolve(from.getModule(), from.getModuleLoc());
  if (!mod)
    return Flow::Error;
  for (const ImportAlias &alias : from.getNames()) {
    Ref value = getAttr(mod, alias.name, alias.loc);
    if (!value)
      return Flow::Error;
    env->vars[alias.asName.empty() ? alias.name : alias.asName.str()] = value;
  }
  return Flow::Normal;
}

/// `from X import y` for a model module X, as Python does it: y is the
/// attribute y of X when X is a .slim file (`from vgg_16 import vgg_16`),
/// else the submodule X.y (`from nets import resnet_utils`, with `nets` a
/// directory on the search path, or no directory at all when
/// `resnet_utils.slim` lies beside the importer).
Flow Interpreter::execImportFromModelFile(const ImportFromStmtAST &from,
                                          const EnvPtr &env) {
  llvm::StringRef dotted = from.getModule();
  if (rejectUnavailableModule(dotted, from.getModuleLoc()))
    return Flow::Error;
  ModuleLocation where = findModelModule(dotted, from.getModuleLoc());
  Ref mod;
  if (!where.file.empty()) {
    mod = loadModelModule(dotted, where.file, from.getModuleLoc());
    if (!mod)
      return Flow::Error;
  }
  for (const ImportAlias &alias : from.getNames()) {
    Ref value;
    if (mod) {
      // A module file is not a package: no fallback to X/y.slim (Python's
      // "cannot import name", also for names bound only in X's __main__
      // block, which an import does not run).
      auto it = mod->attrs.find(alias.name);
      if (it == mod->attrs.end()) {
        error(alias.loc, "cannot import name '" + alias.name + "' from '" +
                             dotted + "' (" + where.file + ")");
        return Flow::Error;
      }
      value = it->second;
    } else {
      std::string subName = (dotted + "." + alias.name).str();
      ModuleLocation sub = findModelModule(subName, alias.loc);
      if (sub.file.empty()) {
        std::string dir = dotted.str();
        std::replace(dir.begin(), dir.end(), '.', '/');
        std::string tried =
            dir + "/" + alias.name + ".slim and " + alias.name + ".slim";
        if (!where.packageDir.empty())
          error(alias.loc, "cannot import name '" + alias.name + "' from '" +
                               dotted + "' (directory " + where.packageDir +
                               "; looked for " + tried + " in:" + sub.searched +
                               ")");
        else
          error(alias.loc, "cannot find module '" + subName + "' (looked for " +
                               dir + ".slim, " + tried + " in:" + sub.searched +
                               "); add its directory with -I");
        return Flow::Error;
      }
      value = loadModelModule(subName, sub.file, alias.loc);
      if (!value)
        return Flow::Error;
    }
    env->vars[alias.asName.empty() ? alias.name : alias.asName.str()] = value;
  }
  return Flow::Normal;
}

Ref Interpreter::pythonModule(llvm::StringRef dotted) const {
  // The standard-library modules the reference nets import, as far as
  // slimc implements them (see installPythonModules).
  for (const char *name : {"collections", "functools", "copy"})
    if (dotted == name)
      return lookupKnown(("module:" + llvm::Twine(name)).str());
  return nullptr;
}

bool Interpreter::rejectUnavailableModule(llvm::StringRef dotted, SMLoc loc) {
  static const char *unsupported[] = {"numpy", "os",  "sys",
                                      "math",  "six", "google3"};
  for (const char *name : unsupported)
    if (dotted == name || dotted.starts_with(std::string(name) + ".")) {
      error(loc, "module '" + dotted +
                     "' is not available in slimc model files; "
                     "slimc provides tensorflow, tf_slim and .slim "
                     "files next to the model or on -I paths");
      return true;
    }
  return false;
}

Interpreter::ModuleLocation Interpreter::findModelModule(llvm::StringRef dotted,
                                                         SMLoc loc) {
  // `nets.resnet_utils` -> `nets/resnet_utils.slim`, or `resnet_utils.slim`
  // (the package directory is often implicit), in the importing file's
  // directory, then in each -I directory.
  llvm::SmallVector<llvm::StringRef, 4> parts;
  dotted.split(parts, '.');
  std::string relativeDir;
  for (size_t i = 0; i < parts.size(); ++i)
    relativeDir += (i ? "/" : "") + parts[i].str();
  std::string relative = relativeDir + ".slim";
  std::string lastOnly = parts.back().str() + ".slim";

  std::vector<std::string> dirs;
  unsigned buffer = sourceMgr.FindBufferContainingLoc(loc);
  if (buffer) {
    llvm::StringRef importer =
        sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier();
    dirs.push_back(llvm::sys::path::parent_path(importer).str());
  }
  dirs.insert(dirs.end(), options.includeDirs.begin(),
              options.includeDirs.end());
  ModuleLocation where;
  for (const std::string &dir : dirs)
    where.searched += " " + (dir.empty() ? std::string(".") : dir);
  // As in Python, a module file anywhere on the path wins over a directory
  // (a namespace package) of the same name.
  for (const std::string &dir : dirs) {
    for (const std::string &candidate : {relative, lastOnly}) {
      llvm::SmallString<256> path(dir.empty() ? "." : dir);
      llvm::sys::path::append(path, candidate);
      if (llvm::sys::fs::is_regular_file(path)) {
        where.file = path.str().str();
        return where;
      }
    }
  }
  for (const std::string &dir : dirs) {
    llvm::SmallString<256> path(dir.empty() ? "." : dir);
    llvm::sys::path::append(path, relativeDir);
    if (llvm::sys::fs::is_directory(path)) {
      where.packageDir = path.str().str();
      break;
    }
  }
  return where;
}

Ref Interpreter::importModelModule(llvm::StringRef dotted, SMLoc loc) {
  if (rejectUnavailableModule(dotted, loc))
    return nullptr;
  ModuleLocation where = findModelModule(dotted, loc);
  if (where.file.empty()) {
    std::string relative = dotted.str();
    std::replace(relative.begin(), relative.end(), '.', '/');
    std::string lastOnly = dotted.rsplit('.').second.str();
    if (lastOnly.empty())
      lastOnly = dotted.str();
    return error(loc, "cannot find module '" + dotted + "' (looked for " +
                          relative + ".slim and " + lastOnly + ".slim in:" +
                          where.searched + "); add its directory with -I");
  }
  return loadModelModule(dotted, where.file, loc);
}

Ref Interpreter::loadModelModule(llvm::StringRef dotted,
                                 const std::string &path, SMLoc loc) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real))
    real = path;
  auto cached = loadedModules.find(real.str().str());
  if (cached != loadedModules.end()) {
    if (!cached->second)
      return error(loc, "circular import of '" + dotted + "'");
    return cached->second;
  }
  loadedModules[real.str().str()] = nullptr;

  auto bufferOr = llvm::MemoryBuffer::getFile(path);
  if (!bufferOr)
    return error(loc, "cannot read '" + path +
                          "': " + bufferOr.getError().message());
  unsigned id = sourceMgr.AddNewSourceBuffer(std::move(*bufferOr), loc);
  std::unique_ptr<ModuleAST> ast = parseModule(sourceMgr, id);
  if (!ast) {
    ++errorCount;
    return nullptr;
  }
  // `__name__` is the module's name, so its `if __name__ == '__main__':`
  // entry block does not run, as in Python.
  auto env = std::make_shared<Env>(builtins);
  env->vars["__name__"] = makeStr(dotted.str());
  Ref ignored;
  ++importDepth;
  Flow flow = execBlock(ast->getBody(), env, ignored);
  --importDepth;
  if (flow == Flow::Error)
    return nullptr;
  auto mod = std::make_shared<ModuleObj>(dotted.str());
  for (auto &entry : env->vars)
    mod->attrs[entry.first] = entry.second;
  importedASTs.push_back(std::move(ast));
  loadedModules[real.str().str()] = mod;
  return mod;
}
