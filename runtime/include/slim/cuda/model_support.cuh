//===- slim/cuda/model_support.cuh - Host side of a CUDA model -*- C++ -*-===//
//
// What every generated CUDA model library needs besides its kernels: the
// `slim_device_ops` table the runtime drives the device through (see
// slim/model_abi.h: the runtime itself never links CUDA), and `runModel`,
// which enqueues a model's layers on the calling context's stream, as a CUDA
// Graph captured on the first run and replayed while the buffers stay the
// same, or eagerly with per-layer CUDA events when the runtime profiles.
//
// Included once, by the generated .cu file (its functions are `inline`, its
// table a constant-initialized `inline constexpr`, so the library keeps no
// static constructors). Compiles under nvcc, or on the host against the SIMT
// emulation of test/cuda (SLIM_CUDA_EMULATION), where the graph capture and
// replay paths run as well.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_CUDA_MODEL_SUPPORT_CUH
#define SLIM_CUDA_MODEL_SUPPORT_CUH

#include "slim/cuda/device.cuh"
#include "slim/model_abi.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#ifndef SLIM_CUDA_EMULATION
#include <dlfcn.h>
#endif

namespace slim {
namespace cuda {

/// Writes "what: <CUDA's name and text>" into `error`; returns 1.
inline int32_t reportError(char *error, size_t size, const char *what,
                           cudaError_t code) {
  if (error && size)
    std::snprintf(error, size, "%s: %s (%s)", what, cudaGetErrorString(code),
                  cudaGetErrorName(code));
  return 1;
}

inline int32_t reportMessage(char *error, size_t size, const char *message) {
  if (error && size)
    std::snprintf(error, size, "%s", message);
  return 1;
}

/// Checks for a driver and a device of compute capability >= MinArch/10
/// (the oldest architecture the library carries code for). Device 0 is the
/// one used, as CUDA_VISIBLE_DEVICES orders them.
template <int MinArch> int32_t probeDevice(char *error, size_t size) {
#ifndef SLIM_CUDA_EMULATION
  // The static CUDA runtime loads the driver on first use; asking for it
  // here first turns "CUDA driver version is insufficient" into a message
  // that names what is missing.
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver) {
    const char *why = dlerror();
    char message[512];
    std::snprintf(message, sizeof(message),
                  "no CUDA driver: libcuda.so.1 cannot be loaded (%s)",
                  why ? why : "not found");
    return reportMessage(error, size, message);
  }
  dlclose(driver);
#endif
  int count = 0;
  cudaError_t rc = cudaGetDeviceCount(&count);
  if (rc == cudaErrorNoDevice || (rc == cudaSuccess && count == 0))
    return reportMessage(error, size,
                         "no CUDA device found (the driver is "
                         "installed but reports no GPU; check "
                         "CUDA_VISIBLE_DEVICES)");
  if (rc != cudaSuccess)
    return reportError(error, size, "the CUDA driver cannot be used", rc);
  cudaDeviceProp prop;
  if ((rc = cudaGetDeviceProperties(&prop, 0)) != cudaSuccess)
    return reportError(error, size, "cannot query CUDA device 0", rc);
  int arch = prop.major * 10 + prop.minor;
  if (arch < MinArch) {
    char message[512];
    std::snprintf(message, sizeof(message),
                  "CUDA device 0 (%s) has compute capability %d.%d; this "
                  "model was built for %d.%d or newer (rebuild it with "
                  "slimc --target=cuda=sm_%d)",
                  prop.name, prop.major, prop.minor, MinArch / 10, MinArch % 10,
                  arch);
    return reportMessage(error, size, message);
  }
  return 0;
}

inline int32_t describeDevice(char *name, size_t nameSize, uint64_t *totalBytes,
                              char *error, size_t size) {
  cudaDeviceProp prop;
  cudaError_t rc = cudaGetDeviceProperties(&prop, 0);
  if (rc != cudaSuccess)
    return reportError(error, size, "cannot query CUDA device 0", rc);
  if (name && nameSize)
    std::snprintf(name, nameSize, "%s (compute capability %d.%d)", prop.name,
                  prop.major, prop.minor);
  if (totalBytes)
    *totalBytes = prop.totalGlobalMem;
  return 0;
}

inline int32_t deviceAlloc(uint64_t bytes, void **out, char *error,
                           size_t size) {
  *out = nullptr;
  if (bytes == 0)
    return 0;
  cudaError_t rc = cudaMalloc(out, bytes);
  if (rc != cudaSuccess) {
    *out = nullptr;
    char what[96];
    std::snprintf(what, sizeof(what), "cudaMalloc of %llu bytes failed",
                  static_cast<unsigned long long>(bytes));
    return reportError(error, size, what, rc);
  }
  return 0;
}

inline void deviceFree(void *ptr) {
  if (ptr)
    cudaFree(ptr);
}

inline int32_t copyToDevice(void *dst, const void *src, uint64_t bytes,
                            char *error, size_t size) {
  cudaError_t rc = cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice);
  return rc == cudaSuccess
             ? 0
             : reportError(error, size, "copy to the device failed", rc);
}

