// CsvlogDecoder: a hand-written splitter for the RFC 4180 dialect PostgreSQL writes (fields
// quoted with '"', quotes doubled, newlines allowed inside quotes, empty unquoted field = NULL).
#include "ingest/csvlog_decoder.h"

#include <simdjson.h>

#include <charconv>

namespace rls_shadow::ingest {
namespace {

enum Column : size_t {
  kLogTime = 0,
  kUserName = 1,
  kDatabaseName = 2,
  kProcessId = 3,
  kSessionId = 5,
  kSessionLineNum = 6,
  kTransactionId = 10,
  kErrorSeverity = 11,
  kSqlStateCode = 12,
  kMessage = 13,
  kDetail = 14,
  kQuery = 19,
  kApplicationName = 22,
  kBackendType = 23,  // PG 13+
};
constexpr size_t kMinColumns = 23;

bool Fail(DecodeFailure* failure, const char* reason, std::string message) {
  failure->reason = reason;
  failure->message = std::move(message);
  return false;
}

// An empty field is 0 (PostgreSQL leaves process_id etc. empty only when unknown).
bool ParseInteger(std::string_view text, int64_t* value) {
  *value = 0;
  if (text.empty()) return true;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool CsvlogDecoder::SplitFields() {
  field_count_ = 0;
  char* data = scratch_.data();
  const size_t size = scratch_.size();
  size_t read = 0;
  for (;;) {
    size_t start = read;
    size_t write = read;  // unquoting only shrinks, so it can be done in place
    if (read < size && data[read] == '"') {
      ++read;
      start = write = read;
      for (;;) {
        if (read >= size) return false;  // unterminated quote
        if (data[read] == '"') {
          if (read + 1 < size && data[read + 1] == '"') {
            data[write++] = '"';
            read += 2;
            continue;
          }
          ++read;  // the closing quote
          break;
        }
        data[write++] = data[read++];
      }
      if (read < size && data[read] != ',') return false;  // text after the closing quote
    } else {
      while (read < size && data[read] != ',') ++read;
      write = read;
    }
    if (field_count_ < kMaxColumns) {
      fields_[field_count_] = std::string_view(data + start, write - start);
    }
    ++field_count_;
    if (read >= size) return true;
    ++read;  // the ','
  }
}

bool CsvlogDecoder::Decode(std::string_view record, LogEvent* event, RecordExtras* extras,
                           DecodeFailure* failure) {
  ClearDecodedFields(event);
  *extras = RecordExtras{};
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);  // CRLF files
  if (!simdjson::validate_utf8(record.data(), record.size())) {
    return Fail(failure, "not_utf8", "the record is not valid UTF-8");
  }
  // A copy, so the raw record stays intact for a reject message while fields are unquoted.
  scratch_.assign(record);
  if (!SplitFields()) return Fail(failure, "bad_csv", "broken CSV quoting");
  if (field_count_ < kMinColumns) {
    return Fail(failure, "bad_csv",
                "expected at least 23 csvlog columns, found " + std::to_string(field_count_));
  }

  auto field = [this](Column column) { return fields_[column]; };
  if (!ParseInteger(field(kProcessId), &event->pid)) {
    return Fail(failure, "wrong_type", "process_id is not an integer");
  }
  if (!ParseInteger(field(kSessionLineNum), &event->line_num)) {
    return Fail(failure, "wrong_type", "session_line_num is not an integer");
  }
  if (!ParseInteger(field(kTransactionId), &event->txid)) {
    return Fail(failure, "wrong_type", "transaction_id is not an integer");
  }
  if (field(kLogTime).empty()) return Fail(failure, "missing_field", "empty log_time");
  if (field(kSessionId).empty()) return Fail(failure, "missing_field", "empty session_id");
  if (field(kMessage).empty()) return Fail(failure, "missing_field", "empty message");
  if (!timestamps_.Parse(field(kLogTime), &event->time_us)) {
    return Fail(failure, "bad_timestamp",
                "unreadable log_time \"" + std::string(field(kLogTime)) + "\"");
  }

  AssignField(&event->user, field(kUserName));
  AssignField(&event->dbname, field(kDatabaseName));
  AssignField(&event->session_id, field(kSessionId));
  AssignField(&event->severity, field(kErrorSeverity));
  // jsonlog omits state_code when it is 0 (successful completion); csvlog writes "00000".
  if (field(kSqlStateCode) != "00000") AssignField(&event->state_code, field(kSqlStateCode));
  AssignField(&event->message, field(kMessage));
  AssignField(&event->detail, field(kDetail));
  AssignField(&event->application_name, field(kApplicationName));
  extras->statement = field(kQuery);
  if (field_count_ > kBackendType) extras->backend_type = field(kBackendType);
  return true;
}

}  // namespace rls_shadow::ingest
