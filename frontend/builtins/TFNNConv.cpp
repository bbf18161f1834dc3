//===- TFNNConv.cpp - tf.nn.conv2d_transpose ------------------------------===//
//
// TF's own transposed convolution, with TF 1's signature (value, filter) and
// TF 2's keywords (input, filters): the caller gives the output shape, which
// must be one the forward convolution maps back onto the input, exactly as
// TF's conv2d_backprop_input checks.
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps.h"
#include "frontend/builtins/TFOps.h"

#include "dialects/Slim/IR/CheckedInt.h"
#include "dialects/Slim/IR/ShapeRules.h"

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;

namespace {

/// strides: an int, or 1, 2 or 4 ints (the last with 1 for N and C).
bool getStrides(Interpreter &in, const Bound &b, int64_t out[2]) {
  Ref v = b.get("strides");
  std::vector<int64_t> s;
  if (auto *i = dyn_cast<IntObj>(v.get()))
    s.push_back(i->value);
  else if (!getIntList(in, v, b.loc("strides"), "strides", s))
    return false;
  if (s.size() == 1)
    s = {s[0], s[0]};
  else if (s.size() == 4) {
    if (s[0] != 1 || s[3] != 1) {
      in.error(b.loc("strides"), "conv2d_transpose: strides in the batch and "
                                 "depth dimensions must be 1");
      return false;
    }
    s = {s[1], s[2]};
  }
  if (s.size() != 2 || s[0] < 1 || s[1] < 1) {
    in.error(b.loc("strides"), "conv2d_transpose: strides must be a positive "
                               "int or a list of 1, 2 or 4 of them");
    return false;
  }
  out[0] = s[0];
  out[1] = s[1];
  return true;
}

Ref conv2dTranspose(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "conv2d_transpose",
                {{"value", none()},
                 {"filter", none()},
                 {"output_shape", none()},
                 {"strides", none()},
                 {"padding", makeStr("SAME")},
                 {"data_format", makeStr("NHWC")},
                 {"name", none()},
                 {"input", none()},
                 {"filters", none()},
                 {"dilations", none()}},
                args, b))
    return nullptr;
  // Each tensor under either of its names, as TF 1's deprecation shim takes
  // them.
  auto either = [&](llvm::StringRef v1, llvm::StringRef v2) -> TensorObj * {
    if (!b.isNone(v1) && !b.isNone(v2)) {
      in.error(b.loc(v2),
               "conv2d_transpose: give '" + v1 + "' or '" + v2 + "', not both");
      return nullptr;
    }
    if (b.isNone(v1) && b.isNone(v2)) {
      in.error(args.loc, "conv2d_transpose: missing argument '" + v1 + "'");
      return nullptr;
    }
    return getTensor(in, b, b.isNone(v1) ? v2 : v1);
  };
  TensorObj *x = either("value", "input");
  TensorObj *filter = x ? either("filter", "filters") : nullptr;
  if (!filter)
    return nullptr;
  if (b.isNone("output_shape") || b.isNone("strides"))
    return in.error(args.loc, "conv2d_transpose: output_shape and strides "
                              "are required");
  std::string format, padding;
  if (!getString(in, b, "data_format", format) ||
      !getString(in, b, "padding", padding))
    return nullptr;
  if (format != "NHWC")
    return in.error(b.loc("data_format"), "conv2d_transpose: slimc compiles "
                                          "NHWC only, got '" +
                                              format + "'");
  std::string upper = llvm::StringRef(padding).upper();
  if (upper != "SAME" && upper != "VALID")
    return in.error(b.loc("padding"), "conv2d_transpose: padding must be "
                                      "'SAME' or 'VALID', got '" +
                                          padding + "'");
  if (!b.isNone("dilations")) {
    std::vector<int64_t> d;
    Ref v = b.get("dilations");
    if (auto *i = dyn_cast<IntObj>(v.get()))
      d.push_back(i->value);
    else if (!getIntList(in, v, b.loc("dilations"), "dilations", d))
      return nullptr;
    if (llvm::any_of(d, [](int64_t r) { return r != 1; }))
      return in.error(b.loc("dilations"), "conv2d_transpose: slimc does not "
                                          "support dilations");
  }
  int64_t strides[2];
  std::vector<int64_t> outShape;
  if (!getStrides(in, b, strides) ||
      !getIntList(in, b.get("output_shape"), b.loc("output_shape"),
                  "output_shape", outShape))
    return nullptr;
  llvm::ArrayRef<int64_t> xs = x->shape, fs = filter->shape;
  if (xs.size() != 4 || fs.size() != 4 || outShape.size() != 4)
    return in.error(args.loc,
                    "conv2d_transpose: input, filter and output_shape must be "
                    "4-D, got [" +
                        mlir::slim::shapeToString(xs) + "], [" +
                        mlir::slim::shapeToString(fs) + "] and [" +
                        mlir::slim::shapeToString(outShape) + "]");
  if (fs[3] != xs[3])
    return in.error(args.loc, "conv2d_transpose: the filter [" +
                                  mlir::slim::shapeToString(fs) + "] takes " +
                                  llvm::Twine(fs[3]) +
                                  " input channels (its last axis) but the "
                                  "input has " +
                                  llvm::Twine(xs[3]));
  if (outShape[0] != xs[0] || outShape[3] != fs[2])
    return in.error(b.loc("output_shape"),
                    "conv2d_transpose: output_shape [" +
                        mlir::slim::shapeToString(outShape) +
                        "] must have the input's batch " + llvm::Twine(xs[0]) +
                        " and the filter's " + llvm::Twine(fs[2]) +
                        " output channels");
  llvm::SmallVector<int64_t, 4> pads(4, 0);
  for (int d = 0; d < 2; ++d) {
    int64_t out = outShape[1 + d], k = fs[d], s = strides[d];
    // The forward convolution of the output must give back the input.
    // out is the model's own number: checked, as are k and s.
    std::optional<int64_t> sum;
    if (out >= 1)
      sum = upper == "SAME" ? slim::checked::add(out, s - 1)
                            : slim::checked::add(out - k, s);
    int64_t computed = sum ? *sum / s : -1;
    if (out < 1 || computed != xs[1 + d])
      return in.error(
          b.loc("output_shape"),
          "conv2d_transpose: size of out_backprop doesn't match "
          "computed: actual = " +
              llvm::Twine(xs[1 + d]) + ", computed = " + llvm::Twine(computed) +
              " spatial_dim: " + llvm::Twine(1 + d) +
              " input: " + llvm::Twine(out) + " filter: " + llvm::Twine(k) +
              " output: " + llvm::Twine(xs[1 + d]) +
              " stride: " + llvm::Twine(s));
    if (!mlir::slim::computeTransposePadding(xs[1 + d], out, k, s,
                                             upper == "SAME", pads[2 * d],
                                             pads[2 * d + 1]))
      return in.error(b.loc("output_shape"),
                      "conv2d_transpose: integer overflow in the padding of "
                      "spatial dimension " +
                          llvm::Twine(1 + d));
  }
  return withOpName(in, b, "name", [&] {
    return emitConv2DTranspose(in, *x, *filter, strides, pads, args.loc);
  });
}

const BuiltinDef nnConvBuiltins[] = {
    {"tf.nn", "conv2d_transpose", "conv2d_transpose", conv2dTranspose},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfNNConvBuiltins() { return nnConvBuiltins; }
