//===- FuzzUtil.cpp - Shared helpers of the fuzz targets ------------------===//
#include "FuzzUtil.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slimfuzz {
namespace {

std::string makeScratchDir() {
  struct stat st;
  std::string base =
      ::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)
          ? "/dev/shm"
          : (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  std::string pattern = base + "/slim-fuzz-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    std::perror("slim fuzz: mkdtemp");
    std::abort();
  }
  return pattern;
}

void removeScratchDir() {
  const std::string &dir = scratchDir();
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *entry = ::readdir(d)) {
      if (std::strcmp(entry->d_name, ".") && std::strcmp(entry->d_name, ".."))
        ::unlink((dir + "/" + entry->d_name).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

} // namespace

const std::string &scratchDir() {
  // Never destroyed: removeScratchDir runs at exit, after static destructors
  // registered later than it would have run.
  static const std::string *dir = [] {
    auto *d = new std::string(makeScratchDir());
    std::atexit(removeScratchDir);
    return d;
  }();
  return *dir;
}

std::string writeScratchFile(const std::string &name, const uint8_t *data,
                             size_t size) {
  std::string path = scratchDir() + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror("slim fuzz: open");
    std::abort();
  }
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) {
      std::perror("slim fuzz: write");
      std::abort();
    }
    done += size_t(n);
  }
  ::close(fd);
  return path;
}

void splitInput(const uint8_t *data, size_t size, std::string_view &first,
                std::string_view &second) {
  const char *bytes = reinterpret_cast<const char *>(data);
  if (size < 4) {
    first = {};
    second = std::string_view(bytes, size);
    return;
  }
  uint32_t length = uint32_t(data[0]) | uint32_t(data[1]) << 8 |
                    uint32_t(data[2]) << 16 | uint32_t(data[3]) << 24;
  size_t rest = size - 4;
  size_t firstSize = length < rest ? length : rest;
  first = std::string_view(bytes + 4, firstSize);
  second = std::string_view(bytes + 4 + firstSize, rest - firstSize);
}

} // namespace slimfuzz
