//===- api_test.cpp - Tests of the model and context C API ----------------===//

#include "test_util.h"

#include "slim/contract.h"

#include <cmath>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

using namespace slimtest;

extern "C" const slim_model_def *test_dense_get_def(void);

namespace {

/// Opens test_dense.so, failing the test otherwise.
slim_model *openDense() {
  slim_model *m = nullptr;
  slim_status s = slim_model_open(modelPath("test_dense").c_str(), &m);
  EXPECT_EQ(s, SLIM_OK) << slim_status_get_message(s);
  slim_status_destroy(s);
  return m;
}

/// The network of test_model.c computed directly from variable values.
void referenceForward(const std::vector<float> &w1,
                      const std::vector<float> &b1,
                      const std::vector<float> &w2,
                      const std::vector<float> &b2, const float *x,
                      float *logits) {
  for (int r = 0; r < 2; ++r) {
    float h[8];
    for (int j = 0; j < 8; ++j) {
      float acc = 0;
      for (int i = 0; i < 4; ++i)
        acc += x[r * 4 + i] * w1[i * 8 + j];
      acc += b1[j];
      h[j] = acc > 0 ? acc : 0;
    }
    for (int k = 0; k < 3; ++k) {
      float acc = 0;
      for (int j = 0; j < 8; ++j)
        acc += h[j] * w2[j * 3 + k];
      logits[r * 3 + k] = acc + b2[k];
    }
  }
}

template <typename T>
std::vector<T> getVar(slim_model *m, const char *name, size_t n) {
  std::vector<T> v(n);
  slim_status s = slim_model_get_variable(m, name, v.data(), n * sizeof(T));
  EXPECT_EQ(s, SLIM_OK) << slim_status_get_message(s);
  slim_status_destroy(s);
  return v;
}

} // namespace

TEST(Version, MacrosMatchFunctions) {
  EXPECT_EQ(slim_runtime_version(), uint32_t(SLIM_RUNTIME_VERSION));
  EXPECT_EQ(slim_checkpoint_format_version(),
            uint32_t(SLIM_CHECKPOINT_FORMAT_VERSION));
  EXPECT_EQ(slim_model_abi_version(), uint32_t(SLIM_MODEL_ABI_VERSION));
  EXPECT_EQ(SLIM_RUNTIME_VERSION >> 16, SLIM_RUNTIME_VERSION_MAJOR);
}

TEST(Status, NullIsOk) {
  EXPECT_EQ(slim_status_get_code(SLIM_OK), SLIM_STATUS_OK);
  EXPECT_STREQ(slim_status_get_message(SLIM_OK), "");
  slim_status_destroy(SLIM_OK);
  EXPECT_STREQ(slim_status_code_name(SLIM_STATUS_DATA_LOSS), "DATA_LOSS");
  EXPECT_STREQ(slim_status_code_name(slim_status_code(1234)), "UNKNOWN");
}

TEST(Dtype, SizesAndNames) {
  EXPECT_EQ(slim_dtype_size(SLIM_DTYPE_F32), 4u);
  EXPECT_EQ(slim_dtype_size(SLIM_DTYPE_I64), 8u);
  EXPECT_EQ(slim_dtype_size(SLIM_DTYPE_U8), 1u);
  EXPECT_EQ(slim_dtype_size(SLIM_DTYPE_INVALID), 0u);
  EXPECT_STREQ(slim_dtype_name(SLIM_DTYPE_F64), "float64");
  EXPECT_STREQ(slim_dtype_name(slim_dtype(77)), "invalid");
}

