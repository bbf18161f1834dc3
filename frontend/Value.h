//===- Value.h - Compile-time Python values of the elaborator ---*- C++ -*-===//
//
// The elaborator runs a model file the way Python would while TensorFlow
// builds a graph: numbers, strings, lists, functions and scopes exist only at
// compile time, and every tensor is an SSA value in the module being built.
// Objects are reference counted and shared, like Python's, so a list appended
// to through one name is seen through every other.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_VALUE_H
#define SLIM_FRONTEND_VALUE_H

#include "frontend/AST.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace slim {

class Interpreter;
class ObjectRegistry;
struct Object;
using Ref = std::shared_ptr<Object>;

/// The kinds of compile-time values.
enum class ObjKind {
  None,
  Bool,
  Int,
  Float,
  Str,
  List,
  Tuple,
  Dict,
  Function,
  Builtin,
  BoundMethod,
  Module,
  Tensor,
  VarScope,
  ArgScope,
  Context,
  Initializer,
  Regularizer,
  DType,
  Exception,
  Opaque,
  Class,
  Instance,
  Generator,
  Iterator,
  Super,
  Descriptor,
};

/// Base of every value. `attrs` holds attributes set on functions and
/// modules (`vgg_16.default_image_size = 224`, `slim.conv2d`).
struct Object {
  explicit Object(ObjKind kind);
  Object(const Object &other);
  virtual ~Object();
  const ObjKind kind;
  std::map<std::string, Ref> attrs;
  /// The registry of the interpreter that made it (ObjectRegistry.h), which
  /// breaks reference cycles at the end of elaboration.
  ObjectRegistry *registry = nullptr;
};

struct IntObj : Object {
  explicit IntObj(int64_t v) : Object(ObjKind::Int), value(v) {}
  int64_t value;
  static bool classof(const Object *o) { return o->kind == ObjKind::Int; }
};

struct BoolObj : Object {
  explicit BoolObj(bool v) : Object(ObjKind::Bool), value(v) {}
  bool value;
  static bool classof(const Object *o) { return o->kind == ObjKind::Bool; }
};

struct FloatObj : Object {
  explicit FloatObj(double v) : Object(ObjKind::Float), value(v) {}
  double value;
  static bool classof(const Object *o) { return o->kind == ObjKind::Float; }
};

struct StrObj : Object {
  explicit StrObj(std::string v) : Object(ObjKind::Str), value(std::move(v)) {}
  std::string value;
  static bool classof(const Object *o) { return o->kind == ObjKind::Str; }
};

/// A list or a tuple (tuples are never mutated).
struct SeqObj : Object {
  SeqObj(ObjKind kind, std::vector<Ref> items)
      : Object(kind), items(std::move(items)) {}
  std::vector<Ref> items;
  /// For an instance of a `collections.namedtuple` class (or a class derived
  /// from one): that class. The value stays a tuple in every other respect,
  /// as in Python, so indexing, unpacking and `+` need no special case.
  Ref cls;
  static bool classof(const Object *o) {
    return o->kind == ObjKind::List || o->kind == ObjKind::Tuple;
  }
};

/// An insertion-ordered dict. Keys are compared with `valuesEqual`; the
/// linear lookup is fine for the few dozen keys a model file uses.
struct DictObj : Object {
  DictObj() : Object(ObjKind::Dict) {}
  std::vector<std::pair<Ref, Ref>> entries;
  Ref get(const Ref &key) const;
  void set(const Ref &key, Ref value);
  bool erase(const Ref &key);
  static bool classof(const Object *o) { return o->kind == ObjKind::Dict; }
};

/// Variables visible from a function body: its locals, then the enclosing
/// function's, then the module's globals.
struct Env {
  explicit Env(std::shared_ptr<Env> parent);
  Env(const Env &) = delete;
  ~Env();
  std::map<std::string, Ref> vars;
  std::shared_ptr<Env> parent;
  /// True for a module's globals (the target of `global` declarations).
  bool isModule = false;
  /// As Object::registry.
  ObjectRegistry *registry = nullptr;
  /// For a function's locals: the def, whose `global`/`nonlocal` names are
  /// bound elsewhere.
  const FunctionDefAST *def = nullptr;
  Ref lookup(llvm::StringRef name) const;
  /// The module globals this env belongs to (itself for a module).
  Env *moduleEnv();
  /// Where an assignment to `name` in this scope binds it: the module for a
  /// `global`, the enclosing function that has it for a `nonlocal`, else
  /// this env.
  Env *bindingEnv(llvm::StringRef name);
};
using EnvPtr = std::shared_ptr<Env>;

