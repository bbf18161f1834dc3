//===- device_test.cpp - Device models, on a fake device ------------------===//
//
// Drives the runtime's device path with test/runtime/fake_device_model.c,
// whose "device" is host memory that it checks pointer by pointer and whose
// streams only execute at synchronize (see that file).
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.hpp"
#include "test_util.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

using namespace slimtest;

extern "C" {
const slim_model_def *fake_device_get_def(void);
const slim_model_def *test_dense_get_def(void);
void fake_device_counters(int *live_blocks, uint64_t *live_bytes,
                          int *live_contexts, int *violation_count,
                          int *context_copy_count, int *probe_count,
                          int *run_count);
void fake_device_fail_next_sync(void);
extern const double fake_device_layer_ns[2];
}

namespace {

constexpr const char *kNoDriver = "no CUDA driver (libcuda.so.1 not found)";

struct Counters {
  int blocks = 0;
  uint64_t bytes = 0;
  int contexts = 0, violations = 0, contextCopies = 0, probes = 0, runs = 0;
};

Counters counters() {
  Counters c;
  fake_device_counters(&c.blocks, &c.bytes, &c.contexts, &c.violations,
                       &c.contextCopies, &c.probes, &c.runs);
  return c;
}

/// Sets SLIM_FAKE_DEVICE_PROBE_ERROR for one scope.
struct NoDevice {
  NoDevice() { setenv("SLIM_FAKE_DEVICE_PROBE_ERROR", kNoDriver, 1); }
  ~NoDevice() { unsetenv("SLIM_FAKE_DEVICE_PROBE_ERROR"); }
};

struct Weights {
  std::vector<float> w{0.5f,  -1.0f, 2.0f,  1.5f, 0.25f, -0.5f,
                       -2.0f, 1.0f,  0.75f, 0.0f, 3.0f,  -1.25f};
  std::vector<float> scale{1.0f, 2.0f, -0.5f};
  std::vector<float> b{0.125f, -4.0f, 1.0f};
};

const float kX[8] = {1, -2, 3, 0.5f, -1, 0, 2, 4};

/// y = x @ (w * scale) + b and relu(y), in the fake's summation order.
void reference(const Weights &p, const float *x, float *y, float *relu) {
  for (int r = 0; r < 2; ++r)
    for (int j = 0; j < 3; ++j) {
      float acc = p.b[size_t(j)];
      for (int i = 0; i < 4; ++i)
        acc += x[r * 4 + i] * (p.w[size_t(i * 3 + j)] * p.scale[size_t(j)]);
      y[r * 3 + j] = acc;
      relu[r * 3 + j] = acc > 0 ? acc : 0;
    }
}

void setWeights(slim_model *m, const Weights &p) {
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/weights", p.w.data(), 48));
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/scale", p.scale.data(), 12));
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/biases", p.b.data(), 12));
}

slim_model *openFake() {
  slim_model *m = nullptr;
  slim_status s = slim_model_open_def(fake_device_get_def(), &m);
  EXPECT_EQ(s, SLIM_OK) << slim_status_get_message(s);
  slim_status_destroy(s);
  return m;
}

/// Runs on host buffers and expects the reference outputs exactly (same
/// float operations in the same order).
void expectRun(slim_context *ctx, const Weights &p, const float *x = kX) {
  float y[6], relu[6], wantY[6], wantRelu[6];
  std::memset(y, 0xFF, sizeof(y)); // NaN: unwritten outputs show.
  std::memset(relu, 0xFF, sizeof(relu));
  reference(p, x, wantY, wantRelu);
  const void *in[] = {x};
  void *out[] = {y, relu};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(y[i], wantY[i]) << i;
    EXPECT_EQ(relu[i], wantRelu[i]) << i;
  }
}

} // namespace

