//===- PipelineEquivalenceTest.cpp - Optimized graphs compute the same ----===//
//
// Until code generation exists, the only way to run a slim module is to
// interpret it. These tests evaluate small modules written like the frontend's
// output (ResNet units, MobileNet blocks, Inception concats, VGG's classifier,
// flatten + fully_connected) with random variables, before and after the
// optimization passes, with a direct NHWC interpreter of TF-Slim's
// definitions, and require the same outputs. The interpreter reads layouts
// logically (to_blocked / from_blocked are copies), so the pipeline runs
// without weight packing, whose arithmetic is the runtime's (pack.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"
#include "dialects/Slim/IR/SlimDialect.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::slim;

namespace {

struct Tensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> data;
};

llvm::SmallVector<int64_t, 4> shapeOf(Value v) {
  auto shape = llvm::cast<RankedTensorType>(v.getType()).getShape();
  return {shape.begin(), shape.end()};
}

Tensor zeros(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return {llvm::SmallVector<int64_t, 4>(shape.begin(), shape.end()),
          std::vector<float>(n, 0.0f)};
}

float activate(llvm::StringRef kind, float x) {
  if (kind == "relu")
    return x > 0 ? x : 0;
  if (kind == "relu6")
    return x < 0 ? 0 : (x > 6 ? 6 : x);
  if (kind == "sigmoid")
    return 1 / (1 + std::exp(-x));
  if (kind == "tanh")
    return std::tanh(x);
  if (kind == "elu")
    return x > 0 ? x : std::expm1(x);
  if (kind == "softplus")
    return std::log1p(std::exp(x));
  return x;
}

/// tf.nn.conv2d / depthwise_conv2d with explicit zero pads, NHWC.
Tensor convolve(const Tensor &x, const Tensor &f,
                llvm::ArrayRef<int64_t> outShape,
                llvm::ArrayRef<int64_t> strides,
                llvm::ArrayRef<int64_t> dilations, llvm::ArrayRef<int64_t> pads,
                bool depthwise) {
  Tensor y = zeros(outShape);
  int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
  int64_t kh = f.shape[0], kw = f.shape[1], oh = outShape[1], ow = outShape[2],
          oc = outShape[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox)
        for (int64_t o = 0; o < oc; ++o) {
          double acc = 0;
          for (int64_t ky = 0; ky < kh; ++ky)
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t iy = oy * strides[0] + ky * dilations[0] - pads[0];
              int64_t ix = ox * strides[1] + kx * dilations[1] - pads[2];
              if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                continue;
              const float *px = &x.data[((b * h + iy) * w + ix) * c];
              if (depthwise) {
                acc +=
                    double(px[o / (oc / c)]) * f.data[(ky * kw + kx) * oc + o];
                continue;
              }
              for (int64_t i = 0; i < c; ++i)
                acc +=
                    double(px[i]) * f.data[((ky * kw + kx) * c + i) * oc + o];
            }
          y.data[((b * oh + oy) * ow + ox) * oc + o] = float(acc);
        }
  return y;
}

Tensor matmul(const Tensor &x, const Tensor &wt,
              llvm::ArrayRef<int64_t> outShape) {
  Tensor y = zeros(outShape);
  int64_t k = wt.shape[0], n = wt.shape[1], rows = x.data.size() / k;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < n; ++o) {
      double acc = 0;
      for (int64_t i = 0; i < k; ++i)
        acc += double(x.data[r * k + i]) * wt.data[i * n + o];
      y.data[r * n + o] = float(acc);
    }
  return y;
}

/// Adds a per-channel vector (last axis), an optional residual and applies
/// an activation: the fused epilogue.
void epilogue(Tensor &y, const Tensor *bias, const Tensor *residual,
              llvm::StringRef activation) {
  int64_t c = y.shape.back();
  for (size_t i = 0; i < y.data.size(); ++i) {
    float v = y.data[i];
    if (bias)
      v += bias->data[i % c];
    if (residual)
      v += residual->data[i];
    y.data[i] = activate(activation, v);
  }
}

