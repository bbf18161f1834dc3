//===- PyNumpy.cpp - numpy's compile-time subset --------------------------===//
//
// What TF-Slim's nets use numpy for, on compile-time values: scalar types
// as constructors and dtypes (`np.float32(3)`, `np.int(...)`), `np.array`
// of nested lists (padding tables), `np.zeros` plus item assignment (an
// initializer's matrix), `np.prod`, `np.round` and a few math functions.
// See PyNumpy.h for how arrays are represented.
//
//===----------------------------------------------------------------------===//

#include "frontend/PyNumpy.h"
#include "dialects/Slim/IR/CheckedInt.h"
#include "frontend/Builtins.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

static const char *kMarker = "__ndarray__";
static constexpr int64_t kMaxElements = 10'000'000;

bool slim::isNDArray(const Object &o) {
  return o.kind == ObjKind::List && o.attrs.count(kMarker);
}

std::string slim::ndarrayDType(const Object &array) {
  return cast<StrObj>(*array.attrs.at(kMarker)).value;
}

Ref slim::markNDArray(Ref list, const std::string &dtype) {
  list->attrs[kMarker] = makeStr(dtype);
  return list;
}

namespace {

bool isFloatDType(llvm::StringRef d) { return d.starts_with("float"); }

bool isNumberObj(const Object &o) {
  return isa<IntObj>(o) || isa<BoolObj>(o) || isa<FloatObj>(o);
}
double toDouble(const Object &o) {
  if (auto *f = dyn_cast<FloatObj>(&o))
    return f->value;
  if (auto *i = dyn_cast<IntObj>(&o))
    return double(i->value);
  return cast<BoolObj>(o).value;
}

/// numpy never sees a tensor: its value is not known at compile time.
bool rejectTensor(Interpreter &in, const Ref &v, SMLoc loc,
                  llvm::StringRef function) {
  if (!isa<TensorObj>(*v))
    return false;
  in.error(loc, "numpy." + function +
                    ": a tensor's value is not known at compile time; numpy "
                    "works on Python numbers, lists and shapes only (use the "
                    "tf.* op instead)");
  return true;
}

/// A Python number converted to `dtype`, as numpy stores it.
Ref castScalar(Interpreter &in, const Ref &v, llvm::StringRef dtype,
               SMLoc loc) {
  if (rejectTensor(in, v, loc, "array"))
    return nullptr;
  if (!isNumberObj(*v))
    return in.raise("TypeError", loc,
                    "numpy: expected a number, got " + typeName(*v));
  if (dtype == "bool")
    return makeBool(isTruthy(*v));
  if (isFloatDType(dtype)) {
    double x = toDouble(*v);
    if (dtype == "float32")
      return makeFloat(double(float(x)));
    if (dtype == "float16") {
      llvm::APFloat f(x);
      bool lost;
      f.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      return makeFloat(f.convertToDouble());
    }
    return makeFloat(x);
  }
  // Integer dtypes truncate floats toward zero.
  if (auto *f = dyn_cast<FloatObj>(v.get())) {
    auto i = checked::fromDouble(std::trunc(f->value));
    if (!i)
      return in.raise("OverflowError", loc,
                      "cannot convert float " + reprValue(*v) + " to " + dtype);
    return makeInt(*i);
  }
  return makeInt(isa<BoolObj>(*v) ? int64_t(cast<BoolObj>(*v).value)
                                  : cast<IntObj>(*v).value);
}

/// The dtype a `dtype=` argument names: a numpy scalar type, Python's
/// int/float/bool, a string, or a TensorFlow dtype.
bool dtypeOf(Interpreter &in, const Ref &v, SMLoc loc, std::string &out) {
  std::string name;
  if (auto *b = dyn_cast<BuiltinObj>(v.get()))
    name = b->name;
  else if (auto *s = dyn_cast<StrObj>(v.get()))
    name = s->value;
  else if (auto *d = dyn_cast<DTypeObj>(v.get()))
    name = d->name;
  if (name == "int" || name == "int_")
    name = "int64";
  if (name == "float" || name == "float_" || name == "double")
    name = "float64";
  if (name == "bool_")
    name = "bool";
  static const char *known[] = {"bool",   "int8",    "int16",   "int32",
                                "int64",  "uint8",   "uint16",  "uint32",
                                "uint64", "float16", "float32", "float64"};
  if (llvm::is_contained(known, name)) {
    out = name;
    return true;
  }
  in.raise("TypeError", loc,
           "data type " + reprValue(*v) + " not understood by slimc's numpy");
  return false;
}

/// The dtype numpy infers for nested Python numbers.
void inferDType(const Ref &v, bool &anyFloat, bool &anyInt) {
  if (auto *seq = dyn_cast<SeqObj>(v.get())) {
    if (isNDArray(*seq)) {
      std::string d = ndarrayDType(*seq);
      anyFloat |= isFloatDType(d);
      anyInt |= d != "bool" && !isFloatDType(d);
      return;
    }
    for (const Ref &item : seq->items)
      inferDType(item, anyFloat, anyInt);
    return;
  }
  anyFloat |= isa<FloatObj>(*v);
  anyInt |= isa<IntObj>(*v);
}

/// Builds the nested array for `src` (numbers, lists, tuples, arrays) with
/// `dtype`; `shape` is filled from the first element at each depth and
/// checked for the others.
Ref build(Interpreter &in, const Ref &src, const std::string &dtype, SMLoc loc,
          std::vector<int64_t> &shape, size_t depth, int64_t &count) {
  if (auto *seq = dyn_cast<SeqObj>(src.get())) {
    if (depth == shape.size())
      shape.push_back(seq->items.size());
    else if (shape[depth] != int64_t(seq->items.size()))
      return in.raise("ValueError", loc,
                      "ValueError: setting an array element with a sequence. "
                      "The requested array has an inhomogeneous shape");
    auto out = std::make_shared<SeqObj>(ObjKind::List, std::vector<Ref>());
    for (const Ref &item : seq->items) {
      Ref element = build(in, item, dtype, loc, shape, depth + 1, count);
      if (!element)
        return nullptr;
      out->items.push_back(element);
    }
    return markNDArray(out, dtype);
  }
  if (depth < shape.size())
    return in.raise("ValueError", loc,
                    "ValueError: setting an array element with a sequence. "
                    "The requested array has an inhomogeneous shape");
  if (++count > kMaxElements)
    return in.error(loc, "numpy array with more than " +
                             llvm::Twine(kMaxElements) + " elements");
  return castScalar(in, src, dtype, loc);
}

/// An array of `shape` filled with `value`.
Ref filled(const std::vector<int64_t> &shape, size_t depth, const Ref &value,
           const std::string &dtype) {
  if (depth == shape.size())
    return value;
  auto out = std::make_shared<SeqObj>(ObjKind::List, std::vector<Ref>());
  for (int64_t i = 0; i < shape[depth]; ++i)
    out->items.push_back(filled(shape, depth + 1, value, dtype));
  return markNDArray(out, dtype);
}

void shapeOf(const Object &array, std::vector<int64_t> &shape) {
  const Object *level = &array;
  while (auto *seq = dyn_cast<SeqObj>(level)) {
    if (!isNDArray(*seq))
      break;
    shape.push_back(seq->items.size());
    if (seq->items.empty())
      break;
    level = seq->items[0].get();
  }
}

/// Plain nested lists (tolist()).
Ref toList(const Ref &v) {
  if (auto *seq = dyn_cast<SeqObj>(v.get())) {
    std::vector<Ref> items;
    for (const Ref &item : seq->items)
      items.push_back(toList(item));
    return makeList(std::move(items));
  }
  return v;
}

/// The shape argument of zeros/ones/full/reshape: an int or ints.
bool shapeArg(Interpreter &in, const Arg &a, std::vector<int64_t> &shape) {
  if (auto *i = dyn_cast<IntObj>(a.value.get())) {
    shape.push_back(i->value);
  } else if (!getIntList(in, a.value, a.loc, "shape", shape)) {
    return false;
  }
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return in.raise("ValueError", a.loc,
                      "ValueError: negative dimensions are not allowed"),
             false;
    auto m = checked::mul(n, d);
    if (!m || *m > kMaxElements) {
      in.error(a.loc, "numpy array with more than " +
                          llvm::Twine(kMaxElements) + " elements");
      return false;
    }
    n = *m;
  }
  return true;
}

