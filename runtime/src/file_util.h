//===- file_util.h - Memory-mapped files and atomic writes ------*- C++ -*-===//
#ifndef SLIM_RUNTIME_FILE_UTIL_H
#define SLIM_RUNTIME_FILE_UTIL_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace slimrt {

/// A whole file mapped read-only. Shared so that variables viewing a mapped
/// checkpoint keep the mapping alive.
class MappedFile {
public:
  /// Maps `path`; throws IO_ERROR/NOT_FOUND on failure.
  static std::shared_ptr<MappedFile> open(const std::string &path);
  ~MappedFile();
  const unsigned char *data() const { return base; }
  size_t size() const { return length; }
  const std::string &path() const { return filePath; }

private:
  MappedFile() = default;
  const unsigned char *base = nullptr;
  size_t length = 0;
  std::string filePath;
};

bool fileExists(const std::string &path);

/// Writes a file atomically: `write` fills a temporary file in the same
/// directory, which is flushed, synced and renamed over `path`. On any
/// failure the temporary file is removed and `path` is untouched.
///
/// The temporary is `path` + ".tmp.XXXXXX" (mkstemp), held under an exclusive
/// flock until it is renamed or removed. A process killed mid-write leaves it
/// behind; the next writer to the same `path` removes such leftovers: exactly
/// that pattern, regular files of this user, unlocked, and at least 10 s old.
class AtomicFileWriter {
public:
  explicit AtomicFileWriter(const std::string &path);
  ~AtomicFileWriter();
  void write(const void *data, size_t n);
  /// Syncs and closes the temporary, reporting any write-back error, without
  /// making it visible yet. Lets a caller finish several files before it
  /// renames any of them. commit() does it if it has not been done.
  void finish();
  /// Makes the file visible under its final name.
  void commit();

private:
  std::string finalPath;
  std::string tempPath;
  int fd = -1;
  /// A dup of `fd` that holds the flock until the rename is done.
  int lockFd = -1;
  bool committed = false;
};

} // namespace slimrt

#endif // SLIM_RUNTIME_FILE_UTIL_H
