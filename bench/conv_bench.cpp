//===- bench/conv_bench.cpp - Per-layer throughput of the kernels ---------===//
//
// Runs the conv layers of VGG-16 (224x224), representative ResNet-50 and
// MobileNet-v1 layers, and the big fully-connected layers, at the given
// batch sizes and thread counts, and prints GFLOP/s and % of the measured
// peak per layer (median and best of the repeats). The machine is shared,
// so the median is the honest number and the best shows what the kernel
// does undisturbed.
//
// Usage: conv_bench --peak=GFLOPS_PER_CORE [--nets=vgg,resnet,mobilenet,fc]
//                   [--batches=1,8] [--threads=1,2] [--repeats=N]
//                   [--min-time=SECONDS] [--filter=SUBSTRING]
//                   [--shape=H,W,Cin,Cout,k,s[,valid] ...]  (custom conv
//                   layers only, net "custom")
//
//===----------------------------------------------------------------------===//
#include "bandwidth.h"
#include "slim/kernels.h"
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

enum class Kind { Conv, Depthwise, Fc };

struct Layer {
  const char *net;
  const char *name;
  Kind kind;
  int64_t h, w, inC, outC; // for Fc: h = w = 1, inC = K, outC = N
  int k, s;
  bool valid = false; // padding (SAME otherwise)
};

// clang-format off
const Layer kLayers[] = {
    {"vgg", "conv1_1", Kind::Conv, 224, 224, 3, 64, 3, 1},
    {"vgg", "conv1_2", Kind::Conv, 224, 224, 64, 64, 3, 1},
    {"vgg", "conv2_1", Kind::Conv, 112, 112, 64, 128, 3, 1},
    {"vgg", "conv2_2", Kind::Conv, 112, 112, 128, 128, 3, 1},
    {"vgg", "conv3_1", Kind::Conv, 56, 56, 128, 256, 3, 1},
    {"vgg", "conv3_2", Kind::Conv, 56, 56, 256, 256, 3, 1},
    {"vgg", "conv3_3", Kind::Conv, 56, 56, 256, 256, 3, 1},
    {"vgg", "conv4_1", Kind::Conv, 28, 28, 256, 512, 3, 1},
    {"vgg", "conv4_2", Kind::Conv, 28, 28, 512, 512, 3, 1},
    {"vgg", "conv4_3", Kind::Conv, 28, 28, 512, 512, 3, 1},
    {"vgg", "conv5_1", Kind::Conv, 14, 14, 512, 512, 3, 1},
    {"vgg", "conv5_2", Kind::Conv, 14, 14, 512, 512, 3, 1},
    {"vgg", "conv5_3", Kind::Conv, 14, 14, 512, 512, 3, 1},
    {"resnet", "conv1_7x7s2", Kind::Conv, 224, 224, 3, 64, 7, 2},
    {"resnet", "b1_1x1_64", Kind::Conv, 56, 56, 64, 64, 1, 1},
    {"resnet", "b1_3x3_64", Kind::Conv, 56, 56, 64, 64, 3, 1},
    {"resnet", "b1_1x1_256", Kind::Conv, 56, 56, 64, 256, 1, 1},
    {"resnet", "b1_1x1_256to64", Kind::Conv, 56, 56, 256, 64, 1, 1},
    {"resnet", "b2_3x3_128", Kind::Conv, 28, 28, 128, 128, 3, 1},
    {"resnet", "b2_1x1_512to128", Kind::Conv, 28, 28, 512, 128, 1, 1},
    {"resnet", "b2_1x1_128to512", Kind::Conv, 28, 28, 128, 512, 1, 1},
    {"resnet", "b3_3x3_256", Kind::Conv, 14, 14, 256, 256, 3, 1},
    {"resnet", "b3_1x1_1024to256", Kind::Conv, 14, 14, 1024, 256, 1, 1},
    {"resnet", "b4_3x3_512", Kind::Conv, 7, 7, 512, 512, 3, 1},
    {"resnet", "b4_1x1_2048to512", Kind::Conv, 7, 7, 2048, 512, 1, 1},
    {"resnet", "b3_3x3s2_256", Kind::Conv, 28, 28, 256, 256, 3, 2},
    {"resnet", "shortcut_1x1s2", Kind::Conv, 56, 56, 256, 512, 1, 2},
    {"mobilenet", "conv0_3x3s2", Kind::Conv, 224, 224, 3, 32, 3, 2},
    {"mobilenet", "dw1_112", Kind::Depthwise, 112, 112, 32, 32, 3, 1},
    {"mobilenet", "pw1_112_32to64", Kind::Conv, 112, 112, 32, 64, 1, 1},
    {"mobilenet", "dw2_s2", Kind::Depthwise, 112, 112, 64, 64, 3, 2},
    {"mobilenet", "pw2_56_64to128", Kind::Conv, 56, 56, 64, 128, 1, 1},
    {"mobilenet", "dw3_56", Kind::Depthwise, 56, 56, 128, 128, 3, 1},
    {"mobilenet", "pw3_56_128to128", Kind::Conv, 56, 56, 128, 128, 1, 1},
    {"mobilenet", "pw5_28_256to256", Kind::Conv, 28, 28, 256, 256, 1, 1},
    {"mobilenet", "dw7_14", Kind::Depthwise, 14, 14, 512, 512, 3, 1},
    {"mobilenet", "pw7_14_512to512", Kind::Conv, 14, 14, 512, 512, 1, 1},
    {"mobilenet", "pw13_7_1024", Kind::Conv, 7, 7, 1024, 1024, 1, 1},
    {"mobilenet", "dw13_7", Kind::Depthwise, 7, 7, 1024, 1024, 3, 1},
    {"fc", "vgg_fc6", Kind::Fc, 1, 1, 25088, 4096, 1, 1},
    {"fc", "vgg_fc7", Kind::Fc, 1, 1, 4096, 4096, 1, 1},
    {"fc", "resnet_logits", Kind::Fc, 1, 1, 2048, 1000, 1, 1},
};
// clang-format on