Tensor pool(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
            llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
            llvm::ArrayRef<int64_t> pads, bool isMax) {
  Tensor y = zeros(outShape);
  int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oy = 0; oy < outShape[1]; ++oy)
      for (int64_t ox = 0; ox < outShape[2]; ++ox)
        for (int64_t ch = 0; ch < c; ++ch) {
          float best = -INFINITY;
          double sum = 0;
          int count = 0;
          for (int64_t ky = 0; ky < kernel[0]; ++ky)
            for (int64_t kx = 0; kx < kernel[1]; ++kx) {
              int64_t iy = oy * strides[0] + ky - pads[0];
              int64_t ix = ox * strides[1] + kx - pads[2];
              if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                continue;
              float v = x.data[((b * h + iy) * w + ix) * c + ch];
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          y.data[((b * outShape[1] + oy) * outShape[2] + ox) * c + ch] =
              isMax ? best : float(sum / count);
        }
  return y;
}

/// Evaluates the inference function of a module (after running
/// @slim_prepare, if the pipeline made one) from TF-Slim's definitions.
class Interpreter {
public:
  Interpreter(ModuleOp module, const std::map<std::string, Tensor> &variables)
      : module(module), variables(variables) {}

  std::vector<Tensor> run(llvm::StringRef name,
                          const std::vector<Tensor> &inputs) {
    if (auto prepare = module.lookupSymbol<func::FuncOp>("slim_prepare"))
      call(prepare, {});
    return call(module.lookupSymbol<func::FuncOp>(name), inputs);
  }

private:
  std::vector<Tensor> call(func::FuncOp func, const std::vector<Tensor> &args) {
    llvm::DenseMap<Value, Tensor> env;
    for (auto [arg, value] : llvm::zip(func.getArguments(), args))
      env[arg] = value;
    std::vector<Tensor> results;
    for (Operation &op : func.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (Value v : ret.getOperands())
          results.push_back(env[v]);
        break;
      }
      evaluate(op, env);
    }
    return results;
  }

  void evaluate(Operation &op, llvm::DenseMap<Value, Tensor> &env) {
    auto in = [&](unsigned i) -> Tensor & { return env[op.getOperand(i)]; };
    auto opt = [&](Value v) -> const Tensor * { return v ? &env[v] : nullptr; };
    auto out = [&](unsigned i = 0) { return shapeOf(op.getResult(i)); };
    auto set = [&](Tensor t, unsigned i = 0) { env[op.getResult(i)] = t; };

    if (auto read = dyn_cast<ReadVariableOp>(op))
      return set(variables.at(read.getName().str()));
    if (auto read = dyn_cast<ReadParamOp>(op))
      return set(params.at(read.getName().str()));
    if (auto write = dyn_cast<WriteParamOp>(op)) {
      params[write.getName().str()] = env[write.getValue()];
      return;
    }
    if (auto conv = dyn_cast<Conv2DOp>(op))
      return set(convolve(in(0), in(1), out(), conv.getStrides(),
                          conv.getDilations(), conv.getPads(), false));
    if (auto conv = dyn_cast<DepthwiseConv2DOp>(op))
      return set(convolve(in(0), in(1), out(), conv.getStrides(),
                          conv.getDilations(), conv.getPads(), true));
    if (auto conv = dyn_cast<FusedConv2DOp>(op)) {
      Tensor y = convolve(in(0), in(1), out(), conv.getStrides(),
                          conv.getDilations(), conv.getPads(), false);
      epilogue(y, opt(conv.getBias()), opt(conv.getResidual()),
               conv.getActivation());
      return set(y);
    }
    if (auto conv = dyn_cast<FusedDepthwiseConv2DOp>(op)) {
      Tensor y = convolve(in(0), in(1), out(), conv.getStrides(),
                          conv.getDilations(), conv.getPads(), true);
      epilogue(y, opt(conv.getBias()), opt(conv.getResidual()),
               conv.getActivation());
      return set(y);
    }
    if (isa<MatMulOp>(op))
      return set(matmul(in(0), in(1), out()));
    if (auto fc = dyn_cast<FusedMatMulOp>(op)) {
      Tensor y = matmul(in(0), in(1), out());
      epilogue(y, opt(fc.getBias()), opt(fc.getResidual()), fc.getActivation());
      return set(y);
    }
    if (isa<BiasAddOp>(op)) {
      Tensor y = in(0);
      epilogue(y, &in(1), nullptr, "none");
      return set(y);
    }
    if (auto act = dyn_cast<ActivationOp>(op)) {
      Tensor y = in(0);
      epilogue(y, nullptr, nullptr, act.getKind());
      return set(y);
    }
    if (isa<AddOp>(op)) {
      Tensor y = in(0);
      epilogue(y, nullptr, &in(1), "none");
      return set(y);
    }
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      Tensor y = in(0);
      int64_t c = y.shape.back();
      float eps = bn.getEpsilon().convertToFloat();
      const Tensor *beta = opt(bn.getBeta()), *gamma = opt(bn.getGamma());
      for (size_t i = 0; i < y.data.size(); ++i) {
        int64_t o = i % c;
        y.data[i] = (y.data[i] - in(1).data[o]) /
                        std::sqrt(in(2).data[o] + eps) *
                        (gamma ? gamma->data[o] : 1.0f) +
                    (beta ? beta->data[o] : 0.0f);
      }
      return set(y);
    }
    if (auto bn = dyn_cast<BnScaleShiftOp>(op)) {
      int64_t c = in(0).data.size();
      Tensor scale = zeros({c}), shift = zeros({c});
      float eps = bn.getEpsilon().convertToFloat();
      const Tensor *beta = opt(bn.getBeta()), *gamma = opt(bn.getGamma());
      for (int64_t o = 0; o < c; ++o) {
        scale.data[o] =
            (gamma ? gamma->data[o] : 1.0f) / std::sqrt(in(1).data[o] + eps);
        shift.data[o] =
            (beta ? beta->data[o] : 0.0f) - in(0).data[o] * scale.data[o];
      }
      set(scale, 0);
      return set(shift, 1);
    }
    if (isa<ChannelAffineOp>(op)) {
      Tensor y = in(0);
      int64_t c = y.shape.back();
      for (size_t i = 0; i < y.data.size(); ++i)
        y.data[i] = y.data[i] * in(1).data[i % c] + in(2).data[i % c];
      return set(y);
    }
    if (auto fold = dyn_cast<FoldScaleShiftOp>(op)) {
      Tensor w = in(0);
      const Tensor &scale = env[fold.getScale()], &shift = env[fold.getShift()];
      int64_t c = scale.data.size();
      Tensor bias = zeros({c});
      if (fold.getBias())
        bias = env[fold.getBias()];
      for (size_t i = 0; i < w.data.size(); ++i)
        w.data[i] *= scale.data[i % c];
      for (int64_t o = 0; o < c; ++o)
        bias.data[o] = bias.data[o] * scale.data[o] + shift.data[o];
      set(w, 0);
      return set(bias, 1);
    }
    if (isa<ReshapeOp, ToBlockedOp, FromBlockedOp, IdentityOp>(op) ||
        (isa<DropoutOp>(op) && !cast<DropoutOp>(op).getIsTraining())) {
      Tensor y = in(0);
      y.shape = out();
      return set(y);
    }
    if (auto pad = dyn_cast<PadOp>(op)) {
      // 4-D NHWC zero pad.
      const Tensor &x = in(0);
      Tensor y = zeros(out());
      auto p = pad.getPadding();
      for (int64_t b = 0; b < x.shape[0]; ++b)
        for (int64_t i = 0; i < x.shape[1]; ++i)
          for (int64_t j = 0; j < x.shape[2]; ++j)
            for (int64_t c = 0; c < x.shape[3]; ++c)
              y.data[(((b + p[0]) * y.shape[1] + i + p[2]) * y.shape[2] + j +
                      p[4]) *
                         y.shape[3] +
                     c + p[6]] =
                  x.data[((b * x.shape[1] + i) * x.shape[2] + j) * x.shape[3] +
                         c];
      return set(y);
    }
    if (auto p = dyn_cast<MaxPoolOp>(op))
      return set(
          pool(in(0), out(), p.getKernel(), p.getStrides(), p.getPads(), true));
    if (auto p = dyn_cast<AvgPoolOp>(op))
      return set(pool(in(0), out(), p.getKernel(), p.getStrides(), p.getPads(),
                      false));
    if (auto mean = dyn_cast<ReduceMeanOp>(op)) {
      // Spatial mean of an NHWC map (what the nets use).
      const Tensor &x = in(0);
      int64_t hw = x.shape[1] * x.shape[2], c = x.shape[3];
      Tensor y = zeros(out());
      for (int64_t b = 0; b < x.shape[0]; ++b)
        for (int64_t ch = 0; ch < c; ++ch) {
          double sum = 0;
          for (int64_t p = 0; p < hw; ++p)
            sum += x.data[(b * hw + p) * c + ch];
          y.data[b * c + ch] = float(sum / hw);
        }
      return set(y);
    }
    if (auto concat = dyn_cast<ConcatOp>(op)) {
      // Channel concat.
      Tensor y = zeros(out());
      int64_t total = y.shape.back(), offset = 0;
      for (Value v : concat.getInputs()) {
        const Tensor &x = env[v];
        int64_t c = x.shape.back();
        for (size_t i = 0; i < x.data.size(); ++i)
          y.data[(i / c) * total + offset + i % c] = x.data[i];
        offset += c;
      }
      return set(y);
    }
    if (isa<SoftmaxOp>(op)) {
      Tensor y = in(0);
      int64_t c = y.shape.back();
      for (size_t r = 0; r < y.data.size() / c; ++r) {
        float *row = &y.data[r * c], top = -INFINITY;
        double sum = 0;
        for (int64_t i = 0; i < c; ++i)
          top = std::max(top, row[i]);
        for (int64_t i = 0; i < c; ++i)
          sum += row[i] = std::exp(row[i] - top);
        for (int64_t i = 0; i < c; ++i)
          row[i] = float(row[i] / sum);
      }
      return set(y);
    }
    ADD_FAILURE() << "the test interpreter does not know "
                  << op.getName().getStringRef().str();
  }

  ModuleOp module;
  const std::map<std::string, Tensor> &variables;
  std::map<std::string, Tensor> params;
};

