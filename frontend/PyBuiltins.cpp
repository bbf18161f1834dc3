//===- PyBuiltins.cpp - Python builtins, methods and formatting -----------===//

#include "dialects/Slim/IR/CheckedInt.h"
#include "frontend/Builtins.h"
#include "frontend/PyNumpy.h"
#include "frontend/builtins/TFOps.h"
#include "frontend/builtins/TensorShape.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

static constexpr int64_t kMaxSequenceLength = 10'000'000;

//===----------------------------------------------------------------------===//
// Argument binding
//===----------------------------------------------------------------------===//

Ref Bound::get(llvm::StringRef name) const {
  for (auto &v : values)
    if (v.first == name)
      return v.second;
  return nullptr;
}

const Arg *Bound::arg(llvm::StringRef name) const {
  for (auto &g : given)
    if (g.first == name)
      return &g.second;
  return nullptr;
}

SMLoc Bound::loc(llvm::StringRef name) const {
  const Arg *a = arg(name);
  return a ? a->loc : callLoc;
}

bool slim::bindArgs(Interpreter &interp, llvm::StringRef function,
                    llvm::ArrayRef<ParamSpec> params, CallArgs &args,
                    Bound &out, bool acceptExtraKeywords) {
  out.callLoc = args.loc;
  out.function = function.str();
  std::vector<bool> bound(params.size(), false);
  if (args.positional.size() > params.size()) {
    interp.raise("TypeError", args.positional[params.size()].loc,
                 function + "() takes " + llvm::Twine(params.size()) +
                     " positional arguments but " +
                     llvm::Twine(args.positional.size()) + " were given");
    return false;
  }
  for (size_t i = 0; i < args.positional.size(); ++i) {
    out.values.emplace_back(params[i].name, args.positional[i].value);
    out.given.emplace_back(params[i].name, args.positional[i]);
    bound[i] = true;
  }
  for (const Arg &a : args.keywords) {
    size_t i = 0;
    for (; i < params.size(); ++i)
      if (a.name == params[i].name)
        break;
    if (i == params.size()) {
      if (acceptExtraKeywords) {
        out.extraKeywords.push_back(a);
        continue;
      }
      interp.raise("TypeError", a.loc,
                   function + "() got an unexpected keyword argument '" +
                       a.name + "'");
      if (a.scopeLoc.isValid())
        interp.note(a.scopeLoc,
                    "'" + a.name + "' was supplied by this arg_scope");
      return false;
    }
    if (bound[i]) {
      interp.raise("TypeError", a.loc,
                   function + "() got multiple values for argument '" + a.name +
                       "'");
      if (a.scopeLoc.isValid())
        interp.note(a.scopeLoc,
                    "'" + a.name + "' was supplied by this arg_scope");
      return false;
    }
    bound[i] = true;
    out.values.emplace_back(params[i].name, a.value);
    out.given.emplace_back(params[i].name, a);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (bound[i])
      continue;
    if (!params[i].defaultValue) {
      interp.raise("TypeError", args.loc,
                   function + "() missing required argument '" +
                       params[i].name + "'");
      return false;
    }
    out.values.emplace_back(params[i].name, params[i].defaultValue);
  }
  return true;
}

static bool typeError(Interpreter &interp, const Bound &b, llvm::StringRef name,
                      llvm::StringRef expected) {
  Ref v = b.get(name);
  interp.raise("TypeError", b.loc(name),
               b.function + "() argument '" + name + "' must be " + expected +
                   ", not " + typeName(*v));
  if (const Arg *a = b.arg(name))
    if (a->scopeLoc.isValid())
      interp.note(a->scopeLoc, "'" + name + "' was supplied by this arg_scope");
  return false;
}

bool slim::getInt(Interpreter &interp, const Bound &b, llvm::StringRef name,
                  int64_t &out) {
  Ref v = b.get(name);
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out = i->value;
    return true;
  }
  return typeError(interp, b, name, "an int");
}

bool slim::getFloat(Interpreter &interp, const Bound &b, llvm::StringRef name,
                    double &out) {
  Ref v = b.get(name);
  if (auto *f = dyn_cast<FloatObj>(v.get())) {
    out = f->value;
    return true;
  }
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out = double(i->value);
    return true;
  }
  return typeError(interp, b, name, "a number");
}

bool slim::getBool(Interpreter &interp, const Bound &b, llvm::StringRef name,
                   bool &out) {
  Ref v = b.get(name);
  if (isa<TensorObj>(*v))
    return typeError(interp, b, name, "a Python bool known at compile time");
  out = isTruthy(*v);
  return true;
}

bool slim::getString(Interpreter &interp, const Bound &b, llvm::StringRef name,
                     std::string &out) {
  Ref v = b.get(name);
  if (auto *s = dyn_cast<StrObj>(v.get())) {
    out = s->value;
    return true;
  }
  return typeError(interp, b, name, "a str");
}

bool slim::getOptionalString(Interpreter &interp, const Bound &b,
                             llvm::StringRef name, std::string &out) {
  out.clear();
  if (b.isNone(name))
    return true;
  return getString(interp, b, name, out);
}

bool slim::getIntList(Interpreter &interp, const Ref &value, SMLoc loc,
                      llvm::StringRef what, std::vector<int64_t> &out) {
  auto *seq = dyn_cast<SeqObj>(value.get());
  if (!seq) {
    interp.raise("TypeError", loc,
                 what + " must be a list of ints, not " + typeName(*value));
    return false;
  }
  for (auto &item : seq->items) {
    auto *i = dyn_cast<IntObj>(item.get());
    if (!i) {
      interp.raise("TypeError", loc,
                   what + " must contain ints, found " + typeName(*item));
      return false;
    }
    out.push_back(i->value);
  }
  return true;
}

bool slim::getIntPair(Interpreter &interp, const Bound &b, llvm::StringRef name,
                      int64_t out[2]) {
  Ref v = b.get(name);
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out[0] = out[1] = i->value;
    return true;
  }
  std::vector<int64_t> values;
  if (isa<SeqObj>(*v)) {
    if (!getIntList(interp, v, b.loc(name), "'" + name.str() + "'", values))
      return false;
    if (values.size() == 2) {
      out[0] = values[0];
      out[1] = values[1];
      return true;
    }
    interp.raise("TypeError", b.loc(name),
                 "'" + name + "' must have 2 elements, got " +
                     llvm::Twine(values.size()));
    return false;
  }
  return typeError(interp, b, name, "an int or a list of two ints");
}

TensorObj *slim::getTensor(Interpreter &interp, const Bound &b,
                           llvm::StringRef name) {
  Ref v = b.get(name);
  if (auto *t = dyn_cast<TensorObj>(v.get()))
    return t;
  typeError(interp, b, name, "a tensor");
  return nullptr;
}

bool slim::getStringList(Interpreter &interp, const Bound &b,
                         llvm::StringRef name, std::vector<std::string> &out) {
  Ref v = b.get(name);
  if (isNone(v))
    return true;
  if (auto *s = dyn_cast<StrObj>(v.get())) {
    out.push_back(s->value);
    return true;
  }
  auto *seq = dyn_cast<SeqObj>(v.get());
  if (!seq)
    return typeError(interp, b, name, "a list of strings");
  for (auto &item : seq->items) {
    auto *s = dyn_cast<StrObj>(item.get());
    if (!s)
      return typeError(interp, b, name, "a list of strings");
    out.push_back(s->value);
  }
  return true;
}

Ref slim::defineBuiltin(Object &module, llvm::StringRef attrName,
                        llvm::StringRef pythonName, NativeFn fn,
                        bool argScoped) {
  auto b =
      std::make_shared<BuiltinObj>(pythonName.str(), std::move(fn), argScoped);
  module.attrs[attrName.str()] = b;
  return b;
}

//===----------------------------------------------------------------------===//
// String formatting
//===----------------------------------------------------------------------===//

namespace {
bool isIntLike(const Object &o) { return isa<IntObj>(o) || isa<BoolObj>(o); }
/// Generators and iterators are consumed lazily by zip/enumerate.
bool isLazy(const Object &o) {
  return isa<GeneratorObj>(o) || isa<IteratorObj>(o);
}
int64_t intOf(const Object &o) {
  if (auto *i = dyn_cast<IntObj>(&o))
    return i->value;
  return cast<BoolObj>(o).value;
}
} // namespace

