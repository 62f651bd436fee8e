// `ship --log`: PostgreSQL's jsonlog into the log topic, one complete line a message, keyed by
// session_id.
//
// Files. A directory is read as PostgreSQL rotates it: its *.json files by name (time-based with
// the default log_filename), then by modification time. A file is known by its *identity*, a
// digest of its first line (timestamp, pid, session of the line that opened it), not by its
// name: a file renamed away keeps its identity and is read to its end through the descriptor
// ship holds; a name that reappears with another first line (recreated, or truncated and
// rewritten under log_truncate_on_rotation) is a new file, read from its start. A file stops
// being followed once a newer one exists and a poll found nothing more in it (PostgreSQL's
// syslogger opens the new file before it closes the old one). A file renamed out of the watched
// place (logrotate) is still written to until the server opens another, so only a file first
// found after it is newer. Only complete lines (ending in \n) are produced: a line being
// written is left for the next poll.
//
// Resume without duplicates or gaps. Every message carries its file's identity and its byte
// offset in headers. A checkpoint is taken only after a flush, when every produced line is
// acknowledged (acks=all): per file, the offset up to which all lines are in the topic, and the
// topic's end offsets at that moment. Messages past those end offsets can therefore only be
// lines past the checkpoint's file offsets. The producer keeps sending between checkpoints, so a
// process killed (even with SIGKILL) may have delivered lines beyond its last checkpoint; on
// start, ship reads the topic from the checkpoint's end offsets to its current end, collects the
// (identity, offset) of its own lines found there, and resumes each file at its checkpoint
// offset, skipping the lines it finds in that set. Lines are never lost (the checkpoint offsets
// only count acknowledged lines) and never sent twice (what was sent after the checkpoint is
// read back). The checkpoint file is replaced atomically (temporary file, fsync, rename).
//
// Keys: the line's session_id. A line without one (not JSON, no session_id) is still produced,
// keyed by the empty string — the consumer dead-letters what it cannot decode — and counted.
#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ship/ship.h"
#include "ship/ship_checkpoint.h"
#include "ship/ship_producer.h"

namespace rls_shadow::ship {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunk = 1 << 20;                 // read size
constexpr size_t kMaxLine = 64u << 20;             // longer lines are skipped, not buffered
constexpr size_t kIdentityBytes = 4096;            // a first line longer than this: its prefix
constexpr size_t kMaxBytesPerFileRound = 16u << 20;  // then the others get a turn
constexpr auto kCheckpointInterval = std::chrono::seconds(1);

// FNV-1a, 64 bits: stable across builds, so a checkpoint survives an upgrade.
uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The identity of the file open as `fd`: a digest of its first line (or its first 4 KiB when
// the line is longer), with its length. Empty while the first line is not complete.
std::string FileIdentity(int fd) {
  char head[kIdentityBytes];
  ssize_t n = ::pread(fd, head, sizeof(head), 0);
  if (n <= 0) return "";
  std::string_view bytes(head, static_cast<size_t>(n));
  size_t nl = bytes.find('\n');
  if (nl == std::string_view::npos) {
    if (bytes.size() < kIdentityBytes) return "";
  } else {
    bytes = bytes.substr(0, nl + 1);
  }
  return fmt::format("{:016x}-{}", Fnv1a(bytes), bytes.size());
}

struct FileKey {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileKey&) const = default;
};

// A log file being followed.
struct TrackedFile {
  std::string identity;
  std::string path;  // where it was last seen
  int fd = -1;
  FileKey key;
  uint64_t offset = 0;       // next byte to read; every line before it is produced
  bool discarding = false;   // inside a line longer than kMaxLine
  uint64_t found = 0;        // when Scan first found it (files found later are newer)
  bool superseded = false;   // a newer file exists
  bool quiet = false;        // the last read found nothing
  ~TrackedFile() {
    if (fd >= 0) ::close(fd);
  }
};

// A candidate file in the watched place, with its identity (cached while it does not change).
struct Candidate {
  std::string path;
  std::string name;
  int64_t mtime_ns = 0;
  struct stat st {};
};

class LogShipper {
 public:
  LogShipper(const ShipOptions& options, ShipSummary* summary)
      : options_(options), summary_(summary), buf_(kChunk + simdjson::SIMDJSON_PADDING) {}