struct Options {
  double peak = 0.0;
  std::vector<std::string> nets = {"vgg", "resnet", "mobilenet", "fc"};
  std::vector<int> batches = {1, 8};
  std::vector<int> threads = {1, 2};
  int repeats = 7;
  double minTime = 0.0;
  std::string filter;
  std::vector<Layer> custom; // --shape=
  std::vector<std::string> customNames;
};

std::vector<std::string> splitList(const char *s) {
  std::vector<std::string> out;
  std::string cur;
  for (; *s; ++s) {
    if (*s == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += *s;
    }
  }
  if (!cur.empty())
    out.push_back(cur);
  return out;
}

std::vector<int> splitInts(const char *s) {
  std::vector<int> out;
  for (const std::string &x : splitList(s))
    out.push_back(std::atoi(x.c_str()));
  return out;
}

bool parseOptions(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    auto val = [&](const char *key) -> const char * {
      size_t n = std::strlen(key);
      return std::strncmp(a, key, n) == 0 ? a + n : nullptr;
    };
    if (const char *v = val("--peak="))
      o.peak = std::atof(v);
    else if (const char *v = val("--nets="))
      o.nets = splitList(v);
    else if (const char *v = val("--batches="))
      o.batches = splitInts(v);
    else if (const char *v = val("--threads="))
      o.threads = splitInts(v);
    else if (const char *v = val("--repeats="))
      o.repeats = std::max(1, std::atoi(v));
    else if (const char *v = val("--min-time="))
      o.minTime = std::atof(v);
    else if (const char *v = val("--filter="))
      o.filter = v;
    else if (const char *v = val("--shape=")) {
      // H,W,Cin,Cout,k,s[,valid]: one extra conv layer, net "custom".
      std::vector<std::string> f = splitList(v);
      if (f.size() < 6) {
        std::fprintf(stderr, "--shape=H,W,Cin,Cout,k,s[,valid]\n");
        return false;
      }
      o.customNames.push_back(v);
      Layer l{"custom",
              nullptr,
              Kind::Conv,
              std::atol(f[0].c_str()),
              std::atol(f[1].c_str()),
              std::atol(f[2].c_str()),
              std::atol(f[3].c_str()),
              std::atoi(f[4].c_str()),
              std::atoi(f[5].c_str())};
      l.valid = f.size() > 6 && f[6] == "valid";
      o.custom.push_back(l);
    } else {
      std::fprintf(stderr, "unknown option %s\n", a);
      return false;
    }
  }
  return true;
}

