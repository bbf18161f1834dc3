//===- TrainArenaTest.cpp - The train step's arena plan -------------------===//
//
// Liveness of arena slices from train-step C++ (statement groups, blocks,
// loop headers, pointers declared from slices), the first-fit plan (slices
// with disjoint lives share bytes, live ones never do) and the check that
// the emitter runs on every plan.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/TrainArena.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir::slim::codegen;

namespace {

struct Planned {
  llvm::SmallVector<ArenaSlice> slices;
  llvm::StringMap<unsigned> names;
};

Planned liveness(llvm::StringRef body, unsigned n) {
  Planned p;
  p.slices.resize(n);
  for (unsigned i = 0; i < n; ++i)
    p.names["t" + std::to_string(i)] = i;
  computeArenaLiveness(body, p.names, p.slices);
  return p;
}

TEST(TrainArena, LivenessByStatementGroup) {
  Planned p = liveness("f(x, t0);\n"    // 0
                       "g(t0, t1);\n"   // 1
                       "{\n"            // 2: the block is one group
                       "  h(t1, t2);\n" //
                       "  k(t2);\n"     //
                       "}\n"            //
                       "for (i = 0; i < 4; ++i)\n"
                       "  t3[i] = t2[i];\n" // 3: header + body
                       "// t4 in a comment is no use\n"
                       "m(\"t4\");\n", // 4: nor in a string
                       5);
  EXPECT_EQ(p.slices[0].first, 0);
  EXPECT_EQ(p.slices[0].last, 1);
  EXPECT_EQ(p.slices[1].first, 1);
  EXPECT_EQ(p.slices[1].last, 2);
  EXPECT_EQ(p.slices[2].first, 2);
  EXPECT_EQ(p.slices[2].last, 3);
  EXPECT_EQ(p.slices[3].first, 3);
  EXPECT_EQ(p.slices[3].last, 3);
  EXPECT_EQ(p.slices[4].first, -1);
}

TEST(TrainArena, DeclaredPointersExtendLives) {
  Planned p = liveness("f(t0, t1);\n"                        // 0
                       "float *const x = t0 + 8;\n"          // 1
                       "const float *const srcs[] = {t1};\n" // 2
                       "g();\n"                              // 3
                       "h(x, srcs);\n",                      // 4
                       2);
  EXPECT_EQ(p.slices[0].last, 4);
  EXPECT_EQ(p.slices[1].last, 4);
}

TEST(TrainArena, DisjointLivesShareBytes) {
  // A chain: each slice is read by the next statement only.
  Planned p = liveness("a(t0);\nb(t0, t1);\nc(t1, t2);\nd(t2, t3);\n", 4);
  for (ArenaSlice &s : p.slices)
    s.bytes = 1024;
  uint64_t size = planArena(p.slices);
  EXPECT_EQ(size, 2048u);
  EXPECT_EQ(checkArenaPlan(p.slices), "");
  EXPECT_NE(p.slices[0].offset, p.slices[1].offset);
  EXPECT_EQ(p.slices[0].offset, p.slices[2].offset);
}

TEST(TrainArena, RandomPlansNeverOverlapLiveSlices) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    llvm::SmallVector<ArenaSlice> slices(1 + rng() % 60);
    uint64_t sum = 0;
    for (ArenaSlice &s : slices) {
      s.bytes = 64 * (1 + rng() % 32);
      s.first = rng() % 40;
      s.last = s.first + rng() % 10;
      sum += s.bytes;
    }
    uint64_t size = planArena(slices);
    ASSERT_EQ(checkArenaPlan(slices), "") << "trial " << trial;
    EXPECT_LE(size, sum);
    for (const ArenaSlice &s : slices)
      EXPECT_LE(s.offset + s.bytes, size);
  }
}

TEST(TrainArena, CheckFindsOverlap) {
  llvm::SmallVector<ArenaSlice> slices(2);
  slices[0] = {128, 0, 5, 0};
  slices[1] = {64, 3, 8, 64};
  EXPECT_NE(checkArenaPlan(slices), "");
  slices[1].first = 6; // now disjoint in time
  EXPECT_EQ(checkArenaPlan(slices), "");
  slices[1] = {64, 3, 8, 32}; // misaligned
  EXPECT_NE(checkArenaPlan(slices), "");
}

} // namespace
