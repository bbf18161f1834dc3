//===- test_util.h - Buffers and comparisons for the CUDA tests -*- C++ -*-===//
//
// Written against the CUDA runtime API only, so the kernel tests run the
// same under the SIMT emulation and (built with nvcc) on a GPU.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_TEST_CUDA_TEST_UTIL_H
#define SLIM_TEST_CUDA_TEST_UTIL_H

#include "slim/cuda/device.cuh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace slim {
namespace cuda {
namespace test {

/// Fills the channels a kernel must neither read nor write: a wrong read
/// makes results huge, a stray write replaces it.
constexpr float kSentinel = 1.0e30f;

/// Uniform values in [lo, hi), reproducible per seed.
inline std::vector<float> randomVector(size_t count, uint32_t seed,
                                       float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// A device copy of a host vector; copies back with `download`.
class DeviceBuffer {
public:
  explicit DeviceBuffer(const std::vector<float> &host) : count(host.size()) {
    EXPECT_EQ(
        cudaMalloc(reinterpret_cast<void **>(&ptr), count * sizeof(float)),
        cudaSuccess);
    EXPECT_EQ(cudaMemcpy(ptr, host.data(), count * sizeof(float),
                         cudaMemcpyHostToDevice),
              cudaSuccess);
  }
  ~DeviceBuffer() { cudaFree(ptr); }
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;

  float *get() const { return ptr; }
  /// Overwrites the device copy with `host` (same element count).
  void upload(const std::vector<float> &host) {
    ASSERT_EQ(host.size(), count);
    EXPECT_EQ(cudaMemcpy(ptr, host.data(), count * sizeof(float),
                         cudaMemcpyHostToDevice),
              cudaSuccess);
  }
  std::vector<float> download() const {
    std::vector<float> host(count);
    EXPECT_EQ(cudaMemcpy(host.data(), ptr, count * sizeof(float),
                         cudaMemcpyDeviceToHost),
              cudaSuccess);
    return host;
  }

private:
  float *ptr = nullptr;
  size_t count;
};

/// `dense` ([outer][c]) placed at channels [offset, offset + c) of a
/// [outer][stride] tensor whose other channels hold kSentinel.
inline std::vector<float> embedChannels(const std::vector<float> &dense,
                                        int64_t outer, int64_t c,
                                        int64_t offset, int64_t stride) {
  std::vector<float> out(outer * stride, kSentinel);
  for (int64_t i = 0; i < outer; ++i)
    std::copy(dense.begin() + i * c, dense.begin() + (i + 1) * c,
              out.begin() + i * stride + offset);
  return out;
}

/// The kernels' tolerance: |got - want| <= 1e-5 * max|want| (plus a tiny
/// floor for all-zero outputs). The reference sums in double, the kernels
/// in float in another order (tiles, split-K, FMA on a GPU): for sums of up
/// to ~10^3 terms of size ~1 that rounding stays near 1e-6 of the largest
/// output, while any wrong index or lost tile changes results by O(1).
inline ::testing::AssertionResult matchesSlice(const std::vector<float> &got,
                                               const std::vector<float> &want,
                                               int64_t outer, int64_t c,
                                               int64_t offset, int64_t stride) {
  float maxAbs = 0.0f;
  for (float v : want)
    maxAbs = std::max(maxAbs, std::fabs(v));
  float tol = 1e-5f * std::max(maxAbs, 1e-6f);
  for (int64_t i = 0; i < outer; ++i)
    for (int64_t j = 0; j < stride; ++j) {
      float g = got[i * stride + j];
      bool inSlice = j >= offset && j < offset + c;
      if (!inSlice) {
        if (g != kSentinel)
          return ::testing::AssertionFailure()
                 << "wrote outside its slice at row " << i << " channel " << j
                 << ": " << g;
        continue;
      }
      float w = want[i * c + j - offset];
      if (!(std::fabs(g - w) <= tol))
        return ::testing::AssertionFailure()
               << "row " << i << " channel " << j - offset << ": got " << g
               << ", want " << w << " (tolerance " << tol << ")";
    }
  return ::testing::AssertionSuccess();
}

/// Same, for a dense result.
inline ::testing::AssertionResult matches(const std::vector<float> &got,
                                          const std::vector<float> &want) {
  return matchesSlice(got, want, 1, static_cast<int64_t>(want.size()), 0,
                      static_cast<int64_t>(want.size()));
}

} // namespace test
} // namespace cuda
} // namespace slim

#endif // SLIM_TEST_CUDA_TEST_UTIL_H
