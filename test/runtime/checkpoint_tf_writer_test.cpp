//===- checkpoint_tf_writer_test.cpp - The TensorFlow V2 writer -----------===//
//
// What slimc writes must be what TensorFlow writes: the bundles TensorFlow
// saved for the fixtures are reproduced byte for byte, every dtype and shape
// reads back through the readers, the index's block layout and separators
// hold for many keys, and no failure leaves a partial checkpoint behind.
// test/conformance/tf_checkpoint_check.py has TensorFlow itself restore it.
//
//===----------------------------------------------------------------------===//

#include "checkpoint.h"
#include "crc32c.h"
#include "proto_wire.h"
#include "sstable.h"
#include "test_util.h"

#include <csignal>
#include <cstring>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace slimtest;

namespace {

const char *kDataSuffix = ".data-00000-of-00001";

std::vector<std::string> listDir(const std::string &path) {
  std::vector<std::string> names;
  DIR *d = opendir(path.c_str());
  if (!d)
    return names;
  while (dirent *e = readdir(d))
    if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, ".."))
      names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

/// A tensor held by the test, bytes filled with a pattern of its name.
struct Owned {
  std::string name;
  int32_t dtype;
  std::vector<int64_t> dims;
  std::vector<unsigned char> bytes;
};

Owned makeTensor(const std::string &name, int32_t dtype,
                 std::vector<int64_t> dims) {
  Owned t{name, dtype, dims, {}};
  uint64_t n = 1;
  for (int64_t d : dims)
    n *= uint64_t(d);
  t.bytes.resize(n * slimrt::dtypeSize(dtype));
  uint32_t h = slimrt::crc32c(name.data(), name.size());
  for (size_t i = 0; i < t.bytes.size(); ++i)
    t.bytes[i] = (unsigned char)(h >> (8 * (i % 4))) ^ (unsigned char)i;
  return t;
}

std::vector<slimrt::TensorToWrite> views(const std::vector<Owned> &ts) {
  std::vector<slimrt::TensorToWrite> out;
  for (const Owned &t : ts)
    out.push_back({t.name, t.dtype, t.dims, t.bytes.data(), t.bytes.size()});
  return out;
}

/// Reads `prefix` back with the runtime's reader (which verifies every
/// block's and tensor's CRC) and compares it with `expected`.
void expectReadsBack(const std::string &prefix,
                     const std::vector<Owned> &expected) {
  auto reader = slimrt::openCheckpoint(prefix);
  EXPECT_EQ(reader->format(), SLIM_CHECKPOINT_TF_V2);
  ASSERT_EQ(reader->tensors().size(), expected.size());
  for (const Owned &t : expected) {
    ptrdiff_t i = reader->find(t.name);
    ASSERT_GE(i, 0) << t.name;
    const slimrt::TensorEntry &e = reader->tensors()[size_t(i)];
    EXPECT_EQ(e.dtype, t.dtype) << t.name;
    EXPECT_EQ(e.dims, t.dims) << t.name;
    ASSERT_EQ(e.sizeBytes, t.bytes.size()) << t.name;
    std::vector<unsigned char> got(e.sizeBytes);
    reader->read(size_t(i), got.data());
    EXPECT_EQ(got, t.bytes) << t.name;
  }
}

/// One block of a table: its entries and where it sits.
struct DecodedBlock {
  std::vector<std::pair<std::string, std::string>> entries;
  uint32_t numRestarts = 0;
};

DecodedBlock decodeBlock(std::string_view file, uint64_t offset,
                         uint64_t size) {
  DecodedBlock b;
  std::string_view block = file.substr(offset, size);
  std::memcpy(&b.numRestarts, block.data() + block.size() - 4, 4);
  slimrt::ByteReader in(block.substr(0, block.size() - 4 - 4 * b.numRestarts),
                        "test block");
  std::string key;
  while (!in.done()) {
    uint32_t shared = in.varint32(), unshared = in.varint32(),
             valueLen = in.varint32();
    key.resize(shared);
    key.append(in.take(unshared));
    b.entries.emplace_back(key, std::string(in.take(valueLen)));
  }
  return b;
}

