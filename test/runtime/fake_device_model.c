/*===- fake_device_model.c - A device model whose device is the host ------===*
 *
 * Stands in for a CUDA model library so that the runtime's device path is
 * tested on machines without a GPU. Its slim_device_ops are strict where a
 * real GPU would be silently wrong:
 *
 *  - "Device memory" is host memory registered in a table; every entry point
 *    checks that it got device pointers where the ABI promises them and host
 *    pointers where it promises those, and `run` fails (and counts a
 *    violation) if handed a host pointer. New blocks are filled with 0xCD so
 *    that a missing upload shows as garbage.
 *  - A context queues its copies and kernels and performs them only in
 *    context_synchronize, so a runtime that does not wait returns outputs
 *    that were never written.
 *  - A synchronous copy to the device (the runtime's parameter uploads) while
 *    any context has a kernel pending counts as a violation: the upload
 *    would race with a run reading the same parameters.
 *  - `probe` fails with the text of SLIM_FAKE_DEVICE_PROBE_ERROR when that
 *    environment variable is set, as the CUDA probe does without a driver.
 *
 * The model is
 *
 *   y = x @ (weights * scale) + biases,   relu = max(y, 0)
 *
 * with x [2, 4], weights [4, 3] and scale [3] (both `prepare_only`: prepare
 * folds them into one host parameter, transposed) and biases [3], which
 * `run` reads itself. `run` computes y in the arena, then both outputs from
 * it, and reports fixed device times for its two layers through the
 * profiler's `elapsed`.
 *
 * Build variants: SLIM_TEST_NO_EXPORT exports no slim_model_get_def (for
 * linking into the test binary).
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200112L /* posix_memalign */

#include "slim/model_abi.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

enum { kBatch = 2, kIn = 4, kOut = 3, kMaxBlocks = 4096, kMaxOps = 64 };

/*===----------------------------------------------------------------------===*
 * Device memory: a table of live blocks
 *===----------------------------------------------------------------------===*/

struct Block {
  char *ptr;
  uint64_t bytes;
};

static pthread_mutex_t registryLock = PTHREAD_MUTEX_INITIALIZER;
static struct Block blocks[kMaxBlocks];
static int numBlocks;
static uint64_t liveBytes;
static int liveContexts;
static int violations;
static int contextCopies;
static int probeCalls;
static int runs;
static int failNextSync;
/* Kernels enqueued and not yet synchronized, over all contexts. */
static int pendingKernels;

/* Nonzero if [p, p + bytes) lies inside one live device block. */
static int isDevice(const void *p, uint64_t bytes) {
  int found = 0;
  pthread_mutex_lock(&registryLock);
  for (int i = 0; i < numBlocks && !found; ++i)
    found = (const char *)p >= blocks[i].ptr &&
            (const char *)p + bytes <= blocks[i].ptr + blocks[i].bytes;
  pthread_mutex_unlock(&registryLock);
  return found;
}

static void countViolation(void) {
  pthread_mutex_lock(&registryLock);
  ++violations;
  pthread_mutex_unlock(&registryLock);
}

static int32_t fakeProbe(char *error, size_t error_size) {
  const char *why = getenv("SLIM_FAKE_DEVICE_PROBE_ERROR");
  pthread_mutex_lock(&registryLock);
  ++probeCalls;
  pthread_mutex_unlock(&registryLock);
  if (why && *why) {
    snprintf(error, error_size, "%s", why);
    return 35; /* cudaErrorInsufficientDriver */
  }
  return 0;
}

static int32_t fakeDescribe(char *name, size_t name_size,
                            uint64_t *out_total_bytes, char *error,
                            size_t error_size) {
  (void)error;
  (void)error_size;
  snprintf(name, name_size, "Fake Device (host memory)");
  *out_total_bytes = (uint64_t)1 << 30;
  return 0;
}

static int32_t fakeAlloc(uint64_t bytes, void **out_ptr, char *error,
                         size_t error_size) {
  if (bytes == 0) { /* Allowed by the ABI, and makes the runtime cope. */
    *out_ptr = NULL;
    return 0;
  }
  void *mem = NULL;
  if (posix_memalign(&mem, 256, bytes)) {
    snprintf(error, error_size, "fake device out of memory");
    return 2;
  }
  char *p = (char *)mem;
  memset(p, 0xCD, bytes);
  pthread_mutex_lock(&registryLock);
  if (numBlocks == kMaxBlocks) {
    pthread_mutex_unlock(&registryLock);
    free(p);
    snprintf(error, error_size, "fake device block table full");
    return 2;
  }
  blocks[numBlocks].ptr = p;
  blocks[numBlocks].bytes = bytes;
  ++numBlocks;
  liveBytes += bytes;
  pthread_mutex_unlock(&registryLock);
  *out_ptr = p;
  return 0;
}

