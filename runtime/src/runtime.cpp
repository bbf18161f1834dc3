//===- runtime.cpp - Models, variables and execution contexts -------------===//

#include "checkpoint.h"
#include "common.h"
#include "device.h"
#include "initializers.h"
#include "restore.h"
#include "thread_pool.h"

#include "slim/contract.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <set>
#include <shared_mutex>

using namespace slimrt;

namespace {

constexpr size_t kVariableAlignment = 64;

struct Variable {
  const slim_variable_desc *desc;
  std::vector<int64_t> dims;
  uint64_t numElements = 0;
  uint64_t sizeBytes = 0;
  AlignedBuffer owned;
  /// Either owned.data() or a view into a mapped checkpoint.
  const void *data = nullptr;
  std::shared_ptr<const void> keepAlive;
  bool initialized = false;
  /// Storage dropped by slim_model_freeze; the values live on only in the
  /// derived parameters.
  bool released = false;

  /// Makes the storage private and writable (copy-on-write for views).
  void *writable() {
    if (!owned.data() || data != owned.data()) {
      AlignedBuffer fresh(sizeBytes, kVariableAlignment);
      if (data)
        std::memcpy(fresh.data(), data, sizeBytes);
      owned = std::move(fresh);
      data = owned.data();
      keepAlive.reset();
    }
    return owned.data();
  }
};

std::vector<int64_t> dimsOf(int32_t rank, const int64_t *dims) {
  return std::vector<int64_t>(dims, dims + rank);
}

std::string isaNames(uint32_t bits) {
  static const char *names[] = {"SSE4.2",   "AVX",       "AVX2",     "FMA",
                                "F16C",     "AVX512F",   "AVX512BW", "AVX512DQ",
                                "AVX512VL", "AVX512VNNI"};
  std::string s;
  for (unsigned i = 0; i < 32; ++i) {
    if (!(bits & (1u << i)))
      continue;
    if (!s.empty())
      s += ", ";
    s += i < sizeof(names) / sizeof(names[0]) ? names[i]
                                              : cat("unknown bit ", i);
  }
  return s;
}

bool isPowerOfTwo(uint64_t x) { return x && !(x & (x - 1)); }

uint64_t tensorBytes(const slim_tensor_desc &t) {
  uint64_t n = dtypeSize(t.dtype);
  for (int32_t d = 0; d < t.rank; ++d)
    n *= uint64_t(t.dims[d]);
  return n;
}

} // namespace

struct slim_model {
  void *library = nullptr;
  const slim_model_def *def = nullptr;
  std::string name;
  std::vector<std::vector<int64_t>> inputDims, outputDims;
  /// ABI 7: the train step's input and label shapes and byte sizes.
  std::vector<std::vector<int64_t>> trainInputDims, labelDims;
  /// def->max_batch, or for a static model that leaves it 0, dim 0 of its
  /// first input (1 without one).
  int64_t maxBatch = 1;
  std::vector<uint64_t> inputBytes, outputBytes;
  std::vector<Variable> variables;
  /// Host parameter buffers. A CPU model keeps them; a device model has them
  /// only while `prepare` runs, then uploads them to `deviceParams`.
  std::vector<AlignedBuffer> params;
  std::vector<void *> paramPtrs;
  /// Null for CPU models; a device model's own entry points otherwise.
  const slim_device_ops *deviceOps = nullptr;
  /// Device models: what `run` reads. The parameters, and a copy of every
  /// variable `run` reads (an empty buffer, passed as null, for the
  /// `prepare_only` ones), uploaded after each prepare.
  std::vector<DeviceBuffer> deviceParams, deviceVariables;
  std::vector<const void *> deviceParamPtrs, deviceVariablePtrs;
  /// Readers (runs, variable reads) share it; writers (set, load, init,
  /// prepare) hold it alone. Take it through ReadLock/WriteLock only.
  std::shared_mutex lock;
  /// Writers hold it while waiting for `lock`, and readers pass through it
  /// first, so a stream of runs cannot starve a writer (glibc's rwlock
  /// prefers readers).
  std::mutex writerGate;
  bool prepared = false;
  /// Set by slim_model_freeze: variables can no longer change.
  bool frozen = false;
  /// One reference from the application, one per context.
  std::atomic<int> refs{1};

  ~slim_model() {
    variables.clear();
    // Freed through the library's code, so before it is unloaded.
    deviceParams.clear();
    deviceVariables.clear();
    if (library)
      dlclose(library);
  }

  void release() {
    if (--refs == 0)
      delete this;
  }

  /// variables[i].data, cached for run(); refreshed under the write lock.
  std::vector<const void *> variablePointers;

  void refreshPointers() {
    variablePointers.clear();
    for (const Variable &v : variables)
      variablePointers.push_back(v.data);
  }

  ptrdiff_t findVariable(const std::string &n) const {
    for (size_t i = 0; i < variables.size(); ++i)
      if (n == variables[i].desc->name)
        return ptrdiff_t(i);
    return -1;
  }

  /// Fails if the model was frozen; `what` names the refused operation.
  void requireMutable(const char *what) const {
    if (frozen)
      fail(SLIM_STATUS_FAILED_PRECONDITION, "cannot ", what, ": model '", name,
           "' is frozen (slim_model_freeze made it inference-only)");
  }

  /// Fails if `v` was released by slim_model_freeze.
  void requireHeld(const Variable &v, const char *what) const {
    if (v.released)
      fail(SLIM_STATUS_FAILED_PRECONDITION, "cannot ", what, ": variable '",
           v.desc->name, "' of model '", name,
           "' was released by slim_model_freeze (",
           deviceOps ? "only the device copies of the weights are kept)"
                     : "only its packed form is kept)");
  }

  /// What `run` gets: host storage for CPU models, device copies otherwise.
  const void *const *runVariables() const {
    return deviceOps ? deviceVariablePtrs.data() : variablePointers.data();
  }
  const void *const *runParams() const {
    return deviceOps ? deviceParamPtrs.data()
                     : const_cast<const void *const *>(paramPtrs.data());
  }

  Variable &variable(const char *n) {
    if (!n)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable name is null");
    ptrdiff_t i = findVariable(n);
    if (i < 0)
      fail(SLIM_STATUS_NOT_FOUND, "model '", name, "' has no variable '", n,
           "'");
    return variables[size_t(i)];
  }

  /// `prepare` will not read [offset, offset + bytes) of variable `index`
  /// again (slim_exec_env::consumed, only while freezing): drop it now, so
  /// the variables and their params never all reside at once. From the
  /// first dropped byte on the variable counts as released.
  void consumedLocked(int32_t index, uint64_t offset, uint64_t bytes) {
    if (index < 0 || size_t(index) >= variables.size())
      return;
    Variable &v = variables[size_t(index)];
    // `run` reads the others (a device model's upload too).
    if (!v.desc->prepare_only || !v.data || offset >= v.sizeBytes)
      return;
    bytes = std::min(bytes, v.sizeBytes - offset);
    v.released = true;
    dropPages(static_cast<const char *>(v.data) + offset, bytes);
    if (offset == 0 && bytes == v.sizeBytes) {
      // An owned buffer goes back to the allocator; a view's pages left the
      // resident set above, and its mapping goes with the last view.
      v.owned = AlignedBuffer();
      v.keepAlive.reset();
      v.data = nullptr;
    }
  }

  static void consumedCallback(const slim_exec_env *env, int32_t variable,
                               uint64_t offset, uint64_t bytes) {
    if (env && env->consumed_user)
      static_cast<slim_model *>(env->consumed_user)
          ->consumedLocked(variable, offset, bytes);
  }

  /// Fails naming the variables that have no value yet.
  void requireInitializedLocked() const {
    std::vector<std::string> uninitialized;
    for (const Variable &v : variables)
      if (!v.initialized)
        uninitialized.push_back(v.desc->name);
    if (!uninitialized.empty()) {
      std::string list;
      for (size_t i = 0; i < uninitialized.size() && i < 10; ++i)
        list += (i ? ", " : "") + uninitialized[i];
      if (uninitialized.size() > 10)
        list += cat(", ... (", uninitialized.size() - 10, " more)");
      fail(SLIM_STATUS_FAILED_PRECONDITION, "model '", name, "' has ",
           uninitialized.size(),
           " variable(s) without a value (load a checkpoint, set them or "
           "initialize them first): ",
           list);
    }
  }

