//===- tensor_core_gpu_test.cu - Tensor-core paths vs an FP32 reference ---===//
//
// The TF32/BF16/FP16 kernels of slim/cuda/tensor_core.cuh cannot run under
// the SIMT emulation, so they are checked here, on a GPU (sm_80 or later):
// each precision runs a few conv2d and fully connected shapes and is
// compared with a CPU loop on the original FP32 data (so weight rounding
// counts as error). Outputs are channel slices of wider tensors whose other
// channels hold a sentinel, which must survive.
//
// Not part of CI (it needs a GPU); test/cuda/nvcc_compile.sh only compiles
// it. Build and run on a GPU machine from the repository root:
//   nvcc -std=c++17 -O2 -arch=native -I runtime/include \
//     test/cuda/tensor_core_gpu_test.cu -o /tmp/tensor_core_gpu_test &&
//   /tmp/tensor_core_gpu_test
// It prints one line per case and exits 1 if any case fails.
//
//===----------------------------------------------------------------------===//
#include "slim/cuda/kernels.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace slim::cuda;

namespace {

/// Channels a kernel must neither read nor write.
constexpr float kSentinel = 1.0e30f;

/// Tolerances on max|got - want| / max|want|. An operand rounded to p
/// mantissa bits has relative error up to u = 2^-(p+1), so a product up to
/// 2u. Over K terms of random sign these errors add like sqrt(K) * 2u *
/// rms(term), while the outputs themselves grow like sqrt(K) * rms(term):
/// relative to max|expected| the error stays near 2u whatever K, and the
/// bound leaves ~2-5x for the largest of many outputs and FP32 summation.
///   tf32, p = 10: 2u = 9.8e-4 -> 2e-3
///   bf16, p = 7:  2u = 7.8e-3 -> 2e-2
///   fp16, p = 10: 2u = 9.8e-4 -> 5e-3 (activations must also fit fp16's
///                                      range: |x| < 65504, 2^-14 normal)
/// FP32 runs the SIMT kernels: the emulated tests' 1e-5.
double tolerance(Precision p) {
  switch (p) {
  case Precision::Fp32:
    return 1e-5;
  case Precision::Tf32:
    return 2e-3;
  case Precision::Bf16:
    return 2e-2;
  case Precision::Fp16:
    return 5e-3;
  }
  return 0;
}

const char *name(Precision p) {
  switch (p) {
  case Precision::Fp32:
    return "fp32";
  case Precision::Tf32:
    return "tf32";
  case Precision::Bf16:
    return "bf16";
  case Precision::Fp16:
    return "fp16";
  }
  return "?";
}

void check(cudaError_t err, const char *what) {
  if (err != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorString(err));
    std::exit(2);
  }
}

