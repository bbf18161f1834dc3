//===- Layers3D.cpp - 3-D convolution and pooling -------------------------===//
//
// The video family: slim.conv3d (convolution3d), slim.max_pool3d and
// slim.avg_pool3d with tf_slim 1.1.0's signatures, defaults, scope names and
// errors, and the plain TensorFlow ops beneath them, tf.nn.conv3d,
// tf.nn.max_pool3d and tf.nn.avg_pool3d. Activations are NDHWC
// ([batch, time, height, width, channels]), filters DHWIO.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps3D.h"
#include "frontend/builtins/LayerArgs.h"
#include "frontend/builtins/TFOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

namespace {

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  return "[" + mlir::slim::shapeToString(shape) + "]";
}

/// An int `k` (meaning [k, k, k]) or a list/tuple of three ints, as Keras'
/// 3-D layers take kernel_size, strides and dilation_rate.
bool getIntTriple(Interpreter &in, const Bound &b, llvm::StringRef name,
                  int64_t out[3]) {
  Ref v = b.get(name);
  if (auto *i = dyn_cast<IntObj>(v.get())) {
    out[0] = out[1] = out[2] = i->value;
    return true;
  }
  std::vector<int64_t> values;
  if (!isa<SeqObj>(*v)) {
    in.error(b.loc(name), b.function + "(): '" + name +
                              "' must be an int or a list of three ints, not " +
                              typeName(*v));
    return false;
  }
  if (!getIntList(in, v, b.loc(name), b.function + "(): '" + name.str() + "'",
                  values))
    return false;
  if (values.size() != 3) {
    in.error(b.loc(name), b.function + "(): '" + name +
                              "' must have 3 elements, got " +
                              llvm::Twine(values.size()));
    return false;
  }
  std::copy(values.begin(), values.end(), out);
  return true;
}

/// The `inputs` argument as a 5-D tensor; `rankMessage` is the library's
/// message for another rank (without the rank found).
TensorObj *get5DInput(Interpreter &in, const Bound &b, llvm::StringRef name,
                      const llvm::Twine &rankMessage) {
  TensorObj *x = getTensor(in, b, name);
  if (!x)
    return nullptr;
  if (x->shape.size() != 5) {
    in.error(b.loc(name), b.function + "(): " + rankMessage +
                              llvm::Twine(x->shape.size()) + " (shape " +
                              shapeText(x->shape) + ")");
    return nullptr;
  }
  return x;
}

/// A 3-D window: kernel_size, stride, rate and the padding it resolves to.
struct Window3D {
  int64_t kernel[3];
  int64_t stride[3];
  int64_t rate[3] = {1, 1, 1};
  std::string padding;
  llvm::SmallVector<int64_t, 6> pads;
};

bool getWindow3D(Interpreter &in, const Bound &b, const TensorObj &x,
                 Window3D &w) {
  if (!getIntTriple(in, b, "kernel_size", w.kernel) ||
      !getIntTriple(in, b, "stride", w.stride) ||
      (b.get("rate") && !getIntTriple(in, b, "rate", w.rate)))
    return false;
  for (int i = 0; i < 3; ++i)
    if (w.kernel[i] < 1 || w.stride[i] < 1 || w.rate[i] < 1) {
      in.error(b.callLoc, b.function + "(): kernel_size, stride and rate must "
                                       "be positive");
      return false;
    }
  bool strided = w.stride[0] > 1 || w.stride[1] > 1 || w.stride[2] > 1;
  bool dilated = w.rate[0] > 1 || w.rate[1] > 1 || w.rate[2] > 1;
  if (strided && dilated) {
    in.error(b.loc("rate"), b.function + "(): only one of rate or stride can "
                                         "be larger than one");
    return false;
  }
  return getString(in, b, "padding", w.padding) &&
         resolvePadding3D(in, b.function + "()", w.padding, b.loc("padding"),
                          x.shape, w.kernel, w.stride, w.rate, w.pads);
}

