//===- CudaEmitter.cpp - Code for the CUDA kernels ------------------------===//
//
// --target=cuda: the output of buildSlimInferencePipeline with the NHWC
// layout (fused ops, batch norm folded in @slim_prepare, HWIO filters left
// unpacked, memory plan) as one `.cu` file that calls the kernels of
// slim/cuda/kernels.cuh.
//
// Memory (model_abi.h, slim_device_ops): `prepare` is the CPU's host code
// (slim/kernels/pack.h) writing host parameter buffers; the runtime uploads
// them and the variables `run` reads. `run` receives device pointers only
// and hands its layers to slim::cuda::runModel (slim/cuda/model_support.cuh)
// as one lambda that launches every layer on the context's stream and
// returns the first error: runModel captures it as a CUDA Graph on the first
// run and replays it while the buffers are the same, or launches it eagerly
// with a CUDA event before and after each layer when the runtime profiles.
//
// Concats are views of the arena: producers the memory plan placed in a
// concat's buffer write at their channel offset (the kernels' cOffset /
// cStride), the other pieces are copied with concatCopy. A convolution whose
// window covers its whole unpadded input (a fully-connected layer written as
// a conv, VGG's fc6) runs as fullyConnected: the NHWC flatten order of its
// input is the flatten order of its HWIO filter. fullyConnected's split-K
// workspace lives after the memory plan's arena; the arena size the library
// reports includes it.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/Emitters.h"
#include "slim/contract.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace {

/// Bytes of split-K workspace slim::cuda::fullyConnected can use for an
/// m x k by k x n layer, from the contract both sides include. The generated
/// code still checks the kernels' own answer against what was reserved and
/// runs without split-K (same results, slower) should they ever disagree.
int64_t fullyConnectedWorkspaceBytes(int64_t m, int64_t k, int64_t n) {
  return ::slim::contract::cuda::fcWorkspaceBytes(m, k, n);
}

class CudaEmitter : public ModelEmitter {
public:
  CudaEmitter(ModuleOp module, const CodeGenOptions &options)
      : ModelEmitter(module, options, Placement::MemoryPlan) {}

private:
  LogicalResult checkModuleForm() override;
  void emitFileHeader(raw_ostream &os) override;
  void emitPrologue(raw_ostream &os) override;
  LogicalResult emitRunOp(Operation *op) override;
  void emitLayerBegin(int layer) override;
  void emitLayerEnd(int layer) override;
  void emitRunPrologue(raw_ostream &os) override;
  void emitRunEpilogue() override;
  void emitOutputCopy(StringRef dst, StringRef src, int64_t bytes) override;
  void emitDefTail(raw_ostream &os) override;

  /// Writes `call` (a launcher returning cudaError_t) returning its error.
  void launch(const Twine &call);
  /// The lines of `run` go into the enqueue lambda, one level deeper.
  void enterLambda();

  template <typename FusedOp> LogicalResult emitConv(FusedOp conv);
  /// A conv whose window covers its whole unpadded input.
  template <typename FusedOp> bool isWholeMapConv(FusedOp conv);
  /// y = act(x W + bias + residual) with x [m][k], W [k][n].
  LogicalResult emitFullyConnected(Operation *op, Value input, Value filter,
                                   Value bias, Value residual, Value output,
                                   StringRef activation, int64_t m, int64_t k);
  LogicalResult emitPooling(Operation *op);
  /// The 5-D ops (slim/cuda/conv3d.cuh); conv3d runs in FP32 whatever the
  /// precision.
  LogicalResult emitConv3D(FusedConv3DOp conv);
  LogicalResult emitPooling3D(Operation *op);
  LogicalResult emitConcat(ConcatOp cat);
  LogicalResult emitAdd(AddOp add);
  LogicalResult emitBinary(BinaryOp bin);
  LogicalResult emitBinaryScalar(BinaryScalarOp bin);
  LogicalResult emitLrn(LrnOp lrn);
  LogicalResult emitTile(TileOp tile);
  LogicalResult emitPerChannel(Operation *op);
  /// reduce_mean / reduce_sum / reduce_max.
  LogicalResult emitReduce(Operation *op);
  LogicalResult emitSoftmax(SoftmaxOp sm);
  LogicalResult emitPad(PadOp pad);
  // The spatial ops (slim/cuda/spatial.cuh).
  LogicalResult emitConvTranspose(FusedConv2DTransposeOp conv);
  LogicalResult emitResize(ResizeOp resize);
  LogicalResult emitStridedSlice(StridedSliceOp slice);
  LogicalResult emitInstanceNorm(InstanceNormOp norm);
  LogicalResult emitGroupNorm(GroupNormOp norm);
  /// The run-side pointer of a parameter `prepare` fills with the
  /// conv2d_transpose filter `filter` with its channel axes swapped.
  FailureOr<std::string> swappedFilter(Operation *op, Value filter);

  /// Channel offset / stride of a value written or read as a slice of a
  /// concat's buffer ("" when it is a whole tensor), as `p.<prefix>COffset`
  /// and `p.<prefix>CStride` assignments.
  void writeSlice(StringRef prefix, Value v);
  /// Fails if `v` is a slice of a concat (for ops that read whole tensors).
  LogicalResult needWhole(Operation *op, Value v, StringRef what);

  /// The precision's name in slim::cuda ("Precision::Bf16"), "" for FP32.
  std::string precisionEnum() const;
  /// The run-side pointer (`params[j]`) of the FP32 weights `filter` converted
  /// for the precision by `prepare` into a parameter of their own; failure
  /// if the weights are not a variable or a parameter.
  FailureOr<std::string> convertedWeights(Operation *op, Value filter);