/// Random values for every variable; variances stay positive.
std::map<std::string, Tensor> randomVariables(ModuleOp module,
                                              std::mt19937 &rng) {
  std::map<std::string, Tensor> vars;
  for (auto var : module.getOps<VariableOp>()) {
    auto type = llvm::cast<RankedTensorType>(var.getType());
    Tensor t = zeros(type.getShape());
    bool positive = var.getSymName().contains("variance");
    std::uniform_real_distribution<float> dist(positive ? 0.2f : -1.0f, 1.0f);
    for (float &v : t.data)
      v = dist(rng);
    vars[var.getSymName().str()] = t;
  }
  return vars;
}

class PipelineEquivalence : public ::testing::Test {
protected:
  PipelineEquivalence() {
    context.loadDialect<SlimDialect, func::FuncDialect>();
    registerSlimTransforms();
    registerCSEPass();
  }

  /// Runs `source` through `pipeline` and compares the interpreted outputs
  /// of function `entry` before and after on random inputs and variables.
  void expectSameOutputs(llvm::StringRef source, llvm::StringRef pipeline) {
    OwningOpRef<ModuleOp> original =
        parseSourceString<ModuleOp>(source, &context);
    ASSERT_TRUE(original);
    OwningOpRef<ModuleOp> optimized = original->clone();
    PassManager pm(&context);
    std::string errors;
    llvm::raw_string_ostream errorStream(errors);
    ASSERT_TRUE(succeeded(parsePassPipeline(pipeline, pm, errorStream)))
        << errors;
    ASSERT_TRUE(succeeded(pm.run(*optimized)));
    // Every pipeline here fuses: an unchanged module means it did not run.
    bool fused = false;
    optimized->walk([&](Operation *op) {
      fused |= isa<FusedConv2DOp, FusedDepthwiseConv2DOp, FusedMatMulOp>(op);
    });
    ASSERT_TRUE(fused) << pipeline.str();

    std::mt19937 rng(42);
    auto vars = randomVariables(*original, rng);
    auto entry = *original->getOps<func::FuncOp>().begin();
    std::vector<Tensor> inputs;
    for (Type type : entry.getArgumentTypes()) {
      Tensor t = zeros(llvm::cast<RankedTensorType>(type).getShape());
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (float &v : t.data)
        v = dist(rng);
      inputs.push_back(t);
    }
    auto expected =
        Interpreter(*original, vars).run(entry.getSymName(), inputs);
    auto actual = Interpreter(*optimized, vars).run(entry.getSymName(), inputs);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t r = 0; r < actual.size(); ++r) {
      ASSERT_EQ(actual[r].shape, expected[r].shape) << "result " << r;
      for (size_t i = 0; i < actual[r].data.size(); ++i)
        ASSERT_NEAR(actual[r].data[i], expected[r].data[i],
                    1e-4f * (1.0f + std::fabs(expected[r].data[i])))
            << "result " << r << " element " << i;
    }
  }

  MLIRContext context;
};

