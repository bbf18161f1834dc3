//===- slim/kernels/backward.h - The fast backward kernels -------*- C++
//-*-===//
//
// Everything the train step calls in namespace slim::kernels: the fast
// gradients (backward_conv.h, backward_spatial.h, backward_norm.h, each
// with ref's signature plus a trailing `const slim_parallel *par =
// nullptr`), and, for the kernels that have no fast version (cheap ops:
// broadcast / reduce / concat / pad gradients, losses, regularizers, the
// moving averages), the reference ones under the same names. So code
// written against slim::kernels::ref switches to these by namespace alone.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_BACKWARD_H
#define SLIM_KERNELS_BACKWARD_H

#include "slim/kernels/backward_conv.h"
#include "slim/kernels/backward_norm.h"
#include "slim/kernels/backward_reference.h"
#include "slim/kernels/backward_spatial.h"

namespace slim {
namespace kernels {

// No fast version (yet): these run the reference loops, serially.
using ref::besselCorrectVariance;
using ref::broadcastBackward;
using ref::concatChannelsBackward;
using ref::l1Regularizer;
using ref::l2Regularizer;
using ref::movingAverageUpdate;
using ref::padBackward;
using ref::reduceBackward;
using ref::softmaxCrossEntropy;
using ref::sparseSoftmaxCrossEntropy;

} // namespace kernels
} // namespace slim

#endif // SLIM_KERNELS_BACKWARD_H
