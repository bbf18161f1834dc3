//===- TFPool.cpp - tf.nn's pooling ops
//------------------------------------===//
//
// tf.nn.avg_pool / max_pool (TF 1) and avg_pool2d / max_pool2d (TF 2, and
// tf.compat.v2): MobileNet's global_pool, NASNet's factorized reduction and
// the squeeze-excite block call them directly rather than slim's layers.
// Windows and strides are TF's: an int, a list of 2 ([h, w]) or of 4
// ([1, h, w, 1], batch and channel 1); the ops are the same slim pools
// slim.avg_pool2d/max_pool2d make, named "AvgPool"/"MaxPool" (or `name=`).
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps.h"
#include "frontend/builtins/LayerArgs.h"
#include "frontend/builtins/TFOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::dyn_cast;

namespace {

/// ksize or strides: an int, [h, w] or [1, h, w, 1].
bool getSpatial(Interpreter &in, const Bound &b, llvm::StringRef name,
                int64_t out[2]) {
  Ref v = b.get(name);
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out[0] = out[1] = i->value;
  } else {
    std::vector<int64_t> values;
    if (!getIntList(in, v, b.loc(name), "'" + name.str() + "'", values))
      return false;
    if (values.size() == 1) {
      out[0] = out[1] = values[0];
    } else if (values.size() == 2) {
      out[0] = values[0];
      out[1] = values[1];
    } else if (values.size() == 4) {
      if (values[0] != 1 || values[3] != 1) {
        in.error(b.loc(name), b.function +
                                  "(): pooling over the batch or "
                                  "channel dimension is not "
                                  "supported ('" +
                                  name + "' must be [1, h, w, 1])");
        return false;
      }
      out[0] = values[1];
      out[1] = values[2];
    } else {
      in.error(b.loc(name), b.function + "(): '" + name +
                                "' must have 1, 2 or 4 elements, got " +
                                llvm::Twine(values.size()));
      return false;
    }
  }
  if (out[0] < 1 || out[1] < 1) {
    in.error(b.loc(name), b.function + "(): '" + name + "' must be positive");
    return false;
  }
  return true;
}

/// TF 1's tf.nn.avg_pool(value, ...) and TF 2's avg_pool2d(input, ...):
/// the tensor is accepted under either name.
Ref pool(Interpreter &in, CallArgs &args, llvm::StringRef function,
         bool isMax) {
  Bound b;
  if (!bindArgs(in, function,
                {{"value", none()},
                 {"ksize", nullptr},
                 {"strides", nullptr},
                 {"padding", nullptr},
                 {"data_format", makeStr("NHWC")},
                 {"name", none()},
                 {"input", none()}},
                args, b))
    return nullptr;
  llvm::StringRef tensorArg = b.isNone("value") ? "input" : "value";
  if (b.isNone(tensorArg))
    return in.error(b.callLoc, function + "() missing required argument "
                                          "'input'");
  TensorObj *x = getTensor(in, b, tensorArg);
  if (!x || !checkDataFormat(in, b))
    return nullptr;
  if (x->shape.size() != 4)
    return in.error(b.loc(tensorArg),
                    function + "() expects a 4-D NHWC input, got shape [" +
                        mlir::slim::shapeToString(x->shape) + "]");
  int64_t kernel[2], stride[2], rate[2] = {1, 1};
  std::string padding;
  if (!getSpatial(in, b, "ksize", kernel) ||
      !getSpatial(in, b, "strides", stride) ||
      !getString(in, b, "padding", padding))
    return nullptr;
  llvm::SmallVector<int64_t, 4> pads;
  if (!resolvePadding(in, padding, b.loc("padding"), x->shape, kernel, stride,
                      rate, pads))
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitPool(in, isMax, *x, kernel, stride, pads, args.loc);
  });
}

Ref avgPool(Interpreter &in, CallArgs &args) {
  return pool(in, args, "avg_pool", false);
}
Ref avgPool2d(Interpreter &in, CallArgs &args) {
  return pool(in, args, "avg_pool2d", false);
}
Ref maxPool(Interpreter &in, CallArgs &args) {
  return pool(in, args, "max_pool", true);
}
Ref maxPool2d(Interpreter &in, CallArgs &args) {
  return pool(in, args, "max_pool2d", true);
}

const BuiltinDef builtins[] = {
    {"tf.nn", "avg_pool", "avg_pool", avgPool},
    {"tf.nn", "avg_pool2d", "avg_pool2d", avgPool2d},
    {"tf.nn", "max_pool", "max_pool", maxPool},
    {"tf.nn", "max_pool2d", "max_pool2d", maxPool2d},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfPoolBuiltins() { return builtins; }
