// Wal2jsonDecoder: one pass over the object's fields in document order.
#include "cdc/wal2json_decoder.h"

#include <string>

#include "cdc/pg_type_name.h"
#include "cdc/value_text.h"
#include "ingest/log_timestamp.h"

namespace rls_shadow::cdc {
namespace {

using simdjson::error_code;

bool ActionFromLetter(std::string_view letter, ChangeAction* action) {
  if (letter.size() != 1) return false;
  switch (letter[0]) {
    case 'B':
      *action = ChangeAction::kBegin;
      return true;
    case 'C':
      *action = ChangeAction::kCommit;
      return true;
    case 'I':
      *action = ChangeAction::kInsert;
      return true;
    case 'U':
      *action = ChangeAction::kUpdate;
      return true;
    case 'D':
      *action = ChangeAction::kDelete;
      return true;
    case 'T':
      *action = ChangeAction::kTruncate;
      return true;
    case 'M':
      *action = ChangeAction::kMessage;
      return true;
    default:
      return false;
  }
}

// Reads "columns" / "identity": [{"name":..., "type":..., "value":...}, ...].
bool ReadColumns(simdjson::ondemand::value value, std::string_view key,
                 std::vector<ColumnValue>* columns, DecodeFailure* failure) {
  simdjson::ondemand::array array;
  if (error_code error = value.get_array().get(array))
    return FailOnError(failure, error, "\"" + std::string(key) + "\"", "an array");
  for (auto element : array) {
    simdjson::ondemand::object column;
    if (error_code error = element.get_object().get(column)) {
      return FailOnError(failure, error, "an entry of \"" + std::string(key) + "\"", "an object");
    }
    ColumnValue& out = columns->emplace_back();
    bool has_name = false;
    bool has_value = false;
    for (auto field_result : column) {
      simdjson::ondemand::field field;
      if (error_code error = std::move(field_result).get(field))
        return FailOnError(failure, error, "\"" + std::string(key) + "\"", "an object");
      std::string_view name = KeyText(field.key());
      simdjson::ondemand::value item = field.value();
      if (name == "name") {
        std::string_view s;
        if (error_code error = item.get_string().get(s))
          return FailOnError(failure, error, "a column's \"name\"", "a string");
        out.name.assign(s);
        has_name = true;
      } else if (name == "type") {
        std::string_view s;
        if (error_code error = item.get_string().get(s))
          return FailOnError(failure, error, "a column's \"type\"", "a string");
        out.type = CanonicalTypeName(s);
      } else if (name == "value") {
        if (!ScalarText(item, "the value of column \"" + out.name + "\"", &out.text, failure))
          return false;
        has_value = true;
      }
    }
    if (!has_name) {
      return Fail(failure, "missing_field",
                  "an entry of \"" + std::string(key) + "\" has no \"name\"");
    }
    if (!has_value) {
      return Fail(failure, "missing_field", "column \"" + out.name + "\" has no \"value\"");
    }
  }
  return true;
}

}  // namespace

DecodeOutcome Wal2jsonDecoder::Decode(std::string_view line, size_t padded_size, ChangeEvent* event,
                                      DecodeFailure* failure) {
  ClearChangeEvent(event);
  auto reject = [](bool) { return DecodeOutcome::kRejected; };

  simdjson::ondemand::document doc;
  error_code error = parser_.iterate(line.data(), line.size(), padded_size).get(doc);
  if (error == simdjson::UTF8_ERROR)
    return reject(Fail(failure, "not_utf8", "the line is not valid UTF-8"));
  if (error) return reject(Fail(failure, "invalid_json", simdjson::error_message(error)));
  simdjson::ondemand::object object;
  if ((error = doc.get_object().get(object))) {
    return reject(Fail(failure, "invalid_json",
                       error == simdjson::INCORRECT_TYPE ? "the line is not a JSON object"
                                                         : simdjson::error_message(error)));
  }

  std::string action_text;
  bool has_action = false;
  bool has_prefix = false;
  std::string scratch;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if ((error = std::move(field_result).get(field))) {
      return reject(Fail(failure, error == simdjson::UTF8_ERROR ? "not_utf8" : "invalid_json",
                         simdjson::error_message(error)));
    }
    std::string_view key = KeyText(field.key());
    simdjson::ondemand::value value = field.value();
    if (key == "action") {
      std::string_view s;
      if ((error = value.get_string().get(s)))
        return reject(FailOnError(failure, error, "\"action\"", "a string"));
      action_text.assign(s);
      has_action = true;
    } else if (key == "xid") {
      if (!NullableInt(value, "\"xid\"", &event->xid, failure)) return DecodeOutcome::kRejected;
    } else if (key == "timestamp") {
      if (!NullableString(value, "\"timestamp\"", &scratch, failure))
        return DecodeOutcome::kRejected;
      if (!scratch.empty() && !ingest::ParseLogTimestamp(scratch, &event->time_us)) {
        return reject(Fail(failure, "bad_value", "unreadable timestamp \"" + scratch + "\""));
      }
    } else if (key == "lsn") {
      if (!NullableString(value, "\"lsn\"", &scratch, failure)) return DecodeOutcome::kRejected;
      if (!scratch.empty() && !ParseLsn(scratch, &event->lsn))
        return reject(Fail(failure, "bad_value", "unreadable lsn \"" + scratch + "\""));
    } else if (key == "schema") {
      if (!NullableString(value, "\"schema\"", &event->schema, failure))
        return DecodeOutcome::kRejected;
    } else if (key == "table") {
      if (!NullableString(value, "\"table\"", &event->table, failure))
        return DecodeOutcome::kRejected;
    } else if (key == "columns") {
      if (!ReadColumns(value, key, &event->columns, failure)) return DecodeOutcome::kRejected;
    } else if (key == "identity") {
      if (!ReadColumns(value, key, &event->identity, failure)) return DecodeOutcome::kRejected;
    } else if (key == "transactional") {
      if ((error = value.get_bool().get(event->transactional)))
        return reject(FailOnError(failure, error, "\"transactional\"", "a boolean"));
    } else if (key == "prefix") {
      if (!NullableString(value, "\"prefix\"", &event->message_prefix, failure))
        return DecodeOutcome::kRejected;
      has_prefix = true;
    } else if (key == "content") {
      if (!NullableString(value, "\"content\"", &event->message_content, failure))
        return DecodeOutcome::kRejected;
    }
    // "nextlsn", "pk" and unknown keys are skipped by the next step.
  }
  if (!CheckAtEnd(doc, failure)) return DecodeOutcome::kRejected;

  if (!has_action) return reject(Fail(failure, "missing_field", "no \"action\" key"));
  if (!ActionFromLetter(action_text, &event->action)) {
    return reject(Fail(failure, "unknown_action", "unknown action \"" + action_text + "\""));
  }
  switch (event->action) {
    case ChangeAction::kInsert:
    case ChangeAction::kUpdate:
    case ChangeAction::kDelete:
    case ChangeAction::kTruncate:
      if (event->table.empty())
        return reject(Fail(failure, "missing_field", "no \"table\" key on a row change"));
      if (event->schema.empty()) event->schema = "public";
      if (event->action == ChangeAction::kTruncate)
        event->truncated.push_back(event->QualifiedTable());
      break;
    case ChangeAction::kMessage:
      if (!has_prefix) return reject(Fail(failure, "missing_field", "no \"prefix\" on a message"));
      break;
    default:
      break;
  }
  return DecodeOutcome::kEvent;
}

}  // namespace rls_shadow::cdc