/// The elements of a number, list or array, flattened.
bool flatten(Interpreter &in, const Ref &v, SMLoc loc, llvm::StringRef function,
             std::vector<Ref> &out) {
  if (rejectTensor(in, v, loc, function))
    return false;
  if (auto *seq = dyn_cast<SeqObj>(v.get())) {
    for (const Ref &item : seq->items)
      if (!flatten(in, item, loc, function, out))
        return false;
    return true;
  }
  if (!isNumberObj(*v)) {
    in.raise("TypeError", loc,
             "numpy." + function + ": expected numbers, got " + typeName(*v));
    return false;
  }
  out.push_back(v);
  return true;
}

/// Applies `f` to every number of a number, list or array; the result has
/// the same structure (an array for an array input).
Ref mapNumbers(Interpreter &in, const Ref &v, SMLoc loc,
               llvm::StringRef function,
               const std::function<Ref(const Ref &)> &f) {
  if (rejectTensor(in, v, loc, function))
    return nullptr;
  if (auto *seq = dyn_cast<SeqObj>(v.get())) {
    auto out = std::make_shared<SeqObj>(ObjKind::List, std::vector<Ref>());
    for (const Ref &item : seq->items) {
      Ref r = mapNumbers(in, item, loc, function, f);
      if (!r)
        return nullptr;
      out->items.push_back(r);
    }
    bool anyFloat = false, anyInt = false;
    inferDType(out, anyFloat, anyInt);
    markNDArray(out, anyFloat ? "float64" : anyInt ? "int64" : "bool");
    // Keep the input's dtype where the function keeps floats floats.
    return out;
  }
  if (!isNumberObj(*v))
    return in.raise("TypeError", loc,
                    "numpy." + function + ": expected a number, got " +
                        typeName(*v));
  return f(v);
}

