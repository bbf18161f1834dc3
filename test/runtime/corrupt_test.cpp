//===- corrupt_test.cpp - Corrupt, truncated and lying checkpoint files ---===//
//
// Every fixture is truncated at many lengths and has bytes flipped at many
// positions; opening and reading must then either succeed with the right
// values (a flip in padding or an unused field) or fail with a clear status,
// never crash or read out of bounds (run under ASan to make the latter
// visible).
//
//===----------------------------------------------------------------------===//

#include "crc32c.h"
#include "test_util.h"

#include <cstring>

using namespace slimtest;

namespace {

/// Opens `path` and reads every tensor; returns the first failure, if any.
slim_status_code openAndReadAll(const std::string &path, std::string *msg) {
  slim_checkpoint *ck = nullptr;
  slim_status_code code = consume(slim_checkpoint_open(path.c_str(), &ck), msg);
  if (code != SLIM_STATUS_OK)
    return code;
  for (size_t i = 0; i < slim_checkpoint_num_tensors(ck); ++i) {
    slim_tensor_info t;
    code = consume(slim_checkpoint_tensor_info(ck, i, &t), msg);
    if (code != SLIM_STATUS_OK || t.dtype == SLIM_DTYPE_INVALID)
      continue;
    std::vector<unsigned char> buf(t.size_bytes);
    code = consume(
        slim_checkpoint_read_tensor(ck, t.name, buf.data(), buf.size()), msg);
    if (code != SLIM_STATUS_OK)
      break;
  }
  slim_checkpoint_destroy(ck);
  return code;
}

/// The codes a damaged file may legitimately produce.
bool cleanFailure(slim_status_code code) {
  return code == SLIM_STATUS_OK || code == SLIM_STATUS_DATA_LOSS ||
         code == SLIM_STATUS_NOT_FOUND || code == SLIM_STATUS_UNIMPLEMENTED ||
         code == SLIM_STATUS_INCOMPATIBLE;
}

/// Copies a fixture (single file, or a V2 prefix) into `dir`.
std::string copyFixture(const TempDir &dir, const std::string &name, bool v2) {
  if (!v2) {
    writeFile(dir.file("f"), readFile(fixture(name)));
    return dir.file("f");
  }
  writeFile(dir.file("f.index"), readFile(fixture(name + ".index")));
  writeFile(dir.file("f.data-00000-of-00001"),
            readFile(fixture(name + ".data-00000-of-00001")));
  return dir.file("f");
}

void fuzzFile(const std::string &target, const std::string &openPath) {
  const std::vector<unsigned char> original = readFile(target);
  ASSERT_FALSE(original.empty());
  std::string msg;
  ASSERT_EQ(openAndReadAll(openPath, &msg), SLIM_STATUS_OK) << msg;
  size_t n = original.size();
  // Truncations.
  for (size_t len = 0; len < n; len += std::max<size_t>(1, n / 97)) {
    writeFile(target, std::vector<unsigned char>(
                          original.begin(), original.begin() + ptrdiff_t(len)));
    slim_status_code code = openAndReadAll(openPath, &msg);
    EXPECT_NE(code, SLIM_STATUS_OK) << "truncated to " << len;
    EXPECT_TRUE(cleanFailure(code)) << msg;
    EXPECT_FALSE(msg.empty());
  }
  // Bit flips: every byte of small files, a sample of larger ones.
  for (size_t pos = 0; pos < n; pos += std::max<size_t>(1, n / 400)) {
    for (unsigned char mask : {0x01, 0x80, 0xff}) {
      std::vector<unsigned char> bad = original;
      bad[pos] ^= mask;
      writeFile(target, bad);
      slim_status_code code = openAndReadAll(openPath, &msg);
      EXPECT_TRUE(cleanFailure(code)) << "flip at " << pos << ": " << msg;
    }
  }
  writeFile(target, original);
}

} // namespace

TEST(Corrupt, TFV2IndexFuzz) {
  TempDir dir;
  std::string p = copyFixture(dir, "dense_v2/model.ckpt", true);
  fuzzFile(p + ".index", p);
}

