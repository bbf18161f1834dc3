//===- TFArray.cpp - Slicing, tf.shape and tf.constant --------------------===//
//
// Tensor indexing (`t[:, 1:, 1:, :]`, `t[..., :c]`, `t[::-1]`, `t[0]`),
// tf.slice and tf.strided_slice with TF's masks: all resolve, on static
// shapes, into one list of index items with Python's rules, then into one
// slim.strided_slice (skipped when it takes everything) and a reshape for
// the dropped and inserted axes. tf.shape and tf.constant give compile-time
// values: shapes are static and slimc has no constant tensors (so
// tf.get_static_value returns them as they are).
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/TFArray.h"

#include "frontend/GraphOps.h"
#include "frontend/SpatialGraphOps.h"
#include "frontend/builtins/TFOps.h"
#include "frontend/builtins/TensorShape.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include <optional>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// One element of an index: `i`, `a:b:c`, `...` or `None` (tf.newaxis).
struct IndexItem {
  enum Kind { Int, Slice, Ellipsis, NewAxis } kind = Int;
  int64_t index = 0;
  std::optional<int64_t> start, stop;
  int64_t step = 1;
  SMLoc loc;
};

/// Python's slice.indices() for a dimension of `n`: the first index and the
/// number of elements.
void resolveSlice(int64_t n, std::optional<int64_t> start,
                  std::optional<int64_t> stop, int64_t step, int64_t &first,
                  int64_t &count) {
  int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v)
      return dflt;
    int64_t x = *v < 0 ? *v + n : *v;
    return x < lower ? lower : (x > upper ? upper : x);
  };
  first = clamp(start, step > 0 ? lower : upper);
  int64_t last = clamp(stop, step > 0 ? upper : lower);
  if (step > 0)
    count = first < last ? (last - first - 1) / step + 1 : 0;
  else
    // -INT64_MIN does not exist; any step that large takes one element.
    count =
        last < first
            ? (first - last - 1) / (step == INT64_MIN ? INT64_MAX : -step) + 1
            : 0;
}

/// Applies `items` to `x`: one strided slice, then a reshape for dropped
/// (int) and new (None) axes. `what` names the operation in messages.
Ref sliceTensor(Interpreter &in, TensorObj &x, llvm::ArrayRef<IndexItem> items,
                llvm::StringRef what, llvm::StringRef opType, SMLoc loc) {
  int64_t rank = x.shape.size();
  int64_t consumed = 0, ellipses = 0;
  for (const IndexItem &item : items) {
    if (item.kind == IndexItem::Int || item.kind == IndexItem::Slice)
      ++consumed;
    if (item.kind == IndexItem::Ellipsis && ++ellipses > 1)
      return in.error(item.loc, what + ": an index can only have a single "
                                       "ellipsis ('...')");
  }
  if (consumed > rank)
    return in.error(loc, what + ": too many indices for a tensor of rank " +
                             llvm::Twine(rank) + " (shape [" +
                             mlir::slim::shapeToString(x.shape) + "])");
  llvm::SmallVector<int64_t, 4> begin, strides, count, result;
  auto takeAll = [&](int64_t dims) {
    for (int64_t i = 0; i < dims; ++i) {
      int64_t d = begin.size();
      begin.push_back(0);
      strides.push_back(1);
      count.push_back(x.shape[d]);
      result.push_back(x.shape[d]);
    }
  };
  for (const IndexItem &item : items) {
    int64_t d = begin.size();
    switch (item.kind) {
    case IndexItem::Ellipsis:
      takeAll(rank - consumed);
      break;
    case IndexItem::NewAxis:
      result.push_back(1);
      break;
    case IndexItem::Int: {
      int64_t i = item.index < 0 ? item.index + x.shape[d] : item.index;
      if (i < 0 || i >= x.shape[d])
        return in.error(item.loc, what + ": slice index " +
                                      llvm::Twine(item.index) +
                                      " of dimension " + llvm::Twine(d) +
                                      " out of bounds (size " +
                                      llvm::Twine(x.shape[d]) + ")");
      begin.push_back(i);
      strides.push_back(1);
      count.push_back(1);
      break;
    }
    case IndexItem::Slice: {
      int64_t first, n;
      resolveSlice(x.shape[d], item.start, item.stop, item.step, first, n);
      if (n < 1)
        return in.error(item.loc,
                        what + ": the slice of dimension " + llvm::Twine(d) +
                            " (size " + llvm::Twine(x.shape[d]) +
                            ") is empty; slimc compiles no empty tensors");
      begin.push_back(first);
      strides.push_back(item.step);
      count.push_back(n);
      result.push_back(n);
      break;
    }
    }
  }
  // An index without `...` leaves the trailing dimensions whole.
  if (!ellipses)
    takeAll(rank - consumed);

  Ref out = nullptr;
  bool whole = true;
  for (int64_t d = 0; d < rank; ++d)
    whole = whole && begin[d] == 0 && strides[d] == 1 && count[d] == x.shape[d];
  TensorObj *sliced = &x;
  if (!whole) {
    out = emitStridedSlice(in, what, x, begin, strides, count, opType, loc);
    if (!out)
      return nullptr;
    sliced = cast<TensorObj>(out.get());
  }
  if (llvm::ArrayRef<int64_t>(result) != llvm::ArrayRef<int64_t>(count) || !out)
    return emitReshape(in, *sliced, result, opType, loc);
  return out;
}