std::vector<float> randomVector(size_t count, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// `dense` ([outer][c]) at channels [offset, offset + c) of [outer][stride].
std::vector<float> embed(const std::vector<float> &dense, int64_t outer,
                         int64_t c, int64_t offset, int64_t stride) {
  std::vector<float> out(outer * stride, kSentinel);
  for (int64_t i = 0; i < outer; ++i)
    std::copy(dense.begin() + i * c, dense.begin() + (i + 1) * c,
              out.begin() + i * stride + offset);
  return out;
}

/// Device memory holding a copy of `bytes` bytes from `host`.
class DeviceBuffer {
public:
  DeviceBuffer(const void *host, size_t bytes) : bytes(bytes) {
    check(cudaMalloc(&ptr, bytes), "cudaMalloc");
    check(cudaMemcpy(ptr, host, bytes, cudaMemcpyHostToDevice), "upload");
  }
  explicit DeviceBuffer(const std::vector<float> &host)
      : DeviceBuffer(host.data(), host.size() * sizeof(float)) {}
  explicit DeviceBuffer(const std::vector<unsigned char> &host)
      : DeviceBuffer(host.data(), host.size()) {}
  ~DeviceBuffer() { cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;

  float *f() const { return static_cast<float *>(ptr); }
  void *raw() const { return ptr; }
  std::vector<float> download() const {
    std::vector<float> host(bytes / sizeof(float));
    check(cudaMemcpy(host.data(), ptr, bytes, cudaMemcpyDeviceToHost),
          "download");
    return host;
  }

private:
  void *ptr = nullptr;
  size_t bytes;
};

/// Weights converted for `p` on the host, as a generated prepare does.
std::vector<unsigned char> convertedWeights(Precision p,
                                            const std::vector<float> &w) {
  std::vector<unsigned char> out(w.size() * weightElementBytes(p));
  convertWeights(p, w.data(), out.data(), static_cast<int64_t>(w.size()));
  return out;
}

/// max|got - want| / max|want| over the slice; -1 if a sentinel changed.
double relativeError(const std::vector<float> &got,
                     const std::vector<float> &want, int64_t outer, int64_t c,
                     int64_t offset, int64_t stride) {
  double maxWant = 1e-30, maxErr = 0;
  for (float w : want)
    maxWant = std::max(maxWant, std::fabs(static_cast<double>(w)));
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t j = 0; j < stride; ++j) {
      float g = got[i * stride + j];
      if (j < offset || j >= offset + c) {
        if (g != kSentinel)
          return -1;
        continue;
      }
      double err = std::fabs(static_cast<double>(g) - want[i * c + j - offset]);
      if (!(err <= maxErr)) // NaN propagates as failure
        maxErr = std::isnan(err) ? INFINITY : err;
    }
  return maxErr / maxWant;
}

int failures = 0;

void report(Precision p, const std::string &what, double err) {
  bool pass = err >= 0 && err <= tolerance(p);
  failures += !pass;
  if (err < 0)
    std::printf("%s %-52s wrote outside its slice      FAIL\n", name(p),
                what.c_str());
  else
    std::printf("%s %-52s max err %.2e (tol %.0e) %s\n", name(p), what.c_str(),
                err, tolerance(p), pass ? "PASS" : "FAIL");
}

struct ConvCase {
  int batch, h, w, inC, outC, kh, kw, stride, dilation;
  Activation act;
  bool bias, residual;
  int inExtra, outExtra, resExtra; ///< channels around each slice (split 1:3)
};

/// TF SAME: output ceil(in / stride), the smaller half of the pad first.
void samePadding(int in, int k, int stride, int dilation, int &out, int &pad) {
  out = (in + stride - 1) / stride;
  int total = std::max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0);
  pad = total / 2;
}

