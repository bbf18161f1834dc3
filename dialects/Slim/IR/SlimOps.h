//===- SlimOps.h - Ops of the slim dialect ------------------------*- C++
//-*-===//

#ifndef SLIM_DIALECT_SLIMOPS_H
#define SLIM_DIALECT_SLIMOPS_H

#include "dialects/Slim/IR/SlimDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Slim/IR/SlimOps.h.inc"

namespace mlir::slim {

/// Channels per block of a tensor's activation layout: 0 for dense NHWC
/// (no encoding), 8 for "nChw8c" (5-D: "ndChw8c"), 16 for "nChw16c"
/// ("ndChw16c"), -1 for an encoding that is not a slim layout of the
/// tensor's rank.
int64_t getLayoutBlock(Type type);

/// The encoding string of a blocked layout of a tensor of rank `rank`:
/// "nChw8c" for 8 channels per block ([N][C/8][H][W][8]); for a 5-D NDHWC
/// tensor "ndChw8c" ([N][D][C/8][H][W][8], the 4-D layout of N*D frames).
std::string getLayoutName(int64_t block, int64_t rank = 4);

/// Whether a tensor of `type` can take a blocked layout (rank 4 or 5).
bool hasBlockableRank(Type type);

/// `type` with the blocked layout of `block` channels (0: dense NHWC).
RankedTensorType withLayout(RankedTensorType type, int64_t block);

/// Bytes a float tensor occupies in its layout (blocked layouts round the
/// channels up to whole blocks); -1 when that does not fit in int64.
int64_t getStorageBytes(RankedTensorType type);

/// Whether `activation` names an epilogue the fused CPU kernels implement.
bool isFusableActivation(llvm::StringRef activation);

namespace verifier {
/// Verification shared by the fused layers once the logical (TF-Slim) filter
/// shape is known: packed filters, bias, residual, activation and layouts.
/// A packed filter's size is that of `packedShape` when given (a filter
/// packed through a view of another rank), else of `logicalFilter`.
LogicalResult verifyFusedCommon(Operation *op, Value filter, Value bias,
                                Value residual, llvm::StringRef activation,
                                std::optional<llvm::StringRef> packing,
                                std::optional<int64_t> vectorWidth,
                                llvm::ArrayRef<int64_t> logicalFilter,
                                llvm::ArrayRef<llvm::StringRef> packings,
                                llvm::ArrayRef<int64_t> packedShape = {});
} // namespace verifier

} // namespace mlir::slim

#endif // SLIM_DIALECT_SLIMOPS_H
