//===- tools_test.cpp - slimrun, slim-ckpt and the embedding example ------===//

#include "checkpoint.h"
#include "npy.h"
#include "test_util.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <sys/wait.h>

using namespace slimtest;

namespace {

struct Result {
  int rc;
  std::string out;
};

/// Runs a shell command, capturing stdout and stderr together.
Result run(const std::string &cmd) {
  Result r{-1, ""};
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p)
    return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    r.out.append(buf, n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string tool(const char *name) {
  return std::string(SLIM_TOOLS_DIR) + "/" + name;
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST(Slimrun, WritesOutputsThatMatchTensorFlow) {
  TempDir dir;
  auto expected = slimrt::openCheckpoint(fixture("dense_expected.safetensors"));
  std::vector<float> x(8), logits(6);
  expected->read(size_t(expected->find("input/x")), x.data());
  expected->read(size_t(expected->find("output/logits")), logits.data());
  slimrt::writeNpy(dir.file("x.npy"), SLIM_DTYPE_F32, {2, 4}, x.data());

  Result r =
      run(tool("slimrun") + " " + modelPath("test_dense") + " --checkpoint " +
          fixture("dense_v1.ckpt") + " --input x=" + dir.file("x.npy") +
          " --output-dir " + dir.file("out") + " --save-checkpoint " +
          dir.file("w.safetensors"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "logits.npy [2, 3] float32")) << r.out;
  slimrt::NpyArray got = slimrt::readNpy(dir.file("out/logits.npy"));
  ASSERT_EQ(got.dims, (std::vector<int64_t>{2, 3}));
  const float *g = reinterpret_cast<const float *>(got.data.data());
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(g[i], logits[size_t(i)], 1e-5);
  EXPECT_TRUE(slimrt::openCheckpoint(dir.file("w.safetensors"))
                  ->find("net/fc1/weights") >= 0);

  // The loss slimrun prints is TensorFlow's for the same weights.
  double tfLoss = 0; // stored as float64 by make_fixtures.py
  expected->read(size_t(expected->find("output/regularization_loss")), &tfLoss);
  r = run(tool("slimrun") + " " + modelPath("test_dense") + " --checkpoint " +
          fixture("dense_v1.ckpt") + " --regularization-loss");
  ASSERT_EQ(r.rc, 0) << r.out;
  size_t at = r.out.find("regularization_loss: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  double printed = std::strtod(r.out.c_str() + at + 21, nullptr);
  EXPECT_NEAR(printed, tfLoss, 1e-5 * std::fabs(tfLoss)) << r.out;
}

TEST(Slimrun, BenchAndProfile) {
  Result r = run(tool("slimrun") + " " + modelPath("test_dense") +
                 " --init-seed 3 --bench 20 --profile --threads 2");
  ASSERT_EQ(r.rc, 0) << r.out;
  for (const char *part :
       {"20 runs after 2 warm-up, 2 threads", "latency ms: min ", "median",
        "p90", "throughput:", "samples/s (batch 2)", "net/fc1",
        "fully_connected+relu", "GFLOP/s", "total"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
}

TEST(Slimrun, Errors) {
  Result r = run(tool("slimrun") + " /nonexistent.so");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "cannot open model: cannot load model library"))
      << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "variable(s) without a value")) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") +
          " --init-seed 1 --input y=/dev/null");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "has no input named 'y'")) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") +
          " --init-seed 1 --input x=" + fixture("make_fixtures.py"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "not a .npy file")) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") + " --checkpoint " +
          fixture("dense_scoped_v2/model.ckpt"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "extra scope prefix 'outer/'")) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") + " --checkpoint " +
          fixture("dense_scoped_v2/model.ckpt") +
          " --checkpoint-prefix outer/");
  EXPECT_EQ(r.rc, 0) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") + " --bogus");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "unknown option '--bogus'")) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") +
          " --init-seed 1 --checkpoint x");
  EXPECT_TRUE(contains(r.out, "exclude each other")) << r.out;
}

