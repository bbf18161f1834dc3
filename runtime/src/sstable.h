//===- sstable.h - LevelDB-format tables (TensorFlow's .index) -*- C++ -*-===//
#ifndef SLIM_RUNTIME_SSTABLE_H
#define SLIM_RUNTIME_SSTABLE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace slimrt {

/// The last 8 bytes of every table, little-endian.
constexpr uint64_t kSSTableMagic = 0xdb4775248b80fb57ull;
/// Two block handles padded to 40 bytes, then the magic number.
constexpr size_t kSSTableFooterSize = 48;
/// After every block: a compression type byte and a masked CRC32C.
constexpr size_t kSSTableBlockTrailerSize = 5;

/// Reads every key/value pair of an SSTable held in `bytes`, checking the
/// footer magic, every block's masked CRC32C, and all offsets. Values point
/// into `bytes`. Throws DATA_LOSS (naming `path`) on any inconsistency.
std::vector<std::pair<std::string, std::string_view>>
readSSTable(std::string_view bytes, const std::string &path);

/// True if `bytes` ends with the SSTable magic number.
bool hasSSTableMagic(std::string_view bytes);

/// How buildSSTable lays out its blocks. The defaults are TensorFlow's
/// (core/lib/io/table_options.h): a data block is closed once it holds about
/// 256 KiB, and every 16th key is stored whole as a restart point.
struct SSTableOptions {
  size_t blockSize = 256 << 10;
  size_t restartInterval = 16;
};

/// Encodes `entries`, whose keys must be strictly increasing (bytewise), as
/// an uncompressed table that TensorFlow's table reader and readSSTable
/// accept: data blocks, an empty metaindex block, the index block and the
/// footer. Throws INTERNAL if the keys are out of order.
std::string
buildSSTable(const std::vector<std::pair<std::string, std::string>> &entries,
             const SSTableOptions &options = {});

} // namespace slimrt

#endif // SLIM_RUNTIME_SSTABLE_H
