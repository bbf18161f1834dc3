//===- CpuEmitter3D.cpp - The 5-D ops on the CPU --------------------------===//
//
// What both CPU emitters write for the ops of video nets: the parameter
// structs of the 3-D kernels (slim/kernels/params3d.h) and the reference
// kernels' calls for dense NDHWC tensors.
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CpuEmitter.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

void CpuEmitter::writeConv3DParams(StringRef name, Value input, Value output,
                                   ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> dilations,
                                   ArrayRef<int64_t> pads) {
  Writer &w = body();
  std::string n = name.str();
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  w.line("Conv3DParams " + n + ";");
  w.line(n + ".batch = " + Twine(in[0]) + ";");
  w.line(n + ".inD = " + Twine(in[1]) + "; " + n + ".inH = " + Twine(in[2]) +
         "; " + n + ".inW = " + Twine(in[3]) + "; " + n +
         ".inC = " + Twine(in[4]) + ";");
  w.line(n + ".outD = " + Twine(out[1]) + "; " + n +
         ".outH = " + Twine(out[2]) + "; " + n + ".outW = " + Twine(out[3]) +
         "; " + n + ".outC = " + Twine(out[4]) + ";");
  w.line(n + ".kernelD = " + Twine(kernel[0]) + "; " + n + ".kernelH = " +
         Twine(kernel[1]) + "; " + n + ".kernelW = " + Twine(kernel[2]) + ";");
  w.line(n + ".strideD = " + Twine(strides[0]) + "; " + n +
         ".strideH = " + Twine(strides[1]) + "; " + n +
         ".strideW = " + Twine(strides[2]) + ";");
  w.line(n + ".dilationD = " + Twine(dilations[0]) + "; " + n +
         ".dilationH = " + Twine(dilations[1]) + "; " + n +
         ".dilationW = " + Twine(dilations[2]) + ";");
  w.line(n + ".padFront = " + Twine(pads[0]) + "; " + n + ".padBack = " +
         Twine(pads[1]) + "; " + n + ".padTop = " + Twine(pads[2]) + "; " + n +
         ".padBottom = " + Twine(pads[3]) + "; " + n + ".padLeft = " +
         Twine(pads[4]) + "; " + n + ".padRight = " + Twine(pads[5]) + ";");
}

void CpuEmitter::writePool3DParams(StringRef name, Operation *pool) {
  auto attr = [&](StringRef a) {
    return pool->getAttrOfType<DenseI64ArrayAttr>(a).asArrayRef();
  };
  ArrayRef<int64_t> kernel = attr("kernel"), strides = attr("strides");
  ArrayRef<int64_t> pads = attr("pads");
  ArrayRef<int64_t> in = shapeOf(pool->getOperand(0));
  ArrayRef<int64_t> out = shapeOf(pool->getResult(0));
  Writer &w = body();
  std::string n = name.str();
  w.line("Pool3DParams " + n + ";");
  w.line(n + ".batch = " + Twine(in[0]) + "; " + n +
         ".channels = " + Twine(in[4]) + ";");
  w.line(n + ".inD = " + Twine(in[1]) + "; " + n + ".inH = " + Twine(in[2]) +
         "; " + n + ".inW = " + Twine(in[3]) + ";");
  w.line(n + ".outD = " + Twine(out[1]) + "; " + n + ".outH = " +
         Twine(out[2]) + "; " + n + ".outW = " + Twine(out[3]) + ";");
  w.line(n + ".kernelD = " + Twine(kernel[0]) + "; " + n + ".kernelH = " +
         Twine(kernel[1]) + "; " + n + ".kernelW = " + Twine(kernel[2]) + ";");
  w.line(n + ".strideD = " + Twine(strides[0]) + "; " + n +
         ".strideH = " + Twine(strides[1]) + "; " + n +
         ".strideW = " + Twine(strides[2]) + ";");
  w.line(n + ".padFront = " + Twine(pads[0]) + "; " + n + ".padBack = " +
         Twine(pads[1]) + "; " + n + ".padTop = " + Twine(pads[2]) + "; " + n +
         ".padBottom = " + Twine(pads[3]) + "; " + n + ".padLeft = " +
         Twine(pads[4]) + "; " + n + ".padRight = " + Twine(pads[5]) + ";");
}

LogicalResult CpuEmitter::emitReference3D(Operation *op) {
  for (Value v : op->getOperands())
    if (blockWidth(v) != 0)
      return unsupported(op, "the reference 3-D kernels take dense tensors");
  if (failed(allocateResult(op, op->getResult(0))))
    return failure();
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](Conv3DOp conv) {
        ArrayRef<int64_t> f = shapeOf(conv.getFilter());
        LayerBlock layer(*this, op);
        writeConv3DParams("p", conv.getInput(), conv.getOutput(),
                          f.take_front(3), conv.getStrides(),
                          conv.getDilations(), conv.getPads());
        body().line("ref::conv3d(p, " + ptr(conv.getInput()) + ", " +
                    ptr(conv.getFilter()) + ", nullptr, nullptr, " +
                    ptr(conv.getOutput()) + ");");
        return success();
      })
      .Case<MaxPool3DOp, AvgPool3DOp>([&](auto pool) {
        LayerBlock layer(*this, op);
        writePool3DParams("p", op);
        body().line(std::string(isa<MaxPool3DOp>(op) ? "ref::maxPool3d"
                                                     : "ref::avgPool3d") +
                    "(p, " + ptr(pool.getInput()) + ", " +
                    ptr(pool.getOutput()) + ");");
        return success();
      })
      .Default([&](Operation *) { return unsupported(op); });
}