extern "C" const slim_model_def *fake_device_get_def(void);

TEST(Slimrun, DeviceModelRunsFromACheckpoint) {
  // Weights saved through the API from the linked copy of the fake device
  // model, then restored by name by slimrun from the library.
  TempDir dir;
  const float w[12] = {0.5f, -1, 2, 1.5f, 0.25f, -0.5f, -2, 1, 0.75f, 0, 3, -1};
  const float scale[3] = {1, 2, -0.5f}, b[3] = {0.125f, -4, 1};
  const float x[8] = {1, -2, 3, 0.5f, -1, 0, 2, 4};
  slim_model *m = nullptr;
  SLIM_ASSERT_OK(slim_model_open_def(fake_device_get_def(), &m));
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/weights", w, 48));
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/scale", scale, 12));
  SLIM_ASSERT_OK(slim_model_set_variable(m, "dense/biases", b, 12));
  SLIM_ASSERT_OK(
      slim_model_save_checkpoint(m, dir.file("w.safetensors").c_str()));
  slim_model_destroy(m);
  slimrt::writeNpy(dir.file("x.npy"), SLIM_DTYPE_F32, {2, 4}, x);

  Result r =
      run(tool("slimrun") + " " + modelPath("fake_device") + " --checkpoint " +
          dir.file("w.safetensors") + " --input x=" + dir.file("x.npy") +
          " --output-dir " + dir.file("out"));
  ASSERT_EQ(r.rc, 0) << r.out;
  slimrt::NpyArray y = slimrt::readNpy(dir.file("out/y.npy"));
  ASSERT_EQ(y.dims, (std::vector<int64_t>{2, 3}));
  const float *got = reinterpret_cast<const float *>(y.data.data());
  for (int r0 = 0; r0 < 2; ++r0)
    for (int j = 0; j < 3; ++j) {
      float want = b[j];
      for (int i = 0; i < 4; ++i)
        want += x[r0 * 4 + i] * (w[i * 3 + j] * scale[j]);
      EXPECT_EQ(got[r0 * 3 + j], want) << r0 << "," << j;
    }
}

TEST(Slimrun, DeviceModelBenchProfileMemory) {
  Result r = run(tool("slimrun") + " " + modelPath("fake_device") +
                 " --init-seed 1 --bench 4 --warmup 1 --profile --memory");
  ASSERT_EQ(r.rc, 0) << r.out;
  for (const char *part :
       {"4 runs after 1 warm-up, on CUDA device Fake Device (host memory) "
        "(1.0 GiB); times include copying inputs and outputs",
        "profile: layer times measured on the device",
        // Per-run device times the fake reports: 1500 ns and 500 ns.
        "dense/matmul", "    0.0015   75.0%", "dense/relu",
        "    0.0005   25.0%", "    0.0020  100.0%",
        "memory: model runs on CUDA device Fake Device (host memory)",
        "(48 B) (device)", "(12 B) (device, read by run)",
        "(80 B) (device, inputs and outputs)", "(24 B) (device)",
        // Frozen: the device holds every weight.
        "variables held", "(0 B) (host)", "variables released", "(72 B)"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
}

TEST(Slimrun, DeviceModelWithoutADevice) {
  Result r =
      run("SLIM_FAKE_DEVICE_PROBE_ERROR='no CUDA driver "
          "(libcuda.so.1 not found)' " +
          tool("slimrun") + " " + modelPath("fake_device") + " --init-seed 1");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "slimrun: error: cannot open model: model "
                              "'fake_device' needs a CUDA device: no CUDA "
                              "driver (libcuda.so.1 not found)"))
      << r.out;
}