  bool inLambda = false;
  /// Converted weights by the `prepare` expression of their FP32 source.
  llvm::StringMap<unsigned> converted;
  /// Byte offset and size of the fully-connected split-K workspace.
  int64_t workspaceOffset = -1, workspaceBytes = 0;
};

} // namespace

LogicalResult CudaEmitter::checkModuleForm() {
  auto arena = module->getAttrOfType<IntegerAttr>("slim.arena_size");
  if (!arena)
    return module.emitError(
        "--target=cuda needs the output of the inference pipeline with its "
        "memory plan (no 'slim.arena_size' attribute)");
  workspaceOffset = (arena.getInt() + 255) / 256 * 256;
  return success();
}

void CudaEmitter::emitFileHeader(raw_ostream &os) {
  os << "// Generated by " << options.generator << " (CUDA kernels, "
     << (precisionEnum().empty() ? std::string("FP32")
                                 : precisionEnum().substr(11))
     << ") for the model '" << options.modelName << "'.\n"
     << "// Implements runtime/include/slim/model_abi.h for a CUDA device of "
        "compute capability\n"
     << "// " << options.cudaMinArch / 10 << "." << options.cudaMinArch % 10
     << " or newer; compile with\n"
     << "//   nvcc -std=c++17 -O3 -shared -Xcompiler -fPIC -cudart static\n"
     << "//        " << options.cudaArchFlags << "\n"
     << "//        -I<slim runtime include dir> model.cu -o model.so\n\n"
     << "#include \"slim/model_abi.h\"\n"
     << "#include \"slim/cuda/kernels.cuh\"\n"
     << "#include \"slim/cuda/model_support.cuh\"\n"
     << "// prepare (batch-norm folding) runs on the host, as on the CPU.\n"
     << "#include \"slim/kernels/elementwise.h\"\n"
     << "#include \"slim/kernels/misc.h\"\n"
     << "#include \"slim/kernels/pack.h\"\n\n"
     << "#include <cstdint>\n#include <cstring>\n#include <vector>\n\n";
}

void CudaEmitter::emitPrologue(raw_ostream &os) {
  os << "using namespace slim::cuda;\n"
     << "using slim::kernels::at;\n"
     << "using slim::kernels::batchNormScaleShift;\n"
     << "using slim::kernels::foldScaleShift;\n\n"
     << "constexpr int kMinArch = " << options.cudaMinArch << ";\n\n";
}

void CudaEmitter::enterLambda() {
  if (inLambda)
    return;
  inLambda = true;
  body().in();
}

void CudaEmitter::emitLayerBegin(int layer) {
  body().line("if (timer)");
  body().line("  timer->begin(" + Twine(layer) + ");");
}

void CudaEmitter::emitLayerEnd(int layer) {
  body().line("if (timer)");
  body().line("  timer->end(" + Twine(layer) + ");");
}

void CudaEmitter::launch(const Twine &call) {
  body().line("if (cudaError_t err = " + call + "; err != cudaSuccess)");
  body().line("  return err;");
}

void CudaEmitter::emitRunPrologue(raw_ostream &os) {
  // Every buffer the launches bake in: the captured graph is replayed only
  // while they are the same.
  unsigned numInputs = 0, numOutputs = 0;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration() && fn.getSymName() != "slim_prepare") {
      numInputs = fn.getNumArguments();
      numOutputs = fn.getNumResults();
    }
  os << "  std::vector<const void *> key = {arena";
  auto add = [&](StringRef table, size_t n) {
    for (size_t i = 0; i < n; ++i)
      os << ", " << table << "[" << i << "]";
  };
  add("inputs", numInputs);
  add("outputs", numOutputs);
  add("params", numAllParams());
  add("variables", variableIndex.size());
  os << "};\n"
     << "  auto enqueue = [&](cudaStream_t stream,\n"
     << "                     LayerTimer *timer) -> cudaError_t {\n"
     << "    (void)stream;\n    (void)timer;\n";
}

void CudaEmitter::emitRunEpilogue() {
  enterLambda();
  body().line("return cudaSuccess;");
  body().out();
  body().line("};");
  body().line("if (int32_t rc = runModel(env, " + Twine(numLayers()) +
              ", key, enqueue))");
  body().line("  return rc;");
}

void CudaEmitter::emitOutputCopy(StringRef dst, StringRef src, int64_t bytes) {
  enterLambda();
  launch("cudaMemcpyAsync(" + dst + ", " + src + ", " + Twine(bytes) +
         ", cudaMemcpyDeviceToDevice, stream)");
}

void CudaEmitter::emitDefTail(raw_ostream &os) {
  os << "    SLIM_DEVICE_CUDA,\n    &kDeviceOps<kMinArch>,\n";
}

std::string CudaEmitter::precisionEnum() const {
  switch (options.cudaPrecision) {
  case 1:
    return "Precision::Tf32";
  case 2:
    return "Precision::Bf16";
  case 3:
    return "Precision::Fp16";
  default:
    return "";
  }
}

FailureOr<std::string> CudaEmitter::convertedWeights(Operation *op,
                                                     Value filter) {
  // Run reads the converted parameter, not this operand: a variable read
  // only for conversions need not be uploaded (see replaceUse).
  for (OpOperand &use : op->getOpOperands())
    if (use.get() == filter)
      replaceUse(use);
  Value v = filter;
  while (auto reshape = v.getDefiningOp<ReshapeOp>())
    v = reshape.getInput();
  std::string src;
  if (auto read = v.getDefiningOp<ReadParamOp>()) {
    src = "static_cast<const float *>(params[" +
          std::to_string(paramIndex.lookup(read.getName())) + "])";
  } else if (auto read = v.getDefiningOp<ReadVariableOp>()) {
    unsigned index = variableIndex.lookup(read.getName());
    readInPrepareTail(index);
    src =
        "static_cast<const float *>(variables[" + std::to_string(index) + "])";
  } else {
    return unsupported(op, "reduced-precision weights that are not a "
                           "variable or a parameter");
  }
  auto it = converted.find(src);
  if (it == converted.end()) {
    int64_t count = numElements(filter);
    int64_t elementBytes = options.cudaPrecision >= 2 ? 2 : 4;
    std::string name = scopeOf(op).str() + "/weights_" +
                       StringRef(precisionEnum()).substr(11).lower();
    unsigned index = addParam(name, count * elementBytes);
    appendPrepare("convertWeights(" + precisionEnum() + ", " + src +
                  ", params[" + Twine(index) + "], " + Twine(count) + ");");
    it = converted.try_emplace(src, index).first;
  }
  return "params[" + std::to_string(it->second) + "]";
}

