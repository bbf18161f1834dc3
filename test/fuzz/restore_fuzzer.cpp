//===- restore_fuzzer.cpp - Fuzzes restoring a checkpoint into a model ----===//
//
// Restores a fuzzed checkpoint into a real model (test/runtime's hand-written
// two-layer net, linked in) and runs it: name matching, shape and dtype
// checks, scope filters, prefix mapping and the copy into the model's
// variables all see hostile tensors.
//
// Input: byte 0 picks the file format (safetensors, V1, V2 split as in
// tf_v2_fuzzer), byte 1 the restore options; the rest is the checkpoint.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "slim/model_abi.h"
#include "slim/slim_runtime.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

extern "C" const slim_model_def *test_dense_get_def(void);

namespace {

slim_model *model() {
  static slim_model *m = [] {
    slim_model *opened = nullptr;
    if (slim_status s = slim_model_open_def(test_dense_get_def(), &opened)) {
      slim_status_destroy(s);
      std::abort();
    }
    return opened;
  }();
  return m;
}

std::string writeCheckpoint(uint8_t format, const uint8_t *data, size_t size) {
  switch (format % 3) {
  case 0:
    return slimfuzz::writeScratchFile("restore.safetensors", data, size);
  case 1:
    return slimfuzz::writeScratchFile("restore.ckpt", data, size);
  default: {
    std::string_view index, shard;
    slimfuzz::splitInput(data, size, index, shard);
    slimfuzz::writeScratchFile("restore-v2.index",
                               reinterpret_cast<const uint8_t *>(index.data()),
                               index.size());
    slimfuzz::writeScratchFile("restore-v2.data-00000-of-00001",
                               reinterpret_cast<const uint8_t *>(shard.data()),
                               shard.size());
    return slimfuzz::scratchDir() + "/restore-v2";
  }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  std::string path = writeCheckpoint(data[0], data + 2, size - 2);

  uint8_t choice = data[1];
  slim_restore_options options;
  slim_restore_options_initialize(&options);
  static const char *const kExclude[] = {"net/fc2"};
  static const char *const kInclude[] = {"net/"};
  options.ignore_missing_vars = choice & 1;
  options.error_on_unexpected = (choice >> 1) & 1;
  if (choice & 4) {
    options.exclude_scopes = kExclude;
    options.num_exclude_scopes = 1;
  }
  if (choice & 8) {
    options.include_scopes = kInclude;
    options.num_include_scopes = 1;
  }
  if (choice & 16) {
    // Checkpoints saved inside another scope ("outer/net/fc1/weights").
    options.model_prefix = "net/";
    options.checkpoint_prefix = "outer/net/";
  }

  slim_model *m = model();
  if (slim_status s = slim_model_load_checkpoint(m, path.c_str(), &options)) {
    if (!slim_status_get_message(s))
      std::abort();
    slim_status_destroy(s);
    return 0;
  }
  // Whatever was restored must be usable: one run over it.
  slim_context *context = nullptr;
  if (slim_status s = slim_context_create(m, nullptr, 0, &context)) {
    slim_status_destroy(s);
    return 0;
  }
  std::vector<float> x(8, 0.5f), logits(6), probs(6);
  const void *inputs[] = {x.data()};
  void *outputs[] = {logits.data(), probs.data()};
  const size_t inputSizes[] = {x.size() * sizeof(float)};
  const size_t outputSizes[] = {logits.size() * sizeof(float),
                                probs.size() * sizeof(float)};
  if (slim_status s = slim_context_run_sized(context, inputs, inputSizes, 1,
                                             outputs, outputSizes, 2))
    slim_status_destroy(s);
  slim_context_destroy(context);
  return 0;
}
