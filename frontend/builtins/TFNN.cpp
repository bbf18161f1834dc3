//===- TFNN.cpp - tf.nn ---------------------------------------------------===//
//
// tf.nn's activations (also reachable as tf.sigmoid and tf.tanh), softmax
// and bias_add.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps.h"
#include "frontend/builtins/TFOps.h"

using namespace slim;

namespace {

/// tf.nn.relu and the other elementwise activations share TF's
/// (features, name) signature.
Ref activation(Interpreter &in, CallArgs &args, llvm::StringRef k) {
  Bound b;
  if (!bindArgs(in, k, {{"features", nullptr}, {"name", none()}}, args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "features");
  if (!x)
    return nullptr;
  return withOpName(in, b, "name",
                    [&] { return emitActivation(in, *x, k, args.loc); });
}

Ref relu(Interpreter &in, CallArgs &args) {
  return activation(in, args, "relu");
}
Ref relu6(Interpreter &in, CallArgs &args) {
  return activation(in, args, "relu6");
}
Ref sigmoid(Interpreter &in, CallArgs &args) {
  return activation(in, args, "sigmoid");
}
Ref tanh(Interpreter &in, CallArgs &args) {
  return activation(in, args, "tanh");
}
Ref elu(Interpreter &in, CallArgs &args) { return activation(in, args, "elu"); }
Ref softplus(Interpreter &in, CallArgs &args) {
  return activation(in, args, "softplus");
}

Ref softmax(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "softmax",
                {{"logits", nullptr}, {"axis", none()}, {"name", none()}}, args,
                b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "logits");
  if (!x)
    return nullptr;
  if (!b.isNone("axis")) {
    int64_t axis;
    if (!getInt(in, b, "axis", axis))
      return nullptr;
    if (axis != -1 && axis != int64_t(x->shape.size()) - 1)
      return in.error(b.loc("axis"),
                      "slimc's softmax works over the last axis only");
  }
  return withOpName(in, b, "name",
                    [&] { return emitSoftmax(in, *x, args.loc); });
}

Ref biasAdd(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "bias_add",
                {{"value", nullptr},
                 {"bias", nullptr},
                 {"data_format", none()},
                 {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "value");
  TensorObj *bias = x ? getTensor(in, b, "bias") : nullptr;
  if (!bias)
    return nullptr;
  return withOpName(in, b, "name",
                    [&] { return emitBiasAdd(in, *x, *bias, args.loc); });
}

// The activations are known as "activation:<kind>": slim's layers default
// activation_fn to tf.nn.relu itself.
const BuiltinDef nnBuiltins[] = {
    {"tf.nn", "relu", "relu", relu, false, "activation:relu"},
    {"tf.nn", "relu6", "relu6", relu6, false, "activation:relu6"},
    {"tf.nn", "sigmoid", "sigmoid", sigmoid, false, "activation:sigmoid"},
    {"tf.nn", "tanh", "tanh", tanh, false, "activation:tanh"},
    {"tf.nn", "elu", "elu", elu, false, "activation:elu"},
    {"tf.nn", "softplus", "softplus", softplus, false, "activation:softplus"},
    {"tf.nn", "softmax", "softmax", softmax},
    {"tf.nn", "bias_add", "bias_add", biasAdd},
};

const BuiltinAlias nnAliases[] = {
    {"tf.nn", "sigmoid", "tf", "sigmoid"},
    {"tf.nn", "tanh", "tf", "tanh"},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfNNBuiltins() { return nnBuiltins; }
llvm::ArrayRef<BuiltinAlias> slim::tfNNAliases() { return nnAliases; }
