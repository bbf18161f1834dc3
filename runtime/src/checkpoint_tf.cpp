//===- checkpoint_tf.cpp - TensorFlow V1 and V2 checkpoint readers --------===//
//
// Both formats are read from the bytes alone, without TensorFlow or protobuf.
//
// V2 (tensor bundle): PREFIX.index is an SSTable; key "" holds a
// BundleHeaderProto {num_shards = 1, endianness = 2, version = 3}, every other
// key a BundleEntryProto {dtype = 1, shape = 2, shard_id = 3, offset = 4,
// size = 5, crc32c = 6 (fixed32, masked), slices = 7}. Tensor bytes live in
// PREFIX.data-SSSSS-of-NNNNN, little-endian, row-major.
//
// V1: one SSTable whose "" key holds SavedTensorSlices {meta = 1:
// SavedTensorSliceMeta {tensor = 1: SavedSliceMeta {name = 1, shape = 2,
// type = 3, slice = 4}}} and whose other keys hold SavedTensorSlices {data =
// 2: SavedSlice {name = 1, slice = 2, data = 3: TensorProto}}; values are in
// TensorProto's typed repeated fields (float_val = 5, double_val = 6, int_val
// = 7, int64_val = 10) or tensor_content = 4.
//
//===----------------------------------------------------------------------===//

#include "checkpoint.h"
#include "crc32c.h"
#include "file_util.h"
#include "proto_wire.h"
#include "sstable.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace slimrt {

std::unique_ptr<CheckpointReader>
openSafetensors(std::shared_ptr<MappedFile> file);

namespace {

/// TensorFlow DataType enum values we can load.
int32_t dtypeFromTF(uint64_t tf) {
  switch (tf) {
  case 1:
    return SLIM_DTYPE_F32;
  case 2:
    return SLIM_DTYPE_F64;
  case 3:
    return SLIM_DTYPE_I32;
  case 4:
    return SLIM_DTYPE_U8;
  case 9:
    return SLIM_DTYPE_I64;
  default:
    return SLIM_DTYPE_INVALID;
  }
}

std::string tfDtypeName(uint64_t tf) {
  static const char *names[] = {
      "invalid",    "float32", "float64",   "int32",   "uint8",   "int16",
      "int8",       "string",  "complex64", "int64",   "bool",    "qint8",
      "quint8",     "qint32",  "bfloat16",  "qint16",  "quint16", "uint16",
      "complex128", "float16", "resource",  "variant", "uint32",  "uint64"};
  if (tf < sizeof(names) / sizeof(names[0]))
    return names[tf];
  return cat("dtype#", tf);
}

/// Parses a TensorShapeProto {dim = 2: {size = 1}, unknown_rank = 3}.
std::vector<int64_t> parseShape(std::string_view bytes, const char *context) {
  std::vector<int64_t> dims;
  ProtoReader r(bytes, context);
  while (r.next()) {
    if (r.field() == 2) {
      int64_t size = 0;
      ProtoReader d(r.bytes(), context);
      while (d.next()) {
        if (d.field() == 1)
          size = d.int64();
        else
          d.skip();
      }
      dims.push_back(size);
    } else if (r.field() == 3) {
      if (r.varint())
        fail(SLIM_STATUS_DATA_LOSS, context, ": tensor of unknown rank");
    } else {
      r.skip();
    }
  }
  if (dims.size() > SLIM_MAX_RANK)
    fail(SLIM_STATUS_DATA_LOSS, context, ": rank ", dims.size(),
         " exceeds the supported maximum of ", SLIM_MAX_RANK);
  return dims;
}

/// Fills in the derived sizes of an entry, rejecting absurd shapes.
void finishEntry(TensorEntry &e, uint64_t tfDtype, const std::string &path) {
  e.dtype = dtypeFromTF(tfDtype);
  e.dtypeName = tfDtypeName(tfDtype);
  e.numElements =
      checkedNumElements(e.dims, std::max<size_t>(dtypeSize(e.dtype), 1),
                         cat("checkpoint '", path, "' tensor '", e.name, "'"));
  e.sizeBytes = e.numElements * dtypeSize(e.dtype);
}

//===----------------------------------------------------------------------===//
// V2
//===----------------------------------------------------------------------===//

class TFV2Reader : public CheckpointReader {
public:
  explicit TFV2Reader(const std::string &prefix) : prefix(prefix) {
    fileFormat = SLIM_CHECKPOINT_TF_V2;
    filePath = prefix;
    index = MappedFile::open(prefix + ".index");
    std::string_view bytes(reinterpret_cast<const char *>(index->data()),
                           index->size());
    auto table = readSSTable(bytes, index->path());
    if (table.empty() || !table[0].first.empty())
      fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint '", prefix,
           "': index has no bundle header");
    parseHeader(table[0].second);
    for (size_t i = 1; i < table.size(); ++i) {
      // Keys of the slices of partitioned variables are binary-encoded and
      // start with a NUL byte; the full variable's entry describes them.
      if (table[i].first[0] == '\0')
        continue;
      parseEntry(table[i].first, table[i].second);
    }
    sortEntries();
  }

