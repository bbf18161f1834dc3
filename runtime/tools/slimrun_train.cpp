//===- slimrun_train.cpp - slimrun --train --------------------------------===//
//
// Step i trains on samples [(i * N) mod len, ...) of the data set, wrapping
// around, in order (no shuffling), so runs are reproducible and comparable
// with TensorFlow fed the same batches.
//
//===----------------------------------------------------------------------===//

#include "slimrun_train.h"

#include "npy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <unistd.h>
#include <vector>

namespace slimrun {
namespace {

std::string shapeOf(const slim_tensor_info &t) {
  return slimrt::shapeString(std::vector<int64_t>(t.dims, t.dims + t.rank));
}

slimrt::NpyArray readArray(const std::string &path, const char *flag) {
  try {
    return slimrt::readNpy(path);
  } catch (const std::exception &e) {
    die(std::string(flag) + ": " + e.what());
  }
}

/// The per-sample part of `a` checked against `t` (dims 1.. of both);
/// returns the number of samples.
int64_t checkSamples(const slimrt::NpyArray &a, const slim_tensor_info &t,
                     const char *flag, const std::string &path) {
  std::vector<int64_t> want(t.dims + 1, t.dims + t.rank);
  std::vector<int64_t> got;
  if (!a.dims.empty())
    got.assign(a.dims.begin() + 1, a.dims.end());
  if (a.dims.empty() || a.dims[0] < 1 || got != want) {
    std::string expected = "[samples";
    for (int64_t d : want)
      expected += ", " + std::to_string(d);
    die(std::string(flag) + " '" + path + "' holds " +
        slimrt::shapeString(a.dims) + " " +
        slim_dtype_name(slim_dtype(a.dtype)) + "; the train step's '" + t.name +
        "' is " + shapeOf(t) + " " + slim_dtype_name(t.dtype) +
        " per step, so the file must hold " + expected + "]");
  }
  return a.dims[0];
}

/// Labels converted to the dtype the train step takes: class ids between
/// int32 and int64 (range checked); float32 only for float32 labels.
std::vector<unsigned char> convertLabels(const slimrt::NpyArray &a,
                                         slim_dtype want,
                                         const std::string &path) {
  if (a.dtype == want)
    return a.data;
  size_t n = a.data.size() / slim_dtype_size(slim_dtype(a.dtype));
  if (want == SLIM_DTYPE_I64 && a.dtype == SLIM_DTYPE_I32) {
    std::vector<unsigned char> out(n * 8);
    for (size_t i = 0; i < n; ++i) {
      int64_t v = reinterpret_cast<const int32_t *>(a.data.data())[i];
      std::memcpy(out.data() + i * 8, &v, 8);
    }
    return out;
  }
  if (want == SLIM_DTYPE_I32 && a.dtype == SLIM_DTYPE_I64) {
    std::vector<unsigned char> out(n * 4);
    for (size_t i = 0; i < n; ++i) {
      int64_t v = reinterpret_cast<const int64_t *>(a.data.data())[i];
      if (v < INT32_MIN || v > INT32_MAX)
        die("--labels '" + path + "': class id " + std::to_string(v) +
            " does not fit the train step's int32 labels");
      int32_t w = int32_t(v);
      std::memcpy(out.data() + i * 4, &w, 4);
    }
    return out;
  }
  die("--labels '" + path + "' holds " + slim_dtype_name(slim_dtype(a.dtype)) +
      "; the train step takes " + slim_dtype_name(want) + " labels" +
      (want == SLIM_DTYPE_F32 ? " (one-hot rows)"
                              : " (class ids: int32 or int64)"));
}

/// Writes `tensors` as a safetensors file (little-endian F32), atomically.
struct NamedTensor {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<float> values;
};

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

void writeSafetensors(const std::string &path,
                      const std::vector<NamedTensor> &tensors) {
  std::string header = "{";
  uint64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const NamedTensor &t = tensors[i];
    uint64_t bytes = t.values.size() * 4;
    header +=
        (i ? "," : "") + jsonString(t.name) + ":{\"dtype\":\"F32\",\"shape\":[";
    for (size_t d = 0; d < t.dims.size(); ++d)
      header += (d ? "," : "") + std::to_string(t.dims[d]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  while (header.size() % 8)
    header += ' ';
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    die("--dump-gradients: cannot write '" + path + "'");
  uint64_t n = header.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>(n >> (8 * i));
  bool ok = std::fwrite(len, 1, 8, f) == 8 &&
            std::fwrite(header.data(), 1, header.size(), f) == header.size();
  for (const NamedTensor &t : tensors)
    ok = ok &&
         std::fwrite(t.values.data(), 4, t.values.size(), f) == t.values.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    die("--dump-gradients: cannot write '" + path + "'");
  }
}

void dumpGradients(slim_model *model, slim_context *ctx,
                   const std::string &path) {
  std::vector<NamedTensor> tensors;
  for (size_t i = 0; i < slim_model_num_gradients(model); ++i) {
    slim_tensor_info t;
    check(slim_model_gradient_info(model, i, &t), "gradient");
    NamedTensor n{t.name, std::vector<int64_t>(t.dims, t.dims + t.rank),
                  std::vector<float>(t.num_elements)};
    check(slim_context_get_gradient(ctx, t.name, n.values.data(), t.size_bytes),
          "gradient");
    tensors.push_back(std::move(n));
  }
  writeSafetensors(path, tensors);
}

} // namespace

int runTraining(slim_model *model, const TrainOptions &o) {
  if (!slim_model_has_train_step(model))
    die(std::string("model '") + slim_model_name(model) +
        "' has no train step: compile the training script with slimc "
        "--train");
  if (slim_model_num_train_inputs(model) != 1 ||
      slim_model_num_labels(model) != 1)
    die(std::string("model '") + slim_model_name(model) + "' trains on " +
        std::to_string(slim_model_num_train_inputs(model)) + " inputs and " +
        std::to_string(slim_model_num_labels(model)) +
        " labels; --data and --labels feed exactly one of each");
  slim_tensor_info in, lab;
  check(slim_model_train_input_info(model, 0, &in), "train input");
  check(slim_model_label_info(model, 0, &lab), "label");
  if (in.rank < 1 || lab.rank < 1)
    die("the train step's input and labels need a batch dimension");
  const int64_t batch = in.dims[0];
  if (o.batch && o.batch != batch)
    die("--batch " + std::to_string(o.batch) +
        ": the train step was compiled for batch " + std::to_string(batch) +
        " (slimc --batch)");

  slimrt::NpyArray data = readArray(o.data, "--data");
  if (data.dtype != SLIM_DTYPE_F32)
    die("--data '" + o.data + "' holds " +
        slim_dtype_name(slim_dtype(data.dtype)) + "; the input '" + in.name +
        "' is float32");
  slimrt::NpyArray labels = readArray(o.labels, "--labels");
  int64_t samples = checkSamples(data, in, "--data", o.data);
  int64_t labelSamples = checkSamples(labels, lab, "--labels", o.labels);
  if (labelSamples != samples)
    die("--data holds " + std::to_string(samples) + " samples but --labels " +
        std::to_string(labelSamples));
  std::vector<unsigned char> labelBytes =
      convertLabels(labels, lab.dtype, o.labels);

  const size_t inSample = in.size_bytes / size_t(batch);
  const size_t labSample = lab.size_bytes / size_t(batch);
  std::vector<unsigned char> inBuf(in.size_bytes), labBuf(lab.size_bytes);
  slim_context *ctx = nullptr;
  check(slim_context_create(model, nullptr, 0, &ctx), "cannot create context");
  std::vector<double> stepMs;
  float firstLoss = 0, lastLoss = 0, lr = 0;
  auto start = std::chrono::steady_clock::now();
  for (long long step = 0; step < o.steps; ++step) {
    for (int64_t k = 0; k < batch; ++k) {
      int64_t sample = (step * batch + k) % samples;
      std::memcpy(inBuf.data() + size_t(k) * inSample,
                  data.data.data() + size_t(sample) * inSample, inSample);
      std::memcpy(labBuf.data() + size_t(k) * labSample,
                  labelBytes.data() + size_t(sample) * labSample, labSample);
    }
    const void *inputs[] = {inBuf.data()};
    const void *labelPtrs[] = {labBuf.data()};
    float loss = 0;
    auto t0 = std::chrono::steady_clock::now();
    check(slim_context_train_step(ctx, inputs, labelPtrs, &loss),
          "train step failed");
    stepMs.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - t0)
                         .count());
    check(slim_context_last_learning_rate(ctx, &lr), "learning rate");
    if (step == 0) {
      firstLoss = loss;
      if (!o.dumpGradients.empty())
        dumpGradients(model, ctx, o.dumpGradients);
    }
    lastLoss = loss;
    if ((step + 1) % o.logEvery == 0 || step + 1 == o.steps) {
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
      std::printf("step %lld/%lld  loss %.4f  lr %g  %.2f steps/s\n", step + 1,
                  o.steps, double(loss), double(lr),
                  seconds > 0 ? double(step + 1) / seconds : 0.0);
      std::fflush(stdout);
    }
  }
  std::vector<double> sorted = stepMs;
  std::sort(sorted.begin(), sorted.end());
  std::printf("summary: %lld steps of batch %lld  first loss %.6f  last loss "
              "%.6f  median step %.3f ms\n",
              o.steps, (long long)batch, double(firstLoss), double(lastLoss),
              sorted[(sorted.size() - 1) / 2]);
  if (!o.dumpGradients.empty())
    std::printf("wrote gradients of step 1 to %s\n", o.dumpGradients.c_str());
  if (!o.saveCheckpoint.empty()) {
    check(slim_model_save_checkpoint_as(model, o.saveCheckpoint.c_str(),
                                        o.saveFormat),
          "cannot save checkpoint");
    std::printf("saved checkpoint %s\n", o.saveCheckpoint.c_str());
  }
  slim_context_destroy(ctx);
  return 0;
}

} // namespace slimrun
