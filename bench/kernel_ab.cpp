//===- bench/kernel_ab.cpp - Two kernel versions, same run, same buffers --===//
//
// A/B comparison of two versions of conv2d (two include trees, compiled into
// one binary by kernel_ab.sh) on the conv layers of VGG-16, ResNet-50 and
// MobileNet-v1, batch 1, one thread; and of fullyConnected on VGG-16's fc6,
// fc7 and fc8 at batch 1 with 1 and 2 threads (--threads=), as weight
// streams: GB/s of weights per wall-clock second against the memory read
// bandwidth measured in the same run with the same number of threads.
//
// Why not two conv_bench runs: this machine is shared, and both the load and
// the placement of the buffers (their addresses modulo 4 KiB) move a layer's
// speed by 10-20% from run to run. Here A and B alternate repetition by
// repetition (order swapped every other one), read the same input and write
// the same output buffers, and every repetition moves those buffers to a new
// random offset; the table gives medians and bests of the rate per CPU
// second, and the median of the per-repetition time ratio A/B (> 1: B is
// faster).
//
// Usage: kernel_ab --peak=GFLOPS [--reps=N] [--batch=N] [--threads=1,2]
//                  [LAYER_SUBSTRING...]   (all fc layers: "fc")
//
//===----------------------------------------------------------------------===//
#include "thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

#define DECL(V)                                                                \
  long packsize_##V(long, long, int);                                          \
  long insize_##V(long, long, long, int);                                      \
  long outsize_##V(long, long, long, long, int, int, int);                     \
  void pack_##V(const float *, long, long, int, float *);                      \
  void tob_##V(const float *, long, long, long, int, float *);                 \
  void run_##V(long, long, long, long, int, int, int, const float *,           \
               const float *, const float *, float *);                         \
  long fcpacksize_##V(long, long);                                             \
  void fcpack_##V(const float *, long, long, float *);                         \
  void fcrun_##V(long, long, long, const float *, const float *,               \
                 const float *, float *, const slim_parallel *);
extern "C" {
DECL(A)
DECL(B)
}

