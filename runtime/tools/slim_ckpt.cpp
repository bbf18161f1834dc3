//===- slim_ckpt.cpp - List, verify and convert checkpoints ---------------===//
//
//   slim-ckpt list CKPT            names, dtypes, shapes, sizes
//   slim-ckpt verify CKPT          read every tensor, checking checksums
//   slim-ckpt convert [--to F] CKPT OUT
//                                  any readable checkpoint -> safetensors or
//                                  a TensorFlow V2 prefix
//
//===----------------------------------------------------------------------===//

#include "slim/slim_runtime.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

const char *kUsage =
    "usage: slim-ckpt list CKPT\n"
    "       slim-ckpt verify CKPT\n"
    "       slim-ckpt convert [--to safetensors|tf] CKPT OUT\n"
    "CKPT is a safetensors file, a TensorFlow V2 prefix (or its .index) or "
    "a TensorFlow V1 file.\n"
    "convert writes OUT as a safetensors file (the default) or, with --to "
    "tf, as a\n"
    "TensorFlow V2 checkpoint: OUT is a prefix, the files are OUT.index and "
    "OUT.data-00000-of-00001.\n";

int report(slim_status s) {
  std::fprintf(stderr, "slim-ckpt: error: %s\n", slim_status_get_message(s));
  slim_status_destroy(s);
  return 1;
}

const char *formatName(slim_checkpoint_format f) {
  switch (f) {
  case SLIM_CHECKPOINT_SAFETENSORS:
    return "safetensors";
  case SLIM_CHECKPOINT_TF_V2:
    return "TensorFlow V2";
  case SLIM_CHECKPOINT_TF_V1:
    return "TensorFlow V1";
  }
  return "unknown";
}

int listOrVerify(const char *path, bool verify) {
  slim_checkpoint *ck = nullptr;
  if (slim_status s = slim_checkpoint_open(path, &ck))
    return report(s);
  size_t n = slim_checkpoint_num_tensors(ck);
  uint64_t total = 0;
  size_t unsupported = 0;
  if (!verify)
    std::printf("# %s, %zu tensors\n",
                formatName(slim_checkpoint_get_format(ck)), n);
  for (size_t i = 0; i < n; ++i) {
    slim_tensor_info t;
    if (slim_status s = slim_checkpoint_tensor_info(ck, i, &t)) {
      slim_checkpoint_destroy(ck);
      return report(s);
    }
    std::string shape = "[";
    for (int d = 0; d < t.rank; ++d)
      shape += (d ? ", " : "") + std::to_string(t.dims[d]);
    shape += "]";
    total += t.size_bytes;
    if (t.dtype == SLIM_DTYPE_INVALID)
      ++unsupported;
    if (!verify) {
      std::printf("%s\t%s\t%s\t%llu\n", t.name,
                  t.dtype == SLIM_DTYPE_INVALID ? "unsupported"
                                                : slim_dtype_name(t.dtype),
                  shape.c_str(), (unsigned long long)t.size_bytes);
      continue;
    }
    if (t.dtype == SLIM_DTYPE_INVALID)
      continue;
    std::vector<unsigned char> buf(t.size_bytes);
    if (slim_status s =
            slim_checkpoint_read_tensor(ck, t.name, buf.data(), buf.size())) {
      slim_checkpoint_destroy(ck);
      return report(s);
    }
  }
  if (verify)
    std::printf("%s: %zu tensors, %llu bytes verified", path, n - unsupported,
                (unsigned long long)total);
  else
    std::printf("# %llu bytes", (unsigned long long)total);
  if (unsupported)
    std::printf(" (%zu tensors of unsupported dtypes skipped)", unsupported);
  std::printf("\n");
  slim_checkpoint_destroy(ck);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc >= 2 &&
      (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc == 3 && std::string(argv[1]) == "list")
    return listOrVerify(argv[2], false);
  if (argc == 3 && std::string(argv[1]) == "verify")
    return listOrVerify(argv[2], true);
  if ((argc == 4 || argc == 6) && std::string(argv[1]) == "convert") {
    slim_checkpoint_format format = SLIM_CHECKPOINT_SAFETENSORS;
    int first = 2;
    if (argc == 6) {
      std::string to = argv[3];
      if (std::string(argv[2]) != "--to" ||
          (to != "safetensors" && to != "tf")) {
        std::fputs(kUsage, stderr);
        return 2;
      }
      format = to == "tf" ? SLIM_CHECKPOINT_TF_V2 : SLIM_CHECKPOINT_SAFETENSORS;
      first = 4;
    }
    const char *src = argv[first], *dst = argv[first + 1];
    if (slim_status s = slim_checkpoint_convert_as(src, dst, format))
      return report(s);
    if (format == SLIM_CHECKPOINT_TF_V2)
      std::printf("wrote %s.index and %s.data-00000-of-00001\n", dst, dst);
    else
      std::printf("wrote %s\n", dst);
    return 0;
  }
  std::fputs(kUsage, stderr);
  return 2;
}
