//===- PyNumpy.h - numpy's compile-time subset ------------------*- C++ -*-===//
//
// A numpy array in a model file is compile-time data (padding tables, an
// initializer's matrix): an n-dimensional array of Python numbers with a
// dtype. slimc keeps it as nested lists marked as an ndarray, so every
// builtin that takes a list of ints (tf.pad's paddings, shapes) takes an
// array too; indexing with tuples, item assignment, `.shape`, `.dtype`,
// `.tolist()` and elementwise arithmetic follow numpy. numpy never sees a
// tensor: a tensor argument is a compile error.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_PYNUMPY_H
#define SLIM_FRONTEND_PYNUMPY_H

#include "frontend/Interpreter.h"

#include <optional>

namespace slim {

/// True for a numpy array (a list marked with its dtype).
bool isNDArray(const Object &o);
/// `array[key]` for a tuple key (`a[1, 2]`); nullopt when `key` is not a
/// tuple, for the ordinary list indexing to handle.
std::optional<Ref> ndarrayGetItem(Interpreter &interp, const Ref &array,
                                  const Ref &key, llvm::SMLoc loc);
/// `array[key] = value`; false after an error.
bool ndarraySetItem(Interpreter &interp, const Ref &array, const Ref &key,
                    const Ref &value, llvm::SMLoc loc);
/// `.shape`, `.ndim`, `.size`, `.dtype`, `.T` and the methods of an array;
/// nullopt for other names.
std::optional<Ref> ndarrayAttr(Interpreter &interp, const Ref &array,
                               llvm::StringRef name, llvm::SMLoc loc);
/// A method of an array (tolist, astype, reshape, ...); nullopt if unknown.
std::optional<Ref> ndarrayMethod(Interpreter &interp, const Ref &array,
                                 llvm::StringRef name, CallArgs &args);
/// Elementwise `lhs op rhs` when either side is an array.
Ref ndarrayBinary(Interpreter &interp, BinaryOp op, const Ref &lhs,
                  const Ref &rhs, llvm::SMLoc loc);
/// Marks a list made from an array's items (a slice) as an array.
Ref markNDArray(Ref list, const std::string &dtype);
/// The dtype of an array.
std::string ndarrayDType(const Object &array);

} // namespace slim

#endif // SLIM_FRONTEND_PYNUMPY_H
