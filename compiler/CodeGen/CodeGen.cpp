//===- CodeGen.cpp - C++ code generation from a slim module ---------------===//
//
// One pass over the module writes the ABI tables, then `prepare` (the ops of
// @slim_prepare) and `run` (the inference function) as straight-line calls
// into the runtime's kernels. Every tensor value becomes a named pointer: a
// variable, a parameter, an input, an output, or an offset into the arena
// (the memory plan's `arena_offset`, or a bump allocation in reference
// mode). Reshapes, identities and inference dropouts are views.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CodeGen.h"

#include "compiler/Analysis/Analysis.h"
#include "dialects/Slim/IR/SlimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::slim;

namespace {

/// Where a tensor value lives in the generated code.
struct Storage {
  /// C++ expression of type `float *` or `const float *`.
  std::string ptr;
  /// Blocked values that are a slice of a bigger channel-blocked buffer
  /// (a producer writing into a concat in place): block offset and total.
  int64_t cbOffset = 0;
  int64_t cbTotal = 0;
};

int64_t numElements(Value v) {
  return cast<RankedTensorType>(v.getType()).getNumElements();
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// The blocked layout's vector width of `v`, or 0 for dense NHWC.
int64_t blockWidth(Value v) {
  auto enc = dyn_cast_or_null<StringAttr>(
      cast<RankedTensorType>(v.getType()).getEncoding());
  if (!enc)
    return 0;
  if (enc.getValue() == "nChw8c")
    return 8;
  if (enc.getValue() == "nChw16c")
    return 16;
  return -1;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string cString(StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\%03o", static_cast<unsigned>(c));
      out += esc;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string fmtDouble(double d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

std::string fmtFloat(double d) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", d);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s + "f";
}

StringRef scopeOf(Operation *op) {
  if (auto s = op->getAttrOfType<StringAttr>("scope"))
    return s.getValue();
  return "";
}

/// The kernels' Activation enumerator for a `slim.activation` kind or a
/// fused op's `activation`; empty if there is none (softplus).
std::string activationEnum(StringRef kind) {
  if (kind == "none")
    return "Activation::None";
  if (kind == "relu")
    return "Activation::Relu";
  if (kind == "relu6")
    return "Activation::Relu6";
  if (kind == "sigmoid")
    return "Activation::Sigmoid";
  if (kind == "tanh")
    return "Activation::Tanh";
  if (kind == "elu")
    return "Activation::Elu";
  return "";
}

double attrNumber(DictionaryAttr dict, StringRef key, double dflt = 0.0) {
  Attribute a = dict ? dict.get(key) : Attribute();
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return static_cast<double>(i.getInt());
  return dflt;
}

StringRef attrString(DictionaryAttr dict, StringRef key) {
  if (auto s = dyn_cast_or_null<StringAttr>(dict ? dict.get(key) : nullptr))
    return s.getValue();
  return "";
}

/// The C body text of generated code, with indentation.
class Writer {
public:
  explicit Writer(std::string &buf) : os(buf) {}
  Writer &line(const Twine &text) {
    os.indent(indent) << text << "\n";
    return *this;
  }
  void in() { indent += 2; }
  void out() { indent -= 2; }
  llvm::raw_string_ostream os;
  unsigned indent = 2;
};

class Emitter {
public:
  Emitter(ModuleOp module, const CodeGenOptions &options)
      : module(module), options(options),
        fast(options.kernels == KernelKind::Fast) {}

  LogicalResult emit(raw_ostream &os);

private:
  LogicalResult collectSymbols();
  LogicalResult emitPrepare();
  LogicalResult emitRun();
  LogicalResult emitOp(Operation *op, bool inPrepare);
  LogicalResult emitFastOp(Operation *op, bool inPrepare);
  LogicalResult emitReferenceOp(Operation *op);
  LogicalResult emitCommonOp(Operation *op, bool &handled);

  LogicalResult unsupported(Operation *op, const Twine &why = "") {
    InFlightDiagnostic d = op->emitError() << "slimc cannot generate code for '"
                                           << op->getName() << "'";
    StringRef scope = scopeOf(op);
    if (!scope.empty())
      d << " (TF-Slim scope '" << scope << "')";
    if (!why.isTriviallyEmpty())
      d << ": " << why;
    return failure();
  }

  /// Declares a new local pointer for `v` at `expr` and records it.
  std::string define(Value v, const Twine &expr, int64_t cbOffset = 0,
                     int64_t cbTotal = 0) {
    std::string name = "t" + std::to_string(nextLocal++);
    body->line("float *const " + name + " = " + expr + ";");
    values[v] = Storage{name, cbOffset, cbTotal};
    return name;
  }
  void alias(Value to, Value from) { values[to] = values.lookup(from); }
  const Storage &get(Value v) { return values[v]; }
  std::string ptr(Value v) { return values.lookup(v).ptr; }
  std::string optPtr(Value v) { return v ? ptr(v) : std::string("nullptr"); }

  /// Storage for the single result of `op` in run: arena offset, a graph
  /// output, or (reference mode) a bump allocation.
  LogicalResult allocateResult(Operation *op, Value result);
  /// Storage for a result of an op in @slim_prepare.
  LogicalResult allocatePrepareResult(Operation *op, Value result,
                                      int64_t offset);

  int beginLayer(Operation *op);
  void endLayer(int layer);

  /// One layer's block in the generated code: the profiler's begin, `{` and
  /// an indent on construction; the dedent, `}` and the profiler's end when
  /// it goes out of scope.
  class LayerBlock {
  public:
    LayerBlock(Emitter &e, Operation *op) : e(e), layer(e.beginLayer(op)) {
      e.body->line("{");
      e.body->in();
    }
    ~LayerBlock() {
      e.body->out();
      e.body->line("}");
      e.endLayer(layer);
    }
    LayerBlock(const LayerBlock &) = delete;
    LayerBlock &operator=(const LayerBlock &) = delete;

  private:
    Emitter &e;
    int layer;
  };

  ModuleOp module;
  const CodeGenOptions &options;
  bool fast;
  func::FuncOp prepareFn, runFn;

  llvm::StringMap<unsigned> variableIndex, paramIndex;
  SmallVector<VariableOp> variables;
  SmallVector<ParamOp> params;
  DenseMap<Value, Storage> values;
  /// For run: the first output index each returned value goes to.
  DenseMap<Value, unsigned> outputOf;

  struct Layer {
    std::string name, op;
    double flops;
  };
  std::vector<Layer> layers;

  std::string prepareText, runText;
  Writer *body = nullptr;
  unsigned nextLocal = 0;
  uint64_t bumpOffset = 0;
  uint64_t arenaSize = 0;
  uint64_t prepareScratchSize = 0;
  /// Values `prepare` computes straight into a derived parameter.
  DenseMap<Value, unsigned> inParam;
};

LogicalResult Emitter::collectSymbols() {
  for (auto var : module.getOps<VariableOp>()) {
    variableIndex[var.getSymName()] = variables.size();
    variables.push_back(var);
  }
  for (auto param : module.getOps<ParamOp>()) {
    paramIndex[param.getSymName()] = params.size();
    params.push_back(param);
  }
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isDeclaration())
      continue;
    if (fn.getSymName() == "slim_prepare") {
      prepareFn = fn;
      continue;
    }
    if (runFn)
      return fn.emitError("slimc generates code for one inference function; "
                          "found '")
             << runFn.getSymName() << "' and '" << fn.getSymName() << "'";
    runFn = fn;
  }
  if (!runFn)
    return module.emitError("the module has no inference function");
  if (fast && !module->hasAttr("slim.arena_size"))
    return module.emitError(
        "--kernels=fast needs the output of the inference pipeline with its "
        "memory plan (no 'slim.arena_size' attribute)");
  if (!fast && (prepareFn || !params.empty()))
    return module.emitError("--kernels=reference expects the frontend's "
                            "module, not an optimized one");
  return success();
}

int Emitter::beginLayer(Operation *op) {
  Layer l;
  l.name = scopeOf(op).str();
  if (l.name.empty())
    l.name = op->getName().stripDialect().str();
  l.op = describeLayer(op);
  l.flops = 2.0 * static_cast<double>(countMacs(op));
  layers.push_back(l);
  int index = layers.size() - 1;
  body->line("// " + l.name + ": " + l.op);
  body->line("if (prof)");
  body->line("  prof->begin(prof->user, " + Twine(index) + ");");
  return index;
}

void Emitter::endLayer(int layer) {
  body->line("if (prof)");
  body->line("  prof->end(prof->user, " + Twine(layer) + ");");
}

LogicalResult Emitter::allocateResult(Operation *op, Value result) {
  if (fast) {
    if (auto off = op->getAttrOfType<IntegerAttr>("arena_offset")) {
      int64_t cbOffset = 0, cbTotal = 0;
      if (auto cOff = op->getAttrOfType<IntegerAttr>("concat_channel_offset")) {
        int64_t v = blockWidth(result);
        auto cTotal = op->getAttrOfType<IntegerAttr>("concat_channels");
        if (v <= 0 || !cTotal || cOff.getInt() % v != 0)
          return unsupported(op, "concat placement on a non-blocked value");
        cbOffset = cOff.getInt() / v;
        cbTotal = ceilDiv(cTotal.getInt(), v);
      }
      define(result, "at(arena, " + Twine(off.getInt()) + ")", cbOffset,
             cbTotal);
      return success();
    }
  }
  // A value that is (through views) a graph output is written there directly.
  Value v = result;
  while (true) {
    auto it = outputOf.find(v);
    if (it != outputOf.end()) {
      if (v == result || numElements(v) == numElements(result)) {
        define(result,
               "static_cast<float *>(outputs[" + Twine(it->second) + "])");
        outputOf.erase(it);
        return success();
      }
    }
    if (!v.hasOneUse() ||
        !isa<ReshapeOp, IdentityOp, DropoutOp>(*v.getUsers().begin()))
      break;
    v = v.getUsers().begin()->getResult(0);
  }
  if (fast)
    return unsupported(op, "its result has no arena offset and is not a "
                           "graph output");
  uint64_t bytes = (numElements(result) * 4 + 63) / 64 * 64;
  define(result, "at(arena, " + Twine(bumpOffset) + ")");
  bumpOffset += bytes;
  arenaSize = bumpOffset;
  return success();
}

LogicalResult Emitter::allocatePrepareResult(Operation *op, Value result,
                                             int64_t offset) {
  if (offset >= 0) {
    define(result, "at(scratch, " + Twine(offset) + ")");
    return success();
  }
  for (Operation *user : result.getUsers())
    if (auto w = dyn_cast<WriteParamOp>(user)) {
      unsigned index = paramIndex.lookup(w.getName());
      define(result, "static_cast<float *>(params[" + Twine(index) + "])");
      inParam[result] = index;
      return success();
    }
  return unsupported(op, "a load-time result with neither a scratch offset "
                         "nor a parameter");
}

/// Ops that mean the same in both modes.
LogicalResult Emitter::emitCommonOp(Operation *op, bool &handled) {
  handled = true;
  if (auto read = dyn_cast<ReadVariableOp>(op)) {
    auto it = variableIndex.find(read.getName());
    if (it == variableIndex.end())
      return unsupported(op, "unknown variable");
    values[read.getResult()] =
        Storage{"const_cast<float *>(static_cast<const float *>(variables[" +
                std::to_string(it->second) + "]))"};
    if (!cast<RankedTensorType>(read.getType()).getElementType().isF32())
      return unsupported(op,
                         "variable '" + read.getName() + "' is not float32");
    return success();
  }
  if (isa<ReshapeOp, IdentityOp>(op) ||
      (isa<DropoutOp>(op) && blockWidth(op->getResult(0)) == 0)) {
    // Views. Training-mode dropout compiles as inference (the identity):
    // a compiled model only runs inference.
    alias(op->getResult(0), op->getOperand(0));
    return success();
  }
  handled = false;
  return success();
}

/// Generic helpers emitted into every generated file (rare ops without a
/// runtime kernel). `inline` so that unused ones cost nothing.
const char *kHelpers = R"cpp(
inline float *at(void *base, uint64_t offset) {
  return reinterpret_cast<float *>(static_cast<char *>(base) + offset);
}

/// TF's softplus, log(1 + exp(x)), without overflow.
inline float softplus(float x) {
  return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// y = f(x * scale[c] + shift[c]) per channel c of a tensor, dense NHWC
/// (vec = 0) or blocked [n][ceil(C/vec)][hw][vec]; padding lanes of a
/// blocked result stay zero. Null scale = 1, null shift = 0; act < 0 is
/// softplus.
inline void channelOp(const float *x, float *y, int64_t n, int64_t hw,
                      int64_t c, int64_t vec, const float *scale,
                      const float *shift, int act) {
  int64_t cb = vec ? (c + vec - 1) / vec : 1;
  int64_t lanes = vec ? vec : c;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t blk = 0; blk < cb; ++blk)
      for (int64_t i = 0; i < hw; ++i) {
        int64_t base = vec ? ((b * cb + blk) * hw + i) * vec : (b * hw + i) * c;
        for (int64_t l = 0; l < lanes; ++l) {
          int64_t ch = vec ? blk * vec + l : l;
          if (ch >= c) {
            y[base + l] = 0.0f;
            continue;
          }
          float v = x[base + l] * (scale ? scale[ch] : 1.0f) +
                    (shift ? shift[ch] : 0.0f);
          y[base + l] = act < 0 ? softplus(v)
                                : activate(static_cast<Activation>(act), v);
        }
      }
}

/// tf.pad with zeros of a dense 4-D tensor: pads[2 * d], pads[2 * d + 1]
/// before and after dimension d.
inline void pad4d(const float *x, float *y, const int64_t *in,
                  const int64_t *pads) {
  int64_t out[4];
  for (int d = 0; d < 4; ++d)
    out[d] = in[d] + pads[2 * d] + pads[2 * d + 1];
  std::memset(y, 0, sizeof(float) * out[0] * out[1] * out[2] * out[3]);
  for (int64_t a = 0; a < in[0]; ++a)
    for (int64_t b = 0; b < in[1]; ++b)
      for (int64_t c = 0; c < in[2]; ++c)
        std::memcpy(
            y + (((a + pads[0]) * out[1] + b + pads[2]) * out[2] + c +
                 pads[4]) * out[3] + pads[6],
            x + ((a * in[1] + b) * in[2] + c) * in[3],
            sizeof(float) * in[3]);
}

/// Concatenation along one axis of dense row-major tensors: `outer` rows,
/// source s contributes chunk[s] floats per row.
inline void concatDense(int64_t outer, int num, const float *const *srcs,
                        const int64_t *chunk, float *y) {
  int64_t total = 0;
  for (int s = 0; s < num; ++s)
    total += chunk[s];
  for (int64_t i = 0; i < outer; ++i) {
    int64_t off = 0;
    for (int s = 0; s < num; ++s) {
      std::memcpy(y + i * total + off, srcs[s] + i * chunk[s],
                  sizeof(float) * chunk[s]);
      off += chunk[s];
    }
  }
}
)cpp";

/// Writes the fields of a Conv2DParams for a conv-like op.
void convParams(Writer &w, const std::string &name, Value input, Value output,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  w.line("Conv2DParams " + name + ";");
  w.line(name + ".batch = " + Twine(in[0]) + ";");
  w.line(name + ".inH = " + Twine(in[1]) + "; " + name + ".inW = " +
         Twine(in[2]) + "; " + name + ".inC = " + Twine(in[3]) + ";");
  w.line(name + ".outH = " + Twine(out[1]) + "; " + name + ".outW = " +
         Twine(out[2]) + "; " + name + ".outC = " + Twine(out[3]) + ";");
  w.line(name + ".kernelH = " + Twine(kernel[0]) + "; " + name +
         ".kernelW = " + Twine(kernel[1]) + ";");
  w.line(name + ".strideH = " + Twine(strides[0]) + "; " + name +
         ".strideW = " + Twine(strides[1]) + ";");
  w.line(name + ".dilationH = " + Twine(dilations[0]) + "; " + name +
         ".dilationW = " + Twine(dilations[1]) + ";");
  w.line(name + ".padTop = " + Twine(pads[0]) + "; " + name + ".padBottom = " +
         Twine(pads[1]) + "; " + name + ".padLeft = " + Twine(pads[2]) + "; " +
         name + ".padRight = " + Twine(pads[3]) + ";");
}

void poolParams(Writer &w, const std::string &name, Value input, Value output,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> pads) {
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  w.line("Pool2DParams " + name + ";");
  w.line(name + ".batch = " + Twine(in[0]) + "; " + name +
         ".channels = " + Twine(in[3]) + ";");
  w.line(name + ".inH = " + Twine(in[1]) + "; " + name +
         ".inW = " + Twine(in[2]) + ";");
  w.line(name + ".outH = " + Twine(out[1]) + "; " + name +
         ".outW = " + Twine(out[2]) + ";");
  w.line(name + ".kernelH = " + Twine(kernel[0]) + "; " + name +
         ".kernelW = " + Twine(kernel[1]) + ";");
  w.line(name + ".strideH = " + Twine(strides[0]) + "; " + name +
         ".strideW = " + Twine(strides[1]) + ";");
  w.line(name + ".padTop = " + Twine(pads[0]) + "; " + name + ".padBottom = " +
         Twine(pads[1]) + "; " + name + ".padLeft = " + Twine(pads[2]) + "; " +
         name + ".padRight = " + Twine(pads[3]) + ";");
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

LogicalResult Emitter::emitReferenceOp(Operation *op) {
  Writer &w = *body;
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    if (failed(allocateResult(op, conv.getOutput())))
      return failure();
    ArrayRef<int64_t> f = shapeOf(conv.getFilter());
    LayerBlock block(*this, op);
    convParams(w, "p", conv.getInput(), conv.getOutput(), {f[0], f[1]},
               conv.getStrides(), conv.getDilations(), conv.getPads());
    w.line("ref::conv2d(p, " + ptr(conv.getInput()) + ", " +
           ptr(conv.getFilter()) + ", nullptr, nullptr, " +
           ptr(conv.getOutput()) + ");");
    return success();
  }
  if (auto conv = dyn_cast<DepthwiseConv2DOp>(op)) {
    if (failed(allocateResult(op, conv.getOutput())))
      return failure();
    ArrayRef<int64_t> f = shapeOf(conv.getFilter());
    LayerBlock block(*this, op);
    convParams(w, "p", conv.getInput(), conv.getOutput(), {f[0], f[1]},
               conv.getStrides(), conv.getDilations(), conv.getPads());
    w.line("p.depthMultiplier = " + Twine(f[3]) + ";");
    w.line("ref::depthwiseConv2d(p, " + ptr(conv.getInput()) + ", " +
           ptr(conv.getFilter()) + ", nullptr, nullptr, " +
           ptr(conv.getOutput()) + ");");
    return success();
  }
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    if (failed(allocateResult(op, mm.getOutput())))
      return failure();
    ArrayRef<int64_t> wt = shapeOf(mm.getWeights());
    LayerBlock block(*this, op);
    w.line("FullyConnectedParams p;");
    w.line("p.m = " + Twine(numElements(mm.getInput()) / wt[0]) +
           "; p.k = " + Twine(wt[0]) + "; p.n = " + Twine(wt[1]) + ";");
    w.line("ref::fullyConnected(p, " + ptr(mm.getInput()) + ", " +
           ptr(mm.getWeights()) + ", nullptr, nullptr, " + ptr(mm.getOutput()) +
           ");");
    return success();
  }
  if (auto bias = dyn_cast<BiasAddOp>(op)) {
    if (failed(allocateResult(op, bias.getOutput())))
      return failure();
    int64_t c = numElements(bias.getBias());
    int layer = beginLayer(op);
    w.line("ref::biasActivation(" + ptr(bias.getInput()) + ", " +
           ptr(bias.getBias()) + ", " + ptr(bias.getOutput()) + ", " +
           Twine(numElements(bias.getInput()) / c) + ", " + Twine(c) +
           ", Activation::None);");
    endLayer(layer);
    return success();
  }
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    if (bn.getIsTraining())
      return unsupported(op, "batch_norm with is_training=True computes "
                             "batch statistics; compile the model with "
                             "is_training=False");
    if (failed(allocateResult(op, bn.getOutput())))
      return failure();
    int64_t c = numElements(bn.getMovingMean());
    int layer = beginLayer(op);
    w.line("ref::batchNorm(" + ptr(bn.getInput()) + ", " + ptr(bn.getOutput()) +
           ", " + Twine(numElements(bn.getInput()) / c) + ", " + Twine(c) +
           ", " + optPtr(bn.getGamma()) + ", " + optPtr(bn.getBeta()) + ", " +
           ptr(bn.getMovingMean()) + ", " + ptr(bn.getMovingVariance()) + ", " +
           fmtFloat(bn.getEpsilon().convertToDouble()) + ");");
    endLayer(layer);
    return success();
  }
  if (auto act = dyn_cast<ActivationOp>(op)) {
    if (failed(allocateResult(op, act.getOutput())))
      return failure();
    std::string e = activationEnum(act.getKind());
    int64_t count = numElements(act.getInput());
    int layer = beginLayer(op);
    if (!e.empty())
      w.line("ref::biasActivation(" + ptr(act.getInput()) + ", nullptr, " +
             ptr(act.getOutput()) + ", " + Twine(count) + ", 1, " + e + ");");
    else if (act.getKind() == "softplus")
      w.line("channelOp(" + ptr(act.getInput()) + ", " + ptr(act.getOutput()) +
             ", 1, " + Twine(count) + ", 1, 0, nullptr, nullptr, -1);");
    else
      return unsupported(op, "activation '" + act.getKind() + "'");
    endLayer(layer);
    return success();
  }
  if (isa<MaxPoolOp, AvgPoolOp>(op)) {
    Value in = op->getOperand(0), out = op->getResult(0);
    if (failed(allocateResult(op, out)))
      return failure();
    auto kernel = op->getAttrOfType<DenseI64ArrayAttr>("kernel");
    auto strides = op->getAttrOfType<DenseI64ArrayAttr>("strides");
    auto pads = op->getAttrOfType<DenseI64ArrayAttr>("pads");
    LayerBlock block(*this, op);
    poolParams(w, "p", in, out, kernel.asArrayRef(), strides.asArrayRef(),
               pads.asArrayRef());
    w.line(
        std::string(isa<MaxPoolOp>(op) ? "ref::maxPool2d" : "ref::avgPool2d") +
        "(p, " + ptr(in) + ", " + ptr(out) + ");");
    return success();
  }
  if (auto add = dyn_cast<AddOp>(op)) {
    if (failed(allocateResult(op, add.getOutput())))
      return failure();
    int layer = beginLayer(op);
    w.line("ref::add(" + ptr(add.getLhs()) + ", " + ptr(add.getRhs()) + ", " +
           ptr(add.getOutput()) + ", " + Twine(numElements(add.getLhs())) +
           ");");
    endLayer(layer);
    return success();
  }
  if (auto sm = dyn_cast<SoftmaxOp>(op)) {
    if (failed(allocateResult(op, sm.getOutput())))
      return failure();
    int64_t cols = shapeOf(sm.getInput()).back();
    int layer = beginLayer(op);
    w.line("ref::softmax(" + ptr(sm.getInput()) + ", " + ptr(sm.getOutput()) +
           ", " + Twine(numElements(sm.getInput()) / cols) + ", " +
           Twine(cols) + ");");
    endLayer(layer);
    return success();
  }
  if (auto rm = dyn_cast<ReduceMeanOp>(op)) {
    ArrayRef<int64_t> axes = rm.getAxes();
    ArrayRef<int64_t> in = shapeOf(rm.getInput());
    if (in.size() != 4 || axes.size() != 2 || axes[0] != 1 || axes[1] != 2)
      return unsupported(op, "only the spatial mean (axes [1, 2] of an NHWC "
                             "tensor) is implemented");
    if (failed(allocateResult(op, rm.getOutput())))
      return failure();
    int layer = beginLayer(op);
    w.line("ref::globalAvgPool(" + Twine(in[0]) + ", " + Twine(in[1]) + ", " +
           Twine(in[2]) + ", " + Twine(in[3]) + ", " + ptr(rm.getInput()) +
           ", " + ptr(rm.getOutput()) + ");");
    endLayer(layer);
    return success();
  }
  return unsupported(op);
}