  Status Run() {
    if (Status s = producer_.Open(options_.kafka, options_.kafka.log_topic); !s.ok()) return s;
    if (Status s = Resume(); !s.ok()) return s;
    auto last_checkpoint = Clock::now();
    bool dirty = false;
    while (!options_.stop->load()) {
      if (Status s = Scan(); !s.ok()) return s;
      bool progressed = false;
      for (auto& f : files_) {
        if (Status s = ReadNewLines(*f, &progressed); !s.ok()) return s;
      }
      dirty |= progressed;
      DropFinished();
      producer_.Poll();
      // A checkpoint every second while busy, and as soon as the files are read to their end.
      if (dirty && (!progressed || Clock::now() - last_checkpoint >= kCheckpointInterval)) {
        if (Status s = Checkpoint(); !s.ok()) return s;
        last_checkpoint = Clock::now();
        dirty = false;
        if (!progressed) {
          spdlog::debug("ship: caught up: {} lines produced, all acknowledged",
                        producer_.produced());
        }
      }
      if (!progressed) Sleep();
    }
    return Checkpoint();
  }

 private:
  // Reads the checkpoint back and, when there is one, collects the lines a previous run sent
  // after it (see the file comment).
  Status Resume() {
    const std::string& path = options_.ship.checkpoint_path;
    if (Status s = LoadShipCheckpoint(path, &checkpoint_); !s.ok()) return s;
    if (checkpoint_.topic_end.empty()) {
      // The first start: nothing was sent; remember where the topic ends now.
      spdlog::info("ship: no checkpoint at {}: shipping {} from the start", path,
                   options_.log_path);
      return Checkpoint();
    }
    uint64_t found = 0;
    Status s = producer_.ReadBack(checkpoint_.topic_end, [&](const rd_kafka_message_t& m) {
      std::string_view source = HeaderValue(m, kSourceHeader);
      std::string_view offset = HeaderValue(m, kOffsetHeader);
      if (source.empty() || offset.empty()) return;
      uint64_t at = 0;
      if (std::from_chars(offset.data(), offset.data() + offset.size(), at).ec != std::errc()) {
        return;
      }
      if (already_sent_[std::string(source)].insert(at).second) ++found;
    });
    if (!s.ok()) return s;
    spdlog::info("ship: resuming {} files from {}; {} lines were sent after it", 
                 checkpoint_.files.size(), path, found);
    return Status::Ok();
  }

  // Flushes, then records every file's offset and the topic's end offsets.
  Status Checkpoint() {
    if (Status s = producer_.Flush(); !s.ok()) return s;
    if (Status s = producer_.EndOffsets(&checkpoint_.topic_end); !s.ok()) return s;
    for (const auto& f : files_) checkpoint_.files[f->identity] = {f->offset, f->path};
    // Forget files that left the watched place (rotated away and finished).
    for (auto it = checkpoint_.files.begin(); it != checkpoint_.files.end();) {
      bool open = std::any_of(files_.begin(), files_.end(),
                              [&](const auto& f) { return f->identity == it->first; });
      if (!open && !listed_.contains(it->first)) {
        found_order_.erase(it->first);
        it = checkpoint_.files.erase(it);
      } else {
        ++it;
      }
    }
    summary_->lines_produced = producer_.produced();
    summary_->lines_oversized = producer_.oversized();
    return SaveShipCheckpoint(options_.ship.checkpoint_path, checkpoint_);
  }