TEST(DeviceModel, OpenWithoutDeviceSaysWhatIsMissing) {
  Counters before = counters();
  NoDevice noDevice;
  slim_model *m = nullptr;
  std::string message;
  EXPECT_EQ(
      consume(slim_model_open(modelPath("fake_device").c_str(), &m), &message),
      SLIM_STATUS_UNAVAILABLE);
  EXPECT_EQ(message, std::string("model 'fake_device' needs a CUDA device: ") +
                         kNoDriver);
  EXPECT_EQ(m, nullptr);
  EXPECT_STREQ(slim_status_code_name(SLIM_STATUS_UNAVAILABLE), "UNAVAILABLE");
  // The statically linked definition is probed the same way, before any
  // device memory is touched.
  EXPECT_EQ(consume(slim_model_open_def(fake_device_get_def(), &m), &message),
            SLIM_STATUS_UNAVAILABLE);
  EXPECT_EQ(message, std::string("model 'fake_device' needs a CUDA device: ") +
                         kNoDriver);
  Counters after = counters();
  EXPECT_EQ(after.probes, before.probes + 1);
  EXPECT_EQ(after.blocks, before.blocks);
}

TEST(DeviceModel, MalformedDeviceFieldsAreIncompatible) {
  slim_model *m = nullptr;
  slim_model_def def = *fake_device_get_def();
  def.device = 7;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "model 'fake_device' targets unknown device kind 7");
  def = *fake_device_get_def();
  def.device_ops = nullptr;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "is a CUDA model without device operations");
  slim_device_ops ops = *fake_device_get_def()->device_ops;
  ops.context_synchronize = nullptr;
  ops.probe = nullptr;
  def = *fake_device_get_def();
  def.device_ops = &ops;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "device operations lack: probe, context_synchronize");
  def = *fake_device_get_def();
  def.device = SLIM_DEVICE_CPU;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "is a CPU model but has device operations");
  def = *fake_device_get_def();
  def.arena_alignment = 512;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "asks 512-byte arena alignment; device memory has 256");
  EXPECT_EQ(m, nullptr);
}

