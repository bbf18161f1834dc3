//===- weight_convert_test.cpp - Load-time TF32/BF16/FP16 conversion -----===//
//
// convertWeights runs on the host in a generated `prepare`, so unlike the
// tensor-core kernels it is tested here, without a GPU: known bit patterns,
// ties to even, overflow, subnormals, NaN and Inf, and an exhaustive check
// that every representable value converts to itself and every midpoint
// between neighbours to the even one.
//
//===----------------------------------------------------------------------===//
#include "slim/cuda/tensor_core.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace slim::cuda;

namespace {

float fromBits(uint32_t u) { return bitsToFloat(u); }

/// binary16 -> float from the format's definition (not by bit tricks, so
/// the test does not share the converter's reasoning).
float fp16ToFloat(uint16_t h) {
  int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0x1f)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN()
                         : std::numeric_limits<float>::infinity();
  else if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else
    magnitude = std::ldexp(static_cast<float>(1024 + mantissa), exponent - 25);
  return sign ? -magnitude : magnitude;
}

float bf16ToFloat(uint16_t b) {
  return fromBits(static_cast<uint32_t>(b) << 16);
}

bool isFp16NaN(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff); }
bool isBf16NaN(uint16_t b) { return (b & 0x7f80) == 0x7f80 && (b & 0x7f); }

TEST(WeightConvert, ElementBytes) {
  EXPECT_EQ(weightElementBytes(Precision::Fp32), 4u);
  EXPECT_EQ(weightElementBytes(Precision::Tf32), 4u);
  EXPECT_EQ(weightElementBytes(Precision::Bf16), 2u);
  EXPECT_EQ(weightElementBytes(Precision::Fp16), 2u);
  EXPECT_EQ(weightElementBytes(static_cast<Precision>(7)), 0u);
}

