//===- slim/slim_runtime.hpp - Header-only C++ wrapper of the C API -*- C++
//-*-===//
//
// RAII owners for the C handles and an exception, slim::Error, carrying a
// failed call's status code and message. Nothing here adds behaviour: every
// method forwards to one C function. Include it from C++17 applications; the
// library itself is the C API.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_RUNTIME_HPP
#define SLIM_RUNTIME_HPP

#include "slim/slim_runtime.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace slim {

/// Thrown by the wrapper when a C call fails.
class Error : public std::runtime_error {
public:
  Error(slim_status_code code, const std::string &message)
      : std::runtime_error(message), statusCode(code) {}
  slim_status_code code() const { return statusCode; }

private:
  slim_status_code statusCode;
};

/// Throws slim::Error for a failed status, taking ownership of it.
inline void check(slim_status status) {
  if (status == SLIM_OK)
    return;
  slim_status_code code = slim_status_get_code(status);
  std::string message = slim_status_get_message(status);
  slim_status_destroy(status);
  throw Error(code, message);
}

/// Move-only owner of a C handle with a destroy function.
template <typename T, void (*Destroy)(T *)> class Handle {
public:
  Handle() = default;
  explicit Handle(T *p) : ptr(p) {}
  Handle(Handle &&o) noexcept : ptr(std::exchange(o.ptr, nullptr)) {}
  Handle &operator=(Handle &&o) noexcept {
    if (this != &o) {
      Destroy(ptr);
      ptr = std::exchange(o.ptr, nullptr);
    }
    return *this;
  }
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() { Destroy(ptr); }
  T *get() const { return ptr; }
  explicit operator bool() const { return ptr != nullptr; }

protected:
  T *ptr = nullptr;
};

/// A read-only host or device buffer and its size in bytes, as the sized run
/// calls take it. Made implicitly from a std::vector, whose size is then known
/// and checked against the model's tensor; from a raw pointer only together
/// with its size.
struct ConstBuffer {
  ConstBuffer(const void *data, size_t sizeBytes)
      : data(data), sizeBytes(sizeBytes) {}
  template <typename T>
  ConstBuffer(const std::vector<T> &v)
      : data(v.data()), sizeBytes(v.size() * sizeof(T)) {}
  const void *data;
  size_t sizeBytes;
};

/// A writable buffer and its size in bytes; see ConstBuffer.
struct MutableBuffer {
  MutableBuffer(void *data, size_t sizeBytes)
      : data(data), sizeBytes(sizeBytes) {}
  template <typename T>
  MutableBuffer(std::vector<T> &v)
      : data(v.data()), sizeBytes(v.size() * sizeof(T)) {}
  void *data;
  size_t sizeBytes;
};

class Context;

/// A loaded model and its variables.
class Model : public Handle<slim_model, slim_model_destroy> {
public:
  using Handle::Handle;

  /// Opens a compiled model library.
  static Model open(const std::string &path) {
    slim_model *m = nullptr;
    check(slim_model_open(path.c_str(), &m));
    return Model(m);
  }
  /// Wraps a statically linked model definition.
  static Model fromDef(const slim_model_def *def) {
    slim_model *m = nullptr;
    check(slim_model_open_def(def, &m));
    return Model(m);
  }

  std::string name() const { return slim_model_name(ptr); }
  size_t numInputs() const { return slim_model_num_inputs(ptr); }
  size_t numOutputs() const { return slim_model_num_outputs(ptr); }
  size_t numVariables() const { return slim_model_num_variables(ptr); }

  slim_tensor_info input(size_t i) const {
    slim_tensor_info info;
    check(slim_model_input_info(ptr, i, &info));
    return info;
  }
  slim_tensor_info output(size_t i) const {
    slim_tensor_info info;
    check(slim_model_output_info(ptr, i, &info));
    return info;
  }
  slim_variable_info variable(size_t i) const {
    slim_variable_info info;
    check(slim_model_variable_info(ptr, i, &info));
    return info;
  }

  /// Reads a float32 (or other 4-byte) variable into a vector of T.
  template <typename T> std::vector<T> getVariable(const std::string &n) {
    size_t index = 0;
    check(slim_model_find_variable(ptr, n.c_str(), &index));
    std::vector<T> v(variable(index).tensor.size_bytes / sizeof(T));
    check(slim_model_get_variable(ptr, n.c_str(), v.data(),
                                  v.size() * sizeof(T)));
    return v;
  }
  template <typename T>
  void setVariable(const std::string &n, const std::vector<T> &v) {
    check(slim_model_set_variable(ptr, n.c_str(), v.data(),
                                  v.size() * sizeof(T)));
  }