std::vector<float> randomFloats(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = d(gen);
  return v;
}

double seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Timing {
  double median, cpuMedian, cpuBest;
};

template <typename Fn> Timing timeIt(Fn fn, const Options &o) {
  fn(); // warm-up: page faults, caches, thread start
  std::vector<double> t, cpu;
  double start = seconds();
  while (static_cast<int>(t.size()) < o.repeats ||
         seconds() - start < o.minTime) {
    double t0 = seconds(), c0 = cpuSeconds();
    fn();
    cpu.push_back(cpuSeconds() - c0);
    t.push_back(seconds() - t0);
  }
  std::sort(t.begin(), t.end());
  std::sort(cpu.begin(), cpu.end());
  return {t[t.size() / 2], cpu[cpu.size() / 2], cpu.front()};
}

Timing runLayer(const Layer &l, int batch, const slim_parallel *par,
                const Options &o, double &flops) {
  if (l.kind == Kind::Fc) {
    FullyConnectedParams p;
    p.m = batch;
    p.k = l.inC;
    p.n = l.outC;
    p.act = Activation::Relu;
    std::vector<float> w = randomFloats(l.inC * l.outC, 1);
    std::vector<float> packed(fullyConnectedPackedSize(l.inC, l.outC));
    packFullyConnectedWeights(w.data(), l.inC, l.outC, packed.data());
    w.clear();
    w.shrink_to_fit();
    std::vector<float> x = randomFloats(batch * l.inC, 2);
    std::vector<float> bias = randomFloats(l.outC, 3);
    std::vector<float> y(batch * l.outC);
    flops = 2.0 * batch * l.inC * l.outC;
    return timeIt(
        [&] {
          fullyConnected(p, x.data(), packed.data(), bias.data(), nullptr,
                         y.data(), par);
        },
        o);
  }
  Conv2DParams p;
  p.batch = batch;
  p.inH = l.h;
  p.inW = l.w;
  p.inC = l.inC;
  p.outC = l.outC;
  p.kernelH = p.kernelW = l.k;
  p.strideH = p.strideW = l.s;
  Padding1D ph =
      l.valid ? tfValidPadding(l.h, l.k, l.s) : tfSamePadding(l.h, l.k, l.s);
  Padding1D pw =
      l.valid ? tfValidPadding(l.w, l.k, l.s) : tfSamePadding(l.w, l.k, l.s);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  p.act = Activation::Relu;
  std::vector<float> in(blockedSize(batch, l.h, l.w, l.inC));
  {
    std::vector<float> nhwc = randomFloats(batch * l.h * l.w * l.inC, 4);
    nhwcToBlocked(nhwc.data(), batch, l.h, l.w, l.inC, in.data());
  }
  std::vector<float> out(blockedSize(batch, p.outH, p.outW, l.outC));
  std::vector<float> bias = randomFloats(l.outC, 5);
  if (l.kind == Kind::Depthwise) {
    std::vector<float> w = randomFloats(l.k * l.k * l.outC, 6);
    std::vector<float> packed(depthwisePackedSize(l.k, l.k, l.outC));
    packDepthwiseWeights(w.data(), l.k, l.k, l.outC, packed.data());
    flops = 2.0 * batch * p.outH * p.outW * l.outC * l.k * l.k;
    return timeIt(
        [&] {
          depthwiseConv2d(p, in.data(), packed.data(), bias.data(), nullptr,
                          out.data(), par);
        },
        o);
  }
  std::vector<float> w = randomFloats(l.k * l.k * l.inC * l.outC, 7);
  std::vector<float> packed(conv2dPackedSize(l.k, l.k, l.inC, l.outC));
  packConv2dWeights(w.data(), l.k, l.k, l.inC, l.outC, packed.data());
  flops = 2.0 * batch * p.outH * p.outW * l.outC * l.k * l.k * l.inC;
  return timeIt(
      [&] {
        conv2d(p, in.data(), packed.data(), bias.data(), nullptr, out.data(),
               par);
      },
      o);
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parseOptions(argc, argv, o))
    return 2;
  for (size_t i = 0; i < o.custom.size(); ++i)
    o.custom[i].name = o.customNames[i].c_str();
  if (!o.custom.empty())
    o.nets = {"custom"};
  std::printf("# isa=%s vec=%d conv_tile=%dx2 peak=%.2f GFLOP/s per core\n",
              SLIM_ISA_NAME, kVec, kConvTileW, o.peak);
  std::printf("%-10s %-18s %5s %3s %10s %9s %7s %9s %7s %8s\n", "net", "layer",
              "batch", "thr", "median_ms", "GFLOP/s", "%peak", "GF/cpu-s",
              "%pk-cpu", "%pk-best");
  bool hasFc = std::find(o.nets.begin(), o.nets.end(), "fc") != o.nets.end();
  if (hasFc) {
    SlimBandwidth bw{};
    slimMeasureReadBandwidth(1, 3, size_t(1) << 30, &bw);
    std::printf("# memory read bandwidth (bench/bandwidth.h, 1 thread, 1 GiB, "
                "best of 3): %.1f GB/s\n",
                bw.bestGBs);
  }
  auto pct = [&](double gf, double peak) {
    return peak > 0 ? 100.0 * gf / peak : 0.0;
  };
  for (int threads : o.threads) {
    slim::test::ThreadPool pool(threads);
    for (int batch : o.batches) {
      for (const std::string &net : o.nets) {
        double flopsAll = 0, timeAll = 0, cpuAll = 0;
        double flops3 = 0, time3 = 0, cpu3 = 0;
        std::vector<Layer> layers(std::begin(kLayers), std::end(kLayers));
        layers.insert(layers.end(), o.custom.begin(), o.custom.end());
        for (const Layer &l : layers) {
          if (net != l.net)
            continue;
          if (!o.filter.empty() &&
              std::string(l.name).find(o.filter) == std::string::npos)
            continue;
          double flops = 0.0;
          Timing t = runLayer(l, batch, pool.get(), o, flops);
          double gf = flops / t.median * 1e-9;
          double gfCpu = flops / t.cpuMedian * 1e-9;
          double gfBest = flops / t.cpuBest * 1e-9;
          std::printf("%-10s %-18s %5d %3d %10.3f %9.1f %6.1f%% %9.1f %6.1f%% "
                      "%7.1f%%\n",
                      l.net, l.name, batch, threads, t.median * 1e3, gf,
                      pct(gf, o.peak * threads), gfCpu, pct(gfCpu, o.peak),
                      pct(gfBest, o.peak));
          if (l.kind == Kind::Fc)
            std::printf("#   %s streams %.0f MB of weights: %.1f GB/s\n",
                        l.name, l.inC * l.outC * 4e-6,
                        l.inC * l.outC * 4.0 / t.median * 1e-9);
          std::fflush(stdout);
          flopsAll += flops;
          timeAll += t.median;
          cpuAll += t.cpuMedian;
          // The issue-5 target: VGG's 3x3 layers (all but the 3-channel one).
          if (l.kind == Kind::Conv && l.k == 3 && l.inC >= 64) {
            flops3 += flops;
            time3 += t.median;
            cpu3 += t.cpuMedian;
          }
        }
        auto summary = [&](const char *what, double f, double w, double c) {
          if (w <= 0)
            return;
          double gf = f / w * 1e-9, gfCpu = f / c * 1e-9;
          std::printf(
              "%-10s %-18s %5d %3d %10.3f %9.1f %6.1f%% %9.1f %6.1f%%\n",
              net.c_str(), what, batch, threads, w * 1e3, gf,
              pct(gf, o.peak * threads), gfCpu, pct(gfCpu, o.peak));
        };
        summary("TOTAL(listed)", flopsAll, timeAll, cpuAll);
        summary("3x3(C>=64)", flops3, time3, cpu3);
      }
    }
  }
  return 0;
}
