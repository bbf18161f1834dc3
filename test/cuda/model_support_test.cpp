//===- model_support_test.cpp - runModel: graphs, errors, profiling -------===//
//
// slim::cuda::runModel under the SIMT emulation, with a one-layer "model"
// (y = a + b): capture on the first run, replay, capture again when a buffer
// changes, and the error paths a GPU is strict about (a failed layer must
// not leave the stream capturing; an earlier call's error must not be
// reported as a layer's).
//
//===----------------------------------------------------------------------===//
#include "test_util.h"

#include "slim/cuda/eltwise.cuh"
#include "slim/cuda/model_support.cuh"

#include <gtest/gtest.h>

#include <vector>

using namespace slim::cuda;
using namespace slim::cuda::test;

namespace {

class RunModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(contextCreate(&context, nullptr, 0), 0);
    env.error = error;
    env.error_size = sizeof(error);
    env.device_context = context;
  }
  void TearDown() override { contextDestroy(context); }

  /// Runs y = a + b over 4 floats as a one-layer model keyed on its buffers.
  int32_t runAdd(const float *a, const float *b, float *y) {
    std::vector<const void *> key = {a, b, y};
    return runModel(&env, 1, key, [&](cudaStream_t stream, LayerTimer *timer) {
      if (timer)
        timer->begin(0);
      cudaError_t err = add(a, b, y, 4, Activation::None, stream);
      if (timer && err == cudaSuccess)
        err = timer->end(0);
      return err;
    });
  }

  void *context = nullptr;
  char error[256] = {};
  slim_exec_env env = {};
};

const std::vector<float> kA = {1, 2, 3, 4}, kB = {10, 20, 30, 40};
const std::vector<float> kSum = {11, 22, 33, 44};

TEST_F(RunModelTest, CapturesReplaysAndRecapturesOnNewBuffers) {
  auto *state = static_cast<DeviceContext *>(context);
  DeviceBuffer a(kA), b(kB), y1(std::vector<float>(4)),
      y2(std::vector<float>(4));
  // First run with these buffers: eager (modules load before any capture).
  ASSERT_EQ(runAdd(a.get(), b.get(), y1.get()), 0) << error;
  EXPECT_EQ(y1.download(), kSum);
  EXPECT_EQ(state->graph, nullptr);
  // Second: captured and launched.
  y1.upload(std::vector<float>(4));
  ASSERT_EQ(runAdd(a.get(), b.get(), y1.get()), 0) << error;
  ASSERT_NE(state->graph, nullptr);
  EXPECT_EQ(y1.download(), kSum);
  // Third: the same graph replayed, and it really computes.
  cudaGraphExec_t captured = state->graph;
  y1.upload(std::vector<float>(4));
  ASSERT_EQ(runAdd(a.get(), b.get(), y1.get()), 0) << error;
  EXPECT_EQ(state->graph, captured);
  EXPECT_EQ(y1.download(), kSum);
  // A new output buffer: the graph baked in y1, so it must not be replayed;
  // the new buffers run eagerly once, then are captured again.
  ASSERT_EQ(runAdd(a.get(), b.get(), y2.get()), 0) << error;
  EXPECT_EQ(y2.download(), kSum);
  y2.upload(std::vector<float>(4));
  ASSERT_EQ(runAdd(a.get(), b.get(), y2.get()), 0) << error;
  EXPECT_EQ(y2.download(), kSum);
  EXPECT_EQ(state->graphKey,
            (std::vector<const void *>{a.get(), b.get(), y2.get()}));
}

// cudaGetLastError() after a launch returns the last error of any runtime
// call of the thread: one left by an earlier, unrelated call must not fail
// the model's first layer.
TEST_F(RunModelTest, EarlierErrorIsNotBlamedOnALayer) {
  DeviceBuffer a(kA), b(kB), y(std::vector<float>(4));
  ASSERT_NE(cudaStreamDestroy(nullptr), cudaSuccess); // leaves a last error
  ASSERT_EQ(runAdd(a.get(), b.get(), y.get()), 0) << error;
  EXPECT_EQ(y.download(), kSum);
  // Eager launches (SLIM_CUDA_GRAPHS=0 path) and profiled runs alike.
  ASSERT_NE(cudaStreamDestroy(nullptr), cudaSuccess);
  slim_profiler prof = {};
  prof.elapsed = [](void *, int32_t, double) {};
  env.profiler = &prof;
  EXPECT_EQ(runAdd(a.get(), b.get(), y.get()), 0) << error;
}

// A layer failing while the stream captures: runModel must end the capture
// (a stream left capturing would fail every later run) and report the
// layer's error.
TEST_F(RunModelTest, FailedLayerEndsTheCapture) {
  DeviceBuffer a(kA), b(kB), y(std::vector<float>(4));
  std::vector<const void *> key = {a.get()};
  auto failing = [&](cudaStream_t stream, LayerTimer *) {
    return launch(addKernel<float>, dim3(1), dim3(2048), 0, stream, a.get(),
                  b.get(), y.get(), int64_t(4), Activation::None);
  };
  // The first run is eager and fails; the second captures and fails.
  EXPECT_NE(runModel(&env, 1, key, failing), 0);
  error[0] = '\0';
  EXPECT_NE(runModel(&env, 1, key, failing), 0);
  EXPECT_EQ(static_cast<DeviceContext *>(context)->graph, nullptr);
  EXPECT_NE(std::string(error).find("a layer failed"), std::string::npos)
      << error;
  ASSERT_EQ(runAdd(a.get(), b.get(), y.get()), 0) << error;
  EXPECT_EQ(y.download(), kSum);
}

TEST_F(RunModelTest, ProfiledRunReportsEveryLayer) {
  DeviceBuffer a(kA), b(kB), y(std::vector<float>(4));
  static int reports;
  reports = 0;
  slim_profiler prof = {};
  prof.elapsed = [](void *, int32_t layer, double ns) {
    EXPECT_EQ(layer, 0);
    EXPECT_GE(ns, 0.0);
    ++reports;
  };
  env.profiler = &prof;
  ASSERT_EQ(runAdd(a.get(), b.get(), y.get()), 0) << error;
  EXPECT_EQ(reports, 1);
  EXPECT_EQ(y.download(), kSum);
}

} // namespace
