/*===- test_model.c - A hand-written model against the model ABI ----------===*
 *
 * Stands in for slimc's generated code until code generation exists. It is
 * the TF-Slim network
 *
 *   with tf.variable_scope('net'):
 *     h = slim.fully_connected(x, 8, scope='fc1',
 *                              weights_regularizer=slim.l2_regularizer(0.01))
 *     logits = slim.fully_connected(h, 3, activation_fn=None, scope='fc2',
 *         weights_initializer=tf.truncated_normal_initializer(stddev=0.1),
 *         weights_regularizer=slim.l1_l2_regularizer(0.001, 0.002),
 *         biases_initializer=tf.constant_initializer(0.1))
 *   probs = tf.nn.softmax(logits)
 *   global_step = tf.train.get_or_create_global_step()
 *
 * with x of shape [2, 4]. It exercises everything the ABI offers: a derived
 * parameter computed in prepare (fc1's weights transposed, fc2's weights
 * transposed with the bias appended), arena scratch for the hidden layer,
 * the thread pool, the profiling hook and error reporting, prepare's scratch,
 * `prepare_only` variables (fc1's weights and all of fc2's: only prepare
 * reads them) and a default thread count (the SLIM_TEST_DEFAULT_THREADS
 * build variant).
 *
 * Build variants (compile definitions) produce broken models for tests:
 *   SLIM_TEST_ABI_VERSION=n   reports another ABI version
 *   SLIM_TEST_REQUIRED_ISA=m  requires ISA bits m
 *   SLIM_TEST_NO_EXPORT       exports no slim_model_get_def
 *   SLIM_TEST_DEFAULT_THREADS=n  sets default_num_threads
 *
 *===----------------------------------------------------------------------===*/

#include "slim/model_abi.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef SLIM_TEST_ABI_VERSION
#define SLIM_TEST_ABI_VERSION SLIM_MODEL_ABI_VERSION
#endif
#ifndef SLIM_TEST_REQUIRED_ISA
#define SLIM_TEST_REQUIRED_ISA 0u
#endif
#ifndef SLIM_TEST_DEFAULT_THREADS
#define SLIM_TEST_DEFAULT_THREADS 0
#endif

#define EXPORT __attribute__((visibility("default")))

enum { kBatch = 2, kIn = 4, kHidden = 8, kOut = 3 };

static const slim_tensor_desc inputs[] = {
    {"x", SLIM_DTYPE_F32, 2, {kBatch, kIn}},
};

static const slim_tensor_desc outputs[] = {
    {"logits", SLIM_DTYPE_F32, 2, {kBatch, kOut}},
    {"probs", SLIM_DTYPE_F32, 2, {kBatch, kOut}},
};

/* Variable order: fc1/weights, fc1/biases, fc2/weights, fc2/biases, step. */
static const slim_variable_desc variables[] = {
    {"net/fc1/weights",
     SLIM_DTYPE_F32,
     2,
     {kIn, kHidden},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     /* xavier_initializer(): variance_scaling(1, FAN_AVG, uniform) */
     {SLIM_INIT_VARIANCE_SCALING, SLIM_FAN_AVG, 1, 0, 0, 0, 0, 0, 0, 1.0},
     {0.0, 0.01},
     1},
    {"net/fc1/biases",
     SLIM_DTYPE_F32,
     1,
     {kHidden},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_ZEROS, 0, 0, 0, 0, 0, 0, 0, 0, 0},
     {0.0, 0.0}},
    {"net/fc2/weights",
     SLIM_DTYPE_F32,
     2,
     {kHidden, kOut},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_TRUNCATED_NORMAL, 0, 0, 0, 0, 0.0, 0.1, 0, 0, 0},
     {0.001, 0.002},
     1},
    {"net/fc2/biases",
     SLIM_DTYPE_F32,
     1,
     {kOut},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_CONSTANT, 0, 0, 0, 0.1, 0, 0, 0, 0, 0},
     {0.0, 0.0},
     1},
    {"global_step",
     SLIM_DTYPE_I64,
     0,
     {0},
     SLIM_COLLECTION_REGULAR,
     0,
     "/device:CPU:0",
     {SLIM_INIT_ZEROS, 0, 0, 0, 0, 0, 0, 0, 0, 0},
     {0.0, 0.0}},
};

static const slim_param_desc params[] = {
    {"net/fc1/weights_transposed", sizeof(float) * kHidden *kIn, 64},
    {"net/fc2/weights_transposed_with_bias",
     sizeof(float) * kOut *(kHidden + 1), 32},
};

static const slim_layer_desc layers[] = {
    {"net/fc1", "fully_connected+relu", 2.0 * kBatch *kIn *kHidden},
    {"net/fc2", "fully_connected", 2.0 * kBatch *kHidden *kOut},
    {"softmax", "softmax", 3.0 * kBatch *kOut},
};

