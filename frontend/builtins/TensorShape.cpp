//===- TensorShape.cpp - tf.TensorShape and tf.Dimension ------------------===//
//
// The shape objects of TensorFlow's Python API (see TensorShape.h for how
// they are represented), with TensorFlow's error messages: a failed shape
// assertion is a compile error at the call, worded as TF's ValueError.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/TensorShape.h"
#include "dialects/Slim/IR/CheckedInt.h"
#include "frontend/builtins/Registry.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

constexpr const char *kShapeMarker = "__tensorshape__";
constexpr const char *kDimensionMarker = "__dimension__";

/// A shape's dimensions, each known (an int) or not; `rankKnown` is false
/// for TensorShape(None), which is compatible with every shape.
struct ShapeDims {
  bool rankKnown = true;
  std::vector<std::optional<int64_t>> dims;
};

Ref makeDimension(int64_t value) {
  Ref d = makeInt(value);
  d->attrs[kDimensionMarker] = makeBool(true);
  return d;
}

Ref makeShape(const ShapeDims &s) {
  std::vector<Ref> items;
  for (const std::optional<int64_t> &d : s.dims)
    items.push_back(d ? makeDimension(*d) : makeNone());
  return makeTensorShapeOf(std::move(items));
}

std::string dimString(const std::optional<int64_t> &d) {
  return d ? std::to_string(*d) : "None";
}

/// TensorShape.__str__: "(1, 8, 8, 3)", "(3,)", "()", "<unknown>".
std::string shapeString(const ShapeDims &s) {
  if (!s.rankKnown)
    return "<unknown>";
  std::string out = "(";
  for (size_t i = 0; i < s.dims.size(); ++i)
    out += (i ? ", " : "") + dimString(s.dims[i]);
  return out + (s.dims.size() == 1 ? ",)" : ")");
}

/// A dimension argument: an int, a Dimension or None.
bool toDim(Interpreter &interp, const Ref &v, SMLoc loc,
           llvm::StringRef function, std::optional<int64_t> &out) {
  if (isNone(v)) {
    out.reset();
    return true;
  }
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out = i->value;
    return true;
  }
  interp.error(loc, function +
                        "() needs a dimension (an int, a Dimension "
                        "or None), got " +
                        typeName(*v));
  return false;
}

/// A shape argument, as TF's as_shape takes it: a TensorShape, a list or
/// tuple of dimensions, or None (unknown rank).
bool toShape(Interpreter &interp, const Ref &v, SMLoc loc,
             llvm::StringRef function, ShapeDims &out) {
  if (isNone(v)) {
    out.rankKnown = false;
    return true;
  }
  auto *seq = dyn_cast<SeqObj>(v.get());
  if (!seq) {
    interp.error(loc, function +
                          "() needs a shape (a TensorShape or a list "
                          "of dimensions), got " +
                          typeName(*v));
    return false;
  }
  out.dims.resize(seq->items.size());
  for (size_t i = 0; i < seq->items.size(); ++i)
    if (!toDim(interp, seq->items[i], loc, function, out.dims[i]))
      return false;
  return true;
}

bool dimsCompatible(const std::optional<int64_t> &a,
                    const std::optional<int64_t> &b) {
  return !a || !b || *a == *b;
}

bool shapesCompatible(const ShapeDims &a, const ShapeDims &b) {
  if (!a.rankKnown || !b.rankKnown)
    return true;
  if (a.dims.size() != b.dims.size())
    return false;
  for (size_t i = 0; i < a.dims.size(); ++i)
    if (!dimsCompatible(a.dims[i], b.dims[i]))
      return false;
  return true;
}

/// Binds a method's arguments: `self` is not among `params`.
bool bindMethod(Interpreter &interp, llvm::StringRef function,
                llvm::ArrayRef<ParamSpec> params, CallArgs &args, Bound &b) {
  return bindArgs(interp, function, params, args, b);
}

/// An int argument of a method, reported as the function's.
bool getRank(Interpreter &interp, const Bound &b, llvm::StringRef function,
             int64_t &rank) {
  auto *i = dyn_cast<IntObj>(b.get("rank").get());
  if (!i) {
    interp.error(b.loc("rank"), function + "() needs an int rank, got " +
                                    typeName(*b.get("rank")));
    return false;
  }
  rank = i->value;
  return true;
}

Ref valueError(Interpreter &interp, SMLoc loc, const llvm::Twine &message) {
  return interp.error(loc, "ValueError: " + message);
}