TEST(DeviceModel, RunsOnHostBuffersAndRestoresByName) {
  Counters before = counters();
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open(modelPath("fake_device").c_str(), &m));
  EXPECT_EQ(slim_model_device(m), SLIM_DEVICE_CUDA);
  Weights p;
  setWeights(m, p);
  TempDir dir;
  std::string ckpt = dir.file("fake.safetensors");
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, ckpt.c_str()));
  slim_model_destroy(m);

  m = openFake();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_load_checkpoint(m, ckpt.c_str(), nullptr));
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  expectRun(ctx, p);
  float x2[8] = {0, 1, 0, 1, 2, 2, -3, 0.25f};
  expectRun(ctx, p, x2);
  Counters after = counters();
  EXPECT_EQ(after.violations, before.violations);
  EXPECT_EQ(after.runs, before.runs + 2);
  // One input in, two outputs out, per run.
  EXPECT_EQ(after.contextCopies, before.contextCopies + 2 * 3);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, RunDeviceTakesDevicePointersWithoutCopies) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  const slim_device_ops *ops = fake_device_get_def()->device_ops;
  char err[256];
  void *dx = nullptr, *dy = nullptr, *drelu = nullptr;
  ASSERT_EQ(ops->alloc(32, &dx, err, sizeof(err)), 0);
  ASSERT_EQ(ops->alloc(24, &dy, err, sizeof(err)), 0);
  ASSERT_EQ(ops->alloc(24, &drelu, err, sizeof(err)), 0);
  ASSERT_EQ(ops->copy_to_device(dx, kX, 32, err, sizeof(err)), 0);
  Counters before = counters();
  const void *in[] = {dx};
  void *out[] = {dy, drelu};
  SLIM_ASSERT_OK(slim_context_run_device(ctx, in, 1, out, 2));
  Counters after = counters();
  EXPECT_EQ(after.contextCopies, before.contextCopies);
  EXPECT_EQ(after.violations, before.violations);
  // Synchronous: the fake writes outputs only at synchronize.
  float y[6], relu[6], wantY[6], wantRelu[6];
  reference(p, kX, wantY, wantRelu);
  ASSERT_EQ(ops->copy_to_host(y, dy, 24, err, sizeof(err)), 0);
  ASSERT_EQ(ops->copy_to_host(relu, drelu, 24, err, sizeof(err)), 0);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(y[i], wantY[i]);
    EXPECT_EQ(relu[i], wantRelu[i]);
  }

  // Host pointers reach `run` unchanged, and the model refuses them.
  float hostY[6], hostRelu[6];
  const void *hostIn[] = {kX};
  void *hostOut[] = {hostY, hostRelu};
  SLIM_EXPECT_ERROR(slim_context_run_device(ctx, hostIn, 1, hostOut, 2),
                    SLIM_STATUS_INTERNAL,
                    "model 'fake_device' failed (5): run got a pointer that "
                    "is not device memory");
  SLIM_EXPECT_ERROR(slim_context_run_device(ctx, in, 1, out, 1),
                    SLIM_STATUS_INVALID_ARGUMENT, "produces 2 outputs, got 1");
  const void *nullIn[] = {nullptr};
  SLIM_EXPECT_ERROR(slim_context_run_device(ctx, nullIn, 1, out, 2),
                    SLIM_STATUS_INVALID_ARGUMENT, "input 'x' is null");

  // The C++ wrapper forwards to the same entry.
  slim::Context wrapped;
  {
    slim_context *c2 = nullptr;
    SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &c2));
    wrapped = slim::Context(c2);
  }
  std::memset(y, 0, sizeof(y));
  ASSERT_EQ(ops->copy_to_device(dy, y, 24, err, sizeof(err)), 0);
  wrapped.runDevice({{dx, 32}}, {{dy, 24}, {drelu, 24}});
  ASSERT_EQ(ops->copy_to_host(y, dy, 24, err, sizeof(err)), 0);
  EXPECT_EQ(y[5], wantY[5]);
  try {
    wrapped.runDevice({{kX, 32}}, {{hostY, 24}, {hostRelu, 24}});
    ADD_FAILURE() << "host pointers were accepted";
  } catch (const slim::Error &e) {
    EXPECT_EQ(e.code(), SLIM_STATUS_INTERNAL);
  }
  // The wrapper passes the sizes: a short device allocation is refused
  // before the device sees it.
  try {
    wrapped.runDevice({{dx, 28}}, {{dy, 24}, {drelu, 24}});
    ADD_FAILURE() << "a 28-byte input was accepted";
  } catch (const slim::Error &e) {
    EXPECT_EQ(e.code(), SLIM_STATUS_INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find(
                  "input 'x' ([2, 4] float32) needs a buffer of 32 bytes, "
                  "got 28 bytes"),
              std::string::npos)
        << e.what();
  }
  wrapped = slim::Context();

  ops->free(dx);
  ops->free(dy);
  ops->free(drelu);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, RunDeviceSizedChecksEveryBuffer) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  const slim_device_ops *ops = fake_device_get_def()->device_ops;
  char err[256];
  void *dx = nullptr, *dy = nullptr, *drelu = nullptr;
  ASSERT_EQ(ops->alloc(32, &dx, err, sizeof(err)), 0);
  ASSERT_EQ(ops->alloc(24, &dy, err, sizeof(err)), 0);
  ASSERT_EQ(ops->alloc(24, &drelu, err, sizeof(err)), 0);
  ASSERT_EQ(ops->copy_to_device(dx, kX, 32, err, sizeof(err)), 0);
  const void *in[] = {dx};
  void *out[] = {dy, drelu};
  const size_t inSizes[] = {32}, outSizes[] = {24, 24};
  SLIM_ASSERT_OK(
      slim_context_run_device_sized(ctx, in, inSizes, 1, out, outSizes, 2));
  float y[6], relu[6], wantY[6], wantRelu[6];
  reference(p, kX, wantY, wantRelu);
  ASSERT_EQ(ops->copy_to_host(y, dy, 24, err, sizeof(err)), 0);
  EXPECT_EQ(y[0], wantY[0]);

  // A refused call leaves the device untouched: no copy, no run.
  Counters before = counters();
  const size_t bigIn[] = {36}, shortOut[] = {24, 20};
  SLIM_EXPECT_ERROR(
      slim_context_run_device_sized(ctx, in, bigIn, 1, out, outSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT,
      "input 'x' ([2, 4] float32) needs a buffer of 32 bytes, got 36 bytes");
  SLIM_EXPECT_ERROR(
      slim_context_run_device_sized(ctx, in, inSizes, 1, out, shortOut, 2),
      SLIM_STATUS_INVALID_ARGUMENT,
      "output 'relu' ([2, 3] float32) needs a buffer of 24 bytes, got 20 "
      "bytes");
  SLIM_EXPECT_ERROR(
      slim_context_run_device_sized(ctx, in, nullptr, 1, out, outSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT, "input_sizes array is null");
  Counters after = counters();
  EXPECT_EQ(after.contextCopies, before.contextCopies);

  // Host buffers go through the sized host variant, copies included.
  float hostY[6], hostRelu[6];
  const void *hostIn[] = {kX};
  void *hostOut[] = {hostY, hostRelu};
  SLIM_ASSERT_OK(
      slim_context_run_sized(ctx, hostIn, inSizes, 1, hostOut, outSizes, 2));
  EXPECT_EQ(hostRelu[5], wantRelu[5]);
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, hostIn, inSizes, 1, hostOut, shortOut, 2),
      SLIM_STATUS_INVALID_ARGUMENT,
      "output 'relu' ([2, 3] float32) needs a buffer of 24 bytes, got 20 "
      "bytes");

  ops->free(dx);
  ops->free(dy);
  ops->free(drelu);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, RunDeviceOnCpuModelFails) {
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open_def(test_dense_get_def(), &m));
  EXPECT_EQ(slim_model_device(m), SLIM_DEVICE_CPU);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[8] = {}, logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  SLIM_EXPECT_ERROR(slim_context_run_device(ctx, in, 1, out, 2),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "model 'test_dense' is a CPU model: "
                    "slim_context_run_device needs a device model");
  SLIM_EXPECT_ERROR(slim_context_run_device(nullptr, in, 1, out, 2),
                    SLIM_STATUS_INVALID_ARGUMENT, "context is null");
  const size_t inSizes[] = {32}, outSizes[] = {24, 24};
  SLIM_EXPECT_ERROR(
      slim_context_run_device_sized(ctx, in, inSizes, 1, out, outSizes, 2),
      SLIM_STATUS_FAILED_PRECONDITION,
      "model 'test_dense' is a CPU model: slim_context_run_device_sized "
      "needs a device model (use slim_context_run_sized)");
  slim_device_info info;
  SLIM_ASSERT_OK(slim_model_device_info(m, &info));
  EXPECT_EQ(info.kind, SLIM_DEVICE_CPU);
  EXPECT_STREQ(info.name, "CPU");
  EXPECT_EQ(info.total_memory_bytes, 0u);
  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.device, SLIM_DEVICE_CPU);
  EXPECT_EQ(mem.device_variable_bytes, 0u);
  EXPECT_EQ(mem.device_staging_bytes_per_context, 0u);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, ChangedVariablesAreUploadedAgain) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float y[6], relu[6];
  const void *in[] = {kX};
  void *out[] = {y, relu};
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 2),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "3 variable(s) without a value");
  Weights p;
  setWeights(m, p);
  expectRun(ctx, p);
  // A variable `run` reads itself: its device copy must follow.
  p.b = {10.0f, 20.0f, -30.0f};
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/biases", p.b.data(), 12));
  expectRun(ctx, p);
  // A prepare_only variable: the folded parameter must follow.
  p.scale = {-1.0f, 0.5f, 4.0f};
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/scale", p.scale.data(), 12));
  expectRun(ctx, p);
  // Initializers too (weights random, scale ones, biases 0.25).
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 3));
  p.w.assign(12, 0);
  SLIM_ASSERT_OK(slim_model_get_variable(m, "dense/weights", p.w.data(), 48));
  p.scale = {1, 1, 1};
  p.b = {0.25f, 0.25f, 0.25f};
  expectRun(ctx, p);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, FreezeReleasesEveryHostVariable) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  SLIM_ASSERT_OK(slim_model_freeze(m));
  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.variable_bytes, 0u);
  EXPECT_EQ(mem.released_variable_bytes, 4u * (12 + 3 + 3));
  // Device copies stay: the params and the variable `run` reads.
  EXPECT_EQ(mem.param_bytes, 4u * 12);
  EXPECT_EQ(mem.device_variable_bytes, 4u * 3);
  slim_variable_info info;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 2, &info));
  EXPECT_FALSE(info.prepare_only);
  EXPECT_TRUE(info.released);
  float b[3];
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "dense/biases", b, 12),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "was released by slim_model_freeze (only the device "
                    "copies of the weights are kept)");
  SLIM_EXPECT_ERROR(slim_model_set_variable(m, "dense/biases", b, 12),
                    SLIM_STATUS_FAILED_PRECONDITION, "is frozen");
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  expectRun(ctx, p);
  expectRun(ctx, p);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, MemoryInfoCountsDeviceBytes) {
  Counters before = counters();
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.device, SLIM_DEVICE_CUDA);
  EXPECT_EQ(mem.param_bytes, 4u * 12);
  EXPECT_EQ(mem.device_variable_bytes, 4u * 3);
  EXPECT_EQ(mem.arena_bytes_per_context, 4u * 6);
  EXPECT_EQ(mem.device_staging_bytes_per_context, 4u * (8 + 6 + 6));
  EXPECT_EQ(mem.variable_bytes, 0u);
  // What the runtime reports is what it holds on the device.
  EXPECT_EQ(counters().bytes - before.bytes,
            mem.param_bytes + mem.device_variable_bytes);
  slim_context *a = nullptr, *b = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &a));
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &b));
  EXPECT_EQ(counters().bytes - before.bytes,
            mem.param_bytes + mem.device_variable_bytes +
                2 * (mem.arena_bytes_per_context +
                     mem.device_staging_bytes_per_context));
  // Host parameter buffers exist only while prepare runs; the device bytes
  // do not change with it.
  Weights p;
  setWeights(m, p);
  expectRun(a, p);
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.variable_bytes, 4u * 18);
  EXPECT_EQ(mem.param_bytes, 4u * 12);

  slim_device_info info;
  SLIM_ASSERT_OK(slim_model_device_info(m, &info));
  EXPECT_EQ(info.kind, SLIM_DEVICE_CUDA);
  EXPECT_STREQ(info.name, "Fake Device (host memory)");
  EXPECT_EQ(info.total_memory_bytes, uint64_t(1) << 30);
  slim_context_destroy(a);
  slim_context_destroy(b);
  slim_model_destroy(m);
}

