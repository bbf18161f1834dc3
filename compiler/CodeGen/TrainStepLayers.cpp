//===- TrainStepLayers.cpp - Train-step code of the further layer ops -----===//
//
// Forward: the plain slim::kernels::ref loops, as --kernels=reference calls
// them. Backward: the kernels of backward_reference_layers.h and
// backward_reference3d.h, each writing
// the gradient of one operand into a fresh arena slice that is then added
// into the operand's gradient (an operand used twice, `x * x`, gets both
// terms). The rules are TensorFlow 2.12's registered gradients; the
// kernels' comments say which.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/TrainStepLayers.h"
#include "compiler/CodeGen/KernelParams.h"

#include "dialects/Slim/IR/SlimOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace {

std::string boolText(bool b) { return b ? "true" : "false"; }

std::string optValue(TrainLayerContext &cx, Value v) {
  return v ? cx.value(v) : "nullptr";
}

/// An arena slice for v's gradient when v needs one, "nullptr" otherwise.
std::string tmpIfNeeded(TrainLayerContext &cx, Value v) {
  return v && cx.needs(v) ? cx.allocFloats(numElements(v)) : "nullptr";
}

void accumulateIf(TrainLayerContext &cx, Value v, const std::string &tmp) {
  if (tmp != "nullptr")
    cx.accumulate(v, tmp);
}

void writeBroadcastTables(TrainLayerContext &cx, BinaryOp bin) {
  BroadcastShapes s =
      broadcastShapes(bin.getLhs(), bin.getRhs(), bin.getOutput());
  cx.w.line("static const int64_t a[] = {" + joinInts(s.a) + "};");
  cx.w.line("static const int64_t b[] = {" + joinInts(s.b) + "};");
  cx.w.line("static const int64_t y[] = {" + joinInts(s.y) + "};");
  cx.w.line("const int rank = " + Twine(s.y.size()) + ";");
}

/// The Conv3DParams `p` of a conv3d or the Pool3DParams `p` of a 3-D pool.
void write3DParams(TrainLayerContext &cx, Operation *op) {
  if (auto conv = dyn_cast<Conv3DOp>(op))
    writeConv3DParams(cx.w, "p", conv.getInput(), conv.getOutput(),
                      shapeOf(conv.getFilter()).take_front(3),
                      conv.getStrides(), conv.getDilations(), conv.getPads());
  else
    writePool3DParams(cx.w, "p", op);
}

/// ref::groupNorm's arguments after `dims`, up to (not including) beta.
std::string groupNormShapeArgs(GroupNormOp norm) {
  unsigned mask = 0;
  for (int64_t a : norm.getReductionAxes())
    mask |= 1u << a;
  return (Twine(shapeOf(norm.getInput()).size()) + ", dims, " +
          Twine(norm.getChannelsAxis()) + ", " + Twine(mask) + "u, " +
          Twine(norm.getGroups()))
      .str();
}

std::string resizeShapeArgs(ResizeOp resize) {
  ArrayRef<int64_t> in = shapeOf(resize.getInput()),
                    out = shapeOf(resize.getOutput());
  return (Twine(in[0]) + ", " + Twine(in[1]) + ", " + Twine(in[2]) + ", " +
          Twine(in[3]) + ", " + Twine(out[1]) + ", " + Twine(out[2]) + ", " +
          boolText(resize.getMethod() == "bilinear") + ", " +
          boolText(resize.getAlignCorners()) + ", " +
          boolText(resize.getHalfPixelCenters()))
      .str();
}

std::string lrnArgs(LrnOp lrn) {
  int64_t c = shapeOf(lrn.getInput()).back();
  return (Twine(numElements(lrn.getInput()) / c) + ", " + Twine(c) + ", " +
          Twine(lrn.getDepthRadius()) + ", " +
          fmtFloat(lrn.getBias().convertToFloat()) + ", " +
          fmtFloat(lrn.getAlpha().convertToFloat()) + ", " +
          fmtFloat(lrn.getBeta().convertToFloat()))
      .str();
}

/// [n, spatial, c] of an instance norm's input.
std::string instanceNormShapeArgs(InstanceNormOp norm) {
  ArrayRef<int64_t> in = shapeOf(norm.getInput());
  int64_t c = in.back();
  return (Twine(in[0]) + ", " +
          Twine(numElements(norm.getInput()) / (in[0] * c)) + ", " + Twine(c))
      .str();
}

