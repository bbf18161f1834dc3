//===- SlimSpatialOps.cpp - Verifiers of the spatial ops ------------------===//

#include "dialects/Slim/IR/SlimOps.h"
#include "dialects/Slim/IR/VerifierSupport.h"

using namespace mlir;
using namespace mlir::slim;

LogicalResult ResizeOp::verify() {
  auto out = shapeOf(getOutput());
  if (out.size() != 4)
    return emitOpError("result must be 4-D (NHWC)");
  Shape expected;
  auto r = inferResizeShape(shapeOf(getInput()), {out[1], out[2]}, getMethod(),
                            getAlignCorners(), getHalfPixelCenters(), expected,
                            opError(*this));
  return checkInferred(*this, r, expected);
}

LogicalResult StridedSliceOp::verify() {
  Shape expected;
  auto r =
      inferStridedSliceShape(shapeOf(getInput()), getBegin(), getStrides(),
                             shapeOf(getOutput()), expected, opError(*this));
  return checkInferred(*this, r, expected);
}

LogicalResult InstanceNormOp::verify() {
  llvm::SmallVector<Shape, 2> params;
  for (Value p : {getBeta(), getGamma()})
    if (p)
      params.push_back(Shape(shapeOf(p)));
  Shape expected;
  auto r = inferInstanceNormShape(shapeOf(getInput()), params,
                                  getEpsilon().convertToDouble(), expected,
                                  opError(*this));
  return checkInferred(*this, r, expected);
}

LogicalResult GroupNormOp::verify() {
  llvm::SmallVector<Shape, 2> params;
  for (Value p : {getBeta(), getGamma()})
    if (p)
      params.push_back(Shape(shapeOf(p)));
  Shape expected;
  auto r = inferGroupNormShape(shapeOf(getInput()), params, getGroups(),
                               getChannelsAxis(), getReductionAxes(),
                               getEpsilon().convertToDouble(), expected,
                               opError(*this));
  return checkInferred(*this, r, expected);
}

LogicalResult FusedConv2DTransposeOp::verify() {
  auto input = shapeOf(getInput());
  auto output = shapeOf(getOutput());
  auto kernel = getKernel();
  if (kernel.size() != 2)
    return emitOpError("kernel must be [kh, kw]");
  if (input.size() != 4 || output.size() != 4)
    return emitOpError("input and result must be 4-D (NHWC)");
  Shape logical = {kernel[0], kernel[1], output[3], input[3]};
  Shape expected;
  int64_t noDilation[2] = {1, 1};
  if (failed(checkInferred(
          *this,
          inferConv2DTransposeShape(input, logical, getStrides(), noDilation,
                                    getPads(), expected, opError(*this)),
          expected)))
    return failure();
  auto filter = shapeOf(getFilter());
  if (filter.size() == 1) {
    if (getPacking() != "conv2d_transpose" || !getVectorWidth())
      return emitOpError("a packed (1-D) filter needs packing = "
                         "\"conv2d_transpose\" and a vector_width");
    int64_t size =
        packedFilterSize("conv2d_transpose", logical, *getVectorWidth());
    if (filter[0] != size)
      return emitOpError("packed filter has ")
             << filter[0] << " elements, the packing of ["
             << shapeToString(logical) << "] needs " << size;
  } else if (filter != llvm::ArrayRef<int64_t>(logical)) {
    return emitOpError("filter of shape [")
           << shapeToString(filter) << "] does not match ["
           << shapeToString(logical) << "]";
  } else if (getPacking()) {
    return emitOpError("'packing' is only valid with a packed filter");
  }
  for (Value v : {getBias(), getScale(), getShift()}) {
    if (!v)
      continue;
    auto s = shapeOf(v);
    if (s.size() != 1 || s[0] != output[3])
      return emitOpError("epilogue vector of shape [")
             << shapeToString(s) << "] does not match " << output[3]
             << " channels";
  }
  if (!getScale() != !getShift())
    return emitOpError("scale and shift come together");
  if (!isFusableActivation(getActivation()))
    return emitOpError("unsupported fused activation '")
           << getActivation() << "'";
  if (getLayoutBlock(getInput().getType()) !=
      getLayoutBlock(getOutput().getType()))
    return emitOpError("input and result layouts differ");
  return success();
}
