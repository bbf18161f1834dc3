/*===- slim/model_abi.h - Contract between generated models and the runtime
 *-===*
 *
 * A model compiled by slimc is a shared library (or an object file for static
 * linking) that describes itself with one static `slim_model_def` and computes
 * through two entry points, `prepare` and `run`. The runtime owns every buffer:
 * variables, derived parameters, the activation arena, inputs and outputs. The
 * generated code owns the arithmetic and never allocates.
 *
 * Only plain C99 and <stdint.h> appear here so that generated code compiles
 * with any C or C++ compiler, without LLVM, MLIR or the runtime's sources.
 *
 * Lifecycle, as the runtime drives it:
 *   1. dlopen the library, call `slim_model_get_def()`, check `abi_version`
 *      and `required_isa` against the CPU (cpuid), refuse with an error if
 *      either does not match.
 *   2. Allocate each variable (dtype, dims) and fill it from a checkpoint, from
 *      the application, or from the declared initializers.
 *   3. Allocate each derived parameter (`params[i].size_bytes`, aligned to
 *      `params[i].alignment`) and `prepare_scratch_size` bytes of scratch,
 *      and call `prepare` once (the scratch is freed when it returns).
 *      Derived parameters hold load-time transforms (batch norm folded into
 *      conv weights and biases, weights packed into the kernels' blocked
 *      layouts). `prepare` runs again only after variables change, never per
 *      inference. Variables marked `prepare_only` may then be released.
 *   4. Per execution context allocate `arena_size` bytes aligned to
 *      `arena_alignment` (the static memory plan; for a `dynamic_batch`
 *      model the bytes of the largest batch the context runs) and call `run`
 *      as often as wanted, each call with its batch in slim_exec_env. Several
 *contexts may call `run` concurrently on the same variables and params: `run`
 *must treat them as read-only and keep all mutable state in the arena.
 *
 * Alignment guarantees: every variable buffer is aligned to 64 bytes, every
 * param buffer and the arena to their declared alignment. Inputs and outputs
 * belong to the application and are only guaranteed their dtype's natural
 * alignment.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLIM_MODEL_ABI_H
#define SLIM_MODEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "slim/parallel.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Bumped on any incompatible change of the structures or entry points below.
/// The runtime refuses a model whose `abi_version` differs from its own.
#define SLIM_MODEL_ABI_VERSION 7

/// The largest tensor rank the ABI describes; unused trailing dims are 0.
#define SLIM_MAX_RANK 8

/// Name of the symbol a model shared library exports; its type is
/// `slim_model_get_def_fn`.
#define SLIM_MODEL_GET_DEF_SYMBOL "slim_model_get_def"

/// Name of an optional exported data symbol, `const uint32_t
/// slim_model_required_isa`, equal to the def's `required_isa`. The runtime
/// reads it before calling any code in the library, because calling even
/// `slim_model_get_def` could execute instructions the CPU lacks. For the same
/// reason a model library must have no static constructors: all its data is
/// constant-initialized.
#define SLIM_MODEL_REQUIRED_ISA_SYMBOL "slim_model_required_isa"

/// Element types. Values are part of the ABI and never renumbered.
typedef enum slim_dtype {
  SLIM_DTYPE_INVALID = 0,
  SLIM_DTYPE_F32 = 1,
  SLIM_DTYPE_F64 = 2,
  SLIM_DTYPE_I32 = 3,
  SLIM_DTYPE_I64 = 4,
  SLIM_DTYPE_U8 = 5,
  /// Not a type: widens the enum to every non-negative int32 (see
  /// SLIM_STATUS_CODE_MAX_ENUM), so an unknown value read from a hostile or
  /// newer library is rejected, not undefined behaviour.
  SLIM_DTYPE_MAX_ENUM = 0x7FFFFFFF,
} slim_dtype;

/// Instruction-set extensions the generated code may use; `required_isa` is
/// an OR of these. The runtime checks each against cpuid and the OS's
/// XSAVE state (XCR0), so a library built for AVX-512 fails with an error on
/// a CPU or OS without it instead of dying from SIGILL.
enum {
  SLIM_ISA_SSE4_2 = 1u << 0,
  SLIM_ISA_AVX = 1u << 1,
  SLIM_ISA_AVX2 = 1u << 2,
  SLIM_ISA_FMA = 1u << 3,
  SLIM_ISA_F16C = 1u << 4,
  SLIM_ISA_AVX512F = 1u << 5,
  SLIM_ISA_AVX512BW = 1u << 6,
  SLIM_ISA_AVX512DQ = 1u << 7,
  SLIM_ISA_AVX512VL = 1u << 8,
  SLIM_ISA_AVX512VNNI = 1u << 9,
  /// Bits the runtime knows; a model requiring any other bit is refused.
  SLIM_ISA_KNOWN_MASK = (1u << 10) - 1,
};

/// A tensor as TF-Slim users see it: NHWC activations, HWIO conv weights,
/// dense row-major (C order) storage with no padding between elements.
typedef struct slim_tensor_desc {
  const char *name;            ///< Input/output name, unique within its list.
  int32_t dtype;               ///< A `slim_dtype`.
  int32_t rank;                ///< 0..SLIM_MAX_RANK; a scalar has rank 0.
  int64_t dims[SLIM_MAX_RANK]; ///< Static sizes; dims[rank..] are ignored.
} slim_tensor_desc;

/// Initializer kinds, with TF-Slim's definitions
/// (tf_slim/layers/initializers.py and tf.compat.v1 initializers).
typedef enum slim_init_kind {
  SLIM_INIT_ZEROS = 0,
  SLIM_INIT_ONES = 1,
  /// Every element equals `value`.
  SLIM_INIT_CONSTANT = 2,
  /// Normal(mean, stddev), re-drawn while |x - mean| > 2 * stddev.
  SLIM_INIT_TRUNCATED_NORMAL = 3,
  /// Normal(mean, stddev).
  SLIM_INIT_RANDOM_NORMAL = 4,
  /// Uniform on [minval, maxval).
  SLIM_INIT_RANDOM_UNIFORM = 5,
  /// TF-Slim's variance_scaling_initializer(factor, mode, uniform): with n
  /// chosen by `mode` from the fans, uniform on +-sqrt(3 * factor / n) or
  /// truncated normal with stddev sqrt(1.3 * factor / n). Xavier/Glorot
  /// uniform is (factor 1, FAN_AVG, uniform); He is (2, FAN_IN, normal).
  SLIM_INIT_VARIANCE_SCALING = 6,
  /// Explicit values, as a Python initializer function returning a constant
  /// array gives them (I3D's centering initializer): zero everywhere except
  /// the `value_count` elements at row-major `value_indices` (ascending),
  /// which get `values`.
  SLIM_INIT_VALUES = 7,
  /// Not a kind; see SLIM_DTYPE_MAX_ENUM.
  SLIM_INIT_KIND_MAX_ENUM = 0x7FFFFFFF,
} slim_init_kind;

/// Fan modes of variance scaling. For shape [d0, ..., dk-2, dk-1] (k >= 2)
/// fan_in = d[k-2] * receptive and fan_out = d[k-1] * receptive where
/// receptive = d0 * ... * d[k-3]; for rank 1, both fans are d0; for a scalar
/// both are 1.
typedef enum slim_fan_mode {
  SLIM_FAN_IN = 0,
  SLIM_FAN_OUT = 1,
  SLIM_FAN_AVG = 2,
  SLIM_FAN_MODE_MAX_ENUM = 0x7FFFFFFF, ///< Not a mode; see SLIM_DTYPE_MAX_ENUM.
} slim_fan_mode;

/// How a variable gets its initial value. Fields not used by `kind` are 0.
typedef struct slim_initializer_spec {
  int32_t kind;    ///< A `slim_init_kind`.
  int32_t mode;    ///< A `slim_fan_mode` (variance scaling only).
  int32_t uniform; ///< Nonzero: uniform variant of variance scaling.
  int32_t reserved0;
  double value;                 ///< CONSTANT.
  double mean;                  ///< TRUNCATED_NORMAL, RANDOM_NORMAL.
  double stddev;                ///< TRUNCATED_NORMAL, RANDOM_NORMAL.
  double minval;                ///< RANDOM_UNIFORM.
  double maxval;                ///< RANDOM_UNIFORM.
  double factor;                ///< VARIANCE_SCALING.
  int64_t value_count;          ///< VALUES: entries in the two arrays.
  const int64_t *value_indices; ///< VALUES: ascending row-major indices.
  const float *values;          ///< VALUES: the value at each index.
} slim_initializer_spec;

/// A regularizer as a sum of an L1 and an L2 term, which covers TF-Slim's
/// l1_regularizer(s) = s * sum|w|, l2_regularizer(s) = s * sum(w^2) / 2,
/// l1_l2_regularizer(a, b), and sums of those (the scales add up). Both
/// zero means the variable is not regularized.
typedef struct slim_regularizer_spec {
  double l1_scale;
  double l2_scale;
} slim_regularizer_spec;

/// Variable collections: every variable is in GLOBAL_VARIABLES; MODEL
/// variables (slim.model_variable, every layer's weights) are also in
/// MODEL_VARIABLES, REGULAR ones (slim.variable) are not.
typedef enum slim_collection {
  SLIM_COLLECTION_REGULAR = 0,
  SLIM_COLLECTION_MODEL = 1,
  SLIM_COLLECTION_MAX_ENUM = 0x7FFFFFFF, ///< Not one; see SLIM_DTYPE_MAX_ENUM.
} slim_collection;

/// A variable: the runtime allocates it, names it in checkpoints exactly as
/// TF-Slim does (scope path joined by '/', no ":0"), initializes, loads and
/// saves it. Generated code only reads it.
typedef struct slim_variable_desc {
  const char *name; ///< Checkpoint key, e.g. "vgg_16/conv1/conv1_1/weights".
  int32_t dtype;    ///< A `slim_dtype`.
  int32_t rank;
  int64_t dims[SLIM_MAX_RANK];
  int32_t collection; ///< A `slim_collection`.
  int32_t trainable;  ///< Nonzero when in TRAINABLE_VARIABLES.
  const char *device; ///< The `device=` string from the source, "" if none.
  slim_initializer_spec initializer;
  slim_regularizer_spec regularizer;
  /// Nonzero when `run` never reads this variable (only `prepare` does, whose
  /// derived parameters carry its values on, or nothing does): an
  /// application that will not change, save or read it again may release it
  /// (slim_model_freeze) and so hold those weights once. Zero, the safe
  /// default, when `run` reads it.
  int32_t prepare_only;
} slim_variable_desc;

/// A derived parameter buffer computed by `prepare` from the variables.
typedef struct slim_param_desc {
  const char *name;    ///< For diagnostics, e.g. "conv1/packed_weights".
  uint64_t size_bytes; ///< Exact size the runtime allocates.
  uint64_t alignment;  ///< Power of two; 0 means 64.
} slim_param_desc;

/// One layer of the generated program, for profiling.
typedef struct slim_layer_desc {
  const char
      *name;      ///< TF-Slim scope of the layer, e.g. "vgg_16/conv1/conv1_1".
  const char *op; ///< Operation kind, e.g. "conv2d+bias+relu".
  double flops;   ///< Floating-point operations per run (an FMA counts 2).
} slim_layer_desc;

/// Per-layer profiling hook. When the runtime passes one to `run`, a CPU
/// model calls `begin(user, i)` right before and `end(user, i)` right after
/// layer i (an index into `layers`), from the thread that called `run`. A
/// device model times its layers on the device (CUDA events) instead, waits
/// for them, and reports each layer's time with `elapsed(user, i, ns)`
/// before `run` returns. Models with no layer list never call it.
typedef struct slim_profiler {
  void *user;
  void (*begin)(void *user, int32_t layer);
  void (*end)(void *user, int32_t layer);
  void (*elapsed)(void *user, int32_t layer, double ns);
} slim_profiler;

/// What `prepare` and `run` get besides their buffers.
typedef struct slim_exec_env {
  /// The runtime's thread pool; kernels go through slim_parallel_run().
  const slim_parallel *parallel;
  /// Null unless the application asked for a profile.
  const slim_profiler *profiler;
  /// On failure the generated code writes a NUL-terminated message here
  /// (truncated to `error_size`), then returns nonzero.
  char *error;
  size_t error_size;
  /// `prepare` only: `prepare_scratch_size` bytes of temporary storage,
  /// aligned to 64, owned by the runtime and freed after `prepare` returns
  /// (null when the size is 0, and always null in `run`).
  void *scratch;
  /// Device models' `run` only: the calling context's device state, from
  /// `slim_device_ops::context_create` (its stream, its captured graph).
  /// Null for CPU models and in `prepare`.
  void *device_context;
  /* Since ABI 5. */
  /// `prepare` only, and null unless the runtime is freezing the model:
  /// `prepare` calls it once it will read no byte of
  /// [offset, offset + bytes) of variable `variable` again (during this
  /// call), so the runtime may drop that storage right away, before the
  /// params that follow are written. Generated code reports every variable
  /// whole after its last reader, and the big ones chunk by chunk while it
  /// packs them, always from the thread that called `prepare`. The runtime
  /// ignores it for variables `run` reads (`prepare_only` == 0). Always null
  /// in `run`.
  void (*consumed)(const struct slim_exec_env *env, int32_t variable,
                   uint64_t offset, uint64_t bytes);
  /// The runtime's own state for `consumed`; generated code never reads it.
  void *consumed_user;
  /* Since ABI 6. */
  /// `run` only: the samples this call computes, 1..`max_batch` (the
  /// inputs and outputs hold that many along dim 0, the arena at least
  /// arena_size - (max_batch - batch) * arena_bytes_per_sample bytes). A
  /// model without `dynamic_batch` ignores it (the runtime passes
  /// `max_batch`). 0 in `prepare`.
  int64_t batch;
} slim_exec_env;

