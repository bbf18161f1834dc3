//===- run_batches.cpp - Many batches of one library in one process -------===//
//
// usage: run_batches MODEL.so SEED B1 B2 ...
//
// Opens a library compiled with --max-batch, initializes its variables from
// SEED, and in one process and one context runs batch B1, B2, ... in that
// order, each on the first B samples of one fixed max-batch input. Every
// sample of every run must equal (to 1e-5 of the output's largest
// magnitude) that sample run alone at batch 1, computed first. Catches
// state that keeps the batch of an earlier call (a static local, say),
// which separate slimrun processes cannot. Prints one line per run.
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: run_batches MODEL.so SEED B1 B2 ...\n");
    return 2;
  }
  try {
    slim::Model model = slim::Model::open(argv[1]);
    model.initializeVariables(std::strtoull(argv[2], nullptr, 10));
    const int64_t n = model.maxBatch();
    if (!model.hasDynamicBatch() || model.numInputs() != 1) {
      std::fprintf(stderr, "run_batches: needs a one-input dynamic model\n");
      return 2;
    }
    slim_tensor_info in = model.input(0);
    const size_t inSample = in.num_elements / size_t(n);
    std::vector<float> x(in.num_elements);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = float((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    const size_t numOutputs = model.numOutputs();
    std::vector<size_t> outSample(numOutputs);
    for (size_t o = 0; o < numOutputs; ++o)
      outSample[o] = model.output(o).num_elements / size_t(n);
    slim::Context ctx = model.createContext();
    // reference[o][s]: output o of sample s run alone.
    std::vector<std::vector<std::vector<float>>> reference(numOutputs);
    std::vector<double> scale(numOutputs, 0.0);
    for (int64_t s = 0; s < n; ++s) {
      std::vector<std::vector<float>> y(numOutputs);
      std::vector<slim::MutableBuffer> outs;
      for (size_t o = 0; o < numOutputs; ++o) {
        y[o].resize(outSample[o]);
        outs.emplace_back(y[o]);
      }
      ctx.runBatch(1, {{x.data() + s * inSample, inSample * 4}}, outs);
      for (size_t o = 0; o < numOutputs; ++o) {
        for (float v : y[o])
          scale[o] = std::max(scale[o], double(std::fabs(v)));
        reference[o].push_back(y[o]);
      }
    }
    int failures = 0;
    for (int i = 3; i < argc; ++i) {
      int64_t b = std::strtoll(argv[i], nullptr, 10);
      std::vector<std::vector<float>> y(numOutputs);
      std::vector<slim::MutableBuffer> outs;
      for (size_t o = 0; o < numOutputs; ++o) {
        y[o].assign(outSample[o] * size_t(b), NAN);
        outs.emplace_back(y[o]);
      }
      ctx.runBatch(b, {{x.data(), inSample * size_t(b) * 4}}, outs);
      double worst = 0;
      for (size_t o = 0; o < numOutputs; ++o)
        for (int64_t s = 0; s < b; ++s)
          for (size_t k = 0; k < outSample[o]; ++k) {
            double d = std::fabs(double(y[o][s * outSample[o] + k]) -
                                 reference[o][s][k]);
            if (!(d <= 1e-5 * scale[o]))
              d = INFINITY;
            worst = std::max(worst, scale[o] > 0 ? d / scale[o] : d);
          }
      bool ok = std::isfinite(worst);
      failures += !ok;
      std::printf("batch %lld: %s (largest difference %.3g of the largest "
                  "magnitude)\n",
                  (long long)b, ok ? "MATCH" : "MISMATCH", worst);
    }
    return failures ? 1 : 0;
  } catch (const slim::Error &e) {
    std::fprintf(stderr, "run_batches: %s\n", e.what());
    return 1;
  }
}
