#include "ingest/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rls_shadow::ingest {

SourceFile::~SourceFile() {
  if (owned_) ::close(fd_);
}

Status SourceFile::Open(const std::string& path) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::Error("cannot open " + path + ": " + std::strerror(errno));
    owned_ = true;
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  struct stat info;
  if (::fstat(fd_, &info) != 0)
    return Status::Error("cannot stat " + path + ": " + std::strerror(errno));
  regular_ = S_ISREG(info.st_mode);
  size_ = static_cast<uint64_t>(info.st_size);
  return Status::Ok();
}

Status SourceFile::SkipTo(uint64_t offset, const std::string& path) {
  if (offset == 0) return Status::Ok();
  if (regular_) {
    // A resumption point past the end means the file was truncated or replaced (rotation).
    if (offset > size_) {
      return Status::Error("start offset " + std::to_string(offset) + " is past the end of " +
                           path + " (" + std::to_string(size_) + " bytes): rotated or truncated?");
    }
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
      return Status::Error("cannot seek in " + path + ": " + std::strerror(errno));
    return Status::Ok();
  }
  char discard[1 << 16];
  uint64_t left = offset;
  while (left > 0) {
    ssize_t n = ::read(fd_, discard, std::min<uint64_t>(left, sizeof discard));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Error("input ended before the start offset in " + path);
    left -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

}  // namespace rls_shadow::ingest
