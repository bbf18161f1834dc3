//===- tf_v1_fuzzer.cpp - Fuzzes the TensorFlow V1 checkpoint reader ------===//
//
// The input is a whole V1 checkpoint (one SSTable of SavedSlice entries).
// The file has no extension, so the reader picks the format from the bytes,
// as it does for users' files.
//
//===----------------------------------------------------------------------===//
#include "CheckpointFuzz.h"
#include "FuzzUtil.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  slimfuzz::exerciseCheckpoint(
      slimfuzz::writeScratchFile("model.ckpt", data, size));
  return 0;
}
