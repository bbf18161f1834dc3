//===- Generators.cpp - Generators, yield and the iteration protocol ------===//
//
// A generator's frame runs on a Coroutine (Coroutine.h): its own thread and
// stack, taking turns with whoever resumes it. The evaluator stays a plain
// recursive tree walker: `yield` is a call that hands the value to the
// resumer and blocks until the generator is resumed, with every C++ frame
// of the generator body intact on the coroutine's stack.
//
// The interpreter's state is shared, as Python's is: the arg_scope stack,
// TensorFlow's variable and name scopes and the graph are global, so a
// `with slim.arg_scope(...)` around a `yield` stays entered while the
// generator is suspended (contextlib.contextmanager relies on this). The
// call stack is per frame: a generator's frames are on it only while it
// runs, stacked on the frames of whoever resumed it, so errors inside a
// generator show the calls that led there and recursion is bounded across
// both.
//
// Ending: a generator runs until it returns or raises, or until it is
// closed (GeneratorExit at its `yield`): by gen.close(), when the last
// reference to it goes (at the next statement boundary, as CPython does
// when its refcount drops), or at the end of the model file. When the
// elaborator is torn down (after an error, say), generators still
// suspended are aborted: resumed with a compile error pending, which runs
// no more model code but unwinds their C++ frames and builtin scopes, so
// every coroutine thread is joined and none is left blocked.
//
//===----------------------------------------------------------------------===//

#include "frontend/Coroutine.h"
#include "frontend/Interpreter.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

/// Each generator frame may recurse as deeply as the elaborator's own
/// thread (slimc.cpp): the same depth limits apply inside it.
static constexpr size_t kGeneratorStackBytes = size_t(512) << 20;
/// Suspended generators each hold a thread; more than this at once is a
/// runaway program, not a model file.
static constexpr size_t kMaxLiveGenerators = 256;
/// What resuming a generator costs against the work budget: two coroutine
/// switches, the time of tens of statements (at one step, a generator that
/// never ends took ~40 s to exhaust the default budget).
static constexpr int64_t kWorkPerResume = 50;

namespace slim {
/// A generator's frame and the handoff between it and its resumer.
struct GeneratorState {
  /// Null once the interpreter is gone.
  Interpreter *interp = nullptr;
  std::string name;
  /// Runs the generator's code on the coroutine.
  std::function<Flow(Ref &)> body;
  /// Keeps the generator function (which the frame points at) alive.
  Ref function;
  std::unique_ptr<Coroutine> co;
  enum Status { Created, Suspended, Running, Finished } status = Created;

  /// How it is being resumed, and with what: the value send() passes, or
  /// the exception to raise at the `yield` (Throw, Abort).
  ResumeMode mode = ResumeMode::Next;
  Ref transfer;
  std::optional<Interpreter::PendingError> thrown;
  /// How the body ended.
  Flow endFlow = Flow::Normal;
  Ref returnValue;
  /// Its call-stack frames while suspended (the generator function's frame
  /// first), and the exceptions its handlers were handling (what a bare
  /// `raise` in it re-raises), which are per frame in Python.
  std::vector<Interpreter::Frame> frames;
  std::vector<std::shared_ptr<ExceptionObj>> handling;
  /// Where it was created and where it is suspended.
  SMLoc createLoc, yieldLoc;
};
} // namespace slim

/// The generator whose coroutine the current thread runs (null on the
/// elaborator's own thread). `yield` suspends this one.
static thread_local GeneratorState *currentGenerator = nullptr;

GeneratorObj::~GeneratorObj() {
  // A suspended generator that nobody can resume any more is closed, as
  // CPython closes it when its refcount drops; running model code from a
  // destructor is unsafe, so the interpreter does it at the next statement.
  if (state && state->interp && state->status == GeneratorState::Suspended)
    state->interp->scheduleClose(state);
}

