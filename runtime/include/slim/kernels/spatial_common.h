//===- slim/kernels/spatial_common.h - Parameters of spatial ops -*- C++ -*-=//
//
// What the reference and fast kernels of the spatial ops share: the
// transposed convolution's parameters and tf.pad's modes. The index
// arithmetic they share with the CUDA kernels is in sampling.h.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_SPATIAL_COMMON_H
#define SLIM_KERNELS_SPATIAL_COMMON_H

#include "slim/kernels/common.h"
#include "slim/kernels/sampling.h"

#include <cstdint>

namespace slim {
namespace kernels {

/// TF conv2d_transpose (conv2d_backprop_input) with filter
/// [kernelH][kernelW][outC][inC] and the epilogue of a fused layer:
///   y = act((sum + bias[c]) * scale[c] + shift[c])
/// Output pixel (oy, ox) receives input pixel (iy, ix) through tap
/// (oy + padTop - iy * strideH, ox + padLeft - ix * strideW); the pads are
/// those of the forward convolution the op transposes and may be negative
/// (an output longer than the taps reach).
struct Conv2DTransposeParams {
  int64_t batch = 1;
  int64_t inH = 0, inW = 0, inC = 0;
  int64_t outH = 0, outW = 0, outC = 0;
  int kernelH = 1, kernelW = 1;
  int strideH = 1, strideW = 1;
  int padTop = 0, padLeft = 0;
  Activation act = Activation::None;
};

/// tf.pad's modes, with the values sampling.h's padSource takes.
enum class PadMode : int { Constant = 0, Reflect = 1, Symmetric = 2 };

/// The most dimensions the pad and slice kernels take.
inline constexpr int kMaxRank = 8;

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_SPATIAL_COMMON_H