void writeSliceTables(TrainLayerContext &cx, StridedSliceOp slice) {
  cx.w.line("static const int64_t dims[] = {" +
            joinInts(shapeOf(slice.getInput())) + "};");
  cx.w.line("static const int64_t begin[] = {" + joinInts(slice.getBegin()) +
            "};");
  cx.w.line("static const int64_t strides[] = {" +
            joinInts(slice.getStrides()) + "};");
  cx.w.line("static const int64_t out[] = {" +
            joinInts(shapeOf(slice.getOutput())) + "};");
}

void writeTileTables(TrainLayerContext &cx, TileOp tile) {
  cx.w.line("static const int64_t in[] = {" +
            joinInts(shapeOf(tile.getInput())) + "};");
  cx.w.line("static const int64_t multiples[] = {" +
            joinInts(tile.getMultiples()) + "};");
}

/// Opens a block for the tables of one op's call.
struct CodeBlock {
  explicit CodeBlock(Writer &w) : w(w) {
    w.line("{");
    w.in();
  }
  ~CodeBlock() {
    w.out();
    w.line("}");
  }
  Writer &w;
};

LogicalResult emitFrozenBatchNormBackward(BatchNormOp bn,
                                          TrainLayerContext &cx) {
  Value x = bn.getInput();
  int64_t c = numElements(bn.getMovingMean());
  std::string tx = tmpIfNeeded(cx, x);
  std::string tg = tmpIfNeeded(cx, bn.getGamma());
  std::string tb = tmpIfNeeded(cx, bn.getBeta());
  cx.w.line("ref::batchNormInferenceBackward(" + cx.value(x) + ", " +
            cx.grad(bn.getOutput()) + ", " + Twine(numElements(x) / c) + ", " +
            Twine(c) + ", " + optValue(cx, bn.getGamma()) + ", " +
            cx.value(bn.getMovingMean()) + ", " +
            cx.value(bn.getMovingVariance()) + ", " +
            fmtFloat(bn.getEpsilon().convertToDouble()) + ", " + tx + ", " +
            tg + ", " + tb + ");");
  accumulateIf(cx, x, tx);
  accumulateIf(cx, bn.getGamma(), tg);
  accumulateIf(cx, bn.getBeta(), tb);
  return success();
}

} // namespace

bool codegen::hasTrainLayerRule(Operation *op) {
  if (auto bn = dyn_cast<BatchNormOp>(op))
    return !bn.getIsTraining();
  return isa<BinaryOp, BinaryScalarOp, SoftmaxOp, ReduceMaxOp, LrnOp, TileOp,
             StridedSliceOp, ResizeOp, Conv2DTransposeOp, InstanceNormOp,
             GroupNormOp, Conv3DOp, MaxPool3DOp, AvgPool3DOp>(op);
}

