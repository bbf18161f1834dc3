//===- slim/kernels/params3d.h - Parameters of the 3-D kernels --*- C++ -*-===//
//
// A 3-D convolution or pooling is its 2-D parameters (H, W, channels,
// placement in a concat) plus the time axis D. Activations are NDHWC for the
// reference kernels and [N][D][Cb][H][W][kVec] for the fast ones: the
// blocked 4-D layout of N*D frames, so the 2-D placement fields
// (`*CbOffset`, `*CbTotal`) apply to every frame unchanged.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_PARAMS3D_H
#define SLIM_KERNELS_PARAMS3D_H

#include "slim/kernels/common.h"

#include <cstdint>

namespace slim {
namespace kernels {

/// A 3-D convolution with its fused epilogue; `batch` counts clips, not
/// frames. Filters are DHWIO [kd][kh][kw][Cin][Cout] (reference) or packed
/// by packConv3dWeights (fast).
struct Conv3DParams : Conv2DParams {
  int64_t inD = 1, outD = 1;
  int kernelD = 1, strideD = 1, dilationD = 1;
  int padFront = 0, padBack = 0;
};

/// Max or average pooling over D, H and W with TF semantics: padded
/// positions never win a max and are not counted in an average.
struct Pool3DParams : Pool2DParams {
  int64_t inD = 1, outD = 1;
  int kernelD = 1, strideD = 1;
  int padFront = 0, padBack = 0;
};

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_PARAMS3D_H
