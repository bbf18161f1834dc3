//===- safetensors_fuzzer.cpp - Fuzzes the safetensors reader -------------===//
//
// The input is a whole .safetensors file: 8-byte header length, JSON header,
// data. Seeds: files the runtime itself saved (make_corpus.sh).
//
//===----------------------------------------------------------------------===//
#include "CheckpointFuzz.h"
#include "FuzzUtil.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  slimfuzz::exerciseCheckpoint(
      slimfuzz::writeScratchFile("model.safetensors", data, size));
  return 0;
}
