//===- checkpoint_safetensors.cpp - The native checkpoint format ----------===//
//
// safetensors: an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...,
//    "__metadata__": {"k": "v"}}
// then the data section; offsets are relative to its start. The file is
// mapped and tensors are used in place when aligned.
//
//===----------------------------------------------------------------------===//

#include "checkpoint.h"
#include "file_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace slimrt {
namespace {

constexpr uint64_t kMaxHeaderSize = 100ull << 20;

int32_t dtypeFromSafetensors(const std::string &s) {
  if (s == "F32")
    return SLIM_DTYPE_F32;
  if (s == "F64")
    return SLIM_DTYPE_F64;
  if (s == "I32")
    return SLIM_DTYPE_I32;
  if (s == "I64")
    return SLIM_DTYPE_I64;
  if (s == "U8")
    return SLIM_DTYPE_U8;
  return SLIM_DTYPE_INVALID;
}

const char *dtypeToSafetensors(int32_t dtype) {
  switch (dtype) {
  case SLIM_DTYPE_F32:
    return "F32";
  case SLIM_DTYPE_F64:
    return "F64";
  case SLIM_DTYPE_I32:
    return "I32";
  case SLIM_DTYPE_I64:
    return "I64";
  case SLIM_DTYPE_U8:
    return "U8";
  }
  fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot save dtype ", dtype);
}

/// Byte size of elements of any safetensors dtype, for offset validation of
/// tensors we list but cannot load.
size_t anySafetensorsDtypeSize(const std::string &s) {
  if (s == "BOOL" || s == "U8" || s == "I8" || s == "F8_E4M3" || s == "F8_E5M2")
    return 1;
  if (s == "F16" || s == "BF16" || s == "I16" || s == "U16")
    return 2;
  if (s == "F32" || s == "I32" || s == "U32")
    return 4;
  if (s == "F64" || s == "I64" || s == "U64")
    return 8;
  return 0;
}

class SafetensorsReader : public CheckpointReader {
public:
  explicit SafetensorsReader(std::shared_ptr<MappedFile> file)
      : file(std::move(file)) {
    fileFormat = SLIM_CHECKPOINT_SAFETENSORS;
    filePath = this->file->path();
    parse();
  }

  void read(size_t index, void *dst) const override {
    const TensorEntry &e = entries[index];
    if (e.dtype == SLIM_DTYPE_INVALID)
      fail(SLIM_STATUS_UNIMPLEMENTED, "checkpoint '", filePath, "' tensor '",
           e.name, "' has dtype ", e.dtypeName,
           ", which the runtime cannot load");
    if (e.sizeBytes)
      std::memcpy(dst, file->data() + dataStart + offsets[index], e.sizeBytes);
  }

  const void *view(size_t index, size_t alignment,
                   std::shared_ptr<const void> *keepAlive) const override {
    const unsigned char *p = file->data() + dataStart + offsets[index];
    if (reinterpret_cast<uintptr_t>(p) % alignment != 0)
      return nullptr;
    *keepAlive = file;
    return p;
  }

private:
  [[noreturn]] void corrupt(const std::string &why) const {
    fail(SLIM_STATUS_DATA_LOSS, "corrupt safetensors file '", filePath,
         "': ", why);
  }