  /// Runs `prepare`; the caller holds the lock exclusively. `freezing`: the
  /// caller releases every `prepare_only` variable afterwards, so `prepare`
  /// may release them as it consumes them.
  void prepareLocked(bool freezing = false) {
    for (const Variable &v : variables)
      if (v.released)
        fail(SLIM_STATUS_FAILED_PRECONDITION, "model '", name,
             "' cannot prepare: variable '", v.desc->name,
             "' was released by a slim_model_freeze whose prepare failed");
    requireInitializedLocked();
    if (deviceOps) {
      // Host parameters exist only for this prepare and its upload.
      params.clear();
      paramPtrs.clear();
      for (int32_t i = 0; i < def->num_params; ++i) {
        const slim_param_desc &p = def->params[i];
        params.emplace_back(p.size_bytes, p.alignment ? p.alignment : 64);
        paramPtrs.push_back(params.back().data());
      }
    }
    struct DropHostParams {
      slim_model *m;
      ~DropHostParams() {
        if (m) {
          m->params.clear();
          m->paramPtrs.clear();
        }
      }
    } dropHostParams{deviceOps ? this : nullptr};
    if (def->num_params > 0) {
      std::shared_ptr<ThreadPool> pool = sharedPool();
      ThreadPool::Binding binding{pool.get(), 0};
      slim_parallel par = ThreadPool::makeTable(&binding);
      // Borrowed for this call only: steady-state memory is variables,
      // params and arenas.
      AlignedBuffer scratch(def->prepare_scratch_size, 64);
      char error[1024] = "";
      slim_exec_env env{&par,
                        nullptr,
                        error,
                        sizeof(error),
                        def->prepare_scratch_size ? scratch.data() : nullptr,
                        nullptr,
                        freezing ? consumedCallback : nullptr,
                        freezing ? this : nullptr};
      int32_t rc =
          def->prepare(&env, variablePointers.data(), paramPtrs.data());
      error[sizeof(error) - 1] = '\0'; // Never trust the model to terminate.
      if (rc)
        fail(SLIM_STATUS_INTERNAL, "model '", name, "' failed to prepare (", rc,
             "): ", error[0] ? error : "no message");
    }
    if (deviceOps)
      uploadLocked();
    prepared = true;
  }

  /// Copies the freshly prepared params and the variables `run` reads into
  /// their device buffers. No run is in flight: runs hold the read lock until
  /// their device work has finished.
  void uploadLocked() {
    for (size_t i = 0; i < deviceParams.size(); ++i)
      copyToDevice(deviceOps, deviceParams[i].data(), params[i].data(),
                   deviceParams[i].size(),
                   cat("model '", name, "': cannot upload parameter '",
                       def->params[i].name ? def->params[i].name : "", "'"));
    for (size_t i = 0; i < variables.size(); ++i) {
      const Variable &v = variables[i];
      // Frozen models never re-prepare, so a released variable's copy is
      // already current.
      if (v.desc->prepare_only || v.released)
        continue;
      copyToDevice(deviceOps, deviceVariables[i].data(), v.data,
                   deviceVariables[i].size(),
                   cat("model '", name, "': cannot upload variable '",
                       v.desc->name, "'"));
    }
  }
};

namespace {

/// Shared access to a model's variables and params.
struct ReadLock {
  explicit ReadLock(slim_model *m) {
    { std::lock_guard<std::mutex> gate(m->writerGate); }
    lock = std::shared_lock<std::shared_mutex>(m->lock);
  }
  std::shared_lock<std::shared_mutex> lock;
};

/// Exclusive access; new readers wait behind it.
struct WriteLock {
  explicit WriteLock(slim_model *m) : gate(m->writerGate), lock(m->lock) {}
  std::unique_lock<std::mutex> gate;
  std::unique_lock<std::shared_mutex> lock;
};

} // namespace

struct slim_context {
  slim_model *model;
  AlignedBuffer ownedArena;
  /// Device models: the stream `run` enqueues on, then the device arena and
  /// the staging buffers of slim_context_run (all freed before the model
  /// releases its library).
  std::unique_ptr<DeviceContext> device;
  DeviceBuffer ownedDeviceArena;
  std::vector<DeviceBuffer> inputStaging, outputStaging;
  /// Host memory for CPU models, device memory for device models.
  void *arena = nullptr;
  /// The most samples a run may compute (the arena is sized for it).
  int64_t batch = 1;
  int maxThreads = 0;
  bool profiling = false;
  std::vector<std::chrono::steady_clock::time_point> layerStart;
  std::vector<double> layerNs;
  uint64_t profiledRuns = 0;
  /// ABI 7 train steps: the train arena and the last step's gradients, one
  /// buffer per trained variable, allocated at the first step.
  AlignedBuffer trainArena;
  std::vector<AlignedBuffer> gradients;
  std::vector<void *> gradientPtrs;
  bool hasGradients = false;
  float learningRate = 0.0f;
};

namespace {

void validateTensorDesc(const slim_tensor_desc &t, const char *kind, size_t i) {
  if (!t.name || !*t.name)
    fail(SLIM_STATUS_INCOMPATIBLE, "model ", kind, " #", i, " has no name");
  if (!dtypeSize(t.dtype))
    fail(SLIM_STATUS_INCOMPATIBLE, "model ", kind, " '", t.name,
         "' has invalid dtype ", t.dtype);
  if (t.rank < 0 || t.rank > SLIM_MAX_RANK)
    fail(SLIM_STATUS_INCOMPATIBLE, "model ", kind, " '", t.name,
         "' has invalid rank ", t.rank);
  for (int32_t d = 0; d < t.rank; ++d)
    if (t.dims[d] < 0)
      fail(SLIM_STATUS_INCOMPATIBLE, "model ", kind, " '", t.name,
           "' has a negative dimension in shape ",
           shapeString(dimsOf(t.rank, t.dims)));
  checkedNumElements(dimsOf(t.rank, t.dims), dtypeSize(t.dtype),
                     cat("model ", kind, " '", t.name, "'"));
}

/// Checks the device fields (ABI v3): a known kind, and for a device model a
/// complete set of operations and alignments device memory provides.
void validateDevice(const slim_model_def *def, const std::string &name) {
  const char *kind = deviceKindName(def->device);
  if (!kind)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' targets unknown device kind ", def->device,
         " (this runtime knows CPU and CUDA)");
  if (def->device == SLIM_DEVICE_CPU) {
    if (def->device_ops)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' is a CPU model but has device operations");
    return;
  }
  if (!def->device_ops)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' is a ", kind,
         " model without device operations (device_ops is null)");
  std::string missing = missingDeviceOps(*def->device_ops);
  if (!missing.empty())
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' is a ", kind,
         " model whose device operations lack: ", missing);
  if (def->arena_alignment > kDeviceAlignment)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' asks ",
         def->arena_alignment, "-byte arena alignment; device memory has ",
         kDeviceAlignment);
  for (int32_t i = 0; i < def->num_params; ++i)
    if (def->params && def->params[i].alignment > kDeviceAlignment)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' parameter #", i,
           " asks ", def->params[i].alignment,
           "-byte alignment; device memory has ", kDeviceAlignment);
}

/// Checks the batch fields (ABI 6): a positive max batch and, for a model
/// with a run-time batch, a CPU model whose inputs and outputs all have the
/// max batch as dim 0 and whose arena shrinks by at most what it has.
void validateBatch(const slim_model_def *def, const std::string &name) {
  if (def->max_batch < (def->dynamic_batch ? 1 : 0) ||
      def->max_batch > (int64_t(1) << 31))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' has max batch ",
         def->max_batch, " (expected 1 to 2^31)");
  if (!def->dynamic_batch) {
    if (def->arena_bytes_per_sample)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' has a static batch but arena bytes per sample");
    return;
  }
  if (def->device != SLIM_DEVICE_CPU)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' is a device model with a run-time batch (not supported)");
  if (def->arena_bytes_per_sample > def->arena_size / uint64_t(def->max_batch))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' has ",
         def->arena_bytes_per_sample, " arena bytes per sample, more than its ",
         def->arena_size, "-byte arena holds for ", def->max_batch, " samples");
  auto check = [&](const slim_tensor_desc *t, int32_t n, const char *kind) {
    for (int32_t i = 0; i < n; ++i)
      if (t[i].rank < 1 || t[i].dims[0] != def->max_batch)
        fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
             "' has a run-time "
             "batch but ",
             kind, " '", t[i].name ? t[i].name : "",
             "' does not have its max batch ", def->max_batch, " as dim 0");
  };
  check(def->inputs, def->num_inputs, "input");
  check(def->outputs, def->num_outputs, "output");
}

