//===- checkpoint.h - Reading and writing checkpoint files ------*- C++ -*-===//
#ifndef SLIM_RUNTIME_CHECKPOINT_H
#define SLIM_RUNTIME_CHECKPOINT_H

#include "common.h"
#include "sstable.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace slimrt {

/// One tensor listed by a checkpoint.
struct TensorEntry {
  std::string name;
  int32_t dtype = SLIM_DTYPE_INVALID; ///< INVALID when unsupported.
  std::string dtypeName;              ///< The file's own name for the type.
  std::vector<int64_t> dims;
  uint64_t numElements = 0;
  uint64_t sizeBytes = 0; ///< Of the dense tensor in `dtype`.
};

/// A read-only checkpoint of any supported format. Opening validates the
/// index (names, shapes, offsets, block CRCs); reading a tensor verifies its
/// own checksum where the format has one.
class CheckpointReader {
public:
  virtual ~CheckpointReader() = default;

  slim_checkpoint_format format() const { return fileFormat; }
  const std::string &path() const { return filePath; }
  /// Sorted by name.
  const std::vector<TensorEntry> &tensors() const { return entries; }
  /// Index into tensors() or -1.
  ptrdiff_t find(const std::string &name) const;

  /// Copies tensor `index` into `dst` (entries[index].sizeBytes bytes).
  virtual void read(size_t index, void *dst) const = 0;

  /// Returns a pointer to tensor `index` in its final layout inside a
  /// mapping kept alive by `*keepAlive`, after verification, or null when the
  /// data cannot be used in place (alignment below `alignment`, encoded).
  virtual const void *view(size_t index, size_t alignment,
                           std::shared_ptr<const void> *keepAlive) const {
    (void)index, (void)alignment, (void)keepAlive;
    return nullptr;
  }

  const char *formatName() const;

protected:
  void sortEntries();

  slim_checkpoint_format fileFormat = SLIM_CHECKPOINT_SAFETENSORS;
  std::string filePath;
  std::vector<TensorEntry> entries;
};

/// Opens `path`: a safetensors file, a TensorFlow V2 prefix (or its .index or
/// .data-* file), or a V1 file.
std::unique_ptr<CheckpointReader> openCheckpoint(const std::string &path);

/// A tensor to save.
struct TensorToWrite {
  std::string name;
  int32_t dtype;
  std::vector<int64_t> dims;
  const void *data;
  uint64_t sizeBytes;
};

/// Writes a safetensors file atomically; the header is padded so the data
/// section starts 64-byte aligned.
void writeSafetensors(const std::string &path,
                      const std::vector<TensorToWrite> &tensors,
                      const std::map<std::string, std::string> &metadata);

/// Writes a TensorFlow V2 bundle (PREFIX.index and
/// PREFIX.data-00000-of-00001) that TensorFlow restores. Both files go to
/// temporaries next to their final names and are renamed only once both are
/// complete and synced, the index last; on any failure before the renames
/// neither final file is touched. `tableOptions` sets the index's block
/// layout (tests use small blocks).
void writeTFV2(const std::string &prefix,
               const std::vector<TensorToWrite> &tensors,
               const SSTableOptions &tableOptions = {});

/// Fails unless `format` is one writeCheckpoint writes: UNIMPLEMENTED for
/// TensorFlow V1, INVALID_ARGUMENT for values outside the enum.
void checkWritableFormat(const std::string &path,
                         slim_checkpoint_format format);

/// Writes `tensors` in `format` (safetensors with `metadata`, or TensorFlow
/// V2, which has no place for metadata). TensorFlow V1 is refused with
/// UNIMPLEMENTED.
void writeCheckpoint(const std::string &path, slim_checkpoint_format format,
                     const std::vector<TensorToWrite> &tensors,
                     const std::map<std::string, std::string> &metadata);

} // namespace slimrt

#endif // SLIM_RUNTIME_CHECKPOINT_H