/// A `def` from a model file, with its defaults evaluated at definition time
/// as Python does.
struct FunctionObj : Object {
  FunctionObj() : Object(ObjKind::Function) {}
  const FunctionDefAST *def = nullptr;
  /// Set instead of `def` for a `lambda`, whose body is one expression.
  const LambdaExprAST *lambda = nullptr;
  EnvPtr closure;
  std::vector<Ref> defaults; // one per Param, null when it has none
  std::string name;
  /// Set by `@slim.add_arg_scope`: calls take defaults from arg_scope.
  bool argScoped = false;
  /// The class whose body defined this function (a method), for the
  /// zero-argument `super()`; weak, as the class holds the function.
  std::weak_ptr<Object> definingClass;
  bool isGenerator() const { return def && def->isGenerator(); }
  const std::vector<Param> &params() const {
    return def ? def->getParams() : lambda->getParams();
  }
  llvm::SMLoc nameLoc() const {
    return def ? def->getNameLoc() : lambda->getLoc();
  }
  static bool classof(const Object *o) { return o->kind == ObjKind::Function; }
};

/// One actual argument of a call, with where it was written.
struct Arg {
  std::string name; // empty for positional
  Ref value;
  llvm::SMLoc loc;
  /// Where an arg_scope supplied this keyword (invalid if written at the call).
  llvm::SMLoc scopeLoc;
};

/// A call's arguments after `*x` and `**x` are expanded.
struct CallArgs {
  std::vector<Arg> positional;
  std::vector<Arg> keywords;
  llvm::SMLoc loc; // the callee expression
  const Arg *findKeyword(llvm::StringRef name) const;
};

using NativeFn = std::function<Ref(Interpreter &, CallArgs &)>;

/// A function implemented by the compiler: Python builtins, `tf.*`, `slim.*`.
struct BuiltinObj : Object {
  BuiltinObj(std::string name, NativeFn fn, bool argScoped = false)
      : Object(ObjKind::Builtin), name(std::move(name)), fn(std::move(fn)),
        argScoped(argScoped) {}
  /// The Python `__name__` (e.g. "convolution2d" for slim.conv2d), which
  /// `slim.repeat` and `slim.stack` use for their inner scope names.
  std::string name;
  NativeFn fn;
  bool argScoped;
  /// A method of a class slimc implements (contextlib's context manager,
  /// HParams): looked up on an instance, it binds `self` like a `def`.
  /// Other builtins stored on classes stay unbound, as Python's do.
  bool isMethod = false;
  static bool classof(const Object *o) { return o->kind == ObjKind::Builtin; }
};

/// `obj.method` bound to its receiver, e.g. `'a_%d'.format`, `lst.append`,
/// or a method of a model-file class (`function` set), called with `self`
/// prepended.
struct BoundMethodObj : Object {
  BoundMethodObj(Ref self, std::string name, Ref function = nullptr)
      : Object(ObjKind::BoundMethod), self(std::move(self)),
        name(std::move(name)), function(std::move(function)) {}
  Ref self;
  std::string name;
  Ref function;
  static bool classof(const Object *o) {
    return o->kind == ObjKind::BoundMethod;
  }
};

/// A namespace: `tf`, `slim`, `tf.nn`, or an imported `.slim` file.
struct ModuleObj : Object {
  explicit ModuleObj(std::string name)
      : Object(ObjKind::Module), name(std::move(name)) {}
  std::string name;
  static bool classof(const Object *o) { return o->kind == ObjKind::Module; }
};

/// A tensor in the graph being built, with its static shape. Variables are
/// tensors too (reading one gives its value); `varName` is set for them.
struct TensorObj : Object {
  TensorObj(mlir::Value value, llvm::SmallVector<int64_t, 4> shape,
            std::string name)
      : Object(ObjKind::Tensor), value(value), shape(std::move(shape)),
        name(std::move(name)) {}
  mlir::Value value;
  llvm::SmallVector<int64_t, 4> shape;
  /// TensorFlow's name for the producing op ("vgg_16/conv1/conv1_1/Relu").
  std::string name;
  /// Non-empty for variables: the checkpoint key.
  std::string varName;
  /// Aliases from `outputs_collections`, most recent last.
  std::vector<std::string> aliases;
  static bool classof(const Object *o) { return o->kind == ObjKind::Tensor; }
};

/// A `tf.variable_scope` object (`with tf.variable_scope(...) as sc`).
struct VarScopeObj : Object {
  VarScopeObj() : Object(ObjKind::VarScope) {}
  std::string name;              // "vgg_16/conv1"
  std::string originalNameScope; // "vgg_16/conv1/"
  int reuse = 0;                 // 0 no, 1 True, 2 AUTO_REUSE
  Ref initializer;               // default for variables created inside
  Ref regularizer;
  static bool classof(const Object *o) { return o->kind == ObjKind::VarScope; }
};