/// Bytes of arena a context for `batch` samples needs (batch in range).
uint64_t arenaForBatch(const slim_model_def *def, int64_t batch) {
  if (!def->dynamic_batch)
    return def->arena_size;
  return def->arena_size -
         uint64_t(def->max_batch - batch) * def->arena_bytes_per_sample;
}

/// Fails unless `batch` is one a context or run of `model` may have: 1..
/// `limit` for a model with a run-time batch, exactly `limit` otherwise.
void checkBatch(const slim_model *model, int64_t batch, int64_t limit,
                const char *what) {
  if (model->def->dynamic_batch ? (batch >= 1 && batch <= limit)
                                : batch == limit)
    return;
  if (model->def->dynamic_batch)
    fail(SLIM_STATUS_INVALID_ARGUMENT, what, " of model '", model->name,
         "' has batch ", batch, "; it runs batch 1 to ", limit, " (max batch ",
         model->maxBatch, ")");
  fail(SLIM_STATUS_INVALID_ARGUMENT, what, " of model '", model->name,
       "' has batch ", batch, "; the model has a static batch of ", limit,
       " (compiled without a run-time batch)");
}

/// Checks the train fields (ABI 7): tables consistent with `train`,
/// inputs f32, labels f32/i32/i64, gradients of distinct f32 variables.
void validateTrain(const slim_model_def *def, const std::string &name) {
  if (!def->train) {
    if (def->num_train_inputs || def->num_labels || def->num_gradients ||
        def->train_arena_size)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' describes a train step but has no train function");
    return;
  }
  if (def->device_ops)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' has a train step on a device; train steps run on the CPU only");
  if (def->num_train_inputs < 0 || def->num_labels < 0 ||
      def->num_gradients < 0 || (def->num_train_inputs && !def->train_inputs) ||
      (def->num_labels && !def->labels) ||
      (def->num_gradients && !def->gradient_variables))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' has an inconsistent train step table");
  if (def->train_arena_size > uint64_t(slim::contract::kMaxArenaBytes))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' asks for an absurd train arena size");
  std::set<std::string> seen;
  for (int32_t i = 0; i < def->num_train_inputs; ++i) {
    validateTensorDesc(def->train_inputs[i], "train input", size_t(i));
    if (def->train_inputs[i].dtype != SLIM_DTYPE_F32)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' train input '",
           def->train_inputs[i].name, "' is not float32");
    if (!seen.insert(def->train_inputs[i].name).second)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' has two train inputs named '", def->train_inputs[i].name, "'");
  }
  for (int32_t i = 0; i < def->num_labels; ++i) {
    validateTensorDesc(def->labels[i], "label", size_t(i));
    int32_t dt = def->labels[i].dtype;
    if (dt != SLIM_DTYPE_F32 && dt != SLIM_DTYPE_I32 && dt != SLIM_DTYPE_I64)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' label '",
           def->labels[i].name, "' is not float32, int32 or int64");
    if (!seen.insert(def->labels[i].name).second)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' has two train inputs or labels named '", def->labels[i].name,
           "'");
  }
  std::set<int32_t> trained;
  for (int32_t i = 0; i < def->num_gradients; ++i) {
    int32_t v = def->gradient_variables[i];
    if (v < 0 || v >= def->num_variables ||
        def->variables[v].dtype != SLIM_DTYPE_F32 || !trained.insert(v).second)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' gradient #", i,
           " names a bad variable (", v, ")");
  }
}

/// Checks a definition before anything in it is trusted.
void validateDef(const slim_model_def *def) {
  if (def->abi_version != SLIM_MODEL_ABI_VERSION)
    fail(SLIM_STATUS_INCOMPATIBLE, "model was built for model ABI version ",
         def->abi_version, "; this runtime implements version ",
         SLIM_MODEL_ABI_VERSION, " (rebuild the model with a matching slimc)");
  std::string name = def->name ? def->name : "(unnamed)";
  if (!def->run)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' has no run function");
  if (def->num_inputs < 0 || def->num_outputs < 0 || def->num_variables < 0 ||
      def->num_params < 0 || def->num_layers < 0 ||
      (def->num_inputs && !def->inputs) ||
      (def->num_outputs && !def->outputs) ||
      (def->num_variables && !def->variables) ||
      (def->num_params && !def->params) || (def->num_layers && !def->layers))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' has an inconsistent descriptor table");
  if (def->num_params && !def->prepare)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' declares derived parameters but no prepare function");
  if (def->default_num_threads < 0)
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' has a negative default thread count");
  if (def->prepare_scratch_size > uint64_t(slim::contract::kMaxParamBytes))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' asks for an absurd prepare scratch size");
  if (def->arena_alignment && !isPowerOfTwo(def->arena_alignment))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' has a non-power-of-two arena alignment");
  if (def->arena_size > uint64_t(slim::contract::kMaxArenaBytes))
    fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
         "' asks for an absurd arena size");
  validateDevice(def, name);
  validateBatch(def, name);
  validateTrain(def, name);
  std::set<std::string> seen;
  for (int32_t i = 0; i < def->num_inputs; ++i) {
    validateTensorDesc(def->inputs[i], "input", size_t(i));
    if (!seen.insert(def->inputs[i].name).second)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' has two inputs named '", def->inputs[i].name, "'");
  }
  seen.clear();
  for (int32_t i = 0; i < def->num_outputs; ++i) {
    validateTensorDesc(def->outputs[i], "output", size_t(i));
    if (!seen.insert(def->outputs[i].name).second)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' has two outputs named '", def->outputs[i].name, "'");
  }
  seen.clear();
  for (int32_t i = 0; i < def->num_variables; ++i) {
    const slim_variable_desc &v = def->variables[i];
    slim_tensor_desc t{v.name, v.dtype, v.rank, {}};
    if (v.rank >= 0 && v.rank <= SLIM_MAX_RANK)
      std::memcpy(t.dims, v.dims, sizeof(int64_t) * size_t(v.rank));
    validateTensorDesc(t, "variable", size_t(i));
    if (!seen.insert(v.name).second)
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name,
           "' has two variables named '", v.name, "'");
  }
  for (int32_t i = 0; i < def->num_params; ++i) {
    const slim_param_desc &p = def->params[i];
    if (p.alignment && !isPowerOfTwo(p.alignment))
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' parameter #", i,
           " has a non-power-of-two alignment");
    if (p.size_bytes > uint64_t(slim::contract::kMaxParamBytes))
      fail(SLIM_STATUS_INCOMPATIBLE, "model '", name, "' parameter #", i,
           " has an absurd size");
  }
}

slim_model *buildModel(const slim_model_def *def, void *library) {
  validateDef(def);
  std::string modelName = def->name ? def->name : "";
  // Before anything touches the device: a machine without a driver or a GPU
  // is the common failure, and its message must say so plainly.
  if (def->device_ops)
    callDevice(SLIM_STATUS_UNAVAILABLE,
               cat("model '", modelName, "' needs a ",
                   deviceKindName(def->device), " device"),
               [&](char *error, size_t size) {
                 return def->device_ops->probe(error, size);
               });
  std::unique_ptr<slim_model> model(new slim_model());
  model->def = def;
  model->name = modelName;
  model->maxBatch = def->max_batch;
  if (!model->maxBatch)
    model->maxBatch = def->num_inputs && def->inputs[0].rank > 0
                          ? std::max<int64_t>(def->inputs[0].dims[0], 1)
                          : 1;
  model->deviceOps = def->device_ops;
  for (int32_t i = 0; i < def->num_inputs; ++i) {
    model->inputDims.push_back(
        dimsOf(def->inputs[i].rank, def->inputs[i].dims));
    model->inputBytes.push_back(tensorBytes(def->inputs[i]));
  }
  for (int32_t i = 0; i < def->num_outputs; ++i) {
    model->outputDims.push_back(
        dimsOf(def->outputs[i].rank, def->outputs[i].dims));
    model->outputBytes.push_back(tensorBytes(def->outputs[i]));
  }
  for (int32_t i = 0; i < def->num_train_inputs; ++i)
    model->trainInputDims.push_back(
        dimsOf(def->train_inputs[i].rank, def->train_inputs[i].dims));
  for (int32_t i = 0; i < def->num_labels; ++i)
    model->labelDims.push_back(
        dimsOf(def->labels[i].rank, def->labels[i].dims));
  for (int32_t i = 0; i < def->num_variables; ++i) {
    const slim_variable_desc &d = def->variables[i];
    Variable v;
    v.desc = &d;
    v.dims = dimsOf(d.rank, d.dims);
    v.numElements = checkedNumElements(v.dims, dtypeSize(d.dtype), d.name);
    v.sizeBytes = v.numElements * dtypeSize(d.dtype);
    // No storage yet: restoring a checkpoint may map it instead, and an
    // unused allocation would only raise the peak.
    model->variables.push_back(std::move(v));
  }
  if (model->deviceOps) {
    // Device memory is allocated once here, like a CPU model's params, so
    // that preparing again only copies.
    const slim_device_ops *ops = model->deviceOps;
    for (int32_t i = 0; i < def->num_params; ++i) {
      const slim_param_desc &p = def->params[i];
      model->deviceParams.emplace_back(ops, p.size_bytes,
                                       cat("parameter '", p.name ? p.name : "",
                                           "' of model '", modelName, "'"));
      model->deviceParamPtrs.push_back(model->deviceParams.back().data());
    }
    for (const Variable &v : model->variables) {
      model->deviceVariables.emplace_back();
      if (!v.desc->prepare_only)
        model->deviceVariables.back() = DeviceBuffer(
            ops, v.sizeBytes,
            cat("variable '", v.desc->name, "' of model '", modelName, "'"));
      model->deviceVariablePtrs.push_back(model->deviceVariables.back().data());
    }
  } else {
    for (int32_t i = 0; i < def->num_params; ++i) {
      const slim_param_desc &p = def->params[i];
      model->params.emplace_back(p.size_bytes, p.alignment ? p.alignment : 64);
      model->paramPtrs.push_back(model->params.back().data());
    }
  }
  model->refreshPointers();
  // Only now does the model own the library handle.
  model->library = library;
  return model.release();
}