TEST(ModelOpen, DescribesInputsOutputsVariables) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  EXPECT_STREQ(slim_model_name(m), "test_dense");
  EXPECT_EQ(slim_model_get_definition(m)->abi_version,
            uint32_t(SLIM_MODEL_ABI_VERSION));
  ASSERT_EQ(slim_model_num_inputs(m), 1u);
  ASSERT_EQ(slim_model_num_outputs(m), 2u);
  ASSERT_EQ(slim_model_num_variables(m), 5u);

  slim_tensor_info t;
  SLIM_ASSERT_OK(slim_model_input_info(m, 0, &t));
  EXPECT_STREQ(t.name, "x");
  EXPECT_EQ(t.dtype, SLIM_DTYPE_F32);
  ASSERT_EQ(t.rank, 2);
  EXPECT_EQ(t.dims[0], 2);
  EXPECT_EQ(t.dims[1], 4);
  EXPECT_EQ(t.size_bytes, 32u);
  SLIM_ASSERT_OK(slim_model_output_info(m, 1, &t));
  EXPECT_STREQ(t.name, "probs");
  EXPECT_EQ(t.num_elements, 6u);

  slim_variable_info v;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 0, &v));
  EXPECT_STREQ(v.tensor.name, "net/fc1/weights");
  EXPECT_TRUE(v.is_model_variable);
  EXPECT_TRUE(v.trainable);
  EXPECT_FALSE(v.initialized);
  EXPECT_DOUBLE_EQ(v.regularizer.l2_scale, 0.01);
  SLIM_ASSERT_OK(slim_model_variable_info(m, 4, &v));
  EXPECT_STREQ(v.tensor.name, "global_step");
  EXPECT_EQ(v.tensor.dtype, SLIM_DTYPE_I64);
  EXPECT_EQ(v.tensor.rank, 0);
  EXPECT_EQ(v.tensor.size_bytes, 8u);
  EXPECT_FALSE(v.is_model_variable);
  EXPECT_FALSE(v.trainable);
  EXPECT_STREQ(v.device, "/device:CPU:0");

  size_t idx = 99;
  SLIM_ASSERT_OK(slim_model_find_input(m, "x", &idx));
  EXPECT_EQ(idx, 0u);
  SLIM_ASSERT_OK(slim_model_find_output(m, "probs", &idx));
  EXPECT_EQ(idx, 1u);
  SLIM_ASSERT_OK(slim_model_find_variable(m, "net/fc2/biases", &idx));
  EXPECT_EQ(idx, 3u);
  slim_model_destroy(m);
}

TEST(ModelOpen, IndexAndNameErrors) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  slim_tensor_info t;
  slim_variable_info v;
  size_t idx;
  SLIM_EXPECT_ERROR(slim_model_input_info(m, 1, &t), SLIM_STATUS_OUT_OF_RANGE,
                    "input index 1 out of range: model 'test_dense' has 1");
  SLIM_EXPECT_ERROR(slim_model_output_info(m, 2, &t), SLIM_STATUS_OUT_OF_RANGE,
                    "output index 2");
  SLIM_EXPECT_ERROR(slim_model_variable_info(m, 5, &v),
                    SLIM_STATUS_OUT_OF_RANGE, "variable index 5");
  SLIM_EXPECT_ERROR(slim_model_input_info(m, 0, nullptr),
                    SLIM_STATUS_INVALID_ARGUMENT, "out_info is null");
  SLIM_EXPECT_ERROR(slim_model_find_input(m, "y", &idx), SLIM_STATUS_NOT_FOUND,
                    "has no input named 'y'");
  SLIM_EXPECT_ERROR(slim_model_find_output(m, "y", &idx), SLIM_STATUS_NOT_FOUND,
                    "has no output named 'y'");
  SLIM_EXPECT_ERROR(slim_model_find_variable(m, "fc1/weights", &idx),
                    SLIM_STATUS_NOT_FOUND, "has no variable 'fc1/weights'");
  SLIM_EXPECT_ERROR(slim_model_find_variable(m, nullptr, &idx),
                    SLIM_STATUS_INVALID_ARGUMENT, "name is null");
  slim_model_destroy(m);
}

