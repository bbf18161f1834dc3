//===- nvcc_compile.cu - Every CUDA launcher, compiled by nvcc ------------===//
//
// The emulated tests compile the kernels with the host compiler; this file
// makes sure nvcc (device code, real launches) accepts them too, by
// instantiating every launcher. It is compiled, never run.
//
//===----------------------------------------------------------------------===//
#include "slim/cuda/kernels.cuh"

using namespace slim::cuda;

/// Calls every launcher once so that each kernel template is instantiated.
cudaError_t slimCudaInstantiateAll(float *a, float *b, float *c, float *d,
                                   float *e, cudaStream_t stream) {
  cudaError_t err = cudaSuccess;
  auto keep = [&](cudaError_t next) {
    if (err == cudaSuccess)
      err = next;
  };
  Conv2dParams conv;
  keep(conv2d(conv, a, b, c, d, e, stream));
  keep(depthwiseConv2d(conv, a, b, c, d, e, stream));
  FullyConnectedParams fc;
  keep(fullyConnected(fc, a, b, c, d, e, a, stream));
  Pool2dParams pool;
  keep(maxPool2d(pool, a, b, stream));
  keep(avgPool2d(pool, a, b, stream));
  ChannelOpParams op;
  keep(channelOp(op, a, b, c, d, stream));
  keep(add(a, b, c, 1, Activation::Relu, stream));
  keep(softmax(a, b, 1, 1, stream));
  keep(spatialMean(a, 1, 1, 1, 1, b, stream));
  PadParams padParams;
  keep(pad(padParams, a, b, stream));
  StridedSliceParams slice;
  keep(stridedSlice(slice, a, b, stream));
  ResizeParams resizeParams;
  keep(resize(resizeParams, a, b, stream));
  keep(instanceNorm(a, b, 1, 1, 1, c, d, 1e-3f, stream));
  const int64_t normDims[] = {1, 2, 2, 4};
  keep(groupNorm(a, b, 4, normDims, 3, 6u, 2, c, d, 1e-3f, false, stream));
  ConvTranspose2dParams tconv;
  keep(convTranspose2d(tconv, a, b, c, d, e, a, stream));
  keep(concatCopy(a, 1, 1, b, 0, 1, stream));
  const int64_t shape[] = {1, 1};
  const int reduced[] = {0, 1};
  keep(binary(Binary::Mul, a, shape, b, shape, c, shape, 2, stream));
  keep(binaryScalar(Binary::Add, a, 3.0f, false, b, 1, stream));
  LrnParams lrnParams;
  keep(lrn(lrnParams, a, b, stream));
  keep(tile(a, shape, shape, 2, b, stream));
  keep(reduce(Reduce::Sum, a, shape, reduced, 2, b, stream));
  Conv3dParams conv3;
  keep(conv3d(conv3, a, b, c, d, e, stream));
  Pool3dParams pool3;
  keep(maxPool3d(pool3, a, b, stream));
  keep(avgPool3d(pool3, a, b, stream));
  // The dispatch is a switch, but one call per precision documents that
  // each of them must compile (the tensor-core kernels only here).
  for (Precision p :
       {Precision::Fp32, Precision::Tf32, Precision::Bf16, Precision::Fp16}) {
    convertWeights(p, a, b, 1);
    keep(conv2dTensorCore(p, conv, a, b, c, d, e, stream));
    keep(fullyConnectedTensorCore(p, fc, a, b, c, d, e, a, stream));
  }
  return err;
}
