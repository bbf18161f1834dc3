//===- checkpoint_tf_writer.cpp - TensorFlow V2 checkpoint writer ---------===//
//
// Writes the tensor bundle that TensorFlow's own BundleWriter writes and
// checkpoint_tf.cpp reads, one shard:
//
//   PREFIX.data-00000-of-00001  every tensor's bytes, little-endian and
//                               row-major, back to back in key order with no
//                               padding (TensorFlow's default data_alignment
//                               is 1; its reader seeks to each entry's offset
//                               and needs no alignment).
//   PREFIX.index                an uncompressed SSTable: key "" holds the
//                               BundleHeaderProto {num_shards = 1,
//                               endianness = LITTLE, version {producer = 1}},
//                               then one BundleEntryProto per tensor {dtype,
//                               shape, offset, size, crc32c = the masked
//                               CRC32C of its bytes}, keys sorted bytewise.
//
// Messages are encoded as protobuf does, proto3 defaults left out (shard_id 0,
// endianness LITTLE, min_consumer 0, a zero offset or size), except crc32c,
// which is always written: a masked CRC can be 0, and the readers here treat
// a missing checksum as corruption.
//
//===----------------------------------------------------------------------===//

#include "checkpoint.h"
#include "crc32c.h"
#include "file_util.h"
#include "proto_wire.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace slimrt {
namespace {

// The header says LITTLE and tensors are written as they lie in memory.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the TensorFlow V2 writer assumes a little-endian host");

/// BundleHeaderProto.version.producer TensorFlow writes
/// (kTensorBundleVersion); its readers accept any producer >= 0.
constexpr uint64_t kBundleVersion = 1;

/// TensorFlow's DataType enum (types.proto) for a runtime dtype.
uint64_t tfDtypeOf(int32_t dtype, const std::string &name) {
  switch (dtype) {
  case SLIM_DTYPE_F32:
    return 1; // DT_FLOAT
  case SLIM_DTYPE_F64:
    return 2; // DT_DOUBLE
  case SLIM_DTYPE_I32:
    return 3; // DT_INT32
  case SLIM_DTYPE_U8:
    return 4; // DT_UINT8
  case SLIM_DTYPE_I64:
    return 9; // DT_INT64
  }
  fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot save tensor '", name, "': dtype ",
       dtype, " has no TensorFlow equivalent");
}

std::string headerProto() {
  ProtoWriter version;
  version.varint(1, kBundleVersion); // producer
  ProtoWriter header;
  header.varint(1, 1); // num_shards; endianness 2 = LITTLE (0) is implied.
  header.bytes(3, version.str());
  return header.str();
}

std::string entryProto(const TensorToWrite &t, uint64_t offset,
                       uint32_t maskedCrc) {
  ProtoWriter shape; // TensorShapeProto
  for (int64_t d : t.dims) {
    ProtoWriter dim;
    if (d)
      dim.varint(1, uint64_t(d)); // size
    shape.bytes(2, dim.str());
  }
  ProtoWriter entry;
  entry.varint(1, tfDtypeOf(t.dtype, t.name));
  // Present even for a scalar, as TensorShape::AsProto leaves it.
  entry.bytes(2, shape.str());
  if (offset)
    entry.varint(4, offset);
  if (t.sizeBytes)
    entry.varint(5, t.sizeBytes);
  entry.fixed32(6, maskedCrc);
  return entry.str();
}

bool isDirectory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// Rejects prefixes whose files could not be renamed into place, before
/// anything is written: a failed rename after the first would leave a new
/// data file beside an old index.
void checkPrefix(const std::string &prefix, const std::string &index,
                 const std::string &data) {
  if (prefix.empty())
    fail(SLIM_STATUS_INVALID_ARGUMENT, "empty checkpoint prefix");
  if (prefix.back() == '/' || isDirectory(prefix))
    fail(SLIM_STATUS_INVALID_ARGUMENT, "checkpoint prefix '", prefix,
         "' names a directory; a TensorFlow checkpoint prefix names files "
         "(for example '",
         prefix.back() == '/' ? prefix : prefix + "/", "model.ckpt')");
  for (const std::string *p : {&index, &data})
    if (isDirectory(*p))
      fail(SLIM_STATUS_IO_ERROR, "cannot save checkpoint '", prefix, "': '", *p,
           "' is a directory");
}

} // namespace

void writeTFV2(const std::string &prefix,
               const std::vector<TensorToWrite> &tensors,
               const SSTableOptions &tableOptions) {
  const std::string indexPath = prefix + ".index";
  const std::string dataPath = prefix + ".data-00000-of-00001";
  checkPrefix(prefix, indexPath, dataPath);

  std::vector<const TensorToWrite *> sorted;
  for (const TensorToWrite &t : tensors)
    sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(),
            [](const TensorToWrite *a, const TensorToWrite *b) {
              return a->name < b->name;
            });
  for (size_t i = 0; i < sorted.size(); ++i) {
    const TensorToWrite &t = *sorted[i];
    // The empty key is the bundle header; a leading NUL marks the encoded
    // key of a partitioned variable's slice.
    if (t.name.empty() || t.name[0] == '\0')
      fail(SLIM_STATUS_INVALID_ARGUMENT,
           "cannot save a tensor with an empty name or one starting with NUL");
    if (i > 0 && sorted[i - 1]->name == t.name)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot save tensor named '", t.name,
           "' twice");
    uint64_t elements =
        checkedNumElements(t.dims, std::max<size_t>(dtypeSize(t.dtype), 1),
                           cat("tensor '", t.name, "'"));
    tfDtypeOf(t.dtype, t.name);
    if (elements * dtypeSize(t.dtype) != t.sizeBytes)
      fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot save tensor '", t.name,
           "': shape ", shapeString(t.dims), " and dtype ", dtypeName(t.dtype),
           " need ", elements * dtypeSize(t.dtype), " bytes, given ",
           t.sizeBytes);
  }

  // Both files are complete and synced before either is renamed; the index
  // goes last, so a reader never finds a new index without its data.
  AtomicFileWriter data(dataPath);
  std::vector<std::pair<std::string, std::string>> index;
  index.emplace_back("", headerProto());
  uint64_t offset = 0;
  for (const TensorToWrite *t : sorted) {
    data.write(t->data, t->sizeBytes);
    uint32_t crc = crc32cMask(crc32c(t->data, t->sizeBytes));
    index.emplace_back(t->name, entryProto(*t, offset, crc));
    offset += t->sizeBytes;
  }
  data.finish();
  AtomicFileWriter indexFile(indexPath);
  std::string table = buildSSTable(index, tableOptions);
  indexFile.write(table.data(), table.size());
  indexFile.finish();
  data.commit();
  indexFile.commit();
}

} // namespace slimrt
