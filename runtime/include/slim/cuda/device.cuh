//===- slim/cuda/device.cuh - Launch, activations, shared memory -*- C++
//-*-===//
//
// The base of the CUDA kernels: compiled by nvcc for a GPU, or by a plain C++
// compiler against the SIMT emulation of test/cuda (SLIM_CUDA_EMULATION;
// put test/cuda on the include path) so the kernels' numerics are tested
// without a GPU.
//
// Every `__global__` kernel of these headers is a template: nvcc ignores
// `inline` on kernels, so a non-template kernel defined in a header would be
// defined once per translation unit that includes it.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_DEVICE_CUH
#define SLIM_CUDA_DEVICE_CUH

#ifdef SLIM_CUDA_EMULATION
#include "simt_emulation.h"
#else
#include <cuda_runtime.h>
#endif

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <math.h>

namespace slim {
namespace cuda {

/// The activation of a layer's epilogue or of a standalone activation
/// (channelOp). The values are those of slim::kernels::Pointwise; the conv
/// and fully-connected epilogues take None..Elu.
enum class Activation : int {
  None = 0,
  Relu = 1,
  Relu6 = 2,
  Sigmoid = 3,
  Tanh = 4,
  Elu = 5,
  Softplus = 6,
  LeakyRelu = 7,
  Selu = 8,
};

/// Scalar activation with the TF definitions; `alpha` is leaky_relu's slope.
__host__ __device__ __forceinline__ float activate(Activation act, float x,
                                                   float alpha = 0.0f) {
  switch (act) {
  case Activation::None:
    return x;
  case Activation::Relu:
    return x > 0.0f ? x : 0.0f;
  case Activation::Relu6:
    return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
  case Activation::Sigmoid:
    return 1.0f / (1.0f + expf(-x));
  case Activation::Tanh:
    return tanhf(x);
  case Activation::Elu:
    return x > 0.0f ? x : expm1f(x);
  case Activation::Softplus:
    // log(1 + e^x) without overflow for large x; exact in float beyond 20.
    return x > 20.0f ? x : log1pf(expf(x));
  case Activation::LeakyRelu:
    return x > 0.0f ? x : x * alpha;
  case Activation::Selu:
    // tf.nn.selu's constants (Klambauer et al.).
    return x > 0.0f ? 1.0507009873554804934193349852946f * x
                    : 1.0507009873554804934193349852946f *
                          1.6732632423543772848170429916717f * expm1f(x);
  }
  return x;
}

/// Launches `kernel` on `stream` with `smemBytes` of dynamic shared memory
/// and returns the launch error (cudaSuccess when it was enqueued).
template <typename Kernel, typename... Args>
cudaError_t launch(Kernel kernel, dim3 grid, dim3 block, size_t smemBytes,
                   cudaStream_t stream, Args... args) {
#ifdef SLIM_CUDA_EMULATION
  // Reported like a GPU launch: through cudaGetLastError(), which also
  // returns (and clears) an error left by any earlier runtime call.
  (void)::slim_emu::launch(grid, block, smemBytes, stream,
                           [=]() { kernel(args...); });
  return cudaGetLastError();
#else
  kernel<<<grid, block, smemBytes, stream>>>(args...);
  return cudaGetLastError();
#endif
}

/// Unrolls the next loop under nvcc (constant trip counts keep register
/// tiles in registers); a plain loop under emulation.
#if defined(__CUDACC__)
#define SLIM_UNROLL _Pragma("unroll")
#else
#define SLIM_UNROLL
#endif

/// 128-bit and 64-bit loads of `p`, which must be 16- (8-) byte aligned:
/// the shared-memory reads of the SIMT kernels. Under the emulation a
/// misaligned address fails the launch (cudaErrorLaunchFailure, as the
/// misaligned-address fault of a GPU would) instead of silently working.
__device__ __forceinline__ float4 load4(const float *p) {
#ifdef SLIM_CUDA_EMULATION
  return ::slim_emu::loadVector<float4>(p);
#else
  return *reinterpret_cast<const float4 *>(p);
#endif
}
__device__ __forceinline__ float2 load2(const float *p) {
#ifdef SLIM_CUDA_EMULATION
  return ::slim_emu::loadVector<float2>(p);
#else
  return *reinterpret_cast<const float2 *>(p);
#endif
}

/// The number of SMs of the current device, queried once per device and
/// cached (launch heuristics: split-K). 0 when the query fails (the error
/// stays the runtime's last error, reported by the next launch as it would
/// be anyway).
inline int multiprocessorCount() {
  constexpr int kMaxDevices = 64;
  static std::atomic<int> cached[kMaxDevices]; // 0 = not known yet
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0)
    return 0;
  if (device < kMaxDevices) {
    int known = cached[device].load(std::memory_order_relaxed);
    if (known > 0)
      return known;
  }
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess)
    return 0;
  if (device < kMaxDevices)
    cached[device].store(prop.multiProcessorCount, std::memory_order_relaxed);
  return prop.multiProcessorCount;
}

/// Blocks needed for `count` items at `perBlock` items each.
inline unsigned blocksFor(int64_t count, int64_t perBlock) {
  return static_cast<unsigned>((count + perBlock - 1) / perBlock);
}

} // namespace cuda
} // namespace slim

/// Declares `name` as a `type *` to the block's dynamic shared memory. The
/// buffer is declared as bytes: `extern __shared__` arrays of different
/// element types in one program would conflict.
#ifdef SLIM_CUDA_EMULATION
#define SLIM_DYNAMIC_SHARED(type, name)                                        \
  type *name = reinterpret_cast<type *>(::slim_emu::dynamicShared())
#else
#define SLIM_DYNAMIC_SHARED(type, name)                                        \
  extern __shared__ __align__(16) unsigned char slimDynamicShared[];           \
  type *name = reinterpret_cast<type *>(slimDynamicShared)
#endif

#endif // SLIM_CUDA_DEVICE_CUH