Ref Interpreter::makeGenerator(std::string name, SMLoc loc,
                               std::function<Flow(Ref &)> body,
                               const Ref &function, EnvPtr env) {
  auto state = std::make_shared<GeneratorState>();
  state->interp = this;
  state->name = name;
  state->body = std::move(body);
  state->function = function;
  state->createLoc = state->yieldLoc = loc;
  const FunctionObj *fn =
      function ? dyn_cast<FunctionObj>(function.get()) : nullptr;
  state->frames.push_back(Frame{name, loc, fn, std::move(env)});
  return std::make_shared<GeneratorObj>(std::move(state));
}

namespace slim {
/// Resuming touches the interpreter's private call stack and generator
/// registry; this friend does it.
struct GeneratorAccess {
  static ResumeResult resume(Interpreter &in, GeneratorState &g,
                             ResumeMode mode, const Ref &value, SMLoc loc,
                             Ref &out);
};
} // namespace slim

static ResumeResult resumeState(Interpreter &interp, GeneratorState &g,
                                ResumeMode mode, const Ref &value, SMLoc loc,
                                Ref &out) {
  return GeneratorAccess::resume(interp, g, mode, value, loc, out);
}

ResumeResult Interpreter::resumeGenerator(GeneratorObj &gen, ResumeMode mode,
                                          const Ref &value, SMLoc loc,
                                          Ref &out) {
  // The object may be the last reference to its state.
  std::shared_ptr<GeneratorState> keep = gen.state;
  return resumeState(*this, *keep, mode, value, loc, out);
}

/// Raises the exception `value` (an exception class or instance) at `loc`.
static void raiseValue(Interpreter &interp, const Ref &value, SMLoc loc) {
  auto *e = dyn_cast<ExceptionObj>(value.get());
  if (e && e->isClass) {
    interp.raiseObject(std::make_shared<ExceptionObj>(e->type, "", false), loc);
    return;
  }
  if (e) {
    interp.raiseObject(std::static_pointer_cast<ExceptionObj>(value), loc);
    return;
  }
  interp.raise("TypeError", loc,
               "exceptions must derive from BaseException, not " +
                   typeName(*value));
}

