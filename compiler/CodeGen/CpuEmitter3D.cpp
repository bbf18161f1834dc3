//===- CpuEmitter3D.cpp - The 5-D ops on the CPU --------------------------===//
//
// The reference kernels' calls for the ops of video nets on dense NDHWC
// tensors, which both CPU emitters fall back to (the parameter structs are
// written by KernelParams.h).
//
//===----------------------------------------------------------------------===//

#include "compiler/CodeGen/CpuEmitter.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::slim;
using namespace mlir::slim::codegen;

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
        writeConv3DParams(body(), "p", conv.getInput(), conv.getOutput(),
                          f.take_front(3), conv.getStrides(),
                          conv.getDilations(), conv.getPads());
        body().line("ref::conv3d(p, " + ptr(conv.getInput()) + ", " +
                    ptr(conv.getFilter()) + ", nullptr, nullptr, " +
                    ptr(conv.getOutput()) + ");");
        return success();
      })
      .Case<MaxPool3DOp, AvgPool3DOp>([&](auto pool) {
        LayerBlock layer(*this, op);
        writePool3DParams(body(), "p", op);
        body().line(std::string(isa<MaxPool3DOp>(op) ? "ref::maxPool3d"
                                                     : "ref::avgPool3d") +
                    "(p, " + ptr(pool.getInput()) + ", " +
                    ptr(pool.getOutput()) + ");");
        return success();
      })
      .Default([&](Operation *) { return unsupported(op); });
}
