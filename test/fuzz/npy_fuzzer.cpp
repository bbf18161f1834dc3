//===- npy_fuzzer.cpp - Fuzzes the .npy reader
//-----------------------------===//
//
// The input is a whole .npy file, parsed as slimrun parses --input files.
//
//===----------------------------------------------------------------------===//
#include "common.h"
#include "npy.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    slimrt::NpyArray array = slimrt::parseNpy(data, size, "fuzz.npy");
    // What the reader returns must describe itself consistently.
    uint64_t elements = 1;
    for (int64_t d : array.dims) {
      if (d < 0)
        std::abort();
      elements *= uint64_t(d);
    }
    if (elements * slimrt::dtypeSize(array.dtype) != array.data.size())
      std::abort();
  } catch (const slimrt::Error &) {
    // A clean error is the expected outcome for most inputs.
  }
  return 0;
}