ResumeResult GeneratorAccess::resume(Interpreter &in, GeneratorState &g,
                                     ResumeMode mode, const Ref &value,
                                     SMLoc loc, Ref &out) {
  out = makeNone();
  // Charged before anything changes; the teardown of an abandoned
  // generator (Abort) must run even when the budget is spent.
  if (mode != ResumeMode::Abort &&
      (g.status == GeneratorState::Created ||
       g.status == GeneratorState::Suspended) &&
      !in.charge(loc, kWorkPerResume))
    return ResumeResult::Error;
  switch (g.status) {
  case GeneratorState::Running:
    in.raise("ValueError", loc,
             "ValueError: generator '" + g.name + "' already executing");
    return ResumeResult::Error;
  case GeneratorState::Finished:
    if (mode == ResumeMode::Throw) {
      raiseValue(in, value, loc);
      return ResumeResult::Error;
    }
    return ResumeResult::Returned;
  case GeneratorState::Created:
    if (mode == ResumeMode::Abort) {
      g.status = GeneratorState::Finished;
      return ResumeResult::Returned;
    }
    if (mode == ResumeMode::Throw) {
      // Thrown before it started: it never runs, and the exception comes
      // straight back, as in Python.
      g.status = GeneratorState::Finished;
      raiseValue(in, value, loc);
      return ResumeResult::Error;
    }
    if (mode == ResumeMode::Send && !isNone(value)) {
      in.raise("TypeError", loc,
               "TypeError: can't send non-None value to a just-started "
               "generator");
      return ResumeResult::Error;
    }
    if (in.liveGenerators.size() >= kMaxLiveGenerators) {
      in.error(loc, "more than " + llvm::Twine(kMaxLiveGenerators) +
                        " generators are suspended at once");
      return ResumeResult::Error;
    }
    g.co = std::make_unique<Coroutine>(
        [&g] {
          currentGenerator = &g;
          Ref result;
          Flow flow = g.body(result);
          g.endFlow = flow == Flow::Error ? Flow::Error : Flow::Normal;
          g.returnValue = flow == Flow::Return && result ? result : makeNone();
          currentGenerator = nullptr;
        },
        kGeneratorStackBytes);
    in.liveGenerators.insert(&g);
    break;
  case GeneratorState::Suspended:
    break;
  }

  g.mode = mode;
  g.transfer = nullptr;
  g.thrown.reset();
  if (mode == ResumeMode::Send)
    g.transfer = value;
  if (mode == ResumeMode::Throw) {
    // The exception is raised at the `yield`; build it here so a class
    // becomes an instance and a bad value is a TypeError at the throw().
    raiseValue(in, value, loc);
    g.thrown = in.takePending();
  }
  if (mode == ResumeMode::Abort)
    g.thrown = Interpreter::PendingError{
        std::make_shared<ExceptionObj>("error", "", false), /*fatal=*/true};

  // The generator's frames go on top of the resumer's while it runs.
  size_t base = in.callStack.size();
  g.frames.front().callLoc = loc;
  in.callStack.insert(in.callStack.end(), g.frames.begin(), g.frames.end());
  g.frames.clear();
  size_t handlingBase = in.handling.size();
  in.handling.insert(in.handling.end(), g.handling.begin(), g.handling.end());
  g.handling.clear();
  auto detachHandling = [&] {
    g.handling.assign(in.handling.begin() + handlingBase, in.handling.end());
    in.handling.resize(handlingBase);
  };
  g.status = GeneratorState::Running;
  if (llvm::Error startError = g.co->resume()) {
    in.callStack.resize(base);
    detachHandling();
    g.status = GeneratorState::Finished;
    in.liveGenerators.erase(&g);
    in.error(loc, "cannot run generator '" + g.name +
                      "': " + llvm::toString(std::move(startError)));
    return ResumeResult::Error;
  }
  detachHandling();
  if (g.co->isFinished()) {
    in.callStack.resize(base);
    g.status = GeneratorState::Finished;
    in.liveGenerators.erase(&g);
    // Release what the frame held (its locals may hold other generators).
    g.body = nullptr;
    g.function = nullptr;
    if (g.endFlow == Flow::Error)
      return ResumeResult::Error;
    out = g.returnValue;
    g.returnValue = nullptr;
    return ResumeResult::Returned;
  }
  g.frames.assign(in.callStack.begin() + base, in.callStack.end());
  in.callStack.resize(base);
  g.status = GeneratorState::Suspended;
  out = g.transfer ? g.transfer : makeNone();
  g.transfer = nullptr;
  return ResumeResult::Yielded;
}

Ref Interpreter::yieldValue(const Ref &value, SMLoc loc) {
  GeneratorState *g = currentGenerator;
  if (!g)
    return error(loc, "'yield' outside a running generator");
  g->transfer = value;
  g->yieldLoc = loc;
  g->co->suspend();
  // Resumed: by next() (None), send(v), throw(e), close() or an abort.
  switch (g->mode) {
  case ResumeMode::Next:
    return makeNone();
  case ResumeMode::Send: {
    Ref sent = g->transfer ? g->transfer : makeNone();
    g->transfer = nullptr;
    return sent;
  }
  case ResumeMode::Throw:
  case ResumeMode::Abort:
    setPending(std::move(g->thrown));
    g->thrown.reset();
    return nullptr;
  }
  return nullptr;
}