  void parse() {
    size_t size = file->size();
    if (size < 8)
      corrupt(cat("file too small (", size, " bytes)"));
    uint64_t headerLen;
    std::memcpy(&headerLen, file->data(), 8);
    if (headerLen > kMaxHeaderSize || headerLen > size - 8)
      corrupt(cat("header length ", headerLen, " exceeds the file size (", size,
                  " bytes) or the ", kMaxHeaderSize, "-byte limit"));
    dataStart = 8 + headerLen;
    uint64_t dataSize = size - dataStart;
    const char *h = reinterpret_cast<const char *>(file->data() + 8);
    nlohmann::json header =
        nlohmann::json::parse(h, h + headerLen, nullptr, /*allow_exceptions=*/
                              false);
    if (header.is_discarded())
      corrupt("header is not valid JSON");
    if (!header.is_object())
      corrupt("header is not a JSON object");
    std::vector<std::pair<TensorEntry, uint64_t>> found;
    for (auto it = header.begin(); it != header.end(); ++it) {
      const std::string &name = it.key();
      const nlohmann::json &v = it.value();
      if (name == "__metadata__") {
        parseMetadata(v);
        continue;
      }
      if (!v.is_object() || !v.contains("dtype") || !v["dtype"].is_string() ||
          !v.contains("shape") || !v["shape"].is_array() ||
          !v.contains("data_offsets") || !v["data_offsets"].is_array() ||
          v["data_offsets"].size() != 2)
        corrupt(cat("tensor '", name,
                    "' lacks a string dtype, a shape array or a pair of "
                    "data_offsets"));
      TensorEntry e;
      e.name = name;
      e.dtypeName = v["dtype"].get<std::string>();
      e.dtype = dtypeFromSafetensors(e.dtypeName);
      size_t elem = anySafetensorsDtypeSize(e.dtypeName);
      std::string fileDtype = e.dtypeName;
      if (e.dtype != SLIM_DTYPE_INVALID)
        e.dtypeName = dtypeName(e.dtype); // Same spelling for all formats.
      if (v["shape"].size() > SLIM_MAX_RANK)
        corrupt(cat("tensor '", name, "' has rank ", v["shape"].size()));
      for (const auto &d : v["shape"]) {
        if (!d.is_number_integer() || d.get<int64_t>() < 0)
          corrupt(cat("tensor '", name, "' has an invalid dimension"));
        e.dims.push_back(d.get<int64_t>());
      }
      const auto &off = v["data_offsets"];
      if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
        corrupt(cat("tensor '", name, "' has non-integer data_offsets"));
      uint64_t b = off[0].get<uint64_t>(), en = off[1].get<uint64_t>();
      if (b > en || en > dataSize)
        corrupt(cat("tensor '", name, "' data_offsets [", b, ", ", en,
                    "] lie outside the ", dataSize, "-byte data section"));
      e.numElements = checkedNumElements(
          e.dims, elem ? elem : 1,
          cat("safetensors '", filePath, "' tensor '", name, "'"));
      if (elem && e.numElements * elem != en - b)
        corrupt(cat("tensor '", name, "' of shape ", shapeString(e.dims),
                    " and dtype ", fileDtype, " needs ", e.numElements * elem,
                    " bytes but data_offsets span ", en - b));
      e.sizeBytes = e.numElements * dtypeSize(e.dtype);
      found.emplace_back(std::move(e), b);
    }
    std::sort(found.begin(), found.end(), [](const auto &x, const auto &y) {
      return x.first.name < y.first.name;
    });
    for (auto &[e, b] : found) {
      entries.push_back(std::move(e));
      offsets.push_back(b);
    }
  }

  void parseMetadata(const nlohmann::json &v) {
    if (!v.is_object())
      corrupt("__metadata__ is not an object");
    auto it = v.find("slim.format_version");
    if (it == v.end())
      return;
    if (!it->is_string())
      corrupt("slim.format_version is not a string");
    std::string s = it->get<std::string>();
    char *end = nullptr;
    unsigned long version = std::strtoul(s.c_str(), &end, 10);
    if (s.empty() || *end)
      corrupt(cat("bad slim.format_version '", s, "'"));
    if (version > SLIM_CHECKPOINT_FORMAT_VERSION)
      fail(SLIM_STATUS_INCOMPATIBLE, "checkpoint '", filePath,
           "' has format version ", version,
           "; this runtime reads versions up to ",
           SLIM_CHECKPOINT_FORMAT_VERSION);
  }

  std::shared_ptr<MappedFile> file;
  uint64_t dataStart = 0;
  std::vector<uint64_t> offsets; // Parallel to entries.
};

} // namespace

std::unique_ptr<CheckpointReader>
openSafetensors(std::shared_ptr<MappedFile> file) {
  return std::make_unique<SafetensorsReader>(std::move(file));
}

void writeSafetensors(const std::string &path,
                      const std::vector<TensorToWrite> &tensors,
                      const std::map<std::string, std::string> &metadata) {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const TensorToWrite &t : tensors) {
    if (t.name == "__metadata__" || header.contains(t.name))
      fail(SLIM_STATUS_INVALID_ARGUMENT, "cannot save tensor named '", t.name,
           "' twice or under a reserved name");
    header[t.name] = {{"dtype", dtypeToSafetensors(t.dtype)},
                      {"shape", t.dims},
                      {"data_offsets", {offset, offset + t.sizeBytes}}};
    offset += t.sizeBytes;
  }
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  std::string json = header.dump();
  // Pad with spaces (valid JSON whitespace) so the data starts 64-aligned and
  // a later load can use the tensors in place.
  json.append((64 - (8 + json.size()) % 64) % 64, ' ');
  uint64_t len = json.size();
  AtomicFileWriter out(path);
  out.write(&len, 8);
  out.write(json.data(), json.size());
  for (const TensorToWrite &t : tensors)
    out.write(t.data, t.sizeBytes);
  out.commit();
}

} // namespace slimrt