/// A scalar type (`np.float32`): called, it converts a number; passed as
/// `dtype=`, it names the type.
NativeFn scalarType(std::string dtype) {
  return [dtype](Interpreter &in, CallArgs &a) -> Ref {
    if (a.positional.size() > 1 || !a.keywords.empty())
      return in.raise("TypeError", a.loc,
                      dtype + "() takes at most one argument");
    if (a.positional.empty())
      return castScalar(in, makeInt(0), dtype, a.loc);
    const Arg &arg = a.positional[0];
    if (isa<SeqObj>(*arg.value)) {
      std::vector<int64_t> shape;
      int64_t count = 0;
      return build(in, arg.value, dtype, arg.loc, shape, 0, count);
    }
    if (auto *s = dyn_cast<StrObj>(arg.value.get())) {
      double x;
      if (llvm::StringRef(s->value).trim().getAsDouble(x))
        return in.raise("ValueError", arg.loc,
                        "could not convert string to " + dtype + ": " +
                            reprValue(*arg.value));
      return castScalar(in, makeFloat(x), dtype, arg.loc);
    }
    return castScalar(in, arg.value, dtype, arg.loc);
  };
}

/// Round half to even, numpy's rounding (Python's round too).
double roundHalfEven(double x, int64_t decimals) {
  double scale = std::pow(10.0, double(decimals));
  return std::nearbyint(x * scale) / scale;
}

} // namespace

//===----------------------------------------------------------------------===//
// Indexing, attributes, arithmetic
//===----------------------------------------------------------------------===//

