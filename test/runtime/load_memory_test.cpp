//===- load_memory_test.cpp - Variables released while a freeze prepares -===//
//
// slim_model_freeze runs `prepare` with slim_exec_env::consumed, and the
// runtime drops each part of a variable as soon as `prepare` reports it
// consumed, so the variables and the params they become never reside at once
// (docs/runtime.md, "Weights held once"). The model here is written by hand
// like generated code: it copies two 8 MiB variables into two params in 1 MiB
// chunks, reporting each chunk, and measures with mincore what is resident:
// the kernel's own page accounting, not timing, so the test is exact on a
// busy machine.
//
//===----------------------------------------------------------------------===//

#include "test_util.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

namespace {

constexpr int64_t kRows = 1024, kCols = 2048; // 8 MiB of float32
constexpr uint64_t kBytes = uint64_t(kRows * kCols) * sizeof(float);
constexpr uint64_t kChunk = uint64_t(1) << 20;

/// What `prepare` saw, for the test to check afterwards.
struct Observed {
  bool hook = false;
  /// Resident bytes of the params when prepare started.
  uint64_t paramsResidentAtStart = 0;
  /// The most bytes of variables and params resident at once.
  uint64_t peak = 0;
  /// Resident bytes of the consumed part of a variable, summed over every
  /// report: 0 when each report dropped its pages.
  uint64_t consumedStillResident = 0;
  /// Whether the value was still intact after `consumed` on a variable run
  /// reads.
  bool runReadKept = false;
  bool failAfterFirst = false;
};
Observed observed;

uint64_t pageSize() { return uint64_t(sysconf(_SC_PAGESIZE)); }

/// Bytes of the whole pages inside [p, p + bytes) that are resident (0 once
/// unmapped).
uint64_t resident(const void *p, uint64_t bytes) {
  uint64_t page = pageSize();
  uintptr_t begin = (uintptr_t(p) + page - 1) & ~(page - 1);
  uintptr_t end = (uintptr_t(p) + bytes) & ~(page - 1);
  if (!p || end <= begin)
    return 0;
  std::vector<unsigned char> pages((end - begin) / page);
  if (mincore(reinterpret_cast<void *>(begin), end - begin, pages.data()) != 0)
    return 0;
  uint64_t n = 0;
  for (unsigned char c : pages)
    n += c & 1;
  return n * page;
}

/// Transparent huge pages, where always on, may make each of the four
/// buffers up to one 2 MiB page more resident than was written.
uint64_t hugePageSlack() {
  std::string mode;
  if (FILE *f =
          std::fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r")) {
    char buf[128] = "";
    if (std::fgets(buf, sizeof(buf), f))
      mode = buf;
    std::fclose(f);
  }
  return mode.find("[always]") != std::string::npos ? 4 * (uint64_t(2) << 20)
                                                    : 0;
}

int32_t prepare(const slim_exec_env *env, const void *const *vars,
                void *const *params) {
  observed.hook = env->consumed != nullptr;
  observed.paramsResidentAtStart =
      resident(params[0], kBytes) + resident(params[1], kBytes);
  // Variables are looked at only while they are not yet wholly consumed:
  // after that their storage may be unmapped, or reused.
  bool held[2] = {true, true};
  auto sample = [&] {
    uint64_t n = resident(params[0], kBytes) + resident(params[1], kBytes);
    for (int v = 0; v < 2; ++v)
      if (held[v])
        n += resident(vars[v], kBytes);
    observed.peak = std::max(observed.peak, n);
  };
  for (int v = 0; v < 2; ++v) {
    const char *src = static_cast<const char *>(vars[v]);
    char *dst = static_cast<char *>(params[v]);
    for (uint64_t at = 0; at < kBytes; at += kChunk) {
      std::memcpy(dst + at, src + at, kChunk);
      sample();
      if (env->consumed) {
        env->consumed(env, v, at, kChunk);
        observed.consumedStillResident += resident(src, at + kChunk);
      }
    }
    if (env->consumed)
      env->consumed(env, v, 0, kBytes);
    held[v] = false;
    if (observed.failAfterFirst) {
      std::snprintf(env->error, env->error_size, "failing on purpose");
      return 1;
    }
  }
  if (env->consumed) {
    // Ignored: `run` reads the bias, and there is no variable 7.
    env->consumed(env, 2, 0, 4 * sizeof(float));
    env->consumed(env, 7, 0, 1);
  }
  observed.runReadKept = static_cast<const float *>(vars[2])[3] == 0.5f;
  sample();
  return 0;
}

int32_t run(const slim_exec_env *, const void *const *vars,
            const void *const *params, const void *const *inputs,
            void *const *outputs, void *) {
  const float *a = static_cast<const float *>(params[0]);
  const float *b = static_cast<const float *>(params[1]);
  const float *bias = static_cast<const float *>(vars[2]);
  const float *x = static_cast<const float *>(inputs[0]);
  float *y = static_cast<float *>(outputs[0]);
  for (int i = 0; i < 4; ++i)
    y[i] = x[i] + a[kRows * kCols - 1] + b[0] + bias[i];
  return 0;
}

const slim_tensor_desc kInputs[] = {{"x", SLIM_DTYPE_F32, 1, {4}}};
const slim_tensor_desc kOutputs[] = {{"y", SLIM_DTYPE_F32, 1, {4}}};

slim_variable_desc weights(const char *name, double value) {
  return {name,
          SLIM_DTYPE_F32,
          2,
          {kRows, kCols},
          SLIM_COLLECTION_MODEL,
          1,
          "",
          {SLIM_INIT_CONSTANT, 0, 0, 0, value, 0, 0, 0, 0, 0},
          {0.0, 0.0},
          /*prepare_only=*/1};
}

const slim_variable_desc kVariables[] = {
    weights("a/weights", 1.0),
    weights("b/weights", 2.0),
    {"b/biases",
     SLIM_DTYPE_F32,
     1,
     {4},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_CONSTANT, 0, 0, 0, 0.5, 0, 0, 0, 0, 0},
     {0.0, 0.0},
     /*prepare_only=*/0},
};