std::optional<LogicalResult>
codegen::emitTrainLayerForward(Operation *op, TrainLayerContext &cx) {
  if (!hasTrainLayerRule(op) || isa<SoftmaxOp, BatchNormOp>(op))
    return std::nullopt;
  Writer &w = cx.w;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](BinaryOp bin) {
        std::string y = cx.result(bin.getOutput());
        CodeBlock block(w);
        writeBroadcastTables(cx, bin);
        w.line("ref::binary(" + binaryEnum(bin.getKind()) + ", " +
               cx.value(bin.getLhs()) + ", a, " + cx.value(bin.getRhs()) +
               ", b, " + y + ", y, rank);");
        return success();
      })
      .Case([&](BinaryScalarOp bin) {
        std::string y = cx.result(bin.getOutput());
        w.line("ref::binaryScalar(" + binaryEnum(bin.getKind()) + ", " +
               cx.value(bin.getInput()) + ", " +
               fmtFloat(bin.getScalar().convertToFloat()) + ", " +
               boolText(bin.getScalarFirst()) + ", " + y + ", " +
               Twine(numElements(bin.getOutput())) + ");");
        return success();
      })
      .Case([&](ReduceMaxOp max) {
        std::string y = cx.result(max.getOutput());
        CodeBlock block(w);
        int64_t rank = writeReduceTables(cx.w, op);
        cx.w.line("const int rank = " + Twine(rank) + ";");
        w.line("ref::reduce(Reduce::Max, " + cx.value(max.getInput()) +
               ", shape, reduced, rank, " + y + ");");
        return success();
      })
      .Case([&](LrnOp lrn) {
        std::string y = cx.result(lrn.getOutput());
        w.line("ref::lrn(" + cx.value(lrn.getInput()) + ", " + y + ", " +
               lrnArgs(lrn) + ");");
        return success();
      })
      .Case([&](TileOp tile) {
        std::string y = cx.result(tile.getOutput());
        CodeBlock block(w);
        writeTileTables(cx, tile);
        w.line("ref::tile(" + cx.value(tile.getInput()) + ", in, multiples, " +
               Twine(tile.getMultiples().size()) + ", " + y + ");");
        return success();
      })
      .Case([&](StridedSliceOp slice) {
        std::string y = cx.result(slice.getOutput());
        CodeBlock block(w);
        writeSliceTables(cx, slice);
        w.line("ref::stridedSlice(" + cx.value(slice.getInput()) + ", " + y +
               ", " + Twine(shapeOf(slice.getInput()).size()) +
               ", dims, begin, strides, out);");
        return success();
      })
      .Case([&](ResizeOp resize) {
        std::string y = cx.result(resize.getOutput());
        w.line("ref::resize(" + cx.value(resize.getInput()) + ", " + y + ", " +
               resizeShapeArgs(resize) + ");");
        return success();
      })
      .Case([&](Conv2DTransposeOp conv) {
        std::string y = cx.result(conv.getOutput());
        CodeBlock block(w);
        writeConv2DTransposeParams(cx.w, conv);
        w.line("ref::conv2dTranspose(p, " + cx.value(conv.getInput()) + ", " +
               cx.value(conv.getFilter()) + ", nullptr, nullptr, nullptr, " +
               y + ");");
        return success();
      })
      .Case([&](InstanceNormOp norm) {
        std::string y = cx.result(norm.getOutput());
        w.line("ref::instanceNorm(" + cx.value(norm.getInput()) + ", " + y +
               ", " + instanceNormShapeArgs(norm) + ", " +
               optValue(cx, norm.getBeta()) + ", " +
               optValue(cx, norm.getGamma()) + ", " +
               fmtFloat(norm.getEpsilon().convertToDouble()) + ");");
        return success();
      })
      .Case([&](GroupNormOp norm) {
        std::string y = cx.result(norm.getOutput());
        CodeBlock block(w);
        w.line("static const int64_t dims[] = {" +
               joinInts(shapeOf(norm.getInput())) + "};");
        w.line("ref::groupNorm(" + cx.value(norm.getInput()) + ", " + y + ", " +
               groupNormShapeArgs(norm) + ", " + optValue(cx, norm.getBeta()) +
               ", " + optValue(cx, norm.getGamma()) + ", " +
               fmtFloat(norm.getEpsilon().convertToDouble()) + ", " +
               boolText(norm.getOnePass()) + ");");
        return success();
      })
      .Case([&](Conv3DOp conv) {
        std::string y = cx.result(conv.getOutput());
        CodeBlock block(w);
        write3DParams(cx, op);
        w.line("ref::conv3d(p, " + cx.value(conv.getInput()) + ", " +
               cx.value(conv.getFilter()) + ", nullptr, nullptr, " + y + ");");
        return success();
      })
      .Case<MaxPool3DOp, AvgPool3DOp>([&](auto pool) {
        std::string y = cx.result(pool.getOutput());
        CodeBlock block(w);
        write3DParams(cx, op);
        w.line(std::string(isa<MaxPool3DOp>(op) ? "ref::maxPool3d"
                                                : "ref::avgPool3d") +
               "(p, " + cx.value(pool.getInput()) + ", " + y + ");");
        return success();
      })
      .Default([&](Operation *) { return failure(); });
}

