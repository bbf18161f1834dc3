//===- image.h - Image loading and preprocessing for the embed example ----===//
#ifndef SLIM_EMBED_IMAGE_H
#define SLIM_EMBED_IMAGE_H

#include <cstdint>
#include <string>
#include <vector>

/// An 8-bit image, row-major, interleaved channels (RGB or gray).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
};

/// Loads a binary PPM (P6) or PGM (P5) file, or a PNG when built with
/// libpng. Throws std::runtime_error with a readable message.
Image loadImage(const std::string &path);

/// TF-Slim preprocessing variants.
enum class Preprocess {
  Unit,      ///< x / 255, in [0, 1].
  Inception, ///< (x / 255 - 0.5) * 2, in [-1, 1] (inception_preprocessing).
  Vgg,       ///< x - per-channel ImageNet means (vgg_preprocessing).
};

/// Resizes `img` (bilinear, half-pixel centers, as TensorFlow's
/// resize_bilinear with half_pixel_centers=True) so that its shorter side
/// matches the target, center-crops to height x width, converts to
/// `channels` and applies `pre`. Returns NHWC floats for one image.
std::vector<float> preprocess(const Image &img, int height, int width,
                              int channels, Preprocess pre);

#endif // SLIM_EMBED_IMAGE_H