const slim_param_desc kParams[] = {{"a/copy", kBytes, 64},
                                   {"b/copy", kBytes, 64}};

const slim_model_def kDef = {
    SLIM_MODEL_ABI_VERSION,
    0,
    "test_release",
    "hand-written (test/runtime/load_memory_test.cpp)",
    1,
    kInputs,
    1,
    kOutputs,
    3,
    kVariables,
    2,
    kParams,
    64,
    64,
    0,
    nullptr,
    prepare,
    run,
    0,
    0,
};

slim_model *openInitialized() {
  observed = Observed();
  slim_model *m = nullptr;
  if (slimtest::consume(slim_model_open_def(&kDef, &m), nullptr) !=
      SLIM_STATUS_OK)
    return nullptr;
  if (slimtest::consume(slim_model_initialize_variables(m, 1), nullptr) !=
      SLIM_STATUS_OK) {
    slim_model_destroy(m);
    return nullptr;
  }
  return m;
}

std::vector<float> floatsOf(slim_model *m, const char *name, size_t n) {
  std::vector<float> v(n);
  std::string msg;
  EXPECT_EQ(
      slimtest::consume(
          slim_model_get_variable(m, name, v.data(), n * sizeof(float)), &msg),
      SLIM_STATUS_OK)
      << msg;
  return v;
}

void expectRuns(slim_model *m) {
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[4] = {0, 1, 2, 3}, y[4];
  const void *in[] = {x};
  void *out[] = {y};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 1));
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(y[i], x[i] + 1.0f + 2.0f + 0.5f);
  slim_context_destroy(ctx);
}

} // namespace

TEST(LoadMemory, FreezeReleasesEachVariableAsPrepareConsumesIt) {
  slim_model *m = openInitialized();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_freeze(m));
  EXPECT_TRUE(observed.hook);
  // Params are not resident before prepare writes them (opening a model
  // costs no memory for them)...
  EXPECT_EQ(observed.paramsResidentAtStart, 0u);
  // ...and each reported chunk left the resident set at once.
  EXPECT_EQ(observed.consumedStillResident, 0u);
  // So variables and params never resided together: at most the params
  // (16 MiB, the steady state) and one chunk, never 24 MiB (both copies of
  // one variable and one more).
  EXPECT_LE(observed.peak, 2 * kBytes + kChunk + hugePageSlack())
      << "variables were not released while prepare consumed them";
  EXPECT_TRUE(observed.runReadKept);

  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.released_variable_bytes, 2 * kBytes);
  EXPECT_EQ(mem.variable_bytes, 4 * sizeof(float));
  std::vector<float> bias = floatsOf(m, "b/biases", 4);
  EXPECT_EQ(bias[3], 0.5f);
  std::vector<float> w(kRows * kCols);
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "a/weights", w.data(), kBytes),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "released by slim_model_freeze");
  expectRuns(m);
  slim_model_destroy(m);
}

TEST(LoadMemory, PrepareOutsideFreezeKeepsEveryVariable) {
  slim_model *m = openInitialized();
  ASSERT_NE(m, nullptr);
  expectRuns(m); // Prepares on the first run.
  EXPECT_FALSE(observed.hook);
  std::vector<float> a = floatsOf(m, "a/weights", kRows * kCols);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](float v) { return v == 1; }));
  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.released_variable_bytes, 0u);
  // A freeze after that prepare only releases.
  SLIM_ASSERT_OK(slim_model_freeze(m));
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  EXPECT_EQ(mem.released_variable_bytes, 2 * kBytes);
  expectRuns(m);
  slim_model_destroy(m);
}

TEST(LoadMemory, AFreezeWhosePrepareFailsLeavesTheModelFrozen) {
  slim_model *m = openInitialized();
  ASSERT_NE(m, nullptr);
  observed.failAfterFirst = true;
  SLIM_EXPECT_ERROR(slim_model_freeze(m), SLIM_STATUS_INTERNAL,
                    "failing on purpose");
  // a/weights is gone, so nothing may change or prepare again.
  EXPECT_EQ(slim_model_is_frozen(m), 1);
  SLIM_EXPECT_ERROR(slim_model_initialize_variables(m, 2),
                    SLIM_STATUS_FAILED_PRECONDITION, "is frozen");
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[4] = {}, y[4];
  const void *in[] = {x};
  void *out[] = {y};
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 1),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "variable 'a/weights' was released by a "
                    "slim_model_freeze whose prepare failed");
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}