TEST(ModelOpen, Failures) {
  slim_model *m = nullptr;
  SLIM_EXPECT_ERROR(slim_model_open("/nonexistent/model.so", &m),
                    SLIM_STATUS_NOT_FOUND,
                    "cannot load model library '/nonexistent/model.so'");
  SLIM_EXPECT_ERROR(
      slim_model_open(modelPath("test_dense_noexport").c_str(), &m),
      SLIM_STATUS_NOT_FOUND,
      "is not a slimc model: it does not export "
      "slim_model_get_def");
  SLIM_EXPECT_ERROR(
      slim_model_open(modelPath("test_dense_badabi").c_str(), &m),
      SLIM_STATUS_INCOMPATIBLE,
      "model was built for model ABI version 999; this runtime implements "
      "version " +
          std::to_string(SLIM_MODEL_ABI_VERSION));
  SLIM_EXPECT_ERROR(slim_model_open(modelPath("test_dense_isa").c_str(), &m),
                    SLIM_STATUS_INCOMPATIBLE,
                    "needs CPU features this machine (or its OS) lacks: "
                    "unknown bit 30");
  SLIM_EXPECT_ERROR(slim_model_open(nullptr, &m), SLIM_STATUS_INVALID_ARGUMENT,
                    "model path is null");
  // A bare name is a file in the current directory, never a library that
  // dlopen would find on the search path (libm.so.6 exists there).
  SLIM_EXPECT_ERROR(slim_model_open("libm.so.6", &m), SLIM_STATUS_NOT_FOUND,
                    "cannot load model library 'libm.so.6'");
  {
    std::string dir = SLIM_TEST_MODEL_DIR;
    char cwd[4096];
    ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
    ASSERT_EQ(chdir(dir.c_str()), 0);
    slim_status st = slim_model_open("test_dense.so", &m);
    EXPECT_EQ(slim_status_get_code(st), SLIM_STATUS_OK)
        << slim_status_get_message(st);
    slim_status_destroy(st);
    slim_model_destroy(m);
    m = nullptr;
    ASSERT_EQ(chdir(cwd), 0);
  }
  SLIM_EXPECT_ERROR(slim_model_open(modelPath("test_dense").c_str(), nullptr),
                    SLIM_STATUS_INVALID_ARGUMENT, "out_model is null");
  EXPECT_EQ(m, nullptr);
  slim_model_destroy(nullptr); // Must be a no-op.
}

TEST(ModelOpen, MissingIsaIsRefusedByName) {
  // Build a definition that needs a feature this CPU lacks (if any).
  uint32_t lacking = SLIM_ISA_KNOWN_MASK & ~slim_cpu_isa();
  if (!lacking)
    GTEST_SKIP() << "this CPU has every ISA extension the runtime knows";
  slim_model_def def = *test_dense_get_def();
  def.required_isa = lacking & (0u - lacking); // Lowest missing bit.
  slim_model *m = nullptr;
  const char *names[] = {"SSE4.2",   "AVX",       "AVX2",     "FMA",
                         "F16C",     "AVX512F",   "AVX512BW", "AVX512DQ",
                         "AVX512VL", "AVX512VNNI"};
  int bit = __builtin_ctz(def.required_isa);
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    std::string("lacks: ") + names[bit]);
}

TEST(ModelOpen, InvalidDefinitionsAreRejected) {
  slim_model *m = nullptr;
  slim_model_def def = *test_dense_get_def();
  def.run = nullptr;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "has no run function");
  def = *test_dense_get_def();
  def.prepare = nullptr;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "declares derived parameters but no prepare function");
  def = *test_dense_get_def();
  slim_tensor_desc badInput = def.inputs[0];
  badInput.dtype = 42;
  def.inputs = &badInput;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "input 'x' has invalid dtype 42");
  badInput = test_dense_get_def()->inputs[0];
  badInput.dims[1] = -3;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "negative dimension");
  def = *test_dense_get_def();
  slim_variable_desc vars[2] = {def.variables[0], def.variables[0]};
  def.variables = vars;
  def.num_variables = 2;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "two variables named 'net/fc1/weights'");
  def = *test_dense_get_def();
  def.arena_alignment = 48;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "non-power-of-two arena alignment");
  SLIM_EXPECT_ERROR(slim_model_open_def(nullptr, &m),
                    SLIM_STATUS_INVALID_ARGUMENT, "model definition is null");
}

// The limits slimc compiles to (slim/contract.h) are the ones the runtime
// loads: a definition past them is refused before anything is allocated.
TEST(ModelOpen, SizesPastTheSharedLimitsAreRejected) {
  slim_model *m = nullptr;
  slim_model_def def = *test_dense_get_def();
  def.arena_size = uint64_t(slim::contract::kMaxArenaBytes) + 1;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "absurd arena size");
  def = *test_dense_get_def();
  def.prepare_scratch_size = uint64_t(slim::contract::kMaxParamBytes) + 1;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "absurd prepare scratch size");
  def = *test_dense_get_def();
  slim_tensor_desc bigInput = def.inputs[0];
  bigInput.rank = 2;
  // One float past 2^48 bytes; and a shape whose product wraps int64.
  bigInput.dims[0] = slim::contract::kMaxTensorBytes / 4 + 1;
  bigInput.dims[1] = 1;
  def.inputs = &bigInput;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_DATA_LOSS,
                    "model input 'x': absurd shape");
  bigInput.dims[0] = bigInput.dims[1] = INT64_MAX;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_DATA_LOSS,
                    "model input 'x': absurd shape");
  EXPECT_EQ(m, nullptr);
}

