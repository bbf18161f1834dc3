//===- CheckpointFuzz.h - Reading a fuzzed checkpoint back ------*- C++ -*-===//
#ifndef SLIM_TEST_FUZZ_CHECKPOINTFUZZ_H
#define SLIM_TEST_FUZZ_CHECKPOINTFUZZ_H

#include <string>

namespace slimfuzz {

/// Opens `path` through the public C API, lists every tensor and reads each
/// one back (up to kMaxReadBytes), as an application would. Any status is
/// fine; a crash, hang, leak or sanitizer report is the finding.
void exerciseCheckpoint(const std::string &path);

} // namespace slimfuzz

#endif // SLIM_TEST_FUZZ_CHECKPOINTFUZZ_H
