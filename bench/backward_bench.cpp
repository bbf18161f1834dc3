//===- bench/backward_bench.cpp - Throughput of the backward kernels ------===//
//
// Runs the fast conv and depthwise gradients (slim/kernels/backward.h) on
// VGG-16 conv3_x / conv4_x, ResNet-50 bottleneck 1x1 / 3x3 and MobileNet-v1
// depthwise layer shapes at the given batch and thread counts, and prints
// per kernel the median wall time, GFLOP/s and % of the measured peak x
// threads, the rate per CPU second (process CPU time: what the kernel does
// with the CPU it got, the stable number on a shared machine) and its % of
// the per-core peak, next to the reference kernel's GFLOP/s per CPU second
// (ref is serial and slow: it runs once, at --ref-batch, default 1; its rate
// per image is the same) and the speedup per CPU second. FLOPs are 2 x the
// forward's MACs for each of the two gradients (the work of the dense
// computation, padding taps excluded).
//
// Usage: backward_bench --peak=GFLOPS_PER_CORE [--batch=8] [--threads=1,2]
//                       [--repeats=N] [--ref-batch=B] [--no-ref]
//                       [--filter=SUBSTRING]
// bench/backward_bench.sh builds it with bench/peak.c and passes the peak.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels/backward.h"
#include "thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

using namespace slim::kernels;

namespace {

struct Layer {
  const char *net, *name;
  bool depthwise;
  int64_t h, w, inC, outC;
  int k, s;
};

// clang-format off
const Layer kLayers[] = {
    {"vgg", "conv3_1", false, 56, 56, 128, 256, 3, 1},
    {"vgg", "conv3_2", false, 56, 56, 256, 256, 3, 1},
    {"vgg", "conv4_1", false, 28, 28, 256, 512, 3, 1},
    {"vgg", "conv4_2", false, 28, 28, 512, 512, 3, 1},
    {"resnet", "b1_1x1_64to256", false, 56, 56, 64, 256, 1, 1},
    {"resnet", "b1_1x1_256to64", false, 56, 56, 256, 64, 1, 1},
    {"resnet", "b1_3x3_64", false, 56, 56, 64, 64, 3, 1},
    {"resnet", "b2_3x3_128", false, 28, 28, 128, 128, 3, 1},
    {"resnet", "b3_1x1_1024to256", false, 14, 14, 1024, 256, 1, 1},
    {"resnet", "b4_3x3_512", false, 7, 7, 512, 512, 3, 1},
    {"resnet", "shortcut_1x1s2", false, 56, 56, 256, 512, 1, 2},
    {"mobilenet", "dw1_112", true, 112, 112, 32, 32, 3, 1},
    {"mobilenet", "dw2_112s2", true, 112, 112, 64, 64, 3, 2},
    {"mobilenet", "dw4_56", true, 56, 56, 128, 128, 3, 1},
    {"mobilenet", "dw_14", true, 14, 14, 512, 512, 3, 1},
    {"mobilenet", "dw13_7", true, 7, 7, 1024, 1024, 3, 1},
};
// clang-format on

Conv2DParams params(const Layer &l, int64_t batch) {
  Conv2DParams p;
  p.batch = batch;
  p.inH = l.h;
  p.inW = l.w;
  p.inC = l.inC;
  p.kernelH = p.kernelW = l.k;
  p.strideH = p.strideW = l.s;
  Padding1D ph = tfSamePadding(l.h, l.k, l.s),
            pw = tfSamePadding(l.w, l.k, l.s);
  p.outH = ph.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.outW = pw.out;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  p.outC = l.depthwise ? l.inC : l.outC;
  return p;
}

double macs(const Layer &l, const Conv2DParams &p) {
  double m = double(p.batch) * p.outH * p.outW * l.k * l.k * p.outC;
  return l.depthwise ? m : m * l.inC;
}

std::vector<float> randomVec(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(gen);
  return v;
}

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// CPU time of the whole process (all threads).
double cpuNow() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Timing {
  double wall, cpu; // medians, seconds
};

template <typename F> Timing medianTimes(F &&f, int repeats) {
  f(); // warm-up: page faults, pool start
  std::vector<double> w, c;
  for (int r = 0; r < repeats; ++r) {
    double t0 = now(), c0 = cpuNow();
    f();
    w.push_back(now() - t0);
    c.push_back(cpuNow() - c0);
  }
  std::sort(w.begin(), w.end());
  std::sort(c.begin(), c.end());
  return {w[w.size() / 2], c[c.size() / 2]};
}

std::vector<int> parseList(const char *s) {
  std::vector<int> out;
  for (const char *p = s; *p;) {
    out.push_back(std::atoi(p));
    while (*p && *p != ',')
      ++p;
    if (*p == ',')
      ++p;
  }
  return out;
}

} // namespace