/// Computes every derived parameter from the variables. `variables[i]` is the
/// i-th variable's storage (read-only), `params[i]` the i-th derived buffer.
/// Returns 0 on success. Called once after variables are set, never
/// concurrently with `run`. May be null when `num_params` is 0.
typedef int32_t (*slim_prepare_fn)(const slim_exec_env *env,
                                   const void *const *variables,
                                   void *const *params);

/// Runs one inference. `inputs[i]`/`outputs[i]` follow the descriptor lists;
/// outputs are written in full. `arena` holds `arena_size` bytes of scratch
/// owned by the calling context. Variables and params are read-only and
/// shared with concurrent calls. Returns 0 on success.
typedef int32_t (*slim_run_fn)(const slim_exec_env *env,
                               const void *const *variables,
                               const void *const *params,
                               const void *const *inputs, void *const *outputs,
                               void *arena);

/// Since ABI 7: one training step (slimc --train), the `@train_step` of a
/// training script: the training-mode forward pass on `inputs` (the
/// `train_inputs` table) and `labels` (the `labels` table), the total loss
/// into `*out_loss`, its gradient with respect to every variable of the
/// `gradient_variables` table into `gradients[i]` (dense, the variable's
/// shape and dtype, before any clipping), the learning rate it applies into
/// `*out_learning_rate`, then the updates: batch-norm moving
/// averages, gradient clipping, the optimizer (slot variables included) and
/// `global_step += 1`. Unlike `run` it WRITES `variables`; the runtime calls
/// it with the model's lock held exclusively and prepares again before the
/// next `run`. `arena` holds `train_arena_size` bytes aligned to 64 owned by
/// the calling context (the activations the backward pass keeps, the
/// gradients of activations). Returns 0 on success.
typedef int32_t (*slim_train_fn)(const slim_exec_env *env,
                                 void *const *variables,
                                 const void *const *inputs,
                                 const void *const *labels,
                                 void *const *gradients, float *out_loss,
                                 float *out_learning_rate, void *arena);