Ref slim::formatPercent(Interpreter &interp, const std::string &format,
                        const Ref &argsValue, SMLoc loc) {
  std::vector<Ref> args;
  if (argsValue->kind == ObjKind::Tuple)
    args = cast<SeqObj>(*argsValue).items;
  else
    args.push_back(argsValue);
  auto *dictArg = dyn_cast<DictObj>(argsValue.get());
  size_t next = 0;
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size())
      return interp.raise("ValueError", loc, "incomplete format");
    Ref value;
    if (format[i] == '(') {
      size_t close = format.find(')', i);
      if (close == std::string::npos || !dictArg)
        return interp.raise("TypeError", loc, "format requires a mapping");
      value = dictArg->get(makeStr(format.substr(i + 1, close - i - 1)));
      if (!value)
        return interp.error(loc, "KeyError: '" +
                                     format.substr(i + 1, close - i - 1) + "'");
      i = close + 1;
    }
    std::string flags;
    while (i < format.size() && strchr("-+ 0#", format[i]))
      flags += format[i++];
    std::string width;
    while (i < format.size() && isdigit(format[i]))
      width += format[i++];
    std::string precision;
    if (i < format.size() && format[i] == '.') {
      ++i;
      while (i < format.size() && isdigit(format[i]))
        precision += format[i++];
    }
    if (i >= format.size())
      return interp.raise("ValueError", loc, "incomplete format");
    char conv = format[i];
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (!value) {
      if (next >= args.size())
        return interp.raise("TypeError", loc,
                            "not enough arguments for format string");
      value = args[next++];
    }
    std::string spec = "%" + flags + width;
    if (!precision.empty())
      spec += "." + precision;
    char buf[512];
    switch (conv) {
    case 's':
    case 'r': {
      std::string s = conv == 's' ? strValue(*value) : reprValue(*value);
      snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
      out += buf;
      break;
    }
    case 'd':
    case 'i':
    case 'x':
    case 'X':
    case 'o': {
      int64_t v;
      if (isIntLike(*value))
        v = intOf(*value);
      else if (auto *f = dyn_cast<FloatObj>(value.get())) {
        auto i = checked::fromDouble(f->value);
        if (!i)
          return interp.raise("ValueError", loc,
                              std::string("%") + conv +
                                  " format: cannot convert float " +
                                  reprValue(*value) + " to integer");
        v = *i;
      } else
        return interp.raise("TypeError", loc,
                            std::string("%") + conv +
                                " format: a number is required, not " +
                                typeName(*value));
      std::string c = conv == 'i' ? "d" : std::string(1, conv);
      snprintf(buf, sizeof(buf), (spec + "ll" + c).c_str(), (long long)v);
      out += buf;
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      double v;
      if (isIntLike(*value))
        v = double(intOf(*value));
      else if (auto *f = dyn_cast<FloatObj>(value.get()))
        v = f->value;
      else
        return interp.raise("TypeError", loc,
                            std::string("%") + conv +
                                " format: a number is required, not " +
                                typeName(*value));
      snprintf(buf, sizeof(buf), (spec + conv).c_str(), v);
      out += buf;
      break;
    }
    default:
      return interp.raise("ValueError", loc,
                          std::string("unsupported format character '") + conv +
                              "'");
    }
  }
  if (!dictArg && next < args.size())
    return interp.raise("TypeError", loc,
                        "not all arguments converted during string formatting");
  return makeStr(out);
}

