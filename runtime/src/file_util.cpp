//===- file_util.cpp - Memory-mapped files and atomic writes --------------===//

#include "file_util.h"

#include "common.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

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

namespace {

/// The suffix mkstemp replaces; AtomicFileWriter's temporaries are always
/// `<final path>` + kTempInfix + these six characters.
constexpr const char kTempInfix[] = ".tmp.";
constexpr size_t kTempRandomChars = 6;

/// An unlocked temporary younger than this is left alone: a writer creates
/// its file (mkstemp) a moment before it locks it, and must not lose it in
/// between.
constexpr time_t kStaleTempSeconds = 10;

/// Splits `path` into its directory ("." for none) and file name.
void splitPath(const std::string &path, std::string &dir, std::string &base) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    dir = ".";
    base = path;
    return;
  }
  dir = slash == 0 ? "/" : path.substr(0, slash);
  base = path.substr(slash + 1);
}

/// True for `base` + ".tmp." + six letters or digits: exactly the names
/// mkstemp gives our template, so no other file can match.
bool isOurTempName(const std::string &name, const std::string &base) {
  size_t prefix = base.size() + sizeof(kTempInfix) - 1;
  if (name.size() != prefix + kTempRandomChars ||
      name.compare(0, base.size(), base) != 0 ||
      name.compare(base.size(), sizeof(kTempInfix) - 1, kTempInfix) != 0)
    return false;
  for (size_t i = prefix; i < name.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

/// Removes the temporaries an earlier save to `path` left behind when it was
/// killed (its destructor never ran). A live writer holds an exclusive flock
/// on its temporary until its rename is done, so a temporary we can lock is
/// abandoned; together with the age check this never removes the file of a
/// save in progress, in this or another process. Only regular files of ours
/// are touched. Best effort: failing to clean up must not fail the save.
void removeStaleTemporaries(const std::string &path) {
  std::string dirPath, base;
  splitPath(path, dirPath, base);
  if (base.empty())
    return;
  DIR *dir = opendir(dirPath.c_str());
  if (!dir)
    return;
  int dfd = dirfd(dir);
  time_t now = time(nullptr);
  while (struct dirent *entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (!isOurTempName(name, base))
      continue;
    struct stat st;
    if (fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        now - st.st_mtime < kStaleTempSeconds)
      continue;
    int fd = openat(dfd, name.c_str(),
                    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
      continue;
    struct stat locked;
    // Unlink only the file we locked: the name could have been replaced
    // between the directory read and the lock.
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &locked) == 0 &&
        fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        st.st_dev == locked.st_dev && st.st_ino == locked.st_ino)
      unlinkat(dfd, name.c_str(), 0);
    ::close(fd);
  }
  closedir(dir);
}

} // namespace

AtomicFileWriter::AtomicFileWriter(const std::string &path) : finalPath(path) {
  removeStaleTemporaries(path);
  std::string templ = path + kTempInfix + std::string(kTempRandomChars, 'X');
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  fd = mkstemp(buf.data());
  if (fd < 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot create a temporary file next to '", path,
         "': ", std::strerror(errno));
  tempPath = buf.data();
  fchmod(fd, 0644);
  // The lock marks the temporary as live for removeStaleTemporaries in other
  // saves. It lives on a duplicate descriptor so that it outlasts closing
  // `fd`, which commit() does before the rename to see write-back errors. A
  // file system without flock leaves the file unlocked, and then no cleanup
  // can lock, so none removes it: the save goes on.
  if (flock(fd, LOCK_EX | LOCK_NB) != 0)
    return;
  lockFd = dup(fd);
  if (lockFd < 0) {
    int err = errno;
    ::close(fd);
    fd = -1;
    ::unlink(tempPath.c_str());
    fail(SLIM_STATUS_IO_ERROR, "cannot duplicate the descriptor of '", tempPath,
         "': ", std::strerror(err));
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd >= 0)
    ::close(fd);
  // Unlink before unlocking, so no other save finds it unlocked.
  if (!committed)
    ::unlink(tempPath.c_str());
  if (lockFd >= 0)
    ::close(lockFd);
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

void AtomicFileWriter::finish() {
  if (fd < 0)
    return;
  if (fsync(fd) != 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot sync '", tempPath,
         "': ", std::strerror(errno));
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot close '", tempPath,
         "': ", std::strerror(errno));
}

void AtomicFileWriter::commit() {
  finish();
  if (std::rename(tempPath.c_str(), finalPath.c_str()) != 0)
    fail(SLIM_STATUS_IO_ERROR, "cannot rename '", tempPath, "' to '", finalPath,
         "': ", std::strerror(errno));
  committed = true;
  ::close(lockFd);
  lockFd = -1;
  // Make the rename itself durable.
  std::string dir, base;
  splitPath(finalPath, dir, base);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    ::close(dfd);
  }
}

} // namespace slimrt