static void fakeFree(void *ptr) {
  if (!ptr)
    return;
  pthread_mutex_lock(&registryLock);
  for (int i = 0; i < numBlocks; ++i)
    if (blocks[i].ptr == ptr) {
      liveBytes -= blocks[i].bytes;
      blocks[i] = blocks[--numBlocks];
      pthread_mutex_unlock(&registryLock);
      free(ptr);
      return;
    }
  ++violations; /* Not ours, or freed twice. */
  pthread_mutex_unlock(&registryLock);
}

/* Checks a copy's direction: `toDevice` means dst is device memory and src
   host memory. */
static int32_t checkCopy(void *dst, const void *src, uint64_t bytes,
                         int toDevice, char *error, size_t error_size) {
  const void *dev = toDevice ? dst : src, *host = toDevice ? src : dst;
  if (!isDevice(dev, bytes) || isDevice(host, 1)) {
    countViolation();
    snprintf(error, error_size, "copy %s: pointers of the wrong kind",
             toDevice ? "to device" : "to host");
    return 1;
  }
  return 0;
}

static int32_t fakeCopyToDevice(void *dst, const void *src, uint64_t bytes,
                                char *error, size_t error_size) {
  if (__atomic_load_n(&pendingKernels, __ATOMIC_SEQ_CST))
    countViolation();
  int32_t rc = checkCopy(dst, src, bytes, 1, error, error_size);
  if (!rc)
    memcpy(dst, src, bytes);
  return rc;
}

static int32_t fakeCopyToHost(void *dst, const void *src, uint64_t bytes,
                              char *error, size_t error_size) {
  int32_t rc = checkCopy(dst, src, bytes, 0, error, error_size);
  if (!rc)
    memcpy(dst, src, bytes);
  return rc;
}

/*===----------------------------------------------------------------------===*
 * Contexts: a queue performed at synchronize
 *===----------------------------------------------------------------------===*/

enum OpKind { kCopy, kDenseKernel };

struct Op {
  enum OpKind kind;
  /* kCopy */
  void *dst;
  const void *src;
  uint64_t bytes;
  /* kDenseKernel */
  const float *x, *wt, *b;
  float *y, *outY, *outRelu;
};

#define kContextMagic 0x5eedc0deu

struct Context {
  uint32_t magic;
  int numOps;
  struct Op ops[kMaxOps];
};

static int32_t fakeContextCreate(void **out_context, char *error,
                                 size_t error_size) {
  struct Context *c = calloc(1, sizeof(struct Context));
  if (!c) {
    snprintf(error, error_size, "out of memory");
    return 2;
  }
  c->magic = kContextMagic;
  pthread_mutex_lock(&registryLock);
  ++liveContexts;
  pthread_mutex_unlock(&registryLock);
  *out_context = c;
  return 0;
}

static void fakeContextDestroy(void *context) {
  struct Context *c = (struct Context *)context;
  if (!c)
    return;
  c->magic = 0;
  free(c);
  pthread_mutex_lock(&registryLock);
  --liveContexts;
  pthread_mutex_unlock(&registryLock);
}

static int32_t enqueue(void *context, struct Op op, char *error,
                       size_t error_size) {
  struct Context *c = (struct Context *)context;
  if (!c || c->magic != kContextMagic) {
    countViolation();
    snprintf(error, error_size, "not a fake device context");
    return 1;
  }
  if (c->numOps == kMaxOps) {
    snprintf(error, error_size, "fake device queue full");
    return 1;
  }
  c->ops[c->numOps++] = op;
  return 0;
}

static int32_t fakeContextCopy(void *context, void *dst, const void *src,
                               uint64_t bytes, int toDevice, char *error,
                               size_t error_size) {
  int32_t rc = checkCopy(dst, src, bytes, toDevice, error, error_size);
  if (rc)
    return rc;
  pthread_mutex_lock(&registryLock);
  ++contextCopies;
  pthread_mutex_unlock(&registryLock);
  struct Op op = {kCopy, dst, src, bytes, NULL, NULL, NULL, NULL, NULL, NULL};
  return enqueue(context, op, error, error_size);
}