/// Pipelines, as the textual pass pipeline nested in the module.
constexpr llvm::StringLiteral kPipelines[] = {
    "func.func(slim-inference-simplify,slim-fuse)",
    "slim-inference-pipeline{blocked-layout=false}",
    // Blocked layout without packing: the interpreter reads layouts
    // logically but cannot unpack.
    "func.func(cse,slim-inference-simplify,slim-fuse,slim-layout{vector-"
    "width=8}),slim-hoist-weight-transforms,cse,slim-memory-plan",
};

const char *const kResNetUnit = R"mlir(
slim.variable @"stem/w" : tensor<3x3x3x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"shortcut/w" : tensor<1x1x8x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv1/w" : tensor<1x1x8x4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv2/w" : tensor<3x3x4x4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"conv3/w" : tensor<1x1x4x16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"bn4/mean" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn4/variance" : tensor<4xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"bn4/beta" : tensor<4xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"bn4/gamma" : tensor<4xf32> {collection = "model", initializer = {kind = "ones"}, trainable = true}
slim.variable @"bn16/mean" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"bn16/variance" : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"bn16/beta" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
func.func @net(%x: tensor<1x9x9x3xf32>) -> (tensor<1x5x5x16xf32>, tensor<1x5x5x16xf32>) {
  %ws = slim.read_variable @"stem/w" : tensor<3x3x3x8xf32>
  %xp = slim.pad %x {padding = array<i64: 0, 0, 0, 2, 2, 0, 0, 0>, scope = "stem"} : tensor<1x9x9x3xf32> -> tensor<1x11x11x3xf32>
  %s0 = slim.conv2d %xp, %ws {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "stem"} : (tensor<1x11x11x3xf32>, tensor<3x3x3x8xf32>) -> tensor<1x5x5x8xf32>
  %s = slim.activation "relu" %s0 {scope = "stem"} : tensor<1x5x5x8xf32>
  %m4 = slim.read_variable @"bn4/mean" : tensor<4xf32>
  %v4 = slim.read_variable @"bn4/variance" : tensor<4xf32>
  %b4 = slim.read_variable @"bn4/beta" : tensor<4xf32>
  %g4 = slim.read_variable @"bn4/gamma" : tensor<4xf32>
  %m16 = slim.read_variable @"bn16/mean" : tensor<16xf32>
  %v16 = slim.read_variable @"bn16/variance" : tensor<16xf32>
  %b16 = slim.read_variable @"bn16/beta" : tensor<16xf32>
  %wsc = slim.read_variable @"shortcut/w" : tensor<1x1x8x16xf32>
  %sc = slim.conv2d %s, %wsc {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "shortcut"} : (tensor<1x5x5x8xf32>, tensor<1x1x8x16xf32>) -> tensor<1x5x5x16xf32>
  %scn = slim.batch_norm %sc, %m16, %v16 beta(%b16 : tensor<16xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "shortcut/BatchNorm"} : tensor<1x5x5x16xf32>, tensor<16xf32>
  %w1 = slim.read_variable @"conv1/w" : tensor<1x1x8x4xf32>
  %c1 = slim.conv2d %s, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv1"} : (tensor<1x5x5x8xf32>, tensor<1x1x8x4xf32>) -> tensor<1x5x5x4xf32>
  %n1 = slim.batch_norm %c1, %m4, %v4 beta(%b4 : tensor<4xf32>) gamma(%g4 : tensor<4xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "conv1/BatchNorm"} : tensor<1x5x5x4xf32>, tensor<4xf32>
  %r1 = slim.activation "relu" %n1 {scope = "conv1"} : tensor<1x5x5x4xf32>
  %w2 = slim.read_variable @"conv2/w" : tensor<3x3x4x4xf32>
  %c2 = slim.conv2d %r1, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, scope = "conv2"} : (tensor<1x5x5x4xf32>, tensor<3x3x4x4xf32>) -> tensor<1x5x5x4xf32>
  %n2 = slim.batch_norm %c2, %m4, %v4 gamma(%g4 : tensor<4xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "conv2/BatchNorm"} : tensor<1x5x5x4xf32>, tensor<4xf32>
  %r2 = slim.activation "relu6" %n2 {scope = "conv2"} : tensor<1x5x5x4xf32>
  %w3 = slim.read_variable @"conv3/w" : tensor<1x1x4x16xf32>
  %c3 = slim.conv2d %r2, %w3 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "conv3"} : (tensor<1x5x5x4xf32>, tensor<1x1x4x16xf32>) -> tensor<1x5x5x16xf32>
  %n3 = slim.batch_norm %c3, %m16, %v16 beta(%b16 : tensor<16xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "conv3/BatchNorm"} : tensor<1x5x5x16xf32>, tensor<16xf32>
  %sum = slim.add %scn, %n3 {scope = "unit"} : tensor<1x5x5x16xf32>
  %out = slim.activation "relu" %sum {scope = "unit"} : tensor<1x5x5x16xf32>
  return %out, %scn : tensor<1x5x5x16xf32>, tensor<1x5x5x16xf32>
}
)mlir";

