// JsonlogDecoder: decodes one PostgreSQL jsonlog line (one JSON object) into a LogEvent, parsing
// in place with simdjson On-Demand. Not thread-safe: it owns a simdjson parser; use one per source.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "ingest/decoded_record.h"
#include "ingest/log_timestamp.h"
#include "rls_shadow/log_event.h"

namespace rls_shadow::ingest {

class JsonlogDecoder {
 public:
  // Decodes `line` (which must be followed by readable padding up to `padded_size` bytes, see
  // RecordStream) into the decoded fields of *event and *extras. Returns false with *failure
  // set: "invalid_json" (also trailing garbage, or not an object), "not_utf8", "wrong_type" (a
  // known key with the wrong JSON type), "missing_field" (no timestamp, session_id or
  // message), "bad_timestamp".
  bool Decode(std::string_view line, size_t padded_size, LogEvent* event, RecordExtras* extras,
              DecodeFailure* failure);

 private:
  simdjson::ondemand::parser parser_;
  LogTimestampParser timestamps_;
};

}  // namespace rls_shadow::ingest
