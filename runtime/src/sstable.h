//===- sstable.h - LevelDB-format table reader (TensorFlow's .index) -*- C++
//-*-===//
#ifndef SLIM_RUNTIME_SSTABLE_H
#define SLIM_RUNTIME_SSTABLE_H

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slimrt {

/// Reads every key/value pair of an SSTable held in `bytes`, checking the
/// footer magic, every block's masked CRC32C, and all offsets. Values point
/// into `bytes`. Throws DATA_LOSS (naming `path`) on any inconsistency.
std::vector<std::pair<std::string, std::string_view>>
readSSTable(std::string_view bytes, const std::string &path);

/// True if `bytes` ends with the SSTable magic number.
bool hasSSTableMagic(std::string_view bytes);

} // namespace slimrt

#endif // SLIM_RUNTIME_SSTABLE_H
