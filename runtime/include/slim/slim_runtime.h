/*===- slim/slim_runtime.h - C API of the slimc runtime --------------------===*
 *
 * Loads models compiled by slimc, owns their variables and checkpoints, and
 * runs them. Plain C99; no function throws or aborts on bad input.
 *
 * Conventions:
 *  - Every fallible function returns a `slim_status`. NULL (== SLIM_OK) means
 *    success; anything else is an error object the CALLER OWNS and must free
 *    with slim_status_destroy() (or hand to a function that takes ownership).
 *  - Output parameters are named `out_*` and come last. They are written only
 *    on success.
 *  - Objects come in create/destroy pairs; destroy functions accept NULL.
 *  - Strings returned through info structs stay owned by the object they came
 *    from and live as long as it does.
 *
 * Threading: a `slim_model` may be used by many threads at once (runs through
 * different contexts read its weights concurrently; calls that change
 * variables wait for runs in flight and vice versa). A `slim_context` is used
 * by one thread at a time. All contexts share the runtime's thread pool.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SLIM_RUNTIME_H
#define SLIM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "slim/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SLIM_API
#else
#define SLIM_API __attribute__((visibility("default")))
#endif

/*===----------------------------------------------------------------------===*
 * Versions
 *===----------------------------------------------------------------------===*/

#define SLIM_RUNTIME_VERSION_MAJOR 0
#define SLIM_RUNTIME_VERSION_MINOR 6
#define SLIM_RUNTIME_VERSION_PATCH 0
/// (major << 16) | (minor << 8) | patch of the header you compiled against.
#define SLIM_RUNTIME_VERSION                                                   \
  ((SLIM_RUNTIME_VERSION_MAJOR << 16) | (SLIM_RUNTIME_VERSION_MINOR << 8) |    \
   SLIM_RUNTIME_VERSION_PATCH)

/// Version of the native checkpoint format (safetensors plus the metadata key
/// "slim.format_version"). Readers accept files whose version is <= theirs.
#define SLIM_CHECKPOINT_FORMAT_VERSION 1

/// SLIM_RUNTIME_VERSION of the library actually loaded.
SLIM_API uint32_t slim_runtime_version(void);
/// SLIM_CHECKPOINT_FORMAT_VERSION of the library actually loaded.
SLIM_API uint32_t slim_checkpoint_format_version(void);
/// SLIM_MODEL_ABI_VERSION the loaded library accepts.
SLIM_API uint32_t slim_model_abi_version(void);

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

typedef enum slim_status_code {
  SLIM_STATUS_OK = 0,
  SLIM_STATUS_INVALID_ARGUMENT = 1, ///< Bad value passed by the caller.
  SLIM_STATUS_NOT_FOUND = 2,        ///< File, symbol, name not found.
  SLIM_STATUS_ALREADY_EXISTS = 3,
  SLIM_STATUS_FAILED_PRECONDITION = 4, ///< E.g. running before weights exist.
  SLIM_STATUS_OUT_OF_RANGE = 5,
  SLIM_STATUS_UNIMPLEMENTED = 6, ///< Valid input the runtime does not handle.
  SLIM_STATUS_RESOURCE_EXHAUSTED = 7, ///< Allocation failed.
  SLIM_STATUS_DATA_LOSS = 8,     ///< Corrupt or truncated file, CRC mismatch.
  SLIM_STATUS_IO_ERROR = 9,      ///< open/read/write/rename failed.
  SLIM_STATUS_INCOMPATIBLE = 10, ///< ABI version or CPU features mismatch.
  SLIM_STATUS_INTERNAL = 11,     ///< A bug, or an error from the model's code.
  /// The model needs a device this machine lacks (no driver, no GPU, an
  /// unsupported GPU): the library is fine, the machine cannot run it.
  SLIM_STATUS_UNAVAILABLE = 12,
  /// Not a status: widens the enum to every non-negative int32, so a value a
  /// C caller passes (or a newer library returns) is in range for the C++
  /// side, which then reports it as unknown instead of reading an invalid enum.
  SLIM_STATUS_CODE_MAX_ENUM = 0x7FFFFFFF,
} slim_status_code;

