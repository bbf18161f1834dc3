/*===- barrier_model.c - A model whose run waits for a second run ---------===*
 *
 * For test_threads.py: `run` counts itself in and waits until
 * `barrier_model_expected` runs are inside `run` at the same time (or until
 * `barrier_model_timeout_ms` passes, then fails with a message). If the
 * Python binding held the GIL during a run, the second Python thread could
 * never enter, and the first run would time out: the test then fails
 * deterministically, without measuring any speed. It copies x to y.
 *
 *===----------------------------------------------------------------------===*/

#include "slim/model_abi.h"

#include <stdio.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int32_t barrier_model_expected = 2;
EXPORT int32_t barrier_model_timeout_ms = 20000;
/* Runs that arrived so far, and the most that were inside run at once. */
EXPORT int32_t barrier_model_arrived = 0;
EXPORT int32_t barrier_model_max_inside = 0;
static int32_t inside = 0;

static const slim_tensor_desc inputs[] = {{"x", SLIM_DTYPE_F32, 1, {4}}};
static const slim_tensor_desc outputs[] = {{"y", SLIM_DTYPE_F32, 1, {4}}};

static double nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int32_t run(const slim_exec_env *env, const void *const *vars,
                   const void *const *prm, const void *const *in,
                   void *const *out, void *arena) {
  (void)vars, (void)prm, (void)arena;
  int32_t now = __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
  int32_t seen = __atomic_load_n(&barrier_model_max_inside, __ATOMIC_SEQ_CST);
  while (now > seen && !__atomic_compare_exchange_n(&barrier_model_max_inside,
                                                    &seen, now, 0,
                                                    __ATOMIC_SEQ_CST,
                                                    __ATOMIC_SEQ_CST)) {
  }
  int32_t arrived = __atomic_add_fetch(&barrier_model_arrived, 1,
                                       __ATOMIC_SEQ_CST);
  int32_t expected = __atomic_load_n(&barrier_model_expected,
                                     __ATOMIC_SEQ_CST);
  double deadline = nowMs() + barrier_model_timeout_ms;
  while (arrived < expected && nowMs() < deadline) {
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
    arrived = __atomic_load_n(&barrier_model_arrived, __ATOMIC_SEQ_CST);
  }
  __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
  if (arrived < expected) {
    snprintf(env->error, env->error_size,
             "barrier: %d of %d runs arrived within %d ms", arrived, expected,
             barrier_model_timeout_ms);
    return 1;
  }
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  for (int i = 0; i < 4; ++i)
    y[i] = x[i];
  return 0;
}

static const slim_model_def def = {
    .abi_version = SLIM_MODEL_ABI_VERSION,
    .name = "barrier",
    .generator = "hand-written (test/python/barrier_model.c)",
    .num_inputs = 1,
    .inputs = inputs,
    .num_outputs = 1,
    .outputs = outputs,
    .run = run,
};

EXPORT const uint32_t slim_model_required_isa = 0;
EXPORT const slim_model_def *slim_model_get_def(void) { return &def; }
