//===- GraphOps3D.h - Building the 5-D slim ops -----------------*- C++ -*-===//
//
// As GraphOps.h, for the ops of video nets: conv3d and the 3-D pools. Windows
// are [d, h, w] triples; pads [front, back, top, bottom, left, right]. `what`
// names the calling function in error messages
// ("convolution3d()", "tf.nn.conv3d").
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_GRAPHOPS3D_H
#define SLIM_FRONTEND_GRAPHOPS3D_H

#include "frontend/Interpreter.h"

namespace slim {

/// How TF's `padding` string resolves into explicit pads for one 3-D window
/// op over an NDHWC input.
bool resolvePadding3D(Interpreter &interp, llvm::StringRef what,
                      llvm::StringRef padding, llvm::SMLoc loc,
                      llvm::ArrayRef<int64_t> inputShape,
                      const int64_t kernel[3], const int64_t stride[3],
                      const int64_t dilation[3],
                      llvm::SmallVectorImpl<int64_t> &pads);

Ref emitConv3D(Interpreter &interp, llvm::StringRef what, TensorObj &input,
               TensorObj &filter, const int64_t stride[3],
               const int64_t dilation[3], llvm::ArrayRef<int64_t> pads,
               llvm::SMLoc loc);
Ref emitPool3D(Interpreter &interp, llvm::StringRef what, bool isMax,
               TensorObj &input, const int64_t kernel[3],
               const int64_t stride[3], llvm::ArrayRef<int64_t> pads,
               llvm::SMLoc loc);

} // namespace slim

#endif // SLIM_FRONTEND_GRAPHOPS3D_H