/// An index value other than a slice or `...`: an int or None.
bool indexItemOf(Interpreter &in, const Ref &v, SMLoc loc, IndexItem &item) {
  item.loc = loc;
  if (isNone(v)) {
    item.kind = IndexItem::NewAxis;
    return true;
  }
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    item.kind = IndexItem::Int;
    item.index = i->value;
    return true;
  }
  if (isa<TensorObj>(*v))
    in.error(loc, "tensor indexing: indexing with a tensor is not supported: "
                  "tensors have no values at compile time");
  else
    in.error(loc, "tensor indexing: indices must be ints, slices, '...' or "
                  "None (tf.newaxis), not " +
                      typeName(*v));
  return false;
}

/// The optional int of a slice bound (None for absent).
bool sliceBound(Interpreter &in, const Ref &v, SMLoc loc,
                std::optional<int64_t> &out) {
  if (isNone(v))
    return true;
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out = i->value;
    return true;
  }
  in.error(loc, "tensor indexing: slice indices must be integers or None, "
                "not " +
                    typeName(*v));
  return false;
}

bool evalIndexItem(Interpreter &in, const ExprAST &e, const EnvPtr &env,
                   IndexItem &item) {
  item.loc = e.getLoc();
  if (isa<EllipsisExprAST>(e)) {
    item.kind = IndexItem::Ellipsis;
    return true;
  }
  if (auto *slice = dyn_cast<SliceExprAST>(&e)) {
    item.kind = IndexItem::Slice;
    std::optional<int64_t> step;
    const ExprAST *parts[3] = {slice->getLower(), slice->getUpper(),
                               slice->getStep()};
    std::optional<int64_t> *outs[3] = {&item.start, &item.stop, &step};
    for (int i = 0; i < 3; ++i) {
      if (!parts[i])
        continue;
      Ref v = in.eval(*parts[i], env);
      if (!v || !sliceBound(in, v, parts[i]->getLoc(), *outs[i]))
        return false;
    }
    item.step = step.value_or(1);
    if (item.step == 0) {
      in.error(slice->getStep()->getLoc(),
               "tensor indexing: slice step cannot be zero");
      return false;
    }
    return true;
  }
  Ref v = in.eval(e, env);
  return v && indexItemOf(in, v, e.getLoc(), item);
}