TEST(Variables, SetGetAndSizeChecks) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  std::vector<float> w(32);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(i) * 0.25f;
  SLIM_ASSERT_OK(
      slim_model_set_variable(m, "net/fc1/weights", w.data(), w.size() * 4));
  EXPECT_EQ(getVar<float>(m, "net/fc1/weights", 32), w);
  slim_variable_info v;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 0, &v));
  EXPECT_TRUE(v.initialized);

  SLIM_EXPECT_ERROR(slim_model_set_variable(m, "net/fc1/weights", w.data(), 4),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "variable 'net/fc1/weights' [4, 8] float32 has 128 bytes, "
                    "buffer has 4");
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "net/fc1/weights", w.data(), 8),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "has 128 bytes, buffer has 8");
  SLIM_EXPECT_ERROR(slim_model_set_variable(m, "nope", w.data(), 4),
                    SLIM_STATUS_NOT_FOUND,
                    "model 'test_dense' has no variable 'nope'");
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "nope", w.data(), 4),
                    SLIM_STATUS_NOT_FOUND, "has no variable 'nope'");
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "net/fc1/biases", w.data(), 32),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "variable 'net/fc1/biases' has no value yet");
  SLIM_EXPECT_ERROR(slim_model_set_variable(m, "net/fc1/weights", nullptr, 4),
                    SLIM_STATUS_INVALID_ARGUMENT, "source buffer is null");
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "net/fc1/weights", nullptr, 4),
                    SLIM_STATUS_INVALID_ARGUMENT, "destination buffer is null");
  slim_model_destroy(m);
}

TEST(Variables, InitializeFromDeclaredInitializers) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 7));
  auto w1 = getVar<float>(m, "net/fc1/weights", 32);
  float limit = std::sqrt(6.0f / (4 + 8)); // Xavier uniform.
  for (float x : w1)
    EXPECT_LE(std::fabs(x), limit);
  for (float x : getVar<float>(m, "net/fc1/biases", 8))
    EXPECT_EQ(x, 0.0f);
  for (float x : getVar<float>(m, "net/fc2/weights", 24))
    EXPECT_LE(std::fabs(x), 0.2f + 1e-6f); // Truncated at 2 stddev.
  for (float x : getVar<float>(m, "net/fc2/biases", 3))
    EXPECT_EQ(x, 0.1f);
  EXPECT_EQ(getVar<int64_t>(m, "global_step", 1)[0], 0);

  // Same seed, same values; other seed, other values.
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 7));
  EXPECT_EQ(getVar<float>(m, "net/fc1/weights", 32), w1);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 8));
  EXPECT_NE(getVar<float>(m, "net/fc1/weights", 32), w1);
  slim_model_destroy(m);
}

TEST(Variables, RegularizationLoss) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  double loss = -1;
  SLIM_EXPECT_ERROR(slim_model_regularization_loss(m, &loss),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "variable 'net/fc1/weights' has no value yet");
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));
  std::vector<float> w1(32, 0.5f), w2(24, -2.0f);
  SLIM_ASSERT_OK(slim_model_set_variable(m, "net/fc1/weights", w1.data(), 128));
  SLIM_ASSERT_OK(slim_model_set_variable(m, "net/fc2/weights", w2.data(), 96));
  SLIM_ASSERT_OK(slim_model_regularization_loss(m, &loss));
  // l2(0.01) on fc1: 0.01 * 32 * 0.25 / 2; l1_l2(0.001, 0.002) on fc2:
  // 0.001 * 24 * 2 + 0.002 * 24 * 4 / 2.
  double expected = 0.01 * 32 * 0.25 / 2 + 0.001 * 48 + 0.002 * 96 / 2;
  EXPECT_NEAR(loss, expected, 1e-12);
  SLIM_EXPECT_ERROR(slim_model_regularization_loss(m, nullptr),
                    SLIM_STATUS_INVALID_ARGUMENT, "out_loss is null");
  slim_model_destroy(m);
}