typedef struct slim_status_object *slim_status;
#define SLIM_OK ((slim_status)0)

/// Code of a status; SLIM_STATUS_OK for NULL.
SLIM_API slim_status_code slim_status_get_code(slim_status status);
/// Message of a status ("" for NULL); owned by the status.
SLIM_API const char *slim_status_get_message(slim_status status);
/// Name of a code, e.g. "DATA_LOSS"; static storage.
SLIM_API const char *slim_status_code_name(slim_status_code code);
/// Frees a status; NULL is a no-op.
SLIM_API void slim_status_destroy(slim_status status);

/*===----------------------------------------------------------------------===*
 * Thread pool
 *===----------------------------------------------------------------------===*/

/// Sets the number of threads of the runtime's shared pool (the caller's
/// thread included). 0 restores the default: the number of CPUs this process
/// may run on. Runs in flight finish on the old pool.
SLIM_API slim_status slim_set_num_threads(int32_t num_threads);
/// Current size of the shared pool.
SLIM_API int32_t slim_get_num_threads(void);

/*===----------------------------------------------------------------------===*
 * Models
 *===----------------------------------------------------------------------===*/

typedef struct slim_model slim_model;

/// Opens a compiled model library (dlopen), checks its ABI version and the
/// CPU features it needs, and allocates its variables (uninitialized) and
/// derived parameters. On success the caller owns `*out_model`.
///
/// A device model (slim_model_def::device, e.g. a CUDA library) is probed
/// through its own slim_device_ops: without a usable driver and device the
/// open fails with SLIM_STATUS_UNAVAILABLE and a message such as "model
/// 'vgg_16' needs a CUDA device: no CUDA driver (libcuda.so.1 not found)".
/// Its derived parameters, and copies of the variables its `run` reads, are
/// then allocated in device memory.
SLIM_API slim_status slim_model_open(const char *path, slim_model **out_model);
/// Same for a model linked into the program: `def` (from the generated
/// `*_get_def()` function) must outlive the model.
SLIM_API slim_status slim_model_open_def(const slim_model_def *def,
                                         slim_model **out_model);
/// Destroys a model. Every context of it must be destroyed first.
SLIM_API void slim_model_destroy(slim_model *model);

/// The model's name and definition; owned by the model.
SLIM_API const char *slim_model_name(const slim_model *model);
SLIM_API const slim_model_def *
slim_model_get_definition(const slim_model *model);

/// Describes an input, output or checkpoint tensor. `name` and `dims` are
/// owned by the object that filled the struct.
typedef struct slim_tensor_info {
  const char *name;
  slim_dtype dtype;
  int32_t rank;
  const int64_t *dims;
  uint64_t num_elements;
  uint64_t size_bytes;
} slim_tensor_info;

/// Describes a variable; strings are owned by the model.
typedef struct slim_variable_info {
  slim_tensor_info tensor;
  int32_t is_model_variable; ///< In MODEL_VARIABLES (else only GLOBAL).
  int32_t trainable;
  const char *device;
  slim_regularizer_spec regularizer;
  int32_t initialized; ///< Nonzero once loaded, set or initialized.
  /// Nonzero when only the derived parameters read it (see
  /// slim_model_freeze); such a variable can be released.
  int32_t prepare_only;
  int32_t released; ///< Nonzero once slim_model_freeze released it.
} slim_variable_info;

SLIM_API size_t slim_model_num_inputs(const slim_model *model);
SLIM_API size_t slim_model_num_outputs(const slim_model *model);
SLIM_API size_t slim_model_num_variables(const slim_model *model);
/// Shape, dtype and size of input/output `index`. For a model with a
/// run-time batch (slim_model_has_dynamic_batch) dim 0 is the model's max
/// batch and `size_bytes` that of max-batch samples; a run of batch b uses
/// b / max_batch of it.
SLIM_API slim_status slim_model_input_info(const slim_model *model,
                                           size_t index,
                                           slim_tensor_info *out_info);
SLIM_API slim_status slim_model_output_info(const slim_model *model,
                                            size_t index,
                                            slim_tensor_info *out_info);
SLIM_API slim_status slim_model_variable_info(const slim_model *model,
                                              size_t index,
                                              slim_variable_info *out_info);
