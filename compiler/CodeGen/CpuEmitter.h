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

  /// Writes the declaration and fields of a Conv2DParams `name` for a
  /// conv-like op from `input` to `output`.
  void writeConvParams(StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads);
  /// Writes the declaration and fields of a Pool2DParams `name`.
  void writePoolParams(StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> pads);

  /// Writes a Conv3DParams `name` for a conv3d-like op from `input` to
  /// `output` (NDHWC shapes; [kd, kh, kw] windows, six pads).
  void writeConv3DParams(StringRef name, Value input, Value output,
                         ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads);
  /// Writes a Pool3DParams `name` for a 3-D pool.
  void writePool3DParams(StringRef name, Operation *pool);
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