TEST(Run, ComputesTheNetworkAndChecksArguments) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[8] = {0.5f, -1, 2, 0.25f, -0.75f, 1.5f, 0, -2};
  float logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};

  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 2),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "has 5 variable(s) without a value (load a checkpoint, set "
                    "them or initialize them first): net/fc1/weights, "
                    "net/fc1/biases");
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 3));
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  float expected[6];
  referenceForward(getVar<float>(m, "net/fc1/weights", 32),
                   getVar<float>(m, "net/fc1/biases", 8),
                   getVar<float>(m, "net/fc2/weights", 24),
                   getVar<float>(m, "net/fc2/biases", 3), x, expected);
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(logits[i], expected[i], 1e-6);
  for (int r = 0; r < 2; ++r)
    EXPECT_NEAR(probs[r * 3] + probs[r * 3 + 1] + probs[r * 3 + 2], 1.0, 1e-6);

  // Changing a variable re-runs prepare (the derived transposed weights).
  std::vector<float> b2 = {1, 2, 3};
  SLIM_ASSERT_OK(slim_model_set_variable(m, "net/fc2/biases", b2.data(), 12));
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(logits[i], expected[i] - 0.1f + b2[i % 3], 1e-5);

  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 2, out, 2),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "model 'test_dense' takes 1 inputs, got 2");
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 1),
                    SLIM_STATUS_INVALID_ARGUMENT, "produces 2 outputs, got 1");
  const void *nullIn[] = {nullptr};
  SLIM_EXPECT_ERROR(slim_context_run(ctx, nullIn, 1, out, 2),
                    SLIM_STATUS_INVALID_ARGUMENT, "input 'x' is null");
  void *nullOut[] = {logits, nullptr};
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, nullOut, 2),
                    SLIM_STATUS_INVALID_ARGUMENT, "output 'probs' is null");
  SLIM_EXPECT_ERROR(slim_context_run(ctx, nullptr, 1, out, 2),
                    SLIM_STATUS_INVALID_ARGUMENT, "inputs array is null");
  // An error reported by the model's own code.
  x[3] = NAN;
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 2), SLIM_STATUS_INTERNAL,
                    "model 'test_dense' failed (1): input 'x' holds NaN at 3");
  // An error reported by the model's prepare.
  x[3] = 0;
  std::vector<float> nanWeights(32, NAN);
  SLIM_ASSERT_OK(
      slim_model_set_variable(m, "net/fc1/weights", nanWeights.data(), 128));
  SLIM_EXPECT_ERROR(slim_context_run(ctx, in, 1, out, 2), SLIM_STATUS_INTERNAL,
                    "model 'test_dense' failed to prepare (2): "
                    "net/fc1/weights holds NaN");
  SLIM_EXPECT_ERROR(slim_context_run(nullptr, in, 1, out, 2),
                    SLIM_STATUS_INVALID_ARGUMENT, "context is null");
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

