//===- emulation_test.cpp - Tests of the SIMT emulation itself ------------===//
//
// The kernel tests are only as good as the emulation under them: these check
// that a barrier really orders a block, that shuffles exchange lane values,
// that shared memory starts out poisoned, that launch errors are reported,
// and that graph capture records instead of running.
//
//===----------------------------------------------------------------------===//
#include "slim/cuda/device.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using slim::cuda::launch;

namespace {

/// Each thread writes its id to shared memory, then reads its neighbour's:
/// correct only if no thread reads before every thread has written.
template <bool kBarrier> __global__ void neighbourKernel(int *out) {
  SLIM_DYNAMIC_SHARED(int, ids);
  int t = threadIdx.x;
  ids[t] = t;
  if (kBarrier)
    __syncthreads();
  out[blockIdx.x * blockDim.x + t] = ids[(t + 1) % blockDim.x];
}

TEST(SimtEmulation, BarrierOrdersTheBlock) {
  constexpr int kThreads = 96, kBlocks = 3;
  std::vector<int> out(kThreads * kBlocks, -1);
  ASSERT_EQ(launch(neighbourKernel<true>, dim3(kBlocks), dim3(kThreads),
                   kThreads * sizeof(int), nullptr, out.data()),
            cudaSuccess);
  for (int b = 0; b < kBlocks; ++b)
    for (int t = 0; t < kThreads; ++t)
      EXPECT_EQ(out[b * kThreads + t], (t + 1) % kThreads);
}

TEST(SimtEmulation, MissingBarrierReadsPoison) {
  // Without the barrier thread 0 runs to completion before thread 1 has
  // written: it must see the poison, not the value.
  constexpr int kThreads = 64;
  std::vector<int> out(kThreads, -1);
  ASSERT_EQ(launch(neighbourKernel<false>, dim3(1), dim3(kThreads),
                   kThreads * sizeof(int), nullptr, out.data()),
            cudaSuccess);
  EXPECT_NE(out[0], 1);
}

__global__ void poisonKernel(float *out) {
  SLIM_DYNAMIC_SHARED(float, smem);
  // Read before any write, then dirty it for the next block.
  out[blockIdx.x] = smem[threadIdx.x];
  __syncthreads();
  smem[threadIdx.x] = 1.0f;
}

TEST(SimtEmulation, SharedMemoryIsPoisonedPerBlock) {
  std::vector<float> out(4, 0.0f);
  ASSERT_EQ(launch(poisonKernel, dim3(4), dim3(1), sizeof(float), nullptr,
                   out.data()),
            cudaSuccess);
  for (float v : out)
    EXPECT_TRUE(std::isnan(v));
}

__global__ void overrunKernel(float *) {
  SLIM_DYNAMIC_SHARED(float, smem);
  smem[threadIdx.x] = 0.0f; // one float too many
}

TEST(SimtEmulation, SharedMemoryOverrunFailsTheLaunch) {
  cudaGetLastError();
  // The emulated launch returns its error and leaves it as the last error...
  EXPECT_EQ(::slim_emu::launch(dim3(1), dim3(5), 4 * sizeof(float), nullptr,
                               [] { overrunKernel(nullptr); }),
            cudaErrorLaunchFailure);
  EXPECT_EQ(cudaGetLastError(), cudaErrorLaunchFailure);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  // ...which slim::cuda::launch reads with cudaGetLastError(), as it does
  // after a GPU launch (where a fault would only show at the next sync).
  EXPECT_EQ(launch(overrunKernel, dim3(1), dim3(5), 4 * sizeof(float), nullptr,
                   static_cast<float *>(nullptr)),
            cudaErrorLaunchFailure);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
}

// slim::cuda::launch reports cudaGetLastError() like the GPU build, so an
// error left by an earlier call comes back from the next launch (runModel
// clears it first; see model_support_test.cpp).
__global__ void emptyKernel(int *) {}

TEST(SimtEmulation, LaunchReportsAnEarlierCallsError) {
  cudaGetLastError();
  ASSERT_NE(cudaStreamDestroy(nullptr), cudaSuccess);
  EXPECT_EQ(launch(emptyKernel, dim3(1), dim3(32), 0, nullptr,
                   static_cast<int *>(nullptr)),
            cudaErrorInvalidResourceHandle);
  EXPECT_EQ(launch(emptyKernel, dim3(1), dim3(32), 0, nullptr,
                   static_cast<int *>(nullptr)),
            cudaSuccess);
}

__global__ void divergentBarrierKernel(int *) {
  if (threadIdx.x == 0)
    return;
  __syncthreads();
}

TEST(SimtEmulation, BarrierNotReachedByAllFails) {
  EXPECT_EQ(launch(divergentBarrierKernel, dim3(1), dim3(32), 0, nullptr,
                   static_cast<int *>(nullptr)),
            cudaErrorLaunchFailure);
  cudaGetLastError();
}

/// Warp sum by a shuffle-down tree, and by a butterfly that leaves the sum
/// in every lane.
__global__ void warpSumKernel(const float *in, float *down, float *xorAll) {
  int t = threadIdx.x;
  float v = in[t], w = in[t];
  for (int offset = 16; offset > 0; offset /= 2) {
    v += __shfl_down_sync(0xffffffffu, v, offset);
    w += __shfl_xor_sync(0xffffffffu, w, offset);
  }
  if (t % 32 == 0)
    down[t / 32] = v;
  xorAll[t] = w;
}

TEST(SimtEmulation, ShuffleReductions) {
  constexpr int kThreads = 128;
  std::vector<float> in(kThreads), down(kThreads / 32), all(kThreads);
  for (int i = 0; i < kThreads; ++i)
    in[i] = static_cast<float>(i * i % 17);
  ASSERT_EQ(launch(warpSumKernel, dim3(1), dim3(kThreads), 0, nullptr,
                   in.data(), down.data(), all.data()),
            cudaSuccess);
  for (int w = 0; w < kThreads / 32; ++w) {
    float want = 0.0f;
    for (int l = 0; l < 32; ++l)
      want += in[w * 32 + l];
    EXPECT_EQ(down[w], want);
    for (int l = 0; l < 32; ++l)
      EXPECT_EQ(all[w * 32 + l], want);
  }
}

__global__ void shuffleEdgeKernel(int *out) {
  int lane = threadIdx.x % 32;
  out[threadIdx.x] = __shfl_down_sync(0xffffffffu, lane, 4);
}

TEST(SimtEmulation, ShuffleDownKeepsOwnValueAtTheEnd) {
  std::vector<int> out(64);
  ASSERT_EQ(
      launch(shuffleEdgeKernel, dim3(1), dim3(64), 0, nullptr, out.data()),
      cudaSuccess);
  for (int t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], t % 32 < 28 ? t % 32 + 4 : t % 32);
}

