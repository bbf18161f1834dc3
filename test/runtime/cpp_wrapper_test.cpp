//===- cpp_wrapper_test.cpp - The header-only C++ wrapper -----------------===//

#include "slim/slim_runtime.hpp"

#include <gtest/gtest.h>

namespace {
std::string model() {
  return std::string(SLIM_TEST_MODEL_DIR) + "/test_dense.so";
}
} // namespace

TEST(CppWrapper, OpenRunAndErrors) {
  slim::Model m = slim::Model::open(model());
  EXPECT_EQ(m.name(), "test_dense");
  EXPECT_EQ(m.numVariables(), 5u);
  EXPECT_STREQ(m.input(0).name, "x");
  m.initializeVariables(3);
  auto w = m.getVariable<float>("net/fc1/weights");
  EXPECT_EQ(w.size(), 32u);
  m.setVariable("net/fc1/weights", w);
  EXPECT_GE(m.regularizationLoss(), 0.0);

  slim::Context ctx = m.createContext();
  std::vector<float> x(8, 1.0f), logits(6), probs(6);
  ctx.enableProfiling(true);
  ctx.run({x.data()}, {logits.data(), probs.data()});
  EXPECT_EQ(ctx.profile().size(), 3u);
  EXPECT_EQ(ctx.profile()[0].calls, 1u);

  try {
    m.getVariable<float>("nope");
    FAIL();
  } catch (const slim::Error &e) {
    EXPECT_EQ(e.code(), SLIM_STATUS_NOT_FOUND);
    EXPECT_NE(std::string(e.what()).find("has no variable 'nope'"),
              std::string::npos);
  }
  EXPECT_THROW(slim::Model::open("/nonexistent.so"), slim::Error);
  EXPECT_THROW(ctx.run({}, {}), slim::Error);

  // Moves transfer ownership; the moved-from handle is empty.
  slim::Model moved = std::move(m);
  EXPECT_FALSE(m);
  EXPECT_TRUE(moved);
}