/// The element of `array` at the ints of `index` (all but the last when
/// `forSet`), walking the nested lists.
static SeqObj *walk(Interpreter &in, const Ref &array,
                    const std::vector<Ref> &index, bool forSet, SMLoc loc,
                    Ref &out, int64_t &last) {
  Ref level = array;
  for (size_t i = 0; i < index.size(); ++i) {
    auto *seq = dyn_cast<SeqObj>(level.get());
    if (!seq || !isNDArray(*seq)) {
      in.raise("IndexError", loc,
               "IndexError: too many indices for array: array is " +
                   llvm::Twine(i) + "-dimensional, but " +
                   llvm::Twine(index.size()) + " were indexed");
      return nullptr;
    }
    auto *k = dyn_cast<IntObj>(index[i].get());
    if (!k) {
      in.error(loc, "numpy indexing with " + typeName(*index[i]) +
                        " is not supported by slimc (use ints)");
      return nullptr;
    }
    int64_t n = seq->items.size(), j = k->value < 0 ? k->value + n : k->value;
    if (j < 0 || j >= n) {
      in.raise("IndexError", loc,
               "IndexError: index " + llvm::Twine(k->value) +
                   " is out of bounds for axis " + llvm::Twine(i) +
                   " with size " + llvm::Twine(n));
      return nullptr;
    }
    if (forSet && i + 1 == index.size()) {
      last = j;
      return seq;
    }
    level = seq->items[j];
  }
  out = level;
  return cast<SeqObj>(array.get());
}

std::optional<Ref> slim::ndarrayGetItem(Interpreter &interp, const Ref &array,
                                        const Ref &key, SMLoc loc) {
  if (key->kind != ObjKind::Tuple)
    return std::nullopt;
  Ref out;
  int64_t last;
  if (!walk(interp, array, cast<SeqObj>(*key).items, false, loc, out, last))
    return Ref();
  return out;
}

bool slim::ndarraySetItem(Interpreter &interp, const Ref &array, const Ref &key,
                          const Ref &value, SMLoc loc) {
  std::vector<Ref> index;
  if (key->kind == ObjKind::Tuple)
    index = cast<SeqObj>(*key).items;
  else
    index.push_back(key);
  Ref unused;
  int64_t last = 0;
  SeqObj *row = walk(interp, array, index, true, loc, unused, last);
  if (!row)
    return false;
  std::string dtype = ndarrayDType(*row);
  Ref target = row->items[last];
  if (auto *sub = dyn_cast<SeqObj>(target.get())) {
    // Assigning a number to a row fills it, as numpy broadcasts.
    std::vector<int64_t> shape;
    shapeOf(*sub, shape);
    Ref element = castScalar(interp, value, dtype, loc);
    if (!element)
      return false;
    row->items[last] = filled(shape, 0, element, dtype);
    return true;
  }
  Ref element = castScalar(interp, value, dtype, loc);
  if (!element)
    return false;
  row->items[last] = element;
  return true;
}

std::optional<Ref> slim::ndarrayAttr(Interpreter &interp, const Ref &array,
                                     llvm::StringRef name, SMLoc loc) {
  std::vector<int64_t> shape;
  shapeOf(*array, shape);
  if (name == "shape") {
    std::vector<Ref> dims;
    for (int64_t d : shape)
      dims.push_back(makeInt(d));
    return makeTuple(std::move(dims));
  }
  if (name == "ndim")
    return makeInt(shape.size());
  if (name == "size") {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return makeInt(n);
  }
  if (name == "dtype") {
    if (Ref t = interp.lookupKnown("np." + ndarrayDType(*array)))
      return t;
    return makeStr(ndarrayDType(*array));
  }
  for (const char *m : {"tolist", "astype", "reshape", "flatten", "copy", "sum",
                        "prod", "max", "min", "item"})
    if (name == m)
      return Ref(std::make_shared<BoundMethodObj>(array, name.str()));
  return interp.raise("AttributeError", loc,
                      "'numpy.ndarray' object has no attribute '" + name + "'");
}