namespace {
/// `size` bytes that end exactly where an inaccessible page begins, so any
/// access past the end faults instead of going unnoticed.
class GuardedBuffer {
public:
  explicit GuardedBuffer(size_t size) : size(size) {
    page = size_t(sysconf(_SC_PAGESIZE));
    base = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(base, MAP_FAILED);
    EXPECT_EQ(mprotect(static_cast<char *>(base) + page, page, PROT_NONE), 0);
    std::memset(data(), 0x5a, size);
  }
  ~GuardedBuffer() { munmap(base, 2 * page); }
  GuardedBuffer(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(const GuardedBuffer &) = delete;
  void *data() { return static_cast<char *>(base) + page - size; }
  bool untouched() {
    const unsigned char *p = static_cast<const unsigned char *>(data());
    for (size_t i = 0; i < size; ++i)
      if (p[i] != 0x5a)
        return false;
    return true;
  }

private:
  size_t size, page = 0;
  void *base = nullptr;
};
} // namespace

TEST(RunSized, RefusesBuffersOfTheWrongSize) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 3));
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[8] = {0.5f, -1, 2, 0.25f, -0.75f, 1.5f, 0, -2};
  float logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  const size_t inSizes[] = {sizeof(x)}, outSizes[] = {24, 24};

  // Exact sizes run, with the same results as the unsized call.
  SLIM_ASSERT_OK(slim_context_run_sized(ctx, in, inSizes, 1, out, outSizes, 2));
  float wantLogits[6];
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  std::memcpy(wantLogits, logits, sizeof(logits));
  std::memset(logits, 0, sizeof(logits));
  SLIM_ASSERT_OK(slim_context_run_sized(ctx, in, inSizes, 1, out, outSizes, 2));
  EXPECT_EQ(std::memcmp(logits, wantLogits, sizeof(logits)), 0);

  // Undersized buffers sit right before an inaccessible page: the refusal
  // must come before any access (the unsized call would fault here).
  GuardedBuffer shortIn(28), shortOut(20);
  const void *shortInPtrs[] = {shortIn.data()};
  const size_t shortInSizes[] = {28};
  SLIM_EXPECT_ERROR(slim_context_run_sized(ctx, shortInPtrs, shortInSizes, 1,
                                           out, outSizes, 2),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "model 'test_dense': input 'x' ([2, 4] float32) needs a "
                    "buffer of 32 bytes, got 28 bytes");
  void *shortOutPtrs[] = {logits, shortOut.data()};
  const size_t shortOutSizes[] = {24, 20};
  SLIM_EXPECT_ERROR(slim_context_run_sized(ctx, in, inSizes, 1, shortOutPtrs,
                                           shortOutSizes, 2),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "model 'test_dense': output 'probs' ([2, 3] float32) needs "
                    "a buffer of 24 bytes, got 20 bytes");
  EXPECT_TRUE(shortOut.untouched());

  // Oversized buffers are refused too: the caller's shape or dtype differs
  // from the model's. Nothing is written on a refusal.
  float bigX[9] = {}, bigLogits[7];
  std::memset(bigLogits, 0x5a, sizeof(bigLogits));
  const void *bigIn[] = {bigX};
  const size_t bigInSizes[] = {sizeof(bigX)};
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, bigIn, bigInSizes, 1, out, outSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT,
      "input 'x' ([2, 4] float32) needs a buffer of 32 bytes, got 36 bytes");
  void *bigOut[] = {bigLogits, probs};
  const size_t bigOutSizes[] = {sizeof(bigLogits), 24};
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, in, inSizes, 1, bigOut, bigOutSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT,
      "output 'logits' ([2, 3] float32) needs a buffer of 24 bytes, got 28 "
      "bytes");
  unsigned char pattern[sizeof(bigLogits)];
  std::memset(pattern, 0x5a, sizeof(pattern));
  EXPECT_EQ(std::memcmp(bigLogits, pattern, sizeof(pattern)), 0);

  // A size array is required whenever there are buffers.
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, in, nullptr, 1, out, outSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT, "input_sizes array is null");
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, in, inSizes, 1, out, nullptr, 2),
      SLIM_STATUS_INVALID_ARGUMENT, "output_sizes array is null");
  // The unsized checks still apply, before the sizes are read.
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, in, inSizes, 1, out, outSizes, 1),
      SLIM_STATUS_INVALID_ARGUMENT, "produces 2 outputs, got 1");
  const void *nullIn[] = {nullptr};
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(ctx, nullIn, inSizes, 1, out, outSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT, "input 'x' is null");
  SLIM_EXPECT_ERROR(
      slim_context_run_sized(nullptr, in, inSizes, 1, out, outSizes, 2),
      SLIM_STATUS_INVALID_ARGUMENT, "context is null");
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(Context, ApplicationArenaAndOwnership) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  const slim_model_def *def = slim_model_get_definition(m);
  ASSERT_EQ(def->arena_size, 64u);
  alignas(64) unsigned char arena[128];
  slim_context *ctx = nullptr;
  SLIM_EXPECT_ERROR(slim_context_create(m, arena, 16, &ctx),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "arena of 16 bytes is smaller than the 64 bytes");
  SLIM_EXPECT_ERROR(slim_context_create(m, arena + 4, 100, &ctx),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "arena is not aligned to 64 bytes");
  SLIM_EXPECT_ERROR(slim_context_create(m, nullptr, 0, nullptr),
                    SLIM_STATUS_INVALID_ARGUMENT, "out_context is null");
  SLIM_ASSERT_OK(slim_context_create(m, arena, sizeof(arena), &ctx));
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));
  // The context keeps the model alive after the application drops it.
  slim_model_destroy(m);
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  SLIM_EXPECT_ERROR(slim_context_set_max_threads(ctx, -1),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "max_threads must be >= 0, got -1");
  SLIM_ASSERT_OK(slim_context_set_max_threads(ctx, 1));
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  slim_context_destroy(ctx);
  slim_context_destroy(nullptr);
}