TEST(WeightConvert, Fp16KnownValues) {
  EXPECT_EQ(floatToFp16Bits(1.0f), 0x3c00);
  EXPECT_EQ(floatToFp16Bits(-2.0f), 0xc000);
  EXPECT_EQ(floatToFp16Bits(0.1f), 0x2e66);
  EXPECT_EQ(floatToFp16Bits(3.14159265f), 0x4248);
  EXPECT_EQ(floatToFp16Bits(0.0f), 0x0000);
  EXPECT_EQ(floatToFp16Bits(-0.0f), 0x8000);
  EXPECT_EQ(floatToFp16Bits(65504.0f), 0x7bff);
  EXPECT_EQ(floatToFp16Bits(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
}

TEST(WeightConvert, Fp16Ties) {
  // 1 + 2^-11 is halfway between 1 (even) and 1 + 2^-10 (odd).
  EXPECT_EQ(floatToFp16Bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  // 1 + 3 * 2^-11 is halfway between 0x3c01 (odd) and 0x3c02 (even).
  EXPECT_EQ(floatToFp16Bits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  // Just above a tie rounds up.
  EXPECT_EQ(floatToFp16Bits(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)),
            0x3c01);
}

TEST(WeightConvert, Fp16OverflowAndInf) {
  EXPECT_EQ(floatToFp16Bits(65519.0f), 0x7bff);
  EXPECT_EQ(floatToFp16Bits(65520.0f), 0x7c00); // the tie goes to Inf
  EXPECT_EQ(floatToFp16Bits(1.0e6f), 0x7c00);
  EXPECT_EQ(floatToFp16Bits(-1.0e6f), 0xfc00);
  EXPECT_EQ(floatToFp16Bits(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(floatToFp16Bits(-std::numeric_limits<float>::infinity()), 0xfc00);
}

TEST(WeightConvert, Fp16Subnormals) {
  EXPECT_EQ(floatToFp16Bits(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(floatToFp16Bits(std::ldexp(1.0f, -25)), 0x0000); // tie to 0
  EXPECT_EQ(floatToFp16Bits(std::nextafter(std::ldexp(1.0f, -25), 1.0f)),
            0x0001);
  EXPECT_EQ(floatToFp16Bits(std::ldexp(1.5f, -24)), 0x0002); // tie 1|2
  EXPECT_EQ(floatToFp16Bits(std::ldexp(2.5f, -24)), 0x0002); // tie 2|3
  EXPECT_EQ(floatToFp16Bits(-std::ldexp(3.0f, -24)), 0x8003);
  // Halfway between the largest subnormal (odd) and the smallest normal.
  EXPECT_EQ(floatToFp16Bits(std::ldexp(1023.5f, -24)), 0x0400);
  EXPECT_EQ(floatToFp16Bits(fromBits(0x00000001)), 0x0000); // float subnormal
  EXPECT_EQ(floatToFp16Bits(-fromBits(0x00000001)), 0x8000);
}

TEST(WeightConvert, Fp16NaN) {
  EXPECT_TRUE(isFp16NaN(floatToFp16Bits(std::nanf(""))));
  // A payload only in the low bits must not turn into Inf.
  EXPECT_TRUE(isFp16NaN(floatToFp16Bits(fromBits(0x7f800001))));
  uint16_t negative = floatToFp16Bits(fromBits(0xffc00000));
  EXPECT_TRUE(isFp16NaN(negative));
  EXPECT_EQ(negative & 0x8000, 0x8000);
}

TEST(WeightConvert, Fp16Exhaustive) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    uint16_t bits = static_cast<uint16_t>(h);
    if ((bits & 0x7c00) == 0x7c00)
      continue; // Inf and NaN are covered above
    float value = fp16ToFloat(bits);
    ASSERT_EQ(floatToFp16Bits(value), bits) << std::hex << h;
    // The midpoint to the next larger magnitude, when that one is finite.
    uint16_t next = static_cast<uint16_t>(bits + 1);
    if ((next & 0x7c00) == 0x7c00 || (next & 0x7fff) == 0)
      continue;
    float mid = (value + fp16ToFloat(next)) / 2; // exact in float
    uint16_t even = (bits & 1) ? next : bits;
    ASSERT_EQ(floatToFp16Bits(mid), even) << std::hex << h;
    float away =
        (bits & 0x8000) ? -INFINITY : INFINITY; // -0 counts as negative
    ASSERT_EQ(floatToFp16Bits(std::nextafter(mid, away)), next)
        << std::hex << h;
    ASSERT_EQ(floatToFp16Bits(std::nextafter(mid, 0.0f)), bits)
        << std::hex << h;
  }
}

TEST(WeightConvert, Bf16KnownValuesAndTies) {
  EXPECT_EQ(floatToBf16Bits(1.0f), 0x3f80);
  EXPECT_EQ(floatToBf16Bits(-2.0f), 0xc000);
  EXPECT_EQ(floatToBf16Bits(0.1f), 0x3dcd);        // 0x3dcccccd rounds up
  EXPECT_EQ(floatToBf16Bits(3.14159265f), 0x4049); // 0x40490fdb rounds down
  EXPECT_EQ(floatToBf16Bits(fromBits(0x3f808000)), 0x3f80); // tie, even
  EXPECT_EQ(floatToBf16Bits(fromBits(0x3f818000)), 0x3f82); // tie, odd
  EXPECT_EQ(floatToBf16Bits(fromBits(0x3f808001)), 0x3f81);
  EXPECT_EQ(floatToBf16Bits(-0.0f), 0x8000);
}

TEST(WeightConvert, Bf16SpecialValues) {
  EXPECT_EQ(floatToBf16Bits(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(floatToBf16Bits(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_EQ(floatToBf16Bits(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(floatToBf16Bits(fromBits(0x7f7f7fff)), 0x7f7f); // below the tie
  EXPECT_TRUE(isBf16NaN(floatToBf16Bits(std::nanf(""))));
  EXPECT_TRUE(isBf16NaN(floatToBf16Bits(fromBits(0x7f800001))));
  EXPECT_TRUE(isBf16NaN(floatToBf16Bits(fromBits(0xff80ffff))));
  // Subnormals round like any other pattern.
  EXPECT_EQ(floatToBf16Bits(fromBits(0x00010000)), 0x0001);
  EXPECT_EQ(floatToBf16Bits(fromBits(0x00008000)), 0x0000); // tie to 0
  EXPECT_EQ(floatToBf16Bits(fromBits(0x00018000)), 0x0002); // tie to even
  EXPECT_EQ(floatToBf16Bits(fromBits(0x00007fff)), 0x0000);
}

TEST(WeightConvert, Bf16Exhaustive) {
  for (uint32_t b = 0; b < 0x10000; ++b) {
    uint16_t bits = static_cast<uint16_t>(b);
    if ((bits & 0x7f80) == 0x7f80)
      continue;
    ASSERT_EQ(floatToBf16Bits(bf16ToFloat(bits)), bits) << std::hex << b;
    uint16_t next = static_cast<uint16_t>(bits + 1);
    if ((next & 0x7f80) == 0x7f80 || (next & 0x7fff) == 0)
      continue;
    uint32_t mid = static_cast<uint32_t>(bits) << 16 | 0x8000u;
    uint16_t even = (bits & 1) ? next : bits;
    ASSERT_EQ(floatToBf16Bits(fromBits(mid)), even) << std::hex << b;
    ASSERT_EQ(floatToBf16Bits(fromBits(mid + 1)), next) << std::hex << b;
    ASSERT_EQ(floatToBf16Bits(fromBits(mid - 1)), bits) << std::hex << b;
  }
}

TEST(WeightConvert, Tf32) {
  EXPECT_EQ(floatToBits(roundToTf32(1.0f)), 0x3f800000u);
  EXPECT_EQ(floatToBits(roundToTf32(fromBits(0x3f801000))), 0x3f800000u);
  EXPECT_EQ(floatToBits(roundToTf32(fromBits(0x3f803000))), 0x3f804000u);
  EXPECT_EQ(floatToBits(roundToTf32(fromBits(0x3f801001))), 0x3f802000u);
  EXPECT_EQ(floatToBits(roundToTf32(fromBits(0xbf800fff))), 0xbf800000u);
  EXPECT_EQ(floatToBits(roundToTf32(std::numeric_limits<float>::max())),
            0x7f800000u);
  EXPECT_EQ(floatToBits(roundToTf32(INFINITY)), 0x7f800000u);
  EXPECT_EQ(floatToBits(roundToTf32(-INFINITY)), 0xff800000u);
  EXPECT_TRUE(std::isnan(roundToTf32(fromBits(0x7f800001))));
  EXPECT_TRUE(std::isnan(roundToTf32(std::nanf(""))));
  EXPECT_EQ(floatToBits(roundToTf32(fromBits(0x00001000))), 0u); // tie
  EXPECT_EQ(floatToBits(roundToTf32(fromBits(0x00003000))), 0x00004000u);
  // Every result has its low 13 bits clear and is within half a TF32 ulp.
  for (uint32_t u = 0x3f800000u; u < 0x40000000u; u += 0x111u) {
    uint32_t r = floatToBits(roundToTf32(fromBits(u)));
    ASSERT_EQ(r & 0x1fffu, 0u);
    ASSERT_LE(std::fabs(fromBits(r) - fromBits(u)), std::ldexp(1.0f, -11));
  }
}

TEST(WeightConvert, ConvertWeightsFillsExactlyCount) {
  std::vector<float> src = {1.0f, 0.1f, -65520.0f, std::nanf(""), 1e-8f};
  const int64_t n = static_cast<int64_t>(src.size());

  std::vector<uint16_t> half(n + 1, 0xabcd);
  convertWeights(Precision::Fp16, src.data(), half.data(), n);
  EXPECT_EQ(half[0], 0x3c00);
  EXPECT_EQ(half[1], 0x2e66);
  EXPECT_EQ(half[2], 0xfc00);
  EXPECT_TRUE(isFp16NaN(half[3]));
  EXPECT_EQ(half[4], 0x0000);
  EXPECT_EQ(half[n], 0xabcd);

  std::vector<uint16_t> bf(n + 1, 0xabcd);
  convertWeights(Precision::Bf16, src.data(), bf.data(), n);
  for (int64_t i = 0; i < n; ++i)
    if (std::isnan(src[i]))
      EXPECT_TRUE(isBf16NaN(bf[i]));
    else
      EXPECT_EQ(bf[i], floatToBf16Bits(src[i])) << i;
  EXPECT_EQ(bf[n], 0xabcd);

  std::vector<float> tf(n + 1, 7.0f), fp(n + 1, 7.0f);
  convertWeights(Precision::Tf32, src.data(), tf.data(), n);
  convertWeights(Precision::Fp32, src.data(), fp.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_EQ(floatToBits(fp[i]), floatToBits(src[i])) << i;
    EXPECT_EQ(floatToBits(tf[i]), floatToBits(roundToTf32(src[i]))) << i;
  }
  EXPECT_EQ(tf[n], 7.0f);
  EXPECT_EQ(fp[n], 7.0f);
}

} // namespace
