//===- Value.cpp - Compile-time Python values of the elaborator -----------===//

#include "frontend/Value.h"
#include "frontend/ObjectRegistry.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

Ref slim::makeNone() {
  static Ref none = std::make_shared<Object>(ObjKind::None);
  return none;
}
Ref slim::makeBool(bool v) {
  static Ref t = std::make_shared<BoolObj>(true);
  static Ref f = std::make_shared<BoolObj>(false);
  return v ? t : f;
}
Ref slim::makeInt(int64_t v) { return std::make_shared<IntObj>(v); }
Ref slim::makeFloat(double v) { return std::make_shared<FloatObj>(v); }
Ref slim::makeStr(std::string v) {
  return std::make_shared<StrObj>(std::move(v));
}
Ref slim::makeList(std::vector<Ref> items) {
  return std::make_shared<SeqObj>(ObjKind::List, std::move(items));
}
Ref slim::makeTuple(std::vector<Ref> items) {
  return std::make_shared<SeqObj>(ObjKind::Tuple, std::move(items));
}

Ref DictObj::get(const Ref &key) const {
  for (const auto &entry : entries)
    if (valuesEqual(entry.first, key))
      return entry.second;
  return nullptr;
}

void DictObj::set(const Ref &key, Ref value) {
  for (auto &entry : entries) {
    if (valuesEqual(entry.first, key)) {
      entry.second = std::move(value);
      return;
    }
  }
  entries.emplace_back(key, std::move(value));
}