/// Where a model's `run` computes. Values are part of the ABI.
typedef enum slim_device_kind {
  SLIM_DEVICE_CPU = 0,
  SLIM_DEVICE_CUDA = 1,
  SLIM_DEVICE_KIND_MAX_ENUM = 0x7FFFFFFF, ///< Not one; see SLIM_DTYPE_MAX_ENUM.
} slim_device_kind;

/// How the runtime reaches the accelerator of a device model. The model
/// library implements these over the accelerator's own runtime (a CUDA
/// library links CUDA's), so the slim runtime never links or loads CUDA
/// itself and keeps working on machines without it.
///
/// Memory model of a device model: variables and `prepare` stay on the host
/// (`prepare` is host code computing host parameter buffers, exactly as for
/// CPU models). The runtime then copies every parameter, and every variable
/// that `run` reads (`prepare_only` == 0), into device memory once; `run`
/// receives only device pointers: those copies, the inputs and outputs, and
/// the context's device arena. `run` enqueues work on the context's stream
/// and may return before it finishes; the runtime calls
/// `context_synchronize` before it hands results back.
///
/// Every function returning int32_t returns 0 on success; otherwise it
/// writes a NUL-terminated message (at most `error_size` bytes) to `error`
/// and returns nonzero.
typedef struct slim_device_ops {
  /// Finds a driver and a device the code can run on; on failure the message
  /// names what is missing (driver library, device, architecture).
  int32_t (*probe)(char *error, size_t error_size);
  /// The device's name (NUL-terminated, at most `name_size` bytes) and total
  /// memory, for tools.
  int32_t (*describe)(char *name, size_t name_size, uint64_t *out_total_bytes,
                      char *error, size_t error_size);
  /// Device memory, aligned to at least 256 bytes. `bytes` may be 0 (then
  /// *out_ptr may be null).
  int32_t (*alloc)(uint64_t bytes, void **out_ptr, char *error,
                   size_t error_size);
  /// Frees what `alloc` returned; null is a no-op.
  void (*free)(void *ptr);
  /// Synchronous copies between host and device memory.
  int32_t (*copy_to_device)(void *dst, const void *src, uint64_t bytes,
                            char *error, size_t error_size);
  int32_t (*copy_to_host)(void *dst, const void *src, uint64_t bytes,
                          char *error, size_t error_size);
  /// Per execution context state (a stream, a captured graph).
  int32_t (*context_create)(void **out_context, char *error, size_t error_size);
  void (*context_destroy)(void *context);
  /// Copies ordered on the context's stream; they may return early.
  int32_t (*context_copy_to_device)(void *context, void *dst, const void *src,
                                    uint64_t bytes, char *error,
                                    size_t error_size);
  int32_t (*context_copy_to_host)(void *context, void *dst, const void *src,
                                  uint64_t bytes, char *error,
                                  size_t error_size);
  /// Waits for everything enqueued on the context's stream; reports any
  /// error that work raised.
  int32_t (*context_synchronize)(void *context, char *error, size_t error_size);
} slim_device_ops;

