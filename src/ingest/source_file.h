// SourceFile: the file (or stdin, "-") a reader reads — a log, a change stream, a seed —
// positioned at a resumption offset. Closes the descriptor it owns (not stdin).
#pragma once

#include <cstdint>
#include <string>

#include "rls_shadow/status.h"

namespace rls_shadow::ingest {

class SourceFile {
 public:
  SourceFile() = default;
  SourceFile(const SourceFile&) = delete;
  SourceFile& operator=(const SourceFile&) = delete;
  ~SourceFile();

  // Opens `path` ("-" is stdin, not closed). Errors: cannot open or stat.
  Status Open(const std::string& path);
  // Positions the source at `offset`: seeks in a file (error when past its end: rotated or
  // truncated), reads and discards from a pipe (error when it ends first).
  Status SkipTo(uint64_t offset, const std::string& path);

  int fd() const { return fd_; }
  bool regular() const { return regular_; }

 private:
  int fd_ = -1;
  bool owned_ = false;
  bool regular_ = false;
  uint64_t size_ = 0;
};

}  // namespace rls_shadow::ingest
