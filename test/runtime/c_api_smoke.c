/*===- c_api_smoke.c - The C API used from C99 ----------------------------===*
 *
 * Compiled as C99 with -pedantic so slim_runtime.h stays valid C; follows
 * the example in docs/runtime.md, on the hand-written test model.
 *
 *===----------------------------------------------------------------------===*/

#include "slim/slim_runtime.h"

#include <stdio.h>

static int failed(slim_status s, char *msg, size_t size) {
  if (s == SLIM_OK)
    return 0;
  snprintf(msg, size, "%s: %s", slim_status_code_name(slim_status_get_code(s)),
           slim_status_get_message(s));
  slim_status_destroy(s);
  return 1;
}

/* Returns 0 on success, otherwise 1 with a message in `msg`. */
int slim_c_api_smoke(const char *model_path, const char *checkpoint,
                     const char *save_path, char *msg, size_t size) {
  slim_model *model = NULL;
  slim_context *ctx = NULL;
  int rc = 1;
  const char *exclude[] = {"net/fc2"};
  slim_restore_options opts;
  slim_tensor_info in;
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  float logits[6], probs[6];
  const void *inputs[1];
  void *outputs[2];
  const size_t input_sizes[1] = {sizeof x};
  const size_t output_sizes[2] = {sizeof logits, sizeof probs};
  char prefix[4096];

  if (failed(slim_model_open(model_path, &model), msg, size))
    return 1;
  if (failed(slim_model_initialize_variables(model, 42), msg, size))
    goto done;
  slim_restore_options_initialize(&opts);
  opts.exclude_scopes = exclude;
  opts.num_exclude_scopes = 1;
  if (failed(slim_model_load_checkpoint(model, checkpoint, &opts), msg, size))
    goto done;
  if (failed(slim_model_input_info(model, 0, &in), msg, size))
    goto done;
  if (in.rank != 2 || in.dims[1] != 4) {
    snprintf(msg, size, "unexpected input shape");
    goto done;
  }
  inputs[0] = x;
  outputs[0] = logits;
  outputs[1] = probs;
  if (failed(slim_context_create(model, NULL, 0, &ctx), msg, size) ||
      failed(slim_context_run_sized(ctx, inputs, input_sizes, 1, outputs,
                                    output_sizes, 2),
             msg, size) ||
      failed(slim_model_save_checkpoint(model, save_path), msg, size))
    goto done;
  /* The same variables as a TensorFlow V2 bundle, prefix SAVE_PATH.tf. */
  snprintf(prefix, sizeof prefix, "%s.tf", save_path);
  if (failed(
          slim_model_save_checkpoint_as(model, prefix, SLIM_CHECKPOINT_TF_V2),
          msg, size))
    goto done;
  rc = 0;
done:
  slim_context_destroy(ctx);
  slim_model_destroy(model);
  return rc;
}
