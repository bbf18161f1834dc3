//===- simt_emulation.h - Run CUDA C++ kernels on the host CPU --*- C++ -*-===//
//
// Lets the CUDA kernel headers (runtime/include/slim/cuda) compile with a
// plain C++ compiler when SLIM_CUDA_EMULATION is defined, and run on the CPU
// with CUDA's execution semantics, so their numerics are unit-tested on
// machines (and CI) without a GPU.
//
// Emulated exactly:
//  - grid x block: every thread of a block is a cooperative fiber
//    (ucontext), blocks run one after another on the calling OS thread;
//    threadIdx/blockIdx/blockDim/gridDim are per fiber.
//  - __syncthreads() is a real barrier: a fiber that reaches it yields
//    until every thread of its block has. The scheduler runs each fiber as
//    far as it can go before switching, the most adversarial legal order, so
//    a missing barrier reads data that was not written yet. A thread that
//    exits while others wait at a barrier, or a barrier nobody can pass, is
//    reported as cudaErrorLaunchFailure (a hang or undefined on a GPU).
//  - warp intrinsics (__shfl_down_sync, __shfl_xor_sync, __shfl_sync,
//    __syncwarp) with warps of 32 consecutive linear thread ids; every lane
//    present in the warp must take part (full masks only).
//  - dynamic shared memory (SLIM_DYNAMIC_SHARED): one buffer per block,
//    filled with NaN at the start of every block so a missing barrier or a
//    wrong shared index shows up as a wrong output; writes past its end are
//    caught by a guard zone and reported as cudaErrorLaunchFailure. Static
//    `__shared__` is deliberately left undefined: kernels must not use it.
//  - vector loads (slim::cuda::load4/load2): a misaligned address fails
//    the launch, as it faults on a GPU.
//  - the launch limits of a CC 8.x device: at most 1024 threads per block,
//    48 KiB of dynamic shared memory without opt-in.
//  - streams, events and CUDA Graph capture: work runs eagerly when
//    enqueued, except while its stream is capturing, when kernel launches,
//    async copies/memsets and event records are recorded into the graph;
//    cudaGraphLaunch replays them in order.
//
// Not emulated: timing (events read std::chrono::steady_clock, so elapsed
// times measure the emulation), memory spaces (device memory is aligned host
// memory, so a host pointer passed to a kernel works here but not on a GPU),
// concurrency between streams, atomics and memory fences, tensor cores
// (WMMA paths compile under nvcc only), floating-point contraction (nvcc
// fuses a*b+c into FMA, g++ on x86-64 does not: results differ in the last
// bits), and fast-math intrinsics.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_TEST_CUDA_SIMT_EMULATION_H
#define SLIM_TEST_CUDA_SIMT_EMULATION_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <math.h>

//===----------------------------------------------------------------------===//
// Declaration specifiers
//===----------------------------------------------------------------------===//

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
// `__restrict__` is a GNU C++ keyword already.

//===----------------------------------------------------------------------===//
// Built-in vector types and thread coordinates
//===----------------------------------------------------------------------===//

struct uint3 {
  unsigned x, y, z;
};

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1)
      : x(vx), y(vy), z(vz) {}
};

struct alignas(8) float2 {
  float x, y;
};

struct alignas(16) float4 {
  float x, y, z, w;
};

inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) {
  return {x, y, z, w};
}

