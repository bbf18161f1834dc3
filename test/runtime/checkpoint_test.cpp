//===- checkpoint_test.cpp - Checkpoints: fixtures, restore, round trips --===//

#include "checkpoint.h"
#include "file_util.h"
#include "test_util.h"

#include <cmath>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace slimtest;

namespace {

struct Tensor {
  slim_dtype dtype;
  std::vector<int64_t> dims;
  std::vector<unsigned char> bytes;
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(bytes.data());
  }
};

/// Every numeric tensor of a checkpoint, through the public C API.
std::map<std::string, Tensor> readAll(const std::string &path) {
  std::map<std::string, Tensor> out;
  slim_checkpoint *ck = nullptr;
  slim_status s = slim_checkpoint_open(path.c_str(), &ck);
  EXPECT_EQ(s, SLIM_OK) << slim_status_get_message(s);
  slim_status_destroy(s);
  if (!ck)
    return out;
  for (size_t i = 0; i < slim_checkpoint_num_tensors(ck); ++i) {
    slim_tensor_info info;
    slim_status_destroy(slim_checkpoint_tensor_info(ck, i, &info));
    if (info.dtype == SLIM_DTYPE_INVALID)
      continue;
    Tensor t{info.dtype, std::vector<int64_t>(info.dims, info.dims + info.rank),
             std::vector<unsigned char>(info.size_bytes)};
    s = slim_checkpoint_read_tensor(ck, info.name, t.bytes.data(),
                                    t.bytes.size());
    EXPECT_EQ(s, SLIM_OK) << slim_status_get_message(s);
    slim_status_destroy(s);
    out[info.name] = std::move(t);
  }
  slim_checkpoint_destroy(ck);
  return out;
}

slim_model *openDense() {
  slim_model *m = nullptr;
  slim_status_destroy(slim_model_open(modelPath("test_dense").c_str(), &m));
  return m;
}

std::vector<unsigned char> variableBytes(slim_model *m, const char *name) {
  size_t idx;
  slim_status_destroy(slim_model_find_variable(m, name, &idx));
  slim_variable_info info;
  slim_status_destroy(slim_model_variable_info(m, idx, &info));
  std::vector<unsigned char> b(info.tensor.size_bytes);
  slim_status_destroy(slim_model_get_variable(m, name, b.data(), b.size()));
  return b;
}

const char *kDenseVars[] = {"net/fc1/weights", "net/fc1/biases",
                            "net/fc2/weights", "net/fc2/biases", "global_step"};

/// Loads `path` into the dense model and checks it against TF's values.
void checkDenseCheckpoint(const std::string &path) {
  auto expected = readAll(fixture("dense_expected.safetensors"));
  ASSERT_EQ(expected.count("output/logits"), 1u);
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_load_checkpoint(m, path.c_str(), nullptr));
  for (const char *name : kDenseVars)
    EXPECT_EQ(variableBytes(m, name), expected[name].bytes) << name;

  slim_context *ctx = nullptr;
  SLIM_ASSERT_OK(slim_context_create(m, nullptr, 0, &ctx));
  float logits[6], probs[6];
  const void *in[] = {expected["input/x"].bytes.data()};
  void *out[] = {logits, probs};
  SLIM_ASSERT_OK(slim_context_run(ctx, in, 1, out, 2));
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(logits[i], expected["output/logits"].as<float>()[i], 1e-5);
    EXPECT_NEAR(probs[i], expected["output/probs"].as<float>()[i], 1e-6);
  }
  double loss = 0;
  SLIM_ASSERT_OK(slim_model_regularization_loss(m, &loss));
  double tfLoss = expected["output/regularization_loss"].as<double>()[0];
  EXPECT_NEAR(loss, tfLoss, 1e-6 * std::fabs(tfLoss));
  slim_context_destroy(ctx);
  slim_model_destroy(m);
}

} // namespace