/// The data blocks of an SSTable with the index key of each.
std::vector<std::pair<std::string, DecodedBlock>>
dataBlocks(const std::string &file) {
  slimrt::ByteReader footer(
      std::string_view(file).substr(file.size() - slimrt::kSSTableFooterSize),
      "test footer");
  footer.varint64(), footer.varint64(); // metaindex
  uint64_t indexOffset = footer.varint64(), indexSize = footer.varint64();
  std::vector<std::pair<std::string, DecodedBlock>> out;
  for (auto &[key, handle] :
       decodeBlock(file, indexOffset, indexSize).entries) {
    slimrt::ByteReader h(handle, "test handle");
    uint64_t offset = h.varint64(), size = h.varint64();
    out.emplace_back(key, decodeBlock(file, offset, size));
  }
  return out;
}

std::string readString(const std::string &path) {
  auto b = readFile(path);
  return std::string(b.begin(), b.end());
}

slim_model *openDenseFromFixture() {
  slim_model *m = nullptr;
  slim_status_destroy(slim_model_open(modelPath("test_dense").c_str(), &m));
  if (m)
    slim_status_destroy(slim_model_load_checkpoint(
        m, fixture("dense_v2/model.ckpt").c_str(), nullptr));
  return m;
}

} // namespace

TEST(TFV2Writer, ReproducesTensorFlowsOwnBundlesByteForByte) {
  TempDir dir;
  for (const char *name : {"dense_v2", "dense_scoped_v2", "classifier_v2"}) {
    std::string src = fixture(std::string(name) + "/model.ckpt");
    std::string dst = dir.file(name);
    SLIM_ASSERT_OK(slim_checkpoint_convert_as(src.c_str(), dst.c_str(),
                                              SLIM_CHECKPOINT_TF_V2));
    EXPECT_EQ(readFile(dst + ".index"), readFile(src + ".index")) << name;
    EXPECT_EQ(readFile(dst + kDataSuffix), readFile(src + kDataSuffix)) << name;
  }
}

TEST(TFV2Writer, ModelSaveIsTheBundleTensorFlowSaved) {
  TempDir dir;
  slim_model *m = openDenseFromFixture();
  ASSERT_NE(m, nullptr);
  std::string prefix = dir.file("model.ckpt");
  SLIM_ASSERT_OK(
      slim_model_save_checkpoint_as(m, prefix.c_str(), SLIM_CHECKPOINT_TF_V2));
  std::string src = fixture("dense_v2/model.ckpt");
  EXPECT_EQ(readFile(prefix + ".index"), readFile(src + ".index"));
  EXPECT_EQ(readFile(prefix + kDataSuffix), readFile(src + kDataSuffix));
  EXPECT_EQ(listDir(dir.path),
            (std::vector<std::string>{"model.ckpt.data-00000-of-00001",
                                      "model.ckpt.index"}));

  // Restoring it into a second model gives the same variables.
  slim_model *b = nullptr;
  SLIM_ASSERT_OK(slim_model_open(modelPath("test_dense").c_str(), &b));
  SLIM_ASSERT_OK(slim_model_load_checkpoint(b, prefix.c_str(), nullptr));
  std::string again = dir.file("again");
  SLIM_ASSERT_OK(
      slim_model_save_checkpoint_as(b, again.c_str(), SLIM_CHECKPOINT_TF_V2));
  EXPECT_EQ(readFile(again + ".index"), readFile(prefix + ".index"));

  // slim_model_save_checkpoint still writes safetensors.
  std::string st = dir.file("m.safetensors");
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, st.c_str()));
  EXPECT_EQ(slimrt::openCheckpoint(st)->format(), SLIM_CHECKPOINT_SAFETENSORS);
  slim_model_destroy(m);
  slim_model_destroy(b);
}

