//===- HParams.cpp - tf.contrib.training.HParams
//---------------------------===//
//
// NASNet and PNASNet describe their configurations with TF 1's HParams
// (tf.contrib.training.HParams, which TF 2 no longer has): named values
// that are attributes of the object, each with the type of its first value.
// This is that class, with TF 1's semantics and error messages:
// `HParams(**kwargs)`, attribute access, `add_hparam`, `set_hparam` (which
// casts to the parameter's type and refuses incompatible values, e.g. a
// float for an int parameter), `get`, `values`, `override_from_dict`,
// `parse` ("a=1,b=[2,3]"), `del_hparam` and `in`. copy.deepcopy copies it
// like any instance.
//
//===----------------------------------------------------------------------===//

#include "frontend/builtins/Registry.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// The parameter types live in the instance's `_hparam_types` dict, as in
/// TF: name -> (type, is_list), the type being the builtin int/float/str/
/// bool (or None's type name for a None value).
DictObj *typesOf(Interpreter &in, const Ref &self) {
  auto it = self->attrs.find("_hparam_types");
  if (it == self->attrs.end() || !isa<DictObj>(*it->second)) {
    auto dict = std::make_shared<DictObj>();
    self->attrs["_hparam_types"] = dict;
    return dict.get();
  }
  return cast<DictObj>(it->second.get());
}

/// The (type name, is_list) of parameter `name`'s entry in `_hparam_types`.
/// The dict is an ordinary attribute that a model file can overwrite, so an
/// entry that is not such a pair is an error rather than trusted.
bool entryType(Interpreter &in, const Ref &entry, const std::string &name,
               SMLoc loc, std::string &type, bool &isList) {
  auto *pair = dyn_cast<SeqObj>(entry.get());
  if (!pair || pair->items.size() != 2 || !isa<StrObj>(*pair->items[0])) {
    in.error(loc, "HParams: _hparam_types['" + name +
                      "'] is not a (type name, is_list) pair");
    return false;
  }
  type = cast<StrObj>(*pair->items[0]).value;
  isList = isTruthy(*pair->items[1]);
  return true;
}

/// The Python type name of a scalar hyperparameter value.
std::string scalarType(const Object &v) {
  switch (v.kind) {
  case ObjKind::Bool:
    return "bool";
  case ObjKind::Int:
    return "int";
  case ObjKind::Float:
    return "float";
  case ObjKind::Str:
    return "str";
  case ObjKind::None:
    return "NoneType";
  default:
    return typeName(v);
  }
}

/// TF's _cast_to_type_if_compatible: a value of `type` made from `value`,
/// or a ValueError when the value cannot be one (a float for an int, a
/// number for a bool or a string, and so on).
Ref castTo(Interpreter &in, llvm::StringRef name, llvm::StringRef type,
           const Ref &value, SMLoc loc) {
  auto fail = [&]() -> Ref {
    return in.raise("ValueError", loc,
                    "ValueError: Could not cast hparam '" + name +
                        "' of type '<class '" + type + "'>' from value " +
                        reprValue(*value));
  };
  std::string have = scalarType(*value);
  if (type == "NoneType")
    return value;
  if (type == "str")
    return have == "str" ? value : fail();
  if ((type == "bool") != (have == "bool"))
    return fail();
  if (type == "int")
    return have == "int" ? value : fail();
  if (type == "float") {
    if (have == "float")
      return value;
    if (have == "int")
      return makeFloat(double(cast<IntObj>(*value).value));
    return fail();
  }
  if (type == "bool")
    return value;
  // Other types (objects): kept as given, as TF's type(value) would.
  return value;
}

bool nameArg(Interpreter &in, const Arg &a, std::string &out) {
  auto *s = dyn_cast<StrObj>(a.value.get());
  if (!s) {
    in.raise("TypeError", a.loc,
             "hyperparameter names are strings, not " + typeName(*a.value));
    return false;
  }
  out = s->value;
  return true;
}

Ref addHParam(Interpreter &in, const Ref &self, const std::string &name,
              const Ref &value, SMLoc loc) {
  if (self->attrs.count(name) && !isNone(self->attrs[name]))
    return in.raise("ValueError", loc,
                    "ValueError: Hyperparameter name is reserved: " + name);
  Ref type;
  bool isList = false;
  if (auto *seq = dyn_cast<SeqObj>(value.get())) {
    if (seq->items.empty())
      return in.raise("ValueError", loc,
                      "ValueError: Multi-valued hyperparameters cannot be "
                      "empty: " +
                          name);
    type = makeStr(scalarType(*seq->items[0]));
    isList = true;
  } else {
    type = makeStr(scalarType(*value));
  }
  typesOf(in, self)->set(makeStr(name), makeTuple({type, makeBool(isList)}));
  self->attrs[name] = value;
  return makeNone();
}

