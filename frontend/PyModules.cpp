//===- PyModules.cpp - The standard-library modules model files import ----===//
//
// TF-Slim's reference nets import a little of Python's standard library:
// `collections.namedtuple` for layer and block descriptions (MobileNet's
// `Conv`/`DepthSepConv`, ResNet's `Block`), `functools.partial` and
// `update_wrapper` for width-multiplier variants (`mobilenet_v1_075`),
// `copy.deepcopy` for architecture tables and `contextlib.contextmanager`
// for MobileNet's scope helpers. They are implemented here with Python's
// semantics, as far as compile-time values reach; `object`, the root of
// the model file's classes, and what class bodies use (`super`,
// `staticmethod`, `classmethod`, `property`) live here too. math, six and
// os.path are in PyStdlib.cpp, numpy's compile-time subset in PyNumpy.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontend/Builtins.h"

#include <map>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// Python identifiers only: namedtuple rejects anything else, and a field
/// must be readable as an attribute.
bool isIdentifier(llvm::StringRef s) {
  if (s.empty() || !(std::isalpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return std::isalnum(c) || c == '_'; });
}

/// `collections.namedtuple(typename, field_names, *, defaults=None)`.
Ref namedtuple(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "namedtuple",
                {{"typename", nullptr},
                 {"field_names", nullptr},
                 {"rename", makeBool(false)},
                 {"defaults", makeNone()},
                 {"module", makeNone()}},
                args, b))
    return nullptr;
  std::string typeName;
  if (!getString(in, b, "typename", typeName))
    return nullptr;
  if (!isIdentifier(typeName))
    return in.error(b.loc("typename"),
                    "Type names and field names must be valid identifiers: " +
                        reprValue(StrObj(typeName)));
  bool rename;
  if (!getBool(in, b, "rename", rename))
    return nullptr;
  if (rename)
    return in.error(b.loc("rename"),
                    "namedtuple(rename=True) is not supported by slimc");

  // Field names: a sequence of strings, or one string separated by commas
  // and/or whitespace.
  std::vector<std::string> fields;
  Ref names = b.get("field_names");
  if (auto *str = dyn_cast<StrObj>(names.get())) {
    std::string text = str->value;
    std::replace(text.begin(), text.end(), ',', ' ');
    llvm::SmallVector<llvm::StringRef, 8> parts;
    llvm::StringRef(text).split(parts, ' ', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef p : parts)
      fields.push_back(p.trim().str());
  } else {
    std::vector<Ref> items;
    if (!in.iterate(names, b.loc("field_names"), items))
      return nullptr;
    for (const Ref &item : items) {
      auto *s = dyn_cast<StrObj>(item.get());
      if (!s)
        return in.error(b.loc("field_names"),
                        "Type names and field names must be strings, not " +
                            slim::typeName(*item));
      fields.push_back(s->value);
    }
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!isIdentifier(fields[i]))
      return in.error(b.loc("field_names"),
                      "Type names and field names must be valid "
                      "identifiers: " +
                          reprValue(StrObj(fields[i])));
    if (fields[i][0] == '_')
      return in.error(b.loc("field_names"),
                      "Field names cannot start with an underscore: " +
                          reprValue(StrObj(fields[i])));
    for (size_t j = 0; j < i; ++j)
      if (fields[i] == fields[j])
        return in.error(b.loc("field_names"),
                        "Encountered duplicate field name: " +
                            reprValue(StrObj(fields[i])));
  }

  auto cls = std::make_shared<ClassObj>(typeName);
  cls->fields = std::move(fields);
  cls->isNamedTuple = true;
  cls->attrs["__name__"] = makeStr(typeName);
  if (!b.isNone("defaults")) {
    std::vector<Ref> defaults;
    if (!in.iterate(b.get("defaults"), b.loc("defaults"), defaults))
      return nullptr;
    if (defaults.size() > cls->fields.size())
      return in.error(b.loc("defaults"),
                      "Got more default values than field names");
    cls->fieldDefaults = std::move(defaults);
  }
  return cls;
}

