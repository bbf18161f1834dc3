//===- KernelParams.h - Parameter structs of the CPU kernels ----*- C++ -*-===//
//
// The declaration and fields of the parameter structs the CPU kernels take
// (slim/kernels/params.h, params3d.h), written from an op's shapes and
// attributes. The inference emitters and the train step write the same
// structs for the same ops, so they share these writers.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_CODEGEN_KERNELPARAMS_H
#define SLIM_CODEGEN_KERNELPARAMS_H

#include "compiler/CodeGen/EmitUtil.h"
#include "dialects/Slim/IR/SlimOps.h"

namespace mlir::slim::codegen {

/// A Conv2DParams `name` for a conv-like op from `input` to `output` (NHWC;
/// pads [top, bottom, left, right]).
void writeConv2DParams(Writer &w, StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads);

/// A Pool2DParams `name` for a 2-D pool from `input` to `output`.
void writePool2DParams(Writer &w, StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> pads);

/// A Conv2DTransposeParams `p` for `conv` (TF-Slim's [kh, kw, out, in]
/// filter; only the top and left pads: the rest follow from the sizes).
void writeConv2DTransposeParams(Writer &w, Conv2DTransposeOp conv);

/// A Conv3DParams `name` for a conv3d-like op from `input` to `output`
/// (NDHWC; [kd, kh, kw] windows; pads [front, back, top, bottom, left,
/// right]).
void writeConv3DParams(Writer &w, StringRef name, Value input, Value output,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads);

/// A Pool3DParams `name` for a max_pool3d or avg_pool3d.
void writePool3DParams(Writer &w, StringRef name, Operation *pool);

} // namespace mlir::slim::codegen

#endif // SLIM_CODEGEN_KERNELPARAMS_H
