//===- gradcheck.cpp - Finite-difference check of a compiled train step ---===//
//
//   slim-train-gradcheck MODEL.so [--classes C] [--seed S] [--eps E]
//
// Opens a library compiled with slimc --train, initializes its variables
// from their initializers (seed S), feeds fixed pseudo-random inputs and
// labels (class r % C for row r; one-hot rows for float labels), and checks
// the gradient of every trained variable's every element that
// slim_context_get_gradient reports against the central difference
// (L(w + e) - L(w - e)) / 2e of the loss the step returns (computed before
// its update). Every variable is restored before each step, the global step
// included, so dropout masks and the learning rate are the same in every
// evaluation. The loss is float32, so the difference carries about
// 1e-7 / e of rounding: the tolerance is 5e-4 + 3e-2 * |gradient| (not
// tighter: the kernels compute in float; a kink of relu or max pool within
// e of an element would also show, which fixed data avoids). Prints one line
// per variable; exits 1 on a mismatch.
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &msg) {
  std::fprintf(stderr, "slim-train-gradcheck: error: %s\n", msg.c_str());
  std::exit(2);
}

void check(slim_status s, const char *what) {
  if (!s)
    return;
  std::string msg = std::string(what) + ": " + slim_status_get_message(s);
  slim_status_destroy(s);
  die(msg);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2)
    die("usage: slim-train-gradcheck MODEL.so [--classes C] [--seed S] "
        "[--eps E]");
  int64_t classes = 2;
  uint64_t seed = 1;
  double eps = 1e-3;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--classes")
      classes = std::atoll(argv[i + 1]);
    else if (a == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--eps")
      eps = std::atof(argv[i + 1]);
    else
      die("unknown option " + a);
  }
  slim_model *model = nullptr;
  check(slim_model_open(argv[1], &model), "open");
  check(slim_model_initialize_variables(model, seed), "initialize");

  // Inputs in [-1, 1), labels r % classes.
  uint64_t state = 0x2545F4914F6CDD1Dull;
  std::vector<std::vector<unsigned char>> bufs;
  std::vector<const void *> inputs, labels;
  for (size_t i = 0; i < slim_model_num_train_inputs(model); ++i) {
    slim_tensor_info t;
    check(slim_model_train_input_info(model, i, &t), "input");
    bufs.emplace_back(t.size_bytes);
    float *p = reinterpret_cast<float *>(bufs.back().data());
    for (uint64_t k = 0; k < t.num_elements; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      p[k] = float(double(state >> 11) / 9007199254740992.0 * 2.0 - 1.0);
    }
    inputs.push_back(bufs.back().data());
  }
  for (size_t i = 0; i < slim_model_num_labels(model); ++i) {
    slim_tensor_info t;
    check(slim_model_label_info(model, i, &t), "label");
    bufs.emplace_back(t.size_bytes);
    void *p = bufs.back().data();
    if (t.dtype == SLIM_DTYPE_F32) {
      int64_t c = t.dims[t.rank - 1];
      for (uint64_t k = 0; k < t.num_elements; ++k)
        static_cast<float *>(p)[k] =
            (int64_t(k) % c) == (int64_t(k) / c) % c ? 1.0f : 0.0f;
    } else {
      for (uint64_t k = 0; k < t.num_elements; ++k) {
        int64_t v = int64_t(k) % classes;
        if (t.dtype == SLIM_DTYPE_I64)
          static_cast<int64_t *>(p)[k] = v;
        else
          static_cast<int32_t *>(p)[k] = int32_t(v);
      }
    }
    labels.push_back(bufs.back().data());
  }

  // Every variable's starting value.
  size_t numVars = slim_model_num_variables(model);
  std::vector<std::string> names;
  std::vector<std::vector<unsigned char>> saved;
  for (size_t i = 0; i < numVars; ++i) {
    slim_variable_info v;
    check(slim_model_variable_info(model, i, &v), "variable");
    names.push_back(v.tensor.name);
    saved.emplace_back(v.tensor.size_bytes);
    check(slim_model_get_variable(model, v.tensor.name, saved.back().data(),
                                  saved.back().size()),
          "get variable");
  }
  auto restore = [&] {
    for (size_t i = 0; i < numVars; ++i)
      check(slim_model_set_variable(model, names[i].c_str(), saved[i].data(),
                                    saved[i].size()),
            "set variable");
  };
  slim_context *ctx = nullptr;
  check(slim_context_create(model, nullptr, 0, &ctx), "context");
  auto lossNow = [&] {
    float loss = 0;
    check(slim_context_train_step(ctx, inputs.data(), labels.data(), &loss),
          "train step");
    restore();
    return double(loss);
  };
  double base = lossNow();
  std::printf("loss %.6f\n", base);

  int failures = 0;
  for (size_t g = 0; g < slim_model_num_gradients(model); ++g) {
    slim_tensor_info t;
    check(slim_model_gradient_info(model, g, &t), "gradient info");
    std::string name = t.name;
    std::vector<float> grad(t.num_elements);
    lossNow(); // The gradients of the unperturbed variables.
    check(
        slim_context_get_gradient(ctx, name.c_str(), grad.data(), t.size_bytes),
        "gradient");
    size_t index = 0;
    while (names[index] != name)
      ++index;
    std::vector<float> w(t.num_elements);
    std::memcpy(w.data(), saved[index].data(), t.size_bytes);
    double worst = 0;
    int bad = 0;
    bool anyNonzero = false;
    for (uint64_t k = 0; k < t.num_elements; ++k) {
      auto at = [&](double delta) {
        std::vector<float> p = w;
        p[k] = float(double(w[k]) + delta);
        check(slim_model_set_variable(model, name.c_str(), p.data(),
                                      t.size_bytes),
              "perturb");
        double l = lossNow();
        return std::make_pair(l, double(p[k]) - double(w[k]));
      };
      auto [plus, dp] = at(eps);
      auto [minus, dm] = at(-eps);
      double fd = (plus - minus) / (dp - dm);
      double err = std::fabs(fd - grad[k]);
      double tol = 5e-4 + 3e-2 * std::fabs(double(grad[k]));
      worst = std::max(worst, err);
      anyNonzero |= grad[k] != 0.0f;
      if (err > tol) {
        if (bad < 3)
          std::printf("MISMATCH %s[%llu]: gradient %.6g, finite difference "
                      "%.6g\n",
                      name.c_str(), (unsigned long long)k, double(grad[k]), fd);
        ++bad;
      }
    }
    std::printf("%s: %llu elements, max |error| %.2e, %s%s\n", name.c_str(),
                (unsigned long long)t.num_elements, worst,
                bad ? "FAILED" : "ok",
                anyNonzero ? "" : " (all gradients zero)");
    failures += bad;
  }
  slim_context_destroy(ctx);
  slim_model_destroy(model);
  return failures ? 1 : 0;
}
