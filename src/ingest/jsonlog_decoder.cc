// JsonlogDecoder: one pass over the object's fields in document order (On-Demand is fastest
// that way), copying only the keys the analyzer uses; other keys are skipped unparsed.
#include "ingest/jsonlog_decoder.h"

#include <cstring>
#include <string>
#include <utility>

namespace rls_shadow::ingest {
namespace {

using simdjson::error_code;

// The keys the decoder reads; kOther for every other key.
enum class Key {
  kOther,
  kTimestamp,
  kUser,
  kDbname,
  kSessionId,
  kErrorSeverity,
  kStateCode,
  kMessage,
  kDetail,
  kStatement,
  kApplicationName,
  kBackendType,
  kPid,
  kLineNum,
  kTxid,
};

// Which key `raw` (the key's first byte, inside the padded line) is, and its name. The raw key
// is compared with each candidate as written, closing quote included, so its end need not be
// found first (that scan cost more than the rest of the dispatch); an escaped key matches
// nothing. Reading a candidate's length past a shorter key stays inside the line's padding.
Key ClassifyKey(const char* raw, std::string_view* name) {
  auto is = [&](std::string_view candidate) {
    if (std::memcmp(raw, candidate.data(), candidate.size()) != 0 || raw[candidate.size()] != '"')
      return false;
    *name = candidate;
    return true;
  };
  switch (raw[0]) {
    case 'a':
      if (is("application_name")) return Key::kApplicationName;
      break;
    case 'b':
      if (is("backend_type")) return Key::kBackendType;
      break;
    case 'd':
      if (is("dbname")) return Key::kDbname;
      if (is("detail")) return Key::kDetail;
      break;
    case 'e':
      if (is("error_severity")) return Key::kErrorSeverity;
      break;
    case 'l':
      if (is("line_num")) return Key::kLineNum;
      break;
    case 'm':
      if (is("message")) return Key::kMessage;
      break;
    case 'p':
      if (is("pid")) return Key::kPid;
      break;
    case 's':
      if (is("session_id")) return Key::kSessionId;
      if (is("state_code")) return Key::kStateCode;
      if (is("statement")) return Key::kStatement;
      break;
    case 't':
      if (is("timestamp")) return Key::kTimestamp;
      if (is("txid")) return Key::kTxid;
      break;
    case 'u':
      if (is("user")) return Key::kUser;
      break;
    default:
      break;
  }
  return Key::kOther;
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
    if ((error = field_result.error())) {
      return Fail(failure, error == simdjson::UTF8_ERROR ? "not_utf8" : "invalid_json",
                  simdjson::error_message(error));
    }
    // The field and its value are used where simdjson built them. Copies (get(field), a value
    // by value) were read back as 16 bytes just written as 8 + 4, which the CPU cannot forward
    // from its store buffer: two stalls a field, ~5% of a run's time in `perf`, not visible in
    // instruction counts.
    simdjson::ondemand::field& field = field_result.value_unsafe();
    std::string_view key;
    const Key which = ClassifyKey(field.key().raw(), &key);
    if (which == Key::kOther) continue;  // skipped unparsed by the next step
    simdjson::ondemand::value& value = field.value();

    // String-valued keys.
    std::string* target = nullptr;
    std::string_view* view_target = nullptr;
    int64_t* number = nullptr;
    switch (which) {
      case Key::kTimestamp:
        view_target = &timestamp;
        has_timestamp = true;
        break;
      case Key::kUser:
        target = &event->user;
        break;
      case Key::kDbname:
        target = &event->dbname;
        break;
      case Key::kSessionId:
        target = &event->session_id;
        has_session = true;
        break;
      case Key::kErrorSeverity:
        target = &event->severity;
        break;
      case Key::kStateCode:
        target = &event->state_code;
        break;
      case Key::kMessage:
        target = &event->message;
        has_message = true;
        break;
      case Key::kDetail:
        target = &event->detail;
        break;
      case Key::kStatement:
        view_target = &extras->statement;
        break;
      case Key::kApplicationName:
        target = &event->application_name;
        break;
      case Key::kBackendType:
        view_target = &extras->backend_type;
        break;
      case Key::kPid:
        number = &event->pid;
        break;
      case Key::kLineNum:
        number = &event->line_num;
        break;
      case Key::kTxid:
        number = &event->txid;
        break;
      case Key::kOther:
        break;
    }
    if (target != nullptr || view_target != nullptr) {
      std::string_view text;
      if ((error = value.get_string().get(text)))
        return FailOnValue(failure, error, value, key, "a string");
      // Views point into the parser's string buffer, valid until the next iterate().
      if (target != nullptr) {
        AssignField(target, text);
      } else {
        *view_target = text;
      }
      continue;
    }
    if (number != nullptr) {
      if ((error = value.get_int64().get(*number))) {
        return FailOnValue(failure, error, value, key, "an integer");
      }
    }
    // Other keys (remote_host, ps, session_start, vxid, query_id, ...) are skipped by the next
    // step.
  }
  // Anything after the object ("{...} x", "{...}}") makes the line invalid.
  // (simdjson 3.0 has no document::at_end(): past the last token, current_location() fails.)
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Fail(failure, "invalid_json", "unexpected text after the JSON object");
  }

  if (!has_timestamp) return Fail(failure, "missing_field", "no \"timestamp\" key");
  if (!has_session) return Fail(failure, "missing_field", "no \"session_id\" key");
  if (!has_message) return Fail(failure, "missing_field", "no \"message\" key");
  if (!timestamps_.Parse(timestamp, &event->time_us)) {
    return Fail(failure, "bad_timestamp",
                "unreadable timestamp \"" + std::string(timestamp) + "\"");
  }
  return true;
}

}  // namespace rls_shadow::ingest