/// `functools.partial(func, *args, **keywords)`: a callable that prepends
/// `args` and lets the call's keywords override `keywords`.
Ref partial(Interpreter &in, CallArgs &args) {
  if (args.positional.empty())
    return in.error(
        args.loc, "type 'partial' takes at least one argument (the function)");
  Ref func = args.positional[0].value;
  std::vector<Arg> frozen(args.positional.begin() + 1, args.positional.end());
  std::vector<Arg> keywords = args.keywords;
  auto fn = [func, frozen, keywords](Interpreter &in, CallArgs &call) -> Ref {
    CallArgs merged;
    merged.loc = call.loc;
    merged.positional = frozen;
    merged.positional.insert(merged.positional.end(), call.positional.begin(),
                             call.positional.end());
    for (const Arg &k : keywords)
      if (!call.findKeyword(k.name))
        merged.keywords.push_back(k);
    merged.keywords.insert(merged.keywords.end(), call.keywords.begin(),
                           call.keywords.end());
    return in.call(func, merged);
  };
  auto result = std::make_shared<BuiltinObj>("partial", fn);
  result->attrs["func"] = func;
  std::vector<Ref> frozenValues;
  for (const Arg &a : frozen)
    frozenValues.push_back(a.value);
  result->attrs["args"] = makeTuple(std::move(frozenValues));
  auto kw = std::make_shared<DictObj>();
  for (const Arg &k : keywords)
    kw->set(makeStr(k.name), k.value);
  result->attrs["keywords"] = kw;
  return result;
}

/// `functools.update_wrapper(wrapper, wrapped)`: copies `__name__`,
/// `__doc__` and the rest of `wrapped.__dict__` (`default_image_size`) onto
/// `wrapper`, sets `__wrapped__`, and returns `wrapper`.
Ref updateWrapper(Interpreter &in, const Ref &wrapper, const Ref &wrapped,
                  SMLoc loc) {
  if (!isa<FunctionObj>(*wrapper) && !isa<BuiltinObj>(*wrapper) &&
      !isa<ClassObj>(*wrapper) && !isa<InstanceObj>(*wrapper))
    return in.error(loc, "update_wrapper() cannot set attributes on a " +
                             typeName(*wrapper));
  for (auto &entry : wrapped->attrs)
    wrapper->attrs[entry.first] = entry.second;
  if (auto *fn = dyn_cast<FunctionObj>(wrapped.get()))
    wrapper->attrs["__name__"] = makeStr(fn->name);
  else if (auto *b = dyn_cast<BuiltinObj>(wrapped.get()))
    wrapper->attrs["__name__"] = makeStr(b->name);
  wrapper->attrs["__wrapped__"] = wrapped;
  return wrapper;
}

/// Python's copy.deepcopy for compile-time data: lists, tuples
/// (namedtuples keep their class), dicts and instances are copied; `memo`
/// keeps shared sub-objects shared. Everything else (numbers, strings,
/// functions, classes, tensors, scopes) is immutable or has identity in
/// the graph and is returned as is, as deepcopy does for functions and
/// classes.
Ref deepCopy(const Ref &value, std::map<const Object *, Ref> &memo) {
  auto found = memo.find(value.get());
  if (found != memo.end())
    return found->second;
  if (auto *seq = dyn_cast<SeqObj>(value.get())) {
    if (value->attrs.count("__tensorshape__"))
      return value;
    auto copy = std::make_shared<SeqObj>(seq->kind, std::vector<Ref>());
    copy->cls = seq->cls;
    copy->attrs = seq->attrs; // a numpy array stays one
    memo[value.get()] = copy;
    for (const Ref &item : seq->items)
      copy->items.push_back(deepCopy(item, memo));
    return copy;
  }
  if (auto *dict = dyn_cast<DictObj>(value.get())) {
    auto copy = std::make_shared<DictObj>();
    memo[value.get()] = copy;
    for (auto &entry : dict->entries)
      copy->entries.emplace_back(deepCopy(entry.first, memo),
                                 deepCopy(entry.second, memo));
    return copy;
  }
  if (auto *inst = dyn_cast<InstanceObj>(value.get())) {
    auto copy = std::make_shared<InstanceObj>(inst->cls);
    memo[value.get()] = copy;
    for (auto &entry : inst->attrs)
      copy->attrs[entry.first] = deepCopy(entry.second, memo);
    return copy;
  }
  return value;
}