TEST(Context, Profiling) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  ASSERT_EQ(slim_context_num_profiled_layers(ctx), 3u);
  SLIM_ASSERT_OK(slim_context_enable_profiling(ctx, 1));
  float x[8] = {}, logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  for (int i = 0; i < 5; ++i)
    SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  slim_layer_profile p;
  SLIM_ASSERT_OK(slim_context_layer_profile(ctx, 0, &p));
  EXPECT_STREQ(p.name, "net/fc1");
  EXPECT_STREQ(p.op, "fully_connected+relu");
  EXPECT_DOUBLE_EQ(p.flops, 2.0 * 2 * 4 * 8);
  EXPECT_EQ(p.calls, 5u);
  EXPECT_GT(p.total_ns, 0.0);
  SLIM_EXPECT_ERROR(slim_context_layer_profile(ctx, 3, &p),
                    SLIM_STATUS_OUT_OF_RANGE,
                    "layer 3 out of range: model 'test_dense' declares 3");
  SLIM_ASSERT_OK(slim_context_enable_profiling(ctx, 0));
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  SLIM_ASSERT_OK(slim_context_layer_profile(ctx, 0, &p));
  EXPECT_EQ(p.calls, 5u); // Not counted while off.
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(StaticModel, OpenFromLinkedDefinition) {
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open_def(test_dense_get_def(), &m));
  EXPECT_STREQ(slim_model_name(m), "test_dense");
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 5));
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[8] = {1, 0, 0, 0, 0, 1, 0, 0}, logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(Freeze, HoldsWeightsOnceAndMakesTheModelReadOnly) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  // No storage before any variable has a value.
  EXPECT_EQ(mem.variable_bytes, 0u);
  EXPECT_EQ(mem.param_bytes, 4u * (8 * 4 + 3 * 9));
  EXPECT_EQ(mem.arena_bytes_per_context, 64u);
  EXPECT_EQ(mem.prepare_scratch_bytes, 4u * 32);
  // Freezing needs every value.
  SLIM_EXPECT_ERROR(slim_model_freeze(m), SLIM_STATUS_FAILED_PRECONDITION,
                    "variable(s) without a value");
  EXPECT_EQ(slim_model_is_frozen(m), 0);

  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 9));
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  const uint64_t all = 4 * (32 + 8 + 24 + 3) + 8;
  EXPECT_EQ(mem.variable_bytes, all);
  float expected[6], x[8] = {1, -2, 3, 0.5f, 0, 1, 2, -1};
  referenceForward(getVar<float>(m, "net/fc1/weights", 32),
                   getVar<float>(m, "net/fc1/biases", 8),
                   getVar<float>(m, "net/fc2/weights", 24),
                   getVar<float>(m, "net/fc2/biases", 3), x, expected);
  double lossBefore = 0;
  SLIM_ASSERT_OK(slim_model_regularization_loss(m, &lossBefore));

  SLIM_ASSERT_OK(slim_model_freeze(m));
  EXPECT_EQ(slim_model_is_frozen(m), 1);
  SLIM_ASSERT_OK(slim_model_freeze(m)); // Idempotent.
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  // fc1/weights, fc2/weights and fc2/biases live on only in the params.
  EXPECT_EQ(mem.released_variable_bytes, 4u * (32 + 24 + 3));
  EXPECT_EQ(mem.variable_bytes, all - mem.released_variable_bytes);
  slim_variable_info info;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 0, &info));
  EXPECT_TRUE(info.prepare_only && info.released);
  SLIM_ASSERT_OK(slim_model_variable_info(m, 1, &info));
  EXPECT_TRUE(!info.prepare_only && !info.released);

  // Runs still compute the same network.
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(logits[i], expected[i], 1e-6);

  // What needs a released variable, or changes any, is refused.
  float w[32];
  SLIM_EXPECT_ERROR(slim_model_get_variable(m, "net/fc1/weights", w, 128),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "variable 'net/fc1/weights' of model 'test_dense' was "
                    "released by slim_model_freeze");
  EXPECT_EQ(getVar<float>(m, "net/fc1/biases", 8).size(), 8u);
  SLIM_EXPECT_ERROR(slim_model_set_variable(m, "net/fc1/biases", w, 32),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "cannot set a variable: model 'test_dense' is frozen");
  SLIM_EXPECT_ERROR(slim_model_initialize_variables(m, 1),
                    SLIM_STATUS_FAILED_PRECONDITION, "is frozen");
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(
                        m, fixture("dense_v2/model.ckpt").c_str(), nullptr),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "cannot restore a checkpoint");
  TempDir dir;
  SLIM_EXPECT_ERROR(
      slim_model_save_checkpoint(m, (dir.path + "/x.safetensors").c_str()),
      SLIM_STATUS_FAILED_PRECONDITION, "cannot save a checkpoint");
  double loss = 0;
  SLIM_EXPECT_ERROR(slim_model_regularization_loss(m, &loss),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "cannot compute the regularization loss");
  SLIM_EXPECT_ERROR(slim_model_freeze(nullptr), SLIM_STATUS_INVALID_ARGUMENT,
                    "model is null");
  SLIM_EXPECT_ERROR(slim_model_memory_info(m, nullptr),
                    SLIM_STATUS_INVALID_ARGUMENT, "out_info is null");
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