  // The candidate files in rotation order: a directory's *.json by name, then mtime; or the file.
  Status List(std::vector<Candidate>* out) {
    out->clear();
    std::error_code ec;
    const fs::path root(options_.log_path);
    auto add = [&](const fs::path& p) {
      Candidate c;
      c.path = p.string();
      c.name = p.filename().string();
      if (::stat(c.path.c_str(), &c.st) != 0 || !S_ISREG(c.st.st_mode)) return;
      c.mtime_ns = int64_t{c.st.st_mtim.tv_sec} * 1000000000 + c.st.st_mtim.tv_nsec;
      out->push_back(std::move(c));
    };
    if (fs::is_directory(root, ec)) {
      for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".json") add(it->path());
      }
      if (ec) return Status::Error(fmt::format("cannot list {}: {}", root.string(), ec.message()));
      std::sort(out->begin(), out->end(), [](const Candidate& a, const Candidate& b) {
        return a.name != b.name ? a.name < b.name : a.mtime_ns < b.mtime_ns;
      });
    } else {
      add(root);  // a file that is absent for now (rotated away) is simply waited for
    }
    return Status::Ok();
  }

  TrackedFile* FindOpen(const std::string& identity) {
    for (auto& f : files_) {
      if (f->identity == identity) return f.get();
    }
    return nullptr;
  }

  // Finds new files, renamed ones and truncated ones.
  Status Scan() {
    std::vector<Candidate> candidates;
    if (Status s = List(&candidates); !s.ok()) return s;
    listed_.clear();
    std::string newest;
    for (const Candidate& c : candidates) {
      int fd = ::open(c.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;  // gone between listing and opening
      std::string identity = FileIdentity(fd);
      if (identity.empty()) {  // the first line is still being written
        ::close(fd);
        continue;
      }
      listed_.insert(identity);
      newest = identity;
      const FileKey key{c.st.st_dev, c.st.st_ino};
      // The same inode under the same name with another identity: truncated and rewritten.
      for (auto& f : files_) {
        if (f->key == key && f->identity != identity) {
          spdlog::info("ship: {} was truncated (log_truncate_on_rotation): reading it anew",
                       c.path);
          f->superseded = f->quiet = true;  // dropped below; its lines before are shipped
          f->identity.clear();
        }
      }
      std::erase_if(files_, [](const auto& f) { return f->identity.empty(); });
      if (TrackedFile* open = FindOpen(identity)) {
        open->path = c.path;  // renamed, perhaps
        ::close(fd);
        continue;
      }
      uint64_t start = 0;
      if (auto it = checkpoint_.files.find(identity); it != checkpoint_.files.end()) {
        start = it->second.offset;
        if (start > static_cast<uint64_t>(c.st.st_size)) start = 0;  // cannot be: read it all
        if (start == static_cast<uint64_t>(c.st.st_size) && &c != &candidates.back()) {
          ::close(fd);  // finished before, and not the newest: nothing more will come
          continue;
        }
      }
      auto f = std::make_unique<TrackedFile>();
      f->identity = identity;
      f->path = c.path;
      f->fd = fd;
      f->key = key;
      f->offset = start;
      f->found = found_order_.try_emplace(identity, ++files_found_).first->second;
      spdlog::info("ship: following {} from byte {}", c.path, start);
      ++summary_->files;
      files_.push_back(std::move(f));
    }
    // A file renamed out of the watched place (logrotate) is still written to until the server
    // opens a newer one, so the listing's newest supersedes it only when found after it.
    const TrackedFile* newest_file = FindOpen(newest);
    for (auto& f : files_) {
      if (newest.empty() || f->identity == newest) continue;
      if (listed_.contains(f->identity) || newest_file == nullptr ||
          newest_file->found > f->found) {
        f->superseded = true;
      }
    }
    return Status::Ok();
  }

  // Drops files a newer one replaced once a read found nothing more in them.
  void DropFinished() {
    std::erase_if(files_, [&](const std::unique_ptr<TrackedFile>& f) {
      if (!(f->superseded && f->quiet)) return false;
      if (!f->identity.empty()) checkpoint_.files[f->identity] = {f->offset, f->path};
      return true;
    });
  }

  // Produces the complete lines of `f` past its offset.
  Status ReadNewLines(TrackedFile& f, bool* progressed) {
    struct stat st {};
    if (::fstat(f.fd, &st) == 0 && static_cast<uint64_t>(st.st_size) < f.offset) {
      spdlog::info("ship: {} shrank below byte {} (truncated): reading it anew", f.path, f.offset);
      // Dropped (DropFinished); Scan finds it again, by its new identity, once its first line
      // is complete.
      f.identity.clear();
      f.superseded = f.quiet = true;
      return Status::Ok();
    }
    f.quiet = true;
    size_t round = 0;
    size_t held = 0;  // bytes of an incomplete line at the front of buf_
    while (round < kMaxBytesPerFileRound) {
      if (held + kChunk + simdjson::SIMDJSON_PADDING > buf_.size()) {
        buf_.resize(held + kChunk + simdjson::SIMDJSON_PADDING);
      }
      ssize_t n = ::pread(f.fd, buf_.data() + held, kChunk, static_cast<off_t>(f.offset + held));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::Error(fmt::format("cannot read {}: {}", f.path, std::strerror(errno)));
      if (n == 0) break;
      round += static_cast<size_t>(n);
      const size_t end = held + static_cast<size_t>(n);
      size_t start = 0;
      for (;;) {
        const char* nl = static_cast<const char*>(std::memchr(buf_.data() + start, '\n', end - start));
        if (nl == nullptr) break;
        const size_t line_end = static_cast<size_t>(nl - buf_.data()) + 1;
        if (f.discarding) {
          f.discarding = false;
        } else if (Status s = ShipLine(f, start, line_end); !s.ok()) {
          return s;
        }
        start = line_end;
      }
      f.offset += start;
      if (start > 0) f.quiet = false;
      held = end - start;
      if (held >= kMaxLine) {
        spdlog::warn("ship: {}: a line longer than {} bytes at byte {}: skipped", f.path, kMaxLine,
                     f.offset);
        f.discarding = true;
        f.offset += held;
        held = 0;
        f.quiet = false;
      } else if (held > 0) {
        std::memmove(buf_.data(), buf_.data() + start, held);
      }
    }
    *progressed |= !f.quiet;
    return Status::Ok();
  }

  // Produces the line buf_[begin, end) of `f` (which starts at byte f.offset + begin).
  Status ShipLine(const TrackedFile& f, size_t begin, size_t end) {
    ++summary_->lines_read;
    const uint64_t at = f.offset + begin;
    if (auto it = already_sent_.find(f.identity); it != already_sent_.end() && it->second.erase(at)) {
      ++summary_->lines_already_sent;
      return Status::Ok();
    }
    std::string_view line(buf_.data() + begin, end - begin);
    std::string_view key = SessionId(line, buf_.size() - begin);
    if (key.empty()) ++summary_->lines_without_key;
    char offset_text[24];
    auto r = std::to_chars(offset_text, offset_text + sizeof(offset_text), at);
    const std::string_view name = std::string_view(f.path).substr(f.path.rfind('/') + 1);
    return producer_.Produce(
        key, line,
        {{kSourceHeader, f.identity},
         {kOffsetHeader, std::string_view(offset_text, static_cast<size_t>(r.ptr - offset_text))},
         {kFileHeader, name}});
  }

  // The session_id of a jsonlog line, or empty (not JSON, not an object, no such string key).
  std::string_view SessionId(std::string_view line, size_t capacity) {
    simdjson::ondemand::document doc;
    if (parser_.iterate(line.data(), line.size(), capacity).get(doc) != simdjson::SUCCESS) {
      return {};
    }
    std::string_view id;
    if (doc.find_field_unordered("session_id").get_string().get(id) != simdjson::SUCCESS) {
      return {};
    }
    return id;
  }

  void Sleep() {
    const auto until = Clock::now() + std::chrono::milliseconds(options_.ship.poll_interval_ms);
    while (!options_.stop->load() && Clock::now() < until) {
      producer_.Poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  const ShipOptions& options_;
  ShipSummary* summary_;
  ShipProducer producer_;
  ShipCheckpoint checkpoint_;
  std::vector<std::unique_ptr<TrackedFile>> files_;  // in rotation order
  std::unordered_set<std::string> listed_;           // identities in the last listing
  // When each file was first found: a finished file followed again (it is the last one listed
  // again) keeps its place.
  std::unordered_map<std::string, uint64_t> found_order_;
  uint64_t files_found_ = 0;  // never reused: entries of found_order_ are forgotten
  std::unordered_map<std::string, std::unordered_set<uint64_t>> already_sent_;
  std::vector<char> buf_;
  simdjson::ondemand::parser parser_;
};

}  // namespace

Status RunShipLog(const ShipOptions& options, ShipSummary* summary) {
  *summary = ShipSummary{};
  LogShipper shipper(options, summary);
  Status s = shipper.Run();
  return s;
}

}  // namespace rls_shadow::ship