__global__ void coordsKernel(int *out) {
  int block = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
  int thread =
      (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  int perBlock = blockDim.x * blockDim.y * blockDim.z;
  out[block * perBlock + thread] = block * 1000 + thread;
}

TEST(SimtEmulation, EveryThreadOfEveryBlockRunsOnce) {
  dim3 grid(3, 2, 2), block(4, 3, 2);
  std::vector<int> out(12 * 24, -1);
  ASSERT_EQ(launch(coordsKernel, grid, block, 0, nullptr, out.data()),
            cudaSuccess);
  for (int b = 0; b < 12; ++b)
    for (int t = 0; t < 24; ++t)
      EXPECT_EQ(out[b * 24 + t], b * 1000 + t);
}

TEST(SimtEmulation, LaunchLimits) {
  std::vector<int> out(2048);
  EXPECT_EQ(launch(coordsKernel, dim3(1), dim3(2048), 0, nullptr, out.data()),
            cudaErrorInvalidConfiguration);
  EXPECT_EQ(
      launch(coordsKernel, dim3(1), dim3(32), 64 * 1024, nullptr, out.data()),
      cudaErrorInvalidValue);
  cudaGetLastError();
}

__global__ void incrementKernel(float *x, int count) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < count)
    x[i] += 1.0f;
}

TEST(SimtEmulation, GraphCaptureRecordsAndReplays) {
  constexpr int kCount = 100;
  float *dev = nullptr;
  ASSERT_EQ(cudaMalloc(reinterpret_cast<void **>(&dev), kCount * 4),
            cudaSuccess);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(dev) % 256, 0u);
  std::vector<float> host(kCount, 5.0f), back(kCount, 0.0f);
  cudaStream_t stream;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);

  cudaGraph_t graph;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal),
            cudaSuccess);
  cudaMemsetAsync(dev, 0, kCount * 4, stream);
  cudaMemcpyAsync(dev, host.data(), kCount * 4, cudaMemcpyHostToDevice, stream);
  ASSERT_EQ(launch(incrementKernel, dim3(4), dim3(32), 0, stream, dev, kCount),
            cudaSuccess);
  cudaMemcpyAsync(back.data(), dev, kCount * 4, cudaMemcpyDeviceToHost, stream);
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  EXPECT_EQ(slim_emu::graphNodeCount(graph), 4u);
  // Captured, not run.
  EXPECT_EQ(back[0], 0.0f);

  cudaGraphExec_t exec;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  host.assign(kCount, 41.0f); // a replay reads the host buffer anew
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  for (float v : back)
    EXPECT_EQ(v, 42.0f);
  host.assign(kCount, 1.0f);
  ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
  EXPECT_EQ(back[kCount - 1], 2.0f);

  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  cudaStreamDestroy(stream);
  cudaFree(dev);
}

