//===- KernelParams.cpp - Parameter structs of the CPU kernels ------------===//

#include "compiler/CodeGen/KernelParams.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

namespace mlir::slim::codegen {

void writeConv2DParams(Writer &w, StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  std::string n = name.str();
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  w.line("Conv2DParams " + n + ";");
  w.line(n + ".batch = " + Twine(in[0]) + ";");
  w.line(n + ".inH = " + Twine(in[1]) + "; " + n + ".inW = " + Twine(in[2]) +
         "; " + n + ".inC = " + Twine(in[3]) + ";");
  w.line(n + ".outH = " + Twine(out[1]) + "; " + n + ".outW = " +
         Twine(out[2]) + "; " + n + ".outC = " + Twine(out[3]) + ";");
  w.line(n + ".kernelH = " + Twine(kernel[0]) + "; " + n +
         ".kernelW = " + Twine(kernel[1]) + ";");
  w.line(n + ".strideH = " + Twine(strides[0]) + "; " + n +
         ".strideW = " + Twine(strides[1]) + ";");
  w.line(n + ".dilationH = " + Twine(dilations[0]) + "; " + n +
         ".dilationW = " + Twine(dilations[1]) + ";");
  w.line(n + ".padTop = " + Twine(pads[0]) + "; " + n + ".padBottom = " +
         Twine(pads[1]) + "; " + n + ".padLeft = " + Twine(pads[2]) + "; " + n +
         ".padRight = " + Twine(pads[3]) + ";");
}

void writePool2DParams(Writer &w, StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> pads) {
  std::string n = name.str();
  ArrayRef<int64_t> in = shapeOf(input), out = shapeOf(output);
  w.line("Pool2DParams " + n + ";");
  w.line(n + ".batch = " + Twine(in[0]) + "; " + n +
         ".channels = " + Twine(in[3]) + ";");
  w.line(n + ".inH = " + Twine(in[1]) + "; " + n + ".inW = " + Twine(in[2]) +
         ";");
  w.line(n + ".outH = " + Twine(out[1]) + "; " + n +
         ".outW = " + Twine(out[2]) + ";");
  w.line(n + ".kernelH = " + Twine(kernel[0]) + "; " + n +
         ".kernelW = " + Twine(kernel[1]) + ";");
  w.line(n + ".strideH = " + Twine(strides[0]) + "; " + n +
         ".strideW = " + Twine(strides[1]) + ";");
  w.line(n + ".padTop = " + Twine(pads[0]) + "; " + n + ".padBottom = " +
         Twine(pads[1]) + "; " + n + ".padLeft = " + Twine(pads[2]) + "; " + n +
         ".padRight = " + Twine(pads[3]) + ";");
}

void writeConv3DParams(Writer &w, StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
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

void writePool3DParams(Writer &w, StringRef name, Operation *pool) {
  auto attr = [&](StringRef a) {
    return pool->getAttrOfType<DenseI64ArrayAttr>(a).asArrayRef();
  };
  ArrayRef<int64_t> kernel = attr("kernel"), strides = attr("strides");
  ArrayRef<int64_t> pads = attr("pads");
  ArrayRef<int64_t> in = shapeOf(pool->getOperand(0));
  ArrayRef<int64_t> out = shapeOf(pool->getResult(0));
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

void writeConv2DTransposeParams(Writer &w, Conv2DTransposeOp conv) {
  ArrayRef<int64_t> in = shapeOf(conv.getInput()),
                    out = shapeOf(conv.getOutput()),
                    f = shapeOf(conv.getFilter());
  ArrayRef<int64_t> strides = conv.getStrides(), pads = conv.getPads();
  w.line("Conv2DTransposeParams p;");
  w.line("p.batch = " + Twine(in[0]) + "; p.inH = " + Twine(in[1]) +
         "; p.inW = " + Twine(in[2]) + "; p.inC = " + Twine(in[3]) + ";");
  w.line("p.outH = " + Twine(out[1]) + "; p.outW = " + Twine(out[2]) +
         "; p.outC = " + Twine(out[3]) + ";");
  w.line("p.kernelH = " + Twine(f[0]) + "; p.kernelW = " + Twine(f[1]) +
         "; p.strideH = " + Twine(strides[0]) +
         "; p.strideW = " + Twine(strides[1]) + ";");
  w.line("p.padTop = " + Twine(pads[0]) + "; p.padLeft = " + Twine(pads[2]) +
         ";");
}

} // namespace mlir::slim::codegen