void runConv(Precision prec, const ConvCase &c) {
  Conv2dParams p;
  p.batch = c.batch;
  p.inH = c.h;
  p.inW = c.w;
  p.inC = c.inC;
  p.outC = c.outC;
  p.kernelH = c.kh;
  p.kernelW = c.kw;
  p.strideH = p.strideW = c.stride;
  p.dilationH = p.dilationW = c.dilation;
  samePadding(c.h, c.kh, c.stride, c.dilation, p.outH, p.padTop);
  samePadding(c.w, c.kw, c.stride, c.dilation, p.outW, p.padLeft);
  p.act = c.act;
  p.inCOffset = c.inExtra / 4;
  p.inCStride = c.inC + c.inExtra;
  p.outCOffset = c.outExtra / 4;
  p.outCStride = c.outC + c.outExtra;
  p.resCOffset = c.resExtra / 4;
  p.resCStride = c.outC + c.resExtra;

  const int64_t inPixels = int64_t(c.batch) * c.h * c.w;
  const int64_t outPixels = int64_t(c.batch) * p.outH * p.outW;
  auto in = randomVector(inPixels * c.inC, 1);
  auto filter = randomVector(int64_t(c.kh) * c.kw * c.inC * c.outC, 2);
  auto bias = randomVector(c.outC, 3);
  auto residual = randomVector(outPixels * c.outC, 4);

  std::vector<float> want(outPixels * c.outC);
  for (int n = 0; n < c.batch; ++n)
    for (int oh = 0; oh < p.outH; ++oh)
      for (int ow = 0; ow < p.outW; ++ow) {
        int64_t m = (int64_t(n) * p.outH + oh) * p.outW + ow;
        for (int oc = 0; oc < c.outC; ++oc) {
          double sum = c.bias ? bias[oc] : 0.0;
          for (int kh = 0; kh < c.kh; ++kh)
            for (int kw = 0; kw < c.kw; ++kw) {
              int ih = oh * c.stride - p.padTop + kh * c.dilation;
              int iw = ow * c.stride - p.padLeft + kw * c.dilation;
              if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w)
                continue;
              const float *x =
                  &in[((int64_t(n) * c.h + ih) * c.w + iw) * c.inC];
              const float *f =
                  &filter[(int64_t(kh) * c.kw + kw) * c.inC * c.outC];
              for (int ic = 0; ic < c.inC; ++ic)
                sum += double(x[ic]) * f[int64_t(ic) * c.outC + oc];
            }
          if (c.residual)
            sum += residual[m * c.outC + oc];
          want[m * c.outC + oc] = activate(c.act, static_cast<float>(sum));
        }
      }

  DeviceBuffer dIn(embed(in, inPixels, c.inC, p.inCOffset, p.inCStride));
  DeviceBuffer dFilter(convertedWeights(prec, filter));
  DeviceBuffer dBias(bias);
  DeviceBuffer dRes(
      embed(residual, outPixels, c.outC, p.resCOffset, p.resCStride));
  DeviceBuffer dOut(std::vector<float>(outPixels * p.outCStride, kSentinel));
  check(conv2dTensorCore(prec, p, dIn.f(), dFilter.raw(),
                         c.bias ? dBias.f() : nullptr,
                         c.residual ? dRes.f() : nullptr, dOut.f(), nullptr),
        "conv2dTensorCore");
  check(cudaDeviceSynchronize(), "conv2dTensorCore (run)");

  char what[128];
  std::snprintf(what, sizeof(what), "conv %dx%dx%dx%d->%d k%dx%d s%d d%d",
                c.batch, c.h, c.w, c.inC, c.outC, c.kh, c.kw, c.stride,
                c.dilation);
  report(prec, what,
         relativeError(dOut.download(), want, outPixels, c.outC, p.outCOffset,
                       p.outCStride));
}

struct FcCase {
  int m, k, n, xPad, yPad, rPad;
  Activation act;
  bool bias, residual, workspace;
};

void runFc(Precision prec, const FcCase &c) {
  FullyConnectedParams p;
  p.m = c.m;
  p.k = c.k;
  p.n = c.n;
  p.ldx = c.k + c.xPad;
  p.ldy = c.n + c.yPad;
  p.ldr = c.n + c.rPad;
  p.act = c.act;
  auto x = randomVector(int64_t(c.m) * c.k, 5);
  auto w = randomVector(int64_t(c.k) * c.n, 6);
  auto bias = randomVector(c.n, 7);
  auto residual = randomVector(int64_t(c.m) * c.n, 8);
  std::vector<float> want(int64_t(c.m) * c.n);
  for (int i = 0; i < c.m; ++i)
    for (int j = 0; j < c.n; ++j) {
      double sum = c.bias ? bias[j] : 0.0;
      for (int k = 0; k < c.k; ++k)
        sum += double(x[int64_t(i) * c.k + k]) * w[int64_t(k) * c.n + j];
      if (c.residual)
        sum += residual[int64_t(i) * c.n + j];
      want[int64_t(i) * c.n + j] = activate(c.act, static_cast<float>(sum));
    }

  DeviceBuffer dX(embed(x, c.m, c.k, 0, p.ldx));
  DeviceBuffer dW(convertedWeights(prec, w));
  DeviceBuffer dBias(bias);
  DeviceBuffer dRes(embed(residual, c.m, c.n, 0, p.ldr));
  DeviceBuffer dY(std::vector<float>(int64_t(c.m) * p.ldy, kSentinel));
  size_t wsBytes = fullyConnectedWorkspaceSize(p);
  std::vector<float> wsHost(std::max<size_t>(wsBytes / sizeof(float), 1));
  DeviceBuffer dWs(wsHost);
  check(fullyConnectedTensorCore(
            prec, p, dX.f(), dW.raw(), c.bias ? dBias.f() : nullptr,
            c.residual ? dRes.f() : nullptr, dY.f(),
            c.workspace && wsBytes ? dWs.f() : nullptr, nullptr),
        "fullyConnectedTensorCore");
  check(cudaDeviceSynchronize(), "fullyConnectedTensorCore (run)");

  char what[128];
  std::snprintf(what, sizeof(what), "fc %dx%dx%d%s%s", c.m, c.k, c.n,
                c.workspace && wsBytes ? " split-K" : "",
                c.m > kGemvMaxRows ? " (gemm)" : " (gemv)");
  report(prec, what, relativeError(dY.download(), want, c.m, c.n, 0, p.ldy));
}

} // namespace