TEST(SimtEmulation, EventsAndDeviceQueries) {
  int count = 0;
  ASSERT_EQ(cudaGetDeviceCount(&count), cudaSuccess);
  EXPECT_EQ(count, 1);
  cudaDeviceProp prop;
  ASSERT_EQ(cudaGetDeviceProperties(&prop, 0), cudaSuccess);
  EXPECT_GE(prop.major, 8);
  EXPECT_GT(prop.totalGlobalMem, 0u);
  EXPECT_EQ(cudaGetDeviceProperties(&prop, 1), cudaErrorInvalidDevice);
  EXPECT_EQ(cudaGetLastError(), cudaErrorInvalidDevice);
  EXPECT_STREQ(cudaGetErrorString(cudaErrorInvalidDevice),
               "invalid device ordinal");

  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  cudaEventRecord(start);
  std::vector<float> x(1000, 0.0f);
  launch(incrementKernel, dim3(8), dim3(128), 0, nullptr, x.data(), 1000);
  cudaEventRecord(stop);
  cudaEventSynchronize(stop);
  float ms = -1.0f;
  ASSERT_EQ(cudaEventElapsedTime(&ms, start, stop), cudaSuccess);
  EXPECT_GE(ms, 0.0f);
  EXPECT_EQ(x[999], 1.0f);
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
}

/// Thread t reads shared floats [offset + 4t, offset + 4t + 4) with load4
/// (or load2 of the first two) and writes their sum.
template <bool kWide> __global__ void vectorLoadKernel(int offset, float *out) {
  SLIM_DYNAMIC_SHARED(float, smem);
  int t = threadIdx.x;
  for (int i = 0; i < 4; ++i)
    smem[4 * t + i] = float(4 * t + i);
  smem[4 * blockDim.x + t] = 0.0f;
  __syncthreads();
  const float *p = smem + offset + 4 * t;
  if (kWide) {
    float4 v = slim::cuda::load4(p);
    out[t] = v.x + v.y + v.z + v.w;
  } else {
    float2 v = slim::cuda::load2(p);
    out[t] = v.x + v.y;
  }
}

TEST(SimtEmulation, MisalignedVectorLoadFailsTheLaunch) {
  constexpr int kThreads = 32;
  size_t smem = 5 * kThreads * sizeof(float);
  std::vector<float> out(kThreads, -1.0f);
  ASSERT_EQ(launch(vectorLoadKernel<true>, dim3(1), dim3(kThreads), smem,
                   nullptr, 0, out.data()),
            cudaSuccess);
  EXPECT_EQ(out[1], 4.0f + 5.0f + 6.0f + 7.0f);
  ASSERT_EQ(launch(vectorLoadKernel<false>, dim3(1), dim3(kThreads), smem,
                   nullptr, 2, out.data()),
            cudaSuccess); // 8-byte aligned is enough for a float2
  EXPECT_EQ(out[1], 6.0f + 7.0f);
  EXPECT_EQ(launch(vectorLoadKernel<true>, dim3(1), dim3(kThreads), smem,
                   nullptr, 2, out.data()),
            cudaErrorLaunchFailure);
  EXPECT_EQ(launch(vectorLoadKernel<true>, dim3(1), dim3(kThreads), smem,
                   nullptr, 1, out.data()),
            cudaErrorLaunchFailure);
  EXPECT_EQ(launch(vectorLoadKernel<false>, dim3(1), dim3(kThreads), smem,
                   nullptr, 1, out.data()),
            cudaErrorLaunchFailure);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess); // reported once, then cleared
}

TEST(SimtEmulation, MultiprocessorCountIsCached) {
  EXPECT_EQ(slim::cuda::multiprocessorCount(), 108);
  EXPECT_EQ(slim::cuda::multiprocessorCount(), 108);
}

} // namespace