/// The largest batch the model runs (slimc --max-batch): for a model with a
/// run-time batch any batch 1..N runs, for a static model exactly its fixed
/// batch (dim 0 of its inputs, 1 for a model without). 0 for a null model.
/// Since runtime 0.5.
SLIM_API int64_t slim_model_max_batch(const slim_model *model);
/// 1 when dim 0 of every input and output is the run-time batch (a `None`
/// batch compiled with --max-batch N > 1), else 0 (also for a null model).
/// Since runtime 0.5.
SLIM_API int32_t slim_model_has_dynamic_batch(const slim_model *model);
/// Bytes of the activation arena a context running at most `batch` samples
/// needs (what slim_context_create_for_batch allocates or requires); exact,
/// and smaller for smaller batches of a dynamic model. 0 when `batch` is out
/// of range (1..slim_model_max_batch; exactly the max for a static model) or
/// the model is null. Since runtime 0.5.
SLIM_API size_t slim_model_arena_size_for_batch(const slim_model *model,
                                                int64_t batch);
/// Index of the input/output/variable called `name`; NOT_FOUND otherwise.
SLIM_API slim_status slim_model_find_input(const slim_model *model,
                                           const char *name, size_t *out_index);
SLIM_API slim_status slim_model_find_output(const slim_model *model,
                                            const char *name,
                                            size_t *out_index);
SLIM_API slim_status slim_model_find_variable(const slim_model *model,
                                              const char *name,
                                              size_t *out_index);

/// Copies variable `name` into `dst` (`size_bytes` must equal its size).
SLIM_API slim_status slim_model_get_variable(slim_model *model,
                                             const char *name, void *dst,
                                             size_t size_bytes);
/// Copies `src` into variable `name` (`size_bytes` must equal its size).
/// Derived parameters are recomputed before the next run.
SLIM_API slim_status slim_model_set_variable(slim_model *model,
                                             const char *name, const void *src,
                                             size_t size_bytes);
/// Initializes every variable from its declared initializer. Deterministic:
/// a variable's values depend only on `seed` and its name, not on the order
/// or number of other variables.
SLIM_API slim_status slim_model_initialize_variables(slim_model *model,
                                                     uint64_t seed);
/// Sum of the declared regularizers over all variables, computed in double:
/// per variable l1 * sum|w| + l2 * sum(w^2) / 2 (TF-Slim's definitions).
SLIM_API slim_status slim_model_regularization_loss(slim_model *model,
                                                    double *out_loss);

/// Makes the model inference-only and holds its weights once: computes the
/// derived parameters now (packed and batch-norm-folded weights) and releases
/// every variable that only they read (`prepare_only`). On a device model it
/// releases every host variable: `run` reads only the device copies. Afterwards
/// the model is immutable: setting, initializing or restoring variables fails
/// with FAILED_PRECONDITION, and so does reading, saving or computing the
/// regularization loss of a released variable. Runs are unaffected. Fails
/// (changing nothing) if a variable has no value. Idempotent.
SLIM_API slim_status slim_model_freeze(slim_model *model);
/// Nonzero once slim_model_freeze succeeded.
SLIM_API int32_t slim_model_is_frozen(const slim_model *model);

/// The runtime's own accounting of a model's memory, in bytes.
typedef struct slim_memory_info {
  /// Variable storage held now: owned buffers plus views into memory-mapped
  /// checkpoints (those count once they are the variable's storage).
  uint64_t variable_bytes;
  /// Of which, views into memory-mapped checkpoint files.
  uint64_t mapped_variable_bytes;
  /// Derived parameters (allocated when the model is opened). Device memory
  /// for a device model, whose host copies exist only while `prepare` runs.
  uint64_t param_bytes;
  /// Variables released by slim_model_freeze.
  uint64_t released_variable_bytes;
  /// Activation arena of each execution context (the static memory plan);
  /// device memory for a device model.
  uint64_t arena_bytes_per_context;
  /// Scratch `prepare` borrows while it runs (freed right after).
  uint64_t prepare_scratch_bytes;
  /* Since runtime 0.3. */
  /// A slim_device_kind: where `run` computes.
  int32_t device;
  int32_t reserved0;
  /// Device models: device copies of the variables `run` reads.
  uint64_t device_variable_bytes;
  /// Device models: each context's device buffers for the inputs and outputs
  /// of slim_context_run(_sized) (not used by slim_context_run_device(_sized)).
  uint64_t device_staging_bytes_per_context;
} slim_memory_info;
SLIM_API slim_status slim_model_memory_info(slim_model *model,
                                            slim_memory_info *out_info);

