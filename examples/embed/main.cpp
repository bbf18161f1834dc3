//===- main.cpp - Classify an image with a model compiled by slimc --------===//
//
//   slim-embed-example MODEL.so CHECKPOINT IMAGE [--labels FILE] [--top K]
//       [--preprocess unit|inception|vgg] [--threads N]
//
// The smallest complete application of the runtime: open the compiled
// model, restore its TF-Slim checkpoint by variable name, turn an image into
// the model's NHWC input and print the top classes.
//
//===----------------------------------------------------------------------===//

#include "image.h"

#include "slim/slim_runtime.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>

namespace {

const char *kUsage =
    "usage: slim-embed-example MODEL.so CHECKPOINT IMAGE [--labels FILE]\n"
    "           [--top K] [--preprocess unit|inception|vgg] [--threads N]\n"
    "IMAGE is a binary PPM/PGM or a PNG. The model's first input must be\n"
    "float32 [1, H, W, C]; its first output holds the class scores.\n";

std::vector<std::string> readLabels(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open labels file '" + path + "'");
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);)
    labels.push_back(line);
  return labels;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> positional;
  std::string labelsPath;
  int top = 5, threads = 0;
  Preprocess pre = Preprocess::Unit;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--labels")
      labelsPath = value();
    else if (a == "--top")
      top = std::max(1, std::atoi(value().c_str()));
    else if (a == "--threads")
      threads = std::max(0, std::atoi(value().c_str()));
    else if (a == "--preprocess") {
      std::string p = value();
      if (p == "unit")
        pre = Preprocess::Unit;
      else if (p == "inception")
        pre = Preprocess::Inception;
      else if (p == "vgg")
        pre = Preprocess::Vgg;
      else {
        std::fprintf(stderr, "error: unknown preprocessing '%s'\n", p.c_str());
        return 2;
      }
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else
      positional.push_back(a);
  }
  if (positional.size() != 3) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  try {
    if (threads > 0)
      slim::setNumThreads(threads);
    slim::Model model = slim::Model::open(positional[0]);
    model.loadCheckpoint(positional[1]);
    // Inference only from here on: pack the weights now and drop the
    // unpacked copies, so the weights are held once.
    model.freeze();

    slim_tensor_info in = model.input(0);
    if (in.dtype != SLIM_DTYPE_F32 || in.rank != 4 || in.dims[0] != 1 ||
        (in.dims[3] != 3 && in.dims[3] != 1))
      throw std::runtime_error(
          "the model's first input must be float32 [1, H, W, 1 or 3]");
    Image img = loadImage(positional[2]);
    std::vector<float> input =
        preprocess(img, int(in.dims[1]), int(in.dims[2]), int(in.dims[3]), pre);

    // One buffer per output, of exactly its size in bytes (the run checks
    // it); only the first is reported.
    if (model.output(0).dtype != SLIM_DTYPE_F32)
      throw std::runtime_error("the model's first output must be float32");
    std::vector<float> scores(model.output(0).num_elements);
    std::vector<std::vector<unsigned char>> others;
    others.reserve(model.numOutputs());
    std::vector<slim::MutableBuffer> outBufs = {scores};
    for (size_t i = 1; i < model.numOutputs(); ++i) {
      others.emplace_back(model.output(i).size_bytes);
      outBufs.push_back(others.back());
    }

    slim::Context ctx = model.createContext();
    ctx.run({input}, outBufs);

    // Logits become probabilities; outputs that already are stay as is.
    float sum = std::accumulate(scores.begin(), scores.end(), 0.0f);
    bool isDistribution = std::all_of(scores.begin(), scores.end(),
                                      [](float s) { return s >= 0.0f; }) &&
                          std::fabs(sum - 1.0f) < 1e-3f;
    if (!isDistribution) {
      float m = *std::max_element(scores.begin(), scores.end());
      float z = 0;
      for (float &s : scores)
        z += s = std::exp(s - m);
      for (float &s : scores)
        s /= z;
    }
    std::vector<std::string> labels;
    if (!labelsPath.empty())
      labels = readLabels(labelsPath);
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    size_t k = std::min(order.size(), size_t(top));
    std::partial_sort(
        order.begin(), order.begin() + ptrdiff_t(k), order.end(),
        [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    std::printf("%s: top-%zu of %zu classes (%s)\n", positional[2].c_str(), k,
                scores.size(),
                isDistribution ? "model probabilities" : "softmax of logits");
    for (size_t i = 0; i < k; ++i) {
      size_t c = order[i];
      std::string name =
          c < labels.size() ? labels[c] : "class " + std::to_string(c);
      std::printf("%zu. %-30s %.6f\n", i + 1, name.c_str(), scores[c]);
    }
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