static int32_t prepare(const slim_exec_env *env, const void *const *vars,
                       void *const *out_params) {
  const float *w1 = (const float *)vars[0];
  const float *w2 = (const float *)vars[2];
  const float *b2 = (const float *)vars[3];
  float *t1 = (float *)out_params[0];
  float *t2 = (float *)out_params[1];
  /* fc1's transpose is staged in the scratch the runtime lends. */
  float *stage = (float *)env->scratch;
  if (!stage || ((uintptr_t)stage & 63)) {
    snprintf(env->error, env->error_size, "no aligned prepare scratch");
    return 3;
  }
  for (int i = 0; i < kIn * kHidden; ++i)
    if (isnan(w1[i])) {
      snprintf(env->error, env->error_size, "net/fc1/weights holds NaN");
      return 2;
    }
  for (int i = 0; i < kIn; ++i)
    for (int j = 0; j < kHidden; ++j)
      stage[j * kIn + i] = w1[i * kHidden + j];
  memcpy(t1, stage, sizeof(float) * kIn * kHidden);
  for (int j = 0; j < kOut; ++j) {
    for (int i = 0; i < kHidden; ++i)
      t2[j * (kHidden + 1) + i] = w2[i * kOut + j];
    t2[j * (kHidden + 1) + kHidden] = b2[j];
  }
  return 0;
}

/* The thread count the last run saw, for the default-threads test. */
EXPORT int32_t test_dense_last_num_threads = 0;

struct Fc1Task {
  const float *x, *wt, *b;
  float *h;
};

/* One index per (row, hidden unit) so the pool has something to split. */
static void fc1Task(void *p, int64_t begin, int64_t end) {
  const struct Fc1Task *t = (const struct Fc1Task *)p;
  for (int64_t k = begin; k < end; ++k) {
    int64_t r = k / kHidden, j = k % kHidden;
    float acc = 0.0f;
    for (int i = 0; i < kIn; ++i)
      acc += t->x[r * kIn + i] * t->wt[j * kIn + i];
    acc += t->b[j];
    t->h[k] = acc > 0.0f ? acc : 0.0f;
  }
}

static int32_t run(const slim_exec_env *env, const void *const *vars,
                   const void *const *prm, const void *const *in,
                   void *const *out, void *arena) {
  const float *x = (const float *)in[0];
  float *logits = (float *)out[0];
  float *probs = (float *)out[1];
  float *h = (float *)arena; /* [kBatch, kHidden], planned scratch */
  const slim_profiler *prof = env->profiler;
  /* Runs on many contexts at once (the concurrency tests): an atomic store,
   * so the record is not a data race. */
  __atomic_store_n(&test_dense_last_num_threads,
                   env->parallel ? env->parallel->num_threads : 1,
                   __ATOMIC_RELAXED);
  if (env->scratch) {
    snprintf(env->error, env->error_size, "run got prepare's scratch");
    return 4;
  }

  for (int i = 0; i < kBatch * kIn; ++i)
    if (isnan(x[i])) {
      snprintf(env->error, env->error_size, "input 'x' holds NaN at %d", i);
      return 1;
    }

  if (prof)
    prof->begin(prof->user, 0);
  struct Fc1Task t = {x, (const float *)prm[0], (const float *)vars[1], h};
  slim_parallel_run(env->parallel, kBatch * kHidden, 1, fc1Task, &t);
  if (prof)
    prof->end(prof->user, 0);

  if (prof)
    prof->begin(prof->user, 1);
  const float *w2 = (const float *)prm[1];
  for (int r = 0; r < kBatch; ++r)
    for (int j = 0; j < kOut; ++j) {
      float acc = 0.0f;
      for (int i = 0; i < kHidden; ++i)
        acc += h[r * kHidden + i] * w2[j * (kHidden + 1) + i];
      logits[r * kOut + j] = acc + w2[j * (kHidden + 1) + kHidden];
    }
  if (prof)
    prof->end(prof->user, 1);

  if (prof)
    prof->begin(prof->user, 2);
  for (int r = 0; r < kBatch; ++r) {
    float m = logits[r * kOut];
    for (int j = 1; j < kOut; ++j)
      m = fmaxf(m, logits[r * kOut + j]);
    float s = 0.0f;
    for (int j = 0; j < kOut; ++j)
      s += probs[r * kOut + j] = expf(logits[r * kOut + j] - m);
    for (int j = 0; j < kOut; ++j)
      probs[r * kOut + j] /= s;
  }
  if (prof)
    prof->end(prof->user, 2);
  return 0;
}

static const slim_model_def def = {
    SLIM_TEST_ABI_VERSION,
    SLIM_TEST_REQUIRED_ISA,
    "test_dense",
    "hand-written (test/runtime/test_model.c)",
    1,
    inputs,
    2,
    outputs,
    5,
    variables,
    2,
    params,
    sizeof(float) * kBatch *kHidden,
    64,
    3,
    layers,
    prepare,
    run,
    sizeof(float) * kIn *kHidden,
    SLIM_TEST_DEFAULT_THREADS,
};

EXPORT const uint32_t slim_model_required_isa = SLIM_TEST_REQUIRED_ISA;

#ifndef SLIM_TEST_NO_EXPORT
EXPORT const slim_model_def *slim_model_get_def(void) { return &def; }
#endif

/* For static linking: the name a generated object file would export. */
EXPORT const slim_model_def *test_dense_get_def(void) { return &def; }
