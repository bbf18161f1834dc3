/*===- test_batch_model.c - A hand-written model with a run-time batch ---===*
 *
 * Stands in for a library slimc --max-batch 4 generates: y = 2 * x + 1 on
 * x [b, 3] for any batch b of 1..4. Its arena is 64 bytes per sample plus 64
 * fixed bytes, and `run` writes every byte of the arena for its batch (and
 * none past it), so a test with an application arena of exactly
 * slim_model_arena_size_for_batch(b) bytes followed by guard bytes sees
 * whether the runtime passed the batch it sized the arena for.
 * SLIM_TEST_BAD_BATCH builds a broken variant whose input's dim 0 is not the
 * max batch.
 *
 *===----------------------------------------------------------------------===*/

#include "slim/model_abi.h"

#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

enum { kMaxBatch = 4, kWidth = 3, kPerSample = 64, kFixed = 64 };

#ifdef SLIM_TEST_BAD_BATCH
#define kInputBatch 3
#else
#define kInputBatch kMaxBatch
#endif

static const slim_tensor_desc inputs[] = {
    {"x", SLIM_DTYPE_F32, 2, {kInputBatch, kWidth}},
};

static const slim_tensor_desc outputs[] = {
    {"y", SLIM_DTYPE_F32, 2, {kMaxBatch, kWidth}},
};

EXPORT int64_t test_batch_last_batch = 0;

static int32_t run(const slim_exec_env *env, const void *const *vars,
                   const void *const *prm, const void *const *in,
                   void *const *out, void *arena) {
  (void)vars;
  (void)prm;
  int64_t batch = env->batch;
  if (batch < 1 || batch > kMaxBatch) {
    snprintf(env->error, env->error_size, "batch %lld out of range",
             (long long)batch);
    return 1;
  }
  test_batch_last_batch = batch;
  memset(arena, 0xAB, (size_t)(batch * kPerSample + kFixed));
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  for (int64_t i = 0; i < batch * kWidth; ++i)
    y[i] = 2.0f * x[i] + 1.0f;
  return 0;
}

static const slim_model_def def = {
    SLIM_MODEL_ABI_VERSION,
    0u,
    "test_batch",
    "hand-written",
    1,
    inputs,
    1,
    outputs,
    0,
    NULL,
    0,
    NULL,
    kMaxBatch *kPerSample + kFixed,
    64,
    0,
    NULL,
    NULL,
    run,
    0,
    0,
    SLIM_DEVICE_CPU,
    NULL,
    1,
    kMaxBatch,
    kPerSample,
};

EXPORT const slim_model_def *slim_model_get_def(void) { return &def; }
