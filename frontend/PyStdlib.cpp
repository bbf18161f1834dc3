//===- PyStdlib.cpp - math, six and os.path for model files ---------------===//
//
// The rest of the standard library the reference nets import: `math` for
// shape arithmetic (`log(width, 2)` in DCGAN), `six` for Python 2/3
// compatibility (`from six.moves import xrange`), and `os.path`, whose
// string functions MobileNet uses on op names. Each function computes what
// CPython computes on the same values (math.log(x, b) is log(x) / log(b),
// so `log(8, 2) == 3.0` exactly as in Python); a tensor argument is an
// error, since its value is not known at compile time.
//
//===----------------------------------------------------------------------===//

#include "dialects/Slim/IR/CheckedInt.h"
#include "frontend/Builtins.h"

#include "llvm/Support/Path.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// A Python number (int, bool or float) as a double; a TypeError (or, for
/// a tensor, a compile error) otherwise.
bool number(Interpreter &in, const Arg &a, llvm::StringRef function,
            double &out) {
  const Object &o = *a.value;
  if (auto *f = dyn_cast<FloatObj>(&o)) {
    out = f->value;
    return true;
  }
  if (auto *i = dyn_cast<IntObj>(&o)) {
    out = double(i->value);
    return true;
  }
  if (auto *b = dyn_cast<BoolObj>(&o)) {
    out = b->value;
    return true;
  }
  if (isa<TensorObj>(o)) {
    in.error(a.loc, function + "(): a tensor's value is not known at compile "
                               "time; math works on Python numbers");
    return false;
  }
  in.raise("TypeError", a.loc,
           "must be real number, not " + typeName(o) + " (in " + function +
               "())");
  return false;
}

bool arity(Interpreter &in, CallArgs &a, llvm::StringRef name, size_t lo,
           size_t hi) {
  if (!a.keywords.empty()) {
    in.raise("TypeError", a.keywords.front().loc,
             name + "() takes no keyword arguments");
    return false;
  }
  if (a.positional.size() < lo || a.positional.size() > hi) {
    in.raise("TypeError", a.loc,
             name + "() takes " +
                 (lo == hi ? llvm::Twine(lo)
                           : llvm::Twine(lo) + " to " + llvm::Twine(hi)) +
                 " arguments (" + llvm::Twine(a.positional.size()) + " given)");
    return false;
  }
  return true;
}

/// A one-argument float function (`math.sqrt`) with Python's domain error.
NativeFn unary(const char *name, double (*f)(double),
               bool (*domain)(double) = nullptr) {
  return [name, f, domain](Interpreter &in, CallArgs &a) -> Ref {
    double x;
    if (!arity(in, a, name, 1, 1) ||
        !number(in, a.positional[0], std::string("math.") + name, x))
      return nullptr;
    if (domain && !domain(x))
      return in.raise("ValueError", a.positional[0].loc,
                      "ValueError: math domain error");
    return makeFloat(f(x));
  };
}

/// math.floor/ceil/trunc return ints.
NativeFn rounding(const char *name, double (*f)(double)) {
  return [name, f](Interpreter &in, CallArgs &a) -> Ref {
    if (!arity(in, a, name, 1, 1))
      return nullptr;
    if (isa<IntObj>(*a.positional[0].value))
      return a.positional[0].value;
    double x;
    if (!number(in, a.positional[0], std::string("math.") + name, x))
      return nullptr;
    auto i = checked::fromDouble(f(x));
    if (!i)
      return in.raise(std::isnan(x) ? "ValueError" : "OverflowError",
                      a.positional[0].loc,
                      std::string("cannot convert float ") +
                          (std::isnan(x) ? "NaN" : "infinity") + " to integer");
    return makeInt(*i);
  };
}

Ref mathLog(Interpreter &in, CallArgs &a) {
  double x, base = 0;
  if (!arity(in, a, "log", 1, 2) || !number(in, a.positional[0], "math.log", x))
    return nullptr;
  if (a.positional.size() == 2 &&
      !number(in, a.positional[1], "math.log", base))
    return nullptr;
  if (x <= 0 || (a.positional.size() == 2 && (base <= 0 || base == 1)))
    return in.raise(base == 1 ? "ZeroDivisionError" : "ValueError",
                    a.positional[0].loc,
                    base == 1 ? "float division by zero" : "math domain error");
  // CPython: log(x, base) = log(x) / log(base).
  if (a.positional.size() == 2)
    return makeFloat(std::log(x) / std::log(base));
  return makeFloat(std::log(x));
}