/// slim.conv3d's data_format: None or any channels-last format
/// (tf_slim's `convolution` only looks at the 'NC' prefix); the
/// channels-first ones are valid TF-Slim that slimc does not compile.
bool checkConvDataFormat(Interpreter &in, const Bound &b) {
  Ref v = b.get("data_format");
  if (isNone(v))
    return true;
  auto *s = dyn_cast<StrObj>(v.get());
  static const char *const valid[] = {"NWC",  "NCW",   "NHWC",
                                      "NCHW", "NDHWC", "NCDHW"};
  if (!s || !llvm::is_contained(valid, s->value)) {
    in.error(b.loc("data_format"),
             b.function +
                 "(): ValueError: Invalid data_format: " + reprValue(*v));
    return false;
  }
  if (llvm::StringRef(s->value).starts_with("NC")) {
    in.error(b.loc("data_format"),
             b.function +
                 "(): slimc compiles channels-last (NDHWC) models; "
                 "data_format=" +
                 reprValue(*v) + " is not supported");
    return false;
  }
  return true;
}

/// The 3-D pools' and tf.nn's data_format: 'NDHWC' or 'NCDHW'; only NDHWC
/// is compiled. `what` names the function in messages.
bool checkNDHWCDataFormat(Interpreter &in, const Bound &b,
                          const llvm::Twine &what,
                          const llvm::Twine &invalidMessage) {
  Ref v = b.get("data_format");
  auto *s = dyn_cast<StrObj>(v.get());
  if (s && s->value == "NDHWC")
    return true;
  if (s && s->value == "NCDHW")
    in.error(b.loc("data_format"),
             what + ": slimc compiles channels-last (NDHWC) models; "
                    "data_format='NCDHW' is not supported");
  else
    in.error(b.loc("data_format"), what + ": " + invalidMessage);
  return false;
}

Ref conv3d(Interpreter &in, CallArgs &args) {
  std::vector<ParamSpec> params = weightLayerParams(
      in, {{"inputs", nullptr},
           {"num_outputs", nullptr},
           {"kernel_size", nullptr},
           {"stride", makeInt(1)},
           {"padding", makeStr("SAME")},
           {"data_format", none()},
           {"rate", makeInt(1)},
           {"activation_fn", in.requireKnown("activation:relu")}});
  Bound b;
  TensorObj *x = nullptr;
  int64_t numOutputs;
  Window3D w;
  if (!bindArgs(in, "convolution3d", params, args, b) ||
      !checkConvDataFormat(in, b) ||
      !(x = get5DInput(in, b, "inputs",
                       "ValueError: Convolution expects input with rank 5, "
                       "got ")) ||
      !getInt(in, b, "num_outputs", numOutputs) ||
      !checkWeightLayerSpecs(in, b))
    return nullptr;
  if (numOutputs < 1)
    return in.error(b.loc("num_outputs"),
                    "convolution3d(): num_outputs must be positive");
  if (!getWindow3D(in, b, *x, w))
    return nullptr;
  return inVariableScope(in, b, "Conv", [&](VarScopeObj &sc) -> Ref {
    Ref weights = layerVariable(
        in, b, "weights",
        {w.kernel[0], w.kernel[1], w.kernel[2], x->shape[4], numOutputs},
        b.get("weights_initializer"), b.get("weights_regularizer"));
    if (!weights)
      return nullptr;
    Ref out = emitConv3D(in, "convolution3d()", *x, cast<TensorObj>(*weights),
                         w.stride, w.rate, w.pads, args.loc);
    if (!out)
      return nullptr;
    out = normalizeBiasActivate(in, b, out, numOutputs);
    return collectNamedOutputs(in, b.get("outputs_collections"), sc.name, out,
                               args.loc);
  });
}