LogicalResult Emitter::emitOp(Operation *op, bool inPrepare) {
  bool handled;
  if (failed(emitCommonOp(op, handled)))
    return failure();
  if (handled)
    return success();
  Writer &w = *body;

  // Dense-tensor ops both modes write the same way.
  if (auto pad = dyn_cast<PadOp>(op)) {
    ArrayRef<int64_t> in = shapeOf(pad.getInput());
    if (in.size() != 4 || blockWidth(pad.getInput()) != 0)
      return unsupported(op, "only dense 4-D pads are implemented");
    if (failed(allocateResult(op, pad.getOutput())))
      return failure();
    LayerBlock block(*this, op);
    w.line("static const int64_t in[4] = {" +
           llvm::join(
               llvm::map_range(in, [](int64_t d) { return std::to_string(d); }),
               ", ") +
           "};");
    w.line(
        "static const int64_t pads[8] = {" +
        llvm::join(llvm::map_range(pad.getPadding(),
                                   [](int64_t d) { return std::to_string(d); }),
                   ", ") +
        "};");
    w.line("pad4d(" + ptr(pad.getInput()) + ", " + ptr(pad.getOutput()) +
           ", in, pads);");
    return success();
  }
  if (auto cat = dyn_cast<ConcatOp>(op);
      cat && (!fast || blockWidth(cat.getOutput()) == 0)) {
    if (failed(allocateResult(op, cat.getOutput())))
      return failure();
    int64_t axis = cat.getAxis();
    ArrayRef<int64_t> out = shapeOf(cat.getOutput());
    if (axis < 0)
      axis += out.size();
    int64_t outer = product(out.take_front(axis));
    LayerBlock block(*this, op);
    std::vector<std::string> srcs, chunks;
    for (Value in : cat.getInputs()) {
      srcs.push_back(ptr(in));
      chunks.push_back(std::to_string(numElements(in) / outer));
    }
    w.line("const float *const srcs[] = {" + llvm::join(srcs, ", ") + "};");
    w.line("static const int64_t chunks[] = {" + llvm::join(chunks, ", ") +
           "};");
    w.line("concatDense(" + Twine(outer) + ", " + Twine(srcs.size()) +
           ", srcs, chunks, " + ptr(cat.getOutput()) + ");");
    return success();
  }
  if (fast)
    return emitFastOp(op, inPrepare);
  return emitReferenceOp(op);
}

