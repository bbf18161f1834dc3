//===- slim/kernels/pack3d.h - Load-time packing of 3-D filters -*- C++ -*-===//
//
//   conv3d  DHWIO [kd][kh][kw][Cin][Cout] -> [OCb][kd][ICb][kh][kw][ic][oc]
//           (OCb rounded up to even; sizes in slim/contract.h)
//
// Each temporal tap's slice is laid out as packConv2dWeights lays out a
// 2-D filter, and the taps of one output block pair follow each other, so
// conv3d.h streams tap kd's weights at block kd * ICb of the pair. With
// kd = 1 this is exactly the conv2d packing. Padding channels are zero.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_PACK3D_H
#define SLIM_KERNELS_PACK3D_H

#include "slim/contract.h"
#include "slim/kernels/pack.h"

#include <cstdint>

namespace slim {
namespace kernels {

/// Floats of packed conv3d weights.
constexpr int64_t conv3dPackedSize(int64_t kd, int64_t kh, int64_t kw,
                                   int64_t inC, int64_t outC) {
  return contract::conv3dPackedSize(kd, kh, kw, inC, outC, kVec);
}

inline void packConv3dWeights(const float *dhwio, int64_t kd, int64_t kh,
                              int64_t kw, int64_t inC, int64_t outC,
                              float *dst) {
  const int64_t icb = numBlocks(inC), ocb = conv2dPackedOutBlocks(outC);
  const int64_t tap = kh * kw * inC * outC;
  for (int64_t ob = 0; ob < ocb; ++ob)
    for (int64_t t = 0; t < kd; ++t)
      for (int64_t ib = 0; ib < icb; ++ib)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            for (int64_t il = 0; il < kVec; ++il)
              for (int64_t ol = 0; ol < kVec; ++ol) {
                int64_t ic = ib * kVec + il, oc = ob * kVec + ol;
                *dst++ =
                    ic < inC && oc < outC
                        ? dhwio[t * tap + ((y * kw + x) * inC + ic) * outC + oc]
                        : 0.0f;
              }
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_PACK3D_H
