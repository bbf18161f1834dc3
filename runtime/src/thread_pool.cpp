//===- thread_pool.cpp - The runtime's shared work-sharing pool -----------===//

#include "thread_pool.h"

#include "common.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sched.h>

namespace slimrt {

namespace {
/// SLIM_POOL_STATS=FILE appends one line per parallel_for job to FILE when
/// the pool is destroyed: the job's wall time and, per participating thread,
/// when it started, how long it ran chunks (wall and thread CPU time) and how
/// many chunks and items it ran (bench/pool_stats.py reads it). Off, it costs
/// one predictable branch per job.
const char *statsPath() {
  static const char *path = [] {
    const char *v = std::getenv("SLIM_POOL_STATS");
    return v && *v ? v : nullptr;
  }();
  return path;
}

int64_t nowNs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

constexpr int kStatSlots = 8;
} // namespace

struct ThreadPool::SlotStat {
  int64_t startNs = -1, wallNs = 0, cpuNs = 0, chunks = 0, items = 0;
};

struct ThreadPool::JobStat {
  int64_t n = 0, numChunks = 0, beginNs = 0, endNs = 0;
  SlotStat slots[kStatSlots];
};

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
  std::unique_ptr<JobStat> stat; // Only with SLIM_POOL_STATS.
};

ThreadPool::ThreadPool(int numThreads) {
  for (int i = 1; i < numThreads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  if (!stats.empty())
    if (FILE *f = std::fopen(statsPath(), "a")) {
      // job n chunks begin_ns wall_ns then per slot:
      // slot start_ns(rel) wall_ns cpu_ns chunks items
      for (size_t j = 0; j < stats.size(); ++j) {
        const JobStat &st = stats[j];
        std::fprintf(f, "job %zu %lld %lld %lld %lld", j, (long long)st.n,
                     (long long)st.numChunks, (long long)st.beginNs,
                     (long long)(st.endNs - st.beginNs));
        for (int k = 0; k < kStatSlots; ++k) {
          const SlotStat &sl = st.slots[k];
          if (sl.startNs < 0)
            continue;
          std::fprintf(f, " | %d %lld %lld %lld %lld %lld", k,
                       (long long)(sl.startNs - st.beginNs),
                       (long long)sl.wallNs, (long long)sl.cpuNs,
                       (long long)sl.chunks, (long long)sl.items);
        }
        std::fputc('\n', f);
      }
      std::fclose(f);
    }
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runChunks(Job &job, int slot) {
  int64_t done = 0;
  SlotStat *st = job.stat && slot < kStatSlots ? &job.stat->slots[slot]
                                               : nullptr;
  int64_t wall0 = 0, cpu0 = 0;
  if (st) {
    wall0 = nowNs(CLOCK_MONOTONIC);
    cpu0 = nowNs(CLOCK_THREAD_CPUTIME_ID);
  }
  int64_t items = 0;
  for (;;) {
    int64_t c = job.nextChunk.fetch_add(1);
    if (c >= job.numChunks)
      break;
    // Even split: chunk c covers [c*n/k, (c+1)*n/k).
    int64_t begin = c * job.n / job.numChunks;
    int64_t end = (c + 1) * job.n / job.numChunks;
    job.fn(job.ctx, begin, end);
    ++done;
    items += end - begin;
  }
  // A helper that found no chunk left records nothing: it takes no lock
  // that would order its writes before the caller reads them.
  if (st && done) {
    st->startNs = wall0;
    st->items = items;
    st->wallNs = nowNs(CLOCK_MONOTONIC) - wall0;
    st->cpuNs = nowNs(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    st->chunks = done;
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
    int slot;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      if (stopping)
        return;
      job = queue.front();
      // Leave the job queued until enough helpers joined or it ran dry.
      slot = job->helpers.fetch_add(1) + 1;
      if (slot >= job->maxHelpers ||
          job->nextChunk.load() >= job->numChunks)
        queue.pop_front();
    }
    runChunks(*job, slot);
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
    if (statsPath()) {
      // Recorded too, so 1- and 2-thread runs compare job by job.
      JobStat st;
      st.n = n;
      st.numChunks = 1;
      st.beginNs = nowNs(CLOCK_MONOTONIC);
      int64_t cpu0 = nowNs(CLOCK_THREAD_CPUTIME_ID);
      fn(ctx, 0, n);
      st.endNs = nowNs(CLOCK_MONOTONIC);
      st.slots[0] = {st.beginNs, st.endNs - st.beginNs,
                     nowNs(CLOCK_THREAD_CPUTIME_ID) - cpu0, 1, n};
      std::lock_guard<std::mutex> lock(mutex);
      stats.push_back(st);
      return;
    }
    fn(ctx, 0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = fn;
  job->ctx = ctx;
  job->n = n;
  job->numChunks = numChunks;
  job->maxHelpers = int(std::min<int64_t>(threads - 1, numChunks - 1));
  if (statsPath()) {
    job->stat = std::make_unique<JobStat>();
    job->stat->n = n;
    job->stat->numChunks = numChunks;
    job->stat->beginNs = nowNs(CLOCK_MONOTONIC);
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    queue.push_back(job);
  }
  if (job->maxHelpers == 1)
    wake.notify_one();
  else
    wake.notify_all();
  runChunks(*job, 0);
  {
    // The caller ran dry: drop the job from the queue if nobody took it.
    std::lock_guard<std::mutex> lock(mutex);
    auto it = std::find(queue.begin(), queue.end(), job);
    if (it != queue.end())
      queue.erase(it);
  }
  std::unique_lock<std::mutex> lock(job->doneMutex);
  job->doneCv.wait(lock, [&] { return job->chunksDone == job->numChunks; });
  if (job->stat) {
    job->stat->endNs = nowNs(CLOCK_MONOTONIC);
    std::lock_guard<std::mutex> statLock(mutex);
    stats.push_back(*job->stat);
  }
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