inline int32_t copyToHost(void *dst, const void *src, uint64_t bytes,
                          char *error, size_t size) {
  cudaError_t rc = cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost);
  return rc == cudaSuccess
             ? 0
             : reportError(error, size, "copy from the device failed", rc);
}

/// One execution context's device state.
struct DeviceContext {
  cudaStream_t stream = nullptr;
  /// The captured run and the buffers it was captured with: a replay is
  /// only valid while every pointer is the same.
  cudaGraphExec_t graph = nullptr;
  std::vector<const void *> graphKey;
  /// The buffers of the last eager run: a graph is captured on the second
  /// run with the same buffers. The first run launches eagerly so that
  /// every kernel's module is loaded (CUDA loads modules lazily) before any
  /// capture, and a one-off run with other buffers costs no capture.
  std::vector<const void *> eagerKey;
  /// Two events per layer, made on the first profiled run.
  std::vector<cudaEvent_t> events;

  ~DeviceContext() {
    if (graph)
      cudaGraphExecDestroy(graph);
    for (cudaEvent_t e : events)
      cudaEventDestroy(e);
    if (stream)
      cudaStreamDestroy(stream);
  }
};

inline int32_t contextCreate(void **out, char *error, size_t size) {
  *out = nullptr;
  DeviceContext *ctx = new (std::nothrow) DeviceContext();
  if (!ctx)
    return reportMessage(error, size, "out of host memory");
  cudaError_t rc =
      cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking);
  if (rc != cudaSuccess) {
    ctx->stream = nullptr;
    delete ctx;
    return reportError(error, size, "cannot create a CUDA stream", rc);
  }
  *out = ctx;
  return 0;
}

inline void contextDestroy(void *context) {
  delete static_cast<DeviceContext *>(context);
}

inline int32_t contextCopyToDevice(void *context, void *dst, const void *src,
                                   uint64_t bytes, char *error, size_t size) {
  cudaError_t rc =
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice,
                      static_cast<DeviceContext *>(context)->stream);
  return rc == cudaSuccess
             ? 0
             : reportError(error, size, "copy to the device failed", rc);
}

inline int32_t contextCopyToHost(void *context, void *dst, const void *src,
                                 uint64_t bytes, char *error, size_t size) {
  cudaError_t rc =
      cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost,
                      static_cast<DeviceContext *>(context)->stream);
  return rc == cudaSuccess
             ? 0
             : reportError(error, size, "copy from the device failed", rc);
}

inline int32_t contextSynchronize(void *context, char *error, size_t size) {
  // The stream's own result: errors of its work (and sticky context
  // errors) show here, while cudaGetLastError could report an unrelated
  // earlier call of this thread.
  cudaError_t rc =
      cudaStreamSynchronize(static_cast<DeviceContext *>(context)->stream);
  return rc == cudaSuccess
             ? 0
             : reportError(error, size, "the model's GPU work failed", rc);
}

/// The table a generated library puts in its slim_model_def::device_ops.
template <int MinArch>
inline constexpr slim_device_ops kDeviceOps = {
    probeDevice<MinArch>, describeDevice,    deviceAlloc,        deviceFree,
    copyToDevice,         copyToHost,        contextCreate,      contextDestroy,
    contextCopyToDevice,  contextCopyToHost, contextSynchronize,
};

/// Handed to a model's layer sequence: brackets each layer with CUDA events
/// when profiling (null otherwise, and always null while capturing).
class LayerTimer {
public:
  explicit LayerTimer(DeviceContext *ctx) : ctx(ctx) {}
  cudaError_t begin(int layer) {
    return cudaEventRecord(ctx->events[2 * layer], ctx->stream);
  }
  cudaError_t end(int layer) {
    return cudaEventRecord(ctx->events[2 * layer + 1], ctx->stream);
  }

private:
  DeviceContext *ctx;
};

/// True unless SLIM_CUDA_GRAPHS=0 (eager launches, to compare against).
inline bool graphsEnabled() {
  const char *v = std::getenv("SLIM_CUDA_GRAPHS");
  return !(v && std::strcmp(v, "0") == 0);
}

