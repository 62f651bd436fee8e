// CsvlogDecoder: decodes one PostgreSQL csvlog record into a LogEvent. Columns, in PostgreSQL's
// order: log_time, user_name, database_name, process_id, connection_from, session_id,
// session_line_num, command_tag, session_start_time, virtual_transaction_id, transaction_id,
// error_severity, sql_state_code, message, detail, hint, internal_query, internal_query_pos,
// context, query, query_pos, location, application_name — 23 columns up to PG 12; PG 13 adds
// backend_type, PG 14 leader_pid and query_id (26). Not thread-safe; use one per source.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "ingest/decoded_record.h"
#include "ingest/log_timestamp.h"
#include "rls_shadow/log_event.h"

namespace rls_shadow::ingest {

class CsvlogDecoder {
 public:
  // Decodes `record` (without its final '\n'; may contain quoted newlines) into the decoded
  // fields of *event and *extras. Returns false with *failure set: "bad_csv" (broken quoting or
  // fewer than 23 columns), "not_utf8", "wrong_type" (a non-numeric pid, line number or
  // transaction id), "missing_field" (empty log_time, session_id or message), "bad_timestamp".
  bool Decode(std::string_view record, LogEvent* event, RecordExtras* extras,
              DecodeFailure* failure);

 private:
  static constexpr size_t kMaxColumns = 32;  // more than any PostgreSQL version writes

  // Splits scratch_ into fields_, undoubling quotes in place. False on broken quoting.
  bool SplitFields();

  std::string scratch_;  // a copy of the record, unquoted in place; fields_ point into it
  std::array<std::string_view, kMaxColumns> fields_;
  LogTimestampParser timestamps_;
  size_t field_count_ = 0;
};

}  // namespace rls_shadow::ingest
