//===- TFTile.cpp - tf.expand_dims and tf.tile ----------------------------===//
//
// The ops that grow a tensor's shape: tf.expand_dims (a reshape) and tf.tile
// (S3D-G's self-gating tiles its per-channel weights over the clip).
//
//===----------------------------------------------------------------------===//

#include "frontend/ElementwiseGraphOps.h"
#include "frontend/GraphOps.h"
#include "frontend/builtins/TFOps.h"

using namespace slim;

namespace {

/// tf.expand_dims: a 1 inserted at `axis` (-1 appends), as a reshape.
Ref expandDims(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.expand_dims",
                {{"input", nullptr},
                 {"axis", none()},
                 {"name", none()},
                 {"dim", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  if (!x)
    return nullptr;
  if (b.isNone("axis") == b.isNone("dim"))
    return in.error(args.loc, "tf.expand_dims: give exactly one of axis and "
                              "dim (its old name)");
  llvm::StringRef axisName = b.isNone("axis") ? "dim" : "axis";
  int64_t axis;
  if (!getInt(in, b, axisName, axis))
    return nullptr;
  int64_t rank = x->shape.size();
  if (axis < -rank - 1 || axis > rank)
    return in.error(b.loc(axisName),
                    "tf.expand_dims: axis " + llvm::Twine(axis) +
                        " is out of range for a tensor of rank " +
                        llvm::Twine(rank) + " (valid: [" +
                        llvm::Twine(-rank - 1) + ", " + llvm::Twine(rank) +
                        "])");
  if (axis < 0)
    axis += rank + 1;
  llvm::SmallVector<int64_t, 4> shape(x->shape.begin(), x->shape.end());
  shape.insert(shape.begin() + axis, 1);
  return withOpName(in, b, "name", [&] {
    return emitReshape(in, *x, shape, "ExpandDims", args.loc);
  });
}

/// tf.tile(input, multiples): one int per axis.
Ref tile(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.tile",
                {{"input", nullptr}, {"multiples", nullptr}, {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  std::vector<int64_t> multiples;
  if (!x || !getIntList(in, b.get("multiples"), b.loc("multiples"), "multiples",
                        multiples))
    return nullptr;
  return withOpName(in, b, "name",
                    [&] { return emitTile(in, *x, multiples, args.loc); });
}

const BuiltinDef tileBuiltins[] = {
    {"tf", "expand_dims", "expand_dims", expandDims},
    {"tf", "tile", "tile", tile},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfTileBuiltins() { return tileBuiltins; }
