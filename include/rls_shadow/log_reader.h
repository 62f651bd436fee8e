// Readers of PostgreSQL server logs: jsonlog (PostgreSQL 15+) and csvlog, from a file or stdin.
// A reader turns each record into a LogEvent and hands it to a sink; a record it cannot decode is
// counted under a reason, reported with its position, and skipped: reading never stops on bad
// input. Readers are single-threaded objects; use one per source.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rls_shadow/log_event.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

enum class LogFormat { kAuto, kJsonLog, kCsvLog };

// A record that could not be decoded.
struct RejectedRecord {
  SourcePosition position;
  std::string reason;   // stable, machine-readable: "invalid_json", "not_utf8", "line_too_long",
                        // "missing_field", "wrong_type", "truncated", "bad_parameters", ...
  std::string message;  // one line for a person: what was wrong
};

struct ReadOptions {
  LogFormat format = LogFormat::kAuto;  // kAuto: by extension (.json/.csv), else by content
  uint64_t start_offset = 0;            // resume: byte offset of the first record to read
  uint64_t start_line = 0;              // resume: lines already read before start_offset
  size_t max_record_bytes = 8u << 20;   // longer records are rejected as "line_too_long"
};

struct ReadSummary {
  uint64_t records_read = 0;  // decoded and handed to the sink
  uint64_t records_rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  uint64_t end_offset = 0;  // byte offset just past the last complete record
  uint64_t end_line = 0;    // physical lines consumed up to end_offset
  // kStatement events taken from "duration: N ms  statement: ..." / "... execute <name>: ..."
  // lines, i.e. statements log_statement did not log. PostgreSQL logs each execution once —
  // with its text on the duration line only when log_statement did not already log it — so
  // these are not double counted; but a non-zero count means log_statement is not 'all' and
  // statements faster than log_min_duration_statement are missing from the log.
  uint64_t statements_from_duration_lines = 0;
  // Set when the messages look localized (lc_messages is not C): no statement could be
  // recognised. Holds a one-line explanation for the user; empty otherwise.
  std::string language_warning;
};

using EventSink = std::function<void(const LogEvent&)>;
using RejectSink = std::function<void(const RejectedRecord&, std::string_view raw)>;

// Reads `path` ("-" for stdin) from options.start_offset to its end. Returns an error only when
// the source cannot be opened or read at all, or start_offset is past the end of a file (it was
// rotated or truncated); bad records go to `on_reject` (may be empty) with their raw text (at
// most 4 KiB of it), are counted in *summary, and reading goes on. Blank lines are skipped.
// A last record without '\n' is read when it decodes; when it does not, it is rejected as
// "truncated" and, in a regular file, not consumed (end_offset stays before it) so a later run
// resuming at end_offset reads it once the server has finished writing it.
// Format: options.format, else the extension (.json / .csv), else '{' as the first non-blank
// byte means jsonlog. Statement, error and connection lines are recognised by their English
// message prefixes: the server must run with lc_messages = 'C' (see language_warning).
Status ReadLog(const std::string& path, const ReadOptions& options, const EventSink& on_event,
               const RejectSink& on_reject, ReadSummary* summary);

// Decodes single jsonlog records that arrive as messages (a Kafka record value), with the same
// decoding and classification as ReadLog. Not thread-safe: it owns a parser and a buffer.
class LogMessageDecoder {
 public:
  LogMessageDecoder();
  ~LogMessageDecoder();
  LogMessageDecoder(const LogMessageDecoder&) = delete;
  LogMessageDecoder& operator=(const LogMessageDecoder&) = delete;

  // Decodes `message` (one jsonlog line; a trailing newline is ignored) into *event, or fills
  // *rejected's reason and message (position left to the caller) and returns false.
  bool Decode(std::string_view message, LogEvent* event, RejectedRecord* rejected);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses a jsonlog "detail" of the form "parameters: $1 = '600', $2 = NULL" into values
// ($1 first). Returns false when the text is not a parameters detail or is malformed.
bool ParseParametersDetail(std::string_view detail, std::vector<std::optional<std::string>>* out);

}  // namespace rls_shadow