TEST(TFCheckpoint, V2ListsVariables) {
  slim_checkpoint *ck = nullptr;
  SLIM_ASSERT_OK(
      slim_checkpoint_open(fixture("dense_v2/model.ckpt").c_str(), &ck));
  EXPECT_EQ(slim_checkpoint_get_format(ck), SLIM_CHECKPOINT_TF_V2);
  ASSERT_EQ(slim_checkpoint_num_tensors(ck), 5u);
  slim_tensor_info t;
  SLIM_ASSERT_OK(slim_checkpoint_tensor_info(ck, 0, &t));
  EXPECT_STREQ(t.name, "global_step"); // Sorted by name.
  EXPECT_EQ(t.dtype, SLIM_DTYPE_I64);
  EXPECT_EQ(t.rank, 0);
  SLIM_ASSERT_OK(slim_checkpoint_tensor_info(ck, 3, &t));
  EXPECT_STREQ(t.name, "net/fc2/biases");
  SLIM_ASSERT_OK(slim_checkpoint_tensor_info(ck, 1, &t));
  EXPECT_STREQ(t.name, "net/fc1/biases");
  SLIM_ASSERT_OK(slim_checkpoint_tensor_info(ck, 2, &t));
  EXPECT_STREQ(t.name, "net/fc1/weights");
  ASSERT_EQ(t.rank, 2);
  EXPECT_EQ(t.dims[0], 4);
  EXPECT_EQ(t.dims[1], 8);
  SLIM_EXPECT_ERROR(slim_checkpoint_tensor_info(ck, 5, &t),
                    SLIM_STATUS_OUT_OF_RANGE, "tensor index 5 out of range");
  float buf[32];
  SLIM_EXPECT_ERROR(slim_checkpoint_read_tensor(ck, "nope", buf, 4),
                    SLIM_STATUS_NOT_FOUND, "has no tensor 'nope'");
  SLIM_EXPECT_ERROR(
      slim_checkpoint_read_tensor(ck, "net/fc1/weights", buf, 4),
      SLIM_STATUS_INVALID_ARGUMENT,
      "tensor 'net/fc1/weights' [4, 8] float32 has 128 bytes, buffer has 4");
  slim_checkpoint_destroy(ck);
}

TEST(TFCheckpoint, V2PathSpellings) {
  // The prefix, the .index file and the data file all name the bundle.
  for (const char *p : {"dense_v2/model.ckpt", "dense_v2/model.ckpt.index",
                        "dense_v2/model.ckpt.data-00000-of-00001"}) {
    slim_checkpoint *ck = nullptr;
    SLIM_ASSERT_OK(slim_checkpoint_open(fixture(p).c_str(), &ck));
    EXPECT_EQ(slim_checkpoint_num_tensors(ck), 5u) << p;
    slim_checkpoint_destroy(ck);
  }
}

TEST(TFCheckpoint, V2LoadsIntoModelAndMatchesTensorFlow) {
  checkDenseCheckpoint(fixture("dense_v2/model.ckpt"));
}

TEST(TFCheckpoint, V1LoadsIntoModelAndMatchesTensorFlow) {
  slim_checkpoint *ck = nullptr;
  SLIM_ASSERT_OK(slim_checkpoint_open(fixture("dense_v1.ckpt").c_str(), &ck));
  EXPECT_EQ(slim_checkpoint_get_format(ck), SLIM_CHECKPOINT_TF_V1);
  slim_checkpoint_destroy(ck);
  checkDenseCheckpoint(fixture("dense_v1.ckpt"));
}