LogicalResult CudaEmitter::needWhole(Operation *op, Value v, StringRef what) {
  if (get(v).cbTotal)
    return unsupported(op, Twine(what) + " reading a slice of a concat");
  return success();
}

void CudaEmitter::writeSlice(StringRef prefix, Value v) {
  const Storage &s = get(v);
  if (!s.cbTotal)
    return;
  body().line("p." + prefix + "COffset = " + Twine(s.cbOffset) + "; p." +
              prefix + "CStride = " + Twine(s.cbTotal) + ";");
}

LogicalResult CudaEmitter::emitRunOp(Operation *op) {
  enterLambda();
  for (Value v : op->getResults())
    if (blockWidth(v) != 0)
      return unsupported(op, "the CUDA kernels take NHWC tensors, not a "
                             "blocked layout");
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](FusedConv2DOp c) { return emitConv(c); })
      .Case([&](FusedDepthwiseConv2DOp d) { return emitConv(d); })
      .Case([&](FusedMatMulOp mm) {
        int64_t k = shapeOf(mm.getInput()).back();
        return emitFullyConnected(op, mm.getInput(), mm.getFilter(),
                                  mm.getBias(), mm.getResidual(),
                                  mm.getOutput(), mm.getActivation(),
                                  numElements(mm.getInput()) / k, k);
      })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto) { return emitPooling(op); })
      .Case([&](FusedConv3DOp c) { return emitConv3D(c); })
      .Case<MaxPool3DOp, AvgPool3DOp>([&](auto) { return emitPooling3D(op); })
      .Case([&](ConcatOp cat) { return emitConcat(cat); })
      .Case([&](AddOp add) { return emitAdd(add); })
      .Case([&](BinaryOp b) { return emitBinary(b); })
      .Case([&](BinaryScalarOp b) { return emitBinaryScalar(b); })
      .Case([&](LrnOp l) { return emitLrn(l); })
      .Case([&](TileOp t) { return emitTile(t); })
      .Case<ActivationOp, BiasAddOp, ChannelAffineOp>(
          [&](auto) { return emitPerChannel(op); })
      .Case<ReduceMeanOp, ReduceSumOp, ReduceMaxOp>(
          [&](auto) { return emitReduce(op); })
      .Case([&](SoftmaxOp sm) { return emitSoftmax(sm); })
      .Case([&](PadOp pad) { return emitPad(pad); })
      .Case([&](FusedConv2DTransposeOp c) { return emitConvTranspose(c); })
      .Case([&](ResizeOp r) { return emitResize(r); })
      .Case([&](StridedSliceOp s) { return emitStridedSlice(s); })
      .Case([&](InstanceNormOp n) { return emitInstanceNorm(n); })
      .Case([&](GroupNormOp n) { return emitGroupNorm(n); })
      .Default([&](Operation *) { return unsupported(op); });
}

template <typename FusedOp> bool CudaEmitter::isWholeMapConv(FusedOp conv) {
  ArrayRef<int64_t> in = shapeOf(conv.getInput());
  ArrayRef<int64_t> out = shapeOf(conv.getOutput());
  ArrayRef<int64_t> kernel = conv.getKernel();
  return in.size() == 4 && out.size() == 4 && out[1] == 1 && out[2] == 1 &&
         kernel[0] == in[1] && kernel[1] == in[2] &&
         llvm::all_of(conv.getPads(), [](int64_t p) { return p == 0; }) &&
         !get(conv.getInput()).cbTotal;
}