LogicalResult Emitter::emitFastOp(Operation *op, bool inPrepare) {
  Writer &w = *body;
  int64_t vw = options.vectorWidth;
  for (Value v : op->getResults())
    if (blockWidth(v) != 0 && blockWidth(v) != vw)
      return unsupported(op, "its layout does not match the target's vector "
                             "width " +
                                 Twine(vw));

  if (inPrepare) {
    if (auto bn = dyn_cast<BnScaleShiftOp>(op)) {
      auto offs = op->getAttrOfType<DenseI64ArrayAttr>("arena_offsets");
      for (unsigned i = 0; i < 2; ++i)
        if (failed(allocatePrepareResult(op, op->getResult(i),
                                         offs ? offs[i] : -1)))
          return failure();
      w.line("batchNormScaleShift(" + Twine(numElements(bn.getScale())) + ", " +
             optPtr(bn.getGamma()) + ", " + optPtr(bn.getBeta()) + ", " +
             ptr(bn.getMovingMean()) + ", " + ptr(bn.getMovingVariance()) +
             ", " + fmtFloat(bn.getEpsilon().convertToDouble()) + ", " +
             ptr(bn.getScale()) + ", " + ptr(bn.getShift()) + ");");
      return success();
    }
    if (auto fold = dyn_cast<FoldScaleShiftOp>(op)) {
      auto offs = op->getAttrOfType<DenseI64ArrayAttr>("arena_offsets");
      for (unsigned i = 0; i < 2; ++i)
        if (failed(allocatePrepareResult(op, op->getResult(i),
                                         offs ? offs[i] : -1)))
          return failure();
      int64_t cout = numElements(fold.getScale());
      int64_t total = numElements(fold.getWeights());
      w.line("std::memcpy(" + ptr(fold.getFoldedWeights()) + ", " +
             ptr(fold.getWeights()) + ", " + Twine(total * 4) + ");");
      if (fold.getBias())
        w.line("std::memcpy(" + ptr(fold.getFoldedBias()) + ", " +
               ptr(fold.getBias()) + ", " + Twine(cout * 4) + ");");
      else
        w.line("std::memset(" + ptr(fold.getFoldedBias()) + ", 0, " +
               Twine(cout * 4) + ");");
      w.line("foldScaleShift(" + ptr(fold.getFoldedWeights()) + ", " +
             Twine(total / cout) + ", " + Twine(cout) + ", " +
             ptr(fold.getFoldedBias()) + ", " + ptr(fold.getScale()) + ", " +
             ptr(fold.getShift()) + ");");
      return success();
    }
    if (auto pack = dyn_cast<PackFilterOp>(op)) {
      if (static_cast<int64_t>(pack.getVectorWidth()) != vw)
        return unsupported(op, "packed for vector width " +
                                   Twine(pack.getVectorWidth()));
      auto offs = op->getAttrOfType<IntegerAttr>("arena_offset");
      if (failed(allocatePrepareResult(op, pack.getPacked(),
                                       offs ? offs.getInt() : -1)))
        return failure();
      ArrayRef<int64_t> f = shapeOf(pack.getFilter());
      std::string src = ptr(pack.getFilter()), dst = ptr(pack.getPacked());
      StringRef kind = pack.getKind();
      if (kind == "conv2d" && f.size() == 4)
        w.line("packConv2dWeights(" + src + ", " + Twine(f[0]) + ", " +
               Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) + ", " +
               dst + ");");
      else if (kind == "depthwise" && f.size() == 4)
        w.line("packDepthwiseWeights(" + src + ", " + Twine(f[0]) + ", " +
               Twine(f[1]) + ", " + Twine(f[2] * f[3]) + ", " + dst + ");");
      else if (kind == "fc" && f.size() == 2)
        w.line("packFullyConnectedWeights(" + src + ", " + Twine(f[0]) + ", " +
               Twine(f[1]) + ", " + dst + ");");
      else if (kind == "fc_blocked" && f.size() == 4)
        w.line("packFullyConnectedWeightsBlocked(" + src + ", " + Twine(f[0]) +
               ", " + Twine(f[1]) + ", " + Twine(f[2]) + ", " + Twine(f[3]) +
               ", " + dst + ");");
      else
        return unsupported(op, "packing '" + kind + "'");
      return success();
    }
    if (auto write = dyn_cast<WriteParamOp>(op)) {
      std::string dst =
          "params[" + std::to_string(paramIndex.lookup(write.getName())) + "]";
      std::string src = ptr(write.getValue());
      auto in = inParam.find(write.getValue());
      bool inPlace = in != inParam.end() &&
                     in->second == paramIndex.lookup(write.getName());
      if (!inPlace)
        w.line("std::memcpy(" + dst + ", " + src + ", " +
               Twine(numElements(write.getValue()) * 4) + ");");
      return success();
    }
    return unsupported(op, "not a load-time op the code generator knows");
  }

  if (auto read = dyn_cast<ReadParamOp>(op)) {
    values[read.getResult()] =
        Storage{"const_cast<float *>(static_cast<const float *>(params[" +
                std::to_string(paramIndex.lookup(read.getName())) + "]))"};
    return success();
  }
  if (auto tb = dyn_cast<ToBlockedOp>(op)) {
    if (failed(allocateResult(op, tb.getOutput())))
      return failure();
    ArrayRef<int64_t> s = shapeOf(tb.getOutput());
    const Storage &o = get(tb.getOutput());
    int layer = beginLayer(op);
    w.line("nhwcToBlocked(" + ptr(tb.getInput()) + ", " + Twine(s[0]) + ", " +
           Twine(s[1]) + ", " + Twine(s[2]) + ", " + Twine(s[3]) + ", " +
           o.ptr + ", " + Twine(o.cbOffset) + ", " + Twine(o.cbTotal) + ");");
    endLayer(layer);
    return success();
  }
  if (auto fb = dyn_cast<FromBlockedOp>(op)) {
    if (failed(allocateResult(op, fb.getOutput())))
      return failure();
    ArrayRef<int64_t> s = shapeOf(fb.getInput());
    const Storage &i = get(fb.getInput());
    int layer = beginLayer(op);
    w.line("blockedToNhwc(" + i.ptr + ", " + Twine(s[0]) + ", " + Twine(s[1]) +
           ", " + Twine(s[2]) + ", " + Twine(s[3]) + ", " +
           ptr(fb.getOutput()) + ", " + Twine(i.cbOffset) + ", " +
           Twine(i.cbTotal) + ");");
    endLayer(layer);
    return success();
  }
  if (isa<FusedConv2DOp, FusedDepthwiseConv2DOp>(op)) {
    Value input = op->getOperand(0), filter = op->getOperand(1);
    Value output = op->getResult(0);
    Value bias, residual;
    StringRef packing, activation;
    ArrayRef<int64_t> kernel, strides, dilations, pads;
    if (auto c = dyn_cast<FusedConv2DOp>(op)) {
      bias = c.getBias();
      residual = c.getResidual();
      packing = c.getPacking().value_or("");
      activation = c.getActivation();
      kernel = c.getKernel();
      strides = c.getStrides();
      dilations = c.getDilations();
      pads = c.getPads();
    } else {
      auto d = cast<FusedDepthwiseConv2DOp>(op);
      bias = d.getBias();
      residual = d.getResidual();
      packing = d.getPacking().value_or("");
      activation = d.getActivation();
      kernel = d.getKernel();
      strides = d.getStrides();
      dilations = d.getDilations();
      pads = d.getPads();
    }
    std::string act = activationEnum(activation);
    if (act.empty())
      return unsupported(op, "epilogue activation '" + activation + "'");
    if (blockWidth(input) != vw || blockWidth(output) != vw ||
        (residual && blockWidth(residual) != vw))
      return unsupported(op, "the fast kernels need blocked activations");
    if (failed(allocateResult(op, output)))
      return failure();
    const Storage &in = get(input), &out = get(output);
    LayerBlock block(*this, op);
    if (packing == "fc_blocked") {
      ArrayRef<int64_t> is = shapeOf(input), os = shapeOf(output);
      if (in.cbTotal || (residual && get(residual).cbTotal))
        return unsupported(op, "a fully-connected layer reading a slice of "
                               "a concat");
      int64_t k = ceilDiv(is[3], vw) * is[1] * is[2] * vw;
      w.line("FullyConnectedParams p;");
      w.line("p.m = " + Twine(is[0]) + "; p.k = " + Twine(k) +
             "; p.n = " + Twine(os[3]) + ";");
      int64_t outCb = out.cbTotal ? out.cbTotal : ceilDiv(os[3], vw);
      w.line("p.ldy = " + Twine(outCb * vw) + "; p.ldr = " +
             Twine(ceilDiv(os[3], vw) * vw) + "; p.padOutput = true;");
      w.line("p.act = " + act + ";");
      w.line("fullyConnected(p, " + in.ptr + ", " + ptr(filter) + ", " +
             optPtr(bias) + ", " + optPtr(residual) + ", " + out.ptr + " + " +
             Twine(out.cbOffset * vw) + ", par);");
    } else {
      bool depthwise = isa<FusedDepthwiseConv2DOp>(op);
      if (packing != (depthwise ? "depthwise" : "conv2d"))
        return unsupported(op, "filter packing '" + packing + "'");
      convParams(w, "p", input, output, kernel, strides, dilations, pads);
      if (depthwise)
        w.line("p.depthMultiplier = " +
               Twine(shapeOf(output)[3] / shapeOf(input)[3]) + ";");
      w.line("p.act = " + act + ";");
      if (in.cbTotal)
        w.line("p.inCbOffset = " + Twine(in.cbOffset) +
               "; p.inCbTotal = " + Twine(in.cbTotal) + ";");
      if (out.cbTotal)
        w.line("p.outCbOffset = " + Twine(out.cbOffset) +
               "; p.outCbTotal = " + Twine(out.cbTotal) + ";");
      if (residual && get(residual).cbTotal)
        w.line("p.resCbOffset = " + Twine(get(residual).cbOffset) +
               "; p.resCbTotal = " + Twine(get(residual).cbTotal) + ";");
      w.line(std::string(depthwise ? "depthwiseConv2d" : "conv2d") + "(p, " +
             in.ptr + ", " + ptr(filter) + ", " + optPtr(bias) + ", " +
             optPtr(residual) + ", " + out.ptr + ", par);");
    }
    return success();
  }
  if (auto mm = dyn_cast<FusedMatMulOp>(op)) {
    std::string act = activationEnum(mm.getActivation());
    if (act.empty() || mm.getPacking().value_or("") != "fc" ||
        blockWidth(mm.getInput()) != 0)
      return unsupported(op, "fused_matmul without 'fc' packing on a dense "
                             "input, or with activation '" +
                                 mm.getActivation() + "'");
    if (failed(allocateResult(op, mm.getOutput())))
      return failure();
    int64_t k = shapeOf(mm.getInput()).back();
    int64_t n = shapeOf(mm.getOutput()).back();
    LayerBlock block(*this, op);
    w.line("FullyConnectedParams p;");
    w.line("p.m = " + Twine(numElements(mm.getInput()) / k) +
           "; p.k = " + Twine(k) + "; p.n = " + Twine(n) + ";");
    w.line("p.act = " + act + ";");
    w.line("fullyConnected(p, " + ptr(mm.getInput()) + ", " +
           ptr(mm.getFilter()) + ", " + optPtr(mm.getBias()) + ", " +
           optPtr(mm.getResidual()) + ", " + ptr(mm.getOutput()) + ", par);");
    return success();
  }
  if (isa<MaxPoolOp, AvgPoolOp>(op)) {
    Value input = op->getOperand(0), output = op->getResult(0);
    if (blockWidth(input) != vw)
      return unsupported(op, "the fast pooling kernels need blocked input");
    if (failed(allocateResult(op, output)))
      return failure();
    const Storage &in = get(input), &out = get(output);
    LayerBlock block(*this, op);
    poolParams(w, "p", input, output,
               op->getAttrOfType<DenseI64ArrayAttr>("kernel").asArrayRef(),
               op->getAttrOfType<DenseI64ArrayAttr>("strides").asArrayRef(),
               op->getAttrOfType<DenseI64ArrayAttr>("pads").asArrayRef());
    if (in.cbTotal)
      w.line("p.inCbOffset = " + Twine(in.cbOffset) +
             "; p.inCbTotal = " + Twine(in.cbTotal) + ";");
    if (out.cbTotal)
      w.line("p.outCbOffset = " + Twine(out.cbOffset) +
             "; p.outCbTotal = " + Twine(out.cbTotal) + ";");
    w.line(std::string(isa<MaxPoolOp>(op) ? "maxPool2d" : "avgPool2d") +
           "(p, " + in.ptr + ", " + out.ptr + ", par);");
    return success();
  }
  if (auto cat = dyn_cast<ConcatOp>(op)) {
    ArrayRef<int64_t> os = shapeOf(cat.getOutput());
    if (int64_t axis = cat.getAxis(); axis != 3 && axis != -1)
      return unsupported(op, "blocked concat along an axis other than "
                             "channels");
    if (failed(allocateResult(op, cat.getOutput())))
      return failure();
    auto inPlace = op->getAttrOfType<DenseBoolArrayAttr>("in_place_inputs");
    int64_t cOffset = 0;
    bool any = false;
    for (auto [i, in] : llvm::enumerate(cat.getInputs())) {
      int64_t c = shapeOf(in)[3];
      if (!inPlace || !inPlace[i]) {
        if (!any) {
          beginLayer(op);
          any = true;
        }
        const Storage &s = get(in);
        w.line("concatChannelsBlocked(" + s.ptr + ", " + Twine(os[0]) + ", " +
               Twine(os[1]) + ", " + Twine(os[2]) + ", " + Twine(c) + ", " +
               ptr(cat.getOutput()) + ", " + Twine(cOffset) + ", " +
               Twine(os[3]) + ", par, " + Twine(s.cbOffset) + ", " +
               Twine(s.cbTotal) + ");");
      }
      cOffset += c;
    }
    if (any)
      endLayer(layers.size() - 1);
    else
      w.line("// " + Twine(scopeOf(op).empty() ? "concat" : scopeOf(op)) +
             ": concat computed in place by its producers");
    return success();
  }
  if (auto add = dyn_cast<AddOp>(op)) {
    if (get(add.getLhs()).cbTotal || get(add.getRhs()).cbTotal)
      return unsupported(op, "add of a slice of a concat");
    if (failed(allocateResult(op, add.getOutput())))
      return failure();
    ArrayRef<int64_t> s = shapeOf(add.getOutput());
    int64_t count = numElements(add.getOutput());
    if (blockWidth(add.getOutput()) > 0)
      count = count / s[3] * ceilDiv(s[3], vw) * vw;
    int layer = beginLayer(op);
    w.line("add(" + ptr(add.getLhs()) + ", " + ptr(add.getRhs()) + ", " +
           ptr(add.getOutput()) + ", " + Twine(count) +
           ", Activation::None, par);");
    endLayer(layer);
    return success();
  }
  if (isa<ActivationOp, BiasAddOp, ChannelAffineOp, DropoutOp>(op)) {
    Value input = op->getOperand(0), output = op->getResult(0);
    if (get(input).cbTotal)
      return unsupported(op, "elementwise op on a slice of a concat");
    if (failed(allocateResult(op, output)))
      return failure();
    ArrayRef<int64_t> s = shapeOf(output);
    int64_t vec = blockWidth(output);
    int64_t c = s.back();
    int64_t hw = vec ? s[1] * s[2] : numElements(output) / c;
    int64_t n = vec ? s[0] : 1;
    std::string scale = "nullptr", shift = "nullptr", act = "0";
    if (auto a = dyn_cast<ActivationOp>(op)) {
      std::string e = activationEnum(a.getKind());
      if (e.empty() && a.getKind() != "softplus")
        return unsupported(op, "activation '" + a.getKind() + "'");
      act = e.empty() ? "-1" : "static_cast<int>(" + e + ")";
    } else if (auto b = dyn_cast<BiasAddOp>(op)) {
      shift = ptr(b.getBias());
    } else if (auto ca = dyn_cast<ChannelAffineOp>(op)) {
      scale = ptr(ca.getScale());
      shift = ptr(ca.getShift());
    }
    int layer = beginLayer(op);
    w.line("channelOp(" + ptr(input) + ", " + ptr(output) + ", " + Twine(n) +
           ", " + Twine(hw) + ", " + Twine(c) + ", " + Twine(vec) + ", " +
           scale + ", " + shift + ", " + act + ");");
    endLayer(layer);
    return success();
  }
  if (auto rm = dyn_cast<ReduceMeanOp>(op)) {
    ArrayRef<int64_t> axes = rm.getAxes();
    ArrayRef<int64_t> s = shapeOf(rm.getInput());
    if (blockWidth(rm.getInput()) != vw || s.size() != 4 || axes.size() != 2 ||
        axes[0] != 1 || axes[1] != 2 || get(rm.getInput()).cbTotal)
      return unsupported(op, "only the spatial mean of a blocked tensor is "
                             "implemented");
    if (failed(allocateResult(op, rm.getOutput())))
      return failure();
    int layer = beginLayer(op);
    w.line("globalAvgPool(" + Twine(s[0]) + ", " + Twine(s[1]) + ", " +
           Twine(s[2]) + ", " + Twine(s[3]) + ", " + ptr(rm.getInput()) + ", " +
           ptr(rm.getOutput()) + ", par);");
    endLayer(layer);
    return success();
  }
  if (auto sm = dyn_cast<SoftmaxOp>(op)) {
    if (blockWidth(sm.getInput()) != 0)
      return unsupported(op, "softmax of a blocked tensor");
    if (failed(allocateResult(op, sm.getOutput())))
      return failure();
    int64_t cols = shapeOf(sm.getInput()).back();
    int layer = beginLayer(op);
    w.line("softmax(" + ptr(sm.getInput()) + ", " + ptr(sm.getOutput()) + ", " +
           Twine(numElements(sm.getInput()) / cols) + ", " + Twine(cols) +
           ", par);");
    endLayer(layer);
    return success();
  }
  return unsupported(op);
}

