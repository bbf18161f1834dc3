//===- Exceptions.cpp - Raising, catching and reporting errors ------------===//
//
// An error does not print at once: it becomes the pending exception, which
// unwinds evaluation (every evaluator returns null / Flow::Error) until a
// `try` handler catches it or it reaches the top level, where it is printed
// with the call stack it was raised in. This is what lets `try`/`except`,
// `finally`, a `with` block's `__exit__` and a generator's `yield` see
// exceptions as Python does.
//
// Two kinds of errors unwind this way:
//  * Python exceptions (ValueError, KeyError, TypeError, ... raised by the
//    model's `raise`, by Python builtins, or by an error message that names
//    one): handlers catch them, `finally` and `__exit__` run.
//  * Compile errors (something slimc cannot compile, a tensor where a
//    value is needed, the step limit): nothing catches them and no more
//    model code runs, so a fallback in an `except` never silently
//    compiles a different program than TensorFlow would run.
//
//===----------------------------------------------------------------------===//

#include "frontend/Interpreter.h"

#include "llvm/ADT/StringExtras.h"

using namespace slim;
using llvm::SMLoc;

/// The exception class a message names (`KeyError: 'x'`, `AssertionError`),
/// or "" for a compile error.
static llvm::StringRef classify(llvm::StringRef message) {
  llvm::StringRef head =
      message.take_while([](char c) { return llvm::isAlnum(c) || c == '_'; });
  if (head.empty() || !llvm::is_contained(builtinExceptionNames(), head))
    return "";
  llvm::StringRef rest = message.drop_front(head.size());
  if (rest.empty() || rest.starts_with(":"))
    return head;
  return "";
}

void Interpreter::raiseObject(const std::shared_ptr<ExceptionObj> &exception,
                              SMLoc loc) {
  // Only the first error of a failing evaluation is reported: a second one
  // raised while the first is pending (by cleanup code) is its echo.
  if (pending)
    return;
  if (!exception->diag) {
    auto diag = std::make_shared<RaisedDiag>();
    diag->loc = loc;
    diag->message = exception->type;
    if (!exception->message.empty())
      diag->message += ": " + exception->message;
    unsigned shown = 0;
    for (auto it = callStack.rbegin(); it != callStack.rend(); ++it) {
      if (++shown > 8) {
        diag->notes.emplace_back(
            it->callLoc,
            "... and " + std::to_string(callStack.size() - 8) + " more calls");
        break;
      }
      diag->notes.emplace_back(it->callLoc,
                               "in call to '" + it->function + "'");
    }
    exception->diag = std::move(diag);
  }
  pending = PendingError{exception, /*fatal=*/false};
}

Ref Interpreter::raise(llvm::StringRef type, SMLoc loc,
                       const llvm::Twine &message) {
  if (pending)
    return nullptr;
  std::string text = message.str();
  // The printed text is the message as given; the exception's str() drops
  // a leading "Type: " that callers sometimes include.
  llvm::StringRef body = text;
  if (body.starts_with(type) && body.drop_front(type.size()).starts_with(": "))
    body = body.drop_front(type.size() + 2);
  auto exception = std::make_shared<ExceptionObj>(type.str(), body.str(),
                                                  /*isClass=*/false);
  exception->args.push_back(makeStr(body.str()));
  raiseObject(exception, loc);
  exception->diag->message = text;
  return nullptr;
}

Ref Interpreter::error(SMLoc loc, const llvm::Twine &message) {
  if (pending)
    return nullptr;
  std::string text = message.str();
  llvm::StringRef type = classify(text);
  if (!type.empty())
    return raise(type, loc, text);
  auto exception =
      std::make_shared<ExceptionObj>("error", text, /*isClass=*/false);
  raiseObject(exception, loc);
  exception->diag->message = text;
  pending->fatal = true;
  return nullptr;
}

void Interpreter::failReported() {
  if (pending)
    return;
  ++reportedErrors;
  auto exception =
      std::make_shared<ExceptionObj>("error", "", /*isClass=*/false);
  pending = PendingError{exception, /*fatal=*/true};
}

void Interpreter::note(SMLoc loc, const llvm::Twine &message) {
  if (pending && pending->exception->diag) {
    pending->exception->diag->notes.emplace_back(loc, message.str());
    return;
  }
  if (!pending)
    sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Note, message);
}

void Interpreter::warning(SMLoc loc, const llvm::Twine &message) {
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Warning, message);
}

void Interpreter::reportPending() {
  if (!pending)
    return;
  std::shared_ptr<RaisedDiag> diag = pending->exception->diag;
  pending.reset();
  if (!diag)
    return; // already printed (failReported)
  ++reportedErrors;
  sourceMgr.PrintMessage(diag->loc, llvm::SourceMgr::DK_Error, diag->message);
  for (auto &n : diag->notes)
    sourceMgr.PrintMessage(n.first, llvm::SourceMgr::DK_Note, n.second);
}