TEST(TFV2Writer, EveryDtypeScalarsAndEmptyTensorsRoundTrip) {
  TempDir dir;
  std::vector<Owned> ts = {
      makeTensor("f32", SLIM_DTYPE_F32, {2, 3}),
      makeTensor("f64", SLIM_DTYPE_F64, {3}),
      makeTensor("i32", SLIM_DTYPE_I32, {4, 1, 2}),
      makeTensor("i64_scalar", SLIM_DTYPE_I64, {}),
      makeTensor("u8", SLIM_DTYPE_U8, {5}),
      makeTensor("f32_scalar", SLIM_DTYPE_F32, {}),
      makeTensor("empty_0x3", SLIM_DTYPE_F32, {0, 3}),
      makeTensor("empty_2x0", SLIM_DTYPE_I64, {2, 0}),
      makeTensor("rank8", SLIM_DTYPE_F32, {1, 2, 1, 2, 1, 2, 1, 2}),
  };
  std::string prefix = dir.file("all");
  slimrt::writeTFV2(prefix, views(ts));
  expectReadsBack(prefix, ts);

  // Through the C API as well, which checks sizes against the buffer.
  slim_checkpoint *ck = nullptr;
  SLIM_ASSERT_OK(slim_checkpoint_open(prefix.c_str(), &ck));
  int64_t v = 0;
  SLIM_ASSERT_OK(slim_checkpoint_read_tensor(ck, "i64_scalar", &v, 8));
  int64_t expected;
  std::memcpy(&expected, ts[3].bytes.data(), 8);
  EXPECT_EQ(v, expected);
  SLIM_ASSERT_OK(slim_checkpoint_read_tensor(ck, "empty_0x3", nullptr, 0));
  slim_checkpoint_destroy(ck);

  // The data file is the tensors back to back in key order, unpadded.
  std::vector<const Owned *> sorted;
  for (const Owned &t : ts)
    sorted.push_back(&t);
  std::sort(sorted.begin(), sorted.end(),
            [](auto *a, auto *b) { return a->name < b->name; });
  std::vector<unsigned char> concat;
  for (const Owned *t : sorted)
    concat.insert(concat.end(), t->bytes.begin(), t->bytes.end());
  EXPECT_EQ(readFile(prefix + kDataSuffix), concat);
}

TEST(TFV2Writer, ConvertsTensorFlowsMiscFixtureLeavingOutTheString) {
  TempDir dir;
  std::string out = dir.file("misc");
  SLIM_ASSERT_OK(slim_checkpoint_convert_as(
      fixture("misc_v2/ckpt").c_str(), out.c_str(), SLIM_CHECKPOINT_TF_V2));
  auto src = slimrt::openCheckpoint(fixture("misc_v2/ckpt"));
  auto dst = slimrt::openCheckpoint(out);
  size_t loadable = 0;
  for (size_t i = 0; i < src->tensors().size(); ++i) {
    const slimrt::TensorEntry &e = src->tensors()[i];
    ptrdiff_t j = dst->find(e.name);
    if (e.dtype == SLIM_DTYPE_INVALID) {
      EXPECT_LT(j, 0) << e.name;
      continue;
    }
    ++loadable;
    ASSERT_GE(j, 0) << e.name;
    EXPECT_EQ(dst->tensors()[size_t(j)].dims, e.dims) << e.name;
    std::vector<unsigned char> x(e.sizeBytes), y(e.sizeBytes);
    src->read(i, x.data());
    dst->read(size_t(j), y.data());
    EXPECT_EQ(x, y) << e.name;
  }
  EXPECT_EQ(dst->tensors().size(), loadable);
}

TEST(TFV2Writer, ManyKeysSpanSeveralBlocksWithValidSeparators) {
  // Names with '/', prefixes of each other ("a" < "a/b" < "a0"), high bytes
  // and runs of 0xff (no successor can shorten them), and enough of them
  // that 4 KiB blocks and 16-key restart intervals are exercised many times.
  std::vector<Owned> ts;
  for (const char *n :
       {"a", "a/b", "a/b/c", "a0", "a.b", "a b", "b", "\xc3\xa9t\xc3\xa9",
        "\xff", "\xff\xff", "\xff\xff/x", "z\xff", "z\xff\xff"})
    ts.push_back(makeTensor(n, SLIM_DTYPE_F32, {2}));
  for (int i = 0; i < 600; ++i) {
    std::string scope = "net/block" + std::to_string(i % 7) + "/unit_" +
                        std::to_string(i) + "/conv";
    ts.push_back(makeTensor(scope + "/weights", SLIM_DTYPE_F32, {3, 3, 1, 2}));
    ts.push_back(
        makeTensor(scope + "/BatchNorm/moving_mean", SLIM_DTYPE_F32, {2}));
  }
  TempDir dir;
  for (size_t blockSize : {size_t(4096), size_t(256) << 10, size_t(1)}) {
    SCOPED_TRACE(blockSize);
    std::string prefix = dir.file("many" + std::to_string(blockSize));
    slimrt::SSTableOptions options;
    options.blockSize = blockSize;
    slimrt::writeTFV2(prefix, views(ts), options);
    expectReadsBack(prefix, ts);

    std::string index = readString(prefix + ".index");
    auto blocks = dataBlocks(index);
    size_t entries = 0;
    for (size_t b = 0; b < blocks.size(); ++b) {
      const auto &[sep, block] = blocks[b];
      ASSERT_FALSE(block.entries.empty());
      entries += block.entries.size();
      // Separator: >= every key of its block, < every key of the next.
      EXPECT_GE(sep, block.entries.back().first);
      if (b + 1 < blocks.size())
        EXPECT_LT(sep, blocks[b + 1].second.entries.front().first);
      EXPECT_EQ(block.numRestarts, (block.entries.size() + 15) / 16);
    }
    EXPECT_EQ(entries, ts.size() + 1); // And the header.
    if (blockSize == 4096)
      EXPECT_GT(blocks.size(), 10u);
    if (blockSize == 1) // Every entry is a block of its own.
      EXPECT_EQ(blocks.size(), ts.size() + 1);
    if (blockSize == (size_t(256) << 10))
      EXPECT_EQ(blocks.size(), 1u);
  }
}

