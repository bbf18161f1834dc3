//===- TFCore.cpp - tf's tensor ops ---------------------------------------===//
//
// tf.identity, tf.concat, tf.squeeze, tf.reshape and tf.pad: the tensor ops
// the reference nets call directly (arithmetic and reductions are
// TFMath.cpp).
//
//===----------------------------------------------------------------------===//

#include "dialects/Slim/IR/CheckedInt.h"
#include "frontend/GraphOps.h"
#include "frontend/builtins/TFOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

namespace {

/// A top-level tf.identity(t, name=...) in the compiled file names a model
/// output.
Ref identity(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "identity", {{"input", nullptr}, {"name", none()}}, args,
                b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  if (!x)
    return nullptr;
  Ref out =
      withOpName(in, b, "name", [&] { return emitIdentity(in, *x, args.loc); });
  if (out && in.atMainTopLevel() && !b.isNone("name"))
    in.graph().addNamedOutput(out, cast<TensorObj>(*out).name);
  return out;
}

Ref concat(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(
          in, "concat",
          {{"values", nullptr}, {"axis", nullptr}, {"name", makeStr("concat")}},
          args, b))
    return nullptr;
  if (isa<IntObj>(*b.get("values")))
    return in.error(args.loc, "concat(values, axis): the first argument "
                              "must be the list of tensors (TensorFlow 1.0 "
                              "swapped the old concat(axis, values) order)");
  auto *seq = dyn_cast<SeqObj>(b.get("values").get());
  if (!seq || seq->items.empty())
    return in.error(b.loc("values"),
                    "concat values must be a non-empty list of tensors");
  std::vector<TensorObj *> inputs;
  for (auto &v : seq->items) {
    auto *t = dyn_cast<TensorObj>(v.get());
    if (!t)
      return in.error(b.loc("values"),
                      "concat values must be tensors, got " + typeName(*v));
    inputs.push_back(t);
  }
  int64_t axis;
  if (!getInt(in, b, "axis", axis))
    return nullptr;
  return withOpName(in, b, "name",
                    [&] { return emitConcat(in, inputs, axis, args.loc); });
}

Ref squeeze(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "squeeze",
                {{"input", nullptr},
                 {"axis", none()},
                 {"name", none()},
                 {"squeeze_dims", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  if (!x)
    return nullptr;
  Ref axisValue = b.isNone("axis") ? b.get("squeeze_dims") : b.get("axis");
  std::vector<int64_t> axes;
  if (isa<IntObj>(*axisValue))
    axes.push_back(cast<IntObj>(*axisValue).value);
  else if (!isNone(axisValue) &&
           !getIntList(in, axisValue, b.loc("axis"), "axis", axes))
    return nullptr;
  int64_t rank = x->shape.size();
  std::vector<bool> drop(rank, false);
  if (axes.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = x->shape[d] == 1;
  }
  for (int64_t a : axes) {
    int64_t d = a < 0 ? a + rank : a;
    if (d < 0 || d >= rank)
      return in.error(args.loc, "squeeze axis " + llvm::Twine(a) +
                                    " is out of range for rank " +
                                    llvm::Twine(rank));
    if (x->shape[d] != 1)
      return in.error(args.loc, "can not squeeze dim[" + llvm::Twine(d) +
                                    "], expected a dimension of 1, got " +
                                    llvm::Twine(x->shape[d]) + " (shape [" +
                                    mlir::slim::shapeToString(x->shape) + "])");
    drop[d] = true;
  }
  llvm::SmallVector<int64_t, 4> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(x->shape[d]);
  return withOpName(in, b, "name", [&] {
    return emitReshape(in, *x, shape, "Squeeze", args.loc);
  });
}

Ref reshape(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "reshape",
                {{"tensor", nullptr}, {"shape", nullptr}, {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "tensor");
  std::vector<int64_t> dims;
  if (!x || !getIntList(in, b.get("shape"), b.loc("shape"), "shape", dims))
    return nullptr;
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred >= 0)
        return in.error(b.loc("shape"), "only one dimension of a reshape "
                                        "may be -1");
      inferred = i;
    } else if (dims[i] <= 0) {
      return in.error(b.loc("shape"), "reshape dimensions must be positive "
                                      "or -1");
    } else if (auto product = checked::mul(known, dims[i])) {
      known = *product;
    } else {
      // Left unchecked this wraps (2**32 * 2**32 == 0) and `total % known`
      // below traps.
      std::string shape;
      llvm::raw_string_ostream os(shape);
      llvm::interleaveComma(dims, os);
      return in.error(b.loc("shape"), "reshape: shape [" + os.str() +
                                          "] has more elements than fit in "
                                          "int64");
    }
  }
  int64_t total = mlir::slim::numElements(x->shape);
  if (inferred >= 0) {
    if (total % known)
      return in.error(b.loc("shape"), "cannot reshape a tensor of shape [" +
                                          mlir::slim::shapeToString(x->shape) +
                                          "]");
    dims[inferred] = total / known;
  }
  return withOpName(in, b, "name", [&] {
    return emitReshape(in, *x, llvm::ArrayRef<int64_t>(dims), "Reshape",
                       args.loc);
  });
}