namespace {

double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

struct Layer {
  const char *name;
  long h, w, ic, oc;
  int k, s;
};

// clang-format off
const Layer kLayers[] = {
    {"vgg1_1", 224, 224, 3, 64, 3, 1},      {"vgg1_2", 224, 224, 64, 64, 3, 1},
    {"vgg2_1", 112, 112, 64, 128, 3, 1},    {"vgg2_2", 112, 112, 128, 128, 3, 1},
    {"vgg3_1", 56, 56, 128, 256, 3, 1},     {"vgg3_2", 56, 56, 256, 256, 3, 1},
    {"vgg4_1", 28, 28, 256, 512, 3, 1},     {"vgg4_2", 28, 28, 512, 512, 3, 1},
    {"vgg5_x", 14, 14, 512, 512, 3, 1},
    {"r_conv1_7x7s2", 224, 224, 3, 64, 7, 2},
    {"r_b1_1x1_64", 56, 56, 64, 64, 1, 1},  {"r_b1_3x3", 56, 56, 64, 64, 3, 1},
    {"r_b1_64to256", 56, 56, 64, 256, 1, 1}, {"r_b1_256to64", 56, 56, 256, 64, 1, 1},
    {"r_b2_3x3", 28, 28, 128, 128, 3, 1},   {"r_b2_512to128", 28, 28, 512, 128, 1, 1},
    {"r_b2_128to512", 28, 28, 128, 512, 1, 1},
    {"r_b3_3x3", 14, 14, 256, 256, 3, 1},   {"r_b3_1024to256", 14, 14, 1024, 256, 1, 1},
    {"r_b3_256to1024", 14, 14, 256, 1024, 1, 1},
    {"r_b4_3x3", 7, 7, 512, 512, 3, 1},     {"r_b4_2048to512", 7, 7, 2048, 512, 1, 1},
    {"r_b4_512to2048", 7, 7, 512, 2048, 1, 1},
    {"r_3x3s2_28", 28, 28, 256, 256, 3, 2},
    {"r_sc1x1s2_56", 56, 56, 256, 512, 1, 2}, {"r_sc1x1s2_14", 14, 14, 1024, 2048, 1, 2},
    {"m_conv0", 224, 224, 3, 32, 3, 2},
    {"m_pw1", 112, 112, 32, 64, 1, 1},      {"m_pw2", 56, 56, 64, 128, 1, 1},
    {"m_pw3", 56, 56, 128, 128, 1, 1},      {"m_pw4", 28, 28, 128, 256, 1, 1},
    {"m_pw5", 28, 28, 256, 256, 1, 1},      {"m_pw6", 14, 14, 256, 512, 1, 1},
    {"m_pw7", 14, 14, 512, 512, 1, 1},      {"m_pw12", 7, 7, 512, 1024, 1, 1},
    {"m_pw13", 7, 7, 1024, 1024, 1, 1},
};
// clang-format on

struct FcLayer {
  const char *name;
  long k, n;
};
const FcLayer kFcLayers[] = {
    {"vgg_fc6", 25088, 4096}, {"vgg_fc7", 4096, 4096}, {"vgg_fc8", 4096, 1000}};

double wallSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct ReadCtx {
  const char *buf;
  int64_t bytes;
  uint64_t sink[64];
};

/// Reads slices [begin, end) of 64: a plain streaming read with 4
/// independent 64-byte accumulators (GCC vector extensions: full-width
/// loads on AVX-512, two per accumulator on AVX2), the bound of a weight
/// stream.
void readTask(void *ctx, int64_t begin, int64_t end) {
  typedef uint64_t V __attribute__((vector_size(64)));
  ReadCtx &c = *static_cast<ReadCtx *>(ctx);
  const int64_t per = c.bytes / 64 / 256 * 256;
  V a = {}, b = {}, d = {}, e = {};
  for (const char *p = c.buf + begin * per, *q = c.buf + end * per; p < q;
       p += 256) {
    V x, y, z, w;
    std::memcpy(&x, p, 64);
    std::memcpy(&y, p + 64, 64);
    std::memcpy(&z, p + 128, 64);
    std::memcpy(&w, p + 192, 64);
    a ^= x;
    b ^= y;
    d ^= z;
    e ^= w;
  }
  a ^= b ^ d ^ e;
  c.sink[begin] = a[0] ^ a[7];
}

/// A vector of floats whose data() is 64-byte aligned, as the runtime's
/// parameters are (a plain vector's big blocks are 16 bytes off a line).
struct Aligned {
  std::vector<float> v;
  float *p = nullptr;
  explicit Aligned(size_t n) : v(n + 16) {
    p = v.data() + (16 - reinterpret_cast<uintptr_t>(v.data()) / 4 % 16) % 16;
  }
};

/// Memory read bandwidth (GB/s) with the pool's threads: the median of
/// `reps` passes over 512 MiB, split in 64 contiguous slices.
double readBandwidth(const slim_parallel *par, int reps) {
  static Aligned buf(128 << 20);
  std::fill(buf.v.begin(), buf.v.end(), 1.0f);
  ReadCtx c{reinterpret_cast<const char *>(buf.p), (128LL << 20) * 4, {}};
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    const double t0 = wallSeconds();
    slim_parallel_run(par, 64, 1, readTask, &c);
    t.push_back(wallSeconds() - t0);
  }
  std::sort(t.begin(), t.end());
  return c.bytes / 64 / 256 * 256 * 64 / t[t.size() / 2] * 1e-9;
}