std::optional<Ref> slim::ndarrayMethod(Interpreter &in, const Ref &array,
                                       llvm::StringRef name, CallArgs &args) {
  std::string dtype = ndarrayDType(*array);
  if (name == "tolist")
    return toList(array);
  if (name == "copy") {
    std::vector<int64_t> shape;
    int64_t count = 0;
    return build(in, array, dtype, args.loc, shape, 0, count);
  }
  if (name == "astype") {
    if (args.positional.size() != 1)
      return in.raise("TypeError", args.loc, "astype() takes one dtype");
    std::string to;
    if (!dtypeOf(in, args.positional[0].value, args.positional[0].loc, to))
      return Ref();
    std::vector<int64_t> shape;
    int64_t count = 0;
    return build(in, array, to, args.loc, shape, 0, count);
  }
  if (name == "flatten" || name == "reshape") {
    std::vector<Ref> flat;
    if (!flatten(in, array, args.loc, name, flat))
      return Ref();
    std::vector<int64_t> shape;
    if (name == "reshape") {
      if (args.positional.size() == 1) {
        if (!shapeArg(in, args.positional[0], shape))
          return Ref();
      } else {
        for (const Arg &a : args.positional) {
          auto *i = dyn_cast<IntObj>(a.value.get());
          if (!i)
            return in.raise("TypeError", a.loc, "reshape() takes ints");
          shape.push_back(i->value);
        }
      }
      int64_t known = 1, unknown = -1;
      for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1 && unknown < 0)
          unknown = i;
        else
          known *= shape[i];
      }
      if (unknown >= 0 && known > 0)
        shape[unknown] = flat.size() / known;
      int64_t total = 1;
      for (int64_t d : shape)
        total *= d;
      if (total != int64_t(flat.size()))
        return in.raise("ValueError", args.loc,
                        "ValueError: cannot reshape array of size " +
                            llvm::Twine(flat.size()) +
                            " into the requested "
                            "shape");
    } else {
      shape.push_back(flat.size());
    }
    // Fill row-major from the flat elements.
    size_t next = 0;
    std::function<Ref(size_t)> fill = [&](size_t depth) -> Ref {
      if (depth == shape.size())
        return flat[next++];
      auto out = std::make_shared<SeqObj>(ObjKind::List, std::vector<Ref>());
      for (int64_t i = 0; i < shape[depth]; ++i)
        out->items.push_back(fill(depth + 1));
      return markNDArray(out, dtype);
    };
    return fill(0);
  }
  if (name == "sum" || name == "prod" || name == "max" || name == "min" ||
      name == "item") {
    std::vector<Ref> flat;
    if (!flatten(in, array, args.loc, name, flat))
      return Ref();
    if (name == "item") {
      if (flat.size() != 1)
        return in.raise("ValueError", args.loc,
                        "ValueError: can only convert an array of size 1 "
                        "to a Python scalar");
      return flat[0];
    }
    if (flat.empty() && (name == "max" || name == "min"))
      return in.raise("ValueError", args.loc,
                      "ValueError: zero-size array to reduction operation");
    bool isFloat = isFloatDType(dtype);
    double f = name == "prod" ? 1 : 0;
    int64_t i = name == "prod" ? 1 : 0;
    for (size_t k = 0; k < flat.size(); ++k) {
      double x = toDouble(*flat[k]);
      int64_t y = isFloat ? 0 : int64_t(x);
      if (name == "sum") {
        f += x;
        i += y;
      } else if (name == "prod") {
        f *= x;
        i *= y;
      } else if (k == 0 || (name == "max" ? x > f : x < f)) {
        f = x;
        i = y;
      }
    }
    return isFloat ? makeFloat(f) : makeInt(i);
  }
  return std::nullopt;
}