/// tf.shape: a tensor's shape is static, so it is the TensorShape itself
/// (indexable, usable as a size; TF would give an int32 tensor).
Ref shape(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "shape",
                {{"input", nullptr}, {"out_type", none()}, {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  if (!x)
    return nullptr;
  return makeTensorShape(x->shape);
}

/// A compile-time copy of `value` with every number converted to `dtype`
/// ("int" or "float"; "" keeps each as it is).
Ref constantOf(Interpreter &in, const Ref &value, llvm::StringRef dtype,
               SMLoc loc) {
  if (auto *seq = dyn_cast<SeqObj>(value.get())) {
    std::vector<Ref> items;
    for (const Ref &item : seq->items) {
      Ref c = constantOf(in, item, dtype, loc);
      if (!c)
        return nullptr;
      items.push_back(c);
    }
    return makeList(std::move(items));
  }
  if (auto *i = dyn_cast<IntObj>(value.get()))
    return dtype == "float" ? makeFloat(double(i->value)) : makeInt(i->value);
  if (auto *f = dyn_cast<FloatObj>(value.get())) {
    if (dtype == "int")
      return in.error(loc, "tf.constant: a float cannot be an int constant");
    return makeFloat(f->value);
  }
  if (isa<BoolObj>(*value))
    return value;
  return in.error(loc, "tf.constant: slimc takes numbers and nested lists of "
                       "numbers, not " +
                           typeName(*value));
}

/// tf.constant: compile-time data (a padding table, a scalar) stays a
/// Python value; slimc has no constant tensors.
Ref constant(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "constant",
                {{"value", nullptr},
                 {"dtype", none()},
                 {"shape", none()},
                 {"name", makeStr("Const")},
                 {"verify_shape", makeBool(false)}},
                args, b))
    return nullptr;
  if (!b.isNone("shape"))
    return in.error(b.loc("shape"), "tf.constant: slimc does not take "
                                    "'shape' (constants are compile-time "
                                    "values, not tensors)");
  std::string dtype;
  if (!b.isNone("dtype")) {
    auto *d = dyn_cast<DTypeObj>(b.get("dtype").get());
    if (!d)
      return in.error(b.loc("dtype"), "tf.constant: dtype must be a tf dtype");
    llvm::StringRef name = d->name;
    if (name.starts_with("int") || name.starts_with("uint"))
      dtype = "int";
    else if (name.starts_with("float"))
      dtype = "float";
    else if (name != "bool")
      return in.error(b.loc("dtype"),
                      "tf.constant: dtype tf." + name + " is not supported");
  }
  return constantOf(in, b.get("value"), dtype, b.loc("value"));
}

/// tf.get_static_value (tf.contrib.util.constant_value): a compile-time
/// value (tf.shape's, tf.constant's) is its own static value; a tensor's
/// value is never known at compile time, so it has none.
Ref getStaticValue(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "get_static_value",
                {{"tensor", nullptr}, {"partial", makeBool(false)}}, args, b))
    return nullptr;
  Ref v = b.get("tensor");
  return isa<TensorObj>(*v) ? none() : v;
}

/// The ints of `name` (a list, tuple, TensorShape or numpy array).
bool intsArg(Interpreter &in, const Bound &b, llvm::StringRef name,
             std::vector<int64_t> &out) {
  if (isa<IntObj>(*b.get(name))) {
    out.push_back(cast<IntObj>(*b.get(name)).value);
    return true;
  }
  return getIntList(in, b.get(name), b.loc(name), name, out);
}

