//===- initializers.cpp - TF-Slim variable initializers -------------------===//
//
// Definitions follow TF-Slim (tf_slim/layers/initializers.py) and the
// tf.compat.v1 initializers: truncated normal re-draws values more than two
// standard deviations from the mean; variance scaling picks n from the fans
// and uses uniform(+-sqrt(3 f / n)) or truncated normal with stddev
// sqrt(1.3 f / n). Values are drawn in double and rounded to the dtype.
//
//===----------------------------------------------------------------------===//

#include "initializers.h"

#include "common.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace slimrt {

void philox4x32(const uint32_t key[2], const uint32_t counter[4],
                uint32_t out[4]) {
  uint32_t k0 = key[0], k1 = key[1];
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(0xD2511F53u) * c0;
    uint64_t p1 = uint64_t(0xCD9E8D57u) * c2;
    uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0;
    uint32_t n1 = uint32_t(p1);
    uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    uint32_t n3 = uint32_t(p0);
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

namespace {

uint64_t fnv1a(const std::string &s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  return h;
}

/// The random stream of one variable: element i, draw j reads block
/// (i, j / 2) so every element's values are independent of the others'.
class Stream {
public:
  Stream(uint64_t seed, const std::string &name) {
    uint64_t h = fnv1a(name) ^ (seed * 0x9E3779B97F4A7C15ull);
    key[0] = uint32_t(h);
    key[1] = uint32_t(h >> 32);
    // Keep the seed's high bits too, so seeds differing only there differ.
    seedHigh = uint32_t(seed >> 32) ^ uint32_t(seed);
  }

  /// Four words for element `i`, attempt `attempt`.
  void block(uint64_t i, uint32_t attempt, uint32_t out[4]) const {
    uint32_t counter[4] = {uint32_t(i), uint32_t(i >> 32), attempt, seedHigh};
    philox4x32(key, counter, out);
  }

private:
  uint32_t key[2];
  uint32_t seedHigh;
};

/// Uniform in (0, 1], from 53 random bits.
double unitOpen(uint32_t hi, uint32_t lo) {
  uint64_t bits = (uint64_t(hi) << 21) ^ (lo >> 11);
  bits &= (uint64_t(1) << 53) - 1;
  return (double(bits) + 1.0) * (1.0 / 9007199254740992.0);
}

/// Uniform in [0, 1).
double unitHalfOpen(uint32_t hi, uint32_t lo) {
  return unitOpen(hi, lo) - (1.0 / 9007199254740992.0);
}

/// Box-Muller: two standard normals from one block.
void normalPair(const uint32_t w[4], double &z0, double &z1) {
  double u1 = unitOpen(w[0], w[1]);
  double u2 = unitHalfOpen(w[2], w[3]);
  double r = std::sqrt(-2.0 * std::log(u1));
  z0 = r * std::cos(2.0 * M_PI * u2);
  z1 = r * std::sin(2.0 * M_PI * u2);
}

template <typename T, typename F> void fill(void *dst, uint64_t n, F valueAt) {
  T *out = static_cast<T *>(dst);
  for (uint64_t i = 0; i < n; ++i)
    out[i] = static_cast<T>(valueAt(i));
}

} // namespace

void computeFans(const std::vector<int64_t> &dims, double &fanIn,
                 double &fanOut) {
  size_t rank = dims.size();
  if (rank == 0) {
    fanIn = fanOut = 1.0;
    return;
  }
  fanIn = double(rank > 1 ? dims[rank - 2] : dims[rank - 1]);
  fanOut = double(dims[rank - 1]);
  for (size_t i = 0; i + 2 < rank; ++i) {
    fanIn *= double(dims[i]);
    fanOut *= double(dims[i]);
  }
}

void initializeTensor(const slim_initializer_spec &spec, int32_t dtype,
                      const std::vector<int64_t> &dims, uint64_t seed,
                      const std::string &name, void *dst) {
  uint64_t n = 1;
  for (int64_t d : dims)
    n *= uint64_t(d);
  Stream stream(seed, name);

  auto normal = [&](uint64_t i, double mean, double stddev) {
    uint32_t w[4];
    stream.block(i, 0, w);
    double z0, z1;
    normalPair(w, z0, z1);
    return mean + stddev * z0;
  };
  auto truncated = [&](uint64_t i, double mean, double stddev) {
    // Each attempt yields two candidates; P(|z| > 2) is ~4.6%, so the loop
    // practically never runs long, but it is bounded regardless.
    for (uint32_t attempt = 0; attempt < 1000; ++attempt) {
      uint32_t w[4];
      stream.block(i, attempt, w);
      double z0, z1;
      normalPair(w, z0, z1);
      if (std::fabs(z0) <= 2.0)
        return mean + stddev * z0;
      if (std::fabs(z1) <= 2.0)
        return mean + stddev * z1;
    }
    return mean;
  };
  auto uniform = [&](uint64_t i, double lo, double hi) {
    uint32_t w[4];
    stream.block(i, 0, w);
    return lo + (hi - lo) * unitHalfOpen(w[0], w[1]);
  };

  bool isFloat = dtype == SLIM_DTYPE_F32 || dtype == SLIM_DTYPE_F64;
  if (!isFloat && spec.kind != SLIM_INIT_ZEROS && spec.kind != SLIM_INIT_ONES &&
      spec.kind != SLIM_INIT_CONSTANT && spec.kind != SLIM_INIT_VALUES)
    fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
         "': random initializers need a floating-point dtype, got ",
         dtypeName(dtype));

  std::function<double(uint64_t)> valueAt;
  switch (spec.kind) {
  case SLIM_INIT_ZEROS:
    valueAt = [](uint64_t) { return 0.0; };
    break;
  case SLIM_INIT_ONES:
    valueAt = [](uint64_t) { return 1.0; };
    break;
  case SLIM_INIT_CONSTANT:
    valueAt = [v = spec.value](uint64_t) { return v; };
    break;
  case SLIM_INIT_TRUNCATED_NORMAL:
  case SLIM_INIT_RANDOM_NORMAL:
    if (!(spec.stddev >= 0) || !std::isfinite(spec.mean))
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
           "': normal initializer needs a finite mean and stddev >= 0, got "
           "mean ",
           spec.mean, " stddev ", spec.stddev);
    if (spec.kind == SLIM_INIT_TRUNCATED_NORMAL)
      valueAt = [&, m = spec.mean, s = spec.stddev](uint64_t i) {
        return truncated(i, m, s);
      };
    else
      valueAt = [&, m = spec.mean, s = spec.stddev](uint64_t i) {
        return normal(i, m, s);
      };
    break;
  case SLIM_INIT_RANDOM_UNIFORM:
    if (!(spec.minval <= spec.maxval) || !std::isfinite(spec.minval) ||
        !std::isfinite(spec.maxval))
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
           "': uniform initializer needs minval <= maxval, got [", spec.minval,
           ", ", spec.maxval, ")");
    valueAt = [&, lo = spec.minval, hi = spec.maxval](uint64_t i) {
      return uniform(i, lo, hi);
    };
    break;
  case SLIM_INIT_VARIANCE_SCALING: {
    if (!(spec.factor >= 0) || !std::isfinite(spec.factor))
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
           "': variance scaling needs a factor >= 0, got ", spec.factor);
    double fanIn, fanOut, fan;
    computeFans(dims, fanIn, fanOut);
    switch (spec.mode) {
    case SLIM_FAN_IN:
      fan = fanIn;
      break;
    case SLIM_FAN_OUT:
      fan = fanOut;
      break;
    case SLIM_FAN_AVG:
      fan = (fanIn + fanOut) / 2.0;
      break;
    default:
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
           "': unknown variance scaling mode ", spec.mode);
    }
    if (n == 0)
      return;
    if (spec.uniform) {
      double limit = std::sqrt(3.0 * spec.factor / fan);
      valueAt = [&, limit](uint64_t i) { return uniform(i, -limit, limit); };
    } else {
      double stddev = std::sqrt(1.3 * spec.factor / fan);
      valueAt = [&, stddev](uint64_t i) { return truncated(i, 0.0, stddev); };
    }
    break;
  }
  case SLIM_INIT_VALUES: {
    // The table comes from the model library: check it before reading it.
    int64_t count = spec.value_count;
    if (count < 0 || (count > 0 && (!spec.value_indices || !spec.values)))
      fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
           "': explicit values need ", count, " indices and values");
    for (int64_t k = 0; k < count; ++k)
      if (spec.value_indices[k] < 0 || uint64_t(spec.value_indices[k]) >= n ||
          (k > 0 && spec.value_indices[k] <= spec.value_indices[k - 1]))
        fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
             "': explicit value index ", spec.value_indices[k],
             " is out of order or outside its ", n, " elements");
    valueAt = [&, count](uint64_t i) {
      const int64_t *end = spec.value_indices + count;
      const int64_t *at = std::lower_bound(spec.value_indices, end, int64_t(i));
      return at != end && *at == int64_t(i)
                 ? double(spec.values[at - spec.value_indices])
                 : 0.0;
    };
    break;
  }
  default:
    fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name,
         "': unknown initializer kind ", spec.kind);
  }

  switch (dtype) {
  case SLIM_DTYPE_F32:
    return fill<float>(dst, n, valueAt);
  case SLIM_DTYPE_F64:
    return fill<double>(dst, n, valueAt);
  case SLIM_DTYPE_I32:
    return fill<int32_t>(dst, n,
                         [&](uint64_t i) { return std::llround(valueAt(i)); });
  case SLIM_DTYPE_I64:
    return fill<int64_t>(dst, n,
                         [&](uint64_t i) { return std::llround(valueAt(i)); });
  case SLIM_DTYPE_U8:
    return fill<uint8_t>(dst, n,
                         [&](uint64_t i) { return std::llround(valueAt(i)); });
  }
  fail(SLIM_STATUS_INVALID_ARGUMENT, "variable '", name, "' has unknown dtype ",
       dtype);
}

} // namespace slimrt
