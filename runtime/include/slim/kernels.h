//===- slim/kernels.h - Microkernels for generated code ---------*- C++ -*-===//
//
// The one header generated C++ includes: fast kernels on the blocked NCHWc
// layout (vector width and ISA picked by the compile target, see
// kernels/vec.h), load-time weight packing and batch-norm folding, layout
// conversions, broadcasting arithmetic, lrn and reductions, the small loops
// of rare ops (kernels/misc.h), the spatial ops of image-to-image nets
// (transposed convolution, pad, slice, resize, instance norm), the 3-D ops
// of video nets (conv3d, 3-D pools), and the plain reference kernels behind
// --kernels=reference.
// Header-only: the generated code is compiled with -O3 -march=<target>, so
// every kernel is instantiated for that target. See docs/kernels.md.
//
//===----------------------------------------------------------------------===//
#ifndef SLIM_KERNELS_H
#define SLIM_KERNELS_H

#include "slim/kernels/common.h"
#include "slim/kernels/conv.h"
#include "slim/kernels/conv3d.h"
#include "slim/kernels/conv_transpose.h"
#include "slim/kernels/depthwise.h"
#include "slim/kernels/elementwise.h"
#include "slim/kernels/eltwise.h"
#include "slim/kernels/gemm.h"
#include "slim/kernels/group_norm.h"
#include "slim/kernels/layout.h"
#include "slim/kernels/lrn.h"
#include "slim/kernels/misc.h"
#include "slim/kernels/pack.h"
#include "slim/kernels/pack3d.h"
#include "slim/kernels/pool.h"
#include "slim/kernels/pool3d.h"
#include "slim/kernels/reduce.h"
#include "slim/kernels/reference.h"
#include "slim/kernels/reference3d.h"
#include "slim/kernels/reference_spatial.h"
#include "slim/kernels/spatial.h"
#include "slim/kernels/vec.h"
#include "slim/parallel.h"

#endif // SLIM_KERNELS_H
