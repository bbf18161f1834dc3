//===- group_norm_test.cpp - slim.group_norm CUDA kernel (emulated) -------===//
//
// The CUDA kernel, under the SIMT emulation, against the CPU reference:
// NHWC defaults, NCHW, kept axes between reduced ones, one-pass variance,
// more elements per statistic than a block has threads; and the launcher's
// refusal of bad arguments.
//
//===----------------------------------------------------------------------===//

#include "test_util.h"

#include "slim/cuda/group_norm.cuh"
#include "slim/kernels/reference_spatial.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using namespace slim::cuda;
using namespace slim::cuda::test;
namespace ref = slim::kernels::ref;

struct Case {
  std::vector<int64_t> dims;
  int channelAxis;
  unsigned mask;
  int64_t groups;
  bool beta, gamma, onePass;
};

TEST(CudaGroupNorm, MatchesReference) {
  const Case cases[] = {
      {{2, 9, 11, 12}, 3, 6u, 4, true, true, false}, // 297 per statistic
      {{2, 12, 5, 7}, 1, 12u, 3, false, true, false},
      {{2, 5, 7, 12}, 3, 4u, 6, true, false, true},
      {{3, 10}, 1, 0u, 5, true, true, false},
  };
  int seed = 40;
  for (const Case &k : cases) {
    int64_t total = 1;
    for (int64_t d : k.dims)
      total *= d;
    const int64_t c = k.dims[k.channelAxis];
    auto x = randomVector(total, seed++, -2.0f, 3.0f);
    auto beta = randomVector(c, seed++),
         gamma = randomVector(c, seed++, 0.5, 2);
    const int rank = static_cast<int>(k.dims.size());
    std::vector<float> want(total);
    ref::groupNorm(x.data(), want.data(), rank, k.dims.data(), k.channelAxis,
                   k.mask, k.groups, k.beta ? beta.data() : nullptr,
                   k.gamma ? gamma.data() : nullptr, 1e-5f, k.onePass);
    DeviceBuffer dx(x), db(beta), dg(gamma),
        dy(std::vector<float>(x.size(), kSentinel));
    ASSERT_EQ(groupNorm(dx.get(), dy.get(), rank, k.dims.data(), k.channelAxis,
                        k.mask, k.groups, k.beta ? db.get() : nullptr,
                        k.gamma ? dg.get() : nullptr, 1e-5f, k.onePass,
                        nullptr),
              cudaSuccess);
    EXPECT_TRUE(matches(dy.download(), want)) << "case " << seed;
  }
}

TEST(CudaGroupNorm, RejectsBadArguments) {
  const int64_t dims[] = {1, 4, 4, 6};
  std::vector<float> x(96, 1.0f);
  DeviceBuffer dx(x), dy(x);
  // 6 channels in 4 groups; the channel axis reduced; no epsilon.
  EXPECT_EQ(groupNorm(dx.get(), dy.get(), 4, dims, 3, 6u, 4, nullptr, nullptr,
                      1e-5f, false, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(groupNorm(dx.get(), dy.get(), 4, dims, 3, 8u, 2, nullptr, nullptr,
                      1e-5f, false, nullptr),
            cudaErrorInvalidValue);
  EXPECT_EQ(groupNorm(dx.get(), dy.get(), 4, dims, 3, 6u, 2, nullptr, nullptr,
                      0.0f, false, nullptr),
            cudaErrorInvalidValue);
}

} // namespace