Ref setHParam(Interpreter &in, const Ref &self, const std::string &name,
              const Ref &value, SMLoc loc) {
  Ref entry = typesOf(in, self)->get(makeStr(name));
  if (!entry)
    return in.raise("KeyError", loc, "KeyError: " + reprValue(StrObj(name)));
  std::string type;
  bool isList;
  if (!entryType(in, entry, name, loc, type, isList))
    return nullptr;
  if (auto *seq = dyn_cast<SeqObj>(value.get())) {
    if (!isList)
      return in.raise("ValueError", loc,
                      "ValueError: Must not pass a list for single-valued "
                      "parameter: " +
                          name);
    std::vector<Ref> items;
    for (const Ref &item : seq->items) {
      Ref v = castTo(in, name, type, item, loc);
      if (!v)
        return nullptr;
      items.push_back(v);
    }
    self->attrs[name] = makeList(std::move(items));
    return makeNone();
  }
  if (isList)
    return in.raise(
        "ValueError", loc,
        "ValueError: Must pass a list for multi-valued parameter: " + name +
            ".");
  Ref v = castTo(in, name, type, value, loc);
  if (!v)
    return nullptr;
  self->attrs[name] = v;
  return makeNone();
}

/// A value of `parse()`: a number, a bool, or else the text itself.
Ref parseScalar(llvm::StringRef text) {
  text = text.trim();
  int64_t i;
  if (!text.getAsInteger(10, i))
    return makeInt(i);
  double d;
  if (!text.getAsDouble(d))
    return makeFloat(d);
  if (text == "true" || text == "True")
    return makeBool(true);
  if (text == "false" || text == "False")
    return makeBool(false);
  return makeStr(text.str());
}

//===----------------------------------------------------------------------===//
// Methods (self is the first positional argument)
//===----------------------------------------------------------------------===//

Ref init(Interpreter &in, CallArgs &a) {
  if (a.positional.size() > 2)
    return in.raise("TypeError", a.loc,
                    "HParams() takes keyword arguments (and an optional "
                    "hparam_def)");
  if (a.positional.size() == 2 && !isNone(a.positional[1].value))
    return in.error(a.positional[1].loc,
                    "HParams(hparam_def=...) protos are not supported by "
                    "slimc; pass the values as keyword arguments");
  const Ref &self = a.positional[0].value;
  typesOf(in, self);
  for (const Arg &k : a.keywords) {
    if (k.name == "hparam_def" || k.name == "model_structure")
      continue;
    if (!addHParam(in, self, k.name, k.value, k.loc))
      return nullptr;
  }
  return makeNone();
}

bool want(Interpreter &in, CallArgs &a, llvm::StringRef name, size_t lo,
          size_t hi) {
  size_t n = a.positional.size() - 1;
  if (!a.keywords.empty() || n < lo || n > hi) {
    in.raise("TypeError", a.loc,
             "HParams." + name + "() takes " +
                 (lo == hi ? llvm::Twine(lo)
                           : llvm::Twine(lo) + " to " + llvm::Twine(hi)) +
                 " positional arguments");
    return false;
  }
  return true;
}

Ref addMethod(Interpreter &in, CallArgs &a) {
  std::string name;
  if (!want(in, a, "add_hparam", 2, 2) || !nameArg(in, a.positional[1], name))
    return nullptr;
  return addHParam(in, a.positional[0].value, name, a.positional[2].value,
                   a.loc);
}

Ref setMethod(Interpreter &in, CallArgs &a) {
  std::string name;
  if (!want(in, a, "set_hparam", 2, 2) || !nameArg(in, a.positional[1], name))
    return nullptr;
  return setHParam(in, a.positional[0].value, name, a.positional[2].value,
                   a.loc);
}

Ref delMethod(Interpreter &in, CallArgs &a) {
  std::string name;
  if (!want(in, a, "del_hparam", 1, 1) || !nameArg(in, a.positional[1], name))
    return nullptr;
  const Ref &self = a.positional[0].value;
  if (self->attrs.erase(name))
    typesOf(in, self)->erase(makeStr(name));
  return makeNone();
}