/// Where the model's `run` computes (SLIM_DEVICE_CPU for CPU models).
SLIM_API slim_device_kind slim_model_device(const slim_model *model);

/// The device a model runs on, for tools and logs.
typedef struct slim_device_info {
  slim_device_kind kind;
  /// "CPU", or the accelerator's own name, e.g. "NVIDIA H100 80GB HBM3".
  char name[256];
  /// The accelerator's total memory; 0 for CPU models.
  uint64_t total_memory_bytes;
} slim_device_info;
SLIM_API slim_status slim_model_device_info(const slim_model *model,
                                            slim_device_info *out_info);

/*===----------------------------------------------------------------------===*
 * Checkpoints
 *===----------------------------------------------------------------------===*/

/// Which variables a restore touches and how names map, mirroring
/// slim.get_variables_to_restore(include, exclude) and
/// slim.assign_from_checkpoint_fn(ignore_missing_vars=...).
/// Zero-initialize (or use slim_restore_options_initialize) for defaults:
/// every variable, strict about missing ones.
typedef struct slim_restore_options {
  /// Scope filters, matched as TF-Slim does: a regular expression anchored at
  /// the START of the full variable name (Python's re.match), so "fc8" does
  /// not match "vgg_16/fc8/weights". No include list means all variables.
  const char *const *include_scopes;
  size_t num_include_scopes;
  const char *const *exclude_scopes;
  size_t num_exclude_scopes;
  /// Nonzero: variables absent from the checkpoint are left as they are
  /// instead of failing. Shape or dtype mismatches still fail.
  int32_t ignore_missing_vars;
  /// Nonzero: fail when the checkpoint holds tensors no selected variable
  /// uses (TF-Slim ignores them; this is off by default).
  int32_t error_on_unexpected;
  /// Name mapping: a model variable starting with `model_prefix` is looked up
  /// in the checkpoint as `checkpoint_prefix` + the rest of its name. Null or
  /// "" on both sides means identical names.
  const char *model_prefix;
  const char *checkpoint_prefix;
} slim_restore_options;

SLIM_API void slim_restore_options_initialize(slim_restore_options *options);

/// Restores variables by name from a checkpoint: native safetensors, a
/// TensorFlow V2 bundle (give the prefix, or its .index file) or a V1 file.
/// `options` may be NULL. On any mismatch nothing is changed and one error
/// lists every missing, unexpected and shape-mismatched name, with a hint when
/// a scope prefix would make the names line up.
SLIM_API slim_status slim_model_load_checkpoint(
    slim_model *model, const char *path, const slim_restore_options *options);
/// Writes every variable to a safetensors file. The data goes to a temporary
/// file in the same directory, which is renamed over `path` only once
/// complete, so an interrupted save leaves any previous file intact.
/// Same as slim_model_save_checkpoint_as(model, path,
/// SLIM_CHECKPOINT_SAFETENSORS).
SLIM_API slim_status slim_model_save_checkpoint(slim_model *model,
                                                const char *path);

/// A read-only view of any supported checkpoint file.
typedef struct slim_checkpoint slim_checkpoint;

typedef enum slim_checkpoint_format {
  SLIM_CHECKPOINT_SAFETENSORS = 1,
  SLIM_CHECKPOINT_TF_V2 = 2,
  SLIM_CHECKPOINT_TF_V1 = 3,
} slim_checkpoint_format;