Ref slim::ndarrayBinary(Interpreter &in, BinaryOp op, const Ref &lhs,
                        const Ref &rhs, SMLoc loc) {
  if (rejectTensor(in, isa<TensorObj>(*lhs) ? lhs : rhs, loc, "ndarray"))
    return nullptr;
  auto *l = dyn_cast<SeqObj>(lhs.get());
  auto *r = dyn_cast<SeqObj>(rhs.get());
  if (l || r) {
    size_t n = l ? l->items.size() : r->items.size();
    if (l && r && l->items.size() != r->items.size()) {
      if (l->items.size() != 1 && r->items.size() != 1)
        return in.raise("ValueError", loc,
                        "ValueError: operands could not be broadcast "
                        "together");
      n = std::max(l->items.size(), r->items.size());
    }
    auto out = std::make_shared<SeqObj>(ObjKind::List, std::vector<Ref>());
    for (size_t i = 0; i < n; ++i) {
      Ref a = l ? l->items[l->items.size() == 1 ? 0 : i] : lhs;
      Ref b = r ? r->items[r->items.size() == 1 ? 0 : i] : rhs;
      Ref v = ndarrayBinary(in, op, a, b, loc);
      if (!v)
        return nullptr;
      out->items.push_back(v);
    }
    bool anyFloat = false, anyInt = false;
    inferDType(out, anyFloat, anyInt);
    std::string dtype = anyFloat ? "float64" : anyInt ? "int64" : "bool";
    // Same-dtype float arrays keep their precision (float32 stays float32).
    std::string ld = l ? ndarrayDType(*l) : "", rd = r ? ndarrayDType(*r) : "";
    if (anyFloat && (ld == "float32" || rd == "float32") && ld != "float64" &&
        rd != "float64")
      dtype = "float32";
    return markNDArray(out, dtype);
  }
  if (!isNumberObj(*lhs) || !isNumberObj(*rhs))
    return in.raise("TypeError", loc,
                    "unsupported operand type(s) for " + getSpelling(op) +
                        ": '" + typeName(*lhs) + "' and '" + typeName(*rhs) +
                        "'");
  bool ints = !isa<FloatObj>(*lhs) && !isa<FloatObj>(*rhs) &&
              op != BinaryOp::Div && op != BinaryOp::Pow;
  double a = toDouble(*lhs), b = toDouble(*rhs);
  if (ints) {
    int64_t x = int64_t(a), y = int64_t(b);
    std::optional<int64_t> v;
    switch (op) {
    case BinaryOp::Add:
      v = checked::add(x, y);
      break;
    case BinaryOp::Sub:
      v = checked::sub(x, y);
      break;
    case BinaryOp::Mul:
      v = checked::mul(x, y);
      break;
    case BinaryOp::FloorDiv:
      // numpy gives 0 for integer division by zero (with a warning).
      v = y == 0 ? 0 : checked::floorDiv(x, y).value_or(0);
      break;
    case BinaryOp::Mod:
      v = y == 0 ? 0 : checked::floorMod(x, y);
      break;
    default:
      break;
    }
    if (!v)
      return in.error(loc, "integer overflow in numpy arithmetic");
    return makeInt(*v);
  }
  switch (op) {
  case BinaryOp::Add:
    return makeFloat(a + b);
  case BinaryOp::Sub:
    return makeFloat(a - b);
  case BinaryOp::Mul:
    return makeFloat(a * b);
  case BinaryOp::Div:
    return makeFloat(a / b);
  case BinaryOp::FloorDiv:
    return makeFloat(std::floor(a / b));
  case BinaryOp::Mod:
    return makeFloat(a - std::floor(a / b) * b);
  case BinaryOp::Pow:
    return makeFloat(std::pow(a, b));
  case BinaryOp::MatMul:
    break;
  }
  return in.error(loc, "numpy matrix multiplication is not supported by "
                       "slimc");
}

//===----------------------------------------------------------------------===//
// The numpy module
//===----------------------------------------------------------------------===//

