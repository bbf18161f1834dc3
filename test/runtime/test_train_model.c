/*===- test_train_model.c - A hand-written model with a train step --------===*
 *
 * Stands in for a library slimc --train generates (model ABI 7): `run` is
 * y = x . w on x [2, 4]; `train` is one SGD step (learning rate 0.5) of
 * loss = mean over the batch of (x . w - label)^2 / 2 with labels [2], the
 * gradient dw = mean(r * x) into gradients[0], and global_step += 1. The
 * variables are "w" (f32 [4], trained) and "global_step" (int64 scalar).
 *
 *===----------------------------------------------------------------------===*/

#include "slim/model_abi.h"

#include <string.h>

#define EXPORT __attribute__((visibility("default")))

enum { kBatch = 2, kIn = 4 };

static const slim_tensor_desc inputs[] = {
    {"x", SLIM_DTYPE_F32, 2, {kBatch, kIn}},
};
static const slim_tensor_desc outputs[] = {
    {"y", SLIM_DTYPE_F32, 1, {kBatch}},
};
static const slim_tensor_desc labels[] = {
    {"label", SLIM_DTYPE_F32, 1, {kBatch}},
};
static const int32_t gradientVariables[] = {0};

static const slim_variable_desc variables[] = {
    {"w",
     SLIM_DTYPE_F32,
     1,
     {kIn},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_CONSTANT, 0, 0, 0, 0.25, 0, 0, 0, 0, 0, 0, 0, 0},
     {0, 0},
     0},
    {"global_step",
     SLIM_DTYPE_I64,
     0,
     {0},
     SLIM_COLLECTION_REGULAR,
     0,
     "",
     {SLIM_INIT_ZEROS, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
     {0, 0},
     0},
};

static int32_t run(const slim_exec_env *env, const void *const *vars,
                   const void *const *prm, const void *const *in,
                   void *const *out, void *arena) {
  (void)env;
  (void)prm;
  (void)arena;
  const float *w = (const float *)vars[0];
  const float *x = (const float *)in[0];
  float *y = (float *)out[0];
  for (int r = 0; r < kBatch; ++r) {
    float acc = 0.0f;
    for (int i = 0; i < kIn; ++i)
      acc += x[r * kIn + i] * w[i];
    y[r] = acc;
  }
  return 0;
}

static int32_t train(const slim_exec_env *env, void *const *vars,
                     const void *const *in, const void *const *lab,
                     void *const *grads, float *out_loss,
                     float *out_learning_rate, void *arena) {
  (void)env;
  float *w = (float *)vars[0];
  int64_t *step = (int64_t *)vars[1];
  const float *x = (const float *)in[0];
  const float *label = (const float *)lab[0];
  float *dw = (float *)grads[0];
  float *r = (float *)arena; /* The residuals, to use the train arena. */
  float loss = 0.0f;
  for (int b = 0; b < kBatch; ++b) {
    float y = 0.0f;
    for (int i = 0; i < kIn; ++i)
      y += x[b * kIn + i] * w[i];
    r[b] = y - label[b];
    loss += 0.5f * r[b] * r[b] / kBatch;
  }
  for (int i = 0; i < kIn; ++i) {
    dw[i] = 0.0f;
    for (int b = 0; b < kBatch; ++b)
      dw[i] += r[b] * x[b * kIn + i] / kBatch;
    w[i] -= 0.5f * dw[i];
  }
  *step += 1;
  *out_loss = loss;
  *out_learning_rate = 0.5f;
  return 0;
}

static const slim_model_def def = {
    SLIM_MODEL_ABI_VERSION,
    0,
    "test_train",
    "hand-written (test/runtime/test_train_model.c)",
    1,
    inputs,
    1,
    outputs,
    2,
    variables,
    0,
    NULL,
    0,
    64,
    0,
    NULL,
    NULL,
    run,
    0,
    0,
    SLIM_DEVICE_CPU,
    NULL,
    0,
    kBatch,
    0,
    train,
    1,
    inputs,
    1,
    labels,
    1,
    gradientVariables,
    64,
};

EXPORT const uint32_t slim_model_required_isa = 0;
EXPORT const slim_model_def *slim_model_get_def(void) { return &def; }
