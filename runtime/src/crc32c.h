//===- crc32c.h - CRC-32C (Castagnoli) as LevelDB and TensorFlow use it -*- C++
//-*-===//
#ifndef SLIM_RUNTIME_CRC32C_H
#define SLIM_RUNTIME_CRC32C_H

#include <cstddef>
#include <cstdint>

namespace slimrt {

/// Extends `crc` (0 for a fresh checksum) over `n` bytes.
uint32_t crc32cExtend(uint32_t crc, const void *data, size_t n);
inline uint32_t crc32c(const void *data, size_t n) {
  return crc32cExtend(0, data, n);
}

/// LevelDB's masking: stored CRCs are rotated and offset so that a CRC of
/// data that itself contains CRCs is not degenerate.
inline uint32_t crc32cMask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
inline uint32_t crc32cUnmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

} // namespace slimrt

#endif // SLIM_RUNTIME_CRC32C_H
