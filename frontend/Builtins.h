//===- Builtins.h - Helpers for functions implemented by slimc --*- C++ -*-===//
//
// Builtins bind their arguments the way Python binds a call to a `def`
// (positional, then keywords, then defaults), so TF-Slim's signatures and
// their error messages carry over exactly.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_H
#define SLIM_FRONTEND_BUILTINS_H

#include "frontend/Interpreter.h"

namespace slim {

/// One parameter of a builtin's Python signature. A null default means the
/// parameter is required.
struct ParamSpec {
  const char *name;
  Ref defaultValue;
};

/// The arguments of one call, bound to a signature.
class Bound {
public:
  Ref get(llvm::StringRef name) const;
  /// Where the argument was written (the call when it took its default).
  llvm::SMLoc loc(llvm::StringRef name) const;
  /// The argument, or null when it took its default.
  const Arg *arg(llvm::StringRef name) const;
  bool has(llvm::StringRef name) const { return arg(name) != nullptr; }
  bool isNone(llvm::StringRef name) const { return slim::isNone(get(name)); }
  llvm::SMLoc callLoc;
  std::string function;
  /// `**kwargs` of signatures that accept them.
  std::vector<Arg> extraKeywords;

  std::vector<std::pair<std::string, Ref>> values;
  std::vector<std::pair<std::string, Arg>> given;
};

/// Binds `args` to `params`; reports Python's errors for unknown, repeated
/// or missing arguments (naming the arg_scope that supplied a bad keyword).
bool bindArgs(Interpreter &interp, llvm::StringRef function,
              llvm::ArrayRef<ParamSpec> params, CallArgs &args, Bound &out,
              bool acceptExtraKeywords = false);

// Typed access to bound arguments; each reports a type error at the
// argument and returns false when the value does not fit.
bool getInt(Interpreter &interp, const Bound &b, llvm::StringRef name,
            int64_t &out);
bool getFloat(Interpreter &interp, const Bound &b, llvm::StringRef name,
              double &out);
bool getBool(Interpreter &interp, const Bound &b, llvm::StringRef name,
             bool &out);
bool getString(Interpreter &interp, const Bound &b, llvm::StringRef name,
               std::string &out);
/// A string or None (empty string).
bool getOptionalString(Interpreter &interp, const Bound &b,
                       llvm::StringRef name, std::string &out);
/// An int `k` (meaning [k, k]) or a list/tuple of two ints.
bool getIntPair(Interpreter &interp, const Bound &b, llvm::StringRef name,
                int64_t out[2]);
/// A list or tuple of ints.
bool getIntList(Interpreter &interp, const Ref &value, llvm::SMLoc loc,
                llvm::StringRef what, std::vector<int64_t> &out);
/// A tensor argument.
TensorObj *getTensor(Interpreter &interp, const Bound &b, llvm::StringRef name);
/// A list of strings or None.
bool getStringList(Interpreter &interp, const Bound &b, llvm::StringRef name,
                   std::vector<std::string> &out);

/// Python's ordering of two values (numbers, strings, sequences of them):
/// `out` is -1, 0 or 1; false after a TypeError.
bool compareValues(Interpreter &interp, const Ref &a, const Ref &b,
                   llvm::SMLoc loc, int &out);
/// Sorts `items` stably by Python's ordering, of `key(item)` when `key` is
/// given (and not None); false after an error.
bool sortValues(Interpreter &interp, std::vector<Ref> &items, const Ref &key,
                llvm::SMLoc loc);

/// Adds a builtin function to a module (or the builtins env) and returns it.
Ref defineBuiltin(Object &module, llvm::StringRef attrName,
                  llvm::StringRef pythonName, NativeFn fn,
                  bool argScoped = false);

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_H