Ref Interpreter::evalYield(const YieldExprAST &y, const EnvPtr &env) {
  if (!y.isYieldFrom()) {
    Ref value = y.getValue() ? eval(*y.getValue(), env) : makeNone();
    if (!value)
      return nullptr;
    return yieldValue(value, y.getLoc());
  }
  Ref source = eval(*y.getValue(), env);
  if (!source)
    return nullptr;
  auto *sub = dyn_cast<GeneratorObj>(source.get());
  if (!sub) {
    // Any other iterable: its items are yielded in turn.
    Cursor cursor;
    if (!beginIteration(source, y.getValue()->getLoc(), cursor))
      return nullptr;
    while (true) {
      Ref item;
      int got = nextItem(cursor, y.getLoc(), item);
      if (got < 0)
        return nullptr;
      if (got == 0)
        return makeNone();
      if (!yieldValue(item, y.getLoc()))
        return nullptr;
    }
  }
  // A generator: what this one is resumed with goes to it, and its return
  // value is the value of `yield from`.
  ResumeMode mode = ResumeMode::Next;
  Ref value = makeNone();
  while (true) {
    Ref out;
    ResumeResult r = resumeGenerator(*sub, mode, value, y.getLoc(), out);
    if (r == ResumeResult::Error)
      return nullptr;
    if (r == ResumeResult::Returned)
      return out;
    Ref got = yieldValue(out, y.getLoc());
    if (got) {
      mode = currentGenerator->mode == ResumeMode::Send && !isNone(got)
                 ? ResumeMode::Send
                 : ResumeMode::Next;
      value = got;
      continue;
    }
    if (!pending || pending->fatal)
      return nullptr;
    if (pendingIs("GeneratorExit")) {
      // close(): the delegate is closed too, then GeneratorExit goes on.
      std::optional<PendingError> exit = takePending();
      if (!closeGenerator(*sub->state, y.getLoc()))
        return nullptr;
      setPending(std::move(exit));
      return nullptr;
    }
    std::optional<PendingError> thrown = takePending();
    mode = ResumeMode::Throw;
    value = thrown->exception;
  }
}

Ref Interpreter::raiseStopIteration(const Ref &value, SMLoc loc) {
  auto stop = std::make_shared<ExceptionObj>(
      "StopIteration", isNone(value) ? "" : strValue(*value), false);
  if (!isNone(value))
    stop->args.push_back(value);
  stop->attrs["value"] = value;
  raiseObject(stop, loc);
  return nullptr;
}

bool Interpreter::closeGenerator(GeneratorState &g, SMLoc loc) {
  if (g.status == GeneratorState::Created) {
    g.status = GeneratorState::Finished;
    return true;
  }
  if (g.status != GeneratorState::Suspended)
    return true;
  auto exit = std::make_shared<ExceptionObj>("GeneratorExit", "", false);
  Ref out;
  ResumeResult r = resumeState(*this, g, ResumeMode::Throw, exit, loc, out);
  if (r == ResumeResult::Yielded) {
    raise("RuntimeError", g.yieldLoc,
          "RuntimeError: generator '" + g.name + "' ignored GeneratorExit");
    return false;
  }
  if (r == ResumeResult::Error) {
    if (!pendingIs("GeneratorExit"))
      return false;
    takePending();
  }
  return true;
}

void Interpreter::scheduleClose(std::shared_ptr<GeneratorState> gen) {
  closeQueue.push_back(std::move(gen));
}

bool Interpreter::runScheduledCloses() {
  while (!closeQueue.empty()) {
    std::shared_ptr<GeneratorState> g = std::move(closeQueue.back());
    closeQueue.pop_back();
    if (g->status != GeneratorState::Suspended)
      continue;
    std::optional<PendingError> saved = takePending();
    if (!closeGenerator(*g, g->yieldLoc)) {
      if (pending && pending->fatal)
        return false;
      // CPython reports an exception raised while finalizing a generator
      // and carries on ("Exception ignored in: <generator ...>").
      std::optional<PendingError> ignored = takePending();
      if (ignored && ignored->exception->diag)
        warning(ignored->exception->diag->loc,
                "exception ignored while closing generator '" + g->name +
                    "': " + ignored->exception->diag->message);
    }
    setPending(std::move(saved));
  }
  return true;
}