/// tf.pad with TF's three modes. TF upper-cases `mode`; slimc's op spells
/// it in lower case.
Ref pad(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "pad",
                {{"tensor", nullptr},
                 {"paddings", nullptr},
                 {"mode", makeStr("CONSTANT")},
                 {"name", none()},
                 {"constant_values", makeInt(0)}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "tensor");
  if (!x)
    return nullptr;
  std::string mode;
  if (!getString(in, b, "mode", mode))
    return nullptr;
  std::string lower = llvm::StringRef(mode).lower();
  if (lower != "constant" && lower != "reflect" && lower != "symmetric")
    return in.error(b.loc("mode"),
                    "tf.pad: value of argument `mode` expected to be one of "
                    "\"CONSTANT\", \"REFLECT\", or \"SYMMETRIC\". Received "
                    "`mode` = " +
                        mode);
  Ref cv = b.get("constant_values");
  double constant = 0.0;
  if (isa<IntObj>(*cv))
    constant = double(cast<IntObj>(*cv).value);
  else if (isa<FloatObj>(*cv))
    constant = cast<FloatObj>(*cv).value;
  else
    return in.error(b.loc("constant_values"),
                    "tf.pad: constant_values must be a number, got " +
                        typeName(*cv));
  // As in TF, the mirror modes ignore constant_values.
  if (lower != "constant")
    constant = 0.0;
  auto *rows = dyn_cast<SeqObj>(b.get("paddings").get());
  if (!rows || rows->items.size() != x->shape.size())
    return in.error(b.loc("paddings"),
                    "tf.pad: paddings must be a list of " +
                        llvm::Twine(x->shape.size()) +
                        " [before, after] pairs, one per dimension");
  std::vector<int64_t> flat;
  for (auto &row : rows->items) {
    std::vector<int64_t> pair;
    if (!getIntList(in, row, b.loc("paddings"), "paddings", pair))
      return nullptr;
    if (pair.size() != 2)
      return in.error(b.loc("paddings"),
                      "tf.pad: each paddings entry must be [before, after]");
    flat.insert(flat.end(), pair.begin(), pair.end());
  }
  return withOpName(in, b, "name", [&] {
    return emitPad(in, *x, flat, lower, constant, args.loc);
  });
}

const BuiltinDef coreBuiltins[] = {
    {"tf", "identity", "identity", identity},
    {"tf", "concat", "concat", concat},
    {"tf", "squeeze", "squeeze", squeeze},
    {"tf", "reshape", "reshape", reshape},
    {"tf", "pad", "pad", pad},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfCoreBuiltins() { return coreBuiltins; }