template <typename FusedOp> LogicalResult CudaEmitter::emitConv(FusedOp conv) {
  constexpr bool depthwise = std::is_same_v<FusedOp, FusedDepthwiseConv2DOp>;
  Operation *op = conv.getOperation();
  std::string act = activationEnum(conv.getActivation());
  if (act.empty())
    return unsupported(op,
                       "epilogue activation '" + conv.getActivation() + "'");
  if (conv.getPacking())
    return unsupported(op, "packed filter '" + *conv.getPacking() +
                               "' (the CUDA kernels read HWIO filters)");
  ArrayRef<int64_t> in = shapeOf(conv.getInput());
  ArrayRef<int64_t> out = shapeOf(conv.getOutput());
  if constexpr (!depthwise) {
    if (isWholeMapConv(conv))
      return emitFullyConnected(op, conv.getInput(), conv.getFilter(),
                                conv.getBias(), conv.getResidual(),
                                conv.getOutput(), conv.getActivation(), in[0],
                                in[1] * in[2] * in[3]);
  }
  if (failed(allocateResult(op, conv.getOutput())))
    return failure();
  ArrayRef<int64_t> kernel = conv.getKernel(), strides = conv.getStrides();
  ArrayRef<int64_t> dilations = conv.getDilations(), pads = conv.getPads();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("Conv2dParams p;");
  w.line("p.batch = " + Twine(in[0]) + ";");
  w.line("p.inH = " + Twine(in[1]) + "; p.inW = " + Twine(in[2]) +
         "; p.inC = " + Twine(in[3]) + ";");
  w.line("p.outH = " + Twine(out[1]) + "; p.outW = " + Twine(out[2]) +
         "; p.outC = " + Twine(out[3]) + ";");
  w.line("p.kernelH = " + Twine(kernel[0]) +
         "; p.kernelW = " + Twine(kernel[1]) + ";");
  w.line("p.strideH = " + Twine(strides[0]) +
         "; p.strideW = " + Twine(strides[1]) + ";");
  if (dilations[0] != 1 || dilations[1] != 1)
    w.line("p.dilationH = " + Twine(dilations[0]) +
           "; p.dilationW = " + Twine(dilations[1]) + ";");
  // The bottom and right pads follow from the output size.
  if (pads[0] || pads[2])
    w.line("p.padTop = " + Twine(pads[0]) + "; p.padLeft = " + Twine(pads[2]) +
           ";");
  if (depthwise)
    w.line("p.depthMultiplier = " + Twine(out[3] / in[3]) + ";");
  w.line("p.act = " + act + ";");
  writeSlice("in", conv.getInput());
  writeSlice("out", conv.getOutput());
  if (conv.getResidual())
    writeSlice("res", conv.getResidual());
  std::string rest = optPtr(conv.getBias()) + ", " +
                     optPtr(conv.getResidual()) + ", " + ptr(conv.getOutput()) +
                     ", stream)";
  if (!depthwise && !precisionEnum().empty()) {
    FailureOr<std::string> filter = convertedWeights(op, conv.getFilter());
    if (failed(filter))
      return failure();
    launch("conv2dTensorCore(" + precisionEnum() + ", p, " +
           ptr(conv.getInput()) + ", " + *filter + ", " + rest);
    return success();
  }
  launch(std::string(depthwise ? "depthwiseConv2d" : "conv2d") + "(p, " +
         ptr(conv.getInput()) + ", " + ptr(conv.getFilter()) + ", " + rest);
  return success();
}

LogicalResult CudaEmitter::emitFullyConnected(Operation *op, Value input,
                                              Value filter, Value bias,
                                              Value residual, Value output,
                                              StringRef activation, int64_t m,
                                              int64_t k) {
  std::string act = activationEnum(activation);
  if (act.empty())
    return unsupported(op, "epilogue activation '" + activation + "'");
  if (auto mm = dyn_cast<FusedMatMulOp>(op); mm && mm.getPacking())
    return unsupported(op, "packed weights '" + *mm.getPacking() + "'");
  if (failed(needWhole(op, input, "a fully-connected layer")) ||
      failed(allocateResult(op, output)))
    return failure();
  int64_t n = shapeOf(output).back();
  const Storage &out = get(output);
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("FullyConnectedParams p;");
  w.line("p.m = " + Twine(m) + "; p.k = " + Twine(k) + "; p.n = " + Twine(n) +
         ";");
  // A slice of a concat: the row stride is the concat's width, the column
  // offset goes into the pointer.
  std::string y = out.ptr, r = optPtr(residual);
  if (out.cbTotal) {
    w.line("p.ldy = " + Twine(out.cbTotal) + ";");
    y += " + " + std::to_string(out.cbOffset);
  }
  if (residual && get(residual).cbTotal) {
    w.line("p.ldr = " + Twine(get(residual).cbTotal) + ";");
    r += " + " + std::to_string(get(residual).cbOffset);
  }
  w.line("p.act = " + act + ";");
  std::string workspace = "nullptr";
  if (int64_t bytes = fullyConnectedWorkspaceBytes(m, k, n)) {
    workspaceBytes = std::max(workspaceBytes, bytes);
    reserveArena(workspaceOffset + workspaceBytes);
    w.line("// Split-K partial sums, after the memory plan's arena.");
    w.line("float *const workspace = fullyConnectedWorkspaceSize(p) <= " +
           Twine(bytes) + "u ? at(arena, " + Twine(workspaceOffset) +
           ") : nullptr;");
    workspace = "workspace";
  }
  std::string rest =
      optPtr(bias) + ", " + r + ", " + y + ", " + workspace + ", stream)";
  if (!precisionEnum().empty()) {
    FailureOr<std::string> weights = convertedWeights(op, filter);
    if (failed(weights))
      return failure();
    launch("fullyConnectedTensorCore(" + precisionEnum() + ", p, " +
           ptr(input) + ", " + *weights + ", " + rest);
    return success();
  }
  launch("fullyConnected(p, " + ptr(input) + ", " + ptr(filter) + ", " + rest);
  return success();
}