  void read(size_t i, void *dst) const override {
    const unsigned char *p = verifiedData(i);
    std::memcpy(dst, p, entries[i].sizeBytes);
    // A restore copies every tensor before it keeps any: without this the
    // file's pages would stay resident beside the copies until the end.
    dropPages(p, entries[i].sizeBytes);
  }

  const void *view(size_t i, size_t alignment,
                   std::shared_ptr<const void> *keepAlive) const override {
    const unsigned char *p = verifiedData(i);
    if (reinterpret_cast<uintptr_t>(p) % alignment != 0)
      return nullptr;
    *keepAlive = shards[locations[i].shard];
    return p;
  }

private:
  struct Location {
    uint32_t shard = 0;
    uint64_t offset = 0;
    uint32_t maskedCrc = 0;
    bool sliced = false;
  };

  [[noreturn]] void corrupt(const std::string &why) const {
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint '", prefix, "': ", why);
  }

  void parseHeader(std::string_view bytes) {
    uint64_t numShards = 1, endianness = 0;
    ProtoReader r(bytes, "checkpoint bundle header");
    while (r.next()) {
      if (r.field() == 1)
        numShards = r.varint();
      else if (r.field() == 2)
        endianness = r.varint();
      else
        r.skip();
    }
    if (endianness != 0)
      fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint '", prefix,
           "' was written on a big-endian machine, which is not supported");
    if (numShards == 0 || numShards > 100000)
      corrupt(cat("absurd shard count ", numShards));
    for (uint64_t s = 0; s < numShards; ++s) {
      char suffix[64];
      std::snprintf(suffix, sizeof(suffix), ".data-%05llu-of-%05llu",
                    (unsigned long long)s, (unsigned long long)numShards);
      shards.push_back(MappedFile::open(prefix + suffix));
    }
  }

  void parseEntry(const std::string &name, std::string_view bytes) {
    TensorEntry e;
    e.name = name;
    Location loc;
    uint64_t tfDtype = 0, size = 0, shard = 0;
    bool haveCrc = false;
    std::string context = cat("checkpoint entry '", name, "'");
    ProtoReader r(bytes, context.c_str());
    while (r.next()) {
      switch (r.field()) {
      case 1:
        tfDtype = r.varint();
        break;
      case 2:
        e.dims = parseShape(r.bytes(), context.c_str());
        break;
      case 3:
        shard = r.varint();
        break;
      case 4:
        loc.offset = r.varint();
        break;
      case 5:
        size = r.varint();
        break;
      case 6:
        loc.maskedCrc = r.fixed32();
        haveCrc = true;
        break;
      case 7:
        loc.sliced = true;
        r.skip();
        break;
      default:
        r.skip();
      }
    }
    finishEntry(e, tfDtype, prefix);
    if (!loc.sliced) {
      if (shard >= shards.size())
        corrupt(cat("tensor '", name, "' is in shard ", shard, " of ",
                    shards.size()));
      loc.shard = uint32_t(shard);
      uint64_t shardSize = shards[shard]->size();
      if (loc.offset > shardSize || size > shardSize - loc.offset)
        corrupt(cat("tensor '", name, "' at offset ", loc.offset, " size ",
                    size, " extends past the end of ", shards[shard]->path(),
                    " (", shardSize, " bytes)"));
      if (e.dtype != SLIM_DTYPE_INVALID && size != e.sizeBytes)
        corrupt(cat("tensor '", name, "' of shape ", shapeString(e.dims),
                    " and dtype ", e.dtypeName, " needs ", e.sizeBytes,
                    " bytes but its entry says ", size));
      if (!haveCrc)
        corrupt(cat("tensor '", name, "' has no checksum"));
    }
    entries.push_back(std::move(e));
    locations.push_back(loc);
  }

  void sortEntries() {
    std::vector<size_t> order(entries.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return entries[a].name < entries[b].name;
    });
    std::vector<TensorEntry> e;
    std::vector<Location> l;
    for (size_t i : order) {
      e.push_back(std::move(entries[i]));
      l.push_back(locations[i]);
    }
    entries = std::move(e);
    locations = std::move(l);
  }

  const unsigned char *verifiedData(size_t i) const {
    const TensorEntry &e = entries[i];
    const Location &loc = locations[i];
    if (e.dtype == SLIM_DTYPE_INVALID)
      fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint '", prefix, "' tensor '",
           e.name, "' has dtype ", e.dtypeName,
           ", which the runtime cannot load");
    if (loc.sliced)
      fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint '", prefix, "' tensor '",
           e.name,
           "' is a partitioned variable (saved in slices), which is not "
           "supported");
    const unsigned char *p = shards[loc.shard]->data() + loc.offset;
    if (crc32c(p, e.sizeBytes) != crc32cUnmask(loc.maskedCrc))
      corrupt(cat("CRC32C mismatch in the data of tensor '", e.name, "'"));
    return p;
  }

  std::string prefix;
  std::shared_ptr<MappedFile> index;
  std::vector<std::shared_ptr<MappedFile>> shards;
  std::vector<Location> locations; // Parallel to entries.
};