/// Writes every variable, under its own name, in `format`:
///  - SLIM_CHECKPOINT_SAFETENSORS: the file `path`, as
///    slim_model_save_checkpoint does.
///  - SLIM_CHECKPOINT_TF_V2: `path` is a checkpoint prefix in an existing
///    directory (not a directory itself); writes `path`.index and
///    `path`.data-00000-of-00001, the bundle tf.compat.v1.train.Saver and
///    tf.train.load_checkpoint restore. Both files go to temporaries in the
///    same directory and are renamed only once both are complete, the index
///    last. A failure before the renames (an unwritable directory, a full
///    disk, a target that is a directory) leaves any previous checkpoint at
///    `path` intact; a crash between the two renames leaves a new data file
///    beside the old index, which then fails its checksums on restore.
///  - SLIM_CHECKPOINT_TF_V1: refused with SLIM_STATUS_UNIMPLEMENTED
///    (TensorFlow itself writes V2 only).
/// The model is only read; the caller keeps ownership of everything.
SLIM_API slim_status slim_model_save_checkpoint_as(
    slim_model *model, const char *path, slim_checkpoint_format format);

/// Opens and validates a checkpoint's index (and block CRCs). On success the
/// caller owns `*out_checkpoint`.
SLIM_API slim_status slim_checkpoint_open(const char *path,
                                          slim_checkpoint **out_checkpoint);
SLIM_API void slim_checkpoint_destroy(slim_checkpoint *checkpoint);
SLIM_API slim_checkpoint_format
slim_checkpoint_get_format(const slim_checkpoint *checkpoint);
/// Tensors, sorted by name.
SLIM_API size_t slim_checkpoint_num_tensors(const slim_checkpoint *checkpoint);
SLIM_API slim_status
slim_checkpoint_tensor_info(const slim_checkpoint *checkpoint, size_t index,
                            slim_tensor_info *out_info);
/// Reads tensor `name` into `dst` (`size_bytes` must equal its size),
/// verifying its checksum where the format has one.
SLIM_API slim_status
slim_checkpoint_read_tensor(const slim_checkpoint *checkpoint, const char *name,
                            void *dst, size_t size_bytes);
/// Converts any readable checkpoint to safetensors (all numeric tensors).
/// Same as slim_checkpoint_convert_as(src_path, dst_path,
/// SLIM_CHECKPOINT_SAFETENSORS).
SLIM_API slim_status slim_checkpoint_convert(const char *src_path,
                                             const char *dst_path);
/// Converts any readable checkpoint to `format` (safetensors or TensorFlow
/// V2, where `dst_path` is a prefix; V1 is UNIMPLEMENTED), with the
/// atomicity of slim_model_save_checkpoint_as. Tensors of dtypes the runtime
/// cannot load (strings, say) are left out: safetensors records their names
/// in its metadata, TensorFlow V2 has no place for them.
SLIM_API slim_status slim_checkpoint_convert_as(const char *src_path,
                                                const char *dst_path,
                                                slim_checkpoint_format format);

/*===----------------------------------------------------------------------===*
 * Execution contexts
 *===----------------------------------------------------------------------===*/

typedef struct slim_context slim_context;

/// Creates a context with its own activation arena of the model's planned
/// size. If `arena` is non-null the application provides the arena instead:
/// at least `arena_size` bytes aligned to the model's `arena_alignment`; it
/// must outlive the context. The caller owns `*out_context`.
///
/// A device model's context also owns a device stream (through the model's
/// slim_device_ops) and device buffers for each input and output; its arena
/// is device memory, and so must an application's `arena` be.
SLIM_API slim_status slim_context_create(slim_model *model, void *arena,
                                         size_t arena_size,
                                         slim_context **out_context);
/// slim_context_create for a context that runs at most `max_batch` samples
/// (slim_context_run_batch): its arena, owned or the application's, is
/// slim_model_arena_size_for_batch(model, max_batch) bytes, so a context for
/// small batches of a dynamic model holds less memory. `max_batch` must be
/// 1..slim_model_max_batch (exactly it for a static model), else
/// SLIM_STATUS_INVALID_ARGUMENT naming the batch and the model's max.
/// slim_context_create is this with the model's max batch. The caller owns
/// `*out_context`. Since runtime 0.5.
SLIM_API slim_status slim_context_create_for_batch(slim_model *model,
                                                   int64_t max_batch,
                                                   void *arena,
                                                   size_t arena_size,
                                                   slim_context **out_context);