/// tf.slice(input_, begin, size): size -1 takes the rest of a dimension.
Ref sliceOp(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "slice",
                {{"input_", nullptr},
                 {"begin", nullptr},
                 {"size", nullptr},
                 {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input_");
  std::vector<int64_t> begin, size;
  if (!x || !intsArg(in, b, "begin", begin) || !intsArg(in, b, "size", size))
    return nullptr;
  int64_t rank = x->shape.size();
  if (int64_t(begin.size()) != rank || int64_t(size.size()) != rank)
    return in.error(args.loc, "tf.slice: begin and size need " +
                                  llvm::Twine(rank) + " entries for shape [" +
                                  mlir::slim::shapeToString(x->shape) + "]");
  std::vector<IndexItem> items;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = x->shape[d];
    // TF's own check and wording.
    if (begin[d] < 0 || begin[d] > n)
      return in.error(b.loc("begin"), "tf.slice: expected begin[" +
                                          llvm::Twine(d) + "] in [0, " +
                                          llvm::Twine(n) + "], but got " +
                                          llvm::Twine(begin[d]));
    // Compared as s > n - begin, which cannot overflow: begin is in [0, n].
    int64_t s = size[d] == -1 ? n - begin[d] : size[d];
    if (s < 0 || s > n - begin[d])
      return in.error(b.loc("size"), "tf.slice: expected size[" +
                                         llvm::Twine(d) + "] in [0, " +
                                         llvm::Twine(n - begin[d]) +
                                         "], but got " + llvm::Twine(size[d]));
    IndexItem item;
    item.kind = IndexItem::Slice;
    item.start = begin[d];
    item.stop = begin[d] + s;
    item.loc = args.loc;
    items.push_back(item);
  }
  return withOpName(in, b, "name", [&] {
    return sliceTensor(in, *x, items, "tf.slice", "Slice", args.loc);
  });
}

/// tf.strided_slice with TF's masks, which say per position of the spec
/// what Python's index syntax would: `...`, None, an int, an open bound.
Ref stridedSlice(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "strided_slice",
                {{"input_", nullptr},
                 {"begin", nullptr},
                 {"end", nullptr},
                 {"strides", none()},
                 {"begin_mask", makeInt(0)},
                 {"end_mask", makeInt(0)},
                 {"ellipsis_mask", makeInt(0)},
                 {"new_axis_mask", makeInt(0)},
                 {"shrink_axis_mask", makeInt(0)},
                 {"var", none()},
                 {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input_");
  std::vector<int64_t> begin, end, strides;
  int64_t masks[5];
  const char *maskNames[5] = {"begin_mask", "end_mask", "ellipsis_mask",
                              "new_axis_mask", "shrink_axis_mask"};
  if (!x || !intsArg(in, b, "begin", begin) || !intsArg(in, b, "end", end) ||
      (!b.isNone("strides") && !intsArg(in, b, "strides", strides)))
    return nullptr;
  for (int i = 0; i < 5; ++i)
    if (!getInt(in, b, maskNames[i], masks[i]))
      return nullptr;
  if (strides.empty())
    strides.assign(begin.size(), 1);
  if (end.size() != begin.size() || strides.size() != begin.size())
    return in.error(args.loc, "tf.strided_slice: begin, end and strides must "
                              "have the same length");
  std::vector<IndexItem> items;
  for (size_t i = 0; i < begin.size(); ++i) {
    IndexItem item;
    item.loc = args.loc;
    int64_t bit = int64_t(1) << i;
    if (masks[2] & bit) {
      item.kind = IndexItem::Ellipsis;
    } else if (masks[3] & bit) {
      item.kind = IndexItem::NewAxis;
    } else if (masks[4] & bit) {
      item.kind = IndexItem::Int;
      item.index = begin[i];
    } else {
      if (strides[i] == 0)
        return in.error(b.loc("strides"),
                        "tf.strided_slice: strides must be non-zero");
      item.kind = IndexItem::Slice;
      if (!(masks[0] & bit))
        item.start = begin[i];
      if (!(masks[1] & bit))
        item.stop = end[i];
      item.step = strides[i];
    }
    items.push_back(item);
  }
  return withOpName(in, b, "name", [&] {
    return sliceTensor(in, *x, items, "tf.strided_slice", "StridedSlice",
                       args.loc);
  });
}

const BuiltinDef arrayBuiltins[] = {
    {"tf", "shape", "shape", shape},
    {"tf", "constant", "constant", constant},
    {"tf", "slice", "slice", sliceOp},
    {"tf", "strided_slice", "strided_slice", stridedSlice},
    {"tf", "get_static_value", "get_static_value", getStaticValue},
};

} // namespace

Ref slim::subscriptTensor(Interpreter &interp, const Ref &tensor,
                          const ExprAST &index, const EnvPtr &env, SMLoc loc) {
  std::vector<IndexItem> items;
  auto add = [&](const ExprAST &e) {
    IndexItem item;
    if (!evalIndexItem(interp, e, env, item))
      return false;
    items.push_back(item);
    return true;
  };
  if (auto *tuple = dyn_cast<TupleExprAST>(&index)) {
    for (const ExprPtr &e : tuple->getElements())
      if (!add(*e))
        return nullptr;
  } else if (!add(index)) {
    return nullptr;
  }
  return sliceTensor(interp, cast<TensorObj>(*tensor), items, "tensor indexing",
                     "strided_slice", loc);
}

llvm::ArrayRef<BuiltinDef> slim::tfArrayBuiltins() { return arrayBuiltins; }
