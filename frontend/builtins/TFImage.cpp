//===- TFImage.cpp - tf.image resizing ------------------------------------===//
//
// Every resize function lowers to TF's ResizeNearestNeighbor or
// ResizeBilinear kernel, i.e. to slim.resize with the kernel's
// `align_corners` and `half_pixel_centers`. What differs is how each API
// picks them, so each is bound here with its own TF signature:
//
//   tf.image.resize, resize_images     TF 1's resize_images: align_corners
//   (= tf.compat.v1.image.*)           argument, no half pixel; the same
//                                      size returns the input itself
//   resize_bilinear,
//   resize_nearest_neighbor (TF 1)     both arguments, as the kernels take them
//   tf.compat.v2.image.resize (TF 2)   half_pixel_centers=True
//
//===----------------------------------------------------------------------===//

#include "frontend/GraphOps.h"
#include "frontend/SpatialGraphOps.h"
#include "frontend/builtins/TFOps.h"

#include "dialects/Slim/IR/ShapeRules.h"

#include <cmath>

using namespace slim;
using llvm::cast;
using llvm::dyn_cast;
using llvm::isa;
using llvm::SMLoc;

namespace {

/// How one call resizes, once its API's rules are applied.
struct ResizeSpec {
  std::string method; ///< "nearest" or "bilinear"
  bool alignCorners = false;
  bool halfPixelCenters = false;
  bool preserveAspectRatio = false;
  /// TF 1's resize_images returns its input when the size is unchanged.
  bool skipIfSame = false;
};

/// The `method` argument: TF 2's names ('bilinear', 'nearest'), and for the
/// TF 1 API also ResizeMethodV1's ints (0 bilinear, 1 nearest).
bool getMethod(Interpreter &in, const Bound &b, bool acceptInts,
               std::string &out) {
  Ref v = b.get("method");
  if (auto *s = dyn_cast<StrObj>(v.get())) {
    if (s->value == "bilinear" || s->value == "nearest") {
      out = s->value;
      return true;
    }
    if (llvm::is_contained({"bicubic", "area", "lanczos3", "lanczos5",
                            "gaussian", "mitchellcubic"},
                           s->value)) {
      in.error(b.loc("method"), b.function + ": resize method '" + s->value +
                                    "' is not supported by slimc (nearest "
                                    "and bilinear are)");
      return false;
    }
  } else if (auto *i = dyn_cast<IntObj>(v.get()); i && acceptInts) {
    if (i->value == 0 || i->value == 1) {
      out = i->value == 0 ? "bilinear" : "nearest";
      return true;
    }
    if (i->value == 2 || i->value == 3) {
      in.error(b.loc("method"),
               b.function + ": resize method " + llvm::Twine(i->value) +
                   (i->value == 2 ? " (BICUBIC)" : " (AREA)") +
                   " is not supported by slimc (nearest and bilinear are)");
      return false;
    }
  }
  in.error(b.loc("method"), b.function + ": Resize method is not implemented: " +
                                reprValue(*v));
  return false;
}

/// `images` (3-D or 4-D), resized to `size` as `spec` says.
Ref resize(Interpreter &in, const Bound &b, const ResizeSpec &spec,
           SMLoc loc) {
  TensorObj *x = getTensor(in, b, "images");
  if (!x)
    return nullptr;
  if (x->shape.size() != 3 && x->shape.size() != 4)
    return in.error(b.loc("images"),
                    b.function + ": 'images' must have either 3 or 4 "
                                 "dimensions, got shape [" +
                        mlir::slim::shapeToString(x->shape) + "]");
  std::vector<int64_t> size;
  if (!getIntList(in, b.get("size"), b.loc("size"), "size", size))
    return nullptr;
  if (size.size() != 2)
    return in.error(b.loc("size"), b.function + ": 'size' must be a 1-D "
                                                "Tensor of 2 elements: "
                                                "new_height, new_width");
  bool batched = x->shape.size() == 4;
  int64_t h = x->shape[batched ? 1 : 0], w = x->shape[batched ? 2 : 1];
  if (spec.preserveAspectRatio) {
    // TF's float32 arithmetic, rounding half to even as tf.round does.
    float scale = std::min(float(size[0]) / float(h), float(size[1]) / float(w));
    size[0] = int64_t(std::nearbyint(scale * float(h)));
    size[1] = int64_t(std::nearbyint(scale * float(w)));
  }
  if (spec.skipIfSame && size[0] == h && size[1] == w)
    return b.get("images");
  return withOpName(in, b, "name", [&]() -> Ref {
    TensorObj *input = x;
    Ref batch;
    if (!batched) {
      llvm::SmallVector<int64_t, 4> shape = {1};
      shape.append(x->shape.begin(), x->shape.end());
      batch = emitReshape(in, *x, shape, "ExpandDims", loc);
      if (!batch)
        return nullptr;
      input = cast<TensorObj>(batch.get());
    }
    Ref out = emitResize(in, b.function, *input, size[0], size[1],
                         spec.method, spec.alignCorners, spec.halfPixelCenters,
                         loc);
    if (!out || batched)
      return out;
    auto &t = cast<TensorObj>(*out);
    return emitReshape(in, t, llvm::ArrayRef<int64_t>(t.shape).drop_front(),
                       "Squeeze", loc);
  });
}

/// tf.image.resize in TF 2: half-pixel centers for both methods.
Ref resizeV2(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "resize",
                {{"images", nullptr},
                 {"size", nullptr},
                 {"method", makeStr("bilinear")},
                 {"preserve_aspect_ratio", makeBool(false)},
                 {"antialias", makeBool(false)},
                 {"name", none()}},
                args, b))
    return nullptr;
  ResizeSpec spec;
  bool antialias;
  if (!getMethod(in, b, /*acceptInts=*/false, spec.method) ||
      !getBool(in, b, "preserve_aspect_ratio", spec.preserveAspectRatio) ||
      !getBool(in, b, "antialias", antialias))
    return nullptr;
  // TF ignores antialias for nearest; for bilinear it switches to another
  // kernel (ScaleAndTranslate).
  if (antialias && spec.method == "bilinear")
    return in.error(b.loc("antialias"), "resize: antialias=True is not "
                                        "supported by slimc");
  spec.halfPixelCenters = true;
  return resize(in, b, spec, args.loc);
}