/// Runs a model's layers for `env`'s context: eagerly the first time a set
/// of buffers is seen, then as a CUDA Graph captured on the second run and
/// replayed after that. `enqueue(stream, timer)`
/// launches every layer in order on `stream` and returns the first launch
/// error; `timer` is null unless profiling. `key` lists every buffer the
/// launches bake in (variables, params, inputs, outputs, arena): the
/// captured graph is replayed only while they are unchanged, and captured
/// again otherwise. Returns 0, or nonzero with env->error written.
template <typename Enqueue>
int32_t runModel(const slim_exec_env *env, int numLayers,
                 const std::vector<const void *> &key, Enqueue &&enqueue) {
  auto *ctx = static_cast<DeviceContext *>(env->device_context);
  if (!ctx)
    return reportMessage(env->error, env->error_size,
                         "a CUDA model ran without a device context");
  // Each launch reports cudaGetLastError(), which is the last error of *any*
  // runtime call of this thread: drop one left by an earlier call (ours that
  // failed and returned its code, or the host application's) so that it is
  // not blamed on the first layer. Sticky errors (a faulted context) are not
  // cleared by this and still fail the launches.
  (void)cudaGetLastError();
  cudaError_t rc = cudaSuccess;
  const slim_profiler *prof = env->profiler;
  if (prof && prof->elapsed && numLayers > 0) {
    // Profiled runs launch eagerly: a replayed graph has no per-layer events.
    if (ctx->events.empty()) {
      ctx->events.assign(2 * static_cast<size_t>(numLayers), nullptr);
      for (cudaEvent_t &e : ctx->events)
        if ((rc = cudaEventCreate(&e)) != cudaSuccess) {
          // No half-made set: the next profiled run would record null
          // events, and ~DeviceContext would destroy them.
          e = nullptr;
          for (cudaEvent_t made : ctx->events)
            if (made)
              cudaEventDestroy(made);
          ctx->events.clear();
          return reportError(env->error, env->error_size,
                             "cannot create CUDA events for profiling", rc);
        }
    }
    LayerTimer timer(ctx);
    if ((rc = enqueue(ctx->stream, &timer)) != cudaSuccess ||
        (rc = cudaStreamSynchronize(ctx->stream)) != cudaSuccess)
      return reportError(env->error, env->error_size, "a layer failed", rc);
    for (int i = 0; i < numLayers; ++i) {
      float ms = 0.0f;
      if ((rc = cudaEventElapsedTime(&ms, ctx->events[2 * i],
                                     ctx->events[2 * i + 1])) != cudaSuccess)
        return reportError(env->error, env->error_size,
                           "cannot read a layer's CUDA events", rc);
      prof->elapsed(prof->user, i, static_cast<double>(ms) * 1e6);
    }
    return 0;
  }
  if (!graphsEnabled()) {
    rc = enqueue(ctx->stream, static_cast<LayerTimer *>(nullptr));
    return rc == cudaSuccess
               ? 0
               : reportError(env->error, env->error_size, "a layer failed", rc);
  }
  if ((!ctx->graph || ctx->graphKey != key) && ctx->eagerKey != key) {
    ctx->eagerKey = key;
    rc = enqueue(ctx->stream, static_cast<LayerTimer *>(nullptr));
    return rc == cudaSuccess
               ? 0
               : reportError(env->error, env->error_size, "a layer failed", rc);
  }
  if (!ctx->graph || ctx->graphKey != key) {
    if (ctx->graph) {
      cudaGraphExecDestroy(ctx->graph);
      ctx->graph = nullptr;
    }
    cudaGraph_t graph = nullptr;
    if ((rc = cudaStreamBeginCapture(
             ctx->stream, cudaStreamCaptureModeThreadLocal)) != cudaSuccess)
      return reportError(env->error, env->error_size,
                         "cannot capture the model as a CUDA graph", rc);
    cudaError_t launched =
        enqueue(ctx->stream, static_cast<LayerTimer *>(nullptr));
    rc = cudaStreamEndCapture(ctx->stream, &graph);
    if (launched != cudaSuccess) {
      if (graph)
        cudaGraphDestroy(graph);
      return reportError(env->error, env->error_size, "a layer failed",
                         launched);
    }
    if (rc != cudaSuccess)
      return reportError(env->error, env->error_size,
                         "cannot capture the model as a CUDA graph", rc);
    rc = cudaGraphInstantiate(&ctx->graph, graph, 0);
    cudaGraphDestroy(graph);
    if (rc != cudaSuccess) {
      ctx->graph = nullptr;
      return reportError(env->error, env->error_size,
                         "cannot instantiate the model's CUDA graph", rc);
    }
    ctx->graphKey = key;
  }
  rc = cudaGraphLaunch(ctx->graph, ctx->stream);
  return rc == cudaSuccess
             ? 0
             : reportError(env->error, env->error_size,
                           "cannot launch the model's CUDA graph", rc);
}

} // namespace cuda
} // namespace slim

#endif // SLIM_CUDA_MODEL_SUPPORT_CUH