static int32_t fakeContextCopyToDevice(void *context, void *dst,
                                       const void *src, uint64_t bytes,
                                       char *error, size_t error_size) {
  return fakeContextCopy(context, dst, src, bytes, 1, error, error_size);
}

static int32_t fakeContextCopyToHost(void *context, void *dst, const void *src,
                                     uint64_t bytes, char *error,
                                     size_t error_size) {
  return fakeContextCopy(context, dst, src, bytes, 0, error, error_size);
}

static void denseKernel(const struct Op *op) {
  for (int r = 0; r < kBatch; ++r)
    for (int j = 0; j < kOut; ++j) {
      float acc = op->b[j];
      for (int i = 0; i < kIn; ++i)
        acc += op->x[r * kIn + i] * op->wt[j * kIn + i];
      op->y[r * kOut + j] = acc;
    }
  for (int k = 0; k < kBatch * kOut; ++k) {
    op->outY[k] = op->y[k];
    op->outRelu[k] = op->y[k] > 0.0f ? op->y[k] : 0.0f;
  }
}

static int32_t fakeContextSynchronize(void *context, char *error,
                                      size_t error_size) {
  struct Context *c = (struct Context *)context;
  if (!c || c->magic != kContextMagic) {
    countViolation();
    snprintf(error, error_size, "not a fake device context");
    return 1;
  }
  int fail = __atomic_exchange_n(&failNextSync, 0, __ATOMIC_SEQ_CST);
  int n = c->numOps;
  c->numOps = 0;
  if (fail) {
    for (int i = 0; i < n; ++i)
      if (c->ops[i].kind == kDenseKernel)
        __atomic_fetch_sub(&pendingKernels, 1, __ATOMIC_SEQ_CST);
    snprintf(error, error_size, "an illegal memory access was encountered");
    return 700; /* cudaErrorIllegalAddress */
  }
  for (int i = 0; i < n; ++i) {
    const struct Op *op = &c->ops[i];
    if (op->kind == kCopy) {
      memcpy(op->dst, op->src, op->bytes);
      continue;
    }
    /* Widens the window in which a racing upload would be seen. */
    for (volatile int spin = 0; spin < 20000; ++spin)
      ;
    denseKernel(op);
    __atomic_fetch_sub(&pendingKernels, 1, __ATOMIC_SEQ_CST);
  }
  return 0;
}

static const slim_device_ops deviceOps = {
    fakeProbe,
    fakeDescribe,
    fakeAlloc,
    fakeFree,
    fakeCopyToDevice,
    fakeCopyToHost,
    fakeContextCreate,
    fakeContextDestroy,
    fakeContextCopyToDevice,
    fakeContextCopyToHost,
    fakeContextSynchronize,
};

/*===----------------------------------------------------------------------===*
 * The model
 *===----------------------------------------------------------------------===*/

static const slim_tensor_desc inputs[] = {
    {"x", SLIM_DTYPE_F32, 2, {kBatch, kIn}},
};

static const slim_tensor_desc outputs[] = {
    {"y", SLIM_DTYPE_F32, 2, {kBatch, kOut}},
    {"relu", SLIM_DTYPE_F32, 2, {kBatch, kOut}},
};

/* Variable order: weights, scale, biases. */
static const slim_variable_desc variables[] = {
    {"dense/weights",
     SLIM_DTYPE_F32,
     2,
     {kIn, kOut},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_TRUNCATED_NORMAL, 0, 0, 0, 0, 0.0, 0.5, 0, 0, 0},
     {0.0, 0.0},
     1},
    {"dense/scale",
     SLIM_DTYPE_F32,
     1,
     {kOut},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_ONES, 0, 0, 0, 0, 0, 0, 0, 0, 0},
     {0.0, 0.0},
     1},
    {"dense/biases",
     SLIM_DTYPE_F32,
     1,
     {kOut},
     SLIM_COLLECTION_MODEL,
     1,
     "",
     {SLIM_INIT_CONSTANT, 0, 0, 0, 0.25, 0, 0, 0, 0, 0},
     {0.0, 0.0},
     0},
};

static const slim_param_desc params[] = {
    {"dense/folded_weights_transposed", sizeof(float) * kOut *kIn, 256},
};