/// str.format with `{}`, `{0}`, `{name}` and simple format specs.
static Ref formatBraces(Interpreter &interp, const std::string &format,
                        CallArgs &args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '}') {
      if (i + 1 < format.size() && format[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return interp.raise("ValueError", args.loc,
                          "single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = format.find('}', i);
    if (close == std::string::npos)
      return interp.raise("ValueError", args.loc,
                          "single '{' encountered in format string");
    std::string field = format.substr(i + 1, close - i - 1);
    i = close;
    std::string spec;
    size_t colon = field.find(':');
    if (colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    Ref value;
    if (field.empty()) {
      if (auto_index >= args.positional.size())
        return interp.raise("IndexError", args.loc,
                            "replacement index " + llvm::Twine(auto_index) +
                                " out of range for positional args");
      value = args.positional[auto_index++].value;
    } else if (isdigit(field[0])) {
      size_t idx = std::stoul(field);
      if (idx >= args.positional.size())
        return interp.raise("IndexError", args.loc,
                            "replacement index " + field +
                                " out of range for positional args");
      value = args.positional[idx].value;
    } else {
      const Arg *a = args.findKeyword(field);
      if (!a)
        return interp.error(args.loc, "KeyError: '" + field + "'");
      value = a->value;
    }
    if (spec.empty()) {
      out += strValue(*value);
      continue;
    }
    Ref formatted = formatPercent(interp, "%" + spec, value, args.loc);
    if (!formatted)
      return nullptr;
    out += cast<StrObj>(*formatted).value;
  }
  return makeStr(out);
}

//===----------------------------------------------------------------------===//
// Methods
//===----------------------------------------------------------------------===//

namespace {
bool wantArgs(Interpreter &interp, CallArgs &args, llvm::StringRef name,
              size_t minArgs, size_t maxArgs) {
  if (!args.keywords.empty()) {
    interp.raise("TypeError", args.keywords.front().loc,
                 name + "() takes no keyword arguments");
    return false;
  }
  if (args.positional.size() < minArgs || args.positional.size() > maxArgs) {
    interp.raise(
        "TypeError", args.loc,
        name + "() takes " +
            (minArgs == maxArgs
                 ? llvm::Twine(minArgs)
                 : llvm::Twine(minArgs) + " to " + llvm::Twine(maxArgs)) +
            " arguments (" + llvm::Twine(args.positional.size()) + " given)");
    return false;
  }
  return true;
}
} // namespace

Ref slim::callMethod(Interpreter &interp, const Ref &self, llvm::StringRef name,
                     CallArgs &args) {
  auto &pos = args.positional;
  if (isNDArray(*self))
    if (std::optional<Ref> result = ndarrayMethod(interp, self, name, args))
      return *result;
  if (auto *s = dyn_cast<StrObj>(self.get())) {
    if (name == "format")
      return formatBraces(interp, s->value, args);
    if (name == "join") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      std::vector<Ref> items;
      if (!interp.iterate(pos[0].value, pos[0].loc, items))
        return nullptr;
      std::string out;
      for (size_t i = 0; i < items.size(); ++i) {
        auto *piece = dyn_cast<StrObj>(items[i].get());
        if (!piece)
          return interp.raise("TypeError", pos[0].loc,
                              "sequence item " + llvm::Twine(i) +
                                  ": expected str instance, " +
                                  typeName(*items[i]) + " found");
        out += (i ? s->value : "") + piece->value;
      }
      return makeStr(out);
    }
    if (name == "startswith" || name == "endswith") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      auto *arg = dyn_cast<StrObj>(pos[0].value.get());
      if (!arg)
        return interp.raise("TypeError", pos[0].loc,
                            name + " first arg must be str");
      llvm::StringRef str(s->value);
      return makeBool(name == "startswith" ? str.starts_with(arg->value)
                                           : str.ends_with(arg->value));
    }
    if (name == "lower" || name == "upper" || name == "title" ||
        name == "capitalize") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      llvm::StringRef str(s->value);
      if (name == "lower")
        return makeStr(str.lower());
      if (name == "upper")
        return makeStr(str.upper());
      std::string out = str.lower();
      for (size_t i = 0; i < out.size(); ++i)
        if ((name == "title" && (i == 0 || !isalpha(out[i - 1]))) ||
            (name == "capitalize" && i == 0))
          out[i] = toupper(out[i]);
      return makeStr(out);
    }
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
      if (!wantArgs(interp, args, name, 0, 1))
        return nullptr;
      std::string chars = " \t\n\r\v\f";
      if (!pos.empty() && !isNone(pos[0].value)) {
        auto *c = dyn_cast<StrObj>(pos[0].value.get());
        if (!c)
          return interp.raise("TypeError", pos[0].loc,
                              name + " arg must be None or str");
        chars = c->value;
      }
      llvm::StringRef str(s->value);
      if (name != "rstrip")
        str = str.ltrim(chars);
      if (name != "lstrip")
        str = str.rtrim(chars);
      return makeStr(str.str());
    }
    if (name == "find" || name == "rfind" || name == "index" ||
        name == "count") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      auto *sub = dyn_cast<StrObj>(pos[0].value.get());
      if (!sub)
        return interp.raise("TypeError", pos[0].loc,
                            "must be str, not " + typeName(*pos[0].value));
      llvm::StringRef str(s->value);
      if (name == "count")
        return makeInt(sub->value.empty() ? str.size() + 1
                                          : str.count(sub->value));
      size_t at =
          name == "rfind" ? str.rfind(sub->value) : str.find(sub->value);
      if (at == llvm::StringRef::npos) {
        if (name == "index")
          return interp.raise("ValueError", args.loc,
                              "ValueError: substring not found");
        return makeInt(-1);
      }
      return makeInt(at);
    }
    if (name == "isdigit" || name == "isalpha" || name == "isalnum" ||
        name == "isupper" || name == "islower") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      llvm::StringRef str(s->value);
      if (str.empty())
        return makeBool(false);
      if (name == "isupper" || name == "islower") {
        bool cased = llvm::any_of(str, [](char c) { return isalpha(c); });
        bool ok = llvm::all_of(str, [&](char c) {
          return !isalpha(c) || (name == "isupper" ? isupper(c) : islower(c));
        });
        return makeBool(cased && ok);
      }
      return makeBool(llvm::all_of(str, [&](char c) {
        return name == "isdigit"   ? isdigit(c) != 0
               : name == "isalpha" ? isalpha(c) != 0
                                   : isalnum(c) != 0;
      }));
    }
    if (name == "zfill" || name == "ljust" || name == "rjust" ||
        name == "center") {
      if (!wantArgs(interp, args, name, 1, name == "zfill" ? 1 : 2))
        return nullptr;
      if (!isIntLike(*pos[0].value))
        return interp.raise("TypeError", pos[0].loc,
                            "'" + typeName(*pos[0].value) +
                                "' object cannot be interpreted as an integer");
      int64_t width =
          std::min<int64_t>(intOf(*pos[0].value), kMaxSequenceLength);
      char fill = name == "zfill" ? '0' : ' ';
      if (pos.size() == 2) {
        auto *f = dyn_cast<StrObj>(pos[1].value.get());
        if (!f || f->value.size() != 1)
          return interp.raise("TypeError", pos[1].loc,
                              "The fill character must be exactly one "
                              "character long");
        fill = f->value[0];
      }
      std::string str = s->value;
      int64_t missing = width - int64_t(str.size());
      if (missing <= 0)
        return makeStr(str);
      if (name == "ljust")
        return makeStr(str + std::string(missing, fill));
      if (name == "center") {
        int64_t left = missing / 2 + (missing & width & 1);
        return makeStr(std::string(left, fill) + str +
                       std::string(missing - left, fill));
      }
      if (name == "zfill" && !str.empty() && (str[0] == '-' || str[0] == '+'))
        return makeStr(str.substr(0, 1) + std::string(missing, '0') +
                       str.substr(1));
      return makeStr(std::string(missing, fill) + str);
    }
    if (name == "partition" || name == "rpartition") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      auto *sep = dyn_cast<StrObj>(pos[0].value.get());
      if (!sep || sep->value.empty())
        return interp.raise("ValueError", pos[0].loc,
                            "ValueError: empty separator");
      llvm::StringRef str(s->value);
      size_t at =
          name == "partition" ? str.find(sep->value) : str.rfind(sep->value);
      if (at == llvm::StringRef::npos)
        return name == "partition"
                   ? makeTuple({makeStr(str.str()), makeStr(""), makeStr("")})
                   : makeTuple({makeStr(""), makeStr(""), makeStr(str.str())});
      return makeTuple({makeStr(str.take_front(at).str()), makeStr(sep->value),
                        makeStr(str.drop_front(at + sep->value.size()).str())});
    }
    if (name == "splitlines") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      llvm::SmallVector<llvm::StringRef, 8> lines;
      llvm::StringRef(s->value).split(lines, '\n');
      if (!lines.empty() && lines.back().empty())
        lines.pop_back();
      std::vector<Ref> items;
      for (llvm::StringRef line : lines)
        items.push_back(makeStr(line.rtrim('\r').str()));
      return makeList(std::move(items));
    }
    if (name == "replace") {
      if (!wantArgs(interp, args, name, 2, 2))
        return nullptr;
      auto *from = dyn_cast<StrObj>(pos[0].value.get());
      auto *to = dyn_cast<StrObj>(pos[1].value.get());
      if (!from || !to || from->value.empty())
        return interp.raise("TypeError", args.loc,
                            "replace() needs two strings");
      std::string out = s->value;
      for (size_t at = out.find(from->value); at != std::string::npos;
           at = out.find(from->value, at + to->value.size()))
        out.replace(at, from->value.size(), to->value);
      return makeStr(out);
    }
    if (name == "split" || name == "rsplit") {
      // split(sep=None, maxsplit=-1), positionally or by keyword.
      Ref sepValue, maxValue;
      if (pos.size() > 2)
        return interp.raise("TypeError", args.loc,
                            name + "() takes at most 2 arguments");
      if (!pos.empty())
        sepValue = pos[0].value;
      if (pos.size() > 1)
        maxValue = pos[1].value;
      for (const Arg &k : args.keywords) {
        if (k.name == "sep")
          sepValue = k.value;
        else if (k.name == "maxsplit")
          maxValue = k.value;
        else
          return interp.raise("TypeError", k.loc,
                              "'" + k.name +
                                  "' is an invalid keyword argument for " +
                                  name + "()");
      }
      int64_t maxSplit = -1;
      if (maxValue) {
        if (!isIntLike(*maxValue))
          return interp.raise("TypeError", args.loc,
                              "maxsplit must be an integer");
        maxSplit = intOf(*maxValue);
      }
      llvm::StringRef str(s->value);
      std::vector<std::string> parts;
      bool whitespace = !sepValue || isNone(sepValue);
      std::string sep;
      if (!whitespace) {
        auto *sp = dyn_cast<StrObj>(sepValue.get());
        if (!sp)
          return interp.raise("TypeError", args.loc,
                              "must be str or None, not " +
                                  typeName(*sepValue));
        if (sp->value.empty())
          return interp.raise("ValueError", args.loc,
                              "ValueError: empty separator");
        sep = sp->value;
      }
      // Splits from the left; rsplit splits the reversed string the same
      // way (and reverses back), which matches Python for these cases.
      auto splitLeft = [&](llvm::StringRef text, int64_t limit) {
        std::vector<std::string> out;
        if (whitespace) {
          text = text.ltrim();
          while (!text.empty()) {
            if (limit >= 0 && int64_t(out.size()) == limit) {
              out.push_back(text.rtrim().str());
              return out;
            }
            size_t end = text.find_first_of(" \t\n\r\v\f");
            out.push_back(text.take_front(end).str());
            text = end == llvm::StringRef::npos ? llvm::StringRef()
                                                : text.drop_front(end).ltrim();
          }
          return out;
        }
        while (true) {
          size_t at = text.find(sep);
          if (at == llvm::StringRef::npos ||
              (limit >= 0 && int64_t(out.size()) == limit)) {
            out.push_back(text.str());
            return out;
          }
          out.push_back(text.take_front(at).str());
          text = text.drop_front(at + sep.size());
        }
      };
      if (name == "split" || maxSplit < 0) {
        parts = splitLeft(str, maxSplit);
      } else {
        std::string reversed = str.str();
        std::reverse(reversed.begin(), reversed.end());
        std::string sepReversed(sep.rbegin(), sep.rend());
        std::swap(sep, sepReversed);
        parts = splitLeft(reversed, maxSplit);
        for (std::string &p : parts)
          std::reverse(p.begin(), p.end());
        std::reverse(parts.begin(), parts.end());
      }
      std::vector<Ref> items;
      for (std::string &p : parts)
        items.push_back(makeStr(std::move(p)));
      return makeList(std::move(items));
    }
  }
  if (self->kind == ObjKind::Tuple || self->kind == ObjKind::List) {
    auto &items = cast<SeqObj>(*self).items;
    if (name == "count") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      int64_t n = 0;
      for (const Ref &item : items)
        n += valuesEqual(item, pos[0].value);
      return makeInt(n);
    }
    if (name == "index" && self->kind == ObjKind::Tuple) {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      for (size_t i = 0; i < items.size(); ++i)
        if (valuesEqual(items[i], pos[0].value))
          return makeInt(i);
      return interp.raise("ValueError", args.loc,
                          "ValueError: tuple.index(x): x not in tuple");
    }
  }
  if (self->kind == ObjKind::List) {
    auto &items = cast<SeqObj>(*self).items;
    if (name == "remove") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      for (size_t i = 0; i < items.size(); ++i)
        if (valuesEqual(items[i], pos[0].value)) {
          items.erase(items.begin() + i);
          return makeNone();
        }
      return interp.raise("ValueError", args.loc,
                          "ValueError: list.remove(x): x not in list");
    }
    if (name == "reverse" || name == "clear") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      if (name == "reverse")
        std::reverse(items.begin(), items.end());
      else
        items.clear();
      return makeNone();
    }
    if (name == "copy") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      return makeList(items);
    }
    if (name == "sort") {
      Ref key, reverse;
      if (!pos.empty())
        return interp.raise("TypeError", pos[0].loc,
                            "sort() takes no positional arguments");
      for (const Arg &k : args.keywords) {
        if (k.name == "key")
          key = k.value;
        else if (k.name == "reverse")
          reverse = k.value;
        else
          return interp.raise("TypeError", k.loc,
                              "'" + k.name +
                                  "' is an invalid keyword argument for "
                                  "sort()");
      }
      std::vector<Ref> sorted = items;
      if (!sortValues(interp, sorted, key, args.loc))
        return nullptr;
      if (reverse && isTruthy(*reverse))
        std::reverse(sorted.begin(), sorted.end());
      items = std::move(sorted);
      return makeNone();
    }
    if (name == "append") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      if (int64_t(items.size()) >= kMaxSequenceLength)
        return interp.error(args.loc, "list too long");
      items.push_back(pos[0].value);
      return makeNone();
    }
    if (name == "extend") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      std::vector<Ref> more;
      if (!interp.iterate(pos[0].value, pos[0].loc, more))
        return nullptr;
      if (int64_t(items.size() + more.size()) > kMaxSequenceLength)
        return interp.error(args.loc, "list too long");
      items.insert(items.end(), more.begin(), more.end());
      return makeNone();
    }
    if (name == "insert") {
      if (!wantArgs(interp, args, name, 2, 2))
        return nullptr;
      if (!isIntLike(*pos[0].value))
        return interp.raise("TypeError", pos[0].loc,
                            "list.insert index must be an int");
      int64_t i = intOf(*pos[0].value), n = items.size();
      if (i < 0)
        i = std::max<int64_t>(0, i + n);
      i = std::min(i, n);
      items.insert(items.begin() + i, pos[1].value);
      return makeNone();
    }
    if (name == "pop") {
      if (!wantArgs(interp, args, name, 0, 1))
        return nullptr;
      if (items.empty())
        return interp.raise("IndexError", args.loc, "pop from empty list");
      int64_t i = items.size() - 1;
      if (!pos.empty()) {
        if (!isIntLike(*pos[0].value))
          return interp.raise("TypeError", pos[0].loc,
                              "list.pop index must be an int");
        i = intOf(*pos[0].value);
        if (i < 0)
          i += items.size();
        if (i < 0 || i >= int64_t(items.size()))
          return interp.raise("IndexError", pos[0].loc,
                              "pop index out of range");
      }
      Ref v = items[i];
      items.erase(items.begin() + i);
      return v;
    }
    if (name == "index") {
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      for (size_t i = 0; i < items.size(); ++i)
        if (valuesEqual(items[i], pos[0].value))
          return makeInt(i);
      return interp.raise("ValueError", args.loc,
                          "ValueError: " + reprValue(*pos[0].value) +
                              " is not in list");
    }
  }
  if (auto *dict = dyn_cast<DictObj>(self.get())) {
    if (name == "get") {
      if (!wantArgs(interp, args, name, 1, 2))
        return nullptr;
      Ref v = dict->get(pos[0].value);
      if (v)
        return v;
      return pos.size() > 1 ? pos[1].value : makeNone();
    }
    if (name == "items" || name == "keys" || name == "values") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      std::vector<Ref> out;
      for (auto &entry : dict->entries) {
        if (name == "items")
          out.push_back(makeTuple({entry.first, entry.second}));
        else
          out.push_back(name == "keys" ? entry.first : entry.second);
      }
      return makeList(std::move(out));
    }
    if (name == "copy") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      auto copy = std::make_shared<DictObj>();
      copy->entries = dict->entries;
      return copy;
    }
    if (name == "clear") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      dict->entries.clear();
      return makeNone();
    }
    if (name == "popitem") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      if (dict->entries.empty())
        return interp.raise("KeyError", args.loc,
                            "KeyError: 'popitem(): dictionary is empty'");
      auto last = dict->entries.back();
      dict->entries.pop_back();
      return makeTuple({last.first, last.second});
    }
    if (name == "update") {
      if (args.positional.size() > 1)
        return interp.raise("TypeError", args.loc,
                            "update expected at most 1 argument");
      if (!pos.empty()) {
        if (auto *other = dyn_cast<DictObj>(pos[0].value.get())) {
          for (auto &entry : other->entries)
            dict->set(entry.first, entry.second);
        } else {
          // An iterable of (key, value) pairs.
          std::vector<Ref> pairs;
          if (!interp.iterate(pos[0].value, pos[0].loc, pairs))
            return nullptr;
          for (const Ref &p : pairs) {
            auto *kv = dyn_cast<SeqObj>(p.get());
            if (!kv || kv->items.size() != 2)
              return interp.raise("ValueError", pos[0].loc,
                                  "ValueError: dictionary update sequence "
                                  "element has wrong length");
            dict->set(kv->items[0], kv->items[1]);
          }
        }
      }
      for (auto &k : args.keywords)
        dict->set(makeStr(k.name), k.value);
      return makeNone();
    }
    if (name == "pop" || name == "setdefault") {
      if (!wantArgs(interp, args, name, 1, 2))
        return nullptr;
      Ref v = dict->get(pos[0].value);
      if (name == "setdefault") {
        if (v)
          return v;
        Ref d = pos.size() > 1 ? pos[1].value : makeNone();
        dict->set(pos[0].value, d);
        return d;
      }
      if (v) {
        dict->erase(pos[0].value);
        return v;
      }
      if (pos.size() > 1)
        return pos[1].value;
      return interp.error(args.loc, "KeyError: " + reprValue(*pos[0].value));
    }
  }
  if (auto *t = dyn_cast<TensorObj>(self.get())) {
    if (name == "get_shape") {
      if (!wantArgs(interp, args, name, 0, 0))
        return nullptr;
      return makeTensorShape(t->shape);
    }
    if (name == "set_shape") {
      // Shapes are static: set_shape only checks that the given shape
      // (None for a dimension it leaves open) is compatible, as TF does.
      if (!wantArgs(interp, args, name, 1, 1))
        return nullptr;
      std::vector<Ref> dims;
      if (!interp.iterate(pos[0].value, pos[0].loc, dims))
        return nullptr;
      bool ok = dims.size() == t->shape.size();
      for (size_t i = 0; ok && i < dims.size(); ++i) {
        if (isNone(dims[i]))
          continue;
        if (!isIntLike(*dims[i]))
          return interp.raise("TypeError", pos[0].loc,
                              "set_shape() takes a list of ints and None");
        ok = intOf(*dims[i]) == t->shape[i];
      }
      if (!ok) {
        std::string given;
        for (size_t i = 0; i < dims.size(); ++i)
          given += (i ? ", " : "") +
                   (isNone(dims[i]) ? std::string("None") : strValue(*dims[i]));
        if (dims.size() == 1)
          given += ",";
        return interp.raise("ValueError", pos[0].loc,
                            "ValueError: Tensor's shape " +
                                strValue(*makeTensorShape(t->shape)) +
                                " is not compatible with supplied shape (" +
                                given + ")");
      }
      return makeNone();
    }
  }
  if (std::optional<Ref> result = callShapeMethod(interp, self, name, args))
    return *result;
  return interp.raise("AttributeError", args.loc,
                      "'" + typeName(*self) + "' object has no attribute '" +
                          name + "'");
}

