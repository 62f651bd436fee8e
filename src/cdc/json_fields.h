// Small helpers shared by the CDC JSON decoders (simdjson On-Demand): reading a key, turning a
// simdjson error into a reject reason, and a JSON scalar into PostgreSQL text.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "ingest/decoded_record.h"  // DecodeFailure
#include "rls_shadow/change_event.h"

namespace rls_shadow::cdc {

using ingest::DecodeFailure;

// What a decoder made of one record.
enum class DecodeOutcome {
  kEvent,      // *event holds a change
  kTombstone,  // a Debezium tombstone (null value): nothing to hand on, nothing wrong
  kRejected,   // *failure says why
};

// Clears every decoded field of a reused event (keeps position.source and capacities).
inline void ClearChangeEvent(ChangeEvent* event) {
  event->action = ChangeAction::kInsert;
  event->xid = 0;
  event->lsn = 0;
  event->time_us = 0;
  event->schema.clear();
  event->table.clear();
  event->columns.clear();
  event->identity.clear();
  event->truncated.clear();
  event->message_prefix.clear();
  event->message_content.clear();
  event->transactional = true;
}

// The key as written (escapes left in place: an escaped key simply matches nothing).
inline std::string_view KeyText(const simdjson::ondemand::raw_json_string& key) {
  const char* start = key.raw();
  const char* p = start;
  while (*p != '"') {
    if (*p == '\\') ++p;
    ++p;
  }
  return std::string_view(start, static_cast<size_t>(p - start));
}

inline bool Fail(DecodeFailure* failure, const char* reason, std::string message) {
  failure->reason = reason;
  failure->message = std::move(message);
  return false;
}

// Maps a simdjson error met while reading `what` to a reject: "wrong_type" when the JSON is
// well-formed but of another type, "not_utf8", else "invalid_json".
inline bool FailOnError(DecodeFailure* failure, simdjson::error_code error, std::string_view what,
                        const char* expected) {
  if (error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_OUT_OF_RANGE) {
    return Fail(failure, "wrong_type", std::string(what) + " is not " + expected);
  }
  if (error == simdjson::UTF8_ERROR) {
    return Fail(failure, "not_utf8", "invalid UTF-8 in " + std::string(what));
  }
  return Fail(failure, "invalid_json",
              "invalid JSON at " + std::string(what) + ": " + simdjson::error_message(error));
}

// The text of a number token as written ("12.50", "-3", "1e5"), without trailing blanks.
inline std::string_view NumberText(std::string_view raw) {
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
    raw.remove_suffix(1);
  }
  return raw;
}

// True when `text` is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?. simdjson
// checks a number token only when it is converted, and a raw token is never converted here.
inline bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// Reads a JSON scalar as PostgreSQL text: a string as is, a number as written, true/false as
// "t"/"f", null as nullopt. Objects and arrays are "wrong_type".
inline bool ScalarText(simdjson::ondemand::value value, std::string_view what,
                       std::optional<std::string>* text, DecodeFailure* failure) {
  simdjson::ondemand::json_type type;
  if (auto error = value.type().get(type)) return FailOnError(failure, error, what, "a value");
  switch (type) {
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      if (auto error = value.get_string().get(s))
        return FailOnError(failure, error, what, "a string");
      text->emplace(s);
      return true;
    }
    case simdjson::ondemand::json_type::number: {
      std::string_view raw = NumberText(value.raw_json_token());
      if (!IsJsonNumber(raw)) {
        return Fail(failure, "invalid_json", "malformed number in " + std::string(what));
      }
      text->emplace(raw);
      return true;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b = false;
      if (auto error = value.get_bool().get(b))
        return FailOnError(failure, error, what, "a boolean");
      text->emplace(b ? "t" : "f");
      return true;
    }
    case simdjson::ondemand::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null); error || !is_null)
        return FailOnError(failure, error ? error : simdjson::INCORRECT_TYPE, what, "null");
      text->reset();
      return true;
    }
    default:
      return Fail(failure, "wrong_type",
                  std::string(what) + " is an object or array, not a scalar");
  }
}

// Reads an optional string: null gives "" and true; another type is "wrong_type".
inline bool NullableString(simdjson::ondemand::value value, std::string_view what, std::string* out,
                           DecodeFailure* failure) {
  bool is_null = false;
  if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
    out->clear();
    return true;
  }
  std::string_view s;
  if (auto error = value.get_string().get(s)) return FailOnError(failure, error, what, "a string");
  out->assign(s);
  return true;
}

// Reads an optional integer: null gives 0 and true.
inline bool NullableInt(simdjson::ondemand::value value, std::string_view what, int64_t* out,
                        DecodeFailure* failure) {
  bool is_null = false;
  if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
    *out = 0;
    return true;
  }
  if (auto error = value.get_int64().get(*out))
    return FailOnError(failure, error, what, "an integer");
  return true;
}

// Fails unless the document was consumed to its end ("{...} x" is invalid).
inline bool CheckAtEnd(simdjson::ondemand::document& doc, DecodeFailure* failure) {
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Fail(failure, "invalid_json", "unexpected text after the JSON value");
  }
  return true;
}

}  // namespace rls_shadow::cdc
