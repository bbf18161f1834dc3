//===- batch_test.cpp - The run-time batch API (slimc --max-batch) --------===//
//
// A hand-written model with a run-time batch 1..4 (test_batch_model.c) and a
// static one (test_model.c, batch 2): the batch queries, contexts sized for
// a batch, runs of each batch, and the errors for a batch out of range and
// buffers of the wrong size, each naming the tensor, the batch and the max.
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.h"
#include "slim/slim_runtime.hpp"
#include "test_util.h"

#include <gtest/gtest.h>

#include <cstring>
#include <dlfcn.h>
#include <vector>

namespace {

using slimtest::modelPath;

struct Model {
  explicit Model(const std::string &name) {
    std::string msg;
    EXPECT_EQ(
        slimtest::consume(slim_model_open(modelPath(name).c_str(), &m), &msg),
        SLIM_STATUS_OK)
        << msg;
  }
  ~Model() { slim_model_destroy(m); }
  slim_model *m = nullptr;
};

/// Runs `batch` samples of test_batch on `ctx`; returns y.
std::vector<float> runBatch(slim_context *ctx, int64_t batch,
                            slim_status_code expect = SLIM_STATUS_OK,
                            const char *message = "") {
  // Buffers of `batch` samples (one for a batch out of range below 1).
  size_t n = size_t(batch > 0 ? batch : 1) * 3;
  std::vector<float> x(n), y(n, -7.0f);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i);
  const void *in[] = {x.data()};
  void *out[] = {y.data()};
  size_t inSize[] = {x.size() * 4}, outSize[] = {y.size() * 4};
  std::string msg;
  EXPECT_EQ(slimtest::consume(slim_context_run_batch(ctx, batch, in, inSize, 1,
                                                     out, outSize, 1),
                              &msg),
            expect)
      << msg;
  EXPECT_NE(msg.find(message), std::string::npos) << msg;
  return y;
}

TEST(Batch, DynamicModelDescribesItsRange) {
  Model model("test_batch");
  EXPECT_EQ(slim_model_max_batch(model.m), 4);
  EXPECT_EQ(slim_model_has_dynamic_batch(model.m), 1);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 1), 128u);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 3), 256u);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 4), 320u);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 0), 0u);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 5), 0u);
  EXPECT_EQ(slim_model_max_batch(nullptr), 0);
  EXPECT_EQ(slim_model_has_dynamic_batch(nullptr), 0);
  // The infos give the max batch's shapes.
  slim_tensor_info info;
  SLIM_ASSERT_OK(slim_model_input_info(model.m, 0, &info));
  EXPECT_EQ(info.dims[0], 4);
  EXPECT_EQ(info.size_bytes, 48u);
}

TEST(Batch, RunsEveryBatchUpToTheMax) {
  Model model("test_batch");
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(model.m, nullptr, 0, &ctx));
  void *lib = dlopen(modelPath("test_batch").c_str(), RTLD_NOW | RTLD_NOLOAD);
  ASSERT_TRUE(lib);
  auto *last = static_cast<int64_t *>(dlsym(lib, "test_batch_last_batch"));
  ASSERT_TRUE(last);
  for (int64_t b = 1; b <= 4; ++b) {
    std::vector<float> y = runBatch(ctx, b);
    EXPECT_EQ(*last, b);
    for (size_t i = 0; i < y.size(); ++i)
      EXPECT_EQ(y[i], 2.0f * float(i) + 1.0f);
  }
  // slim_context_run_sized runs the context's batch.
  std::vector<float> x(12, 1.0f), y(12);
  const void *in[] = {x.data()};
  void *out[] = {y.data()};
  size_t inSize[] = {48}, outSize[] = {48};
  SLIM_ASSERT_OK(slim_context_run_sized(ctx, in, inSize, 1, out, outSize, 1));
  EXPECT_EQ(*last, 4);
  dlclose(lib);
  slim_context_destroy(ctx);
}

TEST(Batch, BatchOutOfRangeIsAnError) {
  Model model("test_batch");
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(model.m, nullptr, 0, &ctx));
  runBatch(ctx, 0, SLIM_STATUS_INVALID_ARGUMENT,
           "has batch 0; it runs batch 1 to 4");
  runBatch(ctx, 5, SLIM_STATUS_INVALID_ARGUMENT,
           "has batch 5; it runs batch 1 to 4");
  runBatch(ctx, -1, SLIM_STATUS_INVALID_ARGUMENT, "(max batch 4)");
  slim_context_destroy(ctx);
  SLIM_EXPECT_ERROR(slim_context_create_for_batch(model.m, 5, nullptr, 0, &ctx),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "a context of model 'test_batch' has batch 5");
  SLIM_EXPECT_ERROR(slim_context_create_for_batch(model.m, 0, nullptr, 0, &ctx),
                    SLIM_STATUS_INVALID_ARGUMENT, "has batch 0");
}