Ref callTensorShapeMethod(Interpreter &interp, const Ref &self,
                          llvm::StringRef name, CallArgs &args) {
  ShapeDims s;
  for (const Ref &item : cast<SeqObj>(*self).items)
    s.dims.push_back(isNone(item)
                         ? std::nullopt
                         : std::optional<int64_t>(cast<IntObj>(*item).value));
  std::string function = ("TensorShape." + name).str();
  Bound b;
  int64_t rank = s.dims.size();

  if (name == "as_list" || name == "is_fully_defined" ||
      name == "assert_is_fully_defined" || name == "num_elements") {
    if (!bindMethod(interp, function, {}, args, b))
      return nullptr;
    bool defined = llvm::all_of(s.dims, [](auto &d) { return d.has_value(); });
    if (name == "is_fully_defined")
      return makeBool(defined);
    if (name == "assert_is_fully_defined")
      return defined ? makeNone()
                     : valueError(interp, args.loc,
                                  "Shape " + shapeString(s) +
                                      " is not fully defined");
    if (name == "num_elements") {
      if (!defined)
        return makeNone();
      std::vector<int64_t> dims;
      for (auto &d : s.dims)
        dims.push_back(*d);
      if (auto n = checked::product(dims))
        return makeInt(*n);
      return interp.error(args.loc, "integer overflow in num_elements()");
    }
    std::vector<Ref> items;
    for (auto &d : s.dims)
      items.push_back(d ? makeInt(*d) : makeNone());
    return makeList(std::move(items));
  }

  if (name == "with_rank" || name == "assert_has_rank" ||
      name == "with_rank_at_least" || name == "with_rank_at_most") {
    int64_t want;
    if (!bindMethod(interp, function, {{"rank", nullptr}}, args, b) ||
        !getRank(interp, b, function, want))
      return nullptr;
    const char *how = "";
    bool ok = rank == want;
    if (name == "with_rank_at_least") {
      how = "at least ";
      ok = rank >= want;
    } else if (name == "with_rank_at_most") {
      how = "at most ";
      ok = rank <= want;
    }
    if (!ok)
      return valueError(interp, args.loc,
                        "Shape " + shapeString(s) + " must have rank " + how +
                            llvm::Twine(want));
    return name == "assert_has_rank" ? makeNone() : self;
  }

  if (name == "is_compatible_with" || name == "assert_is_compatible_with" ||
      name == "merge_with" || name == "assert_same_rank" ||
      name == "concatenate") {
    ShapeDims other;
    if (!bindMethod(interp, function, {{"other", nullptr}}, args, b) ||
        !toShape(interp, b.get("other"), b.loc("other"), function, other))
      return nullptr;
    bool compatible = shapesCompatible(s, other);
    if (name == "is_compatible_with")
      return makeBool(compatible);
    if (name == "assert_is_compatible_with")
      return compatible
                 ? makeNone()
                 : valueError(interp, args.loc,
                              "Shapes " + shapeString(s) + " and " +
                                  shapeString(other) + " are incompatible");
    if (name == "assert_same_rank") {
      if (other.rankKnown && other.dims.size() != s.dims.size())
        return valueError(interp, args.loc,
                          "Shapes " + shapeString(s) + " and " +
                              shapeString(other) + " must have the same rank");
      return makeNone();
    }
    if (name == "concatenate") {
      if (!other.rankKnown)
        return interp.error(b.loc("other"),
                            function + "() of a shape of unknown rank is not "
                                       "supported by slimc");
      s.dims.insert(s.dims.end(), other.dims.begin(), other.dims.end());
      return makeShape(s);
    }
    // merge_with: the known dimension of each pair.
    if (!compatible)
      return valueError(interp, args.loc,
                        "Shapes " + shapeString(s) + " and " +
                            shapeString(other) + " are not compatible");
    if (other.rankKnown)
      for (size_t i = 0; i < s.dims.size(); ++i)
        if (!s.dims[i])
          s.dims[i] = other.dims[i];
    return makeShape(s);
  }
  return nullptr;
}

Ref callDimensionMethod(Interpreter &interp, const Ref &self,
                        llvm::StringRef name, CallArgs &args) {
  std::optional<int64_t> value = cast<IntObj>(*self).value;
  std::string function = ("Dimension." + name).str();
  Bound b;
  std::optional<int64_t> other;
  if (!bindMethod(interp, function, {{"other", nullptr}}, args, b) ||
      !toDim(interp, b.get("other"), b.loc("other"), function, other))
    return nullptr;
  bool compatible = dimsCompatible(value, other);
  if (name == "is_compatible_with")
    return makeBool(compatible);
  if (!compatible)
    return valueError(interp, args.loc,
                      "Dimensions " + dimString(value) + " and " +
                          dimString(other) + " are not compatible");
  return name == "merge_with" ? makeDimension(*value) : makeNone();
}

