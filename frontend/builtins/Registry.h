//===- Registry.h - Tables of the tf and slim builtins ---------*- C++ -*-===//
//
// Every `tf.*` and `slim.*` function is a named C++ function listed in a
// table of its family (Layers.cpp, TFNN.cpp, ...). A table entry names the
// module it lives in by its Python path, so a family's file says where each
// function appears without touching the module objects.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_REGISTRY_H
#define SLIM_FRONTEND_BUILTINS_REGISTRY_H

#include "frontend/Builtins.h"

#include "llvm/ADT/ArrayRef.h"

namespace slim {

/// A builtin's C++ implementation: binds `args` and returns the result, or
/// null after reporting an error.
using BuiltinImpl = Ref (*)(Interpreter &, CallArgs &);

/// One row of a builtin table.
struct BuiltinDef {
  /// The module's Python path: "tf", "tf.nn", "slim", "slim.utils".
  const char *module;
  /// The attribute name in that module (`tf.nn.relu` -> "relu").
  const char *attr;
  /// The function's `__name__` (slim.conv2d is "convolution2d"), which
  /// `slim.repeat` and `slim.stack` use for their inner scope names.
  const char *pythonName;
  BuiltinImpl fn;
  /// Whether `slim.arg_scope` may supply its keywords (@add_arg_scope).
  bool argScoped = false;
  /// When set, other builtins find this object by this key in
  /// Interpreter::known (e.g. "activation:relu", the layers' default
  /// activation_fn).
  const char *knownAs = nullptr;
};

/// Another name for an existing builtin: the same object, so an arg_scope
/// on `slim.conv2d` also applies to `slim.convolution2d`.
struct BuiltinAlias {
  const char *module;
  const char *attr;
  /// Where the other name lives (tf.sigmoid is tf.nn.sigmoid).
  const char *aliasModule;
  const char *alias;
};

/// A constant attribute (tf.GraphKeys.UPDATE_OPS, tf.float32, ...) is made
/// by the module setup in Modules.cpp; tables only hold functions.

/// Python's None, for parameter defaults.
inline Ref none() { return makeNone(); }

// The tables, one per family. Each is defined in the file of its family.
llvm::ArrayRef<BuiltinDef> tfGraphBuiltins();           // TFGraph.cpp
llvm::ArrayRef<BuiltinDef> tfCoreBuiltins();            // TFCore.cpp
llvm::ArrayRef<BuiltinDef> tfMathBuiltins();            // TFMath.cpp
llvm::ArrayRef<BuiltinAlias> tfMathAliases();           // TFMath.cpp
llvm::ArrayRef<BuiltinDef> tfTileBuiltins();            // TFTile.cpp
llvm::ArrayRef<BuiltinDef> tfNNBuiltins();              // TFNN.cpp
llvm::ArrayRef<BuiltinAlias> tfNNAliases();             // TFNN.cpp
llvm::ArrayRef<BuiltinDef> tfInitializerBuiltins();     // TFInitializers.cpp
llvm::ArrayRef<BuiltinDef> slimLayerBuiltins();         // Layers.cpp
llvm::ArrayRef<BuiltinAlias> slimLayerAliases();        // Layers.cpp
llvm::ArrayRef<BuiltinDef> slimArgScopeBuiltins();      // ArgScope.cpp
llvm::ArrayRef<BuiltinDef> slimVariableBuiltins();      // Variables.cpp
llvm::ArrayRef<BuiltinDef> slimInitializerBuiltins();   // Initializers.cpp
llvm::ArrayRef<BuiltinDef> slimUtilBuiltins();          // SlimUtils.cpp
llvm::ArrayRef<BuiltinDef> tensorShapeBuiltins();       // TensorShape.cpp
llvm::ArrayRef<BuiltinDef> tfArrayBuiltins();           // TFArray.cpp
llvm::ArrayRef<BuiltinDef> tfImageBuiltins();           // TFImage.cpp
llvm::ArrayRef<BuiltinAlias> tfImageAliases();          // TFImage.cpp
llvm::ArrayRef<BuiltinDef> tfNNConvBuiltins();          // TFNNConv.cpp
llvm::ArrayRef<BuiltinDef> slimNormalizationBuiltins(); // Normalization.cpp
llvm::ArrayRef<BuiltinDef> tfMiscBuiltins();            // TFMisc.cpp
llvm::ArrayRef<BuiltinDef> tfPoolBuiltins();            // TFPool.cpp
llvm::ArrayRef<BuiltinDef> layer3DBuiltins();           // Layers3D.cpp
llvm::ArrayRef<BuiltinAlias> layer3DAliases();          // Layers3D.cpp
llvm::ArrayRef<BuiltinDef> lossBuiltins();              // Losses.cpp
llvm::ArrayRef<BuiltinDef> trainingBuiltins();          // Training.cpp

/// The class tf.contrib.training.HParams (HParams.cpp).
Ref makeHParamsClass();

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_REGISTRY_H