void Interpreter::abortGenerator(GeneratorState &g) {
  if (g.status != GeneratorState::Suspended)
    return;
  std::optional<PendingError> saved = takePending();
  Ref out;
  resumeState(*this, g, ResumeMode::Abort, nullptr, g.yieldLoc, out);
  takePending();
  setPending(std::move(saved));
}

void Interpreter::finishGenerators(bool runCode) {
  // Closing one generator may leave another suspended (a nested context
  // manager), or finish others; repeat until none is left.
  while (!liveGenerators.empty()) {
    std::vector<GeneratorState *> live(liveGenerators.begin(),
                                       liveGenerators.end());
    for (GeneratorState *g : live) {
      if (!liveGenerators.count(g) || g->status != GeneratorState::Suspended)
        continue;
      if (runCode && !pending) {
        if (!closeGenerator(*g, g->yieldLoc)) {
          std::optional<PendingError> ignored = takePending();
          if (ignored && ignored->fatal) {
            setPending(std::move(ignored));
            runCode = false;
          } else if (ignored && ignored->exception->diag) {
            warning(ignored->exception->diag->loc,
                    "exception ignored while closing generator '" + g->name +
                        "': " + ignored->exception->diag->message);
          }
        }
      }
      if (g->status == GeneratorState::Suspended)
        abortGenerator(*g);
    }
  }
  closeQueue.clear();
}

//===----------------------------------------------------------------------===//
// Generator methods
//===----------------------------------------------------------------------===//