bool Interpreter::pendingIs(llvm::StringRef type) const {
  return pending && !pending->fatal &&
         exceptionIsSubclass(pending->exception->type, type);
}

Ref Interpreter::exceptionClass(llvm::StringRef type) const {
  Ref cls = builtins->lookup(type);
  if (cls && llvm::isa<ExceptionObj>(*cls))
    return cls;
  return std::make_shared<ExceptionObj>(type.str(), "", /*isClass=*/true);
}

//===----------------------------------------------------------------------===//
// raise and try
//===----------------------------------------------------------------------===//

Flow Interpreter::execRaise(const RaiseStmtAST &s, const EnvPtr &env) {
  if (!s.getException()) {
    // A bare `raise` re-raises the exception being handled, with the
    // location it was first raised at.
    if (handling.empty()) {
      raise("RuntimeError", s.getLoc(),
            "RuntimeError: No active exception to reraise");
      return Flow::Error;
    }
    raiseObject(handling.back(), s.getLoc());
    return Flow::Error;
  }
  Ref exc = eval(*s.getException(), env);
  if (!exc)
    return Flow::Error;
  if (const ExprAST *cause = s.getCause())
    if (!eval(*cause, env))
      return Flow::Error;
  auto *e = llvm::dyn_cast<ExceptionObj>(exc.get());
  if (!e) {
    raise("TypeError", s.getException()->getLoc(),
          "exceptions must derive from BaseException, got " + typeName(*exc));
    return Flow::Error;
  }
  std::shared_ptr<ExceptionObj> instance;
  if (e->isClass) {
    // `raise ValueError` raises a fresh instance.
    instance = std::make_shared<ExceptionObj>(e->type, "", false);
  } else {
    instance = std::static_pointer_cast<ExceptionObj>(exc);
  }
  raiseObject(instance, s.getLoc());
  return Flow::Error;
}

/// Whether handler type `handler` (a class or a tuple of classes) matches
/// exception class `type`; false with a TypeError raised when the handler
/// is not an exception class.
static bool handlerMatches(Interpreter &interp, const Ref &handler,
                           llvm::StringRef type, SMLoc loc, bool &ok) {
  if (auto *seq = llvm::dyn_cast<SeqObj>(handler.get())) {
    for (const Ref &item : seq->items)
      if (handlerMatches(interp, item, type, loc, ok) || !ok)
        return ok;
    return false;
  }
  auto *cls = llvm::dyn_cast<ExceptionObj>(handler.get());
  if (!cls || !cls->isClass) {
    ok = false;
    interp.raise("TypeError", loc,
                 "catching classes that do not inherit from BaseException is "
                 "not allowed");
    return false;
  }
  return exceptionIsSubclass(type, cls->type);
}

Flow Interpreter::handleException(const TryStmtAST &s, const EnvPtr &env,
                                  Ref &returnValue) {
  std::optional<PendingError> caught = takePending();
  for (const ExceptHandler &h : s.getHandlers()) {
    if (h.type) {
      Ref type = eval(*h.type, env);
      if (!type)
        return Flow::Error; // the new error replaces the one being matched
      bool ok = true;
      bool match =
          handlerMatches(*this, type, caught->exception->type, h.loc, ok);
      if (!ok)
        return Flow::Error;
      if (!match)
        continue;
    }
    if (!h.name.empty())
      env->bindingEnv(h.name)->vars[h.name.str()] = caught->exception;
    handling.push_back(caught->exception);
    Flow flow = execBlock(h.body, env, returnValue);
    handling.pop_back();
    // Python unbinds the name at the end of the handler.
    if (!h.name.empty())
      env->bindingEnv(h.name)->vars.erase(h.name.str());
    return flow;
  }
  setPending(std::move(caught));
  return Flow::Error;
}

Flow Interpreter::execTry(const TryStmtAST &s, const EnvPtr &env,
                          Ref &returnValue) {
  Flow flow = execBlock(s.getBody(), env, returnValue);
  if (flow == Flow::Error && pending && pending->fatal)
    return flow; // compile errors run no more model code
  if (flow == Flow::Error && !s.getHandlers().empty())
    flow = handleException(s, env, returnValue);
  else if (flow == Flow::Normal && !s.getElseBody().empty())
    flow = execBlock(s.getElseBody(), env, returnValue);
  if (!s.hasFinally() || (flow == Flow::Error && pending && pending->fatal))
    return flow;
  // The finally body runs with the exception (or return value) set aside;
  // if it ends normally, what was in flight continues. If it raises,
  // returns, breaks or continues, that replaces it, as in Python.
  std::optional<PendingError> inFlight = takePending();
  Ref savedReturn = returnValue;
  Flow finallyFlow = execBlock(s.getFinallyBody(), env, returnValue);
  if (finallyFlow != Flow::Normal)
    return finallyFlow;
  setPending(std::move(inFlight));
  returnValue = savedReturn;
  return flow;
}