SLIM_API void slim_context_destroy(slim_context *context);

/// Limits how many pool threads this context's runs use (0 = all, 1 = run
/// on the calling thread only). A new context starts with the model's
/// default (slimc --threads; 0 = all when it was not given).
SLIM_API slim_status slim_context_set_max_threads(slim_context *context,
                                                  int32_t max_threads);

/// Runs the model once. `inputs`/`outputs` hold one pointer per input/output
/// in declaration order to dense C-order host buffers of exactly the declared
/// shape; the caller owns them. `input_sizes`/`output_sizes` give each
/// buffer's size in bytes, which must equal the tensor's `size_bytes` for
/// the context's batch (slim_model_input_info / slim_model_output_info give
/// the max batch's): a smaller or larger
/// buffer, or a null size array, fails with SLIM_STATUS_INVALID_ARGUMENT
/// naming the tensor and both sizes, before anything is read or written.
/// Derived parameters are computed first if the variables changed. Fails if
/// any variable was never given a value.
/// For a device model the inputs are copied to the device, the outputs back,
/// and the call returns once they are written; a failure on the device is
/// SLIM_STATUS_INTERNAL with the device's message.
/// Since runtime 0.4.
SLIM_API slim_status slim_context_run_sized(
    slim_context *context, const void *const *inputs, const size_t *input_sizes,
    size_t num_inputs, void *const *outputs, const size_t *output_sizes,
    size_t num_outputs);

/// slim_context_run_sized for `batch` samples: every input and output holds
/// `batch` along dim 0, so each size must be `batch / max_batch` of the
/// tensor's `size_bytes`. `batch` must be 1..the context's batch (the
/// model's max batch for slim_context_create, the `max_batch` of
/// slim_context_create_for_batch); for a static model exactly its batch. A
/// batch out of range or a wrong size fails with
/// SLIM_STATUS_INVALID_ARGUMENT naming the tensor (for sizes), the batch and
/// the limit, before anything is read or written. slim_context_run_sized and
/// slim_context_run run the context's batch. CPU models only (a device model
/// runs its fixed batch: FAILED_PRECONDITION for any other).
/// Since runtime 0.5.
SLIM_API slim_status slim_context_run_batch(
    slim_context *context, int64_t batch, const void *const *inputs,
    const size_t *input_sizes, size_t num_inputs, void *const *outputs,
    const size_t *output_sizes, size_t num_outputs);

/// slim_context_run_sized without the sizes: it TRUSTS the caller that every
/// buffer holds at least the tensor's `size_bytes`, and cannot tell otherwise;
/// a smaller buffer is read or written past its end (undefined behaviour,
/// typically a crash). Prefer slim_context_run_sized; this stays for
/// applications written against runtime 0.3 and earlier.
SLIM_API slim_status slim_context_run(slim_context *context,
                                      const void *const *inputs,
                                      size_t num_inputs, void *const *outputs,
                                      size_t num_outputs);

/// Runs a device model on buffers already in its device memory (e.g. from
/// cudaMalloc on the model's device), without copies. Synchronous: returns
/// once the outputs are written. Same layout and size rules as
/// slim_context_run_sized (the sizes are those of the device allocations). A
/// CPU model fails with SLIM_STATUS_FAILED_PRECONDITION.
/// Since runtime 0.4.
SLIM_API slim_status slim_context_run_device_sized(
    slim_context *context, const void *const *device_inputs,
    const size_t *input_sizes, size_t num_inputs, void *const *device_outputs,
    const size_t *output_sizes, size_t num_outputs);

/// slim_context_run_device_sized without the sizes; trusts the caller as
/// slim_context_run does.
SLIM_API slim_status slim_context_run_device(slim_context *context,
                                             const void *const *device_inputs,
                                             size_t num_inputs,
                                             void *const *device_outputs,
                                             size_t num_outputs);

/// Per-layer timing; needs a model that declares its layers.
typedef struct slim_layer_profile {
  const char *name; ///< Owned by the model.
  const char *op;
  double flops;    ///< Per run.
  uint64_t calls;  ///< Number of timed runs.
  double total_ns; ///< Summed over those runs.
} slim_layer_profile;