TEST(TFCheckpoint, MiscDtypesV2AndV1) {
  auto expected = readAll(fixture("misc_expected.safetensors"));
  ASSERT_GT(expected.size(), 150u);
  auto v2 = readAll(fixture("misc_v2/ckpt"));
  auto v1 = readAll(fixture("misc_v1.ckpt"));
  for (auto &[name, t] : expected) {
    if (name == "s/sliced")
      continue;
    ASSERT_EQ(v2.count(name), 1u) << name;
    EXPECT_EQ(v2[name].dtype, t.dtype) << name;
    EXPECT_EQ(v2[name].dims, t.dims) << name;
    EXPECT_EQ(v2[name].bytes, t.bytes) << name;
    if (name.rfind("many/", 0) == 0)
      continue; // Only in V2.
    ASSERT_EQ(v1.count(name), 1u) << name;
    EXPECT_EQ(v1[name].dims, t.dims) << name;
    EXPECT_EQ(v1[name].bytes, t.bytes) << name;
  }
  auto sliced = readAll(fixture("misc_v1_sliced.ckpt"));
  ASSERT_EQ(sliced.count("s/sliced"), 1u);
  EXPECT_EQ(sliced["s/sliced"].dims, (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(sliced["s/sliced"].bytes, expected["s/sliced"].bytes);
}

TEST(TFCheckpoint, UnsupportedDtypeIsListedButNotLoadable) {
  slim_checkpoint *ck = nullptr;
  SLIM_ASSERT_OK(slim_checkpoint_open(fixture("misc_v2/ckpt").c_str(), &ck));
  bool found = false;
  for (size_t i = 0; i < slim_checkpoint_num_tensors(ck); ++i) {
    slim_tensor_info t;
    SLIM_ASSERT_OK(slim_checkpoint_tensor_info(ck, i, &t));
    if (std::string(t.name) == "c/string") {
      found = true;
      EXPECT_EQ(t.dtype, SLIM_DTYPE_INVALID);
    }
  }
  EXPECT_TRUE(found);
  char buf[16];
  SLIM_EXPECT_ERROR(slim_checkpoint_read_tensor(ck, "c/string", buf, 0),
                    SLIM_STATUS_UNIMPLEMENTED,
                    "tensor 'c/string' has dtype string, which the runtime "
                    "cannot load");
  slim_checkpoint_destroy(ck);
}

TEST(Safetensors, RoundTripIsBitExact) {
  TempDir dir;
  slim_model *a = openDense();
  ASSERT_NE(a, nullptr);
  SLIM_ASSERT_OK(slim_model_load_checkpoint(
      a, fixture("dense_v2/model.ckpt").c_str(), nullptr));
  std::string path = dir.file("dense.safetensors");
  SLIM_ASSERT_OK(slim_model_save_checkpoint(a, path.c_str()));

  // The header is padded so the data section starts 64-byte aligned.
  auto bytes = readFile(path);
  uint64_t headerLen;
  std::memcpy(&headerLen, bytes.data(), 8);
  EXPECT_EQ((8 + headerLen) % 64, 0u);

  slim_model *b = openDense();
  SLIM_ASSERT_OK(slim_model_load_checkpoint(b, path.c_str(), nullptr));
  for (const char *name : kDenseVars)
    EXPECT_EQ(variableBytes(a, name), variableBytes(b, name)) << name;
  // Saving the reloaded model reproduces the file byte for byte.
  std::string again = dir.file("again.safetensors");
  SLIM_ASSERT_OK(slim_model_save_checkpoint(b, again.c_str()));
  EXPECT_EQ(readFile(again), bytes);

  // A variable loaded in place from the mapping is copied before writing.
  std::vector<float> zeros(8, 0.0f);
  SLIM_ASSERT_OK(
      slim_model_set_variable(b, "net/fc1/biases", zeros.data(), 32));
  EXPECT_EQ(readFile(path), bytes);
  slim_model_destroy(a);
  slim_model_destroy(b);
}

TEST(Safetensors, SaveReplacesAtomicallyAndLeavesNoTemporaries) {
  TempDir dir;
  std::string path = dir.file("m.safetensors");
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_EXPECT_ERROR(slim_model_save_checkpoint(m, path.c_str()),
                    SLIM_STATUS_FAILED_PRECONDITION,
                    "variable 'net/fc1/weights' has no value yet");
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  auto first = readFile(path);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 2));
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  EXPECT_NE(readFile(path), first);
  DIR *d = opendir(dir.path.c_str());
  int files = 0;
  while (dirent *e = readdir(d))
    if (e->d_name[0] != '.')
      ++files;
  closedir(d);
  EXPECT_EQ(files, 1);
  SLIM_EXPECT_ERROR(
      slim_model_save_checkpoint(m, "/nonexistent-dir/x.safetensors"),
      SLIM_STATUS_IO_ERROR,
      "cannot create a temporary file next to "
      "'/nonexistent-dir/x.safetensors'");
  slim_model_destroy(m);
}