Ref Interpreter::callGeneratorMethod(GeneratorObj &gen, llvm::StringRef name,
                                     CallArgs &args) {
  auto want = [&](size_t lo, size_t hi) {
    if (!args.keywords.empty()) {
      raise("TypeError", args.keywords.front().loc,
            "TypeError: generator." + name + "() takes no keyword arguments");
      return false;
    }
    if (args.positional.size() < lo || args.positional.size() > hi) {
      raise("TypeError", args.loc,
            "TypeError: generator." + name + "() takes " +
                (lo == hi ? llvm::Twine(lo)
                          : llvm::Twine(lo) + " to " + llvm::Twine(hi)) +
                " arguments (" + llvm::Twine(args.positional.size()) +
                " given)");
      return false;
    }
    return true;
  };
  if (name == "close") {
    if (!want(0, 0))
      return nullptr;
    std::shared_ptr<GeneratorState> keep = gen.state;
    return closeGenerator(*keep, args.loc) ? makeNone() : nullptr;
  }
  ResumeMode mode;
  Ref value = makeNone();
  if (name == "__next__") {
    if (!want(0, 0))
      return nullptr;
    mode = ResumeMode::Next;
  } else if (name == "send") {
    if (!want(1, 1))
      return nullptr;
    mode = ResumeMode::Send;
    value = args.positional[0].value;
  } else if (name == "throw") {
    if (!want(1, 2))
      return nullptr;
    mode = ResumeMode::Throw;
    value = args.positional[0].value;
    if (args.positional.size() == 2) {
      // throw(type, value): an instance made from the value.
      auto *cls = dyn_cast<ExceptionObj>(value.get());
      if (cls && cls->isClass) {
        auto instance = std::make_shared<ExceptionObj>(
            cls->type, strValue(*args.positional[1].value), false);
        instance->args.push_back(args.positional[1].value);
        value = instance;
      }
    }
  } else {
    return raise("AttributeError", args.loc,
                 "AttributeError: 'generator' object has no attribute '" +
                     name + "'");
  }
  Ref out;
  switch (resumeGenerator(gen, mode, value, args.loc, out)) {
  case ResumeResult::Yielded:
    return out;
  case ResumeResult::Returned:
    return raiseStopIteration(out, args.loc);
  case ResumeResult::Error:
    return nullptr;
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Iteration
//===----------------------------------------------------------------------===//

bool Interpreter::beginIteration(const Ref &value, SMLoc loc, Cursor &out) {
  out = Cursor();
  out.iterable = value;
  if (isa<SeqObj>(*value) || isa<GeneratorObj>(*value) ||
      isa<IteratorObj>(*value))
    return true;
  if (auto *dict = dyn_cast<DictObj>(value.get())) {
    for (auto &entry : dict->entries)
      out.snapshot.push_back(entry.first);
    return true;
  }
  if (auto *s = dyn_cast<StrObj>(value.get())) {
    for (char c : s->value)
      out.snapshot.push_back(makeStr(std::string(1, c)));
    return true;
  }
  if (isa<InstanceObj>(*value)) {
    const ClassObj *cls = classOf(*value);
    if (cls->lookup("__iter__")) {
      Ref iterFn = getAttr(value, "__iter__", loc);
      Ref it = iterFn ? callWith(iterFn, loc, {}) : nullptr;
      if (!it)
        return false;
      out.iterable = it;
      return true;
    }
    if (cls->lookup("__next__"))
      return true;
  }
  if (isa<TensorObj>(*value)) {
    error(loc, "iterating over a tensor is not supported at compile time");
    return false;
  }
  raise("TypeError", loc, "'" + typeName(*value) + "' object is not iterable");
  return false;
}

int Interpreter::nextItem(Cursor &c, SMLoc loc, Ref &out) {
  if (!c.snapshot.empty() || isa<DictObj>(*c.iterable) ||
      isa<StrObj>(*c.iterable)) {
    if (c.index >= c.snapshot.size())
      return 0;
    out = c.snapshot[c.index++];
    return 1;
  }
  if (auto *seq = dyn_cast<SeqObj>(c.iterable.get())) {
    if (c.index >= seq->items.size())
      return 0;
    out = seq->items[c.index++];
    return 1;
  }
  if (auto *gen = dyn_cast<GeneratorObj>(c.iterable.get())) {
    switch (resumeGenerator(*gen, ResumeMode::Next, nullptr, loc, out)) {
    case ResumeResult::Yielded:
      return 1;
    case ResumeResult::Returned:
      return 0;
    case ResumeResult::Error:
      return -1;
    }
  }
  if (auto *it = dyn_cast<IteratorObj>(c.iterable.get()))
    return it->next(*this, loc, out);
  if (isa<InstanceObj>(*c.iterable)) {
    Ref nextFn = getAttr(c.iterable, "__next__", loc);
    if (!nextFn)
      return -1;
    out = callWith(nextFn, loc, {});
    if (out)
      return 1;
    if (pendingIs("StopIteration")) {
      takePending();
      return 0;
    }
    return -1;
  }
  raise("TypeError", loc,
        "'" + typeName(*c.iterable) + "' object is not an iterator");
  return -1;
}

bool Interpreter::iterate(const Ref &value, SMLoc loc, std::vector<Ref> &out) {
  if (auto *seq = dyn_cast<SeqObj>(value.get())) {
    out = seq->items;
    // list(x), tuple(x), sorted(x)...: copying is work per element.
    return charge(loc, int64_t(out.size()));
  }
  Cursor cursor;
  if (!beginIteration(value, loc, cursor))
    return false;
  while (true) {
    Ref item;
    int got = nextItem(cursor, loc, item);
    if (got < 0)
      return false;
    if (got == 0)
      return true;
    out.push_back(item);
  }
}

Ref Interpreter::makeIterator(const Ref &value, SMLoc loc) {
  if (isa<GeneratorObj>(*value) || isa<IteratorObj>(*value))
    return value;
  auto cursor = std::make_shared<Cursor>();
  if (!beginIteration(value, loc, *cursor))
    return nullptr;
  if (cursor->iterable != value && (isa<GeneratorObj>(*cursor->iterable) ||
                                    isa<IteratorObj>(*cursor->iterable)))
    return cursor->iterable; // what __iter__ returned
  std::string name = typeName(*value) + "_iterator";
  return std::make_shared<IteratorObj>(
      name, [cursor](Interpreter &in, SMLoc at, Ref &out) {
        return in.nextItem(*cursor, at, out);
      });
}