/// slim.max_pool3d and slim.avg_pool3d: a name scope (no variables).
Ref pool3d(Interpreter &in, CallArgs &args, bool isMax) {
  Bound b;
  TensorObj *x = nullptr;
  Window3D w;
  if (!bindArgs(in, isMax ? "max_pool3d" : "avg_pool3d",
                {{"inputs", nullptr},
                 {"kernel_size", nullptr},
                 {"stride", makeInt(2)},
                 {"padding", makeStr("VALID")},
                 {"data_format", makeStr("NDHWC")},
                 {"outputs_collections", none()},
                 {"scope", none()}},
                args, b) ||
      !checkNDHWCDataFormat(
          in, b, b.function + "()",
          "ValueError: data_format has to be either NCDHW or NDHWC.") ||
      !(x = get5DInput(in, b, "inputs",
                       "expects a 5-D NDHWC input, got rank ")) ||
      !getWindow3D(in, b, *x, w))
    return nullptr;
  return inNameScope(in, b, isMax ? "MaxPool3D" : "AvgPool3D",
                     [&](const std::string &sc) -> Ref {
                       Ref out =
                           emitPool3D(in, b.function + "()", isMax, *x,
                                      w.kernel, w.stride, w.pads, args.loc);
                       return collectNamedOutputs(
                           in, b.get("outputs_collections"), sc, out, args.loc);
                     });
}

Ref maxPool3d(Interpreter &in, CallArgs &args) {
  return pool3d(in, args, /*isMax=*/true);
}

Ref avgPool3d(Interpreter &in, CallArgs &args) {
  return pool3d(in, args, /*isMax=*/false);
}

/// A tf.nn window argument of a 5-D op (strides, ksize, dilations): an int,
/// or a list of 1, 3 or 5 ints; a 5-list must be 1 on the batch and channel
/// axes. Fills the [d, h, w] values.
bool getNNWindow(Interpreter &in, const Bound &b, llvm::StringRef name,
                 llvm::StringRef op, int64_t out[3]) {
  Ref v = b.get(name);
  std::vector<int64_t> values;
  if (auto *i = dyn_cast<IntObj>(v.get()))
    values.push_back(i->value);
  else if (!getIntList(in, v, b.loc(name),
                       "tf.nn." + op.str() + ": '" + name.str() + "'", values))
    return false;
  if (values.size() == 1)
    values.assign(3, values[0]);
  else if (values.size() == 5) {
    if (values[0] != 1 || values[4] != 1) {
      std::string got;
      for (int64_t v : values)
        got += (got.empty() ? "" : ", ") + std::to_string(v);
      in.error(b.loc(name), "tf.nn." + op + ": '" + name +
                                "' must be 1 on the batch and channel axes, "
                                "got [" +
                                got + "]");
      return false;
    }
    values = {values[1], values[2], values[3]};
  }
  if (values.size() != 3) {
    in.error(b.loc(name), "tf.nn." + op + ": '" + name +
                              "' must be an int or a list of 1, 3 or 5 ints");
    return false;
  }
  for (int i = 0; i < 3; ++i) {
    if (values[i] < 1) {
      in.error(b.loc(name),
               "tf.nn." + op + ": '" + name + "' must be positive");
      return false;
    }
    out[i] = values[i];
  }
  return true;
}

TensorObj *getNN5DInput(Interpreter &in, const Bound &b, llvm::StringRef op) {
  TensorObj *x = getTensor(in, b, "input");
  if (x && x->shape.size() != 5) {
    in.error(b.loc("input"), "tf.nn." + op +
                                 ": input must be 5-D (NDHWC), got shape " +
                                 shapeText(x->shape));
    return nullptr;
  }
  return x;
}

