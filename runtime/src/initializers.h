//===- initializers.h - TF-Slim variable initializers -----------*- C++ -*-===//
#ifndef SLIM_RUNTIME_INITIALIZERS_H
#define SLIM_RUNTIME_INITIALIZERS_H

#include "slim/model_abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace slimrt {

/// Fan-in and fan-out as TF-Slim's variance_scaling_initializer computes
/// them (see slim_fan_mode in model_abi.h).
void computeFans(const std::vector<int64_t> &dims, double &fanIn,
                 double &fanOut);

/// Fills `dst` (dtype, dims) from `spec`. Random values come from a
/// counter-based generator (Philox-4x32-10) keyed by `seed` and a hash of
/// `name`, so a variable's values depend on nothing else. Throws
/// INVALID_ARGUMENT for specs that make no sense (negative stddev, ...).
void initializeTensor(const slim_initializer_spec &spec, int32_t dtype,
                      const std::vector<int64_t> &dims, uint64_t seed,
                      const std::string &name, void *dst);

/// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
/// 3"): 4 random words per (key, counter).
void philox4x32(const uint32_t key[2], const uint32_t counter[4],
                uint32_t out[4]);

} // namespace slimrt

#endif // SLIM_RUNTIME_INITIALIZERS_H