const char *const kMobileNetInception = R"mlir(
slim.variable @dw : tensor<3x3x8x2xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"dw/moving_mean" : tensor<16xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"dw/moving_variance" : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"dw/gamma" : tensor<16xf32> {collection = "model", initializer = {kind = "ones"}, trainable = true}
slim.variable @b0 : tensor<1x1x16x8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"b0/biases" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"b0/moving_mean" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = false}
slim.variable @"b0/moving_variance" : tensor<8xf32> {collection = "model", initializer = {kind = "ones"}, trainable = false}
slim.variable @"b0/beta" : tensor<8xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @b1 : tensor<3x3x16x5xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @fc : tensor<261x10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @"fc/biases" : tensor<10xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
slim.variable @logits : tensor<1x1x29x7xf32> {collection = "model", initializer = {kind = "zeros"}, trainable = true}
func.func @net(%x: tensor<2x6x6x8xf32>) -> (tensor<2x10xf32>, tensor<2x7xf32>) {
  %dw = slim.read_variable @dw : tensor<3x3x8x2xf32>
  %m = slim.read_variable @"dw/moving_mean" : tensor<16xf32>
  %v = slim.read_variable @"dw/moving_variance" : tensor<16xf32>
  %g = slim.read_variable @"dw/gamma" : tensor<16xf32>
  %d = slim.depthwise_conv2d %x, %dw {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "dw"} : (tensor<2x6x6x8xf32>, tensor<3x3x8x2xf32>) -> tensor<2x6x6x16xf32>
  %dn = slim.batch_norm %d, %m, %v gamma(%g : tensor<16xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "dw/BatchNorm"} : tensor<2x6x6x16xf32>, tensor<16xf32>
  %dr = slim.activation "relu6" %dn {scope = "dw"} : tensor<2x6x6x16xf32>
  %w0 = slim.read_variable @b0 : tensor<1x1x16x8xf32>
  %bb0 = slim.read_variable @"b0/biases" : tensor<8xf32>
  %c0 = slim.conv2d %dr, %w0 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "mixed/b0"} : (tensor<2x6x6x16xf32>, tensor<1x1x16x8xf32>) -> tensor<2x6x6x8xf32>
  %cb0 = slim.bias_add %c0, %bb0 {scope = "mixed/b0"} : tensor<2x6x6x8xf32>, tensor<8xf32>
  %m0 = slim.read_variable @"b0/moving_mean" : tensor<8xf32>
  %v0 = slim.read_variable @"b0/moving_variance" : tensor<8xf32>
  %be0 = slim.read_variable @"b0/beta" : tensor<8xf32>
  %n0 = slim.batch_norm %cb0, %m0, %v0 beta(%be0 : tensor<8xf32>) {epsilon = 1.0e-03 : f32, is_training = false, scope = "mixed/b0/BatchNorm"} : tensor<2x6x6x8xf32>, tensor<8xf32>
  %r0 = slim.activation "tanh" %n0 {scope = "mixed/b0"} : tensor<2x6x6x8xf32>
  %w1 = slim.read_variable @b1 : tensor<3x3x16x5xf32>
  %c1 = slim.conv2d %dr, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "mixed/b1"} : (tensor<2x6x6x16xf32>, tensor<3x3x16x5xf32>) -> tensor<2x6x6x5xf32>
  %p2 = slim.avg_pool %dr {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, scope = "mixed/b2"} : tensor<2x6x6x16xf32> -> tensor<2x6x6x16xf32>
  %cat = slim.concat %r0, %c1, %p2 {axis = 3 : i64, scope = "mixed"} : (tensor<2x6x6x8xf32>, tensor<2x6x6x5xf32>, tensor<2x6x6x16xf32>) -> tensor<2x6x6x29xf32>
  %pp = slim.pad %cat {padding = array<i64: 0, 0, 0, 1, 0, 1, 0, 0>, scope = "pool"} : tensor<2x6x6x29xf32> -> tensor<2x7x7x29xf32>
  %mp = slim.max_pool %pp {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, scope = "pool"} : tensor<2x7x7x29xf32> -> tensor<2x3x3x29xf32>
  %flat = slim.reshape %mp {scope = "flatten"} : tensor<2x3x3x29xf32> -> tensor<2x261xf32>
  %w = slim.read_variable @fc : tensor<261x10xf32>
  %b = slim.read_variable @"fc/biases" : tensor<10xf32>
  %y = slim.matmul %flat, %w {scope = "fc"} : (tensor<2x261xf32>, tensor<261x10xf32>) -> tensor<2x10xf32>
  %yb = slim.bias_add %y, %b {scope = "fc"} : tensor<2x10xf32>, tensor<10xf32>
  %ys = slim.softmax %yb {scope = "predictions"} : tensor<2x10xf32>
  %gp = slim.reduce_mean %mp {axes = array<i64: 1, 2>, keep_dims = true, scope = "gap"} : tensor<2x3x3x29xf32> -> tensor<2x1x1x29xf32>
  %dp = slim.dropout %gp {keep_prob = 5.0e-01 : f32, is_training = false, scope = "dropout"} : tensor<2x1x1x29xf32>
  %wl = slim.read_variable @logits : tensor<1x1x29x7xf32>
  %l = slim.conv2d %dp, %wl {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, scope = "logits"} : (tensor<2x1x1x29xf32>, tensor<1x1x29x7xf32>) -> tensor<2x1x1x7xf32>
  %sq = slim.reshape %l {scope = "logits/squeeze"} : tensor<2x1x1x7xf32> -> tensor<2x7xf32>
  return %ys, %sq : tensor<2x10xf32>, tensor<2x7xf32>
}
)mlir";

TEST_F(PipelineEquivalence, ResNetUnit) {
  for (llvm::StringRef pipeline : kPipelines)
    expectSameOutputs(kResNetUnit, pipeline);
}

TEST_F(PipelineEquivalence, MobileNetInceptionAndClassifiers) {
  for (llvm::StringRef pipeline : kPipelines)
    expectSameOutputs(kMobileNetInception, pipeline);
}

} // namespace
