//===- CpuEmitter.h - What the CPU emitters share ---------------*- C++ -*-===//
//
// The hooks of ModelEmitter for code that runs on the host CPU against
// slim/kernels.h (pointers into the ABI's tables, `at(arena, offset)`, the
// profiler's begin/end around each layer, memcpy for output copies), and
// the ops both CPU kernel sets write the same way: tf.pad (dense, or blocked
// when it leaves channels alone) and concatenation of dense tensors. Subclasses
// (CpuFastEmitter, CpuReferenceEmitter) emit the ops their kernels implement.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_CPUEMITTER_H
#define SLIM_CODEGEN_CPUEMITTER_H

#include "compiler/CodeGen/KernelParams.h"
#include "compiler/CodeGen/ModelEmitter.h"

namespace mlir::slim::codegen {

class CpuEmitter : public ModelEmitter {
protected:
  /// `kernelsName` ("fast", "reference") is named in the file's header.
  CpuEmitter(ModuleOp module, const CodeGenOptions &options,
             Placement placement, StringRef kernelsName)
      : ModelEmitter(module, options, placement), kernelsName(kernelsName) {}

  /// An op of `run` that is not a dense pad or concat.
  virtual LogicalResult emitKernelOp(Operation *op) = 0;
  /// Compile-time checks of the kernels the file is compiled against,
  /// written after `using namespace slim::kernels`. Default: none.
  virtual void emitKernelChecks(raw_ostream &os) {}

  void emitFileHeader(raw_ostream &os) override;
  void emitPrologue(raw_ostream &os) override;
  LogicalResult emitRunOp(Operation *op) override;
  void emitLayerBegin(int layer) override;
  void emitLayerEnd(int layer) override;
  void emitRunPrologue(raw_ostream &os) override;
  void emitOutputCopy(StringRef dst, StringRef src, int64_t bytes) override;

  /// The 5-D ops on dense NDHWC tensors through the reference kernels
  /// (reference3d.h): conv3d, max_pool3d, avg_pool3d. Fails for any other
  /// op.
  LogicalResult emitReference3D(Operation *op);

private:
  LogicalResult emitPad(PadOp pad);
  LogicalResult emitDenseConcat(ConcatOp cat);

  StringRef kernelsName;
};

} // namespace mlir::slim::codegen

#endif // SLIM_CODEGEN_CPUEMITTER_H
