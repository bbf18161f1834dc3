//===- sstable_test.cpp - The SSTable reader on hand-built tables ---------===//
//
// TensorFlow's bundles are small enough that their .index files hold a single
// data block; these tables exercise several blocks, restart intervals above
// one and the error paths.
//
//===----------------------------------------------------------------------===//

#include "common.h"
#include "crc32c.h"
#include "sstable.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

void putVarint(std::string &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(v | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

void putFixed32(std::string &out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

/// Encodes sorted entries as one block with the given restart interval.
std::string block(const std::vector<std::pair<std::string, std::string>> &kv,
                  size_t restartInterval) {
  std::string out, prev;
  std::vector<uint32_t> restarts;
  for (size_t i = 0; i < kv.size(); ++i) {
    size_t shared = 0;
    if (i % restartInterval == 0) {
      restarts.push_back(uint32_t(out.size()));
    } else {
      while (shared < prev.size() && shared < kv[i].first.size() &&
             prev[shared] == kv[i].first[shared])
        ++shared;
    }
    putVarint(out, shared);
    putVarint(out, kv[i].first.size() - shared);
    putVarint(out, kv[i].second.size());
    out += kv[i].first.substr(shared);
    out += kv[i].second;
    prev = kv[i].first;
  }
  if (restarts.empty())
    restarts.push_back(0);
  for (uint32_t r : restarts)
    putFixed32(out, r);
  putFixed32(out, uint32_t(restarts.size()));
  return out;
}

/// Appends a block with its trailer; returns its handle encoding.
std::string appendBlock(std::string &file, const std::string &contents,
                        char type = 0) {
  std::string handle;
  putVarint(handle, file.size());
  putVarint(handle, contents.size());
  file += contents;
  file.push_back(type);
  uint32_t crc = slimrt::crc32cExtend(
      slimrt::crc32c(contents.data(), contents.size()), &type, 1);
  putFixed32(file, slimrt::crc32cMask(crc));
  return handle;
}

std::string table(
    const std::vector<std::vector<std::pair<std::string, std::string>>> &blocks,
    char type = 0) {
  std::string file;
  std::vector<std::pair<std::string, std::string>> index;
  for (const auto &b : blocks)
    index.emplace_back(b.back().first, appendBlock(file, block(b, 2), type));
  std::string meta = appendBlock(file, block({}, 1));
  std::string idx = appendBlock(file, block(index, 1));
  std::string footer = meta + idx;
  footer.resize(40, '\0');
  putFixed32(footer, 0x8b80fb57u);
  putFixed32(footer, 0xdb477524u);
  return file + footer;
}

} // namespace

TEST(SSTable, SeveralBlocksAndPrefixCompression) {
  std::vector<std::vector<std::pair<std::string, std::string>>> blocks(3);
  std::vector<std::pair<std::string, std::string>> all;
  for (int i = 0; i < 30; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "scope/layer_%02d/weights", i);
    blocks[size_t(i / 10)].emplace_back(key, std::string(size_t(i), 'v'));
    all.emplace_back(key, std::string(size_t(i), 'v'));
  }
  std::string bytes = table(blocks);
  auto entries = slimrt::readSSTable(bytes, "t.index");
  ASSERT_EQ(entries.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(entries[i].first, all[i].first);
    EXPECT_EQ(std::string(entries[i].second), all[i].second);
  }
}

TEST(SSTable, Errors) {
  auto expectError = [](const std::string &bytes, slim_status_code code,
                        const char *msg) {
    try {
      slimrt::readSSTable(bytes, "t.index");
      ADD_FAILURE() << "no error, expected " << msg;
    } catch (const slimrt::Error &e) {
      EXPECT_EQ(e.code, code) << e.what();
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
  };
  expectError(table({{{"a", "1"}}}, 1), SLIM_STATUS_UNIMPLEMENTED,
              "uses snappy-compressed blocks");
  expectError(table({{{"b", "1"}}, {{"a", "2"}}}), SLIM_STATUS_DATA_LOSS,
              "keys out of order at 'a'");
  expectError("short", SLIM_STATUS_DATA_LOSS, "file too small (5 bytes)");
  std::string good = table({{{"a", "1"}}});
  std::string badHandle = good;
  badHandle[good.size() - 48 + 3] = char(0x7f); // Index handle offset.
  expectError(badHandle, SLIM_STATUS_DATA_LOSS, "");
  EXPECT_EQ(slimrt::readSSTable(good, "t").size(), 1u);
}
