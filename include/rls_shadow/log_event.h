// LogEvent: one PostgreSQL server-log record (jsonlog or csvlog), decoded into the fields the
// analyzer needs. A plain value type; the ingest readers produce it, the SessionTracker and the
// StatementAnalyzer consume it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rls_shadow {

enum class LogEventKind {
  kStatement,   // "statement: ..." or "execute <name>: ..." — an executed statement
  kError,       // error_severity ERROR / FATAL / PANIC
  kWarning,     // error_severity WARNING
  kConnect,     // "connection authorized: ..." / "connection received: ..."
  kDisconnect,  // "disconnection: session time: ..."
  kOther,       // anything else (duration lines, parse/bind lines, checkpoints, ...)
};

// Where an event came from, for error messages and dead-letter records.
struct SourcePosition {
  std::string source;   // file path, or "-" for stdin
  uint64_t line = 0;    // 1-based physical line (jsonlog) or record start line (csvlog)
  uint64_t offset = 0;  // byte offset of the record's first byte in the source
};

struct LogEvent {
  SourcePosition position;
  LogEventKind kind = LogEventKind::kOther;

  int64_t time_us = 0;  // timestamp, microseconds since the Unix epoch (UTC)
  std::string user;     // session user name as logged ("user")
  std::string dbname;
  int64_t pid = 0;
  std::string session_id;  // "6b02db28.1f9c"
  int64_t line_num = 0;    // per-session line number
  int64_t txid = 0;        // 0 when none
  std::string severity;    // LOG, ERROR, WARNING, ...
  std::string state_code;  // SQLSTATE, empty when absent
  std::string message;     // full message text
  std::string detail;
  std::string application_name;

  // kStatement: the statement text as sent (after "statement: " / "execute <name>: ").
  // kError / kWarning: the "statement" key when present (the text that failed).
  std::string sql;
  bool extended_protocol = false;  // "execute <name>:" rather than "statement:"
  std::string prepared_name;       // "<unnamed>" or the prepared statement's name
  // Bound parameters $1..$n from "parameters: $1 = '...'" (index 0 is $1); nullopt is NULL.
  std::vector<std::optional<std::string>> params;
};

}  // namespace rls_shadow