TEST(DeviceModel, DestroyFreesEveryDeviceBuffer) {
  Counters before = counters();
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  slim_context *a = nullptr, *b = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &a));
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &b));
  expectRun(a, p);
  expectRun(b, p);
  EXPECT_EQ(counters().contexts, before.contexts + 2);
  // Params, one variable copy; per context arena and three staging buffers.
  EXPECT_EQ(counters().blocks, before.blocks + 2 + 2 * 4);
  slim_context_destroy(a);
  EXPECT_EQ(counters().contexts, before.contexts + 1);
  EXPECT_EQ(counters().blocks, before.blocks + 2 + 4);
  // The model goes before its last context: the context keeps it alive.
  slim_model_destroy(m);
  expectRun(b, p);
  slim_context_destroy(b);
  Counters after = counters();
  EXPECT_EQ(after.blocks, before.blocks);
  EXPECT_EQ(after.bytes, before.bytes);
  EXPECT_EQ(after.contexts, before.contexts);
  EXPECT_EQ(after.violations, before.violations); // No foreign or double free.

  // A library opened with dlopen frees everything before it is unloaded
  // (its counters are its own copy, read through dlsym).
  SLIM_ASSERT_OK(slim_model_open(modelPath("fake_device").c_str(), &m));
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &a));
  slim_context_destroy(a);
  slim_model_destroy(m);
}

