//===- thread_pool.cpp - The runtime's shared work-sharing pool -----------===//

#include "thread_pool.h"

#include "common.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sched.h>
#include <string>

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
  int64_t grain;
  int threads;       // Threads that may work on it, the caller included.
  int64_t evenChunk; // > 0: fixed chunks (SLIM_POOL_SCHEDULE=even).
  int maxHelpers;    // Workers allowed besides the caller.
  std::atomic<int64_t> next{0}; // First index not yet claimed.
  std::atomic<int64_t> done{0}; // Indices finished.
  std::atomic<int> helpers{0};
  std::mutex doneMutex;
  std::condition_variable doneCv;
  std::unique_ptr<JobStat> stat; // Only with SLIM_POOL_STATS.
};

int64_t guidedChunk(int64_t remaining, int64_t grain, int threads) {
  // A share of what is left, so early chunks are long (contiguous work:
  // weights and rows stay cached) and the last ones short (the threads end
  // together); never below the grain, and no remainder below it either.
  // 1/(4 threads): the first chunk is no longer than the old even split's
  // (4 per thread), so a helper preempted by another process in the middle
  // of it holds up no more of the job than before.
  const int64_t share = 4 * int64_t(threads);
  int64_t take = (remaining + share - 1) / share;
  take = std::max(take, grain);
  if (remaining - take < grain)
    take = remaining;
  return take;
}

namespace {
/// Microseconds a worker polls for the next job before it sleeps, and the
/// caller polls for the helpers to finish before it sleeps. The jobs of one
/// network run follow each other within microseconds, while a sleeping
/// thread needs a futex wake (tens of microseconds under KVM) before it
/// helps; the bound keeps an idle pool off the CPU between runs.
int spinMicros() {
  static const int us = [] {
    const char *v = std::getenv("SLIM_POOL_SPIN_US");
    if (!v || !*v)
      return 100;
    char *endp = nullptr;
    long x = std::strtol(v, &endp, 10);
    return *endp == 0 && x >= 0 && x <= 1000000 ? int(x) : 100;
  }();
  return us;
}

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// SLIM_POOL_SCHEDULE=even: 4 equal chunks per thread, as before the guided
/// schedule (kept for A/B runs on one binary).
bool scheduleEven() {
  static const bool even = [] {
    const char *v = std::getenv("SLIM_POOL_SCHEDULE");
    return v && std::string(v) == "even";
  }();
  return even;
}

/// Polls `ready` for up to spinMicros(); true once it holds. Between short
/// bursts of polling it yields the CPU: when the machine has more runnable
/// threads than cores, the thread this one waits for may be queued behind
/// it on the same core (with 200 us of pure polling, ResNet-50 at 2 threads
/// under load average 10 had a higher median than the old sleeping pool in 5
/// of 6 paired runs and 3-8 ms more CPU per run; docs/performance.md, round
/// 4). On an idle core sched_yield returns at once.
template <typename Pred> bool spinUntil(Pred ready) {
  const int us = spinMicros();
  if (us == 0)
    return ready();
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      if (ready())
        return true;
      cpuRelax();
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return ready();
    sched_yield();
  }
}
} // namespace

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
  SlotStat *st =
      job.stat && slot < kStatSlots ? &job.stat->slots[slot] : nullptr;
  int64_t wall0 = 0, cpu0 = 0;
  if (st) {
    wall0 = nowNs(CLOCK_MONOTONIC);
    cpu0 = nowNs(CLOCK_THREAD_CPUTIME_ID);
  }
  int64_t chunks = 0, items = 0;
  int64_t begin = job.next.load(std::memory_order_relaxed);
  for (;;) {
    if (begin >= job.n)
      break;
    const int64_t left = job.n - begin;
    int64_t take = guidedChunk(left, job.grain, job.threads);
    if (job.evenChunk) {
      take = std::min(job.evenChunk, left);
      if (left - take < job.grain)
        take = left;
    }
    const int64_t end = begin + take;
    if (!job.next.compare_exchange_weak(begin, end, std::memory_order_relaxed))
      continue; // `begin` now holds the current value.
    job.fn(job.ctx, begin, end);
    ++chunks;
    items += end - begin;
    begin = job.next.load(std::memory_order_relaxed);
  }
  // A helper that found nothing left records nothing: it takes no lock
  // that would order its writes before the caller reads them.
  if (st && chunks) {
    st->startNs = wall0;
    st->items = items;
    st->wallNs = nowNs(CLOCK_MONOTONIC) - wall0;
    st->cpuNs = nowNs(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    st->chunks = chunks;
  }
  // Release: the caller reads the outputs (and the stats) after it sees
  // done == n.
  if (items &&
      job.done.fetch_add(items, std::memory_order_acq_rel) + items == job.n) {
    // The lock orders this notify after a caller's check of `done` under
    // the same lock, so a caller going to sleep cannot miss it.
    std::lock_guard<std::mutex> lock(job.doneMutex);
    job.doneCv.notify_all();
  }
}

