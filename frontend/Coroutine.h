//===- Coroutine.h - A body on its own stack, run in turns ------*- C++ -*-===//
//
// The elaborator is a tree-walking evaluator that recurses on the C++ stack,
// so a Python generator's frame cannot be suspended by returning from it:
// the C++ frames of the statement it is in (a `for` inside a `with` inside
// the generator function) must survive until it is resumed. A Coroutine
// therefore runs the generator's body on its own thread, with a stack as
// large as the elaborator's own, and hands control back and forth with a
// strict handoff: exactly one of the resumer and the body runs at any time,
// and each handoff is a mutex-protected turn change, so the body sees every
// write the resumer made and vice versa. There is no parallelism: the
// thread is only a second stack.
//
// The owner must drive the body to its end (resume it until isFinished())
// before destroying it; the destructor joins the thread.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_COROUTINE_H
#define SLIM_FRONTEND_COROUTINE_H

#include "llvm/Support/Error.h"

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <pthread.h>

namespace slim {

class Coroutine {
public:
  /// `body` runs on the coroutine's thread, which has a stack of
  /// `stackBytes` (reserved, committed as it is used).
  Coroutine(std::function<void()> body, size_t stackBytes);
  ~Coroutine();
  Coroutine(const Coroutine &) = delete;
  Coroutine &operator=(const Coroutine &) = delete;

  /// Runs the body (from its start, or from where it suspended) until it
  /// calls suspend() or returns. Fails (with the system's reason) only if
  /// its thread cannot be started.
  llvm::Error resume();
  /// Called by the body: hands control back to resume()'s caller and
  /// returns when resumed again.
  void suspend();

  bool isStarted() const { return started; }
  bool isFinished() const { return finished; }

private:
  static void *threadMain(void *self);

  std::function<void()> body;
  size_t stackBytes;
  pthread_t thread{};
  bool started = false, finished = false, joined = false;
  std::mutex mutex;
  std::condition_variable turnChanged;
  /// Whose turn it is: the body's (true) or the resumer's (false).
  bool bodyTurn = false;
};

} // namespace slim

#endif // SLIM_FRONTEND_COROUTINE_H
