//===- initializer_test.cpp - Statistical checks of the initializers ------===//

#include "common.h"
#include "initializers.h"
#include "test_util.h"

#include <cmath>

using namespace slimtest;

extern "C" const slim_model_def *test_dense_get_def(void);

namespace {

struct Stats {
  double mean = 0, stddev = 0, min = 1e300, max = -1e300;
};

Stats stats(const std::vector<float> &v) {
  Stats s;
  for (float x : v) {
    s.mean += x;
    s.min = std::min(s.min, double(x));
    s.max = std::max(s.max, double(x));
  }
  s.mean /= double(v.size());
  for (float x : v)
    s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / double(v.size()));
  return s;
}

std::vector<float> draw(const slim_initializer_spec &spec,
                        const std::vector<int64_t> &dims, uint64_t seed = 1,
                        const std::string &name = "v") {
  size_t n = 1;
  for (int64_t d : dims)
    n *= size_t(d);
  std::vector<float> v(n);
  slimrt::initializeTensor(spec, SLIM_DTYPE_F32, dims, seed, name, v.data());
  return v;
}

slim_initializer_spec spec(slim_init_kind kind) {
  slim_initializer_spec s{};
  s.kind = kind;
  return s;
}

// Standard deviation of a standard normal truncated to [-2, 2].
const double kTruncatedStd = 0.87962566103423978;

} // namespace

TEST(Initializers, Constants) {
  for (float x : draw(spec(SLIM_INIT_ZEROS), {3, 4}))
    EXPECT_EQ(x, 0.0f);
  for (float x : draw(spec(SLIM_INIT_ONES), {5}))
    EXPECT_EQ(x, 1.0f);
  auto c = spec(SLIM_INIT_CONSTANT);
  c.value = -2.5;
  for (float x : draw(c, {2, 2}))
    EXPECT_EQ(x, -2.5f);
  std::vector<int64_t> ints(3);
  c.value = 7;
  slimrt::initializeTensor(c, SLIM_DTYPE_I64, {3}, 1, "i", ints.data());
  EXPECT_EQ(ints, (std::vector<int64_t>{7, 7, 7}));
}

TEST(Initializers, ExplicitValues) {
  // Zero except at the listed row-major indices (I3D's centred identity).
  const int64_t indices[] = {1, 4, 5};
  const float values[] = {1.0f, -2.0f, 0.5f};
  auto e = spec(SLIM_INIT_VALUES);
  e.value_count = 3;
  e.value_indices = indices;
  e.values = values;
  EXPECT_EQ(draw(e, {2, 3}),
            (std::vector<float>{0.0f, 1.0f, 0.0f, 0.0f, -2.0f, 0.5f}));
  std::vector<int64_t> ints(6);
  slimrt::initializeTensor(e, SLIM_DTYPE_I64, {6}, 1, "i", ints.data());
  EXPECT_EQ(ints, (std::vector<int64_t>{0, 1, 0, 0, -2, 1}));
  // A table from a library is checked: out of range, out of order, missing.
  std::vector<float> v(6);
  const int64_t outside[] = {1, 4, 9};
  e.value_indices = outside;
  EXPECT_THROW(
      slimrt::initializeTensor(e, SLIM_DTYPE_F32, {6}, 1, "w", v.data()),
      slimrt::Error);
  const int64_t unordered[] = {4, 1, 5};
  e.value_indices = unordered;
  EXPECT_THROW(
      slimrt::initializeTensor(e, SLIM_DTYPE_F32, {6}, 1, "w", v.data()),
      slimrt::Error);
  e.value_indices = nullptr;
  EXPECT_THROW(
      slimrt::initializeTensor(e, SLIM_DTYPE_F32, {6}, 1, "w", v.data()),
      slimrt::Error);
}

TEST(Initializers, TruncatedNormal) {
  auto s = spec(SLIM_INIT_TRUNCATED_NORMAL);
  s.mean = 1.0;
  s.stddev = 0.5;
  Stats st = stats(draw(s, {200, 500}));
  EXPECT_NEAR(st.mean, 1.0, 0.005);
  EXPECT_NEAR(st.stddev, 0.5 * kTruncatedStd, 0.005);
  EXPECT_GE(st.min, 1.0 - 2 * 0.5);
  EXPECT_LE(st.max, 1.0 + 2 * 0.5);
  EXPECT_LT(st.min, 1.0 - 1.9 * 0.5); // The tails are reached.
}

TEST(Initializers, RandomNormalAndUniform) {
  auto n = spec(SLIM_INIT_RANDOM_NORMAL);
  n.mean = -3;
  n.stddev = 2;
  Stats st = stats(draw(n, {100000}));
  EXPECT_NEAR(st.mean, -3, 0.03);
  EXPECT_NEAR(st.stddev, 2, 0.03);
  EXPECT_LT(st.min, -3 - 2 * 3.5); // Not truncated.

  auto u = spec(SLIM_INIT_RANDOM_UNIFORM);
  u.minval = -1;
  u.maxval = 3;
  st = stats(draw(u, {100000}));
  EXPECT_NEAR(st.mean, 1, 0.02);
  EXPECT_NEAR(st.stddev, 4 / std::sqrt(12.0), 0.02);
  EXPECT_GE(st.min, -1);
  EXPECT_LT(st.max, 3);
}