Ref slim::getBuiltinAttr(Interpreter &interp, const Ref &base,
                         llvm::StringRef name, SMLoc loc) {
  // The methods of each builtin type (callMethod implements them).
  static const char *strMethods[] = {
      "format",     "join",    "startswith", "endswith", "lower",
      "upper",      "strip",   "lstrip",     "rstrip",   "replace",
      "split",      "rsplit",  "find",       "rfind",    "index",
      "count",      "isdigit", "isalpha",    "isalnum",  "isupper",
      "islower",    "title",   "capitalize", "zfill",    "partition",
      "rpartition", "ljust",   "rjust",      "center",   "splitlines"};
  static const char *listMethods[] = {"append", "extend", "insert", "pop",
                                      "index",  "count",  "remove", "reverse",
                                      "sort",   "clear",  "copy"};
  static const char *tupleMethods[] = {"index", "count"};
  static const char *dictMethods[] = {"get",        "items",  "keys", "values",
                                      "copy",       "update", "pop",  "popitem",
                                      "setdefault", "clear"};
  static const char *tensorMethods[] = {"get_shape", "set_shape"};
  llvm::ArrayRef<const char *> methods;
  if (isa<StrObj>(*base))
    methods = strMethods;
  else if (base->kind == ObjKind::List && !isTensorShape(*base))
    methods = listMethods;
  else if (base->kind == ObjKind::Tuple && !isTensorShape(*base))
    methods = tupleMethods;
  else if (isa<DictObj>(*base))
    methods = dictMethods;
  else if (isa<TensorObj>(*base))
    methods = tensorMethods;
  if (isNDArray(*base))
    return *ndarrayAttr(interp, base, name, loc);
  if (auto *t = dyn_cast<TensorObj>(base.get())) {
    if (name == "shape")
      return makeTensorShape(t->shape);
    if (name == "name")
      return makeStr(t->name + ":0");
    if (name == "dtype")
      return interp.requireKnown("tf.float32");
    if (name == "op")
      return makeOperation(interp, base);
    if (name == "graph")
      return defaultGraph(interp);
  }
  if (std::optional<Ref> property = getShapeProperty(base, name))
    return *property;
  if ((isTensorShape(*base) || isDimension(*base)) && isShapeMethod(name))
    return std::make_shared<BoundMethodObj>(base, name.str());
  if (auto *sc = dyn_cast<VarScopeObj>(base.get())) {
    if (name == "name")
      return makeStr(sc->name);
    if (name == "original_name_scope")
      return makeStr(sc->originalNameScope);
    if (name == "reuse")
      return makeBool(sc->reuse != 0);
  }
  if (auto *e = dyn_cast<ExceptionObj>(base.get())) {
    if (name == "message")
      return makeStr(e->message);
    if (name == "args")
      return makeTuple(e->args);
    if (name == "__name__" && e->isClass)
      return makeStr(e->type);
    auto it = e->attrs.find(name.str());
    if (it != e->attrs.end())
      return it->second;
  }
  for (const char *m : methods)
    if (name == m)
      return std::make_shared<BoundMethodObj>(base, name.str());
  return interp.raise("AttributeError", loc,
                      "'" + typeName(*base) + "' object has no attribute '" +
                          name + "'");
}

