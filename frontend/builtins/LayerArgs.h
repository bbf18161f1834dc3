//===- LayerArgs.h - Arguments TF-Slim's layers share -----------*- C++ -*-===//
//
// TF-Slim's layers repeat the same arguments: the NHWC input, the window
// (kernel_size, stride, rate, padding), the weight layers' tail
// (normalizer_fn, initializers, regularizers, reuse, collections, scope) and
// activation_fn. Each is checked here once, with the library's messages, so
// conv2d, separable_conv2d, conv2d_transpose and the pools agree.
//
//===----------------------------------------------------------------------===//

#ifndef SLIM_FRONTEND_BUILTINS_LAYERARGS_H
#define SLIM_FRONTEND_BUILTINS_LAYERARGS_H

#include "frontend/builtins/Registry.h"

#include "llvm/ADT/SmallVector.h"

#include <initializer_list>

namespace slim {

/// The signature of a TF-Slim weight layer: `head` (inputs, num_outputs,
/// layer-specific parameters, activation_fn) followed by the shared tail
/// normalizer_fn ... scope. `extraAfterWeightsInitializer` goes right after
/// weights_initializer (separable_conv2d's pointwise_initializer).
std::vector<ParamSpec>
weightLayerParams(Interpreter &in, std::vector<ParamSpec> head,
                  std::vector<ParamSpec> extraAfterWeightsInitializer = {});

/// Checks that data_format is None, NHWC or NWC: slimc compiles NHWC only.
bool checkDataFormat(Interpreter &in, const Bound &b);
/// The `inputs` argument as a 4-D NHWC tensor, then checkDataFormat; null
/// after an error.
TensorObj *getNHWCInput(Interpreter &in, const Bound &b);

/// A sliding window: kernel_size, stride, rate (1 where the layer has
/// none) and the padding string, then the explicit pads it resolves to.
struct Window {
  int64_t kernel[2];
  int64_t stride[2];
  int64_t rate[2];
  std::string padding;
  llvm::SmallVector<int64_t, 4> pads;
};

/// Reads kernel_size, stride, rate and padding; checks they are positive
/// and that rate and stride are not both above one.
bool getWindow(Interpreter &in, const Bound &b, Window &w);
/// Resolves `w.padding` for `input` into `w.pads` (SAME/VALID/explicit).
bool resolveWindowPadding(Interpreter &in, const Bound &b,
                          const TensorObj &input, Window &w);

/// Checks that each named argument is None or an initializer/regularizer
/// of `kind`, in order.
bool checkSpecs(
    Interpreter &in, const Bound &b,
    std::initializer_list<std::pair<llvm::StringRef, ObjKind>> specs);
/// The four specs every weight layer takes.
bool checkWeightLayerSpecs(Interpreter &in, const Bound &b);

/// A Python function given as an initializer, called as TF calls one
/// (`fn(shape, dtype=tf.float32, partition_info=None)`): its result must be
/// a compile-time array of `shape` (tf.constant of a numpy array, I3D's
/// centering initializer), recorded on the variable as explicit values.
/// Any other initializer is returned unchanged; null after an error.
Ref resolveInitializer(Interpreter &in, Ref initializer,
                       llvm::ArrayRef<int64_t> shape, llvm::SMLoc loc);

/// Creates a model variable under the current variable scope as TF-Slim's
/// layers do (trainable and variables_collections from `b`).
Ref layerVariable(Interpreter &in, const Bound &b, llvm::StringRef name,
                  llvm::ArrayRef<int64_t> shape, Ref initializer,
                  Ref regularizer);
/// variables_collections may be a list for every variable or a dict by
/// variable name.
std::vector<std::string> variableCollections(const Ref &value,
                                             llvm::StringRef name);

/// normalizer_fn (with normalizer_params) or biases, then activation_fn:
/// the tail every TF-Slim weight layer shares.
Ref normalizeBiasActivate(Interpreter &in, const Bound &b, Ref out,
                          int64_t numOutputs);
/// Applies activation_fn when it is not None (batch_norm, bias_add).
Ref applyActivation(Interpreter &in, const Bound &b, Ref out);

/// TF-Slim's utils.collect_named_outputs.
Ref collectNamedOutputs(Interpreter &in, const Ref &collections,
                        std::string alias, const Ref &outputs, llvm::SMLoc loc);

/// Runs `body` inside `tf.variable_scope(scope, defaultName, reuse=reuse)`,
/// the scope/reuse handling of every variable-creating layer.
template <typename F>
Ref inVariableScope(Interpreter &in, const Bound &b,
                    llvm::StringRef defaultName, F body) {
  std::vector<std::pair<std::string, Ref>> kw;
  if (b.get("reuse"))
    kw.emplace_back("reuse", b.get("reuse"));
  Ref ctx = in.callWith(in.requireKnown("tf.variable_scope"), b.loc("scope"),
                        {b.get("scope"), makeStr(defaultName.str())}, kw);
  if (!ctx)
    return nullptr;
  auto *cm = llvm::cast<ContextObj>(ctx.get());
  Ref sc = cm->enter(in, b.callLoc);
  if (!sc)
    return nullptr;
  Ref result = body(llvm::cast<VarScopeObj>(*sc));
  cm->exit(in);
  return result;
}

/// Runs `body` inside `tf.name_scope(scope, defaultName)`, as the layers
/// without variables (pools, dropout, flatten) do.
template <typename F>
Ref inNameScope(Interpreter &in, const Bound &b, llvm::StringRef defaultName,
                F body) {
  Ref ctx = in.callWith(in.requireKnown("tf.name_scope"), b.loc("scope"),
                        {b.get("scope"), makeStr(defaultName.str())});
  if (!ctx)
    return nullptr;
  auto *cm = llvm::cast<ContextObj>(ctx.get());
  Ref sc = cm->enter(in, b.callLoc);
  if (!sc)
    return nullptr;
  Ref result = body(llvm::cast<StrObj>(*sc).value);
  cm->exit(in);
  return result;
}

} // namespace slim

#endif // SLIM_FRONTEND_BUILTINS_LAYERARGS_H