TEST(DeviceModel, ProfilesWithTheDevicesLayerTimes) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  expectRun(ctx, p); // Untimed.
  SLIM_ASSERT_OK(slim_context_enable_profiling(ctx, 1));
  for (int i = 0; i < 3; ++i)
    expectRun(ctx, p);
  ASSERT_EQ(slim_context_num_profiled_layers(ctx), 2u);
  for (size_t l = 0; l < 2; ++l) {
    slim_layer_profile prof;
    SLIM_ASSERT_OK(slim_context_layer_profile(ctx, l, &prof));
    EXPECT_EQ(prof.calls, 3u);
    EXPECT_EQ(prof.total_ns, 3 * fake_device_layer_ns[l]);
  }
  slim_layer_profile prof;
  SLIM_ASSERT_OK(slim_context_layer_profile(ctx, 0, &prof));
  EXPECT_STREQ(prof.name, "dense/matmul");
  SLIM_ASSERT_OK(slim_context_enable_profiling(ctx, 1)); // Resets.
  SLIM_ASSERT_OK(slim_context_layer_profile(ctx, 0, &prof));
  EXPECT_EQ(prof.total_ns, 0.0);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, DeviceFailuresAreInternalAndRecoverable) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  fake_device_fail_next_sync();
  float y[6], relu[6];
  const void *in[] = {kX};
  void *out[] = {y, relu};
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 2), SLIM_STATUS_INTERNAL,
                    "model 'fake_device' failed on the device: an illegal "
                    "memory access was encountered");
  expectRun(ctx, p);
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(DeviceModel, ApplicationArenaMustBeDeviceMemory) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p;
  setWeights(m, p);
  const slim_device_ops *ops = fake_device_get_def()->device_ops;
  char err[256];
  void *arena = nullptr;
  ASSERT_EQ(ops->alloc(24, &arena, err, sizeof(err)), 0);
  Counters before = counters();
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, arena, 24, &ctx));
  // Staging buffers only: the arena is the application's.
  EXPECT_EQ(counters().blocks, before.blocks + 3);
  expectRun(ctx, p);
  slim_context_destroy(ctx);

  alignas(256) static float hostArena[64];
  SLIM_ASSERT_OK(slim_context_create(m, hostArena, sizeof(hostArena), &ctx));
  float y[6], relu[6];
  const void *in[] = {kX};
  void *out[] = {y, relu};
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 2), SLIM_STATUS_INTERNAL,
                    "not device memory");
  slim_context_destroy(ctx);
  ops->free(arena);
  slim_model_destroy(m);
}