/// Turns layer timing on or off (off by default); turning it on resets it.
/// CPU models time layers on the host; device models on the device (CUDA
/// events), so a layer's time is its execution, not its launch.
SLIM_API slim_status slim_context_enable_profiling(slim_context *context,
                                                   int32_t enable);
SLIM_API size_t slim_context_num_profiled_layers(const slim_context *context);
SLIM_API slim_status slim_context_layer_profile(
    const slim_context *context, size_t layer, slim_layer_profile *out_profile);

/*===----------------------------------------------------------------------===*
 * Training (runtime 0.6, model ABI 7; libraries compiled with slimc --train)
 *===----------------------------------------------------------------------===*/

/// Nonzero when the model carries a train step (slimc --train).
SLIM_API int32_t slim_model_has_train_step(const slim_model *model);

/// The train step's inputs (placeholders the net reads, float32) and labels
/// (int32 or int64 class ids, or float32 one-hot rows), in the script's
/// order, with their static shapes. 0 for a model without a train step.
SLIM_API size_t slim_model_num_train_inputs(const slim_model *model);
SLIM_API slim_status slim_model_train_input_info(const slim_model *model,
                                                 size_t index,
                                                 slim_tensor_info *out_info);
SLIM_API size_t slim_model_num_labels(const slim_model *model);
SLIM_API slim_status slim_model_label_info(const slim_model *model,
                                           size_t index,
                                           slim_tensor_info *out_info);

/// The variables the step trains (`variables_to_train`, TF's order): the
/// info names the variable and gives its shape, which is its gradient's.
SLIM_API size_t slim_model_num_gradients(const slim_model *model);
SLIM_API slim_status slim_model_gradient_info(const slim_model *model,
                                              size_t index,
                                              slim_tensor_info *out_info);

/// One training step on one batch: the training-mode forward pass on
/// `inputs[i]` (slim_model_train_input_info(i) shapes, float32) and
/// `labels[i]` (slim_model_label_info(i) shapes and dtypes), the total loss
/// into `*out_loss` (computed before the update), the gradients, and the
/// update of the variables: batch-norm moving averages, gradient clipping,
/// the optimizer (its slot variables included) and global_step + 1. Every
/// variable needs a value first (checkpoint, set or initialize). The step
/// holds the model exclusively (runs and other steps wait) and writes its
/// variables, so the next run prepares again; a frozen model is refused
/// (FAILED_PRECONDITION), as is a model without a train step. The buffers
/// are the caller's and must hold the whole tensors (their sizes are not
/// checked, as in slim_context_run). Contexts keep their own gradients.
SLIM_API slim_status slim_context_train_step(slim_context *context,
                                             const void *const *inputs,
                                             const void *const *labels,
                                             float *out_loss);

/// The learning rate this context's last train step applied (the schedule's
/// value at the global step before that step's increment);
/// FAILED_PRECONDITION before the context's first step.
SLIM_API slim_status slim_context_last_learning_rate(
    const slim_context *context, float *out_learning_rate);

/// Copies the gradient of total_loss with respect to the trained variable
/// `variable_name` computed by this context's last train step (before
/// clipping) into `out`, exactly `size_bytes` (the variable's size) bytes.
/// NOT_FOUND for a variable that does not exist or is not trained,
/// FAILED_PRECONDITION before the context's first step.
SLIM_API slim_status slim_context_get_gradient(const slim_context *context,
                                               const char *variable_name,
                                               void *out, size_t size_bytes);

/*===----------------------------------------------------------------------===*
 * Utilities
 *===----------------------------------------------------------------------===*/

/// Size in bytes of one element; 0 for SLIM_DTYPE_INVALID or unknown values.
SLIM_API size_t slim_dtype_size(slim_dtype dtype);
/// "float32", "int64", ...; "invalid" for unknown values. Static storage.
SLIM_API const char *slim_dtype_name(slim_dtype dtype);
/// OR of SLIM_ISA_* this CPU and OS support.
SLIM_API uint32_t slim_cpu_isa(void);

#ifdef __cplusplus
}
#endif

#endif /* SLIM_RUNTIME_H */