Ref getMethod(Interpreter &in, CallArgs &a) {
  std::string name;
  if (!want(in, a, "get", 1, 2) || !nameArg(in, a.positional[1], name))
    return nullptr;
  const Ref &self = a.positional[0].value;
  Ref fallback = a.positional.size() == 3 ? a.positional[2].value : makeNone();
  Ref entry = typesOf(in, self)->get(makeStr(name));
  if (!entry)
    return fallback;
  Ref value = self->attrs[name];
  // TF checks that a given default could be a value of the parameter.
  if (!isNone(fallback)) {
    std::string type;
    bool isList;
    if (!entryType(in, entry, name, a.positional[2].loc, type, isList))
      return nullptr;
    if (!isa<SeqObj>(*fallback) &&
        !castTo(in, name, type, fallback, a.positional[2].loc))
      return nullptr;
  }
  return value;
}

Ref valuesMethod(Interpreter &in, CallArgs &a) {
  if (!want(in, a, "values", 0, 0))
    return nullptr;
  const Ref &self = a.positional[0].value;
  auto dict = std::make_shared<DictObj>();
  for (auto &entry : typesOf(in, self)->entries) {
    auto *key = dyn_cast<StrObj>(entry.first.get());
    if (!key)
      return in.error(a.loc, "HParams.values: _hparam_types has a key that "
                             "is not a parameter name: " +
                                 reprValue(*entry.first));
    const std::string &name = key->value;
    dict->set(entry.first, self->attrs[name]);
  }
  return dict;
}

Ref overrideMethod(Interpreter &in, CallArgs &a) {
  if (!want(in, a, "override_from_dict", 1, 1))
    return nullptr;
  auto *dict = dyn_cast<DictObj>(a.positional[1].value.get());
  if (!dict)
    return in.raise("TypeError", a.positional[1].loc,
                    "override_from_dict() takes a dict, not " +
                        typeName(*a.positional[1].value));
  const Ref &self = a.positional[0].value;
  for (auto &entry : dict->entries) {
    auto *key = dyn_cast<StrObj>(entry.first.get());
    if (!key)
      return in.raise("TypeError", a.positional[1].loc,
                      "hyperparameter names are strings");
    if (!setHParam(in, self, key->value, entry.second, a.positional[1].loc))
      return nullptr;
  }
  return self;
}

/// `parse("a=1,b=[2,3],c=name")`: each value is parsed, then set (so it
/// must fit the parameter's type).
Ref parseMethod(Interpreter &in, CallArgs &a) {
  if (!want(in, a, "parse", 1, 1))
    return nullptr;
  auto *text = dyn_cast<StrObj>(a.positional[1].value.get());
  if (!text)
    return in.raise("TypeError", a.positional[1].loc, "parse() takes a string");
  const Ref &self = a.positional[0].value;
  llvm::StringRef rest = text->value;
  SMLoc loc = a.positional[1].loc;
  while (!rest.trim().empty()) {
    auto [name, afterName] = rest.split('=');
    if (afterName.data() == nullptr || name.trim().empty())
      return in.raise("ValueError", loc,
                      "ValueError: Could not parse hparam '" + rest.str() +
                          "'");
    Ref value;
    llvm::StringRef after = afterName.ltrim();
    if (after.starts_with("[")) {
      size_t close = after.find(']');
      if (close == llvm::StringRef::npos)
        return in.raise("ValueError", loc,
                        "ValueError: Could not parse hparam '" + name.str() +
                            "'");
      llvm::SmallVector<llvm::StringRef, 8> parts;
      after.slice(1, close).split(parts, ',', -1, false);
      std::vector<Ref> items;
      for (llvm::StringRef p : parts)
        items.push_back(parseScalar(p));
      value = makeList(std::move(items));
      rest = after.drop_front(close + 1).ltrim();
      if (rest.starts_with(","))
        rest = rest.drop_front();
    } else {
      auto [v, next] = after.split(',');
      value = parseScalar(v);
      rest = next;
    }
    if (!setHParam(in, self, name.trim().str(), value, loc))
      return nullptr;
  }
  return self;
}

Ref containsMethod(Interpreter &in, CallArgs &a) {
  if (!want(in, a, "__contains__", 1, 1))
    return nullptr;
  return makeBool(
      typesOf(in, a.positional[0].value)->get(a.positional[1].value) !=
      nullptr);
}

} // namespace

Ref slim::makeHParamsClass() {
  auto cls = std::make_shared<ClassObj>("HParams");
  cls->attrs["__name__"] = makeStr("HParams");
  for (auto [name, fn] : {std::pair{"__init__", &init},
                          {"add_hparam", addMethod},
                          {"set_hparam", setMethod},
                          {"del_hparam", delMethod},
                          {"get", getMethod},
                          {"values", valuesMethod},
                          {"override_from_dict", overrideMethod},
                          {"parse", parseMethod},
                          {"__contains__", containsMethod}}) {
    auto method = std::make_shared<BuiltinObj>(name, fn);
    method->isMethod = true;
    cls->attrs[name] = method;
  }
  return cls;
}
