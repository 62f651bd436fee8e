#include "ship/ship_checkpoint.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rls_shadow::ship {
namespace {

constexpr char kMagic[] = "rls-shadow-ship-checkpoint 1";

}  // namespace

Status LoadShipCheckpoint(const std::string& path, ShipCheckpoint* out) {
  *out = ShipCheckpoint{};
  std::ifstream in(path);
  if (!in) {
    if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return Status::Ok();
    return Status::Error(fmt::format("cannot read ship checkpoint {}", path));
  }
  std::string line;
  if (!std::getline(in, line) || line != kMagic) {
    return Status::Error(fmt::format("{}: not a ship checkpoint", path));
  }
  for (int number = 2; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    bool ok = false;
    if (kind == "partition") {
      int32_t partition = 0;
      int64_t end = 0;
      ok = static_cast<bool>(fields >> partition >> end);
      if (ok) out->topic_end[partition] = end;
    } else if (kind == "file") {
      std::string identity;
      ShipCheckpoint::FileMark mark;
      ok = static_cast<bool>(fields >> identity >> mark.offset);
      if (ok) {
        fields.get();  // the separating space; the path is the rest of the line
        std::getline(fields, mark.path);
        out->files[identity] = std::move(mark);
      }
    }
    if (!ok) return Status::Error(fmt::format("{}:{}: malformed ship checkpoint line", path, number));
  }
  return Status::Ok();
}

Status SaveShipCheckpoint(const std::string& path, const ShipCheckpoint& checkpoint) {
  std::string text = kMagic;
  text += '\n';
  for (const auto& [p, end] : checkpoint.topic_end) text += fmt::format("partition {} {}\n", p, end);
  for (const auto& [id, mark] : checkpoint.files) {
    text += fmt::format("file {} {} {}\n", id, mark.offset, mark.path);
  }
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Status::Error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::Error(fmt::format("cannot sync {}: {}", tmp, std::strerror(errno)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Error(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace rls_shadow::ship