//===----------------------------------------------------------------------===//
// Python builtins
//===----------------------------------------------------------------------===//

bool slim::compareValues(Interpreter &interp, const Ref &a, const Ref &b,
                         SMLoc loc, int &out) {
  auto isNum = [](const Object &o) { return isIntLike(o) || isa<FloatObj>(o); };
  auto num = [](const Object &o) {
    if (auto *f = dyn_cast<FloatObj>(&o))
      return f->value;
    return double(intOf(o));
  };
  if (isNum(*a) && isNum(*b)) {
    if (isIntLike(*a) && isIntLike(*b))
      out = intOf(*a) < intOf(*b) ? -1 : (intOf(*a) > intOf(*b) ? 1 : 0);
    else
      out = num(*a) < num(*b) ? -1 : (num(*a) > num(*b) ? 1 : 0);
    return true;
  }
  if (isa<StrObj>(*a) && isa<StrObj>(*b)) {
    int c = cast<StrObj>(*a).value.compare(cast<StrObj>(*b).value);
    out = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return true;
  }
  if (isa<SeqObj>(*a) && a->kind == b->kind) {
    auto &x = cast<SeqObj>(*a).items;
    auto &y = cast<SeqObj>(*b).items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!compareValues(interp, x[i], y[i], loc, out))
        return false;
      if (out)
        return true;
    }
    out = x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    return true;
  }
  interp.raise("TypeError", loc,
               "'<' not supported between instances of '" + typeName(*a) +
                   "' and '" + typeName(*b) + "'");
  return false;
}

bool slim::sortValues(Interpreter &interp, std::vector<Ref> &items,
                      const Ref &key, SMLoc loc) {
  std::vector<std::pair<Ref, Ref>> keyed;
  for (const Ref &item : items) {
    Ref k = item;
    if (key && !isNone(key) && !(k = interp.callWith(key, loc, {item})))
      return false;
    keyed.emplace_back(k, item);
  }
  // Comparisons can fail (mixed types): check them all first, then sort
  // with a comparator that cannot.
  for (size_t i = 1; i < keyed.size(); ++i) {
    int c;
    if (!compareValues(interp, keyed[i - 1].first, keyed[i].first, loc, c))
      return false;
  }
  bool ok = true;
  std::stable_sort(keyed.begin(), keyed.end(), [&](auto &x, auto &y) {
    int c = 0;
    if (ok && !compareValues(interp, x.first, y.first, loc, c))
      ok = false;
    return c < 0;
  });
  if (!ok)
    return false;
  for (size_t i = 0; i < items.size(); ++i)
    items[i] = keyed[i].second;
  return true;
}

