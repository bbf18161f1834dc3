//===- TFMath.cpp - tf's elementwise arithmetic ---------------------------===//
//
// tf.add, subtract, multiply, divide, truediv, maximum, minimum, negative,
// square, scalar_mul, add_n, clip_by_value and reduce_mean / reduce_sum /
// reduce_max (also under tf.math), and the Python operators on tensors. Between
// two tensors they build `slim.binary` with NumPy broadcasting (`slim.add` for
// two tensors of one shape); between a tensor and a Python number,
// `slim.binary_scalar` with the number converted to float32, as TensorFlow
// converts it. Two numbers are Python arithmetic in Python but a constant
// tensor in TensorFlow, which slimc does not have: that is an error.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/TFMath.h"
#include "frontend/ElementwiseGraphOps.h"
#include "frontend/GraphOps.h"
#include "frontend/builtins/TFOps.h"

#include "dialects/Slim/IR/ElementwiseShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// A Python number usable in tensor arithmetic (bools are not: TensorFlow
/// refuses to convert them to float32).
bool isNumber(const Object &o) { return isa<IntObj, FloatObj>(o); }

double numberValue(const Object &o) {
  if (auto *f = dyn_cast<FloatObj>(&o))
    return f->value;
  return double(cast<IntObj>(o).value);
}

/// Whether `kind` is symmetric, so `s kind t` is `t kind s`.
bool commutes(llvm::StringRef kind) {
  return kind == "add" || kind == "mul" || kind == "max" || kind == "min";
}

/// `x kind y` for a tensor and a tensor or a number, in either order;
/// `opName` names the call in errors, `opType` the result.
Ref arithmetic(Interpreter &in, llvm::StringRef kind, const Ref &x,
               const Ref &y, llvm::StringRef opName, llvm::StringRef opType,
               SMLoc loc) {
  auto *tx = dyn_cast<TensorObj>(x.get());
  auto *ty = dyn_cast<TensorObj>(y.get());
  if (tx && ty)
    return emitBinary(in, kind, *tx, *ty, opName, opType, loc);
  if (tx && isNumber(*y))
    return emitBinaryScalar(in, kind, *tx, numberValue(*y), false, opType, loc);
  if (ty && isNumber(*x))
    return emitBinaryScalar(in, kind, *ty, numberValue(*x), !commutes(kind),
                            opType, loc);
  if (isNumber(*x) && isNumber(*y))
    return in.error(loc, opName + ": both operands are numbers; slimc "
                                  "builds no constant tensors (compute the "
                                  "number in Python)");
  return in.error(loc, opName + ": operands must be tensors or numbers, got '" +
                           typeName(*x) + "' and '" + typeName(*y) + "'");
}

/// The tf.* binary functions share TF's (x, y, name=None) signature.
Ref binaryBuiltin(Interpreter &in, CallArgs &args, llvm::StringRef pyName,
                  llvm::StringRef kind, llvm::StringRef opType) {
  Bound b;
  std::string opName = ("tf." + pyName).str();
  if (!bindArgs(in, opName, {{"x", nullptr}, {"y", nullptr}, {"name", none()}},
                args, b))
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return arithmetic(in, kind, b.get("x"), b.get("y"), opName, opType,
                      args.loc);
  });
}

Ref add(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "add", "add", "Add");
}
Ref subtract(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "subtract", "sub", "Sub");
}
Ref multiply(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "multiply", "mul", "Mul");
}
Ref divide(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "divide", "div", "truediv");
}
Ref truediv(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "truediv", "div", "truediv");
}
Ref realdiv(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "realdiv", "div", "RealDiv");
}
Ref maximum(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "maximum", "max", "Maximum");
}
Ref minimum(Interpreter &in, CallArgs &args) {
  return binaryBuiltin(in, args, "minimum", "min", "Minimum");
}

Ref negative(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.negative", {{"x", nullptr}, {"name", none()}}, args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "x");
  if (!x)
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitBinaryScalar(in, "mul", *x, -1.0, false, "Neg", args.loc);
  });
}

Ref square(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.square", {{"x", nullptr}, {"name", none()}}, args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "x");
  if (!x)
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitBinary(in, "mul", *x, *x, "tf.square", "Square", args.loc);
  });
}

Ref scalarMul(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.scalar_mul",
                {{"scalar", nullptr}, {"x", nullptr}, {"name", none()}}, args,
                b))
    return nullptr;
  Ref s = b.get("scalar");
  if (!isNumber(*s))
    return in.error(b.loc("scalar"),
                    "tf.scalar_mul: scalar must be a number, got '" +
                        typeName(*s) + "'");
  TensorObj *x = getTensor(in, b, "x");
  if (!x)
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitBinaryScalar(in, "mul", *x, numberValue(*s), false, "scalar_mul",
                            args.loc);
  });
}

