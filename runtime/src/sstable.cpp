//===- sstable.cpp - LevelDB-format table reader --------------------------===//
//
// Layout (LevelDB table_format.md, also used by TensorFlow's lib/io/table):
//   data blocks, meta blocks, metaindex block, index block, 48-byte footer.
// Footer: metaindex handle, index handle (varint64 offset + size each),
// zero padding to 40 bytes, 8-byte magic 0xdb4775248b80fb57 little-endian.
// Every block is followed by a 1-byte compression type and a masked CRC32C
// of block + type. A block is a run of prefix-compressed entries
//   varint32 shared, varint32 unshared, varint32 value_len, key delta, value
// then uint32 restart offsets and a uint32 restart count.
//
//===----------------------------------------------------------------------===//

#include "sstable.h"

#include "common.h"
#include "crc32c.h"
#include "proto_wire.h"

#include <cstring>

namespace slimrt {
namespace {

constexpr uint64_t kTableMagic = kSSTableMagic;
constexpr size_t kFooterSize = kSSTableFooterSize;
constexpr size_t kBlockTrailerSize = kSSTableBlockTrailerSize;

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

BlockHandle decodeHandle(ByteReader &in) {
  BlockHandle h;
  h.offset = in.varint64();
  h.size = in.varint64();
  return h;
}

/// Returns the contents of the block at `h` after checking bounds and CRC.
std::string_view readBlock(std::string_view file, BlockHandle h,
                           const std::string &path, const char *what) {
  if (h.offset > file.size() || h.size > file.size() - h.offset ||
      kBlockTrailerSize > file.size() - h.offset - h.size)
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path, "': ", what,
         " block at offset ", h.offset, " size ", h.size,
         " extends past the end of the file (", file.size(), " bytes)");
  const char *block = file.data() + h.offset;
  unsigned char type = static_cast<unsigned char>(block[h.size]);
  uint32_t stored;
  std::memcpy(&stored, block + h.size + 1, 4);
  uint32_t actual = crc32cExtend(crc32c(block, h.size), &block[h.size], 1);
  if (crc32cUnmask(stored) != actual)
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
         "': CRC32C mismatch in ", what, " block at offset ", h.offset);
  if (type == 1)
    fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint index '", path,
         "' uses snappy-compressed blocks, which are not supported");
  if (type != 0)
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
         "': unknown block compression type ", int(type));
  return std::string_view(block, h.size);
}

/// Decodes all entries of a block, appending them to `out`.
void decodeBlock(std::string_view block, const std::string &path,
                 std::vector<std::pair<std::string, std::string_view>> &out) {
  if (block.size() < 4)
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
         "': block too small");
  uint32_t numRestarts;
  std::memcpy(&numRestarts, block.data() + block.size() - 4, 4);
  uint64_t trailer = uint64_t(numRestarts) * 4 + 4;
  if (trailer > block.size())
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
         "': block restart array larger than the block");
  std::string_view entries = block.substr(0, block.size() - trailer);
  ByteReader in(entries, "checkpoint index block entry");
  std::string key;
  while (!in.done()) {
    uint32_t shared = in.varint32();
    uint32_t unshared = in.varint32();
    uint32_t valueLen = in.varint32();
    if (shared > key.size())
      fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
           "': key shares ", shared, " bytes with a ", key.size(),
           "-byte previous key");
    key.resize(shared);
    key.append(in.take(unshared));
    out.emplace_back(key, in.take(valueLen));
  }
}

} // namespace

bool hasSSTableMagic(std::string_view bytes) {
  if (bytes.size() < kFooterSize)
    return false;
  uint64_t magic;
  std::memcpy(&magic, bytes.data() + bytes.size() - 8, 8);
  return magic == kTableMagic;
}

std::vector<std::pair<std::string, std::string_view>>
readSSTable(std::string_view bytes, const std::string &path) {
  if (bytes.size() < kFooterSize)
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
         "': file too small (", bytes.size(), " bytes) to be a table");
  if (!hasSSTableMagic(bytes))
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
         "': bad table magic number (not a TensorFlow checkpoint, or "
         "truncated)");
  ByteReader footer(bytes.substr(bytes.size() - kFooterSize, 40),
                    "checkpoint index footer");
  decodeHandle(footer); // The metaindex holds only filter data; unused.
  BlockHandle indexHandle = decodeHandle(footer);
  std::vector<std::pair<std::string, std::string_view>> index;
  decodeBlock(readBlock(bytes, indexHandle, path, "index"), path, index);

  std::vector<std::pair<std::string, std::string_view>> entries;
  for (auto &[separator, handleBytes] : index) {
    ByteReader in(handleBytes, "checkpoint index block handle");
    BlockHandle h = decodeHandle(in);
    decodeBlock(readBlock(bytes, h, path, "data"), path, entries);
  }
  for (size_t i = 1; i < entries.size(); ++i)
    if (!(entries[i - 1].first < entries[i].first))
      fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint index '", path,
           "': keys out of order at '", entries[i].first, "'");
  return entries;
}

} // namespace slimrt