void slim::installPythonBuiltins(Interpreter &interp, Env &env) {
  auto def = [&](const char *name, NativeFn fn) {
    env.vars[name] = std::make_shared<BuiltinObj>(name, std::move(fn));
  };
  auto one = [](Interpreter &in, CallArgs &a, const char *name) -> Ref {
    if (!wantArgs(in, a, name, 1, 1))
      return nullptr;
    return a.positional[0].value;
  };

  def("len", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "len");
    if (!v)
      return nullptr;
    if (auto *s = dyn_cast<StrObj>(v.get()))
      return makeInt(s->value.size());
    if (auto *seq = dyn_cast<SeqObj>(v.get()))
      return makeInt(seq->items.size());
    if (auto *d = dyn_cast<DictObj>(v.get()))
      return makeInt(d->entries.size());
    if (auto *t = dyn_cast<TensorObj>(v.get())) {
      if (t->shape.empty())
        return in.error(a.loc, "len() of a scalar tensor");
      return makeInt(t->shape[0]);
    }
    return in.raise("TypeError", a.loc,
                    "object of type '" + typeName(*v) + "' has no len()");
  });
  def("range", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "range", 1, 3))
      return nullptr;
    int64_t v[3] = {0, 0, 1};
    for (size_t i = 0; i < a.positional.size(); ++i) {
      if (!isIntLike(*a.positional[i].value))
        return in.raise("TypeError", a.positional[i].loc,
                        "'" + typeName(*a.positional[i].value) +
                            "' object cannot be interpreted as an integer");
    }
    if (a.positional.size() == 1) {
      v[1] = intOf(*a.positional[0].value);
    } else {
      v[0] = intOf(*a.positional[0].value);
      v[1] = intOf(*a.positional[1].value);
      if (a.positional.size() == 3)
        v[2] = intOf(*a.positional[2].value);
    }
    if (v[2] == 0)
      return in.raise("ValueError", a.loc, "range() arg 3 must not be zero");
    // The length first, in unsigned arithmetic (the span of two int64s fits
    // in uint64), so that the size limit and the work budget are checked
    // before anything is allocated.
    uint64_t length = 0;
    if (v[2] > 0 ? v[0] < v[1] : v[0] > v[1]) {
      uint64_t span = v[2] > 0 ? uint64_t(v[1]) - uint64_t(v[0])
                               : uint64_t(v[0]) - uint64_t(v[1]);
      uint64_t stride = v[2] > 0 ? uint64_t(v[2]) : uint64_t(-(v[2] + 1)) + 1;
      length = (span - 1) / stride + 1;
    }
    if (length > uint64_t(kMaxSequenceLength))
      return in.error(a.loc, "range() with more than " +
                                 llvm::Twine(kMaxSequenceLength) +
                                 " elements is not supported");
    // Materialized, so it is work: a loop of ranges is charged per element.
    if (!in.charge(a.loc, int64_t(length)))
      return nullptr;
    std::vector<Ref> items;
    items.reserve(length);
    for (uint64_t k = 0; k < length; ++k)
      items.push_back(makeInt(int64_t(uint64_t(v[0]) + k * uint64_t(v[2]))));
    return makeList(std::move(items));
  });
  def("enumerate", [](Interpreter &in, CallArgs &a) -> Ref {
    if (a.positional.empty() || a.positional.size() > 2)
      return in.raise("TypeError", a.loc, "enumerate() takes 1 or 2 arguments");
    if (isLazy(*a.positional[0].value)) {
      // Over a generator, enumerate is lazy too, as in Python.
      int64_t start = 0;
      if (a.positional.size() == 2 && isIntLike(*a.positional[1].value))
        start = intOf(*a.positional[1].value);
      auto cursor = std::make_shared<Interpreter::Cursor>();
      if (!in.beginIteration(a.positional[0].value, a.positional[0].loc,
                             *cursor))
        return nullptr;
      auto index = std::make_shared<int64_t>(start);
      return std::make_shared<IteratorObj>(
          "enumerate", [cursor, index](Interpreter &in, SMLoc loc, Ref &out) {
            Ref item;
            int got = in.nextItem(*cursor, loc, item);
            if (got <= 0)
              return got;
            out = makeTuple({makeInt((*index)++), item});
            return 1;
          });
    }
    std::vector<Ref> items;
    if (!in.iterate(a.positional[0].value, a.positional[0].loc, items))
      return nullptr;
    int64_t start = 0;
    if (a.positional.size() == 2 && isIntLike(*a.positional[1].value))
      start = intOf(*a.positional[1].value);
    std::vector<Ref> out;
    for (size_t i = 0; i < items.size(); ++i) {
      auto index = checked::add(start, int64_t(i));
      if (!index)
        return in.error(a.loc, "integer overflow in enumerate()");
      out.push_back(makeTuple({makeInt(*index), items[i]}));
    }
    return makeList(std::move(out));
  });
  def("zip", [](Interpreter &in, CallArgs &a) -> Ref {
    if (llvm::any_of(a.positional,
                     [](const Arg &p) { return isLazy(*p.value); })) {
      // With a generator among them, zip pulls one item from each in turn
      // and stops at the first exhausted one, as in Python.
      std::vector<std::shared_ptr<Interpreter::Cursor>> cursors;
      for (const Arg &p : a.positional) {
        cursors.push_back(std::make_shared<Interpreter::Cursor>());
        if (!in.beginIteration(p.value, p.loc, *cursors.back()))
          return nullptr;
      }
      return std::make_shared<IteratorObj>(
          "zip", [cursors](Interpreter &in, SMLoc loc, Ref &out) {
            std::vector<Ref> row;
            for (auto &c : cursors) {
              Ref item;
              int got = in.nextItem(*c, loc, item);
              if (got <= 0)
                return got;
              row.push_back(item);
            }
            out = makeTuple(std::move(row));
            return 1;
          });
    }
    std::vector<std::vector<Ref>> lists;
    size_t n = SIZE_MAX;
    for (auto &p : a.positional) {
      lists.emplace_back();
      if (!in.iterate(p.value, p.loc, lists.back()))
        return nullptr;
      n = std::min(n, lists.back().size());
    }
    if (lists.empty())
      return makeList();
    std::vector<Ref> out;
    for (size_t i = 0; i < n; ++i) {
      std::vector<Ref> row;
      for (auto &l : lists)
        row.push_back(l[i]);
      out.push_back(makeTuple(std::move(row)));
    }
    return makeList(std::move(out));
  });
  def("int", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "int", 0, 1))
      return nullptr;
    if (a.positional.empty())
      return makeInt(0);
    Ref v = a.positional[0].value;
    if (isIntLike(*v))
      return makeInt(intOf(*v));
    if (auto *f = dyn_cast<FloatObj>(v.get())) {
      auto i = checked::fromDouble(f->value);
      if (!i)
        return in.raise("ValueError", a.loc,
                        "cannot convert float " + reprValue(*v) +
                            " to integer");
      return makeInt(*i);
    }
    if (auto *s = dyn_cast<StrObj>(v.get())) {
      int64_t out;
      if (llvm::StringRef(s->value).trim().getAsInteger(10, out))
        return in.raise("ValueError", a.loc,
                        "invalid literal for int() with base 10: " +
                            reprValue(*v));
      return makeInt(out);
    }
    return in.raise("TypeError", a.loc,
                    "int() argument must be a string or a number, "
                    "not '" +
                        typeName(*v) + "'");
  });
  def("float", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "float", 0, 1))
      return nullptr;
    if (a.positional.empty())
      return makeFloat(0);
    Ref v = a.positional[0].value;
    if (isIntLike(*v))
      return makeFloat(double(intOf(*v)));
    if (isa<FloatObj>(*v))
      return v;
    if (auto *s = dyn_cast<StrObj>(v.get())) {
      double out;
      if (llvm::StringRef(s->value).trim().getAsDouble(out))
        return in.raise("ValueError", a.loc,
                        "could not convert string to float: " + reprValue(*v));
      return makeFloat(out);
    }
    return in.raise("TypeError", a.loc,
                    "float() argument must be a string or a number, "
                    "not '" +
                        typeName(*v) + "'");
  });
  def("str", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "str", 0, 1))
      return nullptr;
    return makeStr(a.positional.empty() ? ""
                                        : strValue(*a.positional[0].value));
  });
  def("repr", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "repr");
    return v ? makeStr(reprValue(*v)) : nullptr;
  });
  def("bool", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "bool", 0, 1))
      return nullptr;
    return makeBool(!a.positional.empty() && isTruthy(*a.positional[0].value));
  });
  def("list", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "list", 0, 1))
      return nullptr;
    std::vector<Ref> items;
    if (!a.positional.empty() &&
        !in.iterate(a.positional[0].value, a.positional[0].loc, items))
      return nullptr;
    return makeList(std::move(items));
  });
  def("tuple", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "tuple", 0, 1))
      return nullptr;
    std::vector<Ref> items;
    if (!a.positional.empty() &&
        !in.iterate(a.positional[0].value, a.positional[0].loc, items))
      return nullptr;
    return makeTuple(std::move(items));
  });
  def("dict", [](Interpreter &in, CallArgs &a) -> Ref {
    auto d = std::make_shared<DictObj>();
    if (a.positional.size() > 1)
      return in.raise("TypeError", a.loc, "dict expected at most 1 argument");
    if (!a.positional.empty()) {
      Ref src = a.positional[0].value;
      if (auto *other = dyn_cast<DictObj>(src.get())) {
        d->entries = other->entries;
      } else {
        std::vector<Ref> pairs;
        if (!in.iterate(src, a.positional[0].loc, pairs))
          return nullptr;
        for (auto &p : pairs) {
          auto *seq = dyn_cast<SeqObj>(p.get());
          if (!seq || seq->items.size() != 2)
            return in.raise("ValueError", a.positional[0].loc,
                            "dictionary update sequence element has wrong "
                            "length");
          d->set(seq->items[0], seq->items[1]);
        }
      }
    }
    for (auto &k : a.keywords)
      d->set(makeStr(k.name), k.value);
    return d;
  });
  auto minmax = [](bool isMax) {
    return [isMax](Interpreter &in, CallArgs &a) -> Ref {
      const char *name = isMax ? "max" : "min";
      Ref key, fallback;
      for (const Arg &k : a.keywords) {
        if (k.name == "key")
          key = k.value;
        else if (k.name == "default")
          fallback = k.value;
        else
          return in.raise("TypeError", k.loc,
                          std::string(name) +
                              "() got an unexpected keyword argument '" +
                              k.name + "'");
      }
      std::vector<Ref> items;
      if (a.positional.size() == 1) {
        if (!in.iterate(a.positional[0].value, a.positional[0].loc, items))
          return nullptr;
      } else {
        for (auto &p : a.positional)
          items.push_back(p.value);
      }
      if (items.empty()) {
        if (fallback)
          return fallback;
        return in.raise("ValueError", a.loc,
                        std::string(name) + "() arg is an empty sequence");
      }
      Ref best = items[0], bestKey = best;
      if (key && !isNone(key) && !(bestKey = in.callWith(key, a.loc, {best})))
        return nullptr;
      for (size_t i = 1; i < items.size(); ++i) {
        Ref v = items[i], k = v;
        if (key && !isNone(key) && !(k = in.callWith(key, a.loc, {v})))
          return nullptr;
        int c;
        if (!compareValues(in, k, bestKey, a.loc, c))
          return nullptr;
        if (isMax ? c > 0 : c < 0) {
          best = v;
          bestKey = k;
        }
      }
      return best;
    };
  };
  def("max", minmax(true));
  def("min", minmax(false));
  // chr/ord: strings are UTF-8, so a character is one code point, which may
  // take several bytes (block names are built with chr(ord('b') + i)).
  def("chr", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "chr");
    if (!v)
      return nullptr;
    if (!isIntLike(*v))
      return in.raise("TypeError", a.positional[0].loc,
                      "chr() needs an integer, got " + typeName(*v));
    int64_t code = intOf(*v);
    // Surrogates have no UTF-8 encoding; Python makes lone surrogates, which
    // no model file needs.
    if (code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return in.raise("ValueError", a.positional[0].loc,
                      "chr() arg not in range(0x110000) (or a surrogate): " +
                          llvm::Twine(code));
    char buffer[UNI_MAX_UTF8_BYTES_PER_CODE_POINT];
    char *end = buffer;
    llvm::ConvertCodePointToUTF8(unsigned(code), end);
    return makeStr(std::string(buffer, end));
  });
  def("ord", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "ord");
    if (!v)
      return nullptr;
    auto *s = dyn_cast<StrObj>(v.get());
    if (!s)
      return in.raise("TypeError", a.positional[0].loc,
                      "ord() expected string of length 1, but " + typeName(*v) +
                          " found");
    const auto *begin = reinterpret_cast<const llvm::UTF8 *>(s->value.data());
    const auto *end = begin + s->value.size();
    size_t length = 0;
    for (const llvm::UTF8 *p = begin; p < end; ++length) {
      unsigned n = llvm::getNumBytesForUTF8(*p);
      if (n > size_t(end - p) || !llvm::isLegalUTF8Sequence(p, p + n))
        return in.raise("ValueError", a.positional[0].loc,
                        "ord() of a string that is not valid UTF-8");
      p += n;
    }
    if (length != 1)
      return in.raise("ValueError", a.positional[0].loc,
                      "ord() expected a character, but string of length " +
                          llvm::Twine(length) + " found");
    llvm::UTF32 code = 0;
    llvm::convertUTF8Sequence(&begin, end, &code, llvm::strictConversion);
    return makeInt(code);
  });
  def("abs", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "abs");
    if (!v)
      return nullptr;
    if (isIntLike(*v)) {
      if (auto r = checked::abs(intOf(*v)))
        return makeInt(*r);
      return in.error(a.loc, "integer overflow in abs()");
    }
    if (auto *f = dyn_cast<FloatObj>(v.get()))
      return makeFloat(std::fabs(f->value));
    return in.raise("TypeError", a.loc,
                    "bad operand type for abs(): '" + typeName(*v) + "'");
  });
  def("round", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "round", 1, 1))
      return nullptr;
    Ref v = a.positional[0].value;
    if (isIntLike(*v))
      return makeInt(intOf(*v));
    if (auto *f = dyn_cast<FloatObj>(v.get())) {
      auto i = checked::fromDouble(std::nearbyint(f->value));
      if (!i)
        return in.raise("ValueError", a.loc,
                        "cannot convert float " + reprValue(*v) +
                            " to integer");
      return makeInt(*i);
    }
    return in.error(a.loc, "round() needs a number");
  });
  def("sum", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "sum", 1, 1))
      return nullptr;
    std::vector<Ref> items;
    if (!in.iterate(a.positional[0].value, a.positional[0].loc, items))
      return nullptr;
    int64_t isum = 0;
    double fsum = 0;
    bool isFloat = false;
    for (auto &v : items) {
      if (isIntLike(*v)) {
        auto r = checked::add(isum, intOf(*v));
        if (!r)
          return in.error(a.loc, "integer overflow in sum()");
        isum = *r;
      } else if (auto *f = dyn_cast<FloatObj>(v.get())) {
        fsum += f->value;
        isFloat = true;
      } else {
        return in.error(a.loc, "sum() supports numbers only in slimc");
      }
    }
    return isFloat ? makeFloat(fsum + double(isum)) : makeInt(isum);
  });
  def("sorted", [](Interpreter &in, CallArgs &a) -> Ref {
    Ref key, reverse;
    for (const Arg &k : a.keywords) {
      if (k.name == "key")
        key = k.value;
      else if (k.name == "reverse")
        reverse = k.value;
      else
        return in.raise("TypeError", k.loc,
                        "sorted() got an unexpected keyword argument '" +
                            k.name + "'");
    }
    if (a.positional.size() != 1)
      return in.raise("TypeError", a.loc,
                      "sorted expected 1 argument, got " +
                          llvm::Twine(a.positional.size()));
    std::vector<Ref> items;
    if (!in.iterate(a.positional[0].value, a.positional[0].loc, items))
      return nullptr;
    if (!sortValues(in, items, key, a.loc))
      return nullptr;
    if (reverse && isTruthy(*reverse))
      std::reverse(items.begin(), items.end());
    return makeList(std::move(items));
  });
  def("isinstance", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "isinstance", 2, 2))
      return nullptr;
    Ref v = a.positional[0].value;
    std::vector<Ref> types;
    if (isa<SeqObj>(*a.positional[1].value))
      types = cast<SeqObj>(*a.positional[1].value).items;
    else
      types.push_back(a.positional[1].value);
    for (auto &t : types) {
      if (auto *cls = dyn_cast<ClassObj>(t.get())) {
        const ClassObj *own = classOf(*v);
        if ((own && own->isSubclassOf(cls)) ||
            (!cls->base && cls->name == "object"))
          return makeBool(true);
        continue;
      }
      if (auto *exc = dyn_cast<ExceptionObj>(t.get()); exc && exc->isClass) {
        auto *e = dyn_cast<ExceptionObj>(v.get());
        if (e && !e->isClass && exceptionIsSubclass(e->type, exc->type))
          return makeBool(true);
        continue;
      }
      auto *b = dyn_cast<BuiltinObj>(t.get());
      if (!b)
        return in.raise("TypeError", a.positional[1].loc,
                        "isinstance() arg 2 must be a type or tuple of "
                        "types");
      std::string n = b->name;
      if ((n == "int" && isa<IntObj>(*v)) ||
          (n == "float" && isa<FloatObj>(*v)) ||
          (n == "str" && isa<StrObj>(*v)) ||
          (n == "bool" && isa<BoolObj>(*v)) ||
          (n == "list" && v->kind == ObjKind::List) ||
          (n == "tuple" && v->kind == ObjKind::Tuple) ||
          (n == "dict" && isa<DictObj>(*v)))
        return makeBool(true);
    }
    return makeBool(false);
  });
  def("callable", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "callable");
    if (!v)
      return nullptr;
    const ClassObj *cls = classOf(*v);
    auto *exc = dyn_cast<ExceptionObj>(v.get());
    return makeBool(isa<FunctionObj>(*v) || isa<BuiltinObj>(*v) ||
                    isa<BoundMethodObj>(*v) || isa<ClassObj>(*v) ||
                    (exc && exc->isClass) ||
                    (cls && isa<InstanceObj>(*v) && cls->lookup("__call__")));
  });
  // hasattr(o, n) is getattr(o, n) with AttributeError meaning False, as
  // in Python (a property that raises something else propagates it).
  def("hasattr", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "hasattr", 2, 2))
      return nullptr;
    auto *n = dyn_cast<StrObj>(a.positional[1].value.get());
    if (!n)
      return in.raise("TypeError", a.positional[1].loc,
                      "hasattr(): attribute name must be string");
    if (in.getAttr(a.positional[0].value, n->value, a.loc))
      return makeBool(true);
    if (!in.pendingIs("AttributeError"))
      return nullptr;
    in.takePending();
    return makeBool(false);
  });
  def("getattr", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "getattr", 2, 3))
      return nullptr;
    auto *n = dyn_cast<StrObj>(a.positional[1].value.get());
    if (!n)
      return in.raise("TypeError", a.positional[1].loc,
                      "getattr(): attribute name must be string");
    if (Ref v = in.getAttr(a.positional[0].value, n->value, a.loc))
      return v;
    if (a.positional.size() < 3 || !in.pendingIs("AttributeError"))
      return nullptr;
    in.takePending();
    return a.positional[2].value;
  });
  def("setattr", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "setattr", 3, 3))
      return nullptr;
    auto *n = dyn_cast<StrObj>(a.positional[1].value.get());
    if (!n)
      return in.raise("TypeError", a.positional[1].loc,
                      "setattr(): attribute name must be string");
    const Ref &target = a.positional[0].value;
    if (!hasWritableAttrs(*target))
      return in.error(a.loc, "cannot set attribute '" + n->value + "' on a " +
                                 typeName(*target) + " at compile time");
    target->attrs[n->value] = a.positional[2].value;
    return makeNone();
  });
  def("next", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "next", 1, 2))
      return nullptr;
    const Ref &it = a.positional[0].value;
    if (!isa<GeneratorObj>(*it) && !isa<IteratorObj>(*it) &&
        !(isa<InstanceObj>(*it) && classOf(*it)->lookup("__next__")))
      return in.raise("TypeError", a.positional[0].loc,
                      "'" + typeName(*it) + "' object is not an iterator");
    if (auto *gen = dyn_cast<GeneratorObj>(it.get())) {
      // A generator's return value travels in StopIteration.value.
      Ref out;
      switch (in.resumeGenerator(*gen, ResumeMode::Next, nullptr, a.loc, out)) {
      case ResumeResult::Yielded:
        return out;
      case ResumeResult::Error:
        return nullptr;
      case ResumeResult::Returned:
        if (a.positional.size() == 2)
          return a.positional[1].value;
        return in.raiseStopIteration(out, a.loc);
      }
    }
    Interpreter::Cursor cursor;
    if (!in.beginIteration(it, a.loc, cursor))
      return nullptr;
    Ref item;
    int got = in.nextItem(cursor, a.loc, item);
    if (got > 0)
      return item;
    if (got < 0)
      return nullptr;
    if (a.positional.size() == 2)
      return a.positional[1].value;
    return in.raiseStopIteration(makeNone(), a.loc);
  });
  def("iter", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "iter");
    return v ? in.makeIterator(v, a.positional[0].loc) : nullptr;
  });
  auto anyAll = [](bool isAny) {
    return [isAny](Interpreter &in, CallArgs &a) -> Ref {
      const char *name = isAny ? "any" : "all";
      if (!wantArgs(in, a, name, 1, 1))
        return nullptr;
      // Stops at the first deciding item, as Python does (a generator
      // argument is not run further).
      Interpreter::Cursor cursor;
      if (!in.beginIteration(a.positional[0].value, a.positional[0].loc,
                             cursor))
        return nullptr;
      while (true) {
        Ref item;
        int got = in.nextItem(cursor, a.positional[0].loc, item);
        if (got < 0)
          return nullptr;
        if (got == 0)
          return makeBool(!isAny);
        if (isa<TensorObj>(*item))
          return in.error(a.positional[0].loc,
                          std::string(name) +
                              "() of a tensor is not known at compile time");
        if (isTruthy(*item) == isAny)
          return makeBool(isAny);
      }
    };
  };
  def("any", anyAll(true));
  def("all", anyAll(false));
  def("map", [](Interpreter &in, CallArgs &a) -> Ref {
    if (a.positional.size() < 2 || !a.keywords.empty())
      return in.raise("TypeError", a.loc,
                      "map() must have at least two arguments");
    Ref fn = a.positional[0].value;
    std::vector<std::shared_ptr<Interpreter::Cursor>> cursors;
    for (size_t i = 1; i < a.positional.size(); ++i) {
      cursors.push_back(std::make_shared<Interpreter::Cursor>());
      if (!in.beginIteration(a.positional[i].value, a.positional[i].loc,
                             *cursors.back()))
        return nullptr;
    }
    // Lazy, as Python 3's map: items are computed as they are consumed.
    return std::make_shared<IteratorObj>(
        "map", [fn, cursors](Interpreter &in, SMLoc loc, Ref &out) {
          std::vector<Ref> args;
          for (auto &c : cursors) {
            Ref item;
            int got = in.nextItem(*c, loc, item);
            if (got <= 0)
              return got;
            args.push_back(item);
          }
          out = in.callWith(fn, loc, std::move(args));
          return out ? 1 : -1;
        });
  });
  def("filter", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "filter", 2, 2))
      return nullptr;
    Ref fn = a.positional[0].value;
    auto cursor = std::make_shared<Interpreter::Cursor>();
    if (!in.beginIteration(a.positional[1].value, a.positional[1].loc, *cursor))
      return nullptr;
    return std::make_shared<IteratorObj>(
        "filter", [fn, cursor](Interpreter &in, SMLoc loc, Ref &out) {
          while (true) {
            int got = in.nextItem(*cursor, loc, out);
            if (got <= 0)
              return got;
            Ref keep = out;
            if (!isNone(fn)) {
              keep = in.callWith(fn, loc, {out});
              if (!keep)
                return -1;
            }
            if (isTruthy(*keep))
              return 1;
          }
        });
  });
  def("reversed", [one](Interpreter &in, CallArgs &a) -> Ref {
    Ref v = one(in, a, "reversed");
    if (!v)
      return nullptr;
    if (!isa<SeqObj>(*v) && !isa<StrObj>(*v))
      return in.raise("TypeError", a.positional[0].loc,
                      "'" + typeName(*v) + "' object is not reversible");
    std::vector<Ref> items;
    if (!in.iterate(v, a.positional[0].loc, items))
      return nullptr;
    std::reverse(items.begin(), items.end());
    return in.makeIterator(makeList(std::move(items)), a.loc);
  });
  def("divmod", [](Interpreter &in, CallArgs &a) -> Ref {
    if (!wantArgs(in, a, "divmod", 2, 2))
      return nullptr;
    Ref x = a.positional[0].value, y = a.positional[1].value;
    if (!isIntLike(*x) || !isIntLike(*y))
      return in.raise("TypeError", a.loc,
                      "divmod() supports ints only in slimc");
    int64_t d = intOf(*y);
    if (d == 0)
      return in.raise("ZeroDivisionError", a.loc,
                      "integer division or modulo by zero");
    auto q = checked::floorDiv(intOf(*x), d);
    if (!q)
      return in.error(a.loc, "integer overflow in divmod()");
    return makeTuple({makeInt(*q), makeInt(checked::floorMod(intOf(*x), d))});
  });
  def("print", [](Interpreter &in, CallArgs &a) -> Ref {
    std::string line;
    for (size_t i = 0; i < a.positional.size(); ++i)
      line += (i ? " " : "") + strValue(*a.positional[i].value);
    llvm::errs() << line << "\n";
    return makeNone();
  });
  for (const char *exc : builtinExceptionNames())
    env.vars[exc] = std::make_shared<ExceptionObj>(exc, "", true);
  // Builtin types other modules alias (numpy's np.int, six.string_types).
  for (const char *type :
       {"int", "float", "bool", "str", "list", "tuple", "dict", "range"})
    interp.known[std::string("builtin.") + type] = env.vars[type];
}