namespace {
bool exists(const std::string &path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

/// Backdates a file (not a symlink's target) by an hour, past the age below
/// which a save leaves an unlocked temporary alone.
void makeOld(const std::string &path) {
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = time(nullptr) - 3600;
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0)
      << path;
}
} // namespace

TEST(Safetensors, SaveRemovesStaleTemporariesOfItsOwnPattern) {
  TempDir dir;
  std::string path = dir.file("m.safetensors");
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));

  std::vector<unsigned char> partial = {'p', 'a', 'r', 't'};
  std::string stale = path + ".tmp.AbC123";
  writeFile(stale, partial);
  makeOld(stale);
  // Young and unlocked: a writer may be between creating and locking it.
  std::string fresh = path + ".tmp.New999";
  writeFile(fresh, partial);
  // Old but locked through another descriptor: a save in progress.
  std::string locked = path + ".tmp.Lock01";
  writeFile(locked, partial);
  makeOld(locked);
  int lockFd = open(locked.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(lockFd, 0);
  ASSERT_EQ(flock(lockFd, LOCK_EX | LOCK_NB), 0);
  // Names the runtime never creates for this path, and a symlink.
  std::vector<std::string> others = {
      path + ".tmp.AbC12",  path + ".tmp.AbC1234",
      path + ".tmp.Ab-123", dir.file("other.safetensors.tmp.AbC123"),
      path + ".tmpXAbC123", dir.file("m.safetensor.tmp.AbC123")};
  for (const std::string &o : others) {
    writeFile(o, partial);
    makeOld(o);
  }
  std::string link = path + ".tmp.Link01";
  ASSERT_EQ(symlink(others[0].c_str(), link.c_str()), 0);
  makeOld(link);

  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  EXPECT_FALSE(exists(stale));
  EXPECT_TRUE(exists(fresh));
  EXPECT_TRUE(exists(locked));
  EXPECT_TRUE(exists(link));
  for (const std::string &o : others)
    EXPECT_TRUE(exists(o)) << o;
  EXPECT_FALSE(readAll(path).empty());

  // Once its writer is gone (the lock with it), the next save removes it.
  close(lockFd);
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  EXPECT_FALSE(exists(locked));
  EXPECT_TRUE(exists(fresh));
  slim_model_destroy(m);
}

TEST(Safetensors, SaveKeepsALiveWritersTemporaryAndCleansUpAfterKill9) {
  TempDir dir;
  std::string path = dir.file("m.safetensors");
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_ASSERT_OK(slim_model_initialize_variables(m, 1));

  // Another process starts writing the same checkpoint and stalls, then is
  // killed mid-write as `kill -9` would.
  int ready[2], release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      slimrt::AtomicFileWriter writer(path);
      writer.write("partial", 7);
      char c = 1;
      if (write(ready[1], &c, 1) != 1)
        _exit(2);
      // Blocks until the parent kills this process.
      (void)!read(release[0], &c, 1);
    } catch (...) {
    }
    _exit(1);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  std::string temp;
  DIR *d = opendir(dir.path.c_str());
  while (dirent *e = readdir(d))
    if (std::string(e->d_name).rfind("m.safetensors.tmp.", 0) == 0)
      temp = dir.file(e->d_name);
  closedir(d);
  ASSERT_FALSE(temp.empty());
  makeOld(temp);

  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  EXPECT_TRUE(exists(temp)) << "a live writer's temporary was removed";

  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  close(ready[0]);
  close(ready[1]);
  close(release[0]);
  close(release[1]);
  EXPECT_TRUE(exists(temp));
  SLIM_ASSERT_OK(slim_model_save_checkpoint(m, path.c_str()));
  EXPECT_FALSE(exists(temp));
  slim_model_destroy(m);
}

