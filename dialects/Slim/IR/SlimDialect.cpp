//===- SlimDialect.cpp - The slim dialect ---------------------------------===//

#include "dialects/Slim/IR/SlimDialect.h"
#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/SlimTrainOps.h"

using namespace mlir;
using namespace mlir::slim;

#include "dialects/Slim/IR/SlimDialect.cpp.inc"

void SlimDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Slim/IR/SlimOps.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/Slim/IR/SlimTrainOps.cpp.inc"
      >();
}
