//===- concurrency_test.cpp - Many contexts, many threads -----------------===//

#include "test_util.h"
#include "thread_pool.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace slimtest;

namespace {
void addRange(void *ctx, int64_t begin, int64_t end) {
  auto *sum = static_cast<std::atomic<int64_t> *>(ctx);
  int64_t s = 0;
  for (int64_t i = begin; i < end; ++i)
    s += i;
  *sum += s;
}

struct Nested {
  slimrt::ThreadPool *pool;
  std::atomic<int64_t> sum{0};
};

void nestedTask(void *ctx, int64_t begin, int64_t end) {
  auto *n = static_cast<Nested *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    n->pool->parallelFor(100, 1, addRange, &n->sum, 0);
}
} // namespace

TEST(ThreadPoolImpl, CoversEveryIndexOnce) {
  slimrt::ThreadPool pool(4);
  EXPECT_EQ(pool.numThreads(), 4);
  for (int64_t n : {1, 2, 7, 100, 12345}) {
    for (int64_t grain : {1, 3, 1000}) {
      std::atomic<int64_t> sum{0};
      pool.parallelFor(n, grain, addRange, &sum, 0);
      EXPECT_EQ(sum.load(), n * (n - 1) / 2) << n << " " << grain;
    }
  }
}

namespace {
struct Coverage {
  explicit Coverage(int64_t n, int64_t grain)
      : count(new std::atomic<int>[size_t(n)]), n(n), grain(grain) {
    for (int64_t i = 0; i < n; ++i)
      count[size_t(i)] = 0;
  }
  std::unique_ptr<std::atomic<int>[]> count;
  int64_t n, grain;
  std::atomic<int64_t> shortChunks{0}, badRanges{0};
};

void markRange(void *ctx, int64_t begin, int64_t end) {
  auto *c = static_cast<Coverage *>(ctx);
  if (begin < 0 || end > c->n || begin >= end)
    ++c->badRanges;
  else if (end - begin < std::min(c->grain, c->n))
    ++c->shortChunks;
  for (int64_t i = std::max<int64_t>(begin, 0); i < std::min(end, c->n); ++i)
    ++c->count[size_t(i)];
}
} // namespace

// Every index of every job runs exactly once, in chunks of at least the
// grain, whatever the pool size, thread cap, odd sizes and grains.
TEST(ThreadPoolImpl, RunsEveryIndexExactlyOnceInChunksOfAtLeastTheGrain) {
  for (int poolSize = 1; poolSize <= 4; ++poolSize) {
    slimrt::ThreadPool pool(poolSize);
    for (int maxThreads = 0; maxThreads <= 4; ++maxThreads)
      for (int64_t n : {1, 2, 3, 5, 7, 31, 100, 1001, 4099})
        for (int64_t grain : {1, 2, 3, 7, 64}) {
          Coverage c(n, grain);
          pool.parallelFor(n, grain, markRange, &c, maxThreads);
          int64_t wrong = 0;
          for (int64_t i = 0; i < n; ++i)
            wrong += c.count[size_t(i)].load() != 1;
          EXPECT_EQ(wrong, 0) << "pool " << poolSize << " max " << maxThreads
                              << " n " << n << " grain " << grain;
          EXPECT_EQ(c.badRanges.load(), 0);
          EXPECT_EQ(c.shortChunks.load(), 0)
              << "pool " << poolSize << " n " << n << " grain " << grain;
        }
  }
}

// Workers that went to sleep between jobs (longer gaps than they poll for)
// are woken for the next one; none is lost.
TEST(ThreadPoolImpl, WakesSleepingWorkers) {
  slimrt::ThreadPool pool(3);
  for (int r = 0; r < 5; ++r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Coverage c(997, 1);
    pool.parallelFor(997, 1, markRange, &c, 0);
    int64_t wrong = 0;
    for (int64_t i = 0; i < 997; ++i)
      wrong += c.count[size_t(i)].load() != 1;
    EXPECT_EQ(wrong, 0) << r;
  }
}

// The guided chunks cover what is left exactly, shrink as it shrinks (but
// for a last remainder below twice the grain), never fall below the grain (but
// for the whole of a smaller remainder) and stay few: about 2 x threads x ln(n
// / grain).
TEST(ThreadPoolImpl, GuidedChunksCoverTheRangeAndShrink) {
  for (int threads = 1; threads <= 4; ++threads)
    for (int64_t n : {1, 2, 5, 31, 448, 1001, 100000})
      for (int64_t grain : {1, 3, 16}) {
        int64_t left = n, last = n, claims = 0;
        while (left > 0) {
          int64_t take = slimrt::guidedChunk(left, grain, threads);
          ASSERT_GE(take, 1);
          ASSERT_LE(take, left);
          EXPECT_TRUE(take >= grain || take == left);
          EXPECT_TRUE(left - take == 0 || left - take >= grain);
          // The last chunk takes a remainder below 2 x grain whole.
          EXPECT_TRUE(take <= last || (take == left && take < 2 * grain));
          last = take;
          left -= take;
          ++claims;
        }
        EXPECT_LE(claims, 4 * threads * 13 + 4 * threads)
            << threads << " " << n << " " << grain;
      }
  // Two threads, 448 items: an eighth of what is left each time, down to
  // single items at the end.
  EXPECT_EQ(slimrt::guidedChunk(448, 1, 2), 56);
  EXPECT_EQ(slimrt::guidedChunk(392, 1, 2), 49);
  EXPECT_EQ(slimrt::guidedChunk(7, 1, 2), 1);
  EXPECT_EQ(slimrt::guidedChunk(5, 3, 2), 5);
}