TEST(Corrupt, TFV2DataFuzzIsCaughtByCrc) {
  TempDir dir;
  std::string p = copyFixture(dir, "dense_v2/model.ckpt", true);
  std::string data = p + ".data-00000-of-00001";
  auto original = readFile(data);
  // Every flipped data byte belongs to some tensor, so every flip must fail.
  for (size_t pos = 0; pos < original.size(); ++pos) {
    auto bad = original;
    bad[pos] ^= 0x10;
    writeFile(data, bad);
    std::string msg;
    EXPECT_EQ(openAndReadAll(p, &msg), SLIM_STATUS_DATA_LOSS) << pos;
    EXPECT_NE(msg.find("CRC32C mismatch in the data of tensor"),
              std::string::npos)
        << msg;
  }
  writeFile(data, {original.begin(), original.begin() + 10});
  std::string msg;
  EXPECT_EQ(openAndReadAll(p, &msg), SLIM_STATUS_DATA_LOSS);
  EXPECT_NE(msg.find("extends past the end of"), std::string::npos) << msg;
}

TEST(Corrupt, TFV2MissingDataFile) {
  TempDir dir;
  writeFile(dir.file("f.index"),
            readFile(fixture("dense_v2/model.ckpt.index")));
  std::string msg;
  EXPECT_EQ(openAndReadAll(dir.file("f"), &msg), SLIM_STATUS_NOT_FOUND);
  EXPECT_NE(msg.find("f.data-00000-of-00001"), std::string::npos) << msg;
}

TEST(Corrupt, TFV2BlockCrcMessage) {
  TempDir dir;
  std::string p = copyFixture(dir, "dense_v2/model.ckpt", true);
  auto bytes = readFile(p + ".index");
  bytes[5] ^= 0x01; // Inside the first data block.
  writeFile(p + ".index", bytes);
  std::string msg;
  EXPECT_EQ(openAndReadAll(p, &msg), SLIM_STATUS_DATA_LOSS);
  EXPECT_NE(msg.find("CRC32C mismatch in data block at offset 0"),
            std::string::npos)
      << msg;
  bytes = readFile(fixture("dense_v2/model.ckpt.index"));
  bytes.back() ^= 0x01; // The magic number.
  writeFile(p + ".index", bytes);
  EXPECT_EQ(openAndReadAll(p, &msg), SLIM_STATUS_DATA_LOSS);
  EXPECT_NE(msg.find("bad table magic number"), std::string::npos) << msg;
}

TEST(Corrupt, TFV1Fuzz) {
  TempDir dir;
  std::string p = copyFixture(dir, "misc_v1.ckpt", false);
  fuzzFile(p, p);
  p = copyFixture(dir, "misc_v1_sliced.ckpt", false);
  fuzzFile(p, p);
}

TEST(Corrupt, SafetensorsFuzz) {
  TempDir dir;
  std::string p = copyFixture(dir, "dense_expected.safetensors", false);
  fuzzFile(p, p);
}

namespace {
std::vector<unsigned char> safetensorsWithHeader(const std::string &json,
                                                 size_t dataBytes) {
  std::vector<unsigned char> out(8 + json.size() + dataBytes, 0);
  uint64_t n = json.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, json.data(), json.size());
  return out;
}

void expectSafetensorsError(const std::string &json, size_t dataBytes,
                            const char *expected) {
  TempDir dir;
  writeFile(dir.file("x.safetensors"), safetensorsWithHeader(json, dataBytes));
  slim_checkpoint *ck = nullptr;
  SLIM_EXPECT_ERROR(
      slim_checkpoint_open(dir.file("x.safetensors").c_str(), &ck),
      SLIM_STATUS_DATA_LOSS, expected);
  EXPECT_EQ(ck, nullptr);
}
} // namespace

