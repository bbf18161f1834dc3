//===- bench/pool_ab.cpp - Two thread-pool versions, same process ---------===//
//
// A/B comparison of two versions of the runtime's thread pool (compiled into
// one binary by bench/pool_ab.sh) on synthetic jobs shaped like a network's
// layers: N items of W microseconds of arithmetic each, jobs back to back
// with G microseconds of serial work on the caller between them (the ops of
// a run that do not go through the pool). A and B alternate batch by batch;
// the table gives per-job wall-clock medians and bests, and the efficiency
// work / (threads x job wall) of the median and best job.
//
// Usage: pool_ab [--threads=2] [--batches=N] [--jobs=N]
//
//===----------------------------------------------------------------------===//
#include "slim/parallel.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

extern "C" {
void *pool_create_A(int);
void pool_run_A(void *, int64_t, int64_t, slim_task_fn, void *);
void pool_destroy_A(void *);
void *pool_create_B(int);
void pool_run_B(void *, int64_t, int64_t, slim_task_fn, void *);
void pool_destroy_B(void *);
}

namespace {
using Clock = std::chrono::steady_clock;

double nowUs() {
  return std::chrono::duration<double, std::micro>(
             Clock::now().time_since_epoch())
      .count();
}

volatile double sink;

/// About `iters` dependent multiply-adds: a fixed amount of CPU work.
double work(int64_t iters) {
  double x = 1.0;
  for (int64_t i = 0; i < iters; ++i)
    x = x * 0.999999 + 1e-7;
  return x;
}

int64_t itersPerUs = 1;

void calibrate() {
  int64_t iters = 1 << 22;
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    double t0 = nowUs();
    sink = work(iters);
    best = std::min(best, nowUs() - t0);
  }
  itersPerUs = std::max<int64_t>(1, int64_t(double(iters) / best));
}

struct Task {
  int64_t itemIters;
};

void runItems(void *ctx, int64_t begin, int64_t end) {
  auto *t = static_cast<Task *>(ctx);
  double s = 0;
  for (int64_t i = begin; i < end; ++i)
    s += work(t->itemIters);
  sink = s;
}

struct Shape {
  const char *name;
  int64_t items;
  double itemUs, gapUs;
};

struct Side {
  void *pool;
  void (*run)(void *, int64_t, int64_t, slim_task_fn, void *);
  std::vector<double> jobUs;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
} // namespace

int main(int argc, char **argv) {
  int threads = 2, batches = 30, jobs = 20;
  for (int i = 1; i < argc; ++i) {
    if (!std::strncmp(argv[i], "--threads=", 10))
      threads = std::atoi(argv[i] + 10);
    else if (!std::strncmp(argv[i], "--batches=", 10))
      batches = std::atoi(argv[i] + 10);
    else if (!std::strncmp(argv[i], "--jobs=", 7))
      jobs = std::atoi(argv[i] + 7);
    else {
      std::fprintf(stderr, "usage: pool_ab [--threads=N] [--batches=N] "
                           "[--jobs=N]\n");
      return 2;
    }
  }
  calibrate();
  // Layer-like shapes: VGG conv1_2 (448 items of ~36 us), conv5_x (32
  // items of ~145 us), a MobileNet-sized layer (112 items of 2 us) and a
  // tiny one, each with a short serial gap between jobs.
  const Shape shapes[] = {{"vgg-conv 448x36us", 448, 36, 5},
                          {"vgg-conv5 32x145us", 32, 145, 5},
                          {"mobilenet 112x2us", 112, 2, 5},
                          {"mobilenet 56x4us gap50", 56, 4, 50},
                          {"tiny 16x3us", 16, 3, 2}};
  std::printf("# %d threads, %d batches of %d jobs per side, alternating\n",
              threads, batches, jobs);
  std::printf("%-24s %10s %10s %10s %10s %7s %7s %7s %7s %8s\n", "shape",
              "A med us", "B med us", "A min us", "B min us", "A eff", "B eff",
              "A best", "B best", "B/A med");
  for (const Shape &s : shapes) {
    Side sides[2] = {{pool_create_A(threads), pool_run_A, {}},
                     {pool_create_B(threads), pool_run_B, {}}};
    Task task{int64_t(s.itemUs * double(itersPerUs))};
    const int64_t gapIters = int64_t(s.gapUs * double(itersPerUs));
    for (int b = 0; b < batches; ++b) {
      for (int k = 0; k < 2; ++k) {
        Side &side = sides[(b + k) % 2]; // Order swapped every batch.
        // Let the other side's workers go to sleep first.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        for (int j = 0; j < jobs; ++j) {
          double t0 = nowUs();
          side.run(side.pool, s.items, 1, runItems, &task);
          double t1 = nowUs();
          if (j > 0) // The first job of a batch wakes sleeping workers.
            side.jobUs.push_back(t1 - t0);
          sink = work(gapIters);
        }
      }
    }
    const double ideal = double(s.items) * s.itemUs / threads;
    double ma = median(sides[0].jobUs), mb = median(sides[1].jobUs);
    double na = *std::min_element(sides[0].jobUs.begin(), sides[0].jobUs.end());
    double nb = *std::min_element(sides[1].jobUs.begin(), sides[1].jobUs.end());
    std::printf("%-24s %10.1f %10.1f %10.1f %10.1f %6.1f%% %6.1f%% %6.1f%% "
                "%6.1f%% %8.3f\n",
                s.name, ma, mb, na, nb, 100 * ideal / ma, 100 * ideal / mb,
                100 * ideal / na, 100 * ideal / nb, mb / ma);
    pool_destroy_A(sides[0].pool);
    pool_destroy_B(sides[1].pool);
  }
  return 0;
}