TEST(Slimrun, SavesATensorFlowCheckpoint) {
  TempDir dir;
  std::string prefix = dir.file("out");
  Result r = run(tool("slimrun") + " " + modelPath("test_dense") +
                 " --checkpoint " + fixture("dense_v2/model.ckpt") +
                 " --save-checkpoint " + prefix + " --save-format tf");
  ASSERT_EQ(r.rc, 0) << r.out;
  // The variables TensorFlow saved, saved again: the same bytes.
  EXPECT_EQ(readFile(prefix + ".index"),
            readFile(fixture("dense_v2/model.ckpt.index")));
  EXPECT_EQ(readFile(prefix + ".data-00000-of-00001"),
            readFile(fixture("dense_v2/model.ckpt.data-00000-of-00001")));
  r = run(tool("slimrun") + " " + modelPath("test_dense") +
          " --init-seed 1 --save-checkpoint " + dir.file("s.safetensors"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(slimrt::openCheckpoint(dir.file("s.safetensors"))->format(),
            SLIM_CHECKPOINT_SAFETENSORS);
  r = run(tool("slimrun") + " " + modelPath("test_dense") +
          " --init-seed 1 --save-checkpoint " + dir.path + " --save-format tf");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "cannot save checkpoint")) << r.out;
  EXPECT_TRUE(contains(r.out, "names a directory")) << r.out;
  r = run(tool("slimrun") + " " + modelPath("test_dense") +
          " --init-seed 1 --save-checkpoint x --save-format v1");
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(
      contains(r.out, "--save-format expects safetensors or tf, got 'v1'"))
      << r.out;
  r = run(tool("slimrun") + " --help");
  EXPECT_EQ(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "--save-format FORMAT")) << r.out;
}

TEST(SlimCkpt, ConvertToTensorFlow) {
  TempDir dir;
  // safetensors -> TensorFlow V2 -> safetensors keeps every value.
  Result r = run(tool("slim-ckpt") + " convert --to tf " +
                 fixture("dense_expected.safetensors") + " " + dir.file("tf"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "tf.index and " + dir.file("tf") +
                                  ".data-00000-of-00001"))
      << r.out;
  r = run(tool("slim-ckpt") + " list " + dir.file("tf"));
  EXPECT_TRUE(contains(r.out, "# TensorFlow V2")) << r.out;
  EXPECT_TRUE(contains(r.out, "net/fc1/weights\tfloat32\t[4, 8]\t128"))
      << r.out;
  r = run(tool("slim-ckpt") + " verify " + dir.file("tf"));
  EXPECT_EQ(r.rc, 0) << r.out;
  r = run(tool("slim-ckpt") + " convert --to safetensors " + dir.file("tf") +
          " " + dir.file("back.safetensors"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto a = slimrt::openCheckpoint(fixture("dense_expected.safetensors"));
  auto b = slimrt::openCheckpoint(dir.file("back.safetensors"));
  ASSERT_EQ(a->tensors().size(), b->tensors().size());
  for (size_t i = 0; i < a->tensors().size(); ++i) {
    EXPECT_EQ(a->tensors()[i].name, b->tensors()[i].name);
    std::vector<unsigned char> x(a->tensors()[i].sizeBytes),
        y(b->tensors()[i].sizeBytes);
    a->read(i, x.data());
    b->read(i, y.data());
    EXPECT_EQ(x, y) << a->tensors()[i].name;
  }
  r = run(tool("slim-ckpt") + " convert --to v1 " +
          fixture("dense_expected.safetensors") + " " + dir.file("x"));
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.out, "convert [--to safetensors|tf] CKPT OUT"))
      << r.out;
  r = run(tool("slim-ckpt") + " --help");
  EXPECT_EQ(r.rc, 0);
  EXPECT_TRUE(contains(r.out, "TensorFlow V2 checkpoint: OUT is a prefix"))
      << r.out;
}

