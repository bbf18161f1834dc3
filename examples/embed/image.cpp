//===- image.cpp - Image loading and preprocessing for the embed example --===//

#include "image.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#ifdef SLIM_EMBED_HAVE_PNG
#include <png.h>
#endif

namespace {

using File = std::unique_ptr<FILE, int (*)(FILE *)>;

/// Reads one header token of a PNM file, skipping '#' comments.
long readPnmNumber(FILE *f, const std::string &path) {
  int c = std::fgetc(f);
  for (;;) {
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r')
      c = std::fgetc(f);
    if (c != '#')
      break;
    while (c != '\n' && c != EOF)
      c = std::fgetc(f);
  }
  long v = 0;
  if (c < '0' || c > '9')
    throw std::runtime_error("'" + path + "': malformed PPM header");
  while (c >= '0' && c <= '9') {
    v = v * 10 + (c - '0');
    if (v > 1000000)
      throw std::runtime_error("'" + path + "': PPM dimension too large");
    c = std::fgetc(f);
  }
  // Exactly one whitespace byte separates the header from the pixels.
  return v;
}

Image loadPnm(FILE *f, const std::string &path, int channels) {
  Image img;
  img.width = int(readPnmNumber(f, path));
  img.height = int(readPnmNumber(f, path));
  long maxval = readPnmNumber(f, path);
  if (img.width <= 0 || img.height <= 0)
    throw std::runtime_error("'" + path + "': empty image");
  if (maxval != 255)
    throw std::runtime_error("'" + path +
                             "': only 8-bit PPM/PGM (maxval "
                             "255) is supported");
  img.channels = channels;
  img.pixels.resize(size_t(img.width) * size_t(img.height) * size_t(channels));
  if (std::fread(img.pixels.data(), 1, img.pixels.size(), f) !=
      img.pixels.size())
    throw std::runtime_error("'" + path + "': truncated pixel data");
  return img;
}

#ifdef SLIM_EMBED_HAVE_PNG
Image loadPng(const std::string &path) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str()))
    throw std::runtime_error("'" + path + "': " + png.message);
  png.format = PNG_FORMAT_RGB; // Strips alpha, expands palettes and gray.
  Image img;
  img.width = int(png.width);
  img.height = int(png.height);
  img.channels = 3;
  img.pixels.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, img.pixels.data(), 0, nullptr)) {
    std::string msg = png.message;
    png_image_free(&png);
    throw std::runtime_error("'" + path + "': " + msg);
  }
  return img;
}
#endif

} // namespace

Image loadImage(const std::string &path) {
  File f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f)
    throw std::runtime_error("cannot open image '" + path + "'");
  unsigned char magic[8] = {};
  size_t got = std::fread(magic, 1, sizeof(magic), f.get());
  if (got >= 2 && magic[0] == 'P' && (magic[1] == '6' || magic[1] == '5')) {
    std::fseek(f.get(), 2, SEEK_SET);
    return loadPnm(f.get(), path, magic[1] == '6' ? 3 : 1);
  }
  if (got == 8 && magic[0] == 0x89 && magic[1] == 'P' && magic[2] == 'N' &&
      magic[3] == 'G') {
#ifdef SLIM_EMBED_HAVE_PNG
    return loadPng(path);
#else
    throw std::runtime_error("'" + path +
                             "' is a PNG, but this build has no libpng");
#endif
  }
  throw std::runtime_error("'" + path +
                           "' is neither a binary PPM/PGM nor a PNG image");
}

std::vector<float> preprocess(const Image &img, int height, int width,
                              int channels, Preprocess pre) {
  // Scale so the shorter side fits, keeping the aspect ratio.
  double scale =
      std::max(double(height) / img.height, double(width) / img.width);
  int rh = std::max(height, int(std::lround(img.height * scale)));
  int rw = std::max(width, int(std::lround(img.width * scale)));
  int top = (rh - height) / 2, left = (rw - width) / 2;
  double sy = double(img.height) / rh, sx = double(img.width) / rw;

  auto sample = [&](int y, int x, int c) -> double {
    return img.pixels[(size_t(y) * size_t(img.width) + size_t(x)) *
                          size_t(img.channels) +
                      size_t(c)];
  };
  static const double vggMeans[3] = {123.68, 116.78, 103.94};
  std::vector<float> out(size_t(height) * size_t(width) * size_t(channels));
  for (int y = 0; y < height; ++y) {
    double inY = (y + top + 0.5) * sy - 0.5;
    double fy = std::floor(inY);
    int y0 = std::clamp(int(fy), 0, img.height - 1);
    int y1 = std::clamp(int(fy) + 1, 0, img.height - 1);
    double wy = inY - fy;
    for (int x = 0; x < width; ++x) {
      double inX = (x + left + 0.5) * sx - 0.5;
      double fx = std::floor(inX);
      int x0 = std::clamp(int(fx), 0, img.width - 1);
      int x1 = std::clamp(int(fx) + 1, 0, img.width - 1);
      double wx = inX - fx;
      double rgb[3];
      for (int c = 0; c < 3; ++c) {
        int sc = img.channels == 1 ? 0 : c;
        double top0 =
            sample(y0, x0, sc) + (sample(y0, x1, sc) - sample(y0, x0, sc)) * wx;
        double bot0 =
            sample(y1, x0, sc) + (sample(y1, x1, sc) - sample(y1, x0, sc)) * wx;
        rgb[c] = top0 + (bot0 - top0) * wy;
      }
      for (int c = 0; c < channels; ++c) {
        // A one-channel model gets the luma of the image.
        double v = channels == 1
                       ? 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
                       : rgb[c];
        switch (pre) {
        case Preprocess::Unit:
          v /= 255.0;
          break;
        case Preprocess::Inception:
          v = (v / 255.0 - 0.5) * 2.0;
          break;
        case Preprocess::Vgg:
          v -= channels == 1 ? 117.0 : vggMeans[c];
          break;
        }
        out[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels) +
            size_t(c)] = float(v);
      }
    }
  }
  return out;
}
