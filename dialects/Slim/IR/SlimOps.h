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

#endif // SLIM_DIALECT_SLIMOPS_H
