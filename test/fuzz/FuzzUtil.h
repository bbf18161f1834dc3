//===- FuzzUtil.h - Shared helpers of the fuzz targets ----------*- C++ -*-===//
//
// The runtime's readers take paths, not bytes (they map files), so each
// target writes its input to files in a private scratch directory. Memory
// files (/dev/shm) keep that cheap; the directory is removed at exit.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_TEST_FUZZ_FUZZUTIL_H
#define SLIM_TEST_FUZZ_FUZZUTIL_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace slimfuzz {

/// A directory created once per process and removed at exit.
const std::string &scratchDir();

/// Replaces `name` (inside scratchDir()) with `size` bytes; returns its path.
std::string writeScratchFile(const std::string &name, const uint8_t *data,
                             size_t size);

/// Splits an input in two: the first 4 bytes (little endian) give the length
/// of the first part, clamped to what follows; the rest is the second part.
/// Inputs shorter than 4 bytes are all second part.
void splitInput(const uint8_t *data, size_t size, std::string_view &first,
                std::string_view &second);

/// Largest tensor a target reads back: bigger ones are listed but not read,
/// so that a fuzzer's memory limit measures the reader, not the target.
constexpr uint64_t kMaxReadBytes = 64ull << 20;

} // namespace slimfuzz

#endif // SLIM_TEST_FUZZ_FUZZUTIL_H