TEST(Batch, WrongSizesNameTheTensorTheBatchAndTheMax) {
  Model model("test_batch");
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(model.m, nullptr, 0, &ctx));
  std::vector<float> x(12), y(12);
  const void *in[] = {x.data()};
  void *out[] = {y.data()};
  // Batch 2 needs 24 bytes each; a wrong inner shape ([2, 2]) has 16.
  size_t good[] = {24}, inner[] = {16}, full[] = {48};
  SLIM_EXPECT_ERROR(slim_context_run_batch(ctx, 2, in, inner, 1, out, good, 1),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "input 'x' ([2, 3] float32, batch 2 of max 4) needs a "
                    "buffer of 24 bytes, "
                    "got 16 bytes");
  // The max batch's buffers are wrong for batch 2 too.
  SLIM_EXPECT_ERROR(
      slim_context_run_batch(ctx, 2, in, good, 1, out, full, 1),
      SLIM_STATUS_INVALID_ARGUMENT,
      "output 'y' ([2, 3] float32, batch 2 of max 4) needs a buffer "
      "of 24 bytes, got 48 bytes");
  SLIM_EXPECT_ERROR(
      slim_context_run_batch(ctx, 2, in, nullptr, 1, out, good, 1),
      SLIM_STATUS_INVALID_ARGUMENT, "input_sizes array is null");
  SLIM_ASSERT_OK(slim_context_run_batch(ctx, 2, in, good, 1, out, good, 1));
  slim_context_destroy(ctx);
}

TEST(Batch, ApplicationArenaOfExactlyTheBatchsSize) {
  Model model("test_batch");
  // 192 bytes for batch 2, then guard bytes the model must never touch.
  const size_t arena = slim_model_arena_size_for_batch(model.m, 2);
  ASSERT_EQ(arena, 192u);
  alignas(64) unsigned char buffer[192 + 64];
  std::memset(buffer, 0, sizeof(buffer));
  slim_context *ctx = nullptr;
  SLIM_EXPECT_ERROR(
      slim_context_create_for_batch(model.m, 2, buffer, arena - 1, &ctx),
      SLIM_STATUS_INVALID_ARGUMENT,
      "arena of 191 bytes is smaller than the 192 bytes model "
      "'test_batch' needs for batch 2");
  SLIM_ASSERT_OK(
      slim_context_create_for_batch(model.m, 2, buffer, arena, &ctx));
  runBatch(ctx, 2);
  for (size_t i = 0; i < arena; ++i)
    ASSERT_EQ(buffer[i], 0xAB) << i;
  for (size_t i = arena; i < sizeof(buffer); ++i)
    ASSERT_EQ(buffer[i], 0) << i;
  runBatch(ctx, 1);
  runBatch(ctx, 3, SLIM_STATUS_INVALID_ARGUMENT,
           "has batch 3; it runs batch 1 to 2 (max batch 4)");
  for (size_t i = arena; i < sizeof(buffer); ++i)
    ASSERT_EQ(buffer[i], 0) << i;
  slim_context_destroy(ctx);
}

TEST(Batch, StaticModelRunsOnlyItsBatch) {
  Model model("test_dense"); // kBatch = 2, max_batch left 0 in its def.
  EXPECT_EQ(slim_model_max_batch(model.m), 2);
  EXPECT_EQ(slim_model_has_dynamic_batch(model.m), 0);
  const slim_model_def *def = slim_model_get_definition(model.m);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 2), def->arena_size);
  EXPECT_EQ(slim_model_arena_size_for_batch(model.m, 1), 0u);
  slim_context *ctx = nullptr;
  SLIM_EXPECT_ERROR(slim_context_create_for_batch(model.m, 1, nullptr, 0, &ctx),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "has batch 1; the model has a static batch of 2");
  SLIM_ASSERT_OK(slim_context_create_for_batch(model.m, 2, nullptr, 0, &ctx));
  std::vector<float> x(8), y(6), p(6);
  const void *in[] = {x.data()};
  void *out[] = {y.data(), p.data()};
  size_t inSize[] = {32}, outSize[] = {24, 24};
  SLIM_ASSERT_OK(slim_model_initialize_variables(model.m, 1));
  SLIM_EXPECT_ERROR(
      slim_context_run_batch(ctx, 1, in, inSize, 1, out, outSize, 2),
      SLIM_STATUS_INVALID_ARGUMENT, "the model has a static batch of 2");
  SLIM_ASSERT_OK(
      slim_context_run_batch(ctx, 2, in, inSize, 1, out, outSize, 2));
  slim_context_destroy(ctx);
}

TEST(Batch, CppWrapper) {
  slim::Model model = slim::Model::open(modelPath("test_batch"));
  EXPECT_EQ(model.maxBatch(), 4);
  EXPECT_TRUE(model.hasDynamicBatch());
  EXPECT_EQ(model.arenaSizeForBatch(2), 192u);
  slim::Context ctx = model.createContext(2);
  std::vector<float> x = {1, 2, 3, 4, 5, 6}, y(6);
  ctx.runBatch(2, {x}, {y});
  EXPECT_EQ(y[5], 13.0f);
  EXPECT_THROW(ctx.runBatch(3, {x}, {y}), slim::Error);
}

TEST(Batch, DynamicModelWhoseInputLacksTheBatchIsRefused) {
  slim_model *m = nullptr;
  SLIM_EXPECT_ERROR(slim_model_open(modelPath("test_batch_bad").c_str(), &m),
                    SLIM_STATUS_INCOMPATIBLE,
                    "input 'x' does not have its max batch 4 as dim 0");
}

} // namespace