int main() {
  cudaDeviceProp prop;
  check(cudaGetDeviceProperties(&prop, 0), "no CUDA device");
  std::printf("%s (sm_%d%d)\n", prop.name, prop.major, prop.minor);
  if (prop.major < 8) {
    std::printf("tensor-core paths need sm_80 or later: FAIL\n");
    return 1;
  }
  const ConvCase convs[] = {
      // Large tile, vector loads, bias + ReLU.
      {1, 14, 14, 64, 128, 3, 3, 1, 1, Activation::Relu, true, false, 0, 0, 0},
      // inC = 3 (chunks span taps), outC = 9 (small tile, scalar B).
      {2, 9, 9, 3, 9, 3, 3, 2, 1, Activation::Relu6, true, true, 0, 0, 0},
      // Slices in, out and residual; N tail of the large tile.
      {1, 7, 7, 96, 40, 1, 1, 1, 1, Activation::None, false, true, 8, 16, 8},
      // Odd inC, dilation: element-wise A, M/N/K tails everywhere.
      {3, 10, 10, 33, 70, 5, 5, 1, 2, Activation::Sigmoid, true, false, 4, 4,
       0},
      // K = 2304: long accumulation.
      {1, 28, 28, 256, 256, 3, 3, 1, 1, Activation::Relu, true, true, 0, 0, 0},
      // ResNet's stem.
      {1, 224, 224, 3, 64, 7, 7, 2, 1, Activation::Relu, true, false, 0, 0, 0},
  };
  const FcCase fcs[] = {
      {1, 4096, 1000, 0, 0, 0, Activation::None, true, false, true},
      {3, 333, 77, 3, 5, 7, Activation::Tanh, true, true, false},
      {4, 9216, 4096, 0, 0, 0, Activation::Relu, true, false, true},
      {8, 512, 100, 4, 4, 0, Activation::Elu, true, true, false},
      {64, 2048, 1000, 0, 0, 0, Activation::None, true, false, false},
  };
  for (Precision p :
       {Precision::Fp32, Precision::Tf32, Precision::Bf16, Precision::Fp16}) {
    for (const ConvCase &c : convs)
      runConv(p, c);
    for (const FcCase &c : fcs)
      runFc(p, c);
  }
  // Impossible parameters are refused without a launch.
  Conv2dParams bad;
  bool refused =
      conv2dTensorCore(Precision::Bf16, bad, nullptr, nullptr, nullptr, nullptr,
                       nullptr, nullptr) == cudaErrorInvalidValue;
  std::printf("invalid parameters refused: %s\n", refused ? "PASS" : "FAIL");
  failures += !refused;
  std::printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