bool DictObj::erase(const Ref &key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (valuesEqual(it->first, key)) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

static bool declares(const Env *env, llvm::StringRef name, bool global) {
  if (!env->def)
    return false;
  return llvm::is_contained(
      global ? env->def->getGlobals() : env->def->getNonlocals(), name);
}

Object::Object(ObjKind kind) : kind(kind), registry(ObjectRegistry::current()) {
  if (registry)
    registry->add(this);
}

Object::Object(const Object &other)
    : kind(other.kind), attrs(other.attrs),
      registry(ObjectRegistry::current()) {
  if (registry)
    registry->add(this);
}

Object::~Object() {
  if (registry)
    registry->remove(this);
}

Env::Env(std::shared_ptr<Env> parent)
    : parent(std::move(parent)), registry(ObjectRegistry::current()) {
  if (registry)
    registry->add(this);
}

Env::~Env() {
  if (registry)
    registry->remove(this);
}

Ref Env::lookup(llvm::StringRef name) const {
  for (const Env *env = this; env; env = env->parent.get()) {
    // A name declared global skips the enclosing functions' bindings.
    if (declares(env, name, /*global=*/true))
      return const_cast<Env *>(env)->moduleEnv()->lookup(name);
    auto it = env->vars.find(name.str());
    if (it != env->vars.end())
      return it->second;
  }
  return nullptr;
}

Env *Env::moduleEnv() {
  for (Env *env = this; env; env = env->parent.get())
    if (env->isModule)
      return env;
  return this;
}

Env *Env::bindingEnv(llvm::StringRef name) {
  if (declares(this, name, /*global=*/true))
    return moduleEnv();
  if (declares(this, name, /*global=*/false)) {
    // The nearest enclosing function scope that binds the name (the parser
    // checked that there is an enclosing function).
    for (Env *env = parent.get(); env && !env->isModule;
         env = env->parent.get())
      if (env->vars.count(name.str()))
        return env;
  }
  return this;
}

llvm::ArrayRef<const char *> slim::builtinExceptionNames() {
  static const char *names[] = {"BaseException",
                                "Exception",
                                "GeneratorExit",
                                "ArithmeticError",
                                "ZeroDivisionError",
                                "OverflowError",
                                "AssertionError",
                                "AttributeError",
                                "ImportError",
                                "ModuleNotFoundError",
                                "LookupError",
                                "IndexError",
                                "KeyError",
                                "NameError",
                                "UnboundLocalError",
                                "RuntimeError",
                                "NotImplementedError",
                                "RecursionError",
                                "StopIteration",
                                "TypeError",
                                "ValueError"};
  return names;
}

/// The base class of a builtin exception class ("" for BaseException and
/// unknown names).
static llvm::StringRef exceptionBase(llvm::StringRef type) {
  return llvm::StringSwitch<llvm::StringRef>(type)
      .Case("BaseException", "")
      .Cases("Exception", "GeneratorExit", "BaseException")
      .Cases("ZeroDivisionError", "OverflowError", "ArithmeticError")
      .Case("ModuleNotFoundError", "ImportError")
      .Cases("IndexError", "KeyError", "LookupError")
      .Case("UnboundLocalError", "NameError")
      .Cases("NotImplementedError", "RecursionError", "RuntimeError")
      .Default(llvm::is_contained(builtinExceptionNames(), type) ? "Exception"
                                                                 : "");
}

bool slim::exceptionIsSubclass(llvm::StringRef type, llvm::StringRef base) {
  for (llvm::StringRef t = type; !t.empty(); t = exceptionBase(t))
    if (t == base)
      return true;
  return false;
}

const Arg *CallArgs::findKeyword(llvm::StringRef name) const {
  for (const Arg &a : keywords)
    if (a.name == name)
      return &a;
  return nullptr;
}

void ScopedKwargs::merge(const std::vector<Arg> &more) {
  for (const Arg &a : more) {
    bool replaced = false;
    for (Arg &existing : kwargs) {
      if (existing.name == a.name) {
        existing = a;
        replaced = true;
        break;
      }
    }
    if (!replaced)
      kwargs.push_back(a);
  }
}

const ScopedKwargs *ArgScopeObj::find(const Object *fn) const {
  for (const auto &entry : entries)
    if (entry.first == fn)
      return &entry.second;
  return nullptr;
}

ScopedKwargs &ArgScopeObj::getOrCreate(const Ref &fn) {
  for (auto &entry : entries)
    if (entry.first == fn.get())
      return entry.second;
  keepAlive.push_back(fn);
  entries.emplace_back(fn.get(), ScopedKwargs());
  return entries.back().second;
}

Ref ClassObj::lookup(llvm::StringRef attr) const {
  for (const ClassObj *c = this; c;
       c = c->base ? cast<ClassObj>(c->base.get()) : nullptr) {
    auto it = c->attrs.find(attr.str());
    if (it != c->attrs.end())
      return it->second;
  }
  return nullptr;
}

bool ClassObj::isSubclassOf(const ClassObj *other) const {
  // Every class derives from `object`, the root with no base.
  if (!other->base && other->name == "object")
    return true;
  for (const ClassObj *c = this; c;
       c = c->base ? cast<ClassObj>(c->base.get()) : nullptr)
    if (c == other)
      return true;
  return false;
}

const ClassObj *slim::classOf(const Object &o) {
  if (auto *inst = dyn_cast<InstanceObj>(&o))
    return cast<ClassObj>(inst->cls.get());
  if (auto *seq = dyn_cast<SeqObj>(&o))
    return seq->cls ? cast<ClassObj>(seq->cls.get()) : nullptr;
  return nullptr;
}

std::string slim::typeName(const Object &o) {
  if (const ClassObj *cls = classOf(o))
    return cls->name;
  if (o.kind == ObjKind::List && o.attrs.count("__ndarray__"))
    return "numpy.ndarray";
  switch (o.kind) {
  case ObjKind::None:
    return "NoneType";
  case ObjKind::Bool:
    return "bool";
  case ObjKind::Int:
    return "int";
  case ObjKind::Float:
    return "float";
  case ObjKind::Str:
    return "str";
  case ObjKind::List:
    return "list";
  case ObjKind::Tuple:
    return "tuple";
  case ObjKind::Dict:
    return "dict";
  case ObjKind::Function:
  case ObjKind::Builtin:
  case ObjKind::BoundMethod:
    return "function";
  case ObjKind::Module:
    return "module";
  case ObjKind::Tensor:
    return cast<TensorObj>(o).varName.empty() ? "Tensor" : "Variable";
  case ObjKind::VarScope:
    return "VariableScope";
  case ObjKind::ArgScope:
    return "arg_scope";
  case ObjKind::Context:
    return "context manager";
  case ObjKind::Initializer:
    return "initializer";
  case ObjKind::Regularizer:
    return "regularizer";
  case ObjKind::DType:
    return "DType";
  case ObjKind::Exception:
    return cast<ExceptionObj>(o).type;
  case ObjKind::Opaque:
    return cast<OpaqueObj>(o).name;
  case ObjKind::Class:
    return "type";
  case ObjKind::Instance:
    break; // handled by classOf above
  case ObjKind::Generator:
    return "generator";
  case ObjKind::Iterator:
    return cast<IteratorObj>(o).name;
  case ObjKind::Super:
    return "super";
  case ObjKind::Descriptor:
    switch (cast<DescriptorObj>(o).descKind) {
    case DescriptorObj::StaticMethod:
      return "staticmethod";
    case DescriptorObj::ClassMethod:
      return "classmethod";
    case DescriptorObj::Property:
      return "property";
    }
    break;
  }
  return "object";
}

bool slim::isTruthy(const Object &o) {
  switch (o.kind) {
  case ObjKind::None:
    return false;
  case ObjKind::Bool:
    return cast<BoolObj>(o).value;
  case ObjKind::Int:
    return cast<IntObj>(o).value != 0;
  case ObjKind::Float:
    return cast<FloatObj>(o).value != 0.0;
  case ObjKind::Str:
    return !cast<StrObj>(o).value.empty();
  case ObjKind::List:
  case ObjKind::Tuple:
    return !cast<SeqObj>(o).items.empty();
  case ObjKind::Dict:
    return !cast<DictObj>(o).entries.empty();
  default:
    return true;
  }
}

namespace {
bool isNumber(const Object &o) {
  return isa<IntObj>(o) || isa<BoolObj>(o) || isa<FloatObj>(o);
}
double numberValue(const Object &o) {
  if (auto *i = dyn_cast<IntObj>(&o))
    return double(i->value);
  if (auto *b = dyn_cast<BoolObj>(&o))
    return b->value ? 1.0 : 0.0;
  return cast<FloatObj>(o).value;
}
} // namespace

bool slim::valuesEqual(const Ref &a, const Ref &b) {
  if (a.get() == b.get())
    return true;
  if (!a || !b)
    return false;
  if (isNumber(*a) && isNumber(*b)) {
    if (!isa<FloatObj>(*a) && !isa<FloatObj>(*b)) {
      auto intOf = [](const Object &o) {
        if (auto *i = dyn_cast<IntObj>(&o))
          return i->value;
        return int64_t(cast<BoolObj>(o).value);
      };
      return intOf(*a) == intOf(*b);
    }
    return numberValue(*a) == numberValue(*b);
  }
  if (a->kind != b->kind) {
    bool bothSeq = isa<SeqObj>(*a) && isa<SeqObj>(*b);
    if (!bothSeq)
      return false;
    return false; // a list never equals a tuple in Python
  }
  switch (a->kind) {
  case ObjKind::None:
    return true;
  case ObjKind::Str:
    return cast<StrObj>(*a).value == cast<StrObj>(*b).value;
  case ObjKind::List:
  case ObjKind::Tuple: {
    auto &x = cast<SeqObj>(*a).items;
    auto &y = cast<SeqObj>(*b).items;
    if (x.size() != y.size())
      return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!valuesEqual(x[i], y[i]))
        return false;
    return true;
  }
  case ObjKind::Dict: {
    auto &x = cast<DictObj>(*a);
    auto &y = cast<DictObj>(*b);
    if (x.entries.size() != y.entries.size())
      return false;
    for (auto &entry : x.entries) {
      Ref other = y.get(entry.first);
      if (!other || !valuesEqual(entry.second, other))
        return false;
    }
    return true;
  }
  case ObjKind::DType:
    return cast<DTypeObj>(*a).name == cast<DTypeObj>(*b).name;
  default:
    return false;
  }
}