TEST(Safetensors, NewerFormatVersionIsRefused) {
  TempDir dir;
  std::string path = dir.file("future.safetensors");
  float v = 1;
  slimrt::writeSafetensors(path, {{"a", SLIM_DTYPE_F32, {1}, &v, 4}},
                           {{"slim.format_version", "99"}});
  slim_checkpoint *ck = nullptr;
  SLIM_EXPECT_ERROR(slim_checkpoint_open(path.c_str(), &ck),
                    SLIM_STATUS_INCOMPATIBLE,
                    "has format version 99; this runtime reads versions up to "
                    "1");
}

TEST(Safetensors, ConvertTensorFlowCheckpoint) {
  TempDir dir;
  std::string out = dir.file("misc.safetensors");
  SLIM_ASSERT_OK(
      slim_checkpoint_convert(fixture("misc_v2/ckpt").c_str(), out.c_str()));
  auto converted = readAll(out);
  auto expected = readAll(fixture("misc_expected.safetensors"));
  expected.erase("s/sliced");
  ASSERT_EQ(converted.size(), expected.size()); // The string is skipped.
  for (auto &[name, t] : expected)
    EXPECT_EQ(converted[name].bytes, t.bytes) << name;
  SLIM_EXPECT_ERROR(slim_checkpoint_convert("/nonexistent", out.c_str()),
                    SLIM_STATUS_NOT_FOUND,
                    "checkpoint '/nonexistent' not found");
}

TEST(Checkpoint, OpenErrors) {
  slim_checkpoint *ck = nullptr;
  SLIM_EXPECT_ERROR(slim_checkpoint_open("/nonexistent/ckpt", &ck),
                    SLIM_STATUS_NOT_FOUND,
                    "checkpoint '/nonexistent/ckpt' not found (looked for "
                    "'/nonexistent/ckpt' and '/nonexistent/ckpt.index')");
  SLIM_EXPECT_ERROR(
      slim_checkpoint_open(fixture("make_fixtures.py").c_str(), &ck),
      SLIM_STATUS_DATA_LOSS, "is not a recognized checkpoint");
  SLIM_EXPECT_ERROR(slim_checkpoint_open(nullptr, &ck),
                    SLIM_STATUS_INVALID_ARGUMENT, "checkpoint path is null");
  EXPECT_EQ(ck, nullptr);
}

//===----------------------------------------------------------------------===//
// Restoring by name
//===----------------------------------------------------------------------===//