  void initializeVariables(uint64_t seed) {
    check(slim_model_initialize_variables(ptr, seed));
  }
  double regularizationLoss() {
    double loss = 0;
    check(slim_model_regularization_loss(ptr, &loss));
    return loss;
  }
  void loadCheckpoint(const std::string &path,
                      const slim_restore_options *options = nullptr) {
    check(slim_model_load_checkpoint(ptr, path.c_str(), options));
  }
  void
  saveCheckpoint(const std::string &path,
                 slim_checkpoint_format format = SLIM_CHECKPOINT_SAFETENSORS) {
    check(slim_model_save_checkpoint_as(ptr, path.c_str(), format));
  }
  /// Inference only, weights held once (slim_model_freeze).
  void freeze() { check(slim_model_freeze(ptr)); }
  bool isFrozen() const { return slim_model_is_frozen(ptr) != 0; }
  slim_memory_info memoryInfo() {
    slim_memory_info info;
    check(slim_model_memory_info(ptr, &info));
    return info;
  }
  /// Where `run` computes (slim_model_device).
  slim_device_kind device() const { return slim_model_device(ptr); }
  slim_device_info deviceInfo() const {
    slim_device_info info;
    check(slim_model_device_info(ptr, &info));
    return info;
  }

  inline Context createContext();
  /// A context for batches 1..`maxBatch` (slim_context_create_for_batch).
  inline Context createContext(int64_t maxBatch);
  /// The run-time batch (slimc --max-batch): see slim_runtime.h.
  int64_t maxBatch() const { return slim_model_max_batch(ptr); }
  bool hasDynamicBatch() const { return slim_model_has_dynamic_batch(ptr); }
  size_t arenaSizeForBatch(int64_t batch) const {
    return slim_model_arena_size_for_batch(ptr, batch);
  }
};

/// One execution context: its own arena; used by one thread at a time.
class Context : public Handle<slim_context, slim_context_destroy> {
public:
  using Handle::Handle;

  void setMaxThreads(int n) { check(slim_context_set_max_threads(ptr, n)); }
  void enableProfiling(bool on) {
    check(slim_context_enable_profiling(ptr, on ? 1 : 0));
  }
  /// Runs once on host buffers, each checked against its tensor's size
  /// (slim_context_run_sized): a std::vector of the wrong length throws
  /// slim::Error with SLIM_STATUS_INVALID_ARGUMENT instead of being read or
  /// written past its end.
  void run(const std::vector<ConstBuffer> &inputs,
           const std::vector<MutableBuffer> &outputs) {
    runSized(inputs, outputs, slim_context_run_sized);
  }
  /// Runs `batch` samples (slim_context_run_batch): every buffer holds
  /// `batch` along dim 0.
  void runBatch(int64_t batch, const std::vector<ConstBuffer> &inputs,
                const std::vector<MutableBuffer> &outputs) {
    std::vector<const void *> in;
    std::vector<size_t> inSizes;
    for (const ConstBuffer &b : inputs) {
      in.push_back(b.data);
      inSizes.push_back(b.sizeBytes);
    }
    std::vector<void *> out;
    std::vector<size_t> outSizes;
    for (const MutableBuffer &b : outputs) {
      out.push_back(b.data);
      outSizes.push_back(b.sizeBytes);
    }
    check(slim_context_run_batch(ptr, batch, in.data(), inSizes.data(),
                                 in.size(), out.data(), outSizes.data(),
                                 out.size()));
  }
  /// Device models: inputs and outputs already in device memory, no copies
  /// (slim_context_run_device_sized); give each device pointer's size.
  void runDevice(const std::vector<ConstBuffer> &deviceInputs,
                 const std::vector<MutableBuffer> &deviceOutputs) {
    runSized(deviceInputs, deviceOutputs, slim_context_run_device_sized);
  }
  std::vector<slim_layer_profile> profile() const {
    std::vector<slim_layer_profile> p(slim_context_num_profiled_layers(ptr));
    for (size_t i = 0; i < p.size(); ++i)
      check(slim_context_layer_profile(ptr, i, &p[i]));
    return p;
  }

private:
  using SizedRunFn = slim_status (*)(slim_context *, const void *const *,
                                     const size_t *, size_t, void *const *,
                                     const size_t *, size_t);
  void runSized(const std::vector<ConstBuffer> &inputs,
                const std::vector<MutableBuffer> &outputs, SizedRunFn fn) {
    std::vector<const void *> in;
    std::vector<size_t> inSizes;
    for (const ConstBuffer &b : inputs) {
      in.push_back(b.data);
      inSizes.push_back(b.sizeBytes);
    }
    std::vector<void *> out;
    std::vector<size_t> outSizes;
    for (const MutableBuffer &b : outputs) {
      out.push_back(b.data);
      outSizes.push_back(b.sizeBytes);
    }
    check(fn(ptr, in.data(), inSizes.data(), in.size(), out.data(),
             outSizes.data(), out.size()));
  }
};

inline Context Model::createContext() {
  slim_context *c = nullptr;
  check(slim_context_create(ptr, nullptr, 0, &c));
  return Context(c);
}

inline Context Model::createContext(int64_t maxBatch) {
  slim_context *c = nullptr;
  check(slim_context_create_for_batch(ptr, maxBatch, nullptr, 0, &c));
  return Context(c);
}

/// Sets the size of the runtime's shared thread pool (0 = one per CPU).
inline void setNumThreads(int n) { check(slim_set_num_threads(n)); }

} // namespace slim

#endif // SLIM_RUNTIME_HPP
