//===- common.h - Internal error handling and small helpers -----*- C++ -*-===//
//
// Inside the runtime, failures are C++ exceptions of type slimrt::Error; every
// C API entry point catches them and turns them into a slim_status, so no
// exception ever crosses the C boundary.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_RUNTIME_COMMON_H
#define SLIM_RUNTIME_COMMON_H

#include "slim/slim_runtime.h"

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace slimrt {

/// An error with a status code, thrown internally.
class Error : public std::runtime_error {
public:
  Error(slim_status_code code, const std::string &message)
      : std::runtime_error(message), code(code) {}
  slim_status_code code;
};

/// Concatenates the stream representations of its arguments.
template <typename... Args> std::string cat(const Args &...args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <typename... Args>
[[noreturn]] void fail(slim_status_code code, const Args &...args) {
  throw Error(code, cat(args...));
}

/// Creates a status object (never null) from a code and message.
slim_status makeStatus(slim_status_code code, const std::string &message);

/// Runs `body`, converting any exception into a status.
template <typename Fn> slim_status guard(Fn &&body) noexcept {
  try {
    body();
    return SLIM_OK;
  } catch (const Error &e) {
    return makeStatus(e.code, e.what());
  } catch (const std::bad_alloc &) {
    return makeStatus(SLIM_STATUS_RESOURCE_EXHAUSTED, "out of memory");
  } catch (const std::exception &e) {
    return makeStatus(SLIM_STATUS_INTERNAL, e.what());
  } catch (...) {
    return makeStatus(SLIM_STATUS_INTERNAL, "unknown internal error");
  }
}

/// Size of one element of `dtype`, or 0 if unknown.
size_t dtypeSize(int32_t dtype);
const char *dtypeName(int32_t dtype);

/// Number of elements of a shape; fails on negative dims or on overflow of
/// `limitBytes / elemSize` so that lying files cannot request absurd sizes.
uint64_t checkedNumElements(const std::vector<int64_t> &dims, size_t elemSize,
                            const std::string &what);

/// "[3, 3, 64]".
std::string shapeString(const std::vector<int64_t> &dims);

/// An owned, zeroed buffer aligned to 64 bytes (or `alignment`). Large ones
/// are anonymous mappings whose pages become resident only when written, so
/// a buffer allocated long before it is filled (a model's params, an arena)
/// costs no memory until then, and freeing one returns its pages at once.
struct AlignedBuffer {
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t size, size_t alignment = 64);
  AlignedBuffer(AlignedBuffer &&other) noexcept;
  AlignedBuffer &operator=(AlignedBuffer &&other) noexcept;
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  ~AlignedBuffer();
  void *data() const { return ptr; }
  size_t size() const { return bytes; }

private:
  /// Returns the storage to the heap or the kernel.
  void release() noexcept;

  void *ptr = nullptr;
  size_t bytes = 0;
  /// Length of the mapping; 0 for a heap allocation.
  size_t mapped = 0;
};

/// Gives the whole pages inside [p, p + bytes) back to the kernel, for
/// storage nobody reads again: pages of an anonymous mapping (a large
/// AlignedBuffer) read back as zeros afterwards, pages of a read-only file
/// mapping are read from the file again. Either way they leave the resident
/// set now.
void dropPages(const void *p, uint64_t bytes);

/// True if `name` starts with `prefix`.
inline bool startsWith(const std::string &name, const std::string &prefix) {
  return name.compare(0, prefix.size(), prefix) == 0;
}

} // namespace slimrt

#endif // SLIM_RUNTIME_COMMON_H