TEST(ThreadPoolImpl, NestedAndConcurrentCallersDoNotDeadlock) {
  slimrt::ThreadPool pool(3);
  Nested n;
  n.pool = &pool;
  std::vector<std::thread> callers;
  std::atomic<int64_t> outer{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int r = 0; r < 20; ++r)
        pool.parallelFor(1000, 10, addRange, &outer, 2);
    });
  pool.parallelFor(16, 1, nestedTask, &n, 0);
  for (auto &t : callers)
    t.join();
  EXPECT_EQ(n.sum.load(), 16 * (100 * 99 / 2));
  EXPECT_EQ(outer.load(), 4 * 20 * (1000 * 999 / 2));
}

TEST(Concurrency, ManyContextsMatchSequentialResults) {
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open(modelPath("test_dense").c_str(), &m));
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 11));
  SLIM_ASSERT_OK(slim_set_num_threads(4));

  const int kInputs = 16;
  std::vector<std::array<float, 8>> inputs(kInputs);
  for (int i = 0; i < kInputs; ++i)
    for (int j = 0; j < 8; ++j)
      inputs[size_t(i)][size_t(j)] = float((i * 7 + j * 3) % 11) - 5.0f;

  // Sequential reference on one context.
  std::vector<std::array<float, 12>> expected(kInputs);
  slim_context *ref = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ref));
  for (int i = 0; i < kInputs; ++i) {
    const void *in[] = {inputs[size_t(i)].data()};
    void *out[] = {expected[size_t(i)].data(), expected[size_t(i)].data() + 6};
    SLIM_ASSERT_OK(slim_context_run(ref, in, 1, out, 2));
  }
  slim_context_destroy(ref);

  const int kThreads = 8, kRepeats = 200;
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      slim_context *ctx = nullptr;
      if (slim_status s = slim_context_create(m, nullptr, 0, &ctx)) {
        slim_status_destroy(s);
        ++failures;
        return;
      }
      if (t % 2)
        slim_status_destroy(slim_context_set_max_threads(ctx, 1));
      std::array<float, 12> got;
      for (int r = 0; r < kRepeats; ++r) {
        int i = (t * 5 + r) % kInputs;
        const void *in[] = {inputs[size_t(i)].data()};
        void *out[] = {got.data(), got.data() + 6};
        if (slim_status s = slim_context_run(ctx, in, 1, out, 2)) {
          slim_status_destroy(s);
          ++failures;
          continue;
        }
        if (got != expected[size_t(i)])
          ++mismatches;
      }
      slim_context_destroy(ctx);
    });
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  slim_model_destroy(m);
  SLIM_ASSERT_OK(slim_set_num_threads(0));
}

TEST(Concurrency, VariableUpdatesWhileRunning) {
  // Writers and runners interleave; every run sees either the old or the new
  // weights in full, never a mix, since writes wait for runs in flight.
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open(modelPath("test_dense").c_str(), &m));
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));
  std::vector<float> zeros24(24, 0.0f);
  SLIM_ASSERT_OK(
      slim_model_set_variable(m, "net/fc2/weights", zeros24.data(), 96));
  // With fc2 weights zero, logits equal the fc2 biases, which we toggle.
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, failures{0};
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      float v = float(i % 2);
      float b[3] = {v, v, v};
      if (slim_status s = slim_model_set_variable(m, "net/fc2/biases", b, 12)) {
        slim_status_destroy(s);
        ++failures;
      }
    }
    stop = true;
  });
  std::vector<std::thread> runners;
  for (int t = 0; t < 3; ++t)
    runners.emplace_back([&] {
      slim_context *ctx = nullptr;
      slim_status_destroy(slim_context_create(m, nullptr, 0, &ctx));
      float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, logits[6], probs[6];
      const void *in[] = {x};
      void *out[] = {logits, probs};
      while (!stop) {
        if (slim_status s = slim_context_run(ctx, in, 1, out, 2)) {
          slim_status_destroy(s);
          ++failures;
          continue;
        }
        for (int i = 1; i < 6; ++i)
          if (logits[i] != logits[0])
            ++torn;
      }
      slim_context_destroy(ctx);
    });
  writer.join();
  for (auto &t : runners)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0);
  slim_model_destroy(m);
}