/// tf.add_n: the sum of tensors of one shape (no broadcasting), added left to
/// right; one tensor is returned as its identity, as TensorFlow does.
Ref addN(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.add_n", {{"inputs", nullptr}, {"name", none()}}, args,
                b))
    return nullptr;
  auto *seq = dyn_cast<SeqObj>(b.get("inputs").get());
  if (!seq || seq->items.empty())
    return in.error(b.loc("inputs"),
                    "tf.add_n: inputs must be a non-empty list of tensors");
  std::vector<TensorObj *> inputs;
  for (const Ref &v : seq->items) {
    auto *t = dyn_cast<TensorObj>(v.get());
    if (!t)
      return in.error(b.loc("inputs"),
                      "tf.add_n: inputs must be tensors, got '" + typeName(*v) +
                          "'");
    if (!inputs.empty() && t->shape != inputs[0]->shape)
      return in.error(b.loc("inputs"),
                      "tf.add_n: inputs must have one shape, got [" +
                          mlir::slim::shapeToString(inputs[0]->shape) +
                          "] and [" + mlir::slim::shapeToString(t->shape) +
                          "]");
    inputs.push_back(t);
  }
  return withOpName(in, b, "name", [&]() -> Ref {
    if (inputs.size() == 1)
      return emitIdentity(in, *inputs[0], args.loc);
    // TensorFlow has one AddN op: only the last sum takes its name.
    auto name = [&](size_t i) {
      return i + 1 == inputs.size() ? "AddN" : "AddN_partial";
    };
    Ref sum = emitBinary(in, "add", *inputs[0], *inputs[1], "tf.add_n", name(1),
                         args.loc);
    for (size_t i = 2; sum && i < inputs.size(); ++i)
      sum = emitBinary(in, "add", cast<TensorObj>(*sum), *inputs[i], "tf.add_n",
                       name(i), args.loc);
    return sum;
  });
}