TEST(TFV2Writer, TableLayoutMatchesTensorFlowsBuilder) {
  // Keys over 256 KiB in all: TensorFlow cuts a block once it reaches
  // 256 KiB and shortens index keys; so must we.
  std::vector<std::pair<std::string, std::string>> kv;
  for (int i = 0; i < 3000; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "k%05d/", i);
    kv.emplace_back(std::string(key) + std::string(100, 'x'), "v");
  }
  std::string table = slimrt::buildSSTable(kv);
  auto blocks = dataBlocks(table);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_GE(blocks[0].second.entries.size() * 108, size_t(256) << 10);
  // "k0xxxx/..." and the next block's "k0yyyy/..." differ in the digits; the
  // separator is the last key cut just after its first differing byte, plus
  // one; the last block's key is its first byte plus one.
  const std::string &last0 = blocks[0].second.entries.back().first;
  const std::string &first1 = blocks[1].second.entries.front().first;
  size_t diff = 0;
  while (last0[diff] == first1[diff])
    ++diff;
  std::string expected = last0.substr(0, diff + 1);
  if ((unsigned char)expected[diff] + 1 < (unsigned char)first1[diff])
    ++expected[diff];
  else
    expected = last0;
  EXPECT_EQ(blocks[0].first, expected);
  EXPECT_EQ(blocks[1].first, "l");
  auto back = slimrt::readSSTable(table, "test");
  ASSERT_EQ(back.size(), kv.size());
  for (size_t i = 0; i < kv.size(); ++i)
    EXPECT_EQ(back[i].first, kv[i].first);

  // One entry per block: each index key is shortened as LevelDB's
  // comparator shortens it, between neighbours and after the last key.
  slimrt::SSTableOptions one;
  one.blockSize = 1;
  auto shortKeys = [&](std::vector<std::string> keys) {
    std::vector<std::pair<std::string, std::string>> kv;
    for (const std::string &k : keys)
      kv.emplace_back(k, "");
    std::vector<std::string> seps;
    for (const auto &[sep, block] : dataBlocks(slimrt::buildSSTable(kv, one)))
      seps.push_back(sep);
    return seps;
  };
  EXPECT_EQ(shortKeys({"the quick brown fox", "the who"}),
            (std::vector<std::string>{"the r", "u"}));
  // A prefix of the next key and neighbours one byte apart stay whole ("a0"
  // before "a1x"); "a1x" before "\xff\xff" shortens to "b"; the successor
  // skips leading 0xff bytes, and a run of them stays as it is.
  EXPECT_EQ(shortKeys({"a", "a/b", "a0", "a1x", "\xff\xff", "\xff\xffz"}),
            (std::vector<std::string>{"a", "a/b", "a0", "b", "\xff\xff",
                                      "\xff\xff{"}));
  EXPECT_EQ(shortKeys({"\xff\xff"}), (std::vector<std::string>{"\xff\xff"}));

  // An entry of twice the block size or more starts a block of its own
  // (otherwise "b" would join "a", whose block is still under 64 bytes).
  slimrt::SSTableOptions small;
  small.blockSize = 64;
  auto big = slimrt::buildSSTable(
      {{"a", "1"}, {"b", std::string(200, 'v')}, {"c", "3"}}, small);
  auto bigBlocks = dataBlocks(big);
  ASSERT_EQ(bigBlocks.size(), 3u);
  for (const auto &[sep, block] : bigBlocks)
    EXPECT_EQ(block.entries.size(), 1u) << sep;
  EXPECT_THROW(slimrt::buildSSTable({{"b", ""}, {"a", ""}}), slimrt::Error);
}

