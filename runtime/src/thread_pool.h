//===- thread_pool.h - The runtime's shared work-sharing pool ---*- C++ -*-===//
#ifndef SLIM_RUNTIME_THREAD_POOL_H
#define SLIM_RUNTIME_THREAD_POOL_H

#include "slim/parallel.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace slimrt {

/// A fixed set of worker threads serving parallel_for calls from any number
/// of callers at once. The caller of parallel_for always works on its own
/// job too, so nested calls and a saturated pool never deadlock.
class ThreadPool {
public:
  /// `numThreads` counts the caller: a pool of N has N - 1 workers.
  explicit ThreadPool(int numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int numThreads() const { return int(workers.size()) + 1; }

  /// Runs fn over [0, n) in chunks of at least `grain`, using at most
  /// `maxThreads` threads (0 = all); returns when all chunks are done.
  void parallelFor(int64_t n, int64_t grain, slim_task_fn fn, void *ctx,
                   int maxThreads);

  /// A slim_parallel table whose pool is this object and which uses at most
  /// `maxThreads` threads. The returned table must not outlive `holder`.
  struct Binding {
    ThreadPool *pool;
    int maxThreads;
  };
  static slim_parallel makeTable(Binding *holder);

private:
  struct Job;
  struct SlotStat;
  struct JobStat;
  void workerLoop();
  bool takeJob(std::shared_ptr<Job> &job, int &slot);
  static void runChunks(Job &job, int slot);

  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::shared_ptr<Job>> queue; // Guarded by mutex.
  std::atomic<int> queued{0}; // queue.size(), for workers polling unlocked.
  int sleepers = 0;           // Workers waiting on `wake`; guarded by mutex.
  std::atomic<bool> stopping{false};
  std::vector<JobStat> stats; // Guarded by mutex; SLIM_POOL_STATS only.
};

/// The size of the next chunk a thread claims from a parallel_for of
/// `remaining` unclaimed indices run by `threads` threads: a 1/(4 threads)
/// share of them (guided scheduling), at least `grain`, and all of them when
/// less than `grain` would be left.
int64_t guidedChunk(int64_t remaining, int64_t grain, int threads);

/// The process-wide pool: created on first use with one thread per CPU the
/// process may run on, resizable with setSharedPoolSize(). Callers hold a
/// shared_ptr so that resizing never pulls a pool from under a running job.
std::shared_ptr<ThreadPool> sharedPool();
void setSharedPoolSize(int numThreads);
int defaultThreadCount();

} // namespace slimrt

#endif // SLIM_RUNTIME_THREAD_POOL_H