TEST(Restore, ExtraScopeInCheckpointGivesOneErrorWithHint) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  std::string msg;
  slim_status_code code =
      consume(slim_model_load_checkpoint(
                  m, fixture("dense_scoped_v2/model.ckpt").c_str(), nullptr),
              &msg);
  EXPECT_EQ(code, SLIM_STATUS_NOT_FOUND);
  for (const char *part :
       {"does not match model 'test_dense': 4 missing, 0 shape/dtype-"
        "mismatched, 4 unexpected",
        "missing from the checkpoint (4):", "net/fc1/weights [4, 8] float32",
        "in the checkpoint but not in the model (4):",
        "outer/net/fc2/biases [3] float32",
        "hint: the checkpoint's names carry an extra scope prefix 'outer/'",
        "restore with model_prefix = \"\" and checkpoint_prefix = "
        "\"outer/\""})
    EXPECT_NE(msg.find(part), std::string::npos) << part << "\nin: " << msg;
  // Nothing was assigned.
  slim_variable_info info;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 4, &info));
  EXPECT_FALSE(info.initialized);

  // Following the hint works.
  slim_restore_options opts;
  slim_restore_options_initialize(&opts);
  opts.checkpoint_prefix = "outer/";
  opts.model_prefix = "";
  SLIM_ASSERT_OK(slim_model_load_checkpoint(
      m, fixture("dense_scoped_v2/model.ckpt").c_str(), &opts));
  SLIM_ASSERT_OK(slim_model_variable_info(m, 0, &info));
  EXPECT_TRUE(info.initialized);
  // global_step is not under 'outer/' in the checkpoint.
  SLIM_ASSERT_OK(slim_model_variable_info(m, 4, &info));
  EXPECT_TRUE(info.initialized);
  slim_model_destroy(m);
}

TEST(Restore, ShapeMismatchAndExcludeHint) {
  TempDir dir;
  std::string path = dir.file("wrong.safetensors");
  std::vector<float> w1(32, 1), b1(8, 2), w2(8 * 4, 3), b2(4, 4);
  int64_t step = 7;
  slimrt::writeSafetensors(
      path,
      {{"net/fc1/weights", SLIM_DTYPE_F32, {4, 8}, w1.data(), 128},
       {"net/fc1/biases", SLIM_DTYPE_F32, {8}, b1.data(), 32},
       {"net/fc2/weights", SLIM_DTYPE_F32, {8, 4}, w2.data(), 128},
       {"net/fc2/biases", SLIM_DTYPE_F32, {4}, b2.data(), 16},
       {"global_step", SLIM_DTYPE_I64, {}, &step, 8}},
      {});
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_EXPECT_ERROR(
      slim_model_load_checkpoint(m, path.c_str(), nullptr),
      SLIM_STATUS_INVALID_ARGUMENT,
      "shape or dtype mismatch (2):\n    net/fc2/weights: model [8, 3] "
      "float32, checkpoint [8, 4] float32\n    net/fc2/biases: model [3] "
      "float32, checkpoint [4] float32");

  // The classic TF-Slim trap: scopes match from the start of the name.
  const char *badExclude[] = {"fc2"};
  slim_restore_options opts;
  slim_restore_options_initialize(&opts);
  opts.exclude_scopes = badExclude;
  opts.num_exclude_scopes = 1;
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(m, path.c_str(), &opts),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "hint: exclude scope 'fc2' matched no variable: scopes "
                    "match from the start of the name (like re.match); did "
                    "you mean 'net/fc2'?");
  const char *goodExclude[] = {"net/fc2"};
  opts.exclude_scopes = goodExclude;
  SLIM_ASSERT_OK(slim_model_load_checkpoint(m, path.c_str(), &opts));
  EXPECT_EQ(variableBytes(m, "net/fc1/biases"),
            std::vector<unsigned char>((unsigned char *)b1.data(),
                                       (unsigned char *)b1.data() + 32));
  slim_variable_info info;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 2, &info));
  EXPECT_FALSE(info.initialized);

  // A dtype mismatch is reported the same way.
  float stepAsFloat = 7;
  std::string path2 = dir.file("dtype.safetensors");
  slimrt::writeSafetensors(
      path2, {{"global_step", SLIM_DTYPE_F32, {}, &stepAsFloat, 4}}, {});
  const char *include[] = {"global_step"};
  slim_restore_options_initialize(&opts);
  opts.include_scopes = include;
  opts.num_include_scopes = 1;
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(m, path2.c_str(), &opts),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "global_step: model [] int64, checkpoint [] float32");
  slim_model_destroy(m);
}