TEST(DeviceModel, ConcurrentContextsWhileVariablesChange) {
  slim_model *m = openFake();
  ASSERT_NE(m, nullptr);
  Weights p0, p1;
  p1.b = {-7.0f, 3.0f, 0.5f};
  setWeights(m, p0);
  Counters before = counters();
  constexpr int kThreads = 4, kRuns = 300;
  std::atomic<int> mismatches{0}, failures{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      slim_context *ctx = nullptr;
      if (slim_status s = slim_context_create(m, nullptr, 0, &ctx)) {
        slim_status_destroy(s);
        ++failures;
        return;
      }
      float x[8];
      for (int i = 0; i < 8; ++i)
        x[i] = float(t * 8 + i) * 0.125f - 2.0f;
      float y0[6], r0[6], y1[6], r1[6];
      reference(p0, x, y0, r0);
      reference(p1, x, y1, r1);
      for (int k = 0; k < kRuns; ++k) {
        float y[6], relu[6];
        const void *in[] = {x};
        void *out[] = {y, relu};
        if (slim_status s = slim_context_run(ctx, in, 1, out, 2)) {
          slim_status_destroy(s);
          ++failures;
          continue;
        }
        // Every run sees all old or all new weights, never a mix.
        if (std::memcmp(y, y0, sizeof(y)) && std::memcmp(y, y1, sizeof(y)))
          ++mismatches;
      }
      slim_context_destroy(ctx);
    });
  std::thread writer([&] {
    for (int k = 0; !done; ++k) {
      const Weights &p = k % 2 ? p1 : p0;
      slim_status s =
          slim_model_set_variable(m, "dense/biases", p.b.data(), 12);
      if (s) {
        slim_status_destroy(s);
        ++failures;
      }
      std::this_thread::yield();
    }
  });
  for (std::thread &t : threads)
    t.join();
  done = true;
  writer.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  // No parameter upload overlapped a run's device work.
  EXPECT_EQ(counters().violations, before.violations);
  slim_model_destroy(m);
}