void profilerBegin(void *user, int32_t layer) {
  auto *ctx = static_cast<slim_context *>(user);
  if (layer >= 0 && size_t(layer) < ctx->layerStart.size())
    ctx->layerStart[size_t(layer)] = std::chrono::steady_clock::now();
}

void profilerEnd(void *user, int32_t layer) {
  auto *ctx = static_cast<slim_context *>(user);
  if (layer >= 0 && size_t(layer) < ctx->layerStart.size())
    ctx->layerNs[size_t(layer)] +=
        std::chrono::duration<double, std::nano>(
            std::chrono::steady_clock::now() - ctx->layerStart[size_t(layer)])
            .count();
}

/// A device model's report of a layer it timed on the device.
void profilerElapsed(void *user, int32_t layer, double ns) {
  auto *ctx = static_cast<slim_context *>(user);
  if (layer >= 0 && size_t(layer) < ctx->layerNs.size() && ns >= 0)
    ctx->layerNs[size_t(layer)] += ns;
}

void fillTensorInfo(const char *name, int32_t dtype,
                    const std::vector<int64_t> &dims, slim_tensor_info *out) {
  out->name = name;
  out->dtype = slim_dtype(dtype);
  out->rank = int32_t(dims.size());
  out->dims = dims.data();
  uint64_t n = 1;
  for (int64_t d : dims)
    n *= uint64_t(d);
  out->num_elements = n;
  out->size_bytes = n * dtypeSize(dtype);
}

template <typename T> void requireNonNull(const T *p, const char *what) {
  if (!p)
    fail(SLIM_STATUS_INVALID_ARGUMENT, what, " is null");
}

/// Checks the counts and pointers given to a run.
void checkRunBuffers(const slim_model *model, const void *const *inputs,
                     size_t num_inputs, void *const *outputs,
                     size_t num_outputs) {
  const slim_model_def *def = model->def;
  if (num_inputs != size_t(def->num_inputs))
    fail(SLIM_STATUS_INVALID_ARGUMENT, "model '", model->name, "' takes ",
         def->num_inputs, " inputs, got ", num_inputs);
  if (num_outputs != size_t(def->num_outputs))
    fail(SLIM_STATUS_INVALID_ARGUMENT, "model '", model->name, "' produces ",
         def->num_outputs, " outputs, got ", num_outputs);
  if (num_inputs && !inputs)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "inputs array is null");
  if (num_outputs && !outputs)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "outputs array is null");
  for (size_t i = 0; i < num_inputs; ++i)
    if (!inputs[i])
      fail(SLIM_STATUS_INVALID_ARGUMENT, "input '", def->inputs[i].name,
           "' is null");
  for (size_t i = 0; i < num_outputs; ++i)
    if (!outputs[i])
      fail(SLIM_STATUS_INVALID_ARGUMENT, "output '", def->outputs[i].name,
           "' is null");
}

/// Checks the byte size of each buffer the sized run variants were given
/// against the model's declared tensor size. Exact equality, not "at least":
/// a larger buffer means the caller's idea of the shape or dtype differs from
/// the model's, which would silently compute on misread data.
void checkBufferSizes(const slim_model *model, const char *kind,
                      const char *arrayName, const slim_tensor_desc *tensors,
                      const std::vector<uint64_t> &expected,
                      const size_t *sizes, size_t count, int64_t batch) {
  if (count && !sizes)
    fail(SLIM_STATUS_INVALID_ARGUMENT, arrayName, " array is null");
  const slim_model_def *def = model->def;
  for (size_t i = 0; i < count; ++i) {
    std::vector<int64_t> dims = dimsOf(tensors[i].rank, tensors[i].dims);
    uint64_t bytes = expected[i];
    // Dim 0 is the batch: this run's share of the max-batch buffer.
    if (def->dynamic_batch) {
      bytes = bytes / uint64_t(def->max_batch) * uint64_t(batch);
      dims[0] = batch;
    }
    if (uint64_t(sizes[i]) != bytes)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "model '", model->name, "': ", kind,
           " '", tensors[i].name, "' (", shapeString(dims), " ",
           dtypeName(tensors[i].dtype),
           def->dynamic_batch
               ? cat(", batch ", batch, " of max ", model->maxBatch)
               : std::string(),
           ") needs a buffer of ", bytes, " bytes, got ", sizes[i], " bytes");
  }
}

/// Calls the model's `run` once; the caller holds the read lock of a
/// prepared model.
void callRun(slim_context *context, int64_t batch, const void *const *inputs,
             void *const *outputs) {
  slim_model *model = context->model;
  std::shared_ptr<ThreadPool> pool = sharedPool();
  ThreadPool::Binding binding{pool.get(), context->maxThreads};
  slim_parallel par = ThreadPool::makeTable(&binding);
  // Both kinds of hook, whatever the model: CPU models call begin/end, device
  // models elapsed, and neither may find a null it would call.
  slim_profiler profiler{context, profilerBegin, profilerEnd, profilerElapsed};
  char error[1024] = "";
  slim_exec_env env{&par,    context->profiling ? &profiler : nullptr,
                    error,   sizeof(error),
                    nullptr, context->device ? context->device->get() : nullptr,
                    nullptr, nullptr,
                    batch};
  int32_t rc = model->def->run(&env, model->runVariables(), model->runParams(),
                               inputs, outputs, context->arena);
  error[sizeof(error) - 1] = '\0';
  if (rc)
    fail(SLIM_STATUS_INTERNAL, "model '", model->name, "' failed (", rc,
         "): ", error[0] ? error : "no message");
}

/// One run of a device model on its context's stream: inputs in (from host
/// buffers through the staging buffers, or the application's device
/// buffers), `run`, outputs out, then a wait for all of it. The caller holds
/// the read lock until the wait ends, so no re-upload of params overlaps
/// device work reading them.
void runOnDevice(slim_context *context, const void *const *inputs,
                 void *const *outputs, bool deviceBuffers) {
  slim_model *model = context->model;
  const slim_model_def *def = model->def;
  DeviceContext &stream = *context->device;
  // On any failure, wait for what was enqueued: no copy may touch the
  // application's buffers after the call returns.
  struct DrainOnFailure {
    DeviceContext &stream;
    bool armed = true;
    ~DrainOnFailure() {
      if (armed)
        stream.drain();
    }
  } drainOnFailure{stream};
  std::vector<const void *> in(inputs, inputs + def->num_inputs);
  std::vector<void *> out(outputs, outputs + def->num_outputs);
  if (!deviceBuffers) {
    for (size_t i = 0; i < in.size(); ++i) {
      stream.copyToDevice(context->inputStaging[i].data(), inputs[i],
                          model->inputBytes[i],
                          cat("model '", model->name, "': cannot copy input '",
                              def->inputs[i].name, "' to the device"));
      in[i] = context->inputStaging[i].data();
    }
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = context->outputStaging[i].data();
  }
  callRun(context, context->batch, in.data(), out.data());
  if (!deviceBuffers)
    for (size_t i = 0; i < out.size(); ++i)
      stream.copyToHost(outputs[i], out[i], model->outputBytes[i],
                        cat("model '", model->name, "': cannot copy output '",
                            def->outputs[i].name, "' from the device"));
  drainOnFailure.armed = false;
  stream.synchronize(cat("model '", model->name, "' failed on the device"));
}