Ref mathPow(Interpreter &in, CallArgs &a) {
  double x, y;
  if (!arity(in, a, "pow", 2, 2) ||
      !number(in, a.positional[0], "math.pow", x) ||
      !number(in, a.positional[1], "math.pow", y))
    return nullptr;
  return makeFloat(std::pow(x, y));
}

Ref mathGcd(Interpreter &in, CallArgs &a) {
  int64_t g = 0;
  for (const Arg &arg : a.positional) {
    auto *i = dyn_cast<IntObj>(arg.value.get());
    if (!i)
      return in.raise("TypeError", arg.loc,
                      "'" + typeName(*arg.value) +
                          "' object cannot be interpreted as an integer");
    auto v = checked::abs(i->value);
    if (!v)
      return in.error(arg.loc, "integer overflow in math.gcd()");
    int64_t x = *v;
    while (x) {
      int64_t t = g % x;
      g = x;
      x = t;
    }
  }
  return makeInt(g);
}

Ref mathPredicate(Interpreter &in, CallArgs &a, const char *name,
                  bool (*f)(double)) {
  double x;
  if (!arity(in, a, name, 1, 1) ||
      !number(in, a.positional[0], std::string("math.") + name, x))
    return nullptr;
  return makeBool(f(x));
}

/// os.path: string functions on '/'-separated paths (posixpath).
Ref pathFunction(Interpreter &in, CallArgs &a, llvm::StringRef name) {
  if (name == "join") {
    if (a.positional.empty() || !a.keywords.empty())
      return in.raise("TypeError", a.loc,
                      "join() takes at least one path argument");
    std::string out;
    for (const Arg &p : a.positional) {
      auto *s = dyn_cast<StrObj>(p.value.get());
      if (!s)
        return in.raise("TypeError", p.loc,
                        "expected str, not " + typeName(*p.value));
      if (llvm::StringRef(s->value).starts_with("/"))
        out = s->value;
      else if (out.empty() || llvm::StringRef(out).ends_with("/"))
        out += s->value;
      else
        out += "/" + s->value;
    }
    return makeStr(out);
  }
  if (!arity(in, a, name, 1, 1))
    return nullptr;
  auto *s = dyn_cast<StrObj>(a.positional[0].value.get());
  if (!s)
    return in.raise("TypeError", a.positional[0].loc,
                    "expected str, not " + typeName(*a.positional[0].value));
  llvm::StringRef path = s->value;
  size_t slash = path.rfind('/');
  llvm::StringRef head = slash == llvm::StringRef::npos
                             ? llvm::StringRef()
                             : path.take_front(slash + 1);
  llvm::StringRef tail =
      slash == llvm::StringRef::npos ? path : path.drop_front(slash + 1);
  // posixpath strips the trailing slashes of the head, unless it is all
  // slashes.
  llvm::StringRef strippedHead = head.rtrim('/');
  if (strippedHead.empty())
    strippedHead = head;
  if (name == "dirname")
    return makeStr(strippedHead.str());
  if (name == "basename")
    return makeStr(tail.str());
  if (name == "split")
    return makeTuple({makeStr(strippedHead.str()), makeStr(tail.str())});
  if (name == "splitext") {
    size_t dot = tail.rfind('.');
    // A leading dot (".bashrc") is not an extension.
    size_t lead = tail.find_first_not_of('.');
    if (dot == llvm::StringRef::npos || lead == llvm::StringRef::npos ||
        dot < lead)
      return makeTuple({makeStr(path.str()), makeStr("")});
    size_t at = head.size() + dot;
    return makeTuple({makeStr(path.take_front(at).str()),
                      makeStr(path.drop_front(at).str())});
  }
  if (name == "normpath")
    return makeStr(llvm::sys::path::remove_leading_dotslash(path).str());
  return makeStr(path.str());
}

} // namespace