void slim::installNumpy(Interpreter &interp) {
  auto np = std::make_shared<ModuleObj>("numpy");
  np->attrs["pi"] = makeFloat(M_PI);
  np->attrs["e"] = makeFloat(M_E);
  np->attrs["inf"] = makeFloat(INFINITY);
  np->attrs["nan"] = makeFloat(NAN);
  for (const char *t :
       {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
        "uint64", "float16", "float32", "float64", "bool_"}) {
    Ref type = defineBuiltin(
        *np, t, t, scalarType(t == std::string("bool_") ? "bool" : t));
    interp
        .known[std::string("np.") + (t == std::string("bool_") ? "bool" : t)] =
        type;
  }
  np->attrs["float_"] = np->attrs["float64"];
  np->attrs["double"] = np->attrs["float64"];
  np->attrs["int_"] = np->attrs["int64"];
  np->attrs["intc"] = np->attrs["int32"];
  // numpy < 1.24 aliased np.int/np.float/np.bool to the builtins, which is
  // what the nets written for it use.
  for (const char *alias : {"int", "float", "bool"})
    np->attrs[alias] = interp.requireKnown(std::string("builtin.") + alias);

  auto array = [](Interpreter &in, CallArgs &a) -> Ref {
    Bound b;
    if (!bindArgs(in, "array", {{"object", nullptr}, {"dtype", makeNone()}}, a,
                  b))
      return nullptr;
    std::string dtype;
    if (!b.isNone("dtype")) {
      if (!dtypeOf(in, b.get("dtype"), b.loc("dtype"), dtype))
        return nullptr;
    } else {
      bool anyFloat = false, anyInt = false;
      inferDType(b.get("object"), anyFloat, anyInt);
      dtype = anyFloat ? "float64" : anyInt ? "int64" : "bool";
    }
    std::vector<int64_t> shape;
    int64_t count = 0;
    return build(in, b.get("object"), dtype, b.loc("object"), shape, 0, count);
  };
  defineBuiltin(*np, "array", "array", array);
  defineBuiltin(*np, "asarray", "asarray", array);
  auto fill = [](const char *name, double value) {
    return [name, value](Interpreter &in, CallArgs &a) -> Ref {
      Bound b;
      if (!bindArgs(in, name, {{"shape", nullptr}, {"dtype", makeNone()}}, a,
                    b))
        return nullptr;
      std::vector<int64_t> shape;
      if (!shapeArg(in, *b.arg("shape"), shape))
        return nullptr;
      std::string dtype = "float64";
      if (!b.isNone("dtype") &&
          !dtypeOf(in, b.get("dtype"), b.loc("dtype"), dtype))
        return nullptr;
      Ref element = castScalar(in, makeFloat(value), dtype, a.loc);
      return element ? filled(shape, 0, element, dtype) : nullptr;
    };
  };
  defineBuiltin(*np, "zeros", "zeros", fill("zeros", 0));
  defineBuiltin(*np, "ones", "ones", fill("ones", 1));
  defineBuiltin(*np, "full", "full", [](Interpreter &in, CallArgs &a) -> Ref {
    Bound b;
    if (!bindArgs(in, "full",
                  {{"shape", nullptr},
                   {"fill_value", nullptr},
                   {"dtype", makeNone()}},
                  a, b))
      return nullptr;
    std::vector<int64_t> shape;
    if (!shapeArg(in, *b.arg("shape"), shape))
      return nullptr;
    std::string dtype;
    if (!b.isNone("dtype")) {
      if (!dtypeOf(in, b.get("dtype"), b.loc("dtype"), dtype))
        return nullptr;
    } else {
      bool anyFloat = false, anyInt = false;
      inferDType(b.get("fill_value"), anyFloat, anyInt);
      dtype = anyFloat ? "float64" : anyInt ? "int64" : "bool";
    }
    Ref element = castScalar(in, b.get("fill_value"), dtype, a.loc);
    return element ? filled(shape, 0, element, dtype) : nullptr;
  });
  auto reduce = [](const char *name, bool isProd) {
    return [name, isProd](Interpreter &in, CallArgs &a) -> Ref {
      if (a.positional.size() != 1 || !a.keywords.empty())
        return in.raise("TypeError", a.loc,
                        std::string(name) +
                            "() takes one argument in slimc's numpy");
      std::vector<Ref> flat;
      if (!flatten(in, a.positional[0].value, a.positional[0].loc, name, flat))
        return nullptr;
      bool anyFloat = false;
      for (const Ref &v : flat)
        anyFloat |= isa<FloatObj>(*v);
      if (auto *seq = dyn_cast<SeqObj>(a.positional[0].value.get()))
        if (isNDArray(*seq))
          anyFloat |= isFloatDType(ndarrayDType(*seq));
      double f = isProd ? 1 : 0;
      int64_t i = isProd ? 1 : 0;
      for (const Ref &v : flat) {
        double x = toDouble(*v);
        f = isProd ? f * x : f + x;
        if (!anyFloat) {
          auto r = isProd ? checked::mul(i, int64_t(x))
                          : checked::add(i, int64_t(x));
          if (!r)
            return in.error(a.loc,
                            std::string("integer overflow in numpy.") + name);
          i = *r;
        }
      }
      return anyFloat ? makeFloat(f) : makeInt(i);
    };
  };
  defineBuiltin(*np, "prod", "prod", reduce("prod", true));
  defineBuiltin(*np, "product", "product", reduce("product", true));
  defineBuiltin(*np, "sum", "sum", reduce("sum", false));

  auto elementwise = [](const char *name, double (*f)(double), bool keepsInts) {
    return [name, f, keepsInts](Interpreter &in, CallArgs &a) -> Ref {
      if (a.positional.size() != 1 || !a.keywords.empty())
        return in.raise("TypeError", a.loc,
                        std::string(name) + "() takes one argument");
      return mapNumbers(in, a.positional[0].value, a.positional[0].loc, name,
                        [f, keepsInts](const Ref &v) -> Ref {
                          if (keepsInts && !isa<FloatObj>(*v))
                            return makeInt(int64_t(f(toDouble(*v))));
                          return makeFloat(f(toDouble(*v)));
                        });
    };
  };
  defineBuiltin(*np, "floor", "floor",
                elementwise(
                    "floor", [](double x) { return std::floor(x); }, false));
  defineBuiltin(*np, "ceil", "ceil",
                elementwise(
                    "ceil", [](double x) { return std::ceil(x); }, false));
  defineBuiltin(*np, "sqrt", "sqrt",
                elementwise(
                    "sqrt", [](double x) { return std::sqrt(x); }, false));
  defineBuiltin(*np, "log", "log",
                elementwise(
                    "log", [](double x) { return std::log(x); }, false));
  defineBuiltin(*np, "log2", "log2",
                elementwise(
                    "log2", [](double x) { return std::log2(x); }, false));
  defineBuiltin(*np, "exp", "exp",
                elementwise(
                    "exp", [](double x) { return std::exp(x); }, false));
  defineBuiltin(*np, "abs", "abs",
                elementwise(
                    "abs", [](double x) { return std::fabs(x); }, true));
  np->attrs["absolute"] = np->attrs["abs"];
  auto roundFn = [](Interpreter &in, CallArgs &a) -> Ref {
    Bound b;
    if (!bindArgs(in, "round", {{"a", nullptr}, {"decimals", makeInt(0)}}, a,
                  b))
      return nullptr;
    int64_t decimals;
    if (!getInt(in, b, "decimals", decimals))
      return nullptr;
    return mapNumbers(in, b.get("a"), b.loc("a"), "round",
                      [decimals](const Ref &v) -> Ref {
                        if (!isa<FloatObj>(*v))
                          return v;
                        return makeFloat(roundHalfEven(toDouble(*v), decimals));
                      });
  };
  defineBuiltin(*np, "round", "round", roundFn);
  defineBuiltin(*np, "around", "around", roundFn);
  auto extremum = [](const char *name, bool isMax) {
    return [name, isMax](Interpreter &in, CallArgs &a) -> Ref {
      if (a.positional.size() != 2 || !a.keywords.empty())
        return in.raise("TypeError", a.loc,
                        std::string(name) + "() takes two arguments");
      for (const Arg &arg : a.positional)
        if (rejectTensor(in, arg.value, arg.loc, name))
          return nullptr;
      const Ref &x = a.positional[0].value, &y = a.positional[1].value;
      if (!isNumberObj(*x) || !isNumberObj(*y))
        return in.error(a.loc, std::string("numpy.") + name +
                                   " supports numbers only in slimc");
      bool pickX =
          isMax ? toDouble(*x) >= toDouble(*y) : toDouble(*x) <= toDouble(*y);
      Ref r = pickX ? x : y;
      if (isa<FloatObj>(*x) || isa<FloatObj>(*y))
        return makeFloat(toDouble(*r));
      return r;
    };
  };
  defineBuiltin(*np, "maximum", "maximum", extremum("maximum", true));
  defineBuiltin(*np, "minimum", "minimum", extremum("minimum", false));
  interp.known["module:numpy"] = np;
}
