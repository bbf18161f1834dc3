//===- file_util.cpp - Memory-mapped files and atomic writes --------------===//

#include "file_util.h"

#include "common.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slimrt {

std::shared_ptr<MappedFile> MappedFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fail(errno == ENOENT ? SLIM_STATUS_NOT_FOUND : SLIM_STATUS_IO_ERROR,
         "cannot open '", path, "': ", std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    int err = errno;
    ::close(fd);
    fail(SLIM_STATUS_IO_ERROR, "cannot read '", path,
         "': ", S_ISDIR(st.st_mode) ? "is a directory" : std::strerror(err));
  }
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->filePath = path;
  file->length = size_t(st.st_size);
  if (file->length > 0) {
    void *p = mmap(nullptr, file->length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      fail(SLIM_STATUS_IO_ERROR, "cannot map '", path,
           "': ", std::strerror(err));
    }
    file->base = static_cast<const unsigned char *>(p);
  }
  ::close(fd);
  return file;
}

MappedFile::~MappedFile() {
  if (base)
    munmap(const_cast<unsigned char *>(base), length);
}

bool fileExists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

AtomicFileWriter::AtomicFileWriter(const std::string &path) : finalPath(path) {
  std::string templ = path + ".tmp.XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  fd = mkstemp(buf.data());
  if (fd < 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot create a temporary file next to '", path,
         "': ", std::strerror(errno));
  tempPath = buf.data();
  fchmod(fd, 0644);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd >= 0)
    ::close(fd);
  if (!committed)
    ::unlink(tempPath.c_str());
}

void AtomicFileWriter::write(const void *data, size_t n) {
  const char *p = static_cast<const char *>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      fail(SLIM_STATUS_IO_ERROR, "cannot write '", tempPath,
           "': ", std::strerror(errno));
    p += w;
    n -= size_t(w);
  }
}

void AtomicFileWriter::commit() {
  if (fsync(fd) != 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot sync '", tempPath,
         "': ", std::strerror(errno));
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot close '", tempPath,
         "': ", std::strerror(errno));
  if (std::rename(tempPath.c_str(), finalPath.c_str()) != 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot rename '", tempPath, "' to '", finalPath,
         "': ", std::strerror(errno));
  committed = true;
  // Make the rename itself durable.
  std::string dir = ".";
  size_t slash = finalPath.rfind('/');
  if (slash != std::string::npos)
    dir = slash == 0 ? "/" : finalPath.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    ::close(dfd);
  }
}

} // namespace slimrt
