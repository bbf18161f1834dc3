//===- SlimTrainOps.h - The loss ops of a training step ---------*- C++ -*-===//

#ifndef SLIM_DIALECT_SLIMTRAINOPS_H
#define SLIM_DIALECT_SLIMTRAINOPS_H

#include "dialects/Slim/IR/SlimOps.h"

#define GET_OP_CLASSES
#include "dialects/Slim/IR/SlimTrainOps.h.inc"

#endif // SLIM_DIALECT_SLIMTRAINOPS_H