namespace slim_emu {

/// What the running fiber sees as its built-in variables.
struct ThreadCoords {
  uint3 threadIdx;
  uint3 blockIdx;
  dim3 blockDim;
  dim3 gridDim;
};

/// The coordinates of the fiber running on this OS thread.
const ThreadCoords &coords();

/// The running block's dynamic shared memory.
unsigned char *dynamicShared();

/// Block-wide barrier of the running fiber.
void syncThreads();

/// Warp-wide barrier; `mask` must name every lane present in the warp.
void syncWarp(unsigned mask);

/// This fiber's lane within its warp.
unsigned laneId();

/// The exchange behind every shuffle: publishes `value`, waits for the warp,
/// and returns what lane `srcLane` published (`value` itself when srcLane is
/// outside the warp, as CUDA does).
uint64_t shuffle(unsigned mask, uint64_t value, int srcLane);

/// Runs (or, on a capturing stream, records) `kernel` for every thread of
/// `grid` x `block` with `smemBytes` of dynamic shared memory per block.
/// Returns the launch's error and sets the sticky last error.
int launch(dim3 grid, dim3 block, size_t smemBytes, void *stream,
           std::function<void()> kernel);

/// Fails the running block's launch (cudaErrorLaunchFailure) with `why`,
/// as a fault would on a GPU; the fiber itself carries on.
void failLaunch(const char *why);

/// A vector load (float2, float4) from `p`, which must be aligned to the
/// vector's size as on a GPU: a misaligned address fails the launch.
template <typename V> V loadVector(const float *p) {
  V v;
  if (reinterpret_cast<uintptr_t>(p) % alignof(V) != 0) {
    failLaunch(alignof(V) == 16 ? "misaligned 16-byte vector load"
                                : "misaligned 8-byte vector load");
    std::memset(&v, 0, sizeof(v));
    return v;
  }
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename T> T shuffleAs(unsigned mask, T value, int srcLane) {
  static_assert(sizeof(T) <= sizeof(uint64_t), "shuffle of a wide type");
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = shuffle(mask, bits, srcLane);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

} // namespace slim_emu

#define threadIdx (::slim_emu::coords().threadIdx)
#define blockIdx (::slim_emu::coords().blockIdx)
#define blockDim (::slim_emu::coords().blockDim)
#define gridDim (::slim_emu::coords().gridDim)

constexpr int warpSize = 32;

inline void __syncthreads() { ::slim_emu::syncThreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  ::slim_emu::syncWarp(mask);
}

template <typename T>
T __shfl_sync(unsigned mask, T value, int srcLane, int width = warpSize) {
  int lane = static_cast<int>(::slim_emu::laneId());
  int src = (lane & ~(width - 1)) + (srcLane & (width - 1));
  return ::slim_emu::shuffleAs(mask, value, src);
}

template <typename T>
T __shfl_down_sync(unsigned mask, T value, unsigned delta,
                   int width = warpSize) {
  int lane = static_cast<int>(::slim_emu::laneId());
  int src = lane + static_cast<int>(delta);
  // Beyond the end of the (sub-)warp a lane keeps its own value.
  if ((src & ~(width - 1)) != (lane & ~(width - 1)))
    src = lane;
  return ::slim_emu::shuffleAs(mask, value, src);
}

template <typename T>
T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = warpSize) {
  int lane = static_cast<int>(::slim_emu::laneId());
  int src = lane ^ laneMask;
  if ((src & ~(width - 1)) != (lane & ~(width - 1)))
    src = lane;
  return ::slim_emu::shuffleAs(mask, value, src);
}

//===----------------------------------------------------------------------===//
// Runtime API subset
//===----------------------------------------------------------------------===//

enum cudaError_t : int {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevice = 101,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorStreamCaptureUnsupported = 900,
  cudaErrorStreamCaptureInvalidated = 901,
  cudaErrorLaunchFailure = 719,
};

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

enum cudaStreamCaptureMode {
  cudaStreamCaptureModeGlobal = 0,
  cudaStreamCaptureModeThreadLocal = 1,
  cudaStreamCaptureModeRelaxed = 2,
};

constexpr unsigned cudaStreamDefault = 0;
constexpr unsigned cudaStreamNonBlocking = 1;

struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int maxThreadsPerBlock;
  int multiProcessorCount;
  int warpSize;
  int major;
  int minor;
};

typedef struct SlimEmuStream *cudaStream_t;
typedef struct SlimEmuEvent *cudaEvent_t;
typedef struct SlimEmuGraph *cudaGraph_t;
typedef struct SlimEmuGraphExec *cudaGraphExec_t;

const char *cudaGetErrorString(cudaError_t error);
const char *cudaGetErrorName(cudaError_t error);
/// Returns and clears the last error of this OS thread.
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();

/// One emulated device, "SIMT emulation", compute capability 8.0.
cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int *device);
cudaError_t cudaDeviceSynchronize();

/// Host memory aligned to 256 bytes, as cudaMalloc guarantees.
cudaError_t cudaMalloc(void **ptr, size_t bytes);
cudaError_t cudaFree(void *ptr);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes,
                       cudaMemcpyKind kind);
cudaError_t cudaMemset(void *ptr, int value, size_t bytes);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes,
                            cudaMemcpyKind kind, cudaStream_t stream = nullptr);
cudaError_t cudaMemsetAsync(void *ptr, int value, size_t bytes,
                            cudaStream_t stream = nullptr);

cudaError_t cudaStreamCreate(cudaStream_t *stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);

cudaError_t cudaEventCreate(cudaEvent_t *event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = nullptr);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end);

cudaError_t cudaStreamBeginCapture(cudaStream_t stream,
                                   cudaStreamCaptureMode mode);
cudaError_t cudaStreamEndCapture(cudaStream_t stream, cudaGraph_t *graph);
cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t graph,
                                 unsigned long long flags = 0);
cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t stream);
cudaError_t cudaGraphExecDestroy(cudaGraphExec_t exec);
cudaError_t cudaGraphDestroy(cudaGraph_t graph);

namespace slim_emu {
/// Number of operations recorded in `graph` (for tests of the emulation).
size_t graphNodeCount(cudaGraph_t graph);
} // namespace slim_emu

#endif // SLIM_TEST_CUDA_SIMT_EMULATION_H