//===----------------------------------------------------------------------===//
// tf.TensorShape, tf.Dimension, tf.compat.dimension_value
//===----------------------------------------------------------------------===//

Ref tensorShape(Interpreter &in, CallArgs &args) {
  Bound b;
  ShapeDims s;
  if (!bindArgs(in, "TensorShape", {{"dims", nullptr}}, args, b) ||
      !toShape(in, b.get("dims"), b.loc("dims"), "TensorShape", s))
    return nullptr;
  if (!s.rankKnown)
    return in.error(b.loc("dims"), "TensorShape(None), a shape of unknown "
                                   "rank, is not supported by slimc");
  return makeShape(s);
}

Ref dimension(Interpreter &in, CallArgs &args) {
  Bound b;
  std::optional<int64_t> d;
  if (!bindArgs(in, "Dimension", {{"value", nullptr}}, args, b) ||
      !toDim(in, b.get("value"), b.loc("value"), "Dimension", d))
    return nullptr;
  if (!d)
    return in.error(b.loc("value"), "Dimension(None), an unknown dimension, "
                                    "is not supported by slimc");
  if (*d < 0)
    return valueError(in, b.loc("value"),
                      "Dimension " + llvm::Twine(*d) + " must be >= 0");
  return makeDimension(*d);
}

Ref dimensionValue(Interpreter &in, CallArgs &args) {
  Bound b;
  std::optional<int64_t> d;
  if (!bindArgs(in, "dimension_value", {{"dimension", nullptr}}, args, b) ||
      !toDim(in, b.get("dimension"), b.loc("dimension"), "dimension_value", d))
    return nullptr;
  return d ? makeInt(*d) : makeNone();
}

const BuiltinDef kTensorShapeBuiltins[] = {
    {"tf", "TensorShape", "TensorShape", tensorShape},
    {"tf", "Dimension", "Dimension", dimension},
    {"tf.compat", "dimension_value", "dimension_value", dimensionValue},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tensorShapeBuiltins() {
  return kTensorShapeBuiltins;
}

bool slim::isTensorShape(const Object &o) {
  return isa<SeqObj>(o) && o.attrs.count(kShapeMarker);
}

bool slim::isDimension(const Object &o) {
  return isa<IntObj>(o) && o.attrs.count(kDimensionMarker);
}

Ref slim::makeTensorShape(llvm::ArrayRef<int64_t> dims) {
  ShapeDims s;
  s.dims.assign(dims.begin(), dims.end());
  return makeShape(s);
}

Ref slim::makeTensorShapeOf(std::vector<Ref> dims) {
  for (Ref &d : dims)
    if (auto *i = dyn_cast<IntObj>(d.get()); i && !isDimension(*i))
      d = makeDimension(i->value);
  Ref shape = makeTuple(std::move(dims));
  shape->attrs[kShapeMarker] = makeBool(true);
  return shape;
}

bool slim::isShapeMethod(llvm::StringRef name) {
  return llvm::is_contained(
      {"as_list", "is_fully_defined", "assert_is_fully_defined", "num_elements",
       "with_rank", "assert_has_rank", "with_rank_at_least",
       "with_rank_at_most", "is_compatible_with", "assert_is_compatible_with",
       "merge_with", "assert_same_rank", "concatenate"},
      name);
}

std::optional<Ref> slim::callShapeMethod(Interpreter &interp, const Ref &self,
                                         llvm::StringRef name, CallArgs &args) {
  if (isTensorShape(*self) && isShapeMethod(name))
    return callTensorShapeMethod(interp, self, name, args);
  if (isDimension(*self) &&
      llvm::is_contained(
          {"is_compatible_with", "assert_is_compatible_with", "merge_with"},
          name))
    return callDimensionMethod(interp, self, name, args);
  return std::nullopt;
}

std::optional<Ref> slim::getShapeProperty(const Ref &self,
                                          llvm::StringRef name) {
  if (isTensorShape(*self)) {
    auto &items = cast<SeqObj>(*self).items;
    if (name == "ndims" || name == "rank")
      return makeInt(items.size());
    // TensorShape.dims is a list of Dimensions (None where unknown).
    if (name == "dims")
      return makeList(items);
  }
  if (isDimension(*self) && name == "value")
    return makeInt(cast<IntObj>(*self).value);
  return std::nullopt;
}
