//===- slim/kernels/sampling.h - TF's resize sampling arithmetic -*- C++ -*-=//
//
// Which input pixels TensorFlow's ResizeNearestNeighbor and ResizeBilinear
// kernels read for an output pixel, in their float32 arithmetic
// (image_resizer_state.h, resize_*_op.cc): the CPU kernels (reference and
// fast) and the CUDA kernels include this one definition, so all of them
// pick the same pixels as TF, also where a coordinate lands exactly on a
// pixel boundary. Plain C++: host and device code alike.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_SAMPLING_H
#define SLIM_KERNELS_SAMPLING_H

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define SLIM_HOST_DEVICE __host__ __device__
#else
#define SLIM_HOST_DEVICE
#endif

namespace slim {
namespace kernels {

/// TF's CalculateResizeScale: input pixels per output pixel.
SLIM_HOST_DEVICE inline float resizeScale(int64_t in, int64_t out,
                                          bool alignCorners) {
  return (alignCorners && out > 1)
             ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
             : static_cast<float>(in) / static_cast<float>(out);
}

/// The input index ResizeNearestNeighbor reads for output index `x`.
SLIM_HOST_DEVICE inline int64_t nearestSource(int64_t x, float scale,
                                              int64_t in, bool alignCorners,
                                              bool halfPixelCenters) {
  // HalfPixelScalerForNN has no -0.5: (x + 0.5) * scale, then floor.
  float pos = halfPixelCenters ? (static_cast<float>(x) + 0.5f) * scale
                               : static_cast<float>(x) * scale;
  int64_t i = alignCorners ? static_cast<int64_t>(roundf(pos))
                           : static_cast<int64_t>(floorf(pos));
  if (i > in - 1)
    i = in - 1;
  if (halfPixelCenters && i < 0)
    i = 0;
  return i;
}

/// The two input indices ResizeBilinear blends for output index `x` and
/// the weight of the upper one (compute_interpolation_weights).
SLIM_HOST_DEVICE inline void bilinearSource(int64_t x, float scale, int64_t in,
                                            bool halfPixelCenters,
                                            int64_t &lower, int64_t &upper,
                                            float &lerp) {
  float pos = halfPixelCenters
                  ? (static_cast<float>(x) + 0.5f) * scale - 0.5f
                  : static_cast<float>(x) * scale;
  float fl = floorf(pos);
  lower = static_cast<int64_t>(fl) > 0 ? static_cast<int64_t>(fl) : 0;
  int64_t up = static_cast<int64_t>(ceilf(pos));
  upper = up < in - 1 ? up : in - 1;
  lerp = pos - fl;
}

/// TF's compute_lerp, in its order of operations.
SLIM_HOST_DEVICE inline float bilinearBlend(float topLeft, float topRight,
                                            float bottomLeft, float bottomRight,
                                            float xLerp, float yLerp) {
  float top = topLeft + (topRight - topLeft) * xLerp;
  float bottom = bottomLeft + (bottomRight - bottomLeft) * xLerp;
  return top + (bottom - top) * yLerp;
}

/// The input index tf.pad reads for output index `o` of a dimension of
/// `n` elements padded by `before`; -1 for a constant-padded position.
/// `mode`: 0 constant, 1 reflect (edge not repeated), 2 symmetric (edge
/// repeated).
SLIM_HOST_DEVICE inline int64_t padSource(int64_t o, int64_t before,
                                          int64_t n, int mode) {
  int64_t i = o - before;
  if (i >= 0 && i < n)
    return i;
  if (mode == 0)
    return -1;
  if (i < 0)
    return mode == 1 ? -i : -i - 1;
  return mode == 1 ? 2 * (n - 1) - i : 2 * n - 1 - i;
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_SAMPLING_H