LogicalResult Emitter::emitPrepare() {
  Writer w(prepareText);
  body = &w;
  if (!prepareFn)
    return success();
  int64_t scratch = 0;
  if (auto a = module->getAttrOfType<IntegerAttr>("slim.prepare_scratch_size"))
    scratch = a.getInt();
  // The runtime lends prepare its scratch (slim_exec_env::scratch) for the
  // call, so generated code never allocates.
  prepareScratchSize = scratch > 0 ? (scratch + 63) / 64 * 64 : 0;
  if (scratch > 0)
    w.line("void *const scratch = env->scratch;");
  for (Operation &op : prepareFn.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (failed(emitOp(&op, /*inPrepare=*/true)))
      return failure();
  }
  return success();
}

LogicalResult Emitter::emitRun() {
  Writer w(runText);
  body = &w;
  Block &block = runFn.getBody().front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    outputOf.try_emplace(v, i);
  for (auto [i, arg] : llvm::enumerate(runFn.getArguments()))
    values[arg] = Storage{"const_cast<float *>(static_cast<const float *>("
                          "inputs[" +
                          std::to_string(i) + "]))"};
  for (Operation &op : block) {
    if (&op == ret.getOperation())
      continue;
    if (failed(emitOp(&op, /*inPrepare=*/false)))
      return failure();
  }
  // Outputs not written in place (a graph input returned, a value returned
  // twice, a value that also lives on in the arena) are copied.
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    std::string dst =
        "static_cast<float *>(outputs[" + std::to_string(i) + "])";
    if (ptr(v) == dst)
      continue;
    if (get(v).cbTotal || blockWidth(v) != 0)
      return ret.emitError("output ")
             << i << " is a blocked tensor; the pipeline must convert it";
    w.line("std::memcpy(" + dst + ", " + ptr(v) + ", " +
           Twine(numElements(v) * 4) + ");");
  }
  return success();
}