TEST(TFV2Writer, DamageIsCaughtByTheChecksums) {
  TempDir dir;
  std::vector<Owned> ts = {makeTensor("w", SLIM_DTYPE_F32, {16})};
  std::string prefix = dir.file("c");
  slimrt::writeTFV2(prefix, views(ts));
  auto data = readFile(prefix + kDataSuffix);
  data[5] ^= 0x10;
  writeFile(prefix + kDataSuffix, data);
  auto reader = slimrt::openCheckpoint(prefix);
  std::vector<unsigned char> buf(64);
  try {
    reader->read(0, buf.data());
    ADD_FAILURE() << "damaged data read without error";
  } catch (const slimrt::Error &e) {
    EXPECT_EQ(e.code, SLIM_STATUS_DATA_LOSS);
    EXPECT_NE(std::string(e.what()).find("CRC32C mismatch in the data"),
              std::string::npos)
        << e.what();
  }
  slimrt::writeTFV2(prefix, views(ts));
  auto index = readFile(prefix + ".index");
  index[12] ^= 0x01; // Inside the data block.
  writeFile(prefix + ".index", index);
  slim_checkpoint *ck = nullptr;
  SLIM_EXPECT_ERROR(slim_checkpoint_open(prefix.c_str(), &ck),
                    SLIM_STATUS_DATA_LOSS, "CRC32C mismatch in data block");
}

TEST(TFV2Writer, RefusedFormatsAndTensors) {
  TempDir dir;
  slim_model *m = openDenseFromFixture();
  ASSERT_NE(m, nullptr);
  std::string prefix = dir.file("x");
  SLIM_EXPECT_ERROR(
      slim_model_save_checkpoint_as(m, prefix.c_str(), SLIM_CHECKPOINT_TF_V1),
      SLIM_STATUS_UNIMPLEMENTED,
      "writing TensorFlow V1 checkpoints is not supported");
  SLIM_EXPECT_ERROR(slim_model_save_checkpoint_as(m, prefix.c_str(),
                                                  slim_checkpoint_format(42)),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "unknown checkpoint format 42");
  SLIM_EXPECT_ERROR(
      slim_checkpoint_convert_as(fixture("dense_v2/model.ckpt").c_str(),
                                 prefix.c_str(), SLIM_CHECKPOINT_TF_V1),
      SLIM_STATUS_UNIMPLEMENTED, "TensorFlow V1");
  SLIM_EXPECT_ERROR(slim_model_save_checkpoint_as(nullptr, prefix.c_str(),
                                                  SLIM_CHECKPOINT_TF_V2),
                    SLIM_STATUS_INVALID_ARGUMENT, "model");
  slim_model_destroy(m);

  // A model whose variables have no value yet writes nothing.
  slim_model *fresh = nullptr;
  SLIM_ASSERT_OK(slim_model_open(modelPath("test_dense").c_str(), &fresh));
  SLIM_EXPECT_ERROR(slim_model_save_checkpoint_as(fresh, prefix.c_str(),
                                                  SLIM_CHECKPOINT_TF_V2),
                    SLIM_STATUS_FAILED_PRECONDITION, "has no value yet");
  slim_model_destroy(fresh);

  float v[2] = {1, 2};
  auto expectRefused = [&](std::vector<slimrt::TensorToWrite> ts,
                           const char *what) {
    try {
      slimrt::writeTFV2(prefix, ts);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const slimrt::Error &e) {
      EXPECT_EQ(e.code, SLIM_STATUS_INVALID_ARGUMENT);
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos)
          << e.what();
    }
  };
  expectRefused(
      {{"a", SLIM_DTYPE_F32, {2}, v, 8}, {"a", SLIM_DTYPE_F32, {2}, v, 8}},
      "cannot save tensor named 'a' twice");
  expectRefused({{"", SLIM_DTYPE_F32, {2}, v, 8}}, "an empty name");
  expectRefused({{"a", SLIM_DTYPE_F32, {3}, v, 8}},
                "shape [3] and dtype float32 need 12 bytes, given 8");
  expectRefused({{"a", 99, {2}, v, 8}}, "has no TensorFlow equivalent");
  EXPECT_TRUE(listDir(dir.path).empty());
}