TEST(Restore, IncludeIgnoreMissingAndUnexpected) {
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  slim_restore_options opts;
  slim_restore_options_initialize(&opts);
  // Only fc1, from the TF checkpoint.
  const char *include[] = {"net/fc1/"};
  opts.include_scopes = include;
  opts.num_include_scopes = 1;
  SLIM_ASSERT_OK(slim_model_load_checkpoint(
      m, fixture("dense_v2/model.ckpt").c_str(), &opts));
  slim_variable_info info;
  SLIM_ASSERT_OK(slim_model_variable_info(m, 0, &info));
  EXPECT_TRUE(info.initialized);
  SLIM_ASSERT_OK(slim_model_variable_info(m, 2, &info));
  EXPECT_FALSE(info.initialized);

  // Regular-expression scopes, anchored at the start like re.match.
  const char *regex[] = {"net/fc[12]/b"};
  opts.include_scopes = regex;
  SLIM_ASSERT_OK(slim_model_load_checkpoint(
      m, fixture("dense_v2/model.ckpt").c_str(), &opts));
  SLIM_ASSERT_OK(slim_model_variable_info(m, 3, &info));
  EXPECT_TRUE(info.initialized);
  const char *badRegex[] = {"net/fc[1"};
  opts.include_scopes = badRegex;
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(
                        m, fixture("dense_v2/model.ckpt").c_str(), &opts),
                    SLIM_STATUS_INVALID_ARGUMENT,
                    "include scope 'net/fc[1' is not a valid regular "
                    "expression");

  // The classifier checkpoint has none of these names.
  slim_restore_options_initialize(&opts);
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(
                        m, fixture("classifier_v2/model.ckpt").c_str(), &opts),
                    SLIM_STATUS_NOT_FOUND, "5 missing");
  opts.ignore_missing_vars = 1;
  SLIM_ASSERT_OK(slim_model_load_checkpoint(
      m, fixture("classifier_v2/model.ckpt").c_str(), &opts));
  opts.error_on_unexpected = 1;
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(
                        m, fixture("classifier_v2/model.ckpt").c_str(), &opts),
                    SLIM_STATUS_NOT_FOUND,
                    "in the checkpoint but not in the model (2):\n    "
                    "classifier/logits/biases [5] float32");
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(m, nullptr, &opts),
                    SLIM_STATUS_INVALID_ARGUMENT, "checkpoint path is null");
  slim_model_destroy(m);
}

TEST(Restore, RenamedScopeHint) {
  TempDir dir;
  std::string path = dir.file("renamed.safetensors");
  std::vector<float> w1(32, 1), b1(8, 2), w2(24, 3), b2(3, 4);
  int64_t step = 0;
  slimrt::writeSafetensors(
      path,
      {{"model/fc1/weights", SLIM_DTYPE_F32, {4, 8}, w1.data(), 128},
       {"model/fc1/biases", SLIM_DTYPE_F32, {8}, b1.data(), 32},
       {"model/fc2/weights", SLIM_DTYPE_F32, {8, 3}, w2.data(), 96},
       {"model/fc2/biases", SLIM_DTYPE_F32, {3}, b2.data(), 12},
       {"global_step", SLIM_DTYPE_I64, {}, &step, 8}},
      {});
  slim_model *m = openDense();
  ASSERT_NE(m, nullptr);
  SLIM_EXPECT_ERROR(slim_model_load_checkpoint(m, path.c_str(), nullptr),
                    SLIM_STATUS_NOT_FOUND,
                    "hint: the model's scope 'net/' is called 'model/' in the "
                    "checkpoint (4 of 4 missing variables); restore with "
                    "model_prefix = \"net/\" and checkpoint_prefix = "
                    "\"model/\"");
  slim_restore_options opts;
  slim_restore_options_initialize(&opts);
  opts.model_prefix = "net/";
  opts.checkpoint_prefix = "model/";
  SLIM_ASSERT_OK(slim_model_load_checkpoint(m, path.c_str(), &opts));
  slim_model_destroy(m);
}
