//===- npy_test.cpp - The .npy reader and writer --------------------------===//

#include "npy.h"
#include "test_util.h"

#include <cstring>

using namespace slimtest;

namespace {
std::vector<unsigned char> npyBytes(const std::string &header, size_t dataBytes,
                                    int major = 1) {
  std::vector<unsigned char> out = {
      0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0};
  uint32_t len = uint32_t(header.size());
  if (major == 1) {
    out.push_back(len & 0xff);
    out.push_back(len >> 8);
  } else {
    out.resize(out.size() + 4);
    std::memcpy(out.data() + 8, &len, 4);
  }
  out.insert(out.end(), header.begin(), header.end());
  out.resize(out.size() + dataBytes, 0);
  return out;
}

void expectNpyError(const std::vector<unsigned char> &bytes, const char *msg) {
  try {
    slimrt::parseNpy(bytes.data(), bytes.size(), "t.npy");
    ADD_FAILURE() << "no error, expected: " << msg;
  } catch (const slimrt::Error &e) {
    EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
  }
}
} // namespace

TEST(Npy, RoundTrip) {
  TempDir dir;
  std::vector<float> f = {1.5f, -2, 3, 4, 5, 6};
  slimrt::writeNpy(dir.file("f.npy"), SLIM_DTYPE_F32, {2, 3}, f.data());
  slimrt::NpyArray a = slimrt::readNpy(dir.file("f.npy"));
  EXPECT_EQ(a.dtype, SLIM_DTYPE_F32);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(a.data.data(), f.data(), 24), 0);
  // The data section starts 64-byte aligned, as numpy writes it.
  EXPECT_EQ((readFile(dir.file("f.npy")).size() - 24) % 64, 0u);

  int64_t scalar = -5;
  slimrt::writeNpy(dir.file("s.npy"), SLIM_DTYPE_I64, {}, &scalar);
  a = slimrt::readNpy(dir.file("s.npy"));
  EXPECT_EQ(a.dtype, SLIM_DTYPE_I64);
  EXPECT_TRUE(a.dims.empty());
  std::vector<int32_t> v = {1, 2, 3};
  slimrt::writeNpy(dir.file("v.npy"), SLIM_DTYPE_I32, {3}, v.data());
  a = slimrt::readNpy(dir.file("v.npy"));
  EXPECT_EQ(a.dims, (std::vector<int64_t>{3}));
}

TEST(Npy, Version2HeaderAndNumpyStyleShape) {
  auto b = npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }",
                    32, 2);
  slimrt::NpyArray a = slimrt::parseNpy(b.data(), b.size(), "t");
  EXPECT_EQ(a.dtype, SLIM_DTYPE_I64);
  EXPECT_EQ(a.dims, (std::vector<int64_t>{4}));
}

TEST(Npy, Errors) {
  expectNpyError({'x', 'y'}, "not a .npy file (bad magic)");
  expectNpyError(
      npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8),
      ".npy dtype '>f4' is not supported");
  expectNpyError(
      npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", 8),
      "Fortran-order .npy arrays are not supported");
  expectNpyError(
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8),
      ".npy data has 8 bytes, shape [3] float32 needs 12");
  expectNpyError(npyBytes("{'descr': '<f4', 'shape': (3,), }", 12),
                 "header lacks 'fortran_order'");
  auto b =
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
  b[8] = 0xff; // Header length beyond the file.
  expectNpyError(b, "header length 255 exceeds the file size");
  expectNpyError(npyBytes("{}", 0, 9), ".npy format version 9");
  try {
    slimrt::readNpy("/nonexistent.npy");
    ADD_FAILURE();
  } catch (const slimrt::Error &e) {
    EXPECT_EQ(e.code, SLIM_STATUS_NOT_FOUND);
  }
}
