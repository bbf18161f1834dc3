//===- TFTile.cpp - tf.tile -----------------------------------------------===//
//
// tf.tile(input, multiples, name=None), which S3D-G's self-gating uses to
// spread a pooled [N,1,1,1,C] gate over a [N,T,H,W,C] map.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps3D.h"
#include "frontend/builtins/TFOps.h"

using namespace slim;

namespace {

Ref tile(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tile",
                {{"input", nullptr}, {"multiples", nullptr}, {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  if (!x)
    return nullptr;
  std::vector<int64_t> multiples;
  if (!getIntList(in, b.get("multiples"), b.loc("multiples"),
                  "tf.tile: multiples", multiples))
    return nullptr;
  return withOpName(in, b, "name",
                    [&] { return emitTile(in, *x, multiples, args.loc); });
}

const BuiltinDef tileBuiltins[] = {
    {"tf", "tile", "tile", tile},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfTileBuiltins() { return tileBuiltins; }
