// gpu_peak.cu - measured FP32 FMA peak and device-memory bandwidth of GPU 0,
// the yardsticks bench/gpu.sh divides achieved rates by.
//
// Peak: every thread runs 8 independent FMA chains in registers (enough to
// cover the FMA pipeline latency), 4 blocks per SM of 256 threads; an FMA
// counts 2 FLOPs. Bandwidth: a grid-stride float4 copy of 1 GiB (read +
// write bytes counted). Prints two lines:
//   peak_fp32_tflops <value>
//   dram_copy_gbps <value>
// Build: nvcc -O3 -arch=sm_80 -o gpu_peak gpu_peak.cu
#include <cstdio>
#include <cuda_runtime.h>

#define CHECK(x)                                                               \
  do {                                                                         \
    cudaError_t e = (x);                                                       \
    if (e != cudaSuccess) {                                                    \
      std::fprintf(stderr, "gpu_peak: %s: %s\n", #x, cudaGetErrorString(e));   \
      return 1;                                                                \
    }                                                                          \
  } while (0)

constexpr int kChains = 8;
constexpr int kIters = 4096;

__global__ void fmaChains(float *out, float a, float b) {
  float acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = threadIdx.x + i;
  for (int it = 0; it < kIters; ++it)
#pragma unroll
    for (int i = 0; i < kChains; ++i)
      acc[i] = fmaf(acc[i], a, b);
  float sum = 0.0f;
  for (int i = 0; i < kChains; ++i)
    sum += acc[i];
  // Written so the compiler cannot drop the chains.
  if (sum == 12345.0f)
    out[blockIdx.x * blockDim.x + threadIdx.x] = sum;
}

__global__ void copyKernel(const float4 *src, float4 *dst, size_t n) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n;
       i += size_t(gridDim.x) * blockDim.x)
    dst[i] = src[i];
}

int main() {
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  int blocks = prop.multiProcessorCount * 4, threads = 256;
  float *out;
  CHECK(cudaMalloc(&out, sizeof(float) * blocks * threads));
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  float best = 1e30f;
  for (int rep = 0; rep < 5; ++rep) {
    CHECK(cudaEventRecord(start));
    fmaChains<<<blocks * 16, threads>>>(out, 0.999f, 0.001f);
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float ms;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    best = ms < best ? ms : best;
  }
  double flops = 2.0 * kChains * kIters * double(blocks) * 16 * threads;
  std::printf("peak_fp32_tflops %.2f\n", flops / (best * 1e-3) / 1e12);

  size_t bytes = size_t(1) << 30, n = bytes / sizeof(float4);
  float4 *a, *b;
  CHECK(cudaMalloc(&a, bytes));
  CHECK(cudaMalloc(&b, bytes));
  CHECK(cudaMemset(a, 0, bytes));
  best = 1e30f;
  for (int rep = 0; rep < 5; ++rep) {
    CHECK(cudaEventRecord(start));
    copyKernel<<<prop.multiProcessorCount * 8, 512>>>(a, b, n);
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float ms;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    best = ms < best ? ms : best;
  }
  std::printf("dram_copy_gbps %.1f\n", 2.0 * bytes / (best * 1e-3) / 1e9);
  std::printf("gpu %s sm_%d%d sms %d\n", prop.name, prop.major, prop.minor,
              prop.multiProcessorCount);
  return 0;
}
