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
/// (no encoding), 8 for "nChw8c", 16 for "nChw16c", -1 for an encoding that
/// is not a slim layout.
int64_t getLayoutBlock(Type type);

/// The encoding string of a blocked layout, "nChw8c" for 8.
std::string getLayoutName(int64_t block);

/// `type` with the blocked layout of `block` channels (0: dense NHWC).
RankedTensorType withLayout(RankedTensorType type, int64_t block);

/// Bytes a float tensor occupies in its layout (blocked layouts round the
/// channels up to whole blocks); -1 when that does not fit in int64.
int64_t getStorageBytes(RankedTensorType type);

/// Whether `activation` names an epilogue the fused CPU kernels implement.
bool isFusableActivation(llvm::StringRef activation);

} // namespace mlir::slim

#endif // SLIM_DIALECT_SLIMOPS_H
