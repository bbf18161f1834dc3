//===- sstable_builder.cpp - LevelDB-format table writer ------------------===//
//
// Writes the layout sstable.cpp reads (LevelDB's table_format.md, which
// TensorFlow's core/lib/io/table_builder.cc follows): data blocks of
// prefix-compressed entries with restart points, then an empty metaindex
// block, then the index block (one entry per data block: a key >= every key
// of that block and < every key of the next, and the block's handle), then
// the footer. Nothing is compressed: TensorFlow writes its .index files
// uncompressed as well, so every reader can open them.

//
//===----------------------------------------------------------------------===//

#include "sstable.h"

#include "common.h"
#include "crc32c.h"
#include "proto_wire.h"

#include <algorithm>

namespace slimrt {
namespace {

/// One block being filled: entries, then the restart array and its length.
class BlockEncoder {
public:
  explicit BlockEncoder(size_t restartInterval)
      : restartInterval(restartInterval ? restartInterval : 1) {}

  void add(const std::string &key, const std::string &value) {
    size_t shared = 0;
    if (sinceRestart < restartInterval) {
      size_t limit = std::min(lastKey.size(), key.size());
      while (shared < limit && lastKey[shared] == key[shared])
        ++shared;
    } else {
      // A restart point stores its key whole, so a reader can binary-search
      // the restart array.
      restarts.push_back(uint32_t(buffer.size()));
      sinceRestart = 0;
    }
    putVarint(buffer, shared);
    putVarint(buffer, key.size() - shared);
    putVarint(buffer, value.size());
    buffer.append(key, shared, std::string::npos);
    buffer += value;
    lastKey = key;
    ++sinceRestart;
  }

  bool empty() const { return buffer.empty(); }
  /// Bytes the block would have if finished now.
  size_t sizeEstimate() const {
    return buffer.size() + restarts.size() * 4 + 4;
  }

  /// Returns the finished block and starts an empty one.
  std::string finish() {
    for (uint32_t r : restarts)
      putFixed32(buffer, r);
    putFixed32(buffer, uint32_t(restarts.size()));
    std::string block = std::move(buffer);
    buffer.clear();
    restarts.assign(1, 0);
    sinceRestart = 0;
    lastKey.clear();
    return block;
  }

private:
  size_t restartInterval;
  std::string buffer;
  std::vector<uint32_t> restarts{0};
  size_t sinceRestart = 0;
  std::string lastKey;
};

/// Appends `block` and its trailer to `file`; returns its encoded handle.
std::string appendBlock(std::string &file, const std::string &block) {
  std::string handle;
  putVarint(handle, file.size());
  putVarint(handle, block.size());
  file += block;
  const char type = 0; // Uncompressed.
  uint32_t crc = crc32cExtend(crc32c(block.data(), block.size()), &type, 1);
  file.push_back(type);
  putFixed32(file, crc32cMask(crc));
  return handle;
}

/// Shortens `last`, the last key of a block, to a key that still sorts at or
/// after it and before `next`, the first key of the next block: the first
/// differing byte is incremented and the rest dropped, when that keeps it
/// below `next`. Keys with one a prefix of the other stay as they are.
void shortenSeparator(std::string &last, const std::string &next) {
  size_t limit = std::min(last.size(), next.size());
  size_t i = 0;
  while (i < limit && last[i] == next[i])
    ++i;
  if (i == limit)
    return;
  unsigned char byte = static_cast<unsigned char>(last[i]);
  if (byte < 0xff && byte + 1 < static_cast<unsigned char>(next[i])) {
    last[i] = char(byte + 1);
    last.resize(i + 1);
  }
}

/// Shortens the last key of the table to a short key at or after it: its
/// first byte below 0xff incremented, the rest dropped.
void shortenSuccessor(std::string &last) {
  for (size_t i = 0; i < last.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(last[i]);
    if (byte != 0xff) {
      last[i] = char(byte + 1);
      last.resize(i + 1);
      return;
    }
  }
}

} // namespace

// The blocks are cut where TensorFlow's TableBuilder cuts them and the index
// keys are shortened as it shortens them, so a bundle of the same tensors
// gets the same .index bytes as TensorFlow gives it.
std::string
buildSSTable(const std::vector<std::pair<std::string, std::string>> &entries,
             const SSTableOptions &options) {
  std::string file;
  BlockEncoder data(options.restartInterval);
  // The index restarts at every entry, as LevelDB's does: its keys share
  // little and a reader binary-searches it.
  BlockEncoder index(1);
  // A block's index entry waits for the next block's first key, which
  // bounds how short its separator can be.
  std::string pendingHandle, lastKey;
  bool pending = false;
  auto flush = [&] {
    if (data.empty())
      return;
    pendingHandle = appendBlock(file, data.finish());
    pending = true;
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto &[key, value] = entries[i];
    if (i > 0 && !(entries[i - 1].first < key))
      fail(SLIM_STATUS_INTERNAL, "table keys out of order or repeated at '",
           key, "'");
    // An entry of twice the block size or more starts a block of its own.
    if (i > 0 && key.size() + value.size() >= 2 * options.blockSize)
      flush();
    if (pending) {
      shortenSeparator(lastKey, key);
      index.add(lastKey, pendingHandle);
      pending = false;
    }
    lastKey = key;
    data.add(key, value);
    if (data.sizeEstimate() >= options.blockSize)
      flush();
  }
  flush();
  std::string footer = appendBlock(file, BlockEncoder(1).finish()); // Meta.
  if (pending) {
    shortenSuccessor(lastKey);
    index.add(lastKey, pendingHandle);
  }
  footer += appendBlock(file, index.finish());
  footer.resize(kSSTableFooterSize - 8, '\0');
  putFixed64(footer, kSSTableMagic);
  file += footer;
  return file;
}

} // namespace slimrt
