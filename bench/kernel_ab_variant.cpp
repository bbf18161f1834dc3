//===- bench/kernel_ab_variant.cpp - One kernel version for kernel_ab -----===//
//
// Compiled once per kernel version (include tree) with -Dslim=slim_<V>
// -DVNAME=<V>, so two versions of the header-only kernels link into one
// kernel_ab binary. Shapes follow TF SAME padding and relu, like
// conv_bench.cpp.
//
//===----------------------------------------------------------------------===//
#include "slim/kernels.h"
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
using namespace slim::kernels;
static Conv2DParams mk(long h, long w, long ic, long oc, int k, int s,
                       int batch) {
  Conv2DParams p;
  p.batch = batch;
  p.inH = h;
  p.inW = w;
  p.inC = ic;
  p.outC = oc;
  p.kernelH = p.kernelW = k;
  p.strideH = p.strideW = s;
  Padding1D ph = tfSamePadding(h, k, s), pw = tfSamePadding(w, k, s);
  p.outH = ph.out;
  p.outW = pw.out;
  p.padTop = ph.before;
  p.padBottom = ph.after;
  p.padLeft = pw.before;
  p.padRight = pw.after;
  p.act = Activation::Relu;
  return p;
}
extern "C" long CAT(packsize_, VNAME)(long ic, long oc, int k) {
  return conv2dPackedSize(k, k, ic, oc);
}
extern "C" long CAT(insize_, VNAME)(long h, long w, long ic, int b) {
  return blockedSize(b, h, w, ic);
}
extern "C" long CAT(outsize_, VNAME)(long h, long w, long ic, long oc, int k,
                                     int s, int b) {
  Conv2DParams p = mk(h, w, ic, oc, k, s, b);
  return blockedSize(b, p.outH, p.outW, oc);
}
extern "C" void CAT(pack_, VNAME)(const float *hwio, long ic, long oc, int k,
                                  float *dst) {
  packConv2dWeights(hwio, k, k, ic, oc, dst);
}
extern "C" void CAT(tob_, VNAME)(const float *nhwc, long h, long w, long ic,
                                 int b, float *dst) {
  nhwcToBlocked(nhwc, b, h, w, ic, dst);
}
extern "C" void CAT(run_, VNAME)(long h, long w, long ic, long oc, int k, int s,
                                 int b, const float *in, const float *pw,
                                 const float *bias, float *out) {
  Conv2DParams p = mk(h, w, ic, oc, k, s, b);
  conv2d(p, in, pw, bias, nullptr, out, nullptr);
}

// Fully connected at batch m (kernel_ab's fc rows): [k][n] weights packed
// into panels, x dense [m][k], relu, threads from `par`.
extern "C" long CAT(fcpacksize_, VNAME)(long k, long n) {
  return fullyConnectedPackedSize(k, n);
}
extern "C" void CAT(fcpack_, VNAME)(const float *w, long k, long n,
                                    float *dst) {
  packFullyConnectedWeights(w, k, n, dst);
}
extern "C" void CAT(fcrun_, VNAME)(long m, long k, long n, const float *x,
                                   const float *pw, const float *bias, float *y,
                                   const slim_parallel *par) {
  FullyConnectedParams p;
  p.m = m;
  p.k = k;
  p.n = n;
  p.act = Activation::Relu;
  fullyConnected(p, x, pw, bias, nullptr, y, par);
}
