// What a record decoder (jsonlog or csvlog) produces besides the LogEvent itself, and the
// failure it reports when a record cannot be decoded.
#pragma once

#include <string>
#include <string_view>

#include "rls_shadow/log_event.h"

namespace rls_shadow::ingest {

// Fields the reader needs but LogEvent does not carry. The views point into the decoder's
// buffers and stay valid until the decoder's next record.
struct RecordExtras {
  std::string_view statement;     // jsonlog "statement" / csvlog "query": the text that failed
  std::string_view backend_type;  // "client backend", "checkpointer", ...; empty before PG 13
};

struct DecodeFailure {
  const char* reason = nullptr;  // a RejectedRecord::reason, e.g. "invalid_json"
  std::string message;           // one line for a person
};

// *field = text, for a decoded field of a reused event. assign() goes through the general
// replace (which allows `text` to overlap the string); clearing and appending is the plain copy
// into the kept capacity, and a decoder sets ten fields a record.
inline void AssignField(std::string* field, std::string_view text) {
  field->clear();
  field->append(text);
}

// Clears every decoded field of a reused event but params (ClassifyEvent's); keeps
// position.source (set once per source) and the strings' capacity, so a steady stream of
// records allocates nothing.
inline void ClearDecodedFields(LogEvent* event) {
  event->kind = LogEventKind::kOther;
  event->time_us = 0;
  event->user.clear();
  event->dbname.clear();
  event->pid = 0;
  event->session_id.clear();
  event->line_num = 0;
  event->txid = 0;
  event->severity.clear();
  event->state_code.clear();
  event->message.clear();
  event->detail.clear();
  event->application_name.clear();
  event->sql.clear();
  event->extended_protocol = false;
  event->prepared_name.clear();
  // params are ClassifyEvent's, which sets them for every record (see there).
}

}  // namespace rls_shadow::ingest