int main(int argc, char **argv) {
  double peak = 0.0;
  int64_t batch = 8, refBatch = 1;
  int repeats = 5;
  bool runRef = true;
  std::vector<int> threads = {1, 2};
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (!std::strncmp(a, "--peak=", 7))
      peak = std::atof(a + 7);
    else if (!std::strncmp(a, "--batch=", 8))
      batch = std::atoll(a + 8);
    else if (!std::strncmp(a, "--ref-batch=", 12))
      refBatch = std::atoll(a + 12);
    else if (!std::strncmp(a, "--repeats=", 10))
      repeats = std::max(1, std::atoi(a + 10));
    else if (!std::strncmp(a, "--threads=", 10))
      threads = parseList(a + 10);
    else if (!std::strncmp(a, "--filter=", 9))
      filter = a + 9;
    else if (!std::strcmp(a, "--no-ref"))
      runRef = false;
    else {
      std::fprintf(stderr, "backward_bench: unknown argument '%s'\n", a);
      return 2;
    }
  }
  if (peak <= 0.0) {
    std::fprintf(stderr, "backward_bench: --peak=GFLOPS_PER_CORE is required "
                         "(bench/backward_bench.sh measures it)\n");
    return 2;
  }
  std::printf("# isa %s, batch %lld, median of %d, peak %.1f GFLOP/s per core; "
              "ref at batch %lld, 1 thread, one run\n",
              SLIM_ISA_NAME, (long long)batch, repeats, peak,
              (long long)refBatch);
  std::printf("%-10s %-18s %-7s %3s %9s %8s %7s %8s %7s %8s %8s\n", "net",
              "layer", "grad", "thr", "ms", "GFLOP/s", "%peak", "GF/cpu-s",
              "%pk-cpu", "refGF/s", "speedup");
  for (const Layer &l : kLayers) {
    std::string full = std::string(l.net) + "/" + l.name;
    if (!filter.empty() && full.find(filter) == std::string::npos)
      continue;
    Conv2DParams p = params(l, batch);
    auto x = randomVec(p.batch * p.inH * p.inW * p.inC, 1);
    auto dy = randomVec(p.batch * p.outH * p.outW * p.outC, 2);
    int64_t wSize =
        int64_t(l.k) * l.k * (l.depthwise ? p.outC : p.inC * p.outC);
    auto w = randomVec(wSize, 3);
    std::vector<float> dx(x.size()), dw(w.size());
    double gflop = 2.0 * macs(l, p) * 1e-9;
    for (int grad = 0; grad < 2; ++grad) {
      const char *gname = grad == 0 ? "data" : "filter";
      double refRate = 0.0;
      if (runRef) {
        Conv2DParams rp = params(l, refBatch);
        auto run = [&] {
          if (l.depthwise && grad == 0)
            ref::depthwiseConv2dBackwardData(rp, dy.data(), w.data(),
                                             dx.data());
          else if (l.depthwise)
            ref::depthwiseConv2dBackwardFilter(rp, x.data(), dy.data(),
                                               dw.data());
          else if (grad == 0)
            ref::conv2dBackwardData(rp, dy.data(), w.data(), dx.data());
          else
            ref::conv2dBackwardFilter(rp, x.data(), dy.data(), dw.data());
        };
        double c0 = cpuNow();
        run();
        refRate = 2.0 * macs(l, rp) * 1e-9 / (cpuNow() - c0);
      }
      for (int t : threads) {
        slim::test::ThreadPool pool(t);
        const slim_parallel *par = pool.get();
        auto run = [&] {
          if (l.depthwise && grad == 0)
            depthwiseConv2dBackwardData(p, dy.data(), w.data(), dx.data(), par);
          else if (l.depthwise)
            depthwiseConv2dBackwardFilter(p, x.data(), dy.data(), dw.data(),
                                          par);
          else if (grad == 0)
            conv2dBackwardData(p, dy.data(), w.data(), dx.data(), par);
          else
            conv2dBackwardFilter(p, x.data(), dy.data(), dw.data(), par);
        };
        Timing tm = medianTimes(run, repeats);
        double rate = gflop / tm.wall, cpuRate = gflop / tm.cpu;
        std::printf("%-10s %-18s %-7s %3d %9.2f %8.1f %6.1f%% %8.1f %6.1f%% "
                    "%8.2f %7.0fx\n",
                    l.net, l.name, gname, t, tm.wall * 1e3, rate,
                    100.0 * rate / (peak * t), cpuRate, 100.0 * cpuRate / peak,
                    refRate, refRate > 0 ? cpuRate / refRate : 0.0);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