const char *dtypeName(Type t) {
  if (t.isF32())
    return "SLIM_DTYPE_F32";
  if (t.isF64())
    return "SLIM_DTYPE_F64";
  if (t.isInteger(32))
    return "SLIM_DTYPE_I32";
  if (t.isInteger(64))
    return "SLIM_DTYPE_I64";
  if (t.isInteger(8))
    return "SLIM_DTYPE_U8";
  return nullptr;
}

std::string dimsList(ArrayRef<int64_t> dims) {
  if (dims.empty())
    return "{0}";
  return "{" +
         llvm::join(
             llvm::map_range(dims, [](int64_t d) { return std::to_string(d); }),
             ", ") +
         "}";
}

LogicalResult Emitter::emit(raw_ostream &os) {
  if (failed(collectSymbols()) || failed(emitPrepare()) || failed(emitRun()))
    return failure();
  if (!fast)
    arenaSize = bumpOffset;
  else if (auto a = module->getAttrOfType<IntegerAttr>("slim.arena_size"))
    arenaSize = a.getInt();
  // Variables `run` reads itself must stay; the rest only feed prepare.
  llvm::StringSet<> readByRun;
  runFn.walk([&](ReadVariableOp read) { readByRun.insert(read.getName()); });

  std::string ident;
  for (char c : options.modelName)
    ident += llvm::isAlnum(c) ? c : '_';
  if (ident.empty() || llvm::isDigit(ident[0]))
    ident = "m_" + ident;

  os << "// Generated by " << options.generator << " ("
     << (fast ? "fast" : "reference") << " kernels) for the model '"
     << options.modelName << "'.\n"
     << "// Implements runtime/include/slim/model_abi.h; compile with\n"
     << "//   c++ -std=c++17 -O3 -march=<target> -fPIC -shared "
        "-I<slim runtime include dir>\n\n"
     << "#include \"slim/model_abi.h\"\n"
     << "#include \"slim/kernels.h\"\n"
     << "#include \"slim/parallel.h\"\n\n"
     << "#include <cmath>\n#include <cstdint>\n#include <cstdio>\n"
     << "#include <cstdlib>\n#include <cstring>\n\n"
     << "namespace {\n\nusing namespace slim::kernels;\n\n";
  if (fast)
    os << "static_assert(kVec == " << options.vectorWidth
       << ", \"this model was generated for " << options.vectorWidth
       << "-lane vectors; compile it for the matching -march\");\n";
  os << kHelpers << "\n";

  // Inputs and outputs.
  os << "const slim_tensor_desc kInputs[] = {\n";
  for (auto [i, arg] : llvm::enumerate(runFn.getArguments())) {
    auto name = runFn.getArgAttrOfType<StringAttr>(i, "slim.name");
    auto type = cast<RankedTensorType>(arg.getType());
    os << "    {"
       << cString(name ? name.getValue() : "input" + std::to_string(i))
       << ", SLIM_DTYPE_F32, " << type.getRank() << ", "
       << dimsList(type.getShape()) << "},\n";
  }
  if (runFn.getNumArguments() == 0)
    os << "    {nullptr, 0, 0, {0}},\n";
  os << "};\n\nconst slim_tensor_desc kOutputs[] = {\n";
  for (auto [i, t] : llvm::enumerate(runFn.getResultTypes())) {
    auto name = runFn.getResultAttrOfType<StringAttr>(i, "slim.name");
    auto type = cast<RankedTensorType>(t);
    os << "    {"
       << cString(name ? name.getValue() : "output" + std::to_string(i))
       << ", SLIM_DTYPE_F32, " << type.getRank() << ", "
       << dimsList(type.getShape()) << "},\n";
  }
  os << "};\n\n";

  // Variables.
  os << "const slim_variable_desc kVariables[] = {\n";
  for (VariableOp var : variables) {
    auto type = cast<RankedTensorType>(var.getType());
    const char *dt = dtypeName(type.getElementType());
    if (!dt)
      return var.emitError("variable '")
             << var.getSymName() << "' has an element type the ABI lacks";
    DictionaryAttr init = var.getInitializer();
    StringRef kind = attrString(init, "kind");
    std::string spec;
    auto numbers = [&](const char *k, const char *mode, int uniform,
                       double value, double mean, double stddev, double minval,
                       double maxval, double factor) {
      spec = "{" + std::string(k) + ", " + mode + ", " +
             std::to_string(uniform) + ", 0, " + fmtDouble(value) + ", " +
             fmtDouble(mean) + ", " + fmtDouble(stddev) + ", " +
             fmtDouble(minval) + ", " + fmtDouble(maxval) + ", " +
             fmtDouble(factor) + "}";
    };
    if (kind == "zeros")
      numbers("SLIM_INIT_ZEROS", "0", 0, 0, 0, 0, 0, 0, 0);
    else if (kind == "ones")
      numbers("SLIM_INIT_ONES", "0", 0, 0, 0, 0, 0, 0, 0);
    else if (kind == "constant")
      numbers("SLIM_INIT_CONSTANT", "0", 0, attrNumber(init, "value"), 0, 0, 0,
              0, 0);
    else if (kind == "truncated_normal" || kind == "random_normal")
      numbers(kind == "truncated_normal" ? "SLIM_INIT_TRUNCATED_NORMAL"
                                         : "SLIM_INIT_RANDOM_NORMAL",
              "0", 0, 0, attrNumber(init, "mean"),
              attrNumber(init, "stddev", 1.0), 0, 0, 0);
    else if (kind == "random_uniform")
      numbers("SLIM_INIT_RANDOM_UNIFORM", "0", 0, 0, 0, 0,
              attrNumber(init, "minval"), attrNumber(init, "maxval", 1.0), 0);
    else if (kind == "variance_scaling") {
      StringRef mode = attrString(init, "mode");
      StringRef dist = attrString(init, "distribution");
      const char *m = mode == "FAN_IN"    ? "SLIM_FAN_IN"
                      : mode == "FAN_OUT" ? "SLIM_FAN_OUT"
                      : mode == "FAN_AVG" ? "SLIM_FAN_AVG"
                                          : nullptr;
      if (!m || (dist != "uniform" && dist != "slim_truncated_normal"))
        return var.emitError("variable '")
               << var.getSymName() << "': variance_scaling with mode '" << mode
               << "' and distribution '" << dist << "' has no ABI initializer";
      numbers("SLIM_INIT_VARIANCE_SCALING", m, dist == "uniform", 0, 0, 0, 0, 0,
              attrNumber(init, "factor", 1.0));
    } else {
      return var.emitError("variable '")
             << var.getSymName() << "': initializer '" << kind
             << "' has no ABI equivalent";
    }
    double l1 = 0, l2 = 0;
    if (DictionaryAttr reg = var.getRegularizerAttr()) {
      StringRef rk = attrString(reg, "kind");
      if (rk == "l2")
        l2 = attrNumber(reg, "scale");
      else if (rk == "l1")
        l1 = attrNumber(reg, "scale");
      else if (rk == "l1_l2") {
        l1 = attrNumber(reg, "scale_l1");
        l2 = attrNumber(reg, "scale_l2");
      } else {
        return var.emitError("variable '")
               << var.getSymName() << "': regularizer '" << rk
               << "' has no ABI equivalent";
      }
    }
    os << "    {" << cString(var.getSymName()) << ", " << dt << ", "
       << type.getRank() << ", " << dimsList(type.getShape()) << ", "
       << (var.getCollection() == "model" ? "SLIM_COLLECTION_MODEL"
                                          : "SLIM_COLLECTION_REGULAR")
       << ", " << (var.getTrainable() ? 1 : 0) << ", "
       << cString(var.getDevice().value_or("")) << ",\n     " << spec
       << ",\n     {" << fmtDouble(l1) << ", " << fmtDouble(l2) << "}, "
       << (readByRun.contains(var.getSymName()) ? 0 : 1) << "},\n";
  }
  if (variables.empty())
    os << "    {nullptr, 0, 0, {0}, 0, 0, nullptr, {}, {}, 0},\n";
  os << "};\n\n";

  os << "const slim_param_desc kParams[] = {\n";
  for (ParamOp p : params)
    os << "    {" << cString(p.getSymName()) << ", "
       << cast<RankedTensorType>(p.getType()).getNumElements() * 4
       << ", 64},\n";
  if (params.empty())
    os << "    {nullptr, 0, 0},\n";
  os << "};\n\n";

  os << "const slim_layer_desc kLayers[] = {\n";
  for (const Layer &l : layers)
    os << "    {" << cString(l.name) << ", " << cString(l.op) << ", "
       << fmtDouble(l.flops) << "},\n";
  if (layers.empty())
    os << "    {nullptr, nullptr, 0},\n";
  os << "};\n\n";

  os << "int32_t prepare(const slim_exec_env *env, const void *const "
        "*variables,\n                void *const *params) {\n"
     << "  (void)env;\n  (void)variables;\n  (void)params;\n"
     << prepareText << "  return 0;\n}\n\n";
  os << "int32_t run(const slim_exec_env *env, const void *const "
        "*variables,\n            const void *const *params, const void "
        "*const *inputs,\n            void *const *outputs, void *arena) {\n"
     << "  (void)variables;\n  (void)params;\n  (void)inputs;\n"
     << "  (void)outputs;\n  (void)arena;\n"
     << "  const slim_parallel *par = env->parallel;\n  (void)par;\n"
     << "  const slim_profiler *prof = env->profiler;\n  (void)prof;\n"
     << runText << "  return 0;\n}\n\n";

  os << "const slim_model_def kDef = {\n"
     << "    SLIM_MODEL_ABI_VERSION,\n"
     << "    " << options.requiredIsa << "u,\n"
     << "    " << cString(options.modelName) << ",\n"
     << "    " << cString(options.generator) << ",\n"
     << "    " << runFn.getNumArguments() << ",\n    kInputs,\n"
     << "    " << runFn.getNumResults() << ",\n    kOutputs,\n"
     << "    " << variables.size() << ",\n    kVariables,\n"
     << "    " << params.size() << ",\n    kParams,\n"
     << "    " << arenaSize << "u,\n    64,\n"
     << "    " << layers.size() << ",\n    kLayers,\n"
     << "    prepare,\n    run,\n"
     << "    " << prepareScratchSize << "u,\n"
     << "    " << options.defaultNumThreads << ",\n};\n\n} // namespace\n\n";
  os << "#define SLIM_EXPORT __attribute__((visibility(\"default\")))\n\n"
     << "extern \"C\" {\n"
     << "SLIM_EXPORT extern const uint32_t slim_model_required_isa;\n"
     << "const uint32_t slim_model_required_isa = " << options.requiredIsa
     << "u;\n"
     << "SLIM_EXPORT const slim_model_def *slim_model_get_def(void) {\n"
     << "  return &kDef;\n}\n"
     << "/// For static linking.\n"
     << "SLIM_EXPORT const slim_model_def *" << ident
     << "_get_def(void) { return &kDef; }\n"
     << "}\n";
  return success();
}

} // namespace

LogicalResult mlir::slim::emitCpp(ModuleOp module,
                                  const CodeGenOptions &options,
                                  raw_ostream &os) {
  return Emitter(module, options).emit(os);
}
