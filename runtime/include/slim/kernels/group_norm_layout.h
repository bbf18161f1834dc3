//===- slim/kernels/group_norm_layout.h - Group norm index plan -*- C++ -*-===//
//
// TF-Slim's group_norm splits the channel axis into `groups` groups and
// takes statistics over the reduction axes and the channels of one group,
// separately for every index of the remaining ("kept") axes. This plan turns
// a row-major tensor and those roles into statistics: statistic s is kept
// index s / groups and group s % groups, and its elements are a nest of
// strided loops (the reduction axes, adjacent ones merged, and the
// channels of the group), outermost first. The fast CPU kernel and the CUDA
// kernel walk the same plan; the reference kernel does not use it, so the
// tests compare two derivations. Plain C++: host and device code alike.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_GROUP_NORM_LAYOUT_H
#define SLIM_KERNELS_GROUP_NORM_LAYOUT_H

#include "slim/kernels/sampling.h"

#include <cstdint>

namespace slim {
namespace kernels {

/// The most dimensions a group norm input has (kMaxRank of the pads).
inline constexpr int kGroupNormMaxRank = 8;

struct GroupNormPlan {
  int64_t stats = 0, count = 0; // statistics; elements per statistic
  int64_t groups = 1, perGroup = 1, channelStride = 1;
  // Kept axes (adjacent ones merged), outermost first.
  int kept = 0;
  int64_t keptExtent[kGroupNormMaxRank], keptStride[kGroupNormMaxRank];
  // The loop nest of one statistic; loop `channelLoop` runs over the
  // channels of the group.
  int loops = 0, channelLoop = 0;
  int64_t loopExtent[kGroupNormMaxRank], loopStride[kGroupNormMaxRank];
};

/// The plan of a row-major tensor of `rank` <= kGroupNormMaxRank `dims`;
/// bit a of `reducedMask` marks axis a as a reduction axis. The channel
/// axis must be neither reduced nor out of range, and `groups` must divide
/// its extent (the shape rule checks all of that).
SLIM_HOST_DEVICE inline GroupNormPlan
planGroupNorm(int rank, const int64_t *dims, int channelAxis,
              unsigned reducedMask, int64_t groups) {
  GroupNormPlan p;
  int64_t stride[kGroupNormMaxRank];
  int64_t s = 1;
  for (int a = rank - 1; a >= 0; --a) {
    stride[a] = s;
    s *= dims[a];
  }
  p.groups = groups;
  p.perGroup = dims[channelAxis] / groups;
  p.channelStride = stride[channelAxis];
  p.count = 1;
  int64_t keptTotal = 1;
  int prev = -1; // role of axis a - 1: 0 kept, 1 reduced, 2 channel
  for (int a = 0; a < rank; ++a) {
    int role = a == channelAxis ? 2 : ((reducedMask >> a) & 1u) ? 1 : 0;
    if (role == 0) {
      keptTotal *= dims[a];
      // Row-major: an axis follows its outer neighbour contiguously.
      if (prev == 0) {
        p.keptExtent[p.kept - 1] *= dims[a];
        p.keptStride[p.kept - 1] = stride[a];
      } else {
        p.keptExtent[p.kept] = dims[a];
        p.keptStride[p.kept++] = stride[a];
      }
    } else if (role == 1) {
      p.count *= dims[a];
      if (prev == 1) {
        p.loopExtent[p.loops - 1] *= dims[a];
        p.loopStride[p.loops - 1] = stride[a];
      } else {
        p.loopExtent[p.loops] = dims[a];
        p.loopStride[p.loops++] = stride[a];
      }
    } else {
      p.count *= p.perGroup;
      p.channelLoop = p.loops;
      p.loopExtent[p.loops] = p.perGroup;
      p.loopStride[p.loops++] = stride[a];
    }
    prev = role;
  }
  p.stats = keptTotal * groups;
  return p;
}

/// Offset of the first element of statistic `s` and its first channel.
SLIM_HOST_DEVICE inline int64_t groupNormBase(const GroupNormPlan &p, int64_t s,
                                              int64_t &channel0) {
  int64_t g = s % p.groups, k = s / p.groups, base = 0;
  for (int i = p.kept - 1; i >= 0; --i) {
    base += (k % p.keptExtent[i]) * p.keptStride[i];
    k /= p.keptExtent[i];
  }
  channel0 = g * p.perGroup;
  return base + channel0 * p.channelStride;
}

/// Offset (from the statistic's base) and channel (from its first one) of
/// the statistic's element j, 0 <= j < count.
SLIM_HOST_DEVICE inline int64_t groupNormElement(const GroupNormPlan &p,
                                                 int64_t j, int64_t &channel) {
  int64_t off = 0;
  channel = 0;
  for (int i = p.loops - 1; i >= 0; --i) {
    int64_t c = j % p.loopExtent[i];
    j /= p.loopExtent[i];
    off += c * p.loopStride[i];
    if (i == p.channelLoop)
      channel = c;
  }
  return off;
}

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_GROUP_NORM_LAYOUT_H
