/*===- test_classifier.c - A tiny image classifier against the model ABI --===*
 *
 * Global average pooling over an [1, 8, 8, 3] NHWC image followed by
 * slim.fully_connected(..., 5, activation_fn=None, scope='logits') inside
 * scope 'classifier' and a softmax: enough for the embedding example to load
 * a checkpoint, classify an image and print a top-5.
 *
 *===----------------------------------------------------------------------===*/

#include "slim/model_abi.h"

#include <math.h>

enum { kH = 8, kW = 8, kC = 3, kClasses = 5 };

static const slim_tensor_desc inputs[] = {
    {"images", SLIM_DTYPE_F32, 4, {1, kH, kW, kC}},
};
static const slim_tensor_desc outputs[] = {
    {"predictions", SLIM_DTYPE_F32, 2, {1, kClasses}},
};
static const slim_variable_desc variables[] = {
    {"classifier/logits/weights",
     SLIM_DTYPE_F32,
     2,
     {kC, kClasses},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_VARIANCE_SCALING, SLIM_FAN_AVG, 1, 0, 0, 0, 0, 0, 0, 1.0},
     {0.0, 0.0}},
    {"classifier/logits/biases",
     SLIM_DTYPE_F32,
     1,
     {kClasses},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_ZEROS, 0, 0, 0, 0, 0, 0, 0, 0, 0},
     {0.0, 0.0}},
};
static const slim_layer_desc layers[] = {
    {"classifier/pool", "reduce_mean", (double)kH *kW *kC},
    {"classifier/logits", "fully_connected", 2.0 * kC *kClasses},
};

static int32_t run(const slim_exec_env *env, const void *const *vars,
                   const void *const *prm, const void *const *in,
                   void *const *out, void *arena) {
  (void)prm;
  const float *img = (const float *)in[0];
  const float *w = (const float *)vars[0];
  const float *b = (const float *)vars[1];
  float *pooled = (float *)arena;
  float *pred = (float *)out[0];
  const slim_profiler *prof = env->profiler;
  if (prof)
    prof->begin(prof->user, 0);
  for (int c = 0; c < kC; ++c) {
    float s = 0.0f;
    for (int i = 0; i < kH * kW; ++i)
      s += img[i * kC + c];
    pooled[c] = s / (kH * kW);
  }
  if (prof) {
    prof->end(prof->user, 0);
    prof->begin(prof->user, 1);
  }
  float m = -INFINITY, sum = 0.0f;
  for (int k = 0; k < kClasses; ++k) {
    float acc = b[k];
    for (int c = 0; c < kC; ++c)
      acc += pooled[c] * w[c * kClasses + k];
    pred[k] = acc;
    m = fmaxf(m, acc);
  }
  for (int k = 0; k < kClasses; ++k)
    sum += pred[k] = expf(pred[k] - m);
  for (int k = 0; k < kClasses; ++k)
    pred[k] /= sum;
  if (prof)
    prof->end(prof->user, 1);
  return 0;
}

static const slim_model_def def = {
    SLIM_MODEL_ABI_VERSION,
    0,
    "test_classifier",
    "hand-written (test/runtime/test_classifier.c)",
    1,
    inputs,
    1,
    outputs,
    2,
    variables,
    0,
    0,
    sizeof(float) * kC,
    64,
    2,
    layers,
    0,
    run,
};

__attribute__((visibility("default"))) const slim_model_def *
slim_model_get_def(void) {
  return &def;
}