/// Keyword defaults of one arg-scoped function inside an arg_scope.
struct ScopedKwargs {
  std::vector<Arg> kwargs; // Arg::loc is where the arg_scope set it
  void merge(const std::vector<Arg> &more);
};

/// The state of `slim.arg_scope`: defaults per function, keyed by the
/// function object's identity (aliases such as conv2d/convolution2d are the
/// same object).
struct ArgScopeObj : Object {
  ArgScopeObj() : Object(ObjKind::ArgScope) {}
  std::vector<std::pair<const Object *, ScopedKwargs>> entries;
  /// Keeps the keyed function objects alive.
  std::vector<Ref> keepAlive;
  const ScopedKwargs *find(const Object *fn) const;
  ScopedKwargs &getOrCreate(const Ref &fn);
  static bool classof(const Object *o) { return o->kind == ObjKind::ArgScope; }
};

/// A context manager for `with`: enter() returns the `as` value.
struct ContextObj : Object {
  ContextObj() : Object(ObjKind::Context) {}
  std::function<Ref(Interpreter &, llvm::SMLoc)> enter;
  std::function<void(Interpreter &)> exit;
  static bool classof(const Object *o) { return o->kind == ObjKind::Context; }
};

/// An initializer or regularizer: its TF-Slim kind and parameters, recorded
/// on the variables it is given to.
struct SpecObj : Object {
  SpecObj(ObjKind kind, std::string specKind)
      : Object(kind), specKind(std::move(specKind)) {}
  std::string specKind; // "truncated_normal", "l2", ...
  std::vector<std::pair<std::string, double>> params;
  std::vector<std::pair<std::string, std::string>> strParams;
  std::vector<Ref> parts; // sum_regularizer
  // "values" (a Python initializer function's constant): the nonzero
  // elements, at ascending row-major indices.
  std::vector<int64_t> valueIndices;
  std::vector<float> values;
  static bool classof(const Object *o) {
    return o->kind == ObjKind::Initializer || o->kind == ObjKind::Regularizer;
  }
};

/// `tf.float32` and friends.
struct DTypeObj : Object {
  explicit DTypeObj(std::string name)
      : Object(ObjKind::DType), name(std::move(name)) {}
  std::string name;
  static bool classof(const Object *o) { return o->kind == ObjKind::DType; }
};

/// Where a raised exception was reported and what it says: the error line,
/// then its notes (the calls it was raised in, then any the raiser added),
/// printed when the exception reaches the top level uncaught.
struct RaisedDiag {
  llvm::SMLoc loc;
  std::string message;
  std::vector<std::pair<llvm::SMLoc, std::string>> notes;
};

/// An exception class (`ValueError`) or instance (`ValueError('msg')`).
/// A raised instance keeps where it was first raised, so a re-raise (bare
/// `raise`, an exception passing through a generator or a `with`) reports
/// the original location, as Python's traceback does.
struct ExceptionObj : Object {
  ExceptionObj(std::string type, std::string message, bool isClass)
      : Object(ObjKind::Exception), type(std::move(type)),
        message(std::move(message)), isClass(isClass) {}
  std::string type, message;
  bool isClass;
  /// The arguments it was made with (`e.args`).
  std::vector<Ref> args;
  /// Set once raised.
  std::shared_ptr<RaisedDiag> diag;
  static bool classof(const Object *o) { return o->kind == ObjKind::Exception; }
};

/// Whether exception class `type` is `base` or derives from it, following
/// Python's hierarchy of the builtin exceptions (KeyError -> LookupError ->
/// Exception -> BaseException).
bool exceptionIsSubclass(llvm::StringRef type, llvm::StringRef base);
/// The builtin exception classes slimc knows, base classes first.
llvm::ArrayRef<const char *> builtinExceptionNames();

/// A value with a fixed identity and no behaviour (tf.AUTO_REUSE, a
/// GraphKeys constant, a TensorShape's dimension list holder).
struct OpaqueObj : Object {
  explicit OpaqueObj(std::string name)
      : Object(ObjKind::Opaque), name(std::move(name)) {}
  std::string name;
  static bool classof(const Object *o) { return o->kind == ObjKind::Opaque; }
};