/// Checks the buffers (and their sizes, when the caller gave them), prepares
/// the model if its variables changed, and runs it once under the read lock.
void runContext(slim_context *context, const void *const *inputs,
                const size_t *inputSizes, size_t num_inputs,
                void *const *outputs, const size_t *outputSizes,
                size_t num_outputs, bool deviceBuffers, bool sized,
                int64_t batch = 0) {
  requireNonNull(context, "context");
  slim_model *model = context->model;
  if (batch == 0)
    batch = context->batch;
  else
    checkBatch(model, batch, context->batch, "a run");
  checkRunBuffers(model, inputs, num_inputs, outputs, num_outputs);
  if (sized) {
    checkBufferSizes(model, "input", "input_sizes", model->def->inputs,
                     model->inputBytes, inputSizes, num_inputs, batch);
    checkBufferSizes(model, "output", "output_sizes", model->def->outputs,
                     model->outputBytes, outputSizes, num_outputs, batch);
  }
  for (;;) {
    ReadLock lock(model);
    if (!model->prepared) {
      lock.lock.unlock();
      WriteLock writer(model);
      if (!model->prepared)
        model->prepareLocked();
      continue;
    }
    if (model->deviceOps)
      runOnDevice(context, inputs, outputs, deviceBuffers);
    else
      callRun(context, batch, inputs, outputs);
    if (context->profiling)
      ++context->profiledRuns;
    return;
  }
}

/// Both device entry points: only a device model takes device pointers.
void runDevice(slim_context *context, const void *const *inputs,
               const size_t *inputSizes, size_t num_inputs,
               void *const *outputs, const size_t *outputSizes,
               size_t num_outputs, bool sized, const char *function) {
  requireNonNull(context, "context");
  if (!context->model->deviceOps)
    fail(SLIM_STATUS_FAILED_PRECONDITION, "model '", context->model->name,
         "' is a CPU model: ", function, " needs a device model (use ",
         sized ? "slim_context_run_sized" : "slim_context_run", ")");
  runContext(context, inputs, inputSizes, num_inputs, outputs, outputSizes,
             num_outputs, /*deviceBuffers=*/true, sized);
}

} // namespace

//===----------------------------------------------------------------------===//
// C API
//===----------------------------------------------------------------------===//

extern "C" {

uint32_t slim_runtime_version(void) { return SLIM_RUNTIME_VERSION; }
uint32_t slim_checkpoint_format_version(void) {
  return SLIM_CHECKPOINT_FORMAT_VERSION;
}
uint32_t slim_model_abi_version(void) { return SLIM_MODEL_ABI_VERSION; }

slim_status slim_set_num_threads(int32_t num_threads) {
  return guard([&] { setSharedPoolSize(num_threads); });
}

int32_t slim_get_num_threads(void) {
  try {
    return sharedPool()->numThreads();
  } catch (...) {
    return 1;
  }
}

slim_status slim_model_open(const char *path, slim_model **out_model) {
  return guard([&] {
    requireNonNull(path, "model path");
    requireNonNull(out_model, "out_model");
    // dlopen searches the library path for a name without a slash;
    // `slimrun model.so` means the file in the current directory.
    std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
    dlerror();
    void *lib = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *err = dlerror();
      fail(SLIM_STATUS_NOT_FOUND, "cannot load model library '", path,
           "': ", err ? err : "unknown error");
    }
    try {
      // Read the ISA requirement from plain data first: calling any code of a
      // library built for a missing ISA could raise SIGILL.
      uint32_t isa = 0;
      bool haveIsa = false;
      if (auto *p = static_cast<const uint32_t *>(
              dlsym(lib, SLIM_MODEL_REQUIRED_ISA_SYMBOL))) {
        isa = *p;
        haveIsa = true;
      }
      auto checkIsa = [&](uint32_t required) {
        uint32_t missing =
            (required & ~slim_cpu_isa()) | (required & ~SLIM_ISA_KNOWN_MASK);
        if (missing)
          fail(SLIM_STATUS_INCOMPATIBLE, "model library '", path,
               "' needs CPU features this machine (or its OS) lacks: ",
               isaNames(missing),
               "; rebuild it with slimc --target-cpu=native or a lower "
               "target");
      };
      if (haveIsa)
        checkIsa(isa);
      auto get = reinterpret_cast<slim_model_get_def_fn>(
          dlsym(lib, SLIM_MODEL_GET_DEF_SYMBOL));
      if (!get)
        fail(SLIM_STATUS_NOT_FOUND, "'", path,
             "' is not a slimc model: it does not export ",
             SLIM_MODEL_GET_DEF_SYMBOL);
      const slim_model_def *def = get();
      if (!def)
        fail(SLIM_STATUS_INCOMPATIBLE, "'", path,
             "': ", SLIM_MODEL_GET_DEF_SYMBOL, " returned null");
      if (def->abi_version == SLIM_MODEL_ABI_VERSION)
        checkIsa(def->required_isa);
      *out_model = buildModel(def, lib);
    } catch (...) {
      dlclose(lib);
      throw;
    }
  });
}

slim_status slim_model_open_def(const slim_model_def *def,
                                slim_model **out_model) {
  return guard([&] {
    requireNonNull(def, "model definition");
    requireNonNull(out_model, "out_model");
    if (def->abi_version == SLIM_MODEL_ABI_VERSION) {
      uint32_t missing = (def->required_isa & ~slim_cpu_isa()) |
                         (def->required_isa & ~SLIM_ISA_KNOWN_MASK);
      if (missing)
        fail(SLIM_STATUS_INCOMPATIBLE, "model '", def->name ? def->name : "",
             "' needs CPU features this machine "
             "(or its OS) lacks: ",
             isaNames(missing));
    }
    *out_model = buildModel(def, nullptr);
  });
}

void slim_model_destroy(slim_model *model) {
  if (model)
    model->release();
}

const char *slim_model_name(const slim_model *model) {
  return model ? model->name.c_str() : "";
}

const slim_model_def *slim_model_get_definition(const slim_model *model) {
  return model ? model->def : nullptr;
}

size_t slim_model_num_inputs(const slim_model *model) {
  return model ? size_t(model->def->num_inputs) : 0;
}
size_t slim_model_num_outputs(const slim_model *model) {
  return model ? size_t(model->def->num_outputs) : 0;
}
size_t slim_model_num_variables(const slim_model *model) {
  return model ? model->variables.size() : 0;
}

int64_t slim_model_max_batch(const slim_model *model) {
  return model ? model->maxBatch : 0;
}

int32_t slim_model_has_dynamic_batch(const slim_model *model) {
  return model && model->def->dynamic_batch ? 1 : 0;
}

size_t slim_model_arena_size_for_batch(const slim_model *model, int64_t batch) {
  if (!model)
    return 0;
  const slim_model_def *def = model->def;
  bool ok = def->dynamic_batch ? batch >= 1 && batch <= model->maxBatch
                               : batch == model->maxBatch;
  return ok ? size_t(arenaForBatch(def, batch)) : 0;
}

slim_status slim_model_input_info(const slim_model *model, size_t index,
                                  slim_tensor_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    if (index >= model->inputDims.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "input index ", index,
           " out of range: model '", model->name, "' has ",
           model->inputDims.size(), " inputs");
    const slim_tensor_desc &d = model->def->inputs[index];
    fillTensorInfo(d.name, d.dtype, model->inputDims[index], out_info);
  });
}

slim_status slim_model_output_info(const slim_model *model, size_t index,
                                   slim_tensor_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    if (index >= model->outputDims.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "output index ", index,
           " out of range: model '", model->name, "' has ",
           model->outputDims.size(), " outputs");
    const slim_tensor_desc &d = model->def->outputs[index];
    fillTensorInfo(d.name, d.dtype, model->outputDims[index], out_info);
  });
}