TEST(TFV2Writer, PathErrorsLeaveNothingBehind) {
  TempDir dir;
  slim_model *m = openDenseFromFixture();
  ASSERT_NE(m, nullptr);
  auto save = [&](const std::string &p) {
    return slim_model_save_checkpoint_as(m, p.c_str(), SLIM_CHECKPOINT_TF_V2);
  };
  // A prefix that is a directory, or ends in '/'.
  SLIM_EXPECT_ERROR(save(dir.path), SLIM_STATUS_INVALID_ARGUMENT,
                    "names a directory; a TensorFlow checkpoint prefix names "
                    "files (for example '" +
                        dir.path + "/model.ckpt')");
  SLIM_EXPECT_ERROR(save(dir.path + "/"), SLIM_STATUS_INVALID_ARGUMENT,
                    "names a directory");
  // A directory that does not exist, or cannot be written (procfs refuses
  // new files even to root, who ignores permission bits).
  SLIM_EXPECT_ERROR(save("/nonexistent-dir/model.ckpt"), SLIM_STATUS_IO_ERROR,
                    "cannot create a temporary file next to "
                    "'/nonexistent-dir/model.ckpt.data-00000-of-00001'");
  SLIM_EXPECT_ERROR(save("/proc/model.ckpt"), SLIM_STATUS_IO_ERROR,
                    "cannot create a temporary file");
  std::string ro = dir.file("ro");
  ASSERT_EQ(mkdir(ro.c_str(), 0555), 0);
  if (geteuid() != 0)
    SLIM_EXPECT_ERROR(save(ro + "/model.ckpt"), SLIM_STATUS_IO_ERROR,
                      "Permission denied");
  EXPECT_TRUE(listDir(ro).empty());

  // A previous checkpoint stays as it was when the new one cannot be put in
  // place: here its data file's name is taken by a directory.
  std::string prefix = dir.file("model.ckpt");
  SLIM_ASSERT_OK(save(prefix));
  auto oldIndex = readFile(prefix + ".index");
  ASSERT_EQ(unlink((prefix + kDataSuffix).c_str()), 0);
  ASSERT_EQ(mkdir((prefix + kDataSuffix).c_str(), 0755), 0);
  std::vector<float> zeros(8, 0.0f);
  SLIM_ASSERT_OK(slim_model_set_variable(m, "net/fc1/biases", zeros.data(),
                                         zeros.size() * 4));
  SLIM_EXPECT_ERROR(save(prefix), SLIM_STATUS_IO_ERROR,
                    "model.ckpt.data-00000-of-00001' is a directory");
  EXPECT_EQ(readFile(prefix + ".index"), oldIndex);
  EXPECT_EQ(listDir(dir.path),
            (std::vector<std::string>{"model.ckpt.data-00000-of-00001",
                                      "model.ckpt.index", "ro"}));
  slim_model_destroy(m);
}

TEST(TFV2Writer, FullDiskLeavesThePreviousCheckpointIntact) {
  // A file-size limit makes write() fail with EFBIG part way through, as a
  // full disk fails it with ENOSPC. The save runs in a child process, whose
  // limit does not reach the test.
  TempDir dir;
  std::string prefix = dir.file("model.ckpt");
  std::vector<Owned> small = {makeTensor("w", SLIM_DTYPE_F32, {4})};
  slimrt::writeTFV2(prefix, views(small));
  auto oldIndex = readFile(prefix + ".index");
  auto oldData = readFile(prefix + kDataSuffix);
  std::vector<Owned> big = {makeTensor("w", SLIM_DTYPE_F32, {4096})};

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      slimrt::writeTFV2(prefix, views(big));
    } catch (const slimrt::Error &e) {
      bool expected =
          e.code == SLIM_STATUS_IO_ERROR &&
          std::string(e.what()).find("cannot write") != std::string::npos;
      _exit(expected ? 0 : 3);
    }
    _exit(2); // Written in spite of the limit.
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(readFile(prefix + ".index"), oldIndex);
  EXPECT_EQ(readFile(prefix + kDataSuffix), oldData);
  EXPECT_EQ(listDir(dir.path),
            (std::vector<std::string>{"model.ckpt.data-00000-of-00001",
                                      "model.ckpt.index"}));
  expectReadsBack(prefix, small);
}