/// A class: `object`, a `collections.namedtuple(...)` type, or a `class`
/// statement of the model file. Class attributes and methods live in
/// `attrs`; lookups walk the single `base` chain (slimc has no multiple
/// inheritance, so the MRO is that chain).
struct ClassObj : Object {
  explicit ClassObj(std::string name)
      : Object(ObjKind::Class), name(std::move(name)) {}
  std::string name;
  Ref base; // a ClassObj, or null for `object`
  /// Field names when this class is, or derives from, a namedtuple type:
  /// calling it then makes a tuple (SeqObj with `cls`), not an instance.
  std::vector<std::string> fields;
  bool isNamedTuple = false;
  /// Defaults of the last fields (namedtuple's `defaults=`).
  std::vector<Ref> fieldDefaults;
  /// The attribute `name` of this class or its bases; null if none has it.
  Ref lookup(llvm::StringRef attr) const;
  /// Whether this class is `other` or derives from it.
  bool isSubclassOf(const ClassObj *other) const;
  static bool classof(const Object *o) { return o->kind == ObjKind::Class; }
};

/// An instance of a model-file class; `attrs` is its `__dict__`.
struct InstanceObj : Object {
  explicit InstanceObj(Ref cls)
      : Object(ObjKind::Instance), cls(std::move(cls)) {}
  Ref cls; // a ClassObj
  static bool classof(const Object *o) { return o->kind == ObjKind::Instance; }
};

struct GeneratorState;

/// A generator object: what calling a generator function or evaluating a
/// generator expression returns. Its frame runs on its own coroutine (see
/// Coroutine.h and Generators.cpp); dropping the last reference to a
/// suspended generator closes it (GeneratorExit at its `yield`) at the next
/// statement boundary, as CPython does when its refcount drops.
struct GeneratorObj : Object {
  explicit GeneratorObj(std::shared_ptr<GeneratorState> state)
      : Object(ObjKind::Generator), state(std::move(state)) {}
  ~GeneratorObj() override;
  std::shared_ptr<GeneratorState> state;
  static bool classof(const Object *o) { return o->kind == ObjKind::Generator; }
};

/// A native iterator (`iter(list)`, `enumerate`/`zip`/`map` over a
/// generator): `next` stores the next item and returns 1, returns 0 when
/// exhausted, -1 after an error.
struct IteratorObj : Object {
  using NextFn = std::function<int(Interpreter &, llvm::SMLoc, Ref &)>;
  IteratorObj(std::string name, NextFn next)
      : Object(ObjKind::Iterator), name(std::move(name)),
        next(std::move(next)) {}
  std::string name;
  NextFn next;
  static bool classof(const Object *o) { return o->kind == ObjKind::Iterator; }
};

/// `super()` / `super(Cls, obj)`: attribute lookup starting after `cls` in
/// the class chain of `self`, binding methods to `self`.
struct SuperObj : Object {
  SuperObj(Ref cls, Ref self)
      : Object(ObjKind::Super), cls(std::move(cls)), self(std::move(self)) {}
  Ref cls, self;
  static bool classof(const Object *o) { return o->kind == ObjKind::Super; }
};

/// `staticmethod(f)`, `classmethod(f)` and `property(fget)` as found in a
/// class body: they change how the function binds when looked up.
struct DescriptorObj : Object {
  enum DescKind { StaticMethod, ClassMethod, Property };
  DescriptorObj(DescKind descKind, Ref function)
      : Object(ObjKind::Descriptor), descKind(descKind),
        function(std::move(function)) {}
  DescKind descKind;
  Ref function;
  Ref setter; // property.setter
  static bool classof(const Object *o) {
    return o->kind == ObjKind::Descriptor;
  }
};

/// The class of a value when it has a model-level one (an instance or a
/// namedtuple), else null.
const ClassObj *classOf(const Object &o);

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

Ref makeNone();
Ref makeBool(bool v);
Ref makeInt(int64_t v);
Ref makeFloat(double v);
Ref makeStr(std::string v);
Ref makeList(std::vector<Ref> items = {});
Ref makeTuple(std::vector<Ref> items = {});

inline bool isNone(const Ref &r) { return !r || r->kind == ObjKind::None; }

/// True for the objects whose attributes a model file may set and delete at
/// compile time (functions, builtins, modules, classes and instances).
inline bool hasWritableAttrs(const Object &o) {
  return llvm::isa<FunctionObj>(o) || llvm::isa<BuiltinObj>(o) ||
         llvm::isa<ModuleObj>(o) || llvm::isa<InstanceObj>(o) ||
         llvm::isa<ClassObj>(o);
}

/// Python's type name of a value, for messages ("int", "list", "Tensor").
std::string typeName(const Object &o);
/// Python truthiness; tensors are an error the caller reports.
bool isTruthy(const Object &o);
/// Python `==` for compile-time values (identity for functions, tensors).
bool valuesEqual(const Ref &a, const Ref &b);
/// `repr()` of a value.
std::string reprValue(const Object &o);
/// `str()` of a value.
std::string strValue(const Object &o);

} // namespace slim

#endif // SLIM_FRONTEND_VALUE_H