bool ThreadPool::takeJob(std::shared_ptr<Job> &job, int &slot) {
  // Called with `mutex` held.
  if (queue.empty())
    return false;
  job = queue.front();
  slot = job->helpers.fetch_add(1) + 1;
  // Leave the job queued until enough helpers joined or it ran dry.
  if (slot >= job->maxHelpers || job->next.load() >= job->n) {
    queue.pop_front();
    queued.store(int(queue.size()), std::memory_order_relaxed);
  }
  return true;
}

void ThreadPool::workerLoop() {
  for (;;) {
    std::shared_ptr<Job> job;
    int slot = 0;
    // Poll first: the next job of a run usually comes within microseconds.
    spinUntil([this] {
      return queued.load(std::memory_order_relaxed) > 0 ||
             stopping.load(std::memory_order_relaxed);
    });
    {
      std::unique_lock<std::mutex> lock(mutex);
      if (!stopping && queue.empty()) {
        ++sleepers;
        wake.wait(lock, [this] { return stopping || !queue.empty(); });
        --sleepers;
      }
      if (stopping)
        return;
      if (!takeJob(job, slot))
        continue;
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
  const int64_t maxChunks = n / grain;
  if (threads <= 1 || maxChunks <= 1) {
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
  job->grain = grain;
  job->threads = threads;
  job->evenChunk = 0;
  if (scheduleEven()) {
    const int64_t k = std::min<int64_t>(maxChunks, int64_t(threads) * 4);
    job->evenChunk = (n + k - 1) / k;
  }
  job->maxHelpers = int(std::min<int64_t>(threads - 1, maxChunks - 1));
  if (statsPath()) {
    job->stat = std::make_unique<JobStat>();
    job->stat->n = n;
    job->stat->beginNs = nowNs(CLOCK_MONOTONIC);
  }
  int asleep;
  {
    std::lock_guard<std::mutex> lock(mutex);
    queue.push_back(job);
    queued.store(int(queue.size()), std::memory_order_relaxed);
    // Read under the lock: a worker counts itself asleep under it too, so
    // one that sleeps from here on sees the job before it waits.
    asleep = sleepers;
  }
  // Polling workers see `queued`; only sleeping ones need the futex.
  if (asleep > 0) {
    if (job->maxHelpers == 1)
      wake.notify_one();
    else
      wake.notify_all();
  }
  runChunks(*job, 0);
  {
    // The caller ran dry: drop the job from the queue if nobody took it.
    std::lock_guard<std::mutex> lock(mutex);
    auto it = std::find(queue.begin(), queue.end(), job);
    if (it != queue.end()) {
      queue.erase(it);
      queued.store(int(queue.size()), std::memory_order_relaxed);
    }
  }
  auto finished = [&] {
    return job->done.load(std::memory_order_acquire) == job->n;
  };
  if (!spinUntil(finished)) {
    std::unique_lock<std::mutex> lock(job->doneMutex);
    job->doneCv.wait(lock, finished);
  }
  if (job->stat) {
    job->stat->endNs = nowNs(CLOCK_MONOTONIC);
    for (const SlotStat &sl : job->stat->slots)
      job->stat->numChunks += sl.chunks;
    std::lock_guard<std::mutex> lock(mutex);
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
