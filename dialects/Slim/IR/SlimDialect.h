//===- SlimDialect.h - The slim dialect ---------------------------*- C++
//-*-===//

#ifndef SLIM_DIALECT_SLIMDIALECT_H
#define SLIM_DIALECT_SLIMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Slim/IR/SlimDialect.h.inc"

#endif // SLIM_DIALECT_SLIMDIALECT_H
