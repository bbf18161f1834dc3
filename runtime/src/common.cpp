//===- common.cpp - Status objects and small helpers ----------------------===//

#include "common.h"

#include "slim/contract.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <sys/mman.h>
#include <unistd.h>

struct slim_status_object {
  slim_status_code code;
  std::string message;
};

namespace {
// Returned when even the status object cannot be allocated.
slim_status_object outOfMemoryStatus{SLIM_STATUS_RESOURCE_EXHAUSTED,
                                     "out of memory"};
} // namespace

namespace slimrt {

slim_status makeStatus(slim_status_code code, const std::string &message) {
  // A status must never be null on failure, so an allocation failure here
  // falls back to a static object that destroy() recognizes.
  if (code == SLIM_STATUS_OK)
    code = SLIM_STATUS_INTERNAL;
  try {
    return new slim_status_object{code, message};
  } catch (...) {
    return &outOfMemoryStatus;
  }
}

size_t dtypeSize(int32_t dtype) {
  switch (dtype) {
  case SLIM_DTYPE_F32:
  case SLIM_DTYPE_I32:
    return 4;
  case SLIM_DTYPE_F64:
  case SLIM_DTYPE_I64:
    return 8;
  case SLIM_DTYPE_U8:
    return 1;
  default:
    return 0;
  }
}

const char *dtypeName(int32_t dtype) {
  switch (dtype) {
  case SLIM_DTYPE_F32:
    return "float32";
  case SLIM_DTYPE_F64:
    return "float64";
  case SLIM_DTYPE_I32:
    return "int32";
  case SLIM_DTYPE_I64:
    return "int64";
  case SLIM_DTYPE_U8:
    return "uint8";
  default:
    return "invalid";
  }
}

uint64_t checkedNumElements(const std::vector<int64_t> &dims, size_t elemSize,
                            const std::string &what) {
  // No tensor may exceed 2^48 bytes: far above any real model, far below
  // what would overflow size computations. slimc refuses the same.
  const uint64_t limit = uint64_t(slim::contract::kMaxTensorBytes);
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0)
      fail(SLIM_STATUS_DATA_LOSS, what, ": negative dimension in shape ",
           shapeString(dims));
    if (d != 0 && n > limit / uint64_t(d))
      fail(SLIM_STATUS_DATA_LOSS, what, ": absurd shape ", shapeString(dims));
    n *= uint64_t(d);
  }
  if (elemSize && n > limit / elemSize)
    fail(SLIM_STATUS_DATA_LOSS, what, ": absurd shape ", shapeString(dims));
  return n;
}

std::string shapeString(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

namespace {
/// From this size on a buffer is mapped: below it, a heap block wastes less
/// than rounding up to pages would.
constexpr size_t kMapThreshold = size_t(256) << 10;

size_t pageSize() {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return page;
}
} // namespace

AlignedBuffer::AlignedBuffer(size_t size, size_t alignment) {
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  // Zero-size buffers still get a distinct valid pointer.
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  if (rounded == 0)
    rounded = alignment;
  if (rounded < size)
    throw std::bad_alloc();
  if (rounded >= kMapThreshold && alignment <= pageSize()) {
    // The kernel hands out zeroed pages on first touch: no memset, which
    // would make the whole buffer resident now.
    size_t length = (rounded + pageSize() - 1) / pageSize() * pageSize();
    if (length < rounded)
      throw std::bad_alloc();
    void *p = mmap(nullptr, length, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw std::bad_alloc();
    ptr = p;
    mapped = length;
    bytes = size;
    return;
  }
  ptr = std::aligned_alloc(alignment, rounded);
  if (!ptr)
    throw std::bad_alloc();
  std::memset(ptr, 0, rounded);
  bytes = size;
}

AlignedBuffer::AlignedBuffer(AlignedBuffer &&other) noexcept
    : ptr(other.ptr), bytes(other.bytes), mapped(other.mapped) {
  other.ptr = nullptr;
  other.bytes = 0;
  other.mapped = 0;
}

AlignedBuffer &AlignedBuffer::operator=(AlignedBuffer &&other) noexcept {
  if (this != &other) {
    release();
    ptr = other.ptr;
    bytes = other.bytes;
    mapped = other.mapped;
    other.ptr = nullptr;
    other.bytes = 0;
    other.mapped = 0;
  }
  return *this;
}

void AlignedBuffer::release() noexcept {
  if (mapped)
    munmap(ptr, mapped);
  else
    std::free(ptr);
}

AlignedBuffer::~AlignedBuffer() { release(); }

void dropPages(const void *p, uint64_t bytes) {
  uintptr_t page = pageSize();
  uintptr_t begin = (uintptr_t(p) + page - 1) & ~(page - 1);
  uintptr_t end = (uintptr_t(p) + bytes) & ~(page - 1);
  if (end > begin)
    (void)madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

} // namespace slimrt

extern "C" {

slim_status_code slim_status_get_code(slim_status status) {
  return status ? status->code : SLIM_STATUS_OK;
}

const char *slim_status_get_message(slim_status status) {
  return status ? status->message.c_str() : "";
}

const char *slim_status_code_name(slim_status_code code) {
  switch (code) {
  case SLIM_STATUS_OK:
    return "OK";
  case SLIM_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case SLIM_STATUS_NOT_FOUND:
    return "NOT_FOUND";
  case SLIM_STATUS_ALREADY_EXISTS:
    return "ALREADY_EXISTS";
  case SLIM_STATUS_FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case SLIM_STATUS_OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case SLIM_STATUS_UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case SLIM_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case SLIM_STATUS_DATA_LOSS:
    return "DATA_LOSS";
  case SLIM_STATUS_IO_ERROR:
    return "IO_ERROR";
  case SLIM_STATUS_INCOMPATIBLE:
    return "INCOMPATIBLE";
  case SLIM_STATUS_INTERNAL:
    return "INTERNAL";
  case SLIM_STATUS_UNAVAILABLE:
    return "UNAVAILABLE";
  case SLIM_STATUS_CODE_MAX_ENUM:
    break;
  }
  return "UNKNOWN";
}

void slim_status_destroy(slim_status status) {
  if (status && status != &outOfMemoryStatus)
    delete status;
}

size_t slim_dtype_size(slim_dtype dtype) { return slimrt::dtypeSize(dtype); }
const char *slim_dtype_name(slim_dtype dtype) {
  return slimrt::dtypeName(dtype);
}

} // extern "C"
