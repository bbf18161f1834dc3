//===- thread_pool.cpp - The runtime's shared work-sharing pool -----------===//

#include "thread_pool.h"

#include "common.h"

#include <algorithm>
#include <atomic>
#include <sched.h>

namespace slimrt {

struct ThreadPool::Job {
  slim_task_fn fn;
  void *ctx;
  int64_t n;
  int64_t numChunks;
  int maxHelpers; // Workers allowed besides the caller.
  std::atomic<int64_t> nextChunk{0};
  std::atomic<int> helpers{0};
  std::mutex doneMutex;
  std::condition_variable doneCv;
  int64_t chunksDone = 0; // Guarded by doneMutex.
};

ThreadPool::ThreadPool(int numThreads) {
  for (int i = 1; i < numThreads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runChunks(Job &job) {
  int64_t done = 0;
  for (;;) {
    int64_t c = job.nextChunk.fetch_add(1);
    if (c >= job.numChunks)
      break;
    // Even split: chunk c covers [c*n/k, (c+1)*n/k).
    int64_t begin = c * job.n / job.numChunks;
    int64_t end = (c + 1) * job.n / job.numChunks;
    job.fn(job.ctx, begin, end);
    ++done;
  }
  if (done) {
    std::lock_guard<std::mutex> lock(job.doneMutex);
    job.chunksDone += done;
    if (job.chunksDone == job.numChunks)
      job.doneCv.notify_all();
  }
}

void ThreadPool::workerLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (stopping)
        return;
      job = queue.front();
      // Leave the job queued until enough helpers joined or it ran dry.
      if (job->helpers.fetch_add(1) + 1 >= job->maxHelpers ||
          job->nextChunk.load() >= job->numChunks)
        queue.pop_front();
    }
    runChunks(*job);
  }
}

void ThreadPool::parallelFor(int64_t n, int64_t grain, slim_task_fn fn,
                             void *ctx, int maxThreads) {
  if (n <= 0)
    return;
  int threads = numThreads();
  if (maxThreads > 0)
    threads = std::min(threads, maxThreads);
  grain = std::max<int64_t>(grain, 1);
  // A few chunks per thread balance uneven work; never below the grain.
  int64_t numChunks = std::min<int64_t>(n / grain, int64_t(threads) * 4);
  if (threads <= 1 || numChunks <= 1) {
    fn(ctx, 0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = fn;
  job->ctx = ctx;
  job->n = n;
  job->numChunks = numChunks;
  job->maxHelpers = int(std::min<int64_t>(threads - 1, numChunks - 1));
  {
    std::lock_guard<std::mutex> lock(mutex);
    queue.push_back(job);
  }
  if (job->maxHelpers == 1)
    wake.notify_one();
  else
    wake.notify_all();
  runChunks(*job);
  {
    // The caller ran dry: drop the job from the queue if nobody took it.
    std::lock_guard<std::mutex> lock(mutex);
    auto it = std::find(queue.begin(), queue.end(), job);
    if (it != queue.end())
      queue.erase(it);
  }
  std::unique_lock<std::mutex> lock(job->doneMutex);
  job->doneCv.wait(lock, [&] { return job->chunksDone == job->numChunks; });
}

namespace {
void parallelForThunk(void *pool, int64_t n, int64_t grain, slim_task_fn fn,
                      void *ctx) {
  auto *b = static_cast<ThreadPool::Binding *>(pool);
  b->pool->parallelFor(n, grain, fn, ctx, b->maxThreads);
}

std::mutex sharedMutex;
std::shared_ptr<ThreadPool> sharedInstance;
} // namespace

slim_parallel ThreadPool::makeTable(Binding *holder) {
  slim_parallel table;
  table.pool = holder;
  table.parallel_for = parallelForThunk;
  int n = holder->pool->numThreads();
  if (holder->maxThreads > 0)
    n = std::min(n, holder->maxThreads);
  table.num_threads = n;
  return table;
}

int defaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
}

std::shared_ptr<ThreadPool> sharedPool() {
  std::lock_guard<std::mutex> lock(sharedMutex);
  if (!sharedInstance)
    sharedInstance = std::make_shared<ThreadPool>(defaultThreadCount());
  return sharedInstance;
}

void setSharedPoolSize(int numThreads) {
  if (numThreads < 0 || numThreads > 4096)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "thread count ", numThreads,
         " out of range [0, 4096]");
  if (numThreads == 0)
    numThreads = defaultThreadCount();
  auto fresh = std::make_shared<ThreadPool>(numThreads);
  std::shared_ptr<ThreadPool> old;
  {
    std::lock_guard<std::mutex> lock(sharedMutex);
    old = std::move(sharedInstance);
    sharedInstance = std::move(fresh);
  }
  // `old` is joined here unless a run still holds it; then the last holder
  // joins it.
}

} // namespace slimrt