/// tf.clip_by_value: minimum with the upper bound, then maximum with the
/// lower one, in TensorFlow's order; bounds are numbers or tensors that
/// broadcast to the input's shape without growing it.
Ref clipByValue(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.clip_by_value",
                {{"t", nullptr},
                 {"clip_value_min", nullptr},
                 {"clip_value_max", nullptr},
                 {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *t = getTensor(in, b, "t");
  if (!t)
    return nullptr;
  for (llvm::StringRef bound : {"clip_value_min", "clip_value_max"}) {
    auto *bt = dyn_cast<TensorObj>(b.get(bound).get());
    if (!bt)
      continue;
    // The rule's own message is dropped: TF words this error in terms of
    // the bound and the input, reported below.
    mlir::slim::Shape out;
    auto ignoreError = [](const llvm::Twine &) {};
    if (mlir::failed(mlir::slim::inferBroadcastShape(t->shape, bt->shape, out,
                                                     ignoreError)) ||
        llvm::ArrayRef<int64_t>(out) != llvm::ArrayRef<int64_t>(t->shape))
      return in.error(b.loc(bound),
                      "tf.clip_by_value: " + bound + " of shape [" +
                          mlir::slim::shapeToString(bt->shape) +
                          "] must broadcast to the input's shape [" +
                          mlir::slim::shapeToString(t->shape) + "]");
  }
  Ref tRef = b.get("t");
  return withOpName(in, b, "name", [&]() -> Ref {
    Ref low = arithmetic(in, "min", tRef, b.get("clip_value_max"),
                         "tf.clip_by_value", "Minimum", args.loc);
    if (!low)
      return nullptr;
    return arithmetic(in, "max", low, b.get("clip_value_min"),
                      "tf.clip_by_value", "clip_by_value", args.loc);
  });
}

/// tf.reduce_mean / reduce_sum / reduce_max share TF 1's signature, with
/// the deprecated reduction_indices and keep_dims spellings.
Ref reduce(Interpreter &in, CallArgs &args, llvm::StringRef pyName,
           llvm::StringRef kind) {
  Bound b;
  std::string opName = ("tf." + pyName).str();
  if (!bindArgs(in, opName,
                {{"input_tensor", nullptr},
                 {"axis", none()},
                 {"keepdims", none()},
                 {"name", none()},
                 {"reduction_indices", none()},
                 {"keep_dims", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input_tensor");
  if (!x)
    return nullptr;
  if (!b.isNone("keepdims") && !b.isNone("keep_dims"))
    return in.error(args.loc, opName + ": cannot specify both keepdims "
                                       "and keep_dims");
  if (!b.isNone("axis") && !b.isNone("reduction_indices"))
    return in.error(args.loc, opName + ": cannot specify both axis and "
                                       "reduction_indices");
  bool keep = !b.isNone("keepdims")
                  ? isTruthy(*b.get("keepdims"))
                  : (!b.isNone("keep_dims") && isTruthy(*b.get("keep_dims")));
  llvm::StringRef axisName = b.isNone("axis") ? "reduction_indices" : "axis";
  Ref axisValue = b.get(axisName);
  std::vector<int64_t> axes;
  if (isa<IntObj>(*axisValue))
    axes.push_back(cast<IntObj>(*axisValue).value);
  else if (isNone(axisValue))
    for (size_t d = 0; d < x->shape.size(); ++d)
      axes.push_back(d);
  else if (!getIntList(in, axisValue, b.loc(axisName), axisName, axes))
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitReduce(in, kind, *x, axes, keep, opName, args.loc);
  });
}

Ref reduceMean(Interpreter &in, CallArgs &args) {
  return reduce(in, args, "reduce_mean", "mean");
}
Ref reduceSum(Interpreter &in, CallArgs &args) {
  return reduce(in, args, "reduce_sum", "sum");
}
Ref reduceMax(Interpreter &in, CallArgs &args) {
  return reduce(in, args, "reduce_max", "max");
}

const BuiltinDef mathBuiltins[] = {
    {"tf", "add", "add", add},
    {"tf", "subtract", "subtract", subtract},
    {"tf", "multiply", "multiply", multiply},
    {"tf", "divide", "divide", divide},
    {"tf", "truediv", "truediv", truediv},
    {"tf", "realdiv", "realdiv", realdiv},
    {"tf", "maximum", "maximum", maximum},
    {"tf", "minimum", "minimum", minimum},
    {"tf", "negative", "negative", negative},
    {"tf", "square", "square", square},
    {"tf", "scalar_mul", "scalar_mul", scalarMul},
    {"tf", "add_n", "add_n", addN},
    {"tf", "clip_by_value", "clip_by_value", clipByValue},
    {"tf", "reduce_mean", "reduce_mean", reduceMean},
    {"tf", "reduce_sum", "reduce_sum", reduceSum},
    {"tf", "reduce_max", "reduce_max", reduceMax},
};

// TF 2's tf.math holds the same functions (and tf.compat.v1 is tf here).
const BuiltinAlias mathAliases[] = {
    {"tf", "add", "tf.math", "add"},
    {"tf", "subtract", "tf.math", "subtract"},
    {"tf", "multiply", "tf.math", "multiply"},
    {"tf", "divide", "tf.math", "divide"},
    {"tf", "truediv", "tf.math", "truediv"},
    {"tf", "realdiv", "tf.math", "realdiv"},
    {"tf", "maximum", "tf.math", "maximum"},
    {"tf", "minimum", "tf.math", "minimum"},
    {"tf", "negative", "tf.math", "negative"},
    {"tf", "square", "tf.math", "square"},
    {"tf", "scalar_mul", "tf.math", "scalar_mul"},
    {"tf", "add_n", "tf.math", "add_n"},
    {"tf", "reduce_mean", "tf.math", "reduce_mean"},
    {"tf", "reduce_sum", "tf.math", "reduce_sum"},
    {"tf", "reduce_max", "tf.math", "reduce_max"},
};

} // namespace

Ref slim::tensorOperator(Interpreter &interp, BinaryOp op, const Ref &lhs,
                         const Ref &rhs, SMLoc loc) {
  std::string opName = ("operator " + getSpelling(op)).str();
  llvm::StringRef kind, opType;
  switch (op) {
  case BinaryOp::Add:
    kind = "add", opType = "add";
    break;
  case BinaryOp::Sub:
    kind = "sub", opType = "sub";
    break;
  case BinaryOp::Mul:
    kind = "mul", opType = "mul";
    break;
  case BinaryOp::Div:
    kind = "div", opType = "truediv";
    break;
  default:
    return interp.error(loc, opName + ": not supported on tensors (slimc's "
                                      "tensor operators are + - * /)");
  }
  return arithmetic(interp, kind, lhs, rhs, opName, opType, loc);
}

Ref slim::tensorNegate(Interpreter &interp, const Ref &tensor, SMLoc loc) {
  // -x is x * -1 exactly, signed zeros included.
  return emitBinaryScalar(interp, "mul", cast<TensorObj>(*tensor), -1.0, false,
                          "Neg", loc);
}

llvm::ArrayRef<BuiltinDef> slim::tfMathBuiltins() { return mathBuiltins; }
llvm::ArrayRef<BuiltinAlias> slim::tfMathAliases() { return mathAliases; }
