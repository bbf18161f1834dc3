//===- TFNN.cpp - tf.nn ---------------------------------------------------===//
//
// tf.nn's activations (also reachable as tf.sigmoid, tf.tanh and tf.math.*),
// softmax, bias_add and local response normalization.
//
//===----------------------------------------------------------------------===//

#include "frontend/ElementwiseGraphOps.h"
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
Ref selu(Interpreter &in, CallArgs &args) {
  return activation(in, args, "selu");
}

/// tf.nn.leaky_relu(features, alpha=0.2): x > 0 ? x : alpha * x.
Ref leakyRelu(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(
          in, "tf.nn.leaky_relu",
          {{"features", nullptr}, {"alpha", makeFloat(0.2)}, {"name", none()}},
          args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "features");
  double alpha;
  if (!x || !getFloat(in, b, "alpha", alpha))
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitActivation(in, *x, "leaky_relu", args.loc, alpha);
  });
}

/// tf.nn.lrn = tf.nn.local_response_normalization, TF's defaults.
Ref lrn(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "tf.nn.lrn",
                {{"input", nullptr},
                 {"depth_radius", makeInt(5)},
                 {"bias", makeFloat(1.0)},
                 {"alpha", makeFloat(1.0)},
                 {"beta", makeFloat(0.5)},
                 {"name", none()}},
                args, b))
    return nullptr;
  TensorObj *x = getTensor(in, b, "input");
  int64_t radius;
  double bias, alpha, beta;
  if (!x || !getInt(in, b, "depth_radius", radius) ||
      !getFloat(in, b, "bias", bias) || !getFloat(in, b, "alpha", alpha) ||
      !getFloat(in, b, "beta", beta))
    return nullptr;
  if (radius < 0)
    return in.error(b.loc("depth_radius"),
                    "tf.nn.lrn: depth_radius must be non-negative, got " +
                        llvm::Twine(radius));
  return withOpName(in, b, "name", [&] {
    return emitLrn(in, *x, radius, bias, alpha, beta, "tf.nn.lrn", args.loc);
  });
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
    {"tf.nn", "selu", "selu", selu},
    {"tf.nn", "leaky_relu", "leaky_relu", leakyRelu},
    {"tf.nn", "lrn", "lrn", lrn},
    {"tf.nn", "softmax", "softmax", softmax},
    {"tf.nn", "bias_add", "bias_add", biasAdd},
};

const BuiltinAlias nnAliases[] = {
    {"tf.nn", "sigmoid", "tf", "sigmoid"},
    {"tf.nn", "tanh", "tf", "tanh"},
    {"tf.nn", "sigmoid", "tf.math", "sigmoid"},
    {"tf.nn", "tanh", "tf.math", "tanh"},
    {"tf.nn", "softplus", "tf.math", "softplus"},
    {"tf.nn", "lrn", "tf.nn", "local_response_normalization"},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfNNBuiltins() { return nnBuiltins; }
llvm::ArrayRef<BuiltinAlias> slim::tfNNAliases() { return nnAliases; }