slim_status slim_model_variable_info(const slim_model *model, size_t index,
                                     slim_variable_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    if (index >= model->variables.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "variable index ", index,
           " out of range: model '", model->name, "' has ",
           model->variables.size(), " variables");
    const Variable &v = model->variables[index];
    slim_variable_info info;
    fillTensorInfo(v.desc->name, v.desc->dtype, v.dims, &info.tensor);
    info.is_model_variable = v.desc->collection == SLIM_COLLECTION_MODEL;
    info.trainable = v.desc->trainable != 0;
    info.device = v.desc->device ? v.desc->device : "";
    info.regularizer = v.desc->regularizer;
    info.prepare_only = v.desc->prepare_only != 0;
    ReadLock lock(const_cast<slim_model *>(model));
    info.initialized = v.initialized;
    info.released = v.released;
    *out_info = info;
  });
}

static slim_status findByName(const slim_model *model, const char *name,
                              const char *kind, int32_t count,
                              const slim_tensor_desc *list, size_t *out_index) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(name, "name");
    requireNonNull(out_index, "out_index");
    for (int32_t i = 0; i < count; ++i)
      if (std::strcmp(list[i].name, name) == 0) {
        *out_index = size_t(i);
        return;
      }
    fail(SLIM_STATUS_NOT_FOUND, "model '", model->name, "' has no ", kind,
         " named '", name, "'");
  });
}

slim_status slim_model_find_input(const slim_model *model, const char *name,
                                  size_t *out_index) {
  return findByName(model, name, "input", model ? model->def->num_inputs : 0,
                    model ? model->def->inputs : nullptr, out_index);
}

slim_status slim_model_find_output(const slim_model *model, const char *name,
                                   size_t *out_index) {
  return findByName(model, name, "output", model ? model->def->num_outputs : 0,
                    model ? model->def->outputs : nullptr, out_index);
}

slim_status slim_model_find_variable(const slim_model *model, const char *name,
                                     size_t *out_index) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(name, "name");
    requireNonNull(out_index, "out_index");
    ptrdiff_t i = model->findVariable(name);
    if (i < 0)
      fail(SLIM_STATUS_NOT_FOUND, "model '", model->name, "' has no variable '",
           name, "'");
    *out_index = size_t(i);
  });
}

slim_status slim_model_get_variable(slim_model *model, const char *name,
                                    void *dst, size_t size_bytes) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(dst, "destination buffer");
    ReadLock lock(model);
    Variable &v = model->variable(name);
    if (size_bytes != v.sizeBytes)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name, "' ",
           shapeString(v.dims), " ", dtypeName(v.desc->dtype), " has ",
           v.sizeBytes, " bytes, buffer has ", size_bytes);
    model->requireHeld(v, "read it");
    if (!v.initialized)
      fail(SLIM_STATUS_FAILED_PRECONDITION, "variable '", name,
           "' has no value yet");
    std::memcpy(dst, v.data, v.sizeBytes);
  });
}

slim_status slim_model_set_variable(slim_model *model, const char *name,
                                    const void *src, size_t size_bytes) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(src, "source buffer");
    WriteLock lock(model);
    model->requireMutable("set a variable");
    Variable &v = model->variable(name);
    if (size_bytes != v.sizeBytes)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name, "' ",
           shapeString(v.dims), " ", dtypeName(v.desc->dtype), " has ",
           v.sizeBytes, " bytes, buffer has ", size_bytes);
    std::memcpy(v.writable(), src, v.sizeBytes);
    v.initialized = true;
    model->refreshPointers();
    model->prepared = false;
  });
}

slim_status slim_model_initialize_variables(slim_model *model, uint64_t seed) {
  return guard([&] {
    requireNonNull(model, "model");
    {
      ReadLock lock(model);
      model->requireMutable("initialize variables");
    }
    // Fill fresh buffers first so that a bad spec leaves everything intact.
    std::vector<AlignedBuffer> fresh;
    for (const Variable &v : model->variables) {
      fresh.emplace_back(v.sizeBytes, kVariableAlignment);
      initializeTensor(v.desc->initializer, v.desc->dtype, v.dims, seed,
                       v.desc->name, fresh.back().data());
    }
    WriteLock lock(model);
    model->requireMutable("initialize variables");
    for (size_t i = 0; i < fresh.size(); ++i) {
      Variable &v = model->variables[i];
      v.owned = std::move(fresh[i]);
      v.data = v.owned.data();
      v.keepAlive.reset();
      v.initialized = true;
    }
    model->refreshPointers();
    model->prepared = false;
  });
}

slim_status slim_model_regularization_loss(slim_model *model,
                                           double *out_loss) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_loss, "out_loss");
    ReadLock lock(model);
    double total = 0;
    for (const Variable &v : model->variables) {
      const slim_regularizer_spec &r = v.desc->regularizer;
      if (r.l1_scale == 0 && r.l2_scale == 0)
        continue;
      model->requireHeld(v, "compute the regularization loss");
      if (!v.initialized)
        fail(SLIM_STATUS_FAILED_PRECONDITION, "variable '", v.desc->name,
             "' has no value yet");
      double l1 = 0, l2 = 0;
      if (v.desc->dtype == SLIM_DTYPE_F32) {
        const float *w = static_cast<const float *>(v.data);
        for (uint64_t i = 0; i < v.numElements; ++i) {
          l1 += std::fabs(double(w[i]));
          l2 += double(w[i]) * double(w[i]);
        }
      } else if (v.desc->dtype == SLIM_DTYPE_F64) {
        const double *w = static_cast<const double *>(v.data);
        for (uint64_t i = 0; i < v.numElements; ++i) {
          l1 += std::fabs(w[i]);
          l2 += w[i] * w[i];
        }
      } else {
        fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", v.desc->name,
             "' of dtype ", dtypeName(v.desc->dtype),
             " cannot carry a regularizer");
      }
      total += r.l1_scale * l1 + r.l2_scale * l2 / 2.0;
    }
    *out_loss = total;
  });
}

void slim_restore_options_initialize(slim_restore_options *options) {
  if (options)
    std::memset(options, 0, sizeof(*options));
}

slim_status slim_model_load_checkpoint(slim_model *model, const char *path,
                                       const slim_restore_options *options) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(path, "checkpoint path");
    slim_restore_options defaults;
    slim_restore_options_initialize(&defaults);
    if (!options)
      options = &defaults;
    {
      ReadLock lock(model);
      model->requireMutable("restore a checkpoint");
    }
    std::unique_ptr<CheckpointReader> reader = openCheckpoint(path);
    std::vector<VariableSpec> specs;
    for (const Variable &v : model->variables)
      specs.push_back({v.desc->name, v.desc->dtype, v.dims});
    std::vector<RestoreAssignment> plan =
        planRestore(specs, *reader, *options, model->name);
    // Stage every tensor (verifying checksums) before touching the model,
    // so a corrupt tensor leaves all variables as they were.
    struct Staged {
      AlignedBuffer owned;
      const void *view = nullptr;
      std::shared_ptr<const void> keepAlive;
    };
    std::vector<Staged> staged(plan.size());
    for (size_t i = 0; i < plan.size(); ++i) {
      Staged &s = staged[i];
      s.view = reader->view(plan[i].tensor, kVariableAlignment, &s.keepAlive);
      if (!s.view) {
        s.owned = AlignedBuffer(model->variables[plan[i].variable].sizeBytes,
                                kVariableAlignment);
        reader->read(plan[i].tensor, s.owned.data());
      }
    }
    WriteLock lock(model);
    model->requireMutable("restore a checkpoint");
    for (size_t i = 0; i < plan.size(); ++i) {
      Variable &v = model->variables[plan[i].variable];
      Staged &s = staged[i];
      if (s.view) {
        v.owned = AlignedBuffer();
        v.data = s.view;
        v.keepAlive = std::move(s.keepAlive);
      } else {
        v.owned = std::move(s.owned);
        v.data = v.owned.data();
        v.keepAlive.reset();
      }
      v.initialized = true;
    }
    model->refreshPointers();
    model->prepared = false;
  });
}

slim_status slim_model_save_checkpoint(slim_model *model, const char *path) {
  return slim_model_save_checkpoint_as(model, path,
                                       SLIM_CHECKPOINT_SAFETENSORS);
}

slim_status slim_model_save_checkpoint_as(slim_model *model, const char *path,
                                          slim_checkpoint_format format) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(path, "checkpoint path");
    checkWritableFormat(path, format);
    ReadLock lock(model);
    std::vector<TensorToWrite> tensors;
    for (const Variable &v : model->variables) {
      model->requireHeld(v, "save a checkpoint");
      if (!v.initialized)
        fail(SLIM_STATUS_FAILED_PRECONDITION, "cannot save '", path,
             "': variable '", v.desc->name, "' has no value yet");
      tensors.push_back(
          {v.desc->name, v.desc->dtype, v.dims, v.data, v.sizeBytes});
    }
    writeCheckpoint(path, format, tensors,
                    {{"format", "slimc"},
                     {"slim.format_version",
                      std::to_string(SLIM_CHECKPOINT_FORMAT_VERSION)},
                     {"slim.model", model->name}});
  });
}