/// The whole description of a compiled model; static and immutable.
typedef struct slim_model_def {
  uint32_t abi_version;  ///< SLIM_MODEL_ABI_VERSION the code was built for.
  uint32_t required_isa; ///< OR of SLIM_ISA_* the code needs.
  const char *name;      ///< Model name, e.g. "vgg_16".
  const char *generator; ///< Free text, e.g. "slimc 0.1 -O3 x86-64-v3".

  int32_t num_inputs;
  const slim_tensor_desc *inputs;
  int32_t num_outputs;
  const slim_tensor_desc *outputs;

  int32_t num_variables;
  const slim_variable_desc *variables;

  int32_t num_params;
  const slim_param_desc *params;

  /// Scratch per execution context; 0 is allowed. Alignment is a power of
  /// two, 0 meaning 64.
  uint64_t arena_size;
  uint64_t arena_alignment;

  /// Optional layer list for profiling (may be 0 / null).
  int32_t num_layers;
  const slim_layer_desc *layers;

  slim_prepare_fn prepare;
  slim_run_fn run;

  /// Bytes of scratch `prepare` needs (slim_exec_env::scratch); 0 for none.
  uint64_t prepare_scratch_size;
  /// Threads a context runs with unless the application says otherwise
  /// (slimc --threads); 0 means every thread of the runtime's pool.
  int32_t default_num_threads;

  /// A `slim_device_kind`; SLIM_DEVICE_CPU (0) for CPU models.
  int32_t device;
  /// Non-null exactly when `device` is not SLIM_DEVICE_CPU.
  const slim_device_ops *device_ops;

  /* Since ABI 6: the run-time batch (slimc --max-batch). */
  /// Nonzero when dim 0 of every input and output is the batch `run` reads
  /// from slim_exec_env::batch, any of 1..max_batch; the tensor tables then
  /// give the max_batch shapes. Zero: `run` computes exactly max_batch
  /// samples (a static batch).
  int32_t dynamic_batch;
  /// The largest batch (the fixed batch of a static model); >= 1.
  int64_t max_batch;
  /// Dynamic models: the arena for batch b is exactly arena_size -
  /// (max_batch - b) * arena_bytes_per_sample bytes (`run` touches no byte
  /// past it); arena_size is the arena of max_batch. 0 for static models.
  uint64_t arena_bytes_per_sample;

  /* Since ABI 7: training (slimc --train); all 0 / null without it. */
  /// The train step, null for an inference-only model.
  slim_train_fn train;
  /// Its inputs (the script's placeholders that are inputs of `run` too)
  /// and labels (the other placeholders the loss depends on, i32, i64 or
  /// f32), in the script's creation order; static shapes.
  int32_t num_train_inputs;
  const slim_tensor_desc *train_inputs;
  int32_t num_labels;
  const slim_tensor_desc *labels;
  /// Indices into `variables` of the variables trained, in TF's order
  /// (`variables_to_train`): `gradients[i]` of `train` is the gradient of
  /// variable `gradient_variables[i]`.
  int32_t num_gradients;
  const int32_t *gradient_variables;
  /// Bytes of `train`'s arena per context (alignment 64).
  uint64_t train_arena_size;
} slim_model_def;

/// Type of the exported `slim_model_get_def` function. It returns a pointer
/// to static data valid while the library stays loaded.
typedef const slim_model_def *(*slim_model_get_def_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* SLIM_MODEL_ABI_H */