void slim::installPythonStdlib(Interpreter &interp, Env &env) {
  auto math = std::make_shared<ModuleObj>("math");
  math->attrs["pi"] = makeFloat(M_PI);
  math->attrs["e"] = makeFloat(M_E);
  math->attrs["inf"] = makeFloat(INFINITY);
  math->attrs["nan"] = makeFloat(NAN);
  defineBuiltin(*math, "log", "log", mathLog);
  defineBuiltin(*math, "log2", "log2",
                unary(
                    "log2", [](double x) { return std::log2(x); },
                    [](double x) { return x > 0; }));
  defineBuiltin(*math, "log10", "log10",
                unary(
                    "log10", [](double x) { return std::log10(x); },
                    [](double x) { return x > 0; }));
  defineBuiltin(*math, "sqrt", "sqrt",
                unary(
                    "sqrt", [](double x) { return std::sqrt(x); },
                    [](double x) { return x >= 0; }));
  defineBuiltin(*math, "exp", "exp",
                unary("exp", [](double x) { return std::exp(x); }));
  defineBuiltin(*math, "fabs", "fabs",
                unary("fabs", [](double x) { return std::fabs(x); }));
  defineBuiltin(*math, "sin", "sin",
                unary("sin", [](double x) { return std::sin(x); }));
  defineBuiltin(*math, "cos", "cos",
                unary("cos", [](double x) { return std::cos(x); }));
  defineBuiltin(*math, "tanh", "tanh",
                unary("tanh", [](double x) { return std::tanh(x); }));
  defineBuiltin(*math, "floor", "floor",
                rounding("floor", [](double x) { return std::floor(x); }));
  defineBuiltin(*math, "ceil", "ceil",
                rounding("ceil", [](double x) { return std::ceil(x); }));
  defineBuiltin(*math, "trunc", "trunc",
                rounding("trunc", [](double x) { return std::trunc(x); }));
  defineBuiltin(*math, "pow", "pow", mathPow);
  defineBuiltin(*math, "gcd", "gcd", mathGcd);
  defineBuiltin(*math, "isnan", "isnan", [](Interpreter &in, CallArgs &a) {
    return mathPredicate(in, a, "isnan",
                         [](double x) { return bool(std::isnan(x)); });
  });
  defineBuiltin(*math, "isinf", "isinf", [](Interpreter &in, CallArgs &a) {
    return mathPredicate(in, a, "isinf",
                         [](double x) { return bool(std::isinf(x)); });
  });
  interp.known["module:math"] = math;

  // six: the Python 3 meanings of its compatibility names.
  auto six = std::make_shared<ModuleObj>("six");
  auto moves = std::make_shared<ModuleObj>("six.moves");
  six->attrs["moves"] = moves;
  for (const char *name : {"range", "zip", "map", "filter", "input"})
    if (Ref builtin = env.lookup(name))
      moves->attrs[name] = builtin;
  moves->attrs["xrange"] = env.lookup("range");
  if (Ref reduce = interp.lookupKnown("module:functools"))
    moves->attrs["reduce"] = reduce->attrs["reduce"];
  six->attrs["PY2"] = makeBool(false);
  six->attrs["PY3"] = makeBool(true);
  six->attrs["string_types"] = makeTuple({env.lookup("str")});
  six->attrs["integer_types"] = makeTuple({env.lookup("int")});
  six->attrs["text_type"] = env.lookup("str");
  six->attrs["binary_type"] = env.lookup("str");
  // iteritems/iterkeys/itervalues: the dict's items, keys or values.
  for (auto [name, method] : {std::pair{"iteritems", "items"},
                              {"iterkeys", "keys"},
                              {"itervalues", "values"},
                              {"viewitems", "items"},
                              {"viewkeys", "keys"},
                              {"viewvalues", "values"}}) {
    std::string m = method;
    defineBuiltin(
        *six, name, name,
        [m, name = std::string(name)](Interpreter &in, CallArgs &a) -> Ref {
          if (!arity(in, a, name, 1, 1))
            return nullptr;
          if (!isa<DictObj>(*a.positional[0].value))
            return in.raise("TypeError", a.positional[0].loc,
                            name + "() needs a dict, not " +
                                typeName(*a.positional[0].value));
          Ref bound = in.getAttr(a.positional[0].value, m, a.loc);
          return bound ? in.callWith(bound, a.loc, {}) : nullptr;
        });
  }
  interp.known["module:six"] = six;
  interp.known["module:six.moves"] = moves;

  auto os = std::make_shared<ModuleObj>("os");
  auto path = std::make_shared<ModuleObj>("os.path");
  os->attrs["path"] = path;
  os->attrs["sep"] = makeStr("/");
  path->attrs["sep"] = makeStr("/");
  for (const char *name :
       {"dirname", "basename", "join", "split", "splitext", "normpath"}) {
    std::string n = name;
    defineBuiltin(*path, name, name, [n](Interpreter &in, CallArgs &a) -> Ref {
      return pathFunction(in, a, n);
    });
  }
  interp.known["module:os"] = os;
  interp.known["module:os.path"] = path;
}