/// The fc rows: batch-1 weight streams, A and B alternating on the same
/// input, each with its own packed copy of the weights (both far bigger
/// than L3 for fc6, so neither reads the other's cached lines).
void runFc(const std::vector<const char *> &filters, int reps,
           const std::vector<int> &threadsList) {
  auto take = [&](const FcLayer &l) {
    bool t = filters.empty();
    for (const char *f : filters)
      t |= std::strstr(l.name, f) != nullptr;
    return t;
  };
  if (std::none_of(std::begin(kFcLayers), std::end(kFcLayers), take))
    return;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-1, 1);
  for (int threads : threadsList) {
    slim::test::ThreadPool pool(threads);
    const slim_parallel *par = pool.get();
    const double bw = readBandwidth(par, 2 * reps + 1);
    std::printf("# fc, batch 1, %d thread(s), %d repetitions; memory read "
                "bandwidth (same threads, median): %.1f GB/s; rates per "
                "wall-clock second\n",
                threads, reps, bw);
    std::printf("%-16s %8s %8s %7s %7s %7s %7s %6s\n", "layer", "A_GB/s",
                "B_GB/s", "A_%bw", "B_%bw", "A_best", "B_best", "A/B_t");
    for (const FcLayer &l : kFcLayers) {
      if (!take(l))
        continue;
      std::vector<float> w(l.k * l.n);
      for (float &x : w)
        x = d(rng) * 0.01f;
      // As in a whole net, the weights come from memory: layers smaller
      // than 256 MB rotate over enough copies to leave L3 between reads.
      const double bytes = 4.0 * l.k * l.n;
      const int copies = std::max(1, static_cast<int>(256e6 / bytes));
      std::vector<Aligned> pa, pb;
      for (int i = 0; i < copies; ++i) {
        pa.emplace_back(fcpacksize_A(l.k, l.n));
        pb.emplace_back(fcpacksize_B(l.k, l.n));
        fcpack_A(w.data(), l.k, l.n, pa.back().p);
        fcpack_B(w.data(), l.k, l.n, pb.back().p);
      }
      w = std::vector<float>();
      std::vector<float> x(l.k), bias(l.n, 0.1f), y(l.n);
      for (float &v : x)
        v = d(rng);
      int next = 0;
      auto call = [&](bool a) {
        next = (next + 1) % copies;
        if (a)
          fcrun_A(1, l.k, l.n, x.data(), pa[next].p, bias.data(), y.data(),
                  par);
        else
          fcrun_B(1, l.k, l.n, x.data(), pb[next].p, bias.data(), y.data(),
                  par);
      };
      // Each timing spans all the copies (about 256 MB of weights).
      const int inner = copies;
      call(true);
      call(false);
      std::vector<double> ta, tb, ratio;
      for (int r = 0; r < reps; ++r) {
        double t[2];
        for (int o = 0; o < 2; ++o) {
          const bool a = (o == 0) == (r % 2 == 0);
          const double t0 = wallSeconds();
          for (int i = 0; i < inner; ++i)
            call(a);
          t[a ? 0 : 1] = (wallSeconds() - t0) / inner;
        }
        ta.push_back(t[0]);
        tb.push_back(t[1]);
        ratio.push_back(t[0] / t[1]);
      }
      std::sort(ta.begin(), ta.end());
      std::sort(tb.begin(), tb.end());
      std::sort(ratio.begin(), ratio.end());
      auto gbs = [&](double t) { return bytes / t * 1e-9; };
      const double ma = ta[ta.size() / 2], mb = tb[tb.size() / 2];
      std::printf("%-16s %8.1f %8.1f %6.1f%% %6.1f%% %6.1f%% %6.1f%% %6.2f\n",
                  l.name, gbs(ma), gbs(mb), 100 * gbs(ma) / bw,
                  100 * gbs(mb) / bw, 100 * gbs(ta[0]) / bw,
                  100 * gbs(tb[0]) / bw, ratio[ratio.size() / 2]);
      std::fflush(stdout);
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  int reps = 9, batch = 1;
  double peak = 0;
  std::vector<const char *> filters;
  std::vector<int> threadsList = {1, 2};
  for (int i = 1; i < argc; ++i) {
    if (!std::strncmp(argv[i], "--reps=", 7))
      reps = std::max(1, std::atoi(argv[i] + 7));
    else if (!std::strncmp(argv[i], "--peak=", 7))
      peak = std::atof(argv[i] + 7);
    else if (!std::strncmp(argv[i], "--batch=", 8))
      batch = std::max(1, std::atoi(argv[i] + 8));
    else if (!std::strncmp(argv[i], "--threads=", 10)) {
      threadsList.clear();
      for (const char *t = argv[i] + 10; *t;) {
        threadsList.push_back(std::max(1, std::atoi(t)));
        while (*t && *t != ',')
          ++t;
        if (*t == ',')
          ++t;
      }
    } else
      filters.push_back(argv[i]);
  }
  if (peak <= 0) {
    std::fprintf(stderr, "usage: kernel_ab --peak=GFLOPS [--reps=N] "
                         "[--batch=N] [--threads=1,2] "
                         "[LAYER_SUBSTRING...]\n");
    return 2;
  }
  runFc(filters, reps, threadsList);
  const bool anyConv =
      std::any_of(std::begin(kLayers), std::end(kLayers), [&](const Layer &l) {
        bool t = filters.empty();
        for (const char *f : filters)
          t |= std::strstr(l.name, f) != nullptr;
        return t;
      });
  if (!anyConv)
    return 0;
  std::printf("# batch %d, 1 thread, %d repetitions, peak %.1f GFLOP/s; "
              "rates per CPU second\n",
              batch, reps, peak);
  std::printf("%-16s %8s %8s %7s %7s %7s %7s %6s\n", "layer", "A_GF/s",
              "B_GF/s", "A_%pk", "B_%pk", "A_best", "B_best", "A/B_t");
  double timeA = 0, timeB = 0, flopsAll = 0;
  std::mt19937 rng(42);
  for (const Layer &l : kLayers) {
    bool take = filters.empty();
    for (const char *f : filters)
      take |= std::strstr(l.name, f) != nullptr;
    if (!take)
      continue;
    const long slack = 4096; // floats: placement varies within 16 KiB
    std::vector<float> inBuf(insize_A(l.h, l.w, l.ic, batch) + slack);
    std::vector<float> outBuf(outsize_A(l.h, l.w, l.ic, l.oc, l.k, l.s, batch) +
                              slack);
    std::vector<float> pa(packsize_A(l.ic, l.oc, l.k)),
        pb(packsize_B(l.ic, l.oc, l.k));
    std::uniform_real_distribution<float> d(-1, 1);
    std::vector<float> nhwc(batch * l.h * l.w * l.ic),
        w(l.k * l.k * l.ic * l.oc), bias(l.oc, 0.1f);
    for (float &x : nhwc)
      x = d(rng);
    for (float &x : w)
      x = d(rng) * 0.05f;
    pack_A(w.data(), l.ic, l.oc, l.k, pa.data());
    pack_B(w.data(), l.ic, l.oc, l.k, pb.data());
    const long oh = (l.h + l.s - 1) / l.s, ow = (l.w + l.s - 1) / l.s;
    const double flops = 2.0 * batch * oh * ow * l.oc * l.k * l.k * l.ic;
    // Calls per timing: about 15 ms of work at 60% of peak.
    const int inner =
        std::max(1, static_cast<int>(0.015 / (flops / (peak * 0.6e9))));
    std::vector<double> ta, tb, ratio;
    for (int r = 0; r < reps; ++r) {
      float *in = inBuf.data() + (rng() % (slack / 16)) * 16;
      float *out = outBuf.data() + (rng() % (slack / 16)) * 16;
      tob_A(nhwc.data(), l.h, l.w, l.ic, batch, in);
      auto call = [&](bool a) {
        if (a)
          run_A(l.h, l.w, l.ic, l.oc, l.k, l.s, batch, in, pa.data(),
                bias.data(), out);
        else
          run_B(l.h, l.w, l.ic, l.oc, l.k, l.s, batch, in, pb.data(),
                bias.data(), out);
      };
      call(true); // warm caches and pages at this placement
      call(false);
      double t[2];
      for (int o = 0; o < 2; ++o) {
        const bool a = (o == 0) == (r % 2 == 0);
        const double t0 = cpuSeconds();
        for (int i = 0; i < inner; ++i)
          call(a);
        t[a ? 0 : 1] = (cpuSeconds() - t0) / inner;
      }
      ta.push_back(t[0]);
      tb.push_back(t[1]);
      ratio.push_back(t[0] / t[1]);
    }
    std::sort(ta.begin(), ta.end());
    std::sort(tb.begin(), tb.end());
    std::sort(ratio.begin(), ratio.end());
    const double ma = ta[ta.size() / 2], mb = tb[tb.size() / 2];
    timeA += ma;
    timeB += mb;
    flopsAll += flops;
    auto gf = [&](double t) { return flops / t * 1e-9; };
    std::printf("%-16s %8.1f %8.1f %6.1f%% %6.1f%% %6.1f%% %6.1f%% %6.2f\n",
                l.name, gf(ma), gf(mb), 100 * gf(ma) / peak,
                100 * gf(mb) / peak, 100 * gf(ta[0]) / peak,
                100 * gf(tb[0]) / peak, ratio[ratio.size() / 2]);
    std::fflush(stdout);
  }
  if (flopsAll > 0)
    std::printf("%-16s %8.1f %8.1f %6.1f%% %6.1f%%   (sum of medians)\n",
                "TOTAL", flopsAll / timeA * 1e-9, flopsAll / timeB * 1e-9,
                100 * flopsAll / timeA * 1e-9 / peak,
                100 * flopsAll / timeB * 1e-9 / peak);
  return 0;
}