//===----------------------------------------------------------------------===//
// V1
//===----------------------------------------------------------------------===//

/// A TensorSliceProto: per dimension start and length (-1 = whole).
struct Slice {
  std::vector<std::pair<int64_t, int64_t>> extents;
};

Slice parseSlice(std::string_view bytes, const char *context) {
  Slice s;
  ProtoReader r(bytes, context);
  while (r.next()) {
    if (r.field() != 1) {
      r.skip();
      continue;
    }
    int64_t start = 0, length = -1;
    ProtoReader x(r.bytes(), context);
    while (x.next()) {
      if (x.field() == 1)
        start = x.int64();
      else if (x.field() == 2)
        length = x.int64();
      else
        x.skip();
    }
    s.extents.emplace_back(start, length);
  }
  return s;
}

class TFV1Reader : public CheckpointReader {
public:
  explicit TFV1Reader(std::shared_ptr<MappedFile> file)
      : file(std::move(file)) {
    fileFormat = SLIM_CHECKPOINT_TF_V1;
    filePath = this->file->path();
    std::string_view bytes(reinterpret_cast<const char *>(this->file->data()),
                           this->file->size());
    auto table = readSSTable(bytes, filePath);
    if (table.empty() || !table[0].first.empty())
      corrupt("no SavedTensorSliceMeta under the empty key");
    parseMeta(table[0].second);
    for (size_t i = 1; i < table.size(); ++i)
      parseData(table[i].second);
    for (size_t i = 0; i < entries.size(); ++i) {
      uint64_t covered = 0;
      for (const Piece &piece : pieces[i])
        covered += piece.numElements;
      if (entries[i].dtype != SLIM_DTYPE_INVALID &&
          covered != entries[i].numElements)
        corrupt(cat("tensor '", entries[i].name, "' has ", covered, " of its ",
                    entries[i].numElements, " elements saved"));
    }
  }

