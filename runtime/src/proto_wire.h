//===- proto_wire.h - Minimal protobuf wire-format decoding -----*- C++ -*-===//
//
// Just enough of the protobuf encoding to read and write TensorFlow's
// checkpoint protos without the protobuf library. Every read is
// bounds-checked and throws DATA_LOSS with `context` in the message when the
// bytes run out.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_RUNTIME_PROTO_WIRE_H
#define SLIM_RUNTIME_PROTO_WIRE_H

#include "common.h"

#include <cstring>
#include <string>
#include <string_view>

namespace slimrt {

/// A bounds-checked cursor over bytes.
class ByteReader {
public:
  ByteReader(std::string_view bytes, const char *context)
      : p(bytes.data()), end(bytes.data() + bytes.size()), context(context) {}

  bool done() const { return p >= end; }
  size_t remaining() const { return size_t(end - p); }

  uint64_t varint64() {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (p >= end)
        fail(SLIM_STATUS_DATA_LOSS, context, ": truncated varint");
      unsigned char byte = static_cast<unsigned char>(*p++);
      result |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return result;
    }
    fail(SLIM_STATUS_DATA_LOSS, context, ": malformed varint");
  }

  uint32_t varint32() {
    uint64_t v = varint64();
    if (v > 0xffffffffu)
      fail(SLIM_STATUS_DATA_LOSS, context, ": varint32 out of range");
    return uint32_t(v);
  }

  uint32_t fixed32() {
    uint32_t v;
    std::memcpy(&v, take(4).data(), 4);
    return v;
  }

  uint64_t fixed64() {
    uint64_t v;
    std::memcpy(&v, take(8).data(), 8);
    return v;
  }

  std::string_view take(size_t n) {
    if (n > remaining())
      fail(SLIM_STATUS_DATA_LOSS, context, ": truncated data (need ", n,
           " bytes, have ", remaining(), ")");
    std::string_view v(p, n);
    p += n;
    return v;
  }

  std::string_view lengthDelimited() { return take(varint64()); }

private:
  const char *p;
  const char *end;
  const char *context;
};

enum WireType : uint32_t {
  WireVarint = 0,
  WireFixed64 = 1,
  WireLengthDelimited = 2,
  WireFixed32 = 5,
};

/// Iterates the fields of one message.
class ProtoReader {
public:
  ProtoReader(std::string_view bytes, const char *context)
      : in(bytes, context), context(context) {}

  /// Reads the next tag; false at the end of the message.
  bool next() {
    if (in.done())
      return false;
    uint64_t tag = in.varint64();
    fieldNumber = uint32_t(tag >> 3);
    wireType = uint32_t(tag & 7);
    if (fieldNumber == 0)
      fail(SLIM_STATUS_DATA_LOSS, context, ": field number 0");
    return true;
  }

  uint32_t field() const { return fieldNumber; }
  uint32_t wire() const { return wireType; }

  uint64_t varint() {
    expect(WireVarint);
    return in.varint64();
  }
  int64_t int64() { return int64_t(varint()); }
  uint32_t fixed32() {
    expect(WireFixed32);
    return in.fixed32();
  }
  uint64_t fixed64() {
    expect(WireFixed64);
    return in.fixed64();
  }
  std::string_view bytes() {
    expect(WireLengthDelimited);
    return in.lengthDelimited();
  }

  void skip() {
    switch (wireType) {
    case WireVarint:
      in.varint64();
      break;
    case WireFixed64:
      in.take(8);
      break;
    case WireLengthDelimited:
      in.lengthDelimited();
      break;
    case WireFixed32:
      in.take(4);
      break;
    default:
      fail(SLIM_STATUS_DATA_LOSS, context, ": unsupported wire type ",
           wireType);
    }
  }

private:
  void expect(uint32_t type) {
    if (wireType != type)
      fail(SLIM_STATUS_DATA_LOSS, context, ": field ", fieldNumber,
           " has wire type ", wireType, ", expected ", type);
  }

  ByteReader in;
  const char *context;
  uint32_t fieldNumber = 0;
  uint32_t wireType = 0;
};

/// Appends a base-128 varint, low group first.
inline void putVarint(std::string &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

/// Appends `v` as 4 little-endian bytes.
inline void putFixed32(std::string &out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(char((v >> (8 * i)) & 0xff));
}

/// Appends `v` as 8 little-endian bytes.
inline void putFixed64(std::string &out, uint64_t v) {
  putFixed32(out, uint32_t(v));
  putFixed32(out, uint32_t(v >> 32));
}

/// Builds one message field by field. Fields are written in the order given;
/// callers leave out proto3 fields that hold their default (0, empty), as
/// protobuf's own serializer does, so equal messages encode to equal bytes.
class ProtoWriter {
public:
  void varint(uint32_t field, uint64_t v) {
    tag(field, WireVarint);
    putVarint(out, v);
  }
  void fixed32(uint32_t field, uint32_t v) {
    tag(field, WireFixed32);
    putFixed32(out, v);
  }
  /// A length-delimited field: bytes, a string or a nested message.
  void bytes(uint32_t field, std::string_view v) {
    tag(field, WireLengthDelimited);
    putVarint(out, v.size());
    out.append(v.data(), v.size());
  }
  const std::string &str() const { return out; }

private:
  void tag(uint32_t field, uint32_t wire) {
    putVarint(out, (uint64_t(field) << 3) | wire);
  }

  std::string out;
};

} // namespace slimrt

#endif // SLIM_RUNTIME_PROTO_WIRE_H