TEST(Corrupt, SafetensorsLyingHeaders) {
  expectSafetensorsError(
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", 8,
      "tensor 'a' data_offsets [0, 16] lie outside the 8-byte data section");
  expectSafetensorsError(
      R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8,
      "tensor 'a' of shape [3] and dtype F32 needs 12 bytes but data_offsets "
      "span 8");
  expectSafetensorsError(
      R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],)"
      R"("data_offsets":[0,8]}})",
      8, "absurd shape");
  expectSafetensorsError(
      R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", 8,
      "has an invalid dimension");
  expectSafetensorsError(R"({"a":{"dtype":"F32","shape":[2]}})", 8,
                         "lacks a string dtype, a shape array or a pair");
  expectSafetensorsError(R"({"a": [1, 2)", 0, "header is not valid JSON");
  expectSafetensorsError(R"([1, 2])", 0, "header is not a JSON object");
  // A header length far beyond the file.
  TempDir dir;
  std::vector<unsigned char> huge(16, ' ');
  uint64_t len = uint64_t(1) << 60;
  std::memcpy(huge.data(), &len, 8);
  huge[8] = '{';
  writeFile(dir.file("h.safetensors"), huge);
  slim_checkpoint *ck = nullptr;
  SLIM_EXPECT_ERROR(
      slim_checkpoint_open(dir.file("h.safetensors").c_str(), &ck),
      SLIM_STATUS_DATA_LOSS, "header length 1152921504606846976 exceeds");
  // Unsupported dtypes are listed, not loaded.
  writeFile(
      dir.file("bf16.safetensors"),
      safetensorsWithHeader(
          R"({"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})", 4));
  SLIM_ASSERT_OK(
      slim_checkpoint_open(dir.file("bf16.safetensors").c_str(), &ck));
  slim_tensor_info t;
  SLIM_ASSERT_OK(slim_checkpoint_tensor_info(ck, 0, &t));
  EXPECT_EQ(t.dtype, SLIM_DTYPE_INVALID);
  slim_checkpoint_destroy(ck);
}

TEST(Crc32c, KnownVectors) {
  // From RFC 3720, B.4.
  unsigned char zeros[32] = {};
  EXPECT_EQ(slimrt::crc32c(zeros, 32), 0x8a9136aau);
  unsigned char ones[32];
  std::memset(ones, 0xff, 32);
  EXPECT_EQ(slimrt::crc32c(ones, 32), 0x62a8ab43u);
  EXPECT_EQ(slimrt::crc32c("123456789", 9), 0xe3069283u);
  uint32_t c = slimrt::crc32c("hello world", 11);
  EXPECT_EQ(slimrt::crc32cUnmask(slimrt::crc32cMask(c)), c);
  EXPECT_EQ(slimrt::crc32cExtend(slimrt::crc32c("hello ", 6), "world", 5), c);
}

// Found by safetensors_fuzzer: a tensor of a type the runtime cannot load
// (an unknown "F97", or a known-size "U32") skipped the buffer-size check and
// was copied into the caller's buffer anyway (null or too small: UB, a heap
// overflow). Every format now refuses it before touching the buffer.
TEST(Corrupt, UnloadableDtypeIsRefusedBeforeTheBufferIsTouched) {
  TempDir dir;
  for (const char *dtype : {"F97", "U32"}) {
    std::string header = std::string("{\"t\":{\"dtype\":\"") + dtype +
                         "\",\"shape\":[4],\"data_offsets\":[0,16]}}";
    std::vector<unsigned char> file(8);
    uint64_t length = header.size();
    std::memcpy(file.data(), &length, 8);
    file.insert(file.end(), header.begin(), header.end());
    file.insert(file.end(), 16, 0xab);
    std::string path = dir.file(std::string(dtype) + ".safetensors");
    writeFile(path, file);

    slim_checkpoint *ck = nullptr;
    SLIM_ASSERT_OK(slim_checkpoint_open(path.c_str(), &ck));
    std::string msg;
    EXPECT_EQ(consume(slim_checkpoint_read_tensor(ck, "t", nullptr, 0), &msg),
              SLIM_STATUS_UNIMPLEMENTED)
        << dtype;
    EXPECT_NE(msg.find("which the runtime cannot load"), std::string::npos)
        << msg;
    unsigned char small[4] = {1, 2, 3, 4};
    EXPECT_EQ(consume(slim_checkpoint_read_tensor(ck, "t", small, 4), &msg),
              SLIM_STATUS_UNIMPLEMENTED)
        << dtype;
    EXPECT_EQ(small[0], 1);
    EXPECT_EQ(small[3], 4);
    slim_checkpoint_destroy(ck);
  }
}
