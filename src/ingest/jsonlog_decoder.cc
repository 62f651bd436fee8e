// JsonlogDecoder: one pass over the object's fields in document order (On-Demand is fastest
// that way), copying only the keys the analyzer uses; other keys are skipped unparsed.
#include "ingest/jsonlog_decoder.h"

#include <string>
#include <utility>

#include "ingest/log_timestamp.h"

namespace rls_shadow::ingest {
namespace {

using simdjson::error_code;

// The key as written. PostgreSQL's keys are plain ASCII; an escaped key simply matches nothing.
std::string_view KeyText(const simdjson::ondemand::raw_json_string& key) {
  const char* start = key.raw();
  const char* p = start;
  while (*p != '"') {
    if (*p == '\\') ++p;
    ++p;
  }
  return std::string_view(start, static_cast<size_t>(p - start));
}

bool Fail(DecodeFailure* failure, const char* reason, std::string message) {
  failure->reason = reason;
  failure->message = std::move(message);
  return false;
}

// Maps a simdjson error on a known key to a reject.
bool FailOnValue(DecodeFailure* failure, error_code error, simdjson::ondemand::value& value,
                 std::string_view key, const char* expected) {
  // get_string() on a bare word ("oops") also says INCORRECT_TYPE; it is not JSON at all.
  simdjson::ondemand::json_type type;
  if (error == simdjson::INCORRECT_TYPE && value.type().get(type) == simdjson::SUCCESS) {
    return Fail(failure, "wrong_type", "key \"" + std::string(key) + "\" is not " + expected);
  }
  if (error == simdjson::UTF8_ERROR) {
    return Fail(failure, "not_utf8", "invalid UTF-8 in key \"" + std::string(key) + "\"");
  }
  return Fail(
      failure, "invalid_json",
      "invalid JSON at key \"" + std::string(key) + "\": " + simdjson::error_message(error));
}

}  // namespace

bool JsonlogDecoder::Decode(std::string_view line, size_t padded_size, LogEvent* event,
                            RecordExtras* extras, DecodeFailure* failure) {
  ClearDecodedFields(event);
  *extras = RecordExtras{};

  simdjson::ondemand::document doc;
  error_code error = parser_.iterate(line.data(), line.size(), padded_size).get(doc);
  // iterate() runs stage 1 over the whole line, which validates UTF-8 up front.
  if (error == simdjson::UTF8_ERROR)
    return Fail(failure, "not_utf8", "the line is not valid UTF-8");
  if (error) return Fail(failure, "invalid_json", simdjson::error_message(error));

  simdjson::ondemand::object object;
  if ((error = doc.get_object().get(object))) {
    return Fail(failure, "invalid_json",
                error == simdjson::INCORRECT_TYPE ? "the line is not a JSON object"
                                                  : simdjson::error_message(error));
  }

  std::string_view timestamp;
  bool has_timestamp = false;
  bool has_session = false;
  bool has_message = false;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if ((error = std::move(field_result).get(field))) {
      return Fail(failure, error == simdjson::UTF8_ERROR ? "not_utf8" : "invalid_json",
                  simdjson::error_message(error));
    }
    std::string_view key = KeyText(field.key());
    simdjson::ondemand::value value = field.value();

    // String-valued keys, most frequent first.
    std::string* target = nullptr;
    std::string_view* view_target = nullptr;
    if (key == "timestamp") {
      view_target = &timestamp;
      has_timestamp = true;
    } else if (key == "user") {
      target = &event->user;
    } else if (key == "dbname") {
      target = &event->dbname;
    } else if (key == "session_id") {
      target = &event->session_id;
      has_session = true;
    } else if (key == "ps") {
      target = &event->command_tag;
    } else if (key == "vxid") {
      target = &event->vxid;
    } else if (key == "error_severity") {
      target = &event->severity;
    } else if (key == "state_code") {
      target = &event->state_code;
    } else if (key == "message") {
      target = &event->message;
      has_message = true;
    } else if (key == "detail") {
      target = &event->detail;
    } else if (key == "statement") {
      view_target = &extras->statement;
    } else if (key == "application_name") {
      target = &event->application_name;
    } else if (key == "backend_type") {
      view_target = &extras->backend_type;
    }
    if (target != nullptr || view_target != nullptr) {
      std::string_view text;
      if ((error = value.get_string().get(text)))
        return FailOnValue(failure, error, value, key, "a string");
      // Views point into the parser's string buffer, valid until the next iterate().
      if (target != nullptr) {
        target->assign(text);
      } else {
        *view_target = text;
      }
      continue;
    }

    int64_t* number = nullptr;
    if (key == "pid") {
      number = &event->pid;
    } else if (key == "line_num") {
      number = &event->line_num;
    } else if (key == "txid") {
      number = &event->txid;
    }
    if (number != nullptr) {
      if ((error = value.get_int64().get(*number))) {
        return FailOnValue(failure, error, value, key, "an integer");
      }
    }
    // Other keys (remote_host, session_start, query_id, ...) are skipped by the next step.
  }
  // Anything after the object ("{...} x", "{...}}") makes the line invalid.
  // (simdjson 3.0 has no document::at_end(): past the last token, current_location() fails.)
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Fail(failure, "invalid_json", "unexpected text after the JSON object");
  }

  if (!has_timestamp) return Fail(failure, "missing_field", "no \"timestamp\" key");
  if (!has_session) return Fail(failure, "missing_field", "no \"session_id\" key");
  if (!has_message) return Fail(failure, "missing_field", "no \"message\" key");
  if (!ParseLogTimestamp(timestamp, &event->time_us)) {
    return Fail(failure, "bad_timestamp",
                "unreadable timestamp \"" + std::string(timestamp) + "\"");
  }
  return true;
}

}  // namespace rls_shadow::ingest
