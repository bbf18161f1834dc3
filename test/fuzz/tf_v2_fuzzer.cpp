//===- tf_v2_fuzzer.cpp - Fuzzes the TensorFlow V2 checkpoint reader ------===//
//
// A V2 checkpoint is two files: the index (an SSTable of BundleEntryProtos)
// and one data shard. The input carries both: a 4-byte little-endian index
// length, the index, then the data file (splitInput).
//
//===----------------------------------------------------------------------===//
#include "CheckpointFuzz.h"
#include "FuzzUtil.h"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view index, shard;
  slimfuzz::splitInput(data, size, index, shard);
  slimfuzz::writeScratchFile("model.ckpt.index",
                             reinterpret_cast<const uint8_t *>(index.data()),
                             index.size());
  slimfuzz::writeScratchFile("model.ckpt.data-00000-of-00001",
                             reinterpret_cast<const uint8_t *>(shard.data()),
                             shard.size());
  slimfuzz::exerciseCheckpoint(slimfuzz::scratchDir() + "/model.ckpt");
  return 0;
}
