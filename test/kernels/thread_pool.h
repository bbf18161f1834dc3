//===- thread_pool.h - A small slim_parallel for tests and benches -*- C++ -*-//
//
// The runtime has its own pool; tests and benchmarks only need something
// that implements the same table: persistent threads, the range cut into
// one contiguous chunk per thread (contiguous so a thread's items share
// weights), the caller running the first chunk itself.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_TEST_KERNELS_THREAD_POOL_H
#define SLIM_TEST_KERNELS_THREAD_POOL_H

#include "slim/parallel.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace slim {
namespace test {

class ThreadPool {
public:
  explicit ThreadPool(int numThreads) : numThreads(std::max(1, numThreads)) {
    table.pool = this;
    table.parallel_for = &ThreadPool::parallelFor;
    table.num_threads = this->numThreads;
    for (int i = 1; i < this->numThreads; ++i)
      workers.emplace_back([this, i] { workerLoop(i); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      ++generation;
    }
    wake.notify_all();
    for (std::thread &t : workers)
      t.join();
  }
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  const slim_parallel *get() const { return &table; }

private:
  static void parallelFor(void *pool, int64_t n, int64_t grain, slim_task_fn fn,
                          void *ctx) {
    static_cast<ThreadPool *>(pool)->run(n, grain, fn, ctx);
  }

  void run(int64_t n, int64_t grain, slim_task_fn fn, void *ctx) {
    grain = std::max<int64_t>(1, grain);
    int64_t chunks =
        std::min<int64_t>(numThreads, std::max<int64_t>(1, n / grain));
    if (chunks <= 1) {
      fn(ctx, 0, n);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      jobFn = fn;
      jobCtx = ctx;
      jobN = n;
      jobChunks = chunks;
      pending = static_cast<int>(chunks - 1);
      ++generation;
    }
    wake.notify_all();
    fn(ctx, 0, n / chunks);
    std::unique_lock<std::mutex> lock(mutex);
    done.wait(lock, [this] { return pending == 0; });
  }

  void workerLoop(int index) {
    uint64_t seen = 0;
    for (;;) {
      slim_task_fn fn;
      void *ctx;
      int64_t n, chunks;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return generation != seen; });
        seen = generation;
        if (stopping)
          return;
        if (index >= jobChunks)
          continue;
        fn = jobFn;
        ctx = jobCtx;
        n = jobN;
        chunks = jobChunks;
      }
      fn(ctx, n * index / chunks, n * (index + 1) / chunks);
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0)
        done.notify_one();
    }
  }

  int numThreads;
  slim_parallel table{};
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  uint64_t generation = 0;
  bool stopping = false;
  slim_task_fn jobFn = nullptr;
  void *jobCtx = nullptr;
  int64_t jobN = 0, jobChunks = 0;
  int pending = 0;
};

} // namespace test
} // namespace slim

#endif // SLIM_TEST_KERNELS_THREAD_POOL_H