  void read(size_t i, void *dst) const override {
    const TensorEntry &e = entries[i];
    if (e.dtype == SLIM_DTYPE_INVALID)
      fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint '", filePath, "' tensor '",
           e.name, "' has dtype ", e.dtypeName,
           ", which the runtime cannot load");
    for (const Piece &piece : pieces[i]) {
      readPiece(e, piece, static_cast<unsigned char *>(dst));
      // As for V2: the copy is all a restore keeps.
      dropPages(piece.tensor.data(), piece.tensor.size());
    }
  }

private:
  struct Piece {
    Slice slice;             // Normalized: one extent per dim, lengths set.
    std::string_view tensor; // Serialized TensorProto.
    uint64_t numElements = 0;
  };

  [[noreturn]] void corrupt(const std::string &why) const {
    fail(SLIM_STATUS_DATA_LOSS, "corrupt checkpoint '", filePath, "': ", why);
  }

  void parseMeta(std::string_view bytes) {
    std::string_view meta;
    bool haveMeta = false;
    ProtoReader top(bytes, "SavedTensorSlices");
    while (top.next()) {
      if (top.field() == 1) {
        meta = top.bytes();
        haveMeta = true;
      } else {
        top.skip();
      }
    }
    if (!haveMeta)
      corrupt("no SavedTensorSliceMeta under the empty key");
    ProtoReader r(meta, "SavedTensorSliceMeta");
    while (r.next()) {
      if (r.field() != 1) {
        r.skip();
        continue;
      }
      TensorEntry e;
      uint64_t tfDtype = 0;
      ProtoReader t(r.bytes(), "SavedSliceMeta");
      while (t.next()) {
        if (t.field() == 1) {
          std::string_view n = t.bytes();
          e.name.assign(n.data(), n.size());
        } else if (t.field() == 2) {
          e.dims = parseShape(t.bytes(), "SavedSliceMeta shape");
        } else if (t.field() == 3) {
          tfDtype = t.varint();
        } else {
          t.skip();
        }
      }
      finishEntry(e, tfDtype, filePath);
      tfDtypes.push_back(tfDtype);
      entries.push_back(std::move(e));
    }
    // Sort (entries, tfDtypes) by name; pieces are attached by name later.
    std::vector<size_t> order(entries.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return entries[a].name < entries[b].name;
    });
    std::vector<TensorEntry> e;
    std::vector<uint64_t> d;
    for (size_t i : order) {
      e.push_back(std::move(entries[i]));
      d.push_back(tfDtypes[i]);
    }
    entries = std::move(e);
    tfDtypes = std::move(d);
    for (size_t i = 1; i < entries.size(); ++i)
      if (entries[i].name == entries[i - 1].name)
        corrupt(cat("tensor '", entries[i].name, "' listed twice"));
    pieces.resize(entries.size());
  }

  void parseData(std::string_view bytes) {
    std::string_view saved;
    bool haveData = false;
    ProtoReader top(bytes, "SavedTensorSlices");
    while (top.next()) {
      if (top.field() == 2) {
        saved = top.bytes();
        haveData = true;
      } else {
        top.skip();
      }
    }
    if (!haveData)
      corrupt("an entry holds no SavedSlice");
    std::string name;
    Piece piece;
    bool haveTensor = false;
    ProtoReader r(saved, "SavedSlice");
    while (r.next()) {
      if (r.field() == 1) {
        std::string_view n = r.bytes();
        name.assign(n.data(), n.size());
      } else if (r.field() == 2) {
        piece.slice = parseSlice(r.bytes(), "SavedSlice slice");
      } else if (r.field() == 3) {
        piece.tensor = r.bytes();
        haveTensor = true;
      } else {
        r.skip();
      }
    }
    ptrdiff_t idx = find(name);
    if (idx < 0)
      corrupt(cat("data for tensor '", name, "' missing from the metadata"));
    if (!haveTensor)
      corrupt(cat("slice of tensor '", name, "' holds no data"));
    const TensorEntry &e = entries[size_t(idx)];
    // An empty extent list means the whole tensor; a missing length means the
    // whole dimension.
    if (piece.slice.extents.empty())
      piece.slice.extents.assign(e.dims.size(), {0, -1});
    if (piece.slice.extents.size() != e.dims.size())
      corrupt(cat("slice of tensor '", name, "' has rank ",
                  piece.slice.extents.size(), ", the tensor ", e.dims.size()));
    piece.numElements = 1;
    for (size_t d = 0; d < e.dims.size(); ++d) {
      auto &[start, length] = piece.slice.extents[d];
      if (length < 0)
        length = e.dims[d] - start;
      if (start < 0 || start > e.dims[d] || length > e.dims[d] - start)
        corrupt(cat("slice of tensor '", name, "' lies outside its shape ",
                    shapeString(e.dims)));
      piece.numElements *= uint64_t(length);
    }
    pieces[size_t(idx)].push_back(piece);
  }

  /// Decodes the values of one piece into the full tensor at `dst`.
  void readPiece(const TensorEntry &e, const Piece &piece,
                 unsigned char *dst) const {
    size_t elem = dtypeSize(e.dtype);
    std::vector<unsigned char> values(piece.numElements * elem);
    uint64_t count = 0;
    auto put = [&](const void *src) {
      if (count >= piece.numElements)
        corrupt(cat("tensor '", e.name, "' has more values than its slice"));
      std::memcpy(values.data() + count * elem, src, elem);
      ++count;
    };
    auto putInt = [&](uint64_t raw) {
      if (e.dtype == SLIM_DTYPE_I64) {
        int64_t v = int64_t(raw);
        put(&v);
      } else if (e.dtype == SLIM_DTYPE_I32) {
        int32_t v = int32_t(raw);
        put(&v);
      } else {
        uint8_t v = uint8_t(raw);
        put(&v);
      }
    };
    std::string context = cat("tensor '", e.name, "' in '", filePath, "'");
    const char *ctx = context.c_str();
    // The typed field that holds values of this dtype.
    uint32_t valueField = e.dtype == SLIM_DTYPE_F32   ? 5
                          : e.dtype == SLIM_DTYPE_F64 ? 6
                          : e.dtype == SLIM_DTYPE_I64 ? 10
                                                      : 7;
    ProtoReader r(piece.tensor, ctx);
    bool haveContent = false;
    while (r.next()) {
      if (r.field() == 1) {
        if (r.varint() != tfDtypes[size_t(find(e.name))])
          corrupt(cat("tensor '", e.name,
                      "' holds data of a different dtype than declared"));
      } else if (r.field() == 4) {
        std::string_view content = r.bytes();
        if (content.size() != values.size())
          corrupt(cat("tensor '", e.name, "' content has ", content.size(),
                      " bytes, expected ", values.size()));
        std::memcpy(values.data(), content.data(), content.size());
        count = piece.numElements;
        haveContent = true;
      } else if (r.field() == valueField) {
        bool isFloat = valueField == 5, isDouble = valueField == 6;
        if (r.wire() == WireLengthDelimited) {
          ByteReader packed(r.bytes(), ctx);
          while (!packed.done()) {
            if (isFloat) {
              uint32_t v = packed.fixed32();
              put(&v);
            } else if (isDouble) {
              uint64_t v = packed.fixed64();
              put(&v);
            } else {
              putInt(packed.varint64());
            }
          }
        } else if (isFloat) {
          uint32_t v = r.fixed32();
          put(&v);
        } else if (isDouble) {
          uint64_t v = r.fixed64();
          put(&v);
        } else {
          putInt(r.varint());
        }
      } else {
        r.skip();
      }
    }
    if (count != piece.numElements && !haveContent)
      corrupt(cat("tensor '", e.name, "' slice has ", count,
                  " values, expected ", piece.numElements));
    // Scatter the slice, row-major, into the full tensor.
    size_t rank = e.dims.size();
    std::vector<int64_t> idx(rank, 0);
    for (uint64_t k = 0; k < piece.numElements; ++k) {
      uint64_t off = 0;
      for (size_t d = 0; d < rank; ++d)
        off = off * uint64_t(e.dims[d]) +
              uint64_t(piece.slice.extents[d].first + idx[d]);
      std::memcpy(dst + off * elem, values.data() + k * elem, elem);
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < piece.slice.extents[d].second)
          break;
        idx[d] = 0;
      }
    }
  }

  std::shared_ptr<MappedFile> file;
  std::vector<uint64_t> tfDtypes;         // Parallel to entries.
  std::vector<std::vector<Piece>> pieces; // Parallel to entries.
};

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// Strips ".data-00000-of-00001" from a V2 data file name, or returns "".
std::string v2PrefixOfDataFile(const std::string &path) {
  size_t pos = path.rfind(".data-");
  if (pos == std::string::npos)
    return "";
  std::string rest = path.substr(pos + 6);
  unsigned a, b;
  char tail;
  if (rest.size() != 14 ||
      std::sscanf(rest.c_str(), "%5u-of-%5u%c", &a, &b, &tail) != 2)
    return "";
  return path.substr(0, pos);
}

} // namespace

