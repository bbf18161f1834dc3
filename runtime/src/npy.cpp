//===- npy.cpp - Minimal .npy reader and writer ---------------------------===//
//
// Format: "\x93NUMPY", major, minor, header length (uint16 for 1.x, uint32
// for 2.x/3.x), then an ASCII Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline so the data starts 64-byte aligned.
//
//===----------------------------------------------------------------------===//

#include "npy.h"

#include "file_util.h"

#include <cstring>

namespace slimrt {
namespace {

int32_t dtypeFromDescr(const std::string &d) {
  if (d == "<f4")
    return SLIM_DTYPE_F32;
  if (d == "<f8")
    return SLIM_DTYPE_F64;
  if (d == "<i4")
    return SLIM_DTYPE_I32;
  if (d == "<i8")
    return SLIM_DTYPE_I64;
  if (d == "|u1" || d == "<u1")
    return SLIM_DTYPE_U8;
  return SLIM_DTYPE_INVALID;
}

const char *descrOf(int32_t dtype) {
  switch (dtype) {
  case SLIM_DTYPE_F32:
    return "<f4";
  case SLIM_DTYPE_F64:
    return "<f8";
  case SLIM_DTYPE_I32:
    return "<i4";
  case SLIM_DTYPE_I64:
    return "<i8";
  case SLIM_DTYPE_U8:
    return "|u1";
  }
  fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot write dtype ", dtype, " to .npy");
}

/// Returns the text after `'key':` with leading blanks skipped.
size_t findValue(const std::string &h, const char *key,
                 const std::string &what) {
  std::string k = std::string("'") + key + "'";
  size_t p = h.find(k);
  if (p == std::string::npos)
    fail(SLIM_STATUS_DATA_LOSS, what, ": .npy header lacks ", k);
  p = h.find(':', p + k.size());
  if (p == std::string::npos)
    fail(SLIM_STATUS_DATA_LOSS, what, ": malformed .npy header");
  ++p;
  while (p < h.size() && h[p] == ' ')
    ++p;
  return p;
}

} // namespace

NpyArray parseNpy(const unsigned char *bytes, size_t size,
                  const std::string &what) {
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0)
    fail(SLIM_STATUS_DATA_LOSS, what, ": not a .npy file (bad magic)");
  unsigned major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = size_t(bytes[8]) | size_t(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      fail(SLIM_STATUS_DATA_LOSS, what, ": truncated .npy header");
    uint32_t len;
    std::memcpy(&len, bytes + 8, 4);
    headerLen = len;
    headerStart = 12;
  } else {
    fail(SLIM_STATUS_UNIMPLEMENTED, what, ": .npy format version ", major,
         " is not supported");
  }
  if (headerLen > size - headerStart)
    fail(SLIM_STATUS_DATA_LOSS, what, ": .npy header length ", headerLen,
         " exceeds the file size");
  std::string h(reinterpret_cast<const char *>(bytes + headerStart), headerLen);

  NpyArray a;
  size_t p = findValue(h, "descr", what);
  if (p >= h.size() || (h[p] != '\'' && h[p] != '"'))
    fail(SLIM_STATUS_DATA_LOSS, what, ": malformed descr in .npy header");
  size_t q = h.find(h[p], p + 1);
  if (q == std::string::npos)
    fail(SLIM_STATUS_DATA_LOSS, what, ": malformed descr in .npy header");
  std::string descr = h.substr(p + 1, q - p - 1);
  a.dtype = dtypeFromDescr(descr);
  if (a.dtype == SLIM_DTYPE_INVALID)
    fail(SLIM_STATUS_UNIMPLEMENTED, what, ": .npy dtype '", descr,
         "' is not supported (use little-endian float32, float64, int32, "
         "int64 or uint8)");
  p = findValue(h, "fortran_order", what);
  if (h.compare(p, 4, "True") == 0)
    fail(SLIM_STATUS_UNIMPLEMENTED, what,
         ": Fortran-order .npy arrays are not supported");
  if (h.compare(p, 5, "False") != 0)
    fail(SLIM_STATUS_DATA_LOSS, what, ": malformed fortran_order");
  p = findValue(h, "shape", what);
  if (p >= h.size() || h[p] != '(')
    fail(SLIM_STATUS_DATA_LOSS, what, ": malformed shape in .npy header");
  ++p;
  for (;;) {
    while (p < h.size() && (h[p] == ' ' || h[p] == ','))
      ++p;
    if (p >= h.size())
      fail(SLIM_STATUS_DATA_LOSS, what, ": unterminated shape");
    if (h[p] == ')')
      break;
    if (h[p] < '0' || h[p] > '9')
      fail(SLIM_STATUS_DATA_LOSS, what, ": malformed shape in .npy header");
    int64_t d = 0;
    while (p < h.size() && h[p] >= '0' && h[p] <= '9') {
      if (d > (int64_t(1) << 48))
        fail(SLIM_STATUS_DATA_LOSS, what, ": absurd dimension");
      d = d * 10 + (h[p++] - '0');
    }
    a.dims.push_back(d);
    if (a.dims.size() > SLIM_MAX_RANK)
      fail(SLIM_STATUS_DATA_LOSS, what, ": rank above ", SLIM_MAX_RANK);
  }
  uint64_t n = checkedNumElements(a.dims, dtypeSize(a.dtype), what);
  uint64_t bytesNeeded = n * dtypeSize(a.dtype);
  size_t dataStart = headerStart + headerLen;
  if (size - dataStart != bytesNeeded)
    fail(SLIM_STATUS_DATA_LOSS, what, ": .npy data has ", size - dataStart,
         " bytes, shape ", shapeString(a.dims), " ", dtypeName(a.dtype),
         " needs ", bytesNeeded);
  a.data.assign(bytes + dataStart, bytes + size);
  return a;
}

NpyArray readNpy(const std::string &path) {
  std::shared_ptr<MappedFile> f = MappedFile::open(path);
  return parseNpy(f->data(), f->size(), cat("'", path, "'"));
}

void writeNpy(const std::string &path, int32_t dtype,
              const std::vector<int64_t> &dims, const void *data) {
  std::string shape = "(";
  for (size_t i = 0; i < dims.size(); ++i)
    shape += std::to_string(dims[i]) +
             (dims.size() == 1 || i + 1 < dims.size() ? "," : "");
  shape += ")";
  std::string h = cat("{'descr': '", descrOf(dtype),
                      "', 'fortran_order': False, 'shape': ", shape, ", }");
  size_t total = 10 + h.size() + 1;
  h.append((64 - total % 64) % 64, ' ');
  h += '\n';
  if (h.size() > 65535)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "'", path, "': .npy header too long");
  unsigned char pre[10] = {0x93,
                           'N',
                           'U',
                           'M',
                           'P',
                           'Y',
                           1,
                           0,
                           (unsigned char)(h.size() & 0xff),
                           (unsigned char)(h.size() >> 8)};
  uint64_t n = checkedNumElements(dims, dtypeSize(dtype), path);
  AtomicFileWriter out(path);
  out.write(pre, sizeof(pre));
  out.write(h.data(), h.size());
  out.write(data, n * dtypeSize(dtype));
  out.commit();
}

} // namespace slimrt