slim_status slim_model_freeze(slim_model *model) {
  return guard([&] {
    requireNonNull(model, "model");
    WriteLock lock(model);
    if (model->frozen)
      return;
    if (!model->prepared) {
      try {
        model->prepareLocked(/*freezing=*/true);
      } catch (...) {
        // Variables `prepare` consumed before it failed are gone: the model
        // can no longer change (nor prepare, which says why).
        for (const Variable &v : model->variables)
          if (v.released)
            model->frozen = true;
        model->refreshPointers();
        throw;
      }
    }
    for (Variable &v : model->variables) {
      // A device model's `run` reads device copies only, so its host
      // variables all go.
      if (!v.desc->prepare_only && !model->deviceOps) {
        // A kept view would hold the whole mapped checkpoint, released
        // weights included (prepare touched their pages): copy it out so
        // the file is unmapped once the last view goes.
        v.writable();
        continue;
      }
      v.owned = AlignedBuffer();
      v.keepAlive.reset(); // Unmaps a checkpoint once no variable views it.
      v.data = nullptr;
      v.released = true;
    }
    model->refreshPointers();
    model->frozen = true;
  });
}

int32_t slim_model_is_frozen(const slim_model *model) {
  if (!model)
    return 0;
  ReadLock lock(const_cast<slim_model *>(model));
  return model->frozen ? 1 : 0;
}

slim_status slim_model_memory_info(slim_model *model,
                                   slim_memory_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    ReadLock lock(model);
    slim_memory_info info{};
    for (const Variable &v : model->variables) {
      if (v.released) {
        info.released_variable_bytes += v.sizeBytes;
        continue;
      }
      if (!v.data)
        continue;
      info.variable_bytes += v.sizeBytes;
      if (v.data != v.owned.data())
        info.mapped_variable_bytes += v.sizeBytes;
    }
    if (model->deviceOps) {
      for (const DeviceBuffer &p : model->deviceParams)
        info.param_bytes += p.size();
      for (const DeviceBuffer &v : model->deviceVariables)
        info.device_variable_bytes += v.size();
      for (uint64_t b : model->inputBytes)
        info.device_staging_bytes_per_context += b;
      for (uint64_t b : model->outputBytes)
        info.device_staging_bytes_per_context += b;
    } else {
      for (const AlignedBuffer &p : model->params)
        info.param_bytes += p.size();
    }
    info.arena_bytes_per_context = model->def->arena_size;
    info.prepare_scratch_bytes = model->def->prepare_scratch_size;
    info.device = model->def->device;
    *out_info = info;
  });
}

slim_device_kind slim_model_device(const slim_model *model) {
  return model ? slim_device_kind(model->def->device) : SLIM_DEVICE_CPU;
}

slim_status slim_model_device_info(const slim_model *model,
                                   slim_device_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    slim_device_info info{};
    info.kind = slim_device_kind(model->def->device);
    if (const slim_device_ops *ops = model->deviceOps) {
      callDevice(SLIM_STATUS_UNAVAILABLE,
                 cat("cannot describe the device of model '", model->name, "'"),
                 [&](char *error, size_t size) {
                   return ops->describe(info.name, sizeof(info.name),
                                        &info.total_memory_bytes, error, size);
                 });
      info.name[sizeof(info.name) - 1] = '\0';
    } else {
      std::strcpy(info.name, "CPU");
    }
    *out_info = info;
  });
}

slim_status slim_context_create(slim_model *model, void *arena,
                                size_t arena_size, slim_context **out_context) {
  return slim_context_create_for_batch(model, model ? model->maxBatch : 0,
                                       arena, arena_size, out_context);
}

slim_status slim_context_create_for_batch(slim_model *model, int64_t max_batch,
                                          void *arena, size_t arena_size,
                                          slim_context **out_context) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_context, "out_context");
    const slim_model_def *def = model->def;
    checkBatch(model, max_batch, model->maxBatch, "a context");
    const uint64_t arenaBytes = arenaForBatch(def, max_batch);
    uint64_t align = def->arena_alignment ? def->arena_alignment : 64;
    std::unique_ptr<slim_context> ctx(new slim_context());
    if (const slim_device_ops *ops = model->deviceOps) {
      ctx->device = std::make_unique<DeviceContext>(ops);
      for (size_t i = 0; i < model->inputBytes.size(); ++i)
        ctx->inputStaging.emplace_back(ops, model->inputBytes[i],
                                       cat("input '", def->inputs[i].name,
                                           "' of model '", model->name, "'"));
      for (size_t i = 0; i < model->outputBytes.size(); ++i)
        ctx->outputStaging.emplace_back(ops, model->outputBytes[i],
                                        cat("output '", def->outputs[i].name,
                                            "' of model '", model->name, "'"));
    }
    if (arena) {
      if (arena_size < arenaBytes)
        fail(SLIM_STATUS_INVALID_ARGUMENT, "arena of ", arena_size,
             " bytes is smaller than the ", arenaBytes, " bytes model '",
             model->name, "' needs for batch ", max_batch);
      if (reinterpret_cast<uintptr_t>(arena) % align)
        fail(SLIM_STATUS_INVALID_ARGUMENT, "arena is not aligned to ", align,
             " bytes as model '", model->name, "' requires");
      ctx->arena = arena;
    } else if (model->deviceOps) {
      // alloc aligns to kDeviceAlignment, which validateDevice checked is
      // enough.
      ctx->ownedDeviceArena = DeviceBuffer(
          model->deviceOps, arenaBytes,
          cat("the arena of a context of model '", model->name, "'"));
      ctx->arena = ctx->ownedDeviceArena.data();
    } else {
      ctx->ownedArena = AlignedBuffer(arenaBytes, align);
      ctx->arena = ctx->ownedArena.data();
    }
    size_t layers = size_t(def->num_layers);
    ctx->layerStart.resize(layers);
    ctx->layerNs.assign(layers, 0.0);
    ctx->maxThreads = def->default_num_threads;
    ctx->batch = max_batch;
    ctx->model = model;
    ++model->refs;
    *out_context = ctx.release();
  });
}

void slim_context_destroy(slim_context *context) {
  if (!context)
    return;
  slim_model *model = context->model;
  delete context;
  model->release();
}

slim_status slim_context_set_max_threads(slim_context *context,
                                         int32_t max_threads) {
  return guard([&] {
    requireNonNull(context, "context");
    if (max_threads < 0)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "max_threads must be >= 0, got ",
           max_threads);
    context->maxThreads = max_threads;
  });
}

slim_status slim_context_run(slim_context *context, const void *const *inputs,
                             size_t num_inputs, void *const *outputs,
                             size_t num_outputs) {
  return guard([&] {
    runContext(context, inputs, nullptr, num_inputs, outputs, nullptr,
               num_outputs, /*deviceBuffers=*/false, /*sized=*/false);
  });
}

slim_status slim_context_run_sized(slim_context *context,
                                   const void *const *inputs,
                                   const size_t *input_sizes, size_t num_inputs,
                                   void *const *outputs,
                                   const size_t *output_sizes,
                                   size_t num_outputs) {
  return guard([&] {
    runContext(context, inputs, input_sizes, num_inputs, outputs, output_sizes,
               num_outputs, /*deviceBuffers=*/false, /*sized=*/true);
  });
}

slim_status slim_context_run_batch(slim_context *context, int64_t batch,
                                   const void *const *inputs,
                                   const size_t *input_sizes, size_t num_inputs,
                                   void *const *outputs,
                                   const size_t *output_sizes,
                                   size_t num_outputs) {
  return guard([&] {
    requireNonNull(context, "context");
    // 0 means "the context's batch" inside runContext; here it is an error.
    if (batch == 0)
      checkBatch(context->model, batch, context->batch, "a run");
    runContext(context, inputs, input_sizes, num_inputs, outputs, output_sizes,
               num_outputs, /*deviceBuffers=*/false, /*sized=*/true, batch);
  });
}

slim_status slim_context_run_device(slim_context *context,
                                    const void *const *device_inputs,
                                    size_t num_inputs,
                                    void *const *device_outputs,
                                    size_t num_outputs) {
  return guard([&] {
    runDevice(context, device_inputs, nullptr, num_inputs, device_outputs,
              nullptr, num_outputs, /*sized=*/false, "slim_context_run_device");
  });
}