namespace {
std::string formatFloat(double v) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  if (std::isnan(v))
    return "nan";
  // Python prints the shortest repr that round-trips.
  for (int precision = 1; precision <= 17; ++precision) {
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (strtod(buf, nullptr) == v) {
      std::string s = buf;
      if (s.find_first_of(".en") == std::string::npos)
        s += ".0";
      return s;
    }
  }
  return std::to_string(v);
}
} // namespace

std::string slim::reprValue(const Object &o) {
  switch (o.kind) {
  case ObjKind::None:
    return "None";
  case ObjKind::Bool:
    return cast<BoolObj>(o).value ? "True" : "False";
  case ObjKind::Int:
    return std::to_string(cast<IntObj>(o).value);
  case ObjKind::Float:
    return formatFloat(cast<FloatObj>(o).value);
  case ObjKind::Str: {
    std::string s = "'";
    for (char c : cast<StrObj>(o).value) {
      if (c == '\'' || c == '\\')
        s += '\\';
      if (c == '\n') {
        s += "\\n";
        continue;
      }
      s += c;
    }
    return s + "'";
  }
  case ObjKind::List:
  case ObjKind::Tuple: {
    auto &items = cast<SeqObj>(o).items;
    if (const ClassObj *cls = classOf(o)) {
      // namedtuple's repr: Conv(kernel=[3, 3], stride=2, depth=32).
      std::string s = cls->name + "(";
      for (size_t i = 0; i < items.size(); ++i)
        s += (i ? ", " : "") +
             (i < cls->fields.size() ? cls->fields[i] + "=" : "") +
             reprValue(*items[i]);
      return s + ")";
    }
    bool isList = o.kind == ObjKind::List;
    if (isList && o.attrs.count("__ndarray__")) {
      std::string s = "array([";
      for (size_t i = 0; i < items.size(); ++i)
        s += (i ? ", " : "") + reprValue(*items[i]);
      return s + "])";
    }
    std::string s = isList ? "[" : "(";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i)
        s += ", ";
      s += reprValue(*items[i]);
    }
    if (!isList && items.size() == 1)
      s += ",";
    return s + (isList ? "]" : ")");
  }
  case ObjKind::Dict: {
    std::string s = "{";
    bool first = true;
    for (auto &entry : cast<DictObj>(o).entries) {
      if (!first)
        s += ", ";
      first = false;
      s += reprValue(*entry.first) + ": " + reprValue(*entry.second);
    }
    return s + "}";
  }
  case ObjKind::Function:
    return "<function " + cast<FunctionObj>(o).name + ">";
  case ObjKind::Builtin:
    return "<function " + cast<BuiltinObj>(o).name + ">";
  case ObjKind::Module:
    return "<module '" + cast<ModuleObj>(o).name + "'>";
  case ObjKind::Tensor: {
    auto &t = cast<TensorObj>(o);
    std::string shape;
    llvm::raw_string_ostream os(shape);
    llvm::interleave(t.shape, os, ", ");
    return "<tf.Tensor '" + t.name + ":0' shape=(" + shape + ") dtype=float32>";
  }
  case ObjKind::VarScope:
    return "<VariableScope '" + cast<VarScopeObj>(o).name + "'>";
  case ObjKind::DType:
    return "tf." + cast<DTypeObj>(o).name;
  case ObjKind::Class:
    return "<class '" + cast<ClassObj>(o).name + "'>";
  case ObjKind::Instance:
    return "<" + typeName(o) + " object>";
  case ObjKind::Exception: {
    auto &e = cast<ExceptionObj>(o);
    return e.type + "(" + reprValue(StrObj(e.message)) + ")";
  }
  default:
    return "<" + typeName(o) + ">";
  }
}

std::string slim::strValue(const Object &o) {
  if (auto *s = dyn_cast<StrObj>(&o))
    return s->value;
  if (auto *e = dyn_cast<ExceptionObj>(&o))
    return e->message;
  return reprValue(o);
}
