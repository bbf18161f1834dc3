//===- cpp_wrapper_test.cpp - The header-only C++ wrapper -----------------===//

#include "slim/slim_runtime.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

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
  ctx.run({x}, {logits, probs});
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

  // Saving: safetensors by default, TensorFlow V2 on request, V1 refused.
  char dir[] = "/tmp/slim-cpp-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string base = dir;
  m.saveCheckpoint(base + "/m.safetensors");
  m.saveCheckpoint(base + "/m.ckpt", SLIM_CHECKPOINT_TF_V2);
  slim::Model back = slim::Model::open(model());
  back.loadCheckpoint(base + "/m.ckpt");
  EXPECT_EQ(back.getVariable<float>("net/fc1/weights"), w);
  back.loadCheckpoint(base + "/m.safetensors");
  EXPECT_EQ(back.getVariable<float>("net/fc1/weights"), w);
  EXPECT_THROW(m.saveCheckpoint(base + "/v1", SLIM_CHECKPOINT_TF_V1),
               slim::Error);
  std::system(("rm -rf '" + base + "'").c_str());

  // Moves transfer ownership; the moved-from handle is empty.
  slim::Model moved = std::move(m);
  EXPECT_FALSE(m);
  EXPECT_TRUE(moved);
}

TEST(CppWrapper, RunRefusesVectorsOfTheWrongSize) {
  slim::Model m = slim::Model::open(model());
  m.initializeVariables(3);
  slim::Context ctx = m.createContext();
  std::vector<float> x(8, 1.0f), logits(6), probs(6);
  ctx.run({x}, {logits, probs});

  // The message of the slim::Error a run throws, "" if it runs.
  auto refusal = [&](const std::vector<slim::ConstBuffer> &in,
                     const std::vector<slim::MutableBuffer> &out) {
    try {
      ctx.run(in, out);
    } catch (const slim::Error &e) {
      EXPECT_EQ(e.code(), SLIM_STATUS_INVALID_ARGUMENT);
      return std::string(e.what());
    }
    return std::string();
  };
  std::vector<float> shortX(7), longProbs(7);
  std::vector<double> doubleX(8);
  EXPECT_NE(refusal({shortX}, {logits, probs})
                .find("input 'x' ([2, 4] float32) needs a buffer of 32 "
                      "bytes, got 28 bytes"),
            std::string::npos);
  EXPECT_NE(refusal({x}, {logits, longProbs})
                .find("output 'probs' ([2, 3] float32) needs a buffer of 24 "
                      "bytes, got 28 bytes"),
            std::string::npos);
  // The right element count of the wrong type is caught by its bytes.
  EXPECT_NE(refusal({doubleX}, {logits, probs})
                .find("needs a buffer of 32 bytes, got 64 bytes"),
            std::string::npos);
  // Raw pointers come with their sizes.
  ctx.run({{x.data(), 32}}, {{logits.data(), 24}, {probs.data(), 24}});
  EXPECT_NE(refusal({{x.data(), 16}}, {{logits.data(), 24}, {probs.data(), 24}})
                .find("got 16 bytes"),
            std::string::npos);
}