static const slim_layer_desc layers[] = {
    {"dense/matmul", "fully_connected", 2.0 * kBatch *kIn *kOut},
    {"dense/relu", "relu", 1.0 * kBatch *kOut},
};

/* Device times `run` reports per layer, as if measured with CUDA events. */
EXPORT const double fake_device_layer_ns[2] = {1500.0, 500.0};

/* Host code, as for CPU models: it must get host buffers. */
static int32_t prepare(const slim_exec_env *env, const void *const *vars,
                       void *const *out_params) {
  const float *w = (const float *)vars[0];
  const float *scale = (const float *)vars[1];
  float *wt = (float *)out_params[0];
  if (env->device_context || isDevice(w, 1) || isDevice(scale, 1) ||
      isDevice(wt, 1)) {
    countViolation();
    snprintf(env->error, env->error_size, "prepare got device memory");
    return 3;
  }
  for (int i = 0; i < kIn; ++i)
    for (int j = 0; j < kOut; ++j)
      wt[j * kIn + i] = w[i * kOut + j] * scale[j];
  return 0;
}

static int32_t run(const slim_exec_env *env, const void *const *vars,
                   const void *const *prm, const void *const *in,
                   void *const *out, void *arena) {
  const uint64_t act = sizeof(float) * kBatch * kOut;
  /* prepare_only variables have no device copy; the one run reads does. */
  if (vars[0] || vars[1] || !isDevice(vars[2], sizeof(float) * kOut) ||
      !isDevice(prm[0], sizeof(float) * kOut * kIn) ||
      !isDevice(in[0], sizeof(float) * kBatch * kIn) ||
      !isDevice(out[0], act) || !isDevice(out[1], act) ||
      !isDevice(arena, act) || ((uintptr_t)prm[0] & 255)) {
    countViolation();
    snprintf(env->error, env->error_size,
             "run got a pointer that is not device memory");
    return 5;
  }
  struct Op op = {kDenseKernel,
                  NULL,
                  NULL,
                  0,
                  (const float *)in[0],
                  (const float *)prm[0],
                  (const float *)vars[2],
                  (float *)arena,
                  (float *)out[0],
                  (float *)out[1]};
  if (enqueue(env->device_context, op, env->error, env->error_size))
    return 6;
  __atomic_fetch_add(&pendingKernels, 1, __ATOMIC_SEQ_CST);
  __atomic_fetch_add(&runs, 1, __ATOMIC_SEQ_CST);
  const slim_profiler *prof = env->profiler;
  if (prof)
    for (int32_t l = 0; l < 2; ++l)
      prof->elapsed(prof->user, l, fake_device_layer_ns[l]);
  return 0;
}

static const slim_model_def def = {
    SLIM_MODEL_ABI_VERSION,
    0,
    "fake_device",
    "hand-written (test/runtime/fake_device_model.c)",
    1,
    inputs,
    2,
    outputs,
    3,
    variables,
    1,
    params,
    sizeof(float) * kBatch *kOut,
    256,
    2,
    layers,
    prepare,
    run,
    0,
    0,
    SLIM_DEVICE_CUDA,
    &deviceOps,
};

#ifndef SLIM_TEST_NO_EXPORT
EXPORT const uint32_t slim_model_required_isa = 0;
EXPORT const slim_model_def *slim_model_get_def(void) { return &def; }
#endif

/* For static linking, and the counters tests check. */
EXPORT const slim_model_def *fake_device_get_def(void) { return &def; }

/* Fills the fake device's counters under its lock. */
EXPORT void fake_device_counters(int *live_blocks, uint64_t *live_bytes,
                                 int *live_contexts, int *violation_count,
                                 int *context_copy_count, int *probe_count,
                                 int *run_count) {
  pthread_mutex_lock(&registryLock);
  *live_blocks = numBlocks;
  *live_bytes = liveBytes;
  *live_contexts = liveContexts;
  *violation_count = violations;
  *context_copy_count = contextCopies;
  *probe_count = probeCalls;
  *run_count = __atomic_load_n(&runs, __ATOMIC_SEQ_CST);
  pthread_mutex_unlock(&registryLock);
}

/* The next context_synchronize fails, as after a kernel fault. */
EXPORT void fake_device_fail_next_sync(void) {
  __atomic_store_n(&failNextSync, 1, __ATOMIC_SEQ_CST);
}
