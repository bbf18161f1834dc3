//===- npy.h - Minimal .npy reader and writer -------------------*- C++ -*-===//
#ifndef SLIM_RUNTIME_NPY_H
#define SLIM_RUNTIME_NPY_H

#include "common.h"

#include <string>
#include <vector>

namespace slimrt {

/// A dense array as stored in a .npy file.
struct NpyArray {
  int32_t dtype = SLIM_DTYPE_INVALID;
  std::vector<int64_t> dims;
  std::vector<unsigned char> data;
};

/// Reads a little-endian, C-order .npy file (format versions 1-3) of dtype
/// float32, float64, int32, int64 or uint8. Throws DATA_LOSS on malformed
/// headers or truncated data, UNIMPLEMENTED on Fortran order, big-endian or
/// other dtypes.
NpyArray readNpy(const std::string &path);
/// Parses .npy bytes (for tests and in-memory use).
NpyArray parseNpy(const unsigned char *bytes, size_t size,
                  const std::string &what);
/// Writes a version 1.0 .npy file atomically.
void writeNpy(const std::string &path, int32_t dtype,
              const std::vector<int64_t> &dims, const void *data);

} // namespace slimrt

#endif // SLIM_RUNTIME_NPY_H
