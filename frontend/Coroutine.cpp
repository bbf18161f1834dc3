//===- Coroutine.cpp - A body that runs on its own stack, in turns --------===//

#include "frontend/Coroutine.h"

#include <cassert>
#include <cstring>
#include <system_error>

using namespace slim;

Coroutine::Coroutine(std::function<void()> body, size_t stackBytes)
    : body(std::move(body)), stackBytes(stackBytes) {}

Coroutine::~Coroutine() {
  // The owner drives a started body to its end first (Generators.cpp aborts
  // abandoned generators); joining an unfinished one would wait forever.
  assert((!started || finished) && "destroying a suspended coroutine");
  if (started && !joined)
    pthread_join(thread, nullptr);
}

void *Coroutine::threadMain(void *self) {
  auto *co = static_cast<Coroutine *>(self);
  {
    std::unique_lock<std::mutex> lock(co->mutex);
    co->turnChanged.wait(lock, [co] { return co->bodyTurn; });
  }
  co->body();
  std::lock_guard<std::mutex> lock(co->mutex);
  co->finished = true;
  co->bodyTurn = false;
  co->turnChanged.notify_all();
  return nullptr;
}

llvm::Error Coroutine::resume() {
  assert(!finished && "resuming a finished coroutine");
  std::unique_lock<std::mutex> lock(mutex);
  bodyTurn = true;
  if (!started) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stackBytes);
    int rc = pthread_create(&thread, &attr, &Coroutine::threadMain, this);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
      bodyTurn = false;
      return llvm::createStringError(
          std::error_code(rc, std::generic_category()), std::strerror(rc));
    }
    started = true;
  }
  turnChanged.notify_all();
  turnChanged.wait(lock, [this] { return !bodyTurn; });
  if (finished && !joined) {
    lock.unlock();
    pthread_join(thread, nullptr);
    joined = true;
  }
  return llvm::Error::success();
}

void Coroutine::suspend() {
  std::unique_lock<std::mutex> lock(mutex);
  bodyTurn = false;
  turnChanged.notify_all();
  turnChanged.wait(lock, [this] { return bodyTurn; });
}