slim_status slim_context_run_device_sized(
    slim_context *context, const void *const *device_inputs,
    const size_t *input_sizes, size_t num_inputs, void *const *device_outputs,
    const size_t *output_sizes, size_t num_outputs) {
  return guard([&] {
    runDevice(context, device_inputs, input_sizes, num_inputs, device_outputs,
              output_sizes, num_outputs, /*sized=*/true,
              "slim_context_run_device_sized");
  });
}

slim_status slim_context_enable_profiling(slim_context *context,
                                          int32_t enable) {
  return guard([&] {
    requireNonNull(context, "context");
    context->profiling = enable != 0;
    if (context->profiling) {
      std::fill(context->layerNs.begin(), context->layerNs.end(), 0.0);
      context->profiledRuns = 0;
    }
  });
}

size_t slim_context_num_profiled_layers(const slim_context *context) {
  return context ? context->layerNs.size() : 0;
}

slim_status slim_context_layer_profile(const slim_context *context,
                                       size_t layer,
                                       slim_layer_profile *out_profile) {
  return guard([&] {
    requireNonNull(context, "context");
    requireNonNull(out_profile, "out_profile");
    if (layer >= context->layerNs.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "layer ", layer, " out of range: model '",
           context->model->name, "' declares ", context->layerNs.size(),
           " layers");
    const slim_layer_desc &d = context->model->def->layers[layer];
    out_profile->name = d.name ? d.name : "";
    out_profile->op = d.op ? d.op : "";
    out_profile->flops = d.flops;
    out_profile->calls = context->profiledRuns;
    out_profile->total_ns = context->layerNs[layer];
  });
}

//===----------------------------------------------------------------------===//
// Training (model ABI 7)
//===----------------------------------------------------------------------===//

int32_t slim_model_has_train_step(const slim_model *model) {
  return model && model->def->train ? 1 : 0;
}

size_t slim_model_num_train_inputs(const slim_model *model) {
  return model ? model->trainInputDims.size() : 0;
}

slim_status slim_model_train_input_info(const slim_model *model, size_t index,
                                        slim_tensor_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    if (index >= model->trainInputDims.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "train input index ", index,
           " out of range: model '", model->name, "' has ",
           model->trainInputDims.size(), " train inputs");
    const slim_tensor_desc &d = model->def->train_inputs[index];
    fillTensorInfo(d.name, d.dtype, model->trainInputDims[index], out_info);
  });
}

size_t slim_model_num_labels(const slim_model *model) {
  return model ? model->labelDims.size() : 0;
}

slim_status slim_model_label_info(const slim_model *model, size_t index,
                                  slim_tensor_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    if (index >= model->labelDims.size())
      fail(SLIM_STATUS_OUT_OF_RANGE, "label index ", index,
           " out of range: model '", model->name, "' has ",
           model->labelDims.size(), " labels");
    const slim_tensor_desc &d = model->def->labels[index];
    fillTensorInfo(d.name, d.dtype, model->labelDims[index], out_info);
  });
}

size_t slim_model_num_gradients(const slim_model *model) {
  return model ? size_t(model->def->num_gradients) : 0;
}

slim_status slim_model_gradient_info(const slim_model *model, size_t index,
                                     slim_tensor_info *out_info) {
  return guard([&] {
    requireNonNull(model, "model");
    requireNonNull(out_info, "out_info");
    if (index >= size_t(model->def->num_gradients))
      fail(SLIM_STATUS_OUT_OF_RANGE, "gradient index ", index,
           " out of range: model '", model->name, "' trains ",
           model->def->num_gradients, " variables");
    const Variable &v =
        model->variables[size_t(model->def->gradient_variables[index])];
    fillTensorInfo(v.desc->name, v.desc->dtype, v.dims, out_info);
  });
}

slim_status slim_context_train_step(slim_context *context,
                                    const void *const *inputs,
                                    const void *const *labels,
                                    float *out_loss) {
  return guard([&] {
    requireNonNull(context, "context");
    slim_model *model = context->model;
    const slim_model_def *def = model->def;
    if (!def->train)
      fail(SLIM_STATUS_FAILED_PRECONDITION, "model '", model->name,
           "' has no train step (compile the training script with slimc "
           "--train)");
    requireNonNull(out_loss, "out_loss");
    if (def->num_train_inputs && !inputs)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "inputs array is null");
    if (def->num_labels && !labels)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "labels array is null");
    for (int32_t i = 0; i < def->num_train_inputs; ++i)
      if (!inputs[i])
        fail(SLIM_STATUS_INVALID_ARGUMENT, "train input '",
             def->train_inputs[i].name, "' is null");
    for (int32_t i = 0; i < def->num_labels; ++i)
      if (!labels[i])
        fail(SLIM_STATUS_INVALID_ARGUMENT, "label '", def->labels[i].name,
             "' is null");
    // The step writes variables: no run or other step may overlap it.
    WriteLock lock(model);
    model->requireMutable("run a train step");
    model->requireInitializedLocked();
    std::vector<void *> variables;
    for (Variable &v : model->variables)
      variables.push_back(v.writable());
    model->refreshPointers();
    if (!context->trainArena.data() && def->train_arena_size)
      context->trainArena = AlignedBuffer(def->train_arena_size, 64);
    if (context->gradients.empty())
      for (int32_t i = 0; i < def->num_gradients; ++i) {
        const Variable &v =
            model->variables[size_t(def->gradient_variables[i])];
        context->gradients.emplace_back(v.sizeBytes, 64);
        context->gradientPtrs.push_back(context->gradients.back().data());
      }
    std::shared_ptr<ThreadPool> pool = sharedPool();
    ThreadPool::Binding binding{pool.get(), context->maxThreads};
    slim_parallel par = ThreadPool::makeTable(&binding);
    char error[1024] = "";
    slim_exec_env env{&par,    nullptr, error, sizeof(error), nullptr, nullptr,
                      nullptr, nullptr, 0};
    float loss = 0.0f, learningRate = 0.0f;
    // The variables change even when the step fails midway: prepare again.
    model->prepared = false;
    int32_t rc = def->train(&env, variables.data(), inputs, labels,
                            context->gradientPtrs.data(), &loss, &learningRate,
                            context->trainArena.data());
    error[sizeof(error) - 1] = '\0';
    if (rc)
      fail(SLIM_STATUS_INTERNAL, "model '", model->name,
           "' failed in its train step (", rc,
           "): ", error[0] ? error : "no message");
    context->hasGradients = true;
    context->learningRate = learningRate;
    *out_loss = loss;
  });
}

slim_status slim_context_last_learning_rate(const slim_context *context,
                                            float *out_learning_rate) {
  return guard([&] {
    requireNonNull(context, "context");
    requireNonNull(out_learning_rate, "out_learning_rate");
    if (!context->hasGradients)
      fail(SLIM_STATUS_FAILED_PRECONDITION,
           "no train step has run on this context yet");
    *out_learning_rate = context->learningRate;
  });
}

slim_status slim_context_get_gradient(const slim_context *context,
                                      const char *variable_name, void *out,
                                      size_t size_bytes) {
  return guard([&] {
    requireNonNull(context, "context");
    requireNonNull(variable_name, "variable_name");
    const slim_model *model = context->model;
    const slim_model_def *def = model->def;
    ptrdiff_t index = -1;
    for (int32_t i = 0; i < def->num_gradients; ++i)
      if (std::strcmp(def->variables[def->gradient_variables[i]].name,
                      variable_name) == 0)
        index = i;
    if (index < 0) {
      if (model->findVariable(variable_name) >= 0)
        fail(SLIM_STATUS_NOT_FOUND, "variable '", variable_name, "' of model '",
             model->name,
             "' is not trained (not in variables_to_train), so it has no "
             "gradient");
      fail(SLIM_STATUS_NOT_FOUND, "model '", model->name, "' has no variable '",
           variable_name, "'");
    }
    if (!context->hasGradients)
      fail(SLIM_STATUS_FAILED_PRECONDITION,
           "no train step has run on this context yet");
    requireNonNull(out, "out");
    const Variable &v =
        model->variables[size_t(def->gradient_variables[index])];
    if (size_bytes != v.sizeBytes)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "the gradient of '", variable_name,
           "' (", shapeString(v.dims), " ", dtypeName(v.desc->dtype),
           ") needs ", v.sizeBytes, " bytes, got ", size_bytes);
    std::memcpy(out, context->gradients[size_t(index)].data(), v.sizeBytes);
  });
}

} // extern "C"