LogicalResult CudaEmitter::emitPooling(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  if (in.size() != 4)
    return unsupported(op, "only 4-D pooling is implemented");
  if (failed(allocateResult(op, output)))
    return failure();
  auto attr = [&](StringRef name) {
    return op->getAttrOfType<DenseI64ArrayAttr>(name).asArrayRef();
  };
  ArrayRef<int64_t> kernel = attr("kernel"), strides = attr("strides");
  ArrayRef<int64_t> pads = attr("pads");
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("Pool2dParams p;");
  w.line("p.batch = " + Twine(in[0]) + "; p.channels = " + Twine(in[3]) + ";");
  w.line("p.inH = " + Twine(in[1]) + "; p.inW = " + Twine(in[2]) + ";");
  w.line("p.outH = " + Twine(out[1]) + "; p.outW = " + Twine(out[2]) + ";");
  w.line("p.kernelH = " + Twine(kernel[0]) +
         "; p.kernelW = " + Twine(kernel[1]) + ";");
  w.line("p.strideH = " + Twine(strides[0]) +
         "; p.strideW = " + Twine(strides[1]) + ";");
  if (pads[0] || pads[2])
    w.line("p.padTop = " + Twine(pads[0]) + "; p.padLeft = " + Twine(pads[2]) +
           ";");
  writeSlice("in", input);
  writeSlice("out", output);
  launch(std::string(isa<MaxPoolOp>(op) ? "maxPool2d" : "avgPool2d") + "(p, " +
         ptr(input) + ", " + ptr(output) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitConv3D(FusedConv3DOp conv) {
  Operation *op = conv.getOperation();
  std::string act = activationEnum(conv.getActivation());
  if (act.empty())
    return unsupported(op,
                       "epilogue activation '" + conv.getActivation() + "'");
  if (conv.getPacking())
    return unsupported(op, "packed filter '" + *conv.getPacking() +
                               "' (the CUDA kernels read DHWIO filters)");
  if (failed(allocateResult(op, conv.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(conv.getInput());
  ArrayRef<int64_t> out = shapeOf(conv.getOutput());
  ArrayRef<int64_t> kernel = conv.getKernel(), strides = conv.getStrides();
  ArrayRef<int64_t> dilations = conv.getDilations(), pads = conv.getPads();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("Conv3dParams p;");
  w.line("p.batch = " + Twine(in[0]) + ";");
  w.line("p.inD = " + Twine(in[1]) + "; p.inH = " + Twine(in[2]) +
         "; p.inW = " + Twine(in[3]) + "; p.inC = " + Twine(in[4]) + ";");
  w.line("p.outD = " + Twine(out[1]) + "; p.outH = " + Twine(out[2]) +
         "; p.outW = " + Twine(out[3]) + "; p.outC = " + Twine(out[4]) + ";");
  w.line("p.kernelD = " + Twine(kernel[0]) + "; p.kernelH = " +
         Twine(kernel[1]) + "; p.kernelW = " + Twine(kernel[2]) + ";");
  w.line("p.strideD = " + Twine(strides[0]) + "; p.strideH = " +
         Twine(strides[1]) + "; p.strideW = " + Twine(strides[2]) + ";");
  w.line("p.dilationD = " + Twine(dilations[0]) + "; p.dilationH = " +
         Twine(dilations[1]) + "; p.dilationW = " + Twine(dilations[2]) + ";");
  // The back, bottom and right pads follow from the output size.
  w.line("p.padFront = " + Twine(pads[0]) + "; p.padTop = " + Twine(pads[2]) +
         "; p.padLeft = " + Twine(pads[4]) + ";");
  w.line("p.act = " + act + ";");
  writeSlice("in", conv.getInput());
  writeSlice("out", conv.getOutput());
  if (conv.getResidual())
    writeSlice("res", conv.getResidual());
  launch("conv3d(p, " + ptr(conv.getInput()) + ", " + ptr(conv.getFilter()) +
         ", " + optPtr(conv.getBias()) + ", " + optPtr(conv.getResidual()) +
         ", " + ptr(conv.getOutput()) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitPooling3D(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  if (failed(allocateResult(op, output)))
    return failure();
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  auto attr = [&](StringRef name) {
    return op->getAttrOfType<DenseI64ArrayAttr>(name).asArrayRef();
  };
  ArrayRef<int64_t> kernel = attr("kernel"), strides = attr("strides");
  ArrayRef<int64_t> pads = attr("pads");
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("Pool3dParams p;");
  w.line("p.batch = " + Twine(in[0]) + "; p.channels = " + Twine(in[4]) + ";");
  w.line("p.inD = " + Twine(in[1]) + "; p.inH = " + Twine(in[2]) +
         "; p.inW = " + Twine(in[3]) + ";");
  w.line("p.outD = " + Twine(out[1]) + "; p.outH = " + Twine(out[2]) +
         "; p.outW = " + Twine(out[3]) + ";");
  w.line("p.kernelD = " + Twine(kernel[0]) + "; p.kernelH = " +
         Twine(kernel[1]) + "; p.kernelW = " + Twine(kernel[2]) + ";");
  w.line("p.strideD = " + Twine(strides[0]) + "; p.strideH = " +
         Twine(strides[1]) + "; p.strideW = " + Twine(strides[2]) + ";");
  w.line("p.padFront = " + Twine(pads[0]) + "; p.padTop = " + Twine(pads[2]) +
         "; p.padLeft = " + Twine(pads[4]) + ";");
  writeSlice("in", input);
  writeSlice("out", output);
  launch(std::string(isa<MaxPool3DOp>(op) ? "maxPool3d" : "avgPool3d") +
         "(p, " + ptr(input) + ", " + ptr(output) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitConcat(ConcatOp cat) {
  Operation *op = cat.getOperation();
  ArrayRef<int64_t> os = shapeOf(cat.getOutput());
  int64_t axis = cat.getAxis();
  if (axis < 0)
    axis += os.size();
  if (failed(allocateResult(op, cat.getOutput())))
    return failure();
  const Storage &out = get(cat.getOutput());
  // Along any axis the result is [outer][width] rows, the piece i filling
  // columns [offset_i, offset_i + chunk_i) of each: along the last axis the
  // rows are pixels and the columns channels.
  int64_t outer = product(os.take_front(axis));
  int64_t width =
      out.cbTotal ? out.cbTotal : numElements(cat.getOutput()) / outer;
  if (width > INT32_MAX)
    return unsupported(op, "a concat with rows of more than 2^31 elements");
  int64_t pixels = outer;
  // Pieces the memory plan placed in the concat's buffer were written there
  // by their producers; only the others are copied, and only then is the
  // concat a layer of its own.
  auto inPlace = op->getAttrOfType<DenseBoolArrayAttr>("in_place_inputs");
  int64_t cOffset = out.cbOffset;
  int layer = -1;
  for (auto [i, in] : llvm::enumerate(cat.getInputs())) {
    int64_t c = numElements(in) / outer;
    if (!inPlace || !inPlace[i]) {
      if (failed(needWhole(op, in, "a concat copy")))
        return failure();
      if (layer < 0)
        layer = beginLayer(op);
      launch("concatCopy(" + ptr(in) + ", " + Twine(pixels) + ", " + Twine(c) +
             ", " + out.ptr + ", " + Twine(cOffset) + ", " + Twine(width) +
             ", stream)");
    }
    cOffset += c;
  }
  if (layer >= 0)
    endLayer(layer);
  else
    body().line("// " + Twine(scopeOf(op).empty() ? "concat" : scopeOf(op)) +
                ": concat computed in place by its producers");
  return success();
}

LogicalResult CudaEmitter::emitAdd(AddOp add) {
  Operation *op = add.getOperation();
  if (failed(needWhole(op, add.getLhs(), "add")) ||
      failed(needWhole(op, add.getRhs(), "add")) ||
      failed(allocateResult(op, add.getOutput())))
    return failure();
  if (get(add.getOutput()).cbTotal)
    return unsupported(op, "add writing a slice of a concat");
  LayerBlock layer(*this, op, LayerBlock::Flat);
  launch("add(" + ptr(add.getLhs()) + ", " + ptr(add.getRhs()) + ", " +
         ptr(add.getOutput()) + ", " + Twine(numElements(add.getOutput())) +
         ", Activation::None, stream)");
  return success();
}

LogicalResult CudaEmitter::emitPerChannel(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  std::string scale = "nullptr", shift = "nullptr", act = "Activation::None";
  float alpha = 0.0f;
  if (auto a = dyn_cast<ActivationOp>(op)) {
    // slim::cuda::Activation has every slim::kernels::Pointwise name.
    std::string f = pointwiseEnum(a.getKind());
    if (f.empty())
      return unsupported(op, "activation '" + a.getKind() + "'");
    act = "Activation::" + f.substr(strlen("Pointwise::"));
    if (a.getAlpha())
      alpha = a.getAlpha()->convertToFloat();
  }
  if (failed(allocateResult(op, output)))
    return failure();
  if (auto b = dyn_cast<BiasAddOp>(op)) {
    shift = ptr(b.getBias());
  } else if (auto ca = dyn_cast<ChannelAffineOp>(op)) {
    scale = ptr(ca.getScale());
    shift = ptr(ca.getShift());
  }
  int64_t c = shapeOf(output).back();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("ChannelOpParams p;");
  w.line("p.pixels = " + Twine(numElements(output) / c) +
         "; p.channels = " + Twine(c) + ";");
  w.line("p.act = " + act + ";");
  if (alpha != 0.0f)
    w.line("p.alpha = " + fmtFloat(alpha) + ";");
  writeSlice("in", input);
  writeSlice("out", output);
  launch("channelOp(p, " + ptr(input) + ", " + scale + ", " + shift + ", " +
         ptr(output) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitBinary(BinaryOp bin) {
  Operation *op = bin.getOperation();
  Value lhs = bin.getLhs(), rhs = bin.getRhs(), out = bin.getOutput();
  if (failed(needWhole(op, lhs, "arithmetic")) ||
      failed(needWhole(op, rhs, "arithmetic")) ||
      failed(allocateResult(op, out)))
    return failure();
  if (get(out).cbTotal)
    return unsupported(op, "arithmetic writing a slice of a concat");
  BroadcastShapes s = broadcastShapes(lhs, rhs, out);
  LayerBlock layer(*this, op);
  body().line("static const int64_t a[] = {" + joinInts(s.a) + "};");
  body().line("static const int64_t b[] = {" + joinInts(s.b) + "};");
  body().line("static const int64_t y[] = {" + joinInts(s.y) + "};");
  launch("binary(" + binaryEnum(bin.getKind()) + ", " + ptr(lhs) + ", a, " +
         ptr(rhs) + ", b, " + ptr(out) + ", y, " + Twine(s.y.size()) +
         ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitBinaryScalar(BinaryScalarOp bin) {
  Operation *op = bin.getOperation();
  Value in = bin.getInput(), out = bin.getOutput();
  if (failed(needWhole(op, in, "arithmetic")) ||
      failed(allocateResult(op, out)))
    return failure();
  if (get(out).cbTotal)
    return unsupported(op, "arithmetic writing a slice of a concat");
  LayerBlock layer(*this, op, LayerBlock::Flat);
  launch("binaryScalar(" + binaryEnum(bin.getKind()) + ", " + ptr(in) + ", " +
         fmtFloat(bin.getScalar().convertToFloat()) + ", " +
         (bin.getScalarFirst() ? "true" : "false") + ", " + ptr(out) + ", " +
         Twine(numElements(out)) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitLrn(LrnOp lrn) {
  Operation *op = lrn.getOperation();
  Value in = lrn.getInput(), out = lrn.getOutput();
  if (failed(needWhole(op, in, "lrn")) || failed(allocateResult(op, out)))
    return failure();
  if (get(out).cbTotal)
    return unsupported(op, "lrn writing a slice of a concat");
  int64_t c = shapeOf(out).back();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("LrnParams p;");
  w.line("p.pixels = " + Twine(numElements(out) / c) +
         "; p.channels = " + Twine(c) + ";");
  w.line("p.depthRadius = " + Twine(lrn.getDepthRadius()) + ";");
  w.line("p.bias = " + fmtFloat(lrn.getBias().convertToFloat()) +
         "; p.alpha = " + fmtFloat(lrn.getAlpha().convertToFloat()) +
         "; p.beta = " + fmtFloat(lrn.getBeta().convertToFloat()) + ";");
  launch("lrn(p, " + ptr(in) + ", " + ptr(out) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitTile(TileOp tile) {
  Operation *op = tile.getOperation();
  if (failed(needWhole(op, tile.getInput(), "tile")) ||
      failed(allocateResult(op, tile.getOutput())))
    return failure();
  if (get(tile.getOutput()).cbTotal)
    return unsupported(op, "tile writing a slice of a concat");
  LayerBlock layer(*this, op);
  body().line("static const int64_t in[] = {" +
              joinInts(shapeOf(tile.getInput())) + "};");
  body().line("static const int64_t multiples[] = {" +
              joinInts(tile.getMultiples()) + "};");
  launch("tile(" + ptr(tile.getInput()) + ", in, multiples, " +
         Twine(tile.getMultiples().size()) + ", " + ptr(tile.getOutput()) +
         ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitReduce(Operation *op) {
  Value input = op->getOperand(0), output = op->getResult(0);
  ArrayRef<int64_t> axes =
      op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  ArrayRef<int64_t> s = shapeOf(input);
  if (failed(needWhole(op, input, "a reduction")) ||
      failed(allocateResult(op, output)))
    return failure();
  if (get(output).cbTotal)
    return unsupported(op, "a reduction writing a slice of a concat");
  // The spatial mean (global average pooling) keeps its own kernel.
  if (isa<ReduceMeanOp>(op) && s.size() == 4 && axes.size() == 2 &&
      axes[0] == 1 && axes[1] == 2) {
    LayerBlock layer(*this, op, LayerBlock::Flat);
    launch("spatialMean(" + ptr(input) + ", " + Twine(s[0]) + ", " +
           Twine(s[1]) + ", " + Twine(s[2]) + ", " + Twine(s[3]) + ", " +
           ptr(output) + ", stream)");
    return success();
  }
  SmallVector<int64_t, 4> shape(s.begin(), s.end()), reduced;
  for (int64_t d = 0; d < static_cast<int64_t>(s.size()); ++d)
    reduced.push_back(llvm::is_contained(axes, d) ? 1 : 0);
  if (shape.empty()) // A scalar reduces to itself.
    shape.push_back(1), reduced.push_back(0);
  LayerBlock layer(*this, op);
  body().line("static const int64_t shape[] = {" + joinInts(shape) + "};");
  body().line("static const int reduced[] = {" + joinInts(reduced) + "};");
  launch("reduce(" + reduceEnum(op) + ", " + ptr(input) + ", shape, reduced, " +
         Twine(shape.size()) + ", " + ptr(output) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitSoftmax(SoftmaxOp sm) {
  Operation *op = sm.getOperation();
  if (failed(needWhole(op, sm.getInput(), "softmax")) ||
      failed(allocateResult(op, sm.getOutput())))
    return failure();
  int64_t cols = shapeOf(sm.getInput()).back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  launch("softmax(" + ptr(sm.getInput()) + ", " + ptr(sm.getOutput()) + ", " +
         Twine(numElements(sm.getInput()) / cols) + ", " + Twine(cols) +
         ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitPad(PadOp pad) {
  Operation *op = pad.getOperation();
  ArrayRef<int64_t> in = shapeOf(pad.getInput());
  ArrayRef<int64_t> padding = pad.getPadding();
  if (in.size() > 8)
    return unsupported(op, "pads of more than 8 dimensions");
  if (failed(needWhole(op, pad.getInput(), "pad")) ||
      failed(allocateResult(op, pad.getOutput())))
    return failure();
  StringRef mode = pad.getMode();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("PadParams p;");
  w.line("p.rank = " + Twine(in.size()) + "; p.mode = " +
         Twine(mode == "reflect"     ? 1
               : mode == "symmetric" ? 2
                                     : 0) +
         "; p.value = " + fmtFloat(pad.getConstantValue().convertToDouble()) +
         ";");
  for (size_t d = 0; d < in.size(); ++d)
    w.line("p.dims[" + Twine(d) + "] = " + Twine(in[d]) + "; p.before[" +
           Twine(d) + "] = " + Twine(padding[2 * d]) + "; p.after[" + Twine(d) +
           "] = " + Twine(padding[2 * d + 1]) + ";");
  launch("pad(p, " + ptr(pad.getInput()) + ", " + ptr(pad.getOutput()) +
         ", stream)");
  return success();
}

FailureOr<std::string> CudaEmitter::swappedFilter(Operation *op, Value filter) {
  // Run reads the swapped parameter, not this operand.
  for (OpOperand &use : op->getOpOperands())
    if (use.get() == filter)
      replaceUse(use);
  Value v = filter;
  while (auto reshape = v.getDefiningOp<ReshapeOp>())
    v = reshape.getInput();
  std::string src;
  if (auto read = v.getDefiningOp<ReadParamOp>()) {
    src = "static_cast<const float *>(params[" +
          std::to_string(paramIndex.lookup(read.getName())) + "])";
  } else if (auto read = v.getDefiningOp<ReadVariableOp>()) {
    unsigned index = variableIndex.lookup(read.getName());
    readInPrepareTail(index);
    src =
        "static_cast<const float *>(variables[" + std::to_string(index) + "])";
  } else {
    return unsupported(op, "transposed-convolution weights that are not a "
                           "variable or a parameter");
  }
  ArrayRef<int64_t> f = shapeOf(filter);
  unsigned index = addParam(scopeOf(op).str() + "/weights_io",
                            numElements(filter) * sizeof(float));
  appendPrepare("slim::kernels::swapFilterChannels(" + src + ", " +
                Twine(f[0]) + ", " + Twine(f[1]) + ", " + Twine(f[2]) + ", " +
                Twine(f[3]) + ", static_cast<float *>(params[" + Twine(index) +
                "]));");
  return "static_cast<const float *>(params[" + std::to_string(index) + "])";
}

LogicalResult CudaEmitter::emitConvTranspose(FusedConv2DTransposeOp conv) {
  Operation *op = conv.getOperation();
  std::string act = activationEnum(conv.getActivation());
  if (act.empty())
    return unsupported(op,
                       "epilogue activation '" + conv.getActivation() + "'");
  if (conv.getPacking())
    return unsupported(op, "packed filter '" + *conv.getPacking() +
                               "' (the CUDA kernel reads TF-Slim's filter)");
  if (failed(needWhole(op, conv.getInput(), "a transposed convolution")))
    return failure();
  FailureOr<std::string> filter = swappedFilter(op, conv.getFilter());
  if (failed(filter) || failed(allocateResult(op, conv.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(conv.getInput()),
                    out = shapeOf(conv.getOutput());
  ArrayRef<int64_t> kernel = conv.getKernel(), strides = conv.getStrides(),
                    pads = conv.getPads();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("ConvTranspose2dParams p;");
  w.line("p.batch = " + Twine(in[0]) + "; p.inH = " + Twine(in[1]) +
         "; p.inW = " + Twine(in[2]) + "; p.inC = " + Twine(in[3]) + ";");
  w.line("p.outH = " + Twine(out[1]) + "; p.outW = " + Twine(out[2]) +
         "; p.outC = " + Twine(out[3]) + ";");
  w.line("p.kernelH = " + Twine(kernel[0]) + "; p.kernelW = " +
         Twine(kernel[1]) + "; p.strideH = " + Twine(strides[0]) +
         "; p.strideW = " + Twine(strides[1]) + ";");
  w.line("p.padTop = " + Twine(pads[0]) + "; p.padLeft = " + Twine(pads[2]) +
         ";");
  w.line("p.act = " + act + ";");
  launch("convTranspose2d(p, " + ptr(conv.getInput()) + ", " + *filter + ", " +
         optPtr(conv.getBias()) + ", " + optPtr(conv.getScale()) + ", " +
         optPtr(conv.getShift()) + ", " + ptr(conv.getOutput()) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitResize(ResizeOp resize) {
  Operation *op = resize.getOperation();
  if (failed(needWhole(op, resize.getInput(), "resize")) ||
      failed(allocateResult(op, resize.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(resize.getInput()),
                    out = shapeOf(resize.getOutput());
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("ResizeParams p;");
  w.line("p.batch = " + Twine(in[0]) + "; p.inH = " + Twine(in[1]) +
         "; p.inW = " + Twine(in[2]) + "; p.channels = " + Twine(in[3]) + ";");
  w.line("p.outH = " + Twine(out[1]) + "; p.outW = " + Twine(out[2]) + ";");
  w.line(std::string("p.bilinear = ") +
         (resize.getMethod() == "bilinear" ? "true" : "false") +
         "; p.alignCorners = " + (resize.getAlignCorners() ? "true" : "false") +
         "; p.halfPixelCenters = " +
         (resize.getHalfPixelCenters() ? "true" : "false") + ";");
  launch("resize(p, " + ptr(resize.getInput()) + ", " +
         ptr(resize.getOutput()) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitStridedSlice(StridedSliceOp slice) {
  Operation *op = slice.getOperation();
  ArrayRef<int64_t> in = shapeOf(slice.getInput()),
                    out = shapeOf(slice.getOutput());
  if (in.size() > 8)
    return unsupported(op, "slices of more than 8 dimensions");
  if (failed(needWhole(op, slice.getInput(), "a strided slice")) ||
      failed(allocateResult(op, slice.getOutput())))
    return failure();
  Writer &w = body();
  LayerBlock layer(*this, op);
  w.line("StridedSliceParams p;");
  w.line("p.rank = " + Twine(in.size()) + ";");
  for (size_t d = 0; d < in.size(); ++d)
    w.line("p.dims[" + Twine(d) + "] = " + Twine(in[d]) + "; p.begin[" +
           Twine(d) + "] = " + Twine(slice.getBegin()[d]) + "; p.strides[" +
           Twine(d) + "] = " + Twine(slice.getStrides()[d]) + "; p.out[" +
           Twine(d) + "] = " + Twine(out[d]) + ";");
  launch("stridedSlice(p, " + ptr(slice.getInput()) + ", " +
         ptr(slice.getOutput()) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitInstanceNorm(InstanceNormOp norm) {
  Operation *op = norm.getOperation();
  if (failed(needWhole(op, norm.getInput(), "instance norm")) ||
      failed(allocateResult(op, norm.getOutput())))
    return failure();
  ArrayRef<int64_t> in = shapeOf(norm.getInput());
  int64_t c = in.back();
  LayerBlock layer(*this, op, LayerBlock::Flat);
  launch("instanceNorm(" + ptr(norm.getInput()) + ", " + ptr(norm.getOutput()) +
         ", " + Twine(in[0]) + ", " +
         Twine(numElements(norm.getInput()) / (in[0] * c)) + ", " + Twine(c) +
         ", " + optPtr(norm.getBeta()) + ", " + optPtr(norm.getGamma()) + ", " +
         fmtFloat(norm.getEpsilon().convertToDouble()) + ", stream)");
  return success();
}

LogicalResult CudaEmitter::emitGroupNorm(GroupNormOp norm) {
  Operation *op = norm.getOperation();
  if (failed(needWhole(op, norm.getInput(), "group norm")) ||
      failed(allocateResult(op, norm.getOutput())))
    return failure();
  LayerBlock layer(*this, op);
  body().line("static const int64_t dims[] = {" +
              joinInts(shapeOf(norm.getInput())) + "};");
  launch("groupNorm(" + ptr(norm.getInput()) + ", " + ptr(norm.getOutput()) +
         ", " + groupNormArgs(norm) + ", stream)");
  return success();
}

std::unique_ptr<ModelEmitter>
codegen::createCudaEmitter(ModuleOp module, const CodeGenOptions &options) {
  return std::make_unique<CudaEmitter>(module, options);
}