TEST(Freeze, UnmapsTheCheckpoint) {
  TempDir dir;
  std::string path = dir.path + "/dense.safetensors";
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 4));
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  slim_model_destroy(m);

  m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_load_checkpoint(m, path.c_str(), nullptr));
  slim_memory_info mem;
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  // Tensors that happen to be 64-byte aligned in the file are mapped, not
  // copied.
  EXPECT_GT(mem.mapped_variable_bytes, 0u);
  SLIM_ASSERT_OK(slim_model_freeze(m));
  SLIM_ASSERT_OK(slim_model_memory_info(m, &mem));
  // Kept variables were copied out, so nothing holds the mapping.
  EXPECT_EQ(mem.mapped_variable_bytes, 0u);
  EXPECT_EQ(mem.variable_bytes, 4u * 8 + 8);
  slim_model_destroy(m);
}

extern "C" int32_t test_dense_last_num_threads;

TEST(Context, ModelDefaultThreadCount) {
  SLIM_ASSERT_OK(slim_set_num_threads(3));
  slim_model_def def = *test_dense_get_def();
  def.default_num_threads = 2;
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open_def(&def, &m));
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 5));
  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float x[8] = {1, 0, 0, 0, 0, 1, 0, 0}, logits[6], probs[6];
  const void *in[] = {x};
  void *out[] = {logits, probs};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  EXPECT_EQ(__atomic_load_n(&test_dense_last_num_threads, __ATOMIC_RELAXED), 2);
  // The application still decides: 0 = the whole pool.
  SLIM_ASSERT_OK(slim_context_set_max_threads(ctx, 0));
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  EXPECT_EQ(__atomic_load_n(&test_dense_last_num_threads, __ATOMIC_RELAXED), 3);
  slim_context_destroy(ctx);
  slim_model_destroy(m);

  def.default_num_threads = -1;
  SLIM_EXPECT_ERROR(slim_model_open_def(&def, &m), SLIM_STATUS_INCOMPATIBLE,
                    "negative default thread count");
  SLIM_ASSERT_OK(slim_set_num_threads(0));
}

TEST(ThreadPool, SetAndGet) {
  SLIM_ASSERT_OK(slim_set_num_threads(3));
  EXPECT_EQ(slim_get_num_threads(), 3);
  SLIM_EXPECT_ERROR(slim_set_num_threads(-2), SLIM_STATUS_INVALID_ARGUMENT,
                    "thread count -2 out of range");
  EXPECT_EQ(slim_get_num_threads(), 3);
  SLIM_ASSERT_OK(slim_set_num_threads(0));
  EXPECT_GE(slim_get_num_threads(), 1);
}

extern "C" int slim_c_api_smoke(const char *model_path, const char *checkpoint,
                                const char *save_path, char *msg, size_t size);

TEST(CApi, UsableFromC99) {
  TempDir dir;
  char msg[1024] = "";
  std::string save = dir.file("c.safetensors");
  EXPECT_EQ(slim_c_api_smoke(modelPath("test_dense").c_str(),
                             fixture("dense_v2/model.ckpt").c_str(),
                             save.c_str(), msg, sizeof(msg)),
            0)
      << msg;
  slim_checkpoint *tf = nullptr;
  SLIM_ASSERT_OK(slim_checkpoint_open((save + ".tf").c_str(), &tf));
  EXPECT_EQ(slim_checkpoint_get_format(tf), SLIM_CHECKPOINT_TF_V2);
  EXPECT_EQ(slim_checkpoint_num_tensors(tf), 5u);
  slim_checkpoint_destroy(tf);
  EXPECT_EQ(
      slim_c_api_smoke("/nonexistent.so", "", save.c_str(), msg, sizeof(msg)),
      1);
  EXPECT_NE(std::string(msg).find("NOT_FOUND: cannot load model library"),
            std::string::npos)
      << msg;
}