Ref nnConv3d(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "conv3d",
                {{"input", nullptr},
                 {"filter", none()},
                 {"strides", none()},
                 {"padding", none()},
                 {"data_format", makeStr("NDHWC")},
                 {"dilations", none()},
                 {"name", none()},
                 {"filters", none()}},
                args, b) ||
      !checkNDHWCDataFormat(in, b, "tf.nn.conv3d",
                            "data_format must be 'NDHWC' or 'NCDHW'"))
    return nullptr;
  TensorObj *x = getNN5DInput(in, b, "conv3d");
  if (!x)
    return nullptr;
  llvm::StringRef filterArg = b.isNone("filter") ? "filters" : "filter";
  if (!b.isNone("filter") && !b.isNone("filters"))
    return in.error(b.loc("filters"), "tf.nn.conv3d: pass the filter as "
                                      "'filter' or 'filters', not both");
  if (b.isNone(filterArg))
    return in.error(args.loc, "tf.nn.conv3d: missing the filter argument");
  TensorObj *filter = getTensor(in, b, filterArg);
  if (!filter)
    return nullptr;
  if (b.isNone("strides"))
    return in.error(args.loc, "tf.nn.conv3d: missing the strides argument");
  if (b.isNone("padding"))
    return in.error(args.loc, "tf.nn.conv3d: missing the padding argument");
  int64_t stride[3], rate[3] = {1, 1, 1};
  std::string padding;
  if (!getNNWindow(in, b, "strides", "conv3d", stride) ||
      (!b.isNone("dilations") &&
       !getNNWindow(in, b, "dilations", "conv3d", rate)) ||
      !getString(in, b, "padding", padding))
    return nullptr;
  llvm::SmallVector<int64_t, 6> pads;
  int64_t kernel[3] = {1, 1, 1};
  if (filter->shape.size() == 5)
    std::copy(filter->shape.begin(), filter->shape.begin() + 3, kernel);
  if (!resolvePadding3D(in, "tf.nn.conv3d", padding, b.loc("padding"), x->shape,
                        kernel, stride, rate, pads))
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitConv3D(in, "tf.nn.conv3d", *x, *filter, stride, rate, pads,
                      args.loc);
  });
}

/// tf.nn.max_pool3d and tf.nn.avg_pool3d.
Ref nnPool3d(Interpreter &in, CallArgs &args, bool isMax) {
  llvm::StringRef op = isMax ? "max_pool3d" : "avg_pool3d";
  Bound b;
  if (!bindArgs(in, op,
                {{"input", nullptr},
                 {"ksize", nullptr},
                 {"strides", nullptr},
                 {"padding", nullptr},
                 {"data_format", makeStr("NDHWC")},
                 {"name", none()}},
                args, b) ||
      !checkNDHWCDataFormat(in, b, "tf.nn." + op,
                            "data_format must be 'NDHWC' or 'NCDHW'"))
    return nullptr;
  TensorObj *x = getNN5DInput(in, b, op);
  int64_t kernel[3], stride[3], rate[3] = {1, 1, 1};
  std::string padding;
  llvm::SmallVector<int64_t, 6> pads;
  if (!x || !getNNWindow(in, b, "ksize", op, kernel) ||
      !getNNWindow(in, b, "strides", op, stride) ||
      !getString(in, b, "padding", padding) ||
      !resolvePadding3D(in, "tf.nn." + op.str(), padding, b.loc("padding"),
                        x->shape, kernel, stride, rate, pads))
    return nullptr;
  return withOpName(in, b, "name", [&] {
    return emitPool3D(in, "tf.nn." + op.str(), isMax, *x, kernel, stride, pads,
                      args.loc);
  });
}

Ref nnMaxPool3d(Interpreter &in, CallArgs &args) {
  return nnPool3d(in, args, /*isMax=*/true);
}

Ref nnAvgPool3d(Interpreter &in, CallArgs &args) {
  return nnPool3d(in, args, /*isMax=*/false);
}

const BuiltinDef layers3DTable[] = {
    {"slim", "conv3d", "convolution3d", conv3d, true},
    {"slim", "max_pool3d", "max_pool3d", maxPool3d, true},
    {"slim", "avg_pool3d", "avg_pool3d", avgPool3d, true},
    {"tf.nn", "conv3d", "conv3d", nnConv3d},
    {"tf.nn", "max_pool3d", "max_pool3d", nnMaxPool3d},
    {"tf.nn", "avg_pool3d", "avg_pool3d", nnAvgPool3d},
};

const BuiltinAlias layer3DAliasTable[] = {
    {"slim", "conv3d", "slim", "convolution3d"},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::layer3DBuiltins() { return layers3DTable; }
llvm::ArrayRef<BuiltinAlias> slim::layer3DAliases() {
  return layer3DAliasTable;
}