std::optional<LogicalResult>
codegen::emitTrainLayerBackward(Operation *op, TrainLayerContext &cx) {
  if (!hasTrainLayerRule(op))
    return std::nullopt;
  Writer &w = cx.w;
  // Every op here has one result; it needs a gradient since an operand does.
  std::string gy = cx.grad(op->getResult(0));
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](BinaryOp bin) {
        std::string ta = tmpIfNeeded(cx, bin.getLhs());
        std::string tb = tmpIfNeeded(cx, bin.getRhs());
        {
          CodeBlock block(w);
          writeBroadcastTables(cx, bin);
          w.line("ref::binaryBackward(" + binaryEnum(bin.getKind()) + ", " +
                 cx.value(bin.getLhs()) + ", a, " + cx.value(bin.getRhs()) +
                 ", b, " + gy + ", y, rank, " + ta + ", " + tb + ");");
        }
        accumulateIf(cx, bin.getLhs(), ta);
        accumulateIf(cx, bin.getRhs(), tb);
        return success();
      })
      .Case([&](BinaryScalarOp bin) {
        std::string t = cx.allocFloats(numElements(bin.getInput()));
        w.line("ref::binaryScalarBackward(" + binaryEnum(bin.getKind()) + ", " +
               cx.value(bin.getInput()) + ", " +
               fmtFloat(bin.getScalar().convertToFloat()) + ", " +
               boolText(bin.getScalarFirst()) + ", " + gy + ", " + t + ", " +
               Twine(numElements(bin.getInput())) + ");");
        cx.accumulate(bin.getInput(), t);
        return success();
      })
      .Case([&](SoftmaxOp sm) {
        int64_t cols = shapeOf(sm.getInput()).back();
        std::string t = cx.allocFloats(numElements(sm.getInput()));
        w.line("ref::softmaxBackward(" + cx.value(sm.getOutput()) + ", " + gy +
               ", " + Twine(numElements(sm.getInput()) / cols) + ", " +
               Twine(cols) + ", " + t + ");");
        cx.accumulate(sm.getInput(), t);
        return success();
      })
      .Case([&](ReduceMaxOp max) {
        std::string t = cx.allocFloats(numElements(max.getInput()));
        {
          CodeBlock block(w);
          int64_t rank = writeReduceTables(cx.w, op);
          cx.w.line("const int rank = " + Twine(rank) + ";");
          w.line("ref::reduceMaxBackward(" + cx.value(max.getInput()) + ", " +
                 cx.value(max.getOutput()) + ", " + gy +
                 ", shape, reduced, rank, " + t + ");");
        }
        cx.accumulate(max.getInput(), t);
        return success();
      })
      .Case([&](BatchNormOp bn) { return emitFrozenBatchNormBackward(bn, cx); })
      .Case([&](LrnOp lrn) {
        std::string t = cx.allocFloats(numElements(lrn.getInput()));
        w.line("ref::lrnBackward(" + cx.value(lrn.getInput()) + ", " + gy +
               ", " + lrnArgs(lrn) + ", " + t + ");");
        cx.accumulate(lrn.getInput(), t);
        return success();
      })
      .Case([&](TileOp tile) {
        std::string t = cx.allocFloats(numElements(tile.getInput()));
        {
          CodeBlock block(w);
          writeTileTables(cx, tile);
          w.line("ref::tileBackward(" + gy + ", in, multiples, " +
                 Twine(tile.getMultiples().size()) + ", " + t + ");");
        }
        cx.accumulate(tile.getInput(), t);
        return success();
      })
      .Case([&](StridedSliceOp slice) {
        std::string t = cx.allocFloats(numElements(slice.getInput()));
        {
          CodeBlock block(w);
          writeSliceTables(cx, slice);
          w.line("ref::stridedSliceBackward(" + gy + ", " + t + ", " +
                 Twine(shapeOf(slice.getInput()).size()) +
                 ", dims, begin, strides, out);");
        }
        cx.accumulate(slice.getInput(), t);
        return success();
      })
      .Case([&](ResizeOp resize) {
        std::string t = cx.allocFloats(numElements(resize.getInput()));
        w.line("ref::resizeBackward(" + gy + ", " + t + ", " +
               resizeShapeArgs(resize) + ");");
        cx.accumulate(resize.getInput(), t);
        return success();
      })
      .Case([&](Conv2DTransposeOp conv) {
        std::string tx = tmpIfNeeded(cx, conv.getInput());
        std::string tf = tmpIfNeeded(cx, conv.getFilter());
        {
          CodeBlock block(w);
          writeConv2DTransposeParams(cx.w, conv);
          if (tx != "nullptr")
            w.line("ref::conv2dTransposeBackwardData(p, " + gy + ", " +
                   cx.value(conv.getFilter()) + ", " + tx + ");");
          if (tf != "nullptr")
            w.line("ref::conv2dTransposeBackwardFilter(p, " +
                   cx.value(conv.getInput()) + ", " + gy + ", " + tf + ");");
        }
        accumulateIf(cx, conv.getInput(), tx);
        accumulateIf(cx, conv.getFilter(), tf);
        return success();
      })
      .Case([&](InstanceNormOp norm) {
        std::string tx = tmpIfNeeded(cx, norm.getInput());
        std::string tg = tmpIfNeeded(cx, norm.getGamma());
        std::string tb = tmpIfNeeded(cx, norm.getBeta());
        w.line("ref::instanceNormBackward(" + cx.value(norm.getInput()) + ", " +
               gy + ", " + instanceNormShapeArgs(norm) + ", " +
               optValue(cx, norm.getGamma()) + ", " +
               fmtFloat(norm.getEpsilon().convertToDouble()) + ", " + tx +
               ", " + tg + ", " + tb + ");");
        accumulateIf(cx, norm.getInput(), tx);
        accumulateIf(cx, norm.getGamma(), tg);
        accumulateIf(cx, norm.getBeta(), tb);
        return success();
      })
      .Case([&](GroupNormOp norm) {
        std::string tx = tmpIfNeeded(cx, norm.getInput());
        std::string tg = tmpIfNeeded(cx, norm.getGamma());
        std::string tb = tmpIfNeeded(cx, norm.getBeta());
        {
          CodeBlock block(w);
          w.line("static const int64_t dims[] = {" +
                 joinInts(shapeOf(norm.getInput())) + "};");
          w.line("ref::groupNormBackward(" + cx.value(norm.getInput()) + ", " +
                 gy + ", " + groupNormShapeArgs(norm) + ", " +
                 optValue(cx, norm.getGamma()) + ", " +
                 fmtFloat(norm.getEpsilon().convertToDouble()) + ", " +
                 boolText(norm.getOnePass()) + ", " + tx + ", " + tg + ", " +
                 tb + ");");
        }
        accumulateIf(cx, norm.getInput(), tx);
        accumulateIf(cx, norm.getGamma(), tg);
        accumulateIf(cx, norm.getBeta(), tb);
        return success();
      })
      .Case([&](Conv3DOp conv) {
        std::string tx = tmpIfNeeded(cx, conv.getInput());
        std::string tf = tmpIfNeeded(cx, conv.getFilter());
        {
          CodeBlock block(w);
          write3DParams(cx, op);
          if (tx != "nullptr")
            w.line("ref::conv3dBackwardData(p, " + gy + ", " +
                   cx.value(conv.getFilter()) + ", " + tx + ");");
          if (tf != "nullptr")
            w.line("ref::conv3dBackwardFilter(p, " + cx.value(conv.getInput()) +
                   ", " + gy + ", " + tf + ");");
        }
        accumulateIf(cx, conv.getInput(), tx);
        accumulateIf(cx, conv.getFilter(), tf);
        return success();
      })
      .Case<MaxPool3DOp, AvgPool3DOp>([&](auto pool) {
        std::string t = cx.allocFloats(numElements(pool.getInput()));
        {
          CodeBlock block(w);
          write3DParams(cx, op);
          if (isa<MaxPool3DOp>(op))
            w.line("ref::maxPool3dBackward(p, " + cx.value(pool.getInput()) +
                   ", " + gy + ", " + t + ");");
          else
            w.line("ref::avgPool3dBackward(p, " + gy + ", " + t + ");");
        }
        cx.accumulate(pool.getInput(), t);
        return success();
      })
      .Default([&](Operation *) { return failure(); });
}

int64_t mlir::slim::codegen::writeReduceTables(Writer &w, Operation *op,
                                               llvm::StringRef indent) {
  ArrayRef<int64_t> axes =
      op->getAttrOfType<DenseI64ArrayAttr>("axes").asArrayRef();
  SmallVector<int64_t> shape(shapeOf(op->getOperand(0))), reduced;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    reduced.push_back(llvm::is_contained(axes, d) ? 1 : 0);
  if (shape.empty())
    shape.push_back(1), reduced.push_back(0);
  w.line(indent + "static const int64_t shape[] = {" + joinInts(shape) + "};");
  w.line(indent + "static const int reduced[] = {" + joinInts(reduced) + "};");
  return shape.size();
}