TEST(SlimCkpt, ListVerifyConvert) {
  for (const char *ck :
       {"dense_v2/model.ckpt", "dense_v1.ckpt", "dense_expected.safetensors"}) {
    Result r = run(tool("slim-ckpt") + " list " + fixture(ck));
    ASSERT_EQ(r.rc, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "net/fc1/weights\tfloat32\t[4, 8]\t128"))
        << ck << "\n"
        << r.out;
    r = run(tool("slim-ckpt") + " verify " + fixture(ck));
    EXPECT_EQ(r.rc, 0) << r.out;
  }
  Result r = run(tool("slim-ckpt") + " list " + fixture("misc_v2/ckpt"));
  EXPECT_TRUE(contains(r.out, "# TensorFlow V2, 157 tensors")) << r.out;
  EXPECT_TRUE(contains(r.out, "c/string\tunsupported\t[]")) << r.out;

  TempDir dir;
  r = run(tool("slim-ckpt") + " convert " + fixture("dense_v2/model.ckpt") +
          " " + dir.file("d.safetensors"));
  ASSERT_EQ(r.rc, 0) << r.out;
  auto a = slimrt::openCheckpoint(fixture("dense_v2/model.ckpt"));
  auto b = slimrt::openCheckpoint(dir.file("d.safetensors"));
  ASSERT_EQ(a->tensors().size(), b->tensors().size());
  for (size_t i = 0; i < a->tensors().size(); ++i) {
    std::vector<unsigned char> x(a->tensors()[i].sizeBytes),
        y(b->tensors()[i].sizeBytes);
    a->read(i, x.data());
    b->read(i, y.data());
    EXPECT_EQ(x, y) << a->tensors()[i].name;
  }

  // Damaged data: verify reports the CRC mismatch.
  writeFile(dir.file("c.index"),
            readFile(fixture("dense_v2/model.ckpt.index")));
  auto data = readFile(fixture("dense_v2/model.ckpt.data-00000-of-00001"));
  data[3] ^= 1;
  writeFile(dir.file("c.data-00000-of-00001"), data);
  r = run(tool("slim-ckpt") + " verify " + dir.file("c"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "CRC32C mismatch in the data of tensor"))
      << r.out;
  r = run(tool("slim-ckpt") + " frobnicate x");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(contains(r.out, "usage: slim-ckpt list CKPT")) << r.out;
}

TEST(EmbedExample, ClassifiesPpmAndPngLikeTensorFlow) {
  auto expected =
      slimrt::openCheckpoint(fixture("classifier_expected.safetensors"));
  std::vector<float> probs(5);
  expected->read(size_t(expected->find("output/predictions")), probs.data());
  std::vector<size_t> order = {0, 1, 2, 3, 4};
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return probs[a] > probs[b]; });
  for (const char *image : {"image.ppm", "image.png"}) {
    Result r = run(std::string(SLIM_EMBED_EXAMPLE) + " " +
                   modelPath("test_classifier") + " " +
                   fixture("classifier_v2/model.ckpt") + " " + fixture(image));
    ASSERT_EQ(r.rc, 0) << r.out;
    EXPECT_TRUE(contains(r.out, "top-5 of 5 classes (model probabilities)"))
        << r.out;
    std::istringstream lines(r.out);
    std::string line;
    std::getline(lines, line); // Header.
    for (size_t rank = 0; rank < 5; ++rank) {
      ASSERT_TRUE(std::getline(lines, line)) << r.out;
      size_t cls;
      float score;
      ASSERT_EQ(std::sscanf(line.c_str(), "%*zu. class %zu %f", &cls, &score),
                2)
          << line;
      EXPECT_EQ(cls, order[rank]) << r.out;
      EXPECT_NEAR(score, probs[cls], 2e-5) << r.out;
    }
  }
  Result r =
      run(std::string(SLIM_EMBED_EXAMPLE) + " " + modelPath("test_classifier") +
          " " + fixture("classifier_v2/model.ckpt") + " " +
          fixture("make_fixtures.py"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(contains(r.out, "is neither a binary PPM/PGM nor a PNG image"))
      << r.out;
}