/// copy.copy: a new container with the same items.
Ref shallowCopy(const Ref &value) {
  if (auto *seq = dyn_cast<SeqObj>(value.get())) {
    if (seq->kind == ObjKind::Tuple)
      return value; // tuples are immutable: copy.copy returns them
    return makeList(seq->items);
  }
  if (auto *dict = dyn_cast<DictObj>(value.get())) {
    auto copy = std::make_shared<DictObj>();
    copy->entries = dict->entries;
    return copy;
  }
  if (auto *inst = dyn_cast<InstanceObj>(value.get())) {
    auto copy = std::make_shared<InstanceObj>(inst->cls);
    copy->attrs = inst->attrs;
    return copy;
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Classes: super, staticmethod, classmethod, property
//===----------------------------------------------------------------------===//

/// `super()` in a method: the class that defined the calling function and
/// its first argument; `super(Cls, obj)` names them.
Ref superBuiltin(Interpreter &in, CallArgs &args) {
  if (!args.keywords.empty())
    return in.raise("TypeError", args.keywords.front().loc,
                    "super() takes no keyword arguments");
  if (args.positional.size() == 2) {
    Ref cls = args.positional[0].value, self = args.positional[1].value;
    if (!isa<ClassObj>(*cls))
      return in.raise("TypeError", args.positional[0].loc,
                      "super() argument 1 must be a type, not " +
                          typeName(*cls));
    const ClassObj *own =
        isa<ClassObj>(*self) ? cast<ClassObj>(self.get()) : classOf(*self);
    if (!own || !own->isSubclassOf(cast<ClassObj>(cls.get())))
      return in.raise("TypeError", args.positional[1].loc,
                      "super(type, obj): obj must be an instance or subtype "
                      "of type");
    return std::make_shared<SuperObj>(cls, self);
  }
  if (!args.positional.empty())
    return in.raise("TypeError", args.loc,
                    "super() takes 0 or 2 arguments in slimc");
  const auto &stack = in.getCallStack();
  const Interpreter::Frame *frame = stack.empty() ? nullptr : &stack.back();
  Ref cls = frame && frame->fn ? frame->fn->definingClass.lock() : nullptr;
  if (!cls)
    return in.raise("RuntimeError", args.loc,
                    "RuntimeError: super(): __class__ cell not found (call "
                    "super() in a method of a class)");
  const std::vector<Param> &params = frame->fn->params();
  Ref self;
  if (!params.empty() && params[0].kind == Param::Normal)
    self = frame->env->lookup(params[0].name);
  if (!self)
    return in.raise("RuntimeError", args.loc,
                    "RuntimeError: super(): no arguments");
  return std::make_shared<SuperObj>(cls, self);
}

/// `staticmethod(f)`, `classmethod(f)`, `property(fget)`: usually written
/// as decorators in a class body.
NativeFn descriptorBuiltin(DescriptorObj::DescKind kind, const char *name) {
  return [kind, name](Interpreter &in, CallArgs &args) -> Ref {
    if (!args.keywords.empty() && kind != DescriptorObj::Property)
      return in.raise("TypeError", args.keywords.front().loc,
                      std::string(name) + "() takes no keyword arguments");
    Ref fn;
    if (!args.positional.empty())
      fn = args.positional[0].value;
    for (const Arg &k : args.keywords)
      if (k.name == "fget")
        fn = k.value;
    if (!fn || args.positional.size() > 1)
      return in.raise("TypeError", args.loc,
                      std::string(name) + "() takes one function");
    return std::make_shared<DescriptorObj>(kind, fn);
  };
}

//===----------------------------------------------------------------------===//
// contextlib.contextmanager
//===----------------------------------------------------------------------===//

/// The generator of a `_GeneratorContextManager` instance.
GeneratorObj *managedGenerator(Interpreter &in, CallArgs &args) {
  if (args.positional.empty())
    return nullptr;
  auto it = args.positional[0].value->attrs.find("gen");
  if (it == args.positional[0].value->attrs.end())
    return nullptr;
  return dyn_cast<GeneratorObj>(it->second.get());
}

/// `__enter__`: runs the generator to its first `yield`, whose value is the
/// `as` target.
Ref contextEnter(Interpreter &in, CallArgs &args) {
  GeneratorObj *gen = managedGenerator(in, args);
  if (!gen)
    return in.raise("TypeError", args.loc,
                    "the function decorated with @contextmanager did not "
                    "return a generator");
  Ref out;
  switch (in.resumeGenerator(*gen, ResumeMode::Next, nullptr, args.loc, out)) {
  case ResumeResult::Yielded:
    return out;
  case ResumeResult::Returned:
    return in.raise("RuntimeError", args.loc,
                    "RuntimeError: generator didn't yield");
  case ResumeResult::Error:
    return nullptr;
  }
  return nullptr;
}

/// `__exit__(type, value, tb)`: without an exception, runs the generator
/// after its `yield` to its end; with one, raises it at the `yield`. A
/// generator that catches it (and ends) suppresses it; one that lets it
/// through re-raises it, with its first location.
Ref contextExit(Interpreter &in, CallArgs &args) {
  GeneratorObj *gen = managedGenerator(in, args);
  if (!gen || args.positional.size() != 4)
    return in.raise("TypeError", args.loc,
                    "__exit__() takes the exception type, value and "
                    "traceback");
  Ref type = args.positional[1].value, value = args.positional[2].value;
  Ref out;
  if (isNone(type)) {
    switch (
        in.resumeGenerator(*gen, ResumeMode::Next, nullptr, args.loc, out)) {
    case ResumeResult::Yielded:
      return in.raise("RuntimeError", args.loc,
                      "RuntimeError: generator didn't stop");
    case ResumeResult::Returned:
      return makeBool(false);
    case ResumeResult::Error:
      return nullptr;
    }
    return nullptr;
  }
  if (isNone(value))
    value = type;
  switch (in.resumeGenerator(*gen, ResumeMode::Throw, value, args.loc, out)) {
  case ResumeResult::Yielded:
    return in.raise("RuntimeError", args.loc,
                    "RuntimeError: generator didn't stop after throw()");
  case ResumeResult::Returned:
    return makeBool(true);
  case ResumeResult::Error:
    // The same exception coming back is not suppressed: __exit__ returns
    // False and the `with` statement re-raises it.
    if (in.getPending() && in.getPending()->exception == value) {
      in.takePending();
      return makeBool(false);
    }
    return nullptr;
  }
  return nullptr;
}

/// `contextlib.contextmanager(func)`: calling the result calls `func`
/// (which must be a generator function) and wraps the generator in a
/// context manager.
Ref contextManager(Interpreter &in, CallArgs &args) {
  if (args.positional.size() != 1 || !args.keywords.empty())
    return in.raise("TypeError", args.loc,
                    "contextmanager() takes one function");
  Ref func = args.positional[0].value;
  auto helper = std::make_shared<BuiltinObj>(
      "helper", [func](Interpreter &in, CallArgs &call) -> Ref {
        Ref gen = in.call(func, call);
        if (!gen)
          return nullptr;
        auto manager =
            std::make_shared<InstanceObj>(in.generatorContextManagerClass);
        manager->attrs["gen"] = gen;
        return manager;
      });
  // functools.wraps(func): the helper keeps func's name and attributes.
  for (auto &entry : func->attrs)
    helper->attrs[entry.first] = entry.second;
  if (auto *fn = dyn_cast<FunctionObj>(func.get()))
    helper->name = fn->name;
  helper->attrs["__wrapped__"] = func;
  return helper;
}

/// The one positional argument of copy.copy / copy.deepcopy.
const Arg *oneArg(Interpreter &in, CallArgs &args, llvm::StringRef name) {
  if (!args.keywords.empty() || args.positional.size() != 1) {
    in.error(args.loc, name + "() takes exactly one positional argument");
    return nullptr;
  }
  return &args.positional[0];
}

} // namespace

void slim::installPythonModules(Interpreter &interp, Env &env) {
  env.vars["object"] = std::make_shared<ClassObj>("object");
  env.vars["super"] = std::make_shared<BuiltinObj>("super", superBuiltin);
  env.vars["staticmethod"] = std::make_shared<BuiltinObj>(
      "staticmethod",
      descriptorBuiltin(DescriptorObj::StaticMethod, "staticmethod"));
  env.vars["classmethod"] = std::make_shared<BuiltinObj>(
      "classmethod",
      descriptorBuiltin(DescriptorObj::ClassMethod, "classmethod"));
  env.vars["property"] = std::make_shared<BuiltinObj>(
      "property", descriptorBuiltin(DescriptorObj::Property, "property"));

  auto contextlib = std::make_shared<ModuleObj>("contextlib");
  defineBuiltin(*contextlib, "contextmanager", "contextmanager",
                contextManager);
  auto managerClass = std::make_shared<ClassObj>("_GeneratorContextManager");
  for (auto [name, fn] :
       {std::pair{"__enter__", &contextEnter}, {"__exit__", &contextExit}}) {
    auto method = std::make_shared<BuiltinObj>(name, fn);
    method->isMethod = true;
    managerClass->attrs[name] = method;
  }
  interp.generatorContextManagerClass = managerClass;
  interp.known["module:contextlib"] = contextlib;

  auto collections = std::make_shared<ModuleObj>("collections");
  defineBuiltin(*collections, "namedtuple", "namedtuple", namedtuple);
  // Dicts keep insertion order, so OrderedDict is dict.
  collections->attrs["OrderedDict"] = env.lookup("dict");
  interp.known["module:collections"] = collections;

  auto functools = std::make_shared<ModuleObj>("functools");
  defineBuiltin(*functools, "partial", "partial", partial);
  defineBuiltin(
      *functools, "update_wrapper", "update_wrapper",
      [](Interpreter &in, CallArgs &a) -> Ref {
        Bound b;
        if (!bindArgs(in, "update_wrapper",
                      {{"wrapper", nullptr}, {"wrapped", nullptr}}, a, b))
          return nullptr;
        return updateWrapper(in, b.get("wrapper"), b.get("wrapped"), b.callLoc);
      });
  defineBuiltin(
      *functools, "reduce", "reduce", [](Interpreter &in, CallArgs &a) -> Ref {
        if (a.positional.size() < 2 || a.positional.size() > 3 ||
            !a.keywords.empty())
          return in.raise("TypeError", a.loc,
                          "reduce() takes 2 or 3 arguments");
        std::vector<Ref> items;
        if (!in.iterate(a.positional[1].value, a.positional[1].loc, items))
          return nullptr;
        size_t i = 0;
        Ref acc;
        if (a.positional.size() == 3) {
          acc = a.positional[2].value;
        } else {
          if (items.empty())
            return in.raise("TypeError", a.loc,
                            "reduce() of empty iterable with no "
                            "initial value");
          acc = items[i++];
        }
        for (; i < items.size(); ++i)
          if (!(acc =
                    in.callWith(a.positional[0].value, a.loc, {acc, items[i]})))
            return nullptr;
        return acc;
      });
  defineBuiltin(
      *functools, "wraps", "wraps", [](Interpreter &in, CallArgs &a) -> Ref {
        Bound b;
        if (!bindArgs(in, "wraps", {{"wrapped", nullptr}}, a, b))
          return nullptr;
        Ref wrapped = b.get("wrapped");
        // `@functools.wraps(f)` is a decorator that applies update_wrapper.
        return std::make_shared<BuiltinObj>(
            "wraps", [wrapped](Interpreter &in, CallArgs &inner) -> Ref {
              if (!inner.keywords.empty() || inner.positional.size() != 1)
                return in.error(inner.loc, "the decorator made by "
                                           "functools.wraps() takes one "
                                           "function");
              return updateWrapper(in, inner.positional[0].value, wrapped,
                                   inner.loc);
            });
      });
  interp.known["module:functools"] = functools;

  auto copy = std::make_shared<ModuleObj>("copy");
  defineBuiltin(*copy, "copy", "copy", [](Interpreter &in, CallArgs &a) -> Ref {
    const Arg *arg = oneArg(in, a, "copy");
    return arg ? shallowCopy(arg->value) : nullptr;
  });
  defineBuiltin(*copy, "deepcopy", "deepcopy",
                [](Interpreter &in, CallArgs &a) -> Ref {
                  const Arg *arg = oneArg(in, a, "deepcopy");
                  if (!arg)
                    return nullptr;
                  std::map<const Object *, Ref> memo;
                  return deepCopy(arg->value, memo);
                });
  interp.known["module:copy"] = copy;

  installPythonStdlib(interp, env);
  installNumpy(interp);
}

Ref slim::pythonStdModule(Interpreter &interp, llvm::StringRef dotted) {
  return interp.lookupKnown(("module:" + dotted).str());
}
