//===- group_norm_test.cpp - slim.group_norm CPU kernels ------------------===//
//
// The fast kernel (group_norm_layout.h's loop nests) against the reference
// (per-element index decoding), over channel axes first, inner and last,
// kept axes between reduced ones, merged axes, one group and one channel
// per group, both variance formulas; and the reference against the
// definition (each group of each image normalized to mean beta, standard
// deviation gamma).
//
//===----------------------------------------------------------------------===//

#include "test_util.h"
#include "thread_pool.h"

#include "slim/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

using namespace slim::kernels;
using slim::test::allClose;
using slim::test::randomVector;
using slim::test::ThreadPool;

struct GroupNormCase {
  std::vector<int64_t> dims;
  int channelAxis;
  unsigned mask;
  int64_t groups;
  bool beta, gamma, onePass;
};

TEST(GroupNorm, MatchesReference) {
  ThreadPool pool(2);
  const GroupNormCase cases[] = {
      {{2, 5, 7, 12}, 3, 6u, 4, true, true, false},   // NHWC defaults
      {{2, 5, 7, 12}, 3, 4u, 3, true, false, false},  // H kept between
      {{2, 12, 5, 7}, 1, 12u, 6, false, true, false}, // NCHW
      {{3, 6, 9}, 1, 4u, 6, true, true, true},        // one channel a group
      {{2, 4, 3, 5, 8}, 4, 10u, 1, true, true, true}, // one group, 3-D
      {{4, 10}, 1, 0u, 5, true, true, false},         // no reduction axes
      {{1, 3, 16, 6}, 2, 9u, 4, true, true, false},   // channels inner
  };
  int seed = 80;
  for (const GroupNormCase &k : cases) {
    int64_t total = 1;
    for (int64_t d : k.dims)
      total *= d;
    const int64_t c = k.dims[k.channelAxis];
    auto x = randomVector(total, seed++, -2.0f, 3.0f);
    auto beta = randomVector(c, seed++),
         gamma = randomVector(c, seed++, 0.5, 2);
    const float *b = k.beta ? beta.data() : nullptr;
    const float *g = k.gamma ? gamma.data() : nullptr;
    const int rank = static_cast<int>(k.dims.size());
    std::vector<float> want(total), got(total, 1e30f);
    ref::groupNorm(x.data(), want.data(), rank, k.dims.data(), k.channelAxis,
                   k.mask, k.groups, b, g, 1e-5f, k.onePass);
    groupNorm(x.data(), got.data(), rank, k.dims.data(), k.channelAxis, k.mask,
              k.groups, b, g, 1e-5f, k.onePass, pool.get());
    EXPECT_TRUE(allClose(got, want)) << "case " << seed;
  }
}

TEST(GroupNormPlan, MergesAdjacentAxes) {
  const int64_t dims[] = {2, 5, 7, 12};
  GroupNormPlan p = planGroupNorm(4, dims, 3, 6u, 4);
  EXPECT_EQ(p.stats, 8);
  EXPECT_EQ(p.count, 5 * 7 * 3);
  ASSERT_EQ(p.loops, 2); // H and W merged, then the group's channels
  EXPECT_EQ(p.loopExtent[0], 35);
  EXPECT_EQ(p.loopStride[0], 12);
  EXPECT_EQ(p.channelLoop, 1);
  int64_t c0;
  EXPECT_EQ(groupNormBase(p, 5, c0), 5 * 7 * 12 + 3);
  EXPECT_EQ(c0, 3);
}

/// Each group of each image has mean beta and standard deviation
/// gamma * sqrt(var / (var + eps)) ~ gamma when beta, gamma are the same
/// for the group's channels.
TEST(GroupNormReference, NormalizesEachGroup) {
  const int64_t n = 2, s = 40, c = 6, groups = 2;
  const int64_t dims[] = {n, s, c};
  auto x = randomVector(n * s * c, 91, -4.0f, 6.0f);
  const float beta[6] = {0.5f, 0.5f, 0.5f, -1.0f, -1.0f, -1.0f};
  const float gamma[6] = {2.0f, 2.0f, 2.0f, 0.25f, 0.25f, 0.25f};
  for (bool onePass : {false, true}) {
    std::vector<float> y(x.size());
    ref::groupNorm(x.data(), y.data(), 3, dims, 2, 2u, groups, beta, gamma,
                   1e-6f, onePass);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t g = 0; g < groups; ++g) {
        double mean = 0, sq = 0;
        for (int64_t i = 0; i < s; ++i)
          for (int64_t k = 0; k < 3; ++k)
            mean += y[(b * s + i) * c + g * 3 + k];
        mean /= s * 3;
        for (int64_t i = 0; i < s; ++i)
          for (int64_t k = 0; k < 3; ++k) {
            double d = y[(b * s + i) * c + g * 3 + k] - mean;
            sq += d * d;
          }
        EXPECT_NEAR(mean, beta[g * 3], 1e-5);
        EXPECT_NEAR(std::sqrt(sq / (s * 3)), gamma[g * 3], 1e-4);
      }
  }
}

} // namespace