ptrdiff_t CheckpointReader::find(const std::string &name) const {
  auto it = std::lower_bound(
      entries.begin(), entries.end(), name,
      [](const TensorEntry &e, const std::string &n) { return e.name < n; });
  if (it == entries.end() || it->name != name)
    return -1;
  return it - entries.begin();
}

void CheckpointReader::sortEntries() {
  std::sort(entries.begin(), entries.end(),
            [](const TensorEntry &a, const TensorEntry &b) {
              return a.name < b.name;
            });
}

const char *CheckpointReader::formatName() const {
  switch (fileFormat) {
  case SLIM_CHECKPOINT_SAFETENSORS:
    return "safetensors";
  case SLIM_CHECKPOINT_TF_V2:
    return "TensorFlow V2";
  case SLIM_CHECKPOINT_TF_V1:
    return "TensorFlow V1";
  }
  return "unknown";
}

std::unique_ptr<CheckpointReader> openCheckpoint(const std::string &path) {
  if (path.empty())
    fail(SLIM_STATUS_INVALID_ARGUMENT, "empty checkpoint path");
  if (fileExists(path + ".index"))
    return std::make_unique<TFV2Reader>(path);
  if (endsWith(path, ".index") && fileExists(path))
    return std::make_unique<TFV2Reader>(path.substr(0, path.size() - 6));
  std::string dataPrefix = v2PrefixOfDataFile(path);
  if (!dataPrefix.empty() && fileExists(dataPrefix + ".index"))
    return std::make_unique<TFV2Reader>(dataPrefix);
  if (!fileExists(path))
    fail(SLIM_STATUS_NOT_FOUND, "checkpoint '", path,
         "' not found (looked for '", path, "' and '", path, ".index')");
  std::shared_ptr<MappedFile> file = MappedFile::open(path);
  std::string_view bytes(reinterpret_cast<const char *>(file->data()),
                         file->size());
  // safetensors: 8-byte length, then a JSON object.
  if (bytes.size() >= 9 && bytes[8] == '{')
    return openSafetensors(std::move(file));
  if (hasSSTableMagic(bytes))
    return std::make_unique<TFV1Reader>(std::move(file));
  if (endsWith(path, ".safetensors"))
    return openSafetensors(std::move(file));
  fail(SLIM_STATUS_DATA_LOSS, "'", path,
       "' is not a recognized checkpoint (safetensors, TensorFlow V2 "
       "prefix or TensorFlow V1 file), or it is truncated");
}

} // namespace slimrt