/// TF 1's resize_images (tf.compat.v1.image.resize).
Ref resizeImagesV1(Interpreter &in, CallArgs &args) {
  Bound b;
  if (!bindArgs(in, "resize_images",
                {{"images", nullptr},
                 {"size", nullptr},
                 {"method", makeInt(0)},
                 {"align_corners", makeBool(false)},
                 {"preserve_aspect_ratio", makeBool(false)},
                 {"name", none()}},
                args, b))
    return nullptr;
  ResizeSpec spec;
  spec.skipIfSame = true;
  if (!getMethod(in, b, /*acceptInts=*/true, spec.method) ||
      !getBool(in, b, "align_corners", spec.alignCorners) ||
      !getBool(in, b, "preserve_aspect_ratio", spec.preserveAspectRatio))
    return nullptr;
  return resize(in, b, spec, args.loc);
}

/// TF 1's resize_nearest_neighbor / resize_bilinear: the kernels' own
/// attributes, 4-D images only.
Ref resizeKernel(Interpreter &in, CallArgs &args, llvm::StringRef function,
                 llvm::StringRef method) {
  Bound b;
  if (!bindArgs(in, function,
                {{"images", nullptr},
                 {"size", nullptr},
                 {"align_corners", makeBool(false)},
                 {"name", none()},
                 {"half_pixel_centers", makeBool(false)}},
                args, b))
    return nullptr;
  ResizeSpec spec;
  spec.method = method.str();
  if (!getBool(in, b, "align_corners", spec.alignCorners) ||
      !getBool(in, b, "half_pixel_centers", spec.halfPixelCenters))
    return nullptr;
  TensorObj *x = getTensor(in, b, "images");
  if (!x)
    return nullptr;
  if (x->shape.size() != 4)
    return in.error(b.loc("images"), function + ": input must be 4-dimensional, "
                                                "got shape [" +
                                         mlir::slim::shapeToString(x->shape) +
                                         "]");
  return resize(in, b, spec, args.loc);
}

Ref resizeNearestNeighbor(Interpreter &in, CallArgs &args) {
  return resizeKernel(in, args, "resize_nearest_neighbor", "nearest");
}

Ref resizeBilinear(Interpreter &in, CallArgs &args) {
  return resizeKernel(in, args, "resize_bilinear", "bilinear");
}

// slimc's `tf` is TF 1's API (the files are TF 1's, and the harness runs them
// as tf.compat.v1): its image.resize is TF 1's resize_images. TF 2's resize
// is tf.compat.v2.image.resize, as in TF 1.15.
const BuiltinDef imageBuiltins[] = {
    {"tf.image", "resize_images", "resize_images", resizeImagesV1},
    {"tf.image", "resize_nearest_neighbor", "resize_nearest_neighbor",
     resizeNearestNeighbor},
    {"tf.image", "resize_bilinear", "resize_bilinear", resizeBilinear},
    {"tf.compat.v2.image", "resize", "resize_images_v2", resizeV2},
};

const BuiltinAlias imageAliases[] = {
    {"tf.image", "resize_images", "tf.image", "resize"},
};

} // namespace

llvm::ArrayRef<BuiltinDef> slim::tfImageBuiltins() { return imageBuiltins; }
llvm::ArrayRef<BuiltinAlias> slim::tfImageAliases() { return imageAliases; }