TEST(Initializers, FansFollowTFSlim) {
  double in, out;
  slimrt::computeFans({3, 3, 64, 128}, in, out);
  EXPECT_EQ(in, 3 * 3 * 64);
  EXPECT_EQ(out, 3 * 3 * 128);
  slimrt::computeFans({512, 10}, in, out);
  EXPECT_EQ(in, 512);
  EXPECT_EQ(out, 10);
  slimrt::computeFans({7}, in, out);
  EXPECT_EQ(in, 7);
  EXPECT_EQ(out, 7);
  slimrt::computeFans({}, in, out);
  EXPECT_EQ(in, 1);
  EXPECT_EQ(out, 1);
}

TEST(Initializers, XavierUniformBounds) {
  auto x = spec(SLIM_INIT_VARIANCE_SCALING);
  x.factor = 1;
  x.mode = SLIM_FAN_AVG;
  x.uniform = 1;
  std::vector<int64_t> dims = {3, 3, 32, 64};
  double limit = std::sqrt(6.0 / (3 * 3 * 32 + 3 * 3 * 64));
  Stats st = stats(draw(x, dims));
  EXPECT_GE(st.min, -limit);
  EXPECT_LE(st.max, limit);
  EXPECT_GT(st.max, 0.99 * limit);
  EXPECT_NEAR(st.stddev, limit / std::sqrt(3.0), 0.01 * limit);
  EXPECT_NEAR(st.mean, 0, 0.02 * limit);
}

TEST(Initializers, VarianceScalingTruncatedNormal) {
  // He init as TF-Slim defines it: stddev sqrt(1.3 * 2 / fan_in), truncated.
  auto he = spec(SLIM_INIT_VARIANCE_SCALING);
  he.factor = 2;
  he.mode = SLIM_FAN_IN;
  std::vector<int64_t> dims = {3, 3, 64, 100};
  double sd = std::sqrt(1.3 * 2 / (3 * 3 * 64));
  Stats st = stats(draw(he, dims));
  EXPECT_NEAR(st.stddev, sd * kTruncatedStd, 0.01 * sd);
  EXPECT_GE(st.min, -2 * sd);
  EXPECT_LE(st.max, 2 * sd);
  he.mode = SLIM_FAN_OUT;
  sd = std::sqrt(1.3 * 2 / (3 * 3 * 100));
  st = stats(draw(he, dims));
  EXPECT_NEAR(st.stddev, sd * kTruncatedStd, 0.01 * sd);
}

TEST(Initializers, DeterministicPerNameAndSeed) {
  auto n = spec(SLIM_INIT_RANDOM_NORMAL);
  n.stddev = 1;
  auto a = draw(n, {64}, 5, "a");
  EXPECT_EQ(draw(n, {64}, 5, "a"), a);
  EXPECT_NE(draw(n, {64}, 6, "a"), a);
  EXPECT_NE(draw(n, {64}, 5, "b"), a);
  EXPECT_NE(draw(n, {64}, 5 + (uint64_t(1) << 40), "a"), a);
  // A prefix of a larger tensor: values depend on the element index only.
  auto big = draw(n, {128}, 5, "a");
  EXPECT_EQ(std::vector<float>(big.begin(), big.begin() + 64), a);
}

TEST(Initializers, InvalidSpecs) {
  std::vector<float> v(4);
  auto bad = spec(SLIM_INIT_TRUNCATED_NORMAL);
  bad.stddev = -1;
  EXPECT_THROW(
      slimrt::initializeTensor(bad, SLIM_DTYPE_F32, {4}, 1, "w", v.data()),
      slimrt::Error);
  auto u = spec(SLIM_INIT_RANDOM_UNIFORM);
  u.minval = 2;
  u.maxval = 1;
  try {
    slimrt::initializeTensor(u, SLIM_DTYPE_F32, {4}, 1, "w", v.data());
    FAIL();
  } catch (const slimrt::Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "variable 'w': uniform initializer needs minval <= maxval"),
              std::string::npos);
  }
  std::vector<int64_t> ints(4);
  try {
    slimrt::initializeTensor(bad, SLIM_DTYPE_I64, {4}, 1, "i", ints.data());
    FAIL();
  } catch (const slimrt::Error &e) {
    EXPECT_NE(std::string(e.what()).find(
                  "variable 'i': random initializers need a floating-point "
                  "dtype, got int64"),
              std::string::npos);
  }
  auto k = spec(slim_init_kind(99));
  EXPECT_THROW(
      slimrt::initializeTensor(k, SLIM_DTYPE_F32, {4}, 1, "w", v.data()),
      slimrt::Error);
  auto vs = spec(SLIM_INIT_VARIANCE_SCALING);
  vs.factor = 1;
  vs.mode = 7;
  EXPECT_THROW(
      slimrt::initializeTensor(vs, SLIM_DTYPE_F32, {4}, 1, "w", v.data()),
      slimrt::Error);
}

TEST(Initializers, ModelRejectsBadSpecWithoutChangingVariables) {
  // Through the C API: a model declaring a negative stddev.
  slim_model_def def = *test_dense_get_def();
  std::vector<slim_variable_desc> vars(def.variables,
                                       def.variables + def.num_variables);
  vars[2].initializer.stddev = -1;
  def.variables = vars.data();
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open_def(&def, &m));
  SLIM_EXPECT_ERROR(slim_model_initialize_variables(m, 1),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "variable 'net/fc2/weights': normal initializer needs a "
                    "finite mean and stddev >= 0");
  slim_variable_info info;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 0, &info));
  EXPECT_FALSE(info.initialized);
  slim_model_destroy(m);
}
