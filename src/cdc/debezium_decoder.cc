// DebeziumDecoder: the envelope is walked once in document order (the JsonConverter writes
// "schema" before "payload"); a payload met before its schema is decoded again after a rewind.
#include "cdc/debezium_decoder.h"

#include <fmt/format.h>

#include <string>

#include "cdc/pg_type_name.h"
#include "cdc/value_text.h"

namespace rls_shadow::cdc {
namespace {

using simdjson::error_code;
using simdjson::ondemand::json_type;
using Field = DebeziumDecoder::FieldSchema;

constexpr std::string_view kUnavailable = "__debezium_unavailable_value";
// The placeholder as a bytes field carries it (a Decimal or bytea column): base64 of the text.
constexpr std::string_view kUnavailableBase64 = "X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==";

DecodeOutcome Reject(bool) { return DecodeOutcome::kRejected; }

// --- schema -----------------------------------------------------------------------------------

bool ParseFieldSchema(simdjson::ondemand::object object, Field* field, DecodeFailure* failure);

// Reads a struct's "fields" array into *fields.
bool ParseFields(simdjson::ondemand::value value, std::vector<Field>* fields,
                 DecodeFailure* failure) {
  simdjson::ondemand::array array;
  if (error_code error = value.get_array().get(array))
    return FailOnError(failure, error, "a schema's \"fields\"", "an array");
  for (auto element : array) {
    simdjson::ondemand::object object;
    if (error_code error = element.get_object().get(object))
      return FailOnError(failure, error, "a field schema", "an object");
    if (!ParseFieldSchema(object, &fields->emplace_back(), failure)) return false;
  }
  return true;
}

bool ReadParameters(simdjson::ondemand::value value, Field* field, DecodeFailure* failure) {
  simdjson::ondemand::object parameters;
  if (error_code error = value.get_object().get(parameters))
    return FailOnError(failure, error, "a field schema's \"parameters\"", "an object");
  for (auto item : parameters) {
    simdjson::ondemand::field parameter;
    if (error_code error = std::move(item).get(parameter))
      return FailOnError(failure, error, "\"parameters\"", "an object");
    std::string_view key = KeyText(parameter.key());
    if (key != "scale" && key != "__debezium.source.column.type") continue;
    std::string_view text;
    simdjson::ondemand::value v = parameter.value();
    if (error_code error = v.get_string().get(text))
      return FailOnError(failure, error, "parameter \"" + std::string(key) + "\"", "a string");
    if (key == "scale") {
      int64_t scale = 0;
      for (char c : text) {
        if (c < '0' || c > '9' || scale > 100000)
          return Fail(failure, "bad_value", "Decimal scale \"" + std::string(text) + "\"");
        scale = scale * 10 + (c - '0');
      }
      field->scale = scale;
    } else {
      field->source_type.assign(text);
    }
  }
  return true;
}

bool ParseFieldSchema(simdjson::ondemand::object object, Field* field, DecodeFailure* failure) {
  for (auto item : object) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, "a field schema", "an object");
    std::string_view key = KeyText(member.key());
    simdjson::ondemand::value value = member.value();
    std::string* target = nullptr;
    if (key == "field") {
      target = &field->name;
    } else if (key == "type") {
      target = &field->type;
    } else if (key == "name") {
      target = &field->logical;
    } else if (key == "parameters") {
      if (!ReadParameters(value, field, failure)) return false;
      continue;
    }
    if (target == nullptr) continue;
    std::string_view text;
    if (error_code error = value.get_string().get(text))
      return FailOnError(failure, error, "a field schema's \"" + std::string(key) + "\"",
                         "a string");
    target->assign(text);
  }
  return true;
}

// Reads the envelope schema; keeps the row schema (the "before"/"after" struct's fields).
bool ParseEnvelopeSchema(simdjson::ondemand::value value, std::vector<Field>* row,
                         DecodeFailure* failure) {
  row->clear();
  bool is_null = false;
  if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
  simdjson::ondemand::object envelope;
  if (error_code error = value.get_object().get(envelope))
    return FailOnError(failure, error, "\"schema\"", "an object");
  for (auto item : envelope) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, "\"schema\"", "an object");
    if (KeyText(member.key()) != "fields") continue;
    simdjson::ondemand::array array;
    simdjson::ondemand::value fields_value = member.value();
    if (error_code error = fields_value.get_array().get(array))
      return FailOnError(failure, error, "the envelope schema's \"fields\"", "an array");
    for (auto element : array) {
      simdjson::ondemand::object part;
      if (error_code error = element.get_object().get(part))
        return FailOnError(failure, error, "an envelope field schema", "an object");
      // "field" is usually written after "fields": read both, decide at the end.
      std::string name;
      std::vector<Field> nested;
      for (auto part_item : part) {
        simdjson::ondemand::field part_member;
        if (error_code error = std::move(part_item).get(part_member))
          return FailOnError(failure, error, "an envelope field schema", "an object");
        std::string_view key = KeyText(part_member.key());
        simdjson::ondemand::value v = part_member.value();
        if (key == "field") {
          std::string_view text;
          if (error_code error = v.get_string().get(text))
            return FailOnError(failure, error, "an envelope field's \"field\"", "a string");
          name.assign(text);
        } else if (key == "fields") {
          if (!ParseFields(v, &nested, failure)) return false;
        }
      }
      if ((name == "after" || (name == "before" && row->empty())) && !nested.empty()) {
        *row = std::move(nested);
      }
    }
  }
  return true;
}

// --- values -------------------------------------------------------------------------------------

const Field* FindField(const std::vector<Field>& fields, std::string_view name) {
  for (const Field& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The canonical type a field schema says, or "" when it does not say (see the header).
std::string TypeOfField(const Field& f) {
  if (!f.source_type.empty()) return CanonicalTypeName(f.source_type);
  const std::string& l = f.logical;
  if (l == "io.debezium.data.Uuid") return "uuid";
  if (l == "io.debezium.time.ZonedTimestamp") return "timestamptz";
  if (l == "io.debezium.time.MicroTimestamp" || l == "io.debezium.time.Timestamp" ||
      l == "io.debezium.time.NanoTimestamp" || l == "org.apache.kafka.connect.data.Timestamp") {
    return "timestamp";
  }
  if (l == "io.debezium.time.Date" || l == "org.apache.kafka.connect.data.Date") return "date";
  if (l == "io.debezium.time.MicroTime") return "time";
  if (l == "org.apache.kafka.connect.data.Decimal" || l == "io.debezium.data.VariableScaleDecimal")
    return "numeric";
  if (!l.empty()) return "";  // Json, Enum, Bits, geometry, ...: not one canonical type
  if (f.type == "int16") return "int2";
  if (f.type == "int32") return "int4";
  if (f.type == "int64") return "int8";
  if (f.type == "float32") return "float4";
  if (f.type == "float64") return "float8";
  if (f.type == "boolean") return "bool";
  if (f.type == "bytes") return "bytea";
  return "";
}

bool ArrayLiteral(simdjson::ondemand::value value, std::string_view what, std::string* out,
                  DecodeFailure* failure);

// Appends one array element in PostgreSQL's array output syntax.
bool AppendArrayElement(simdjson::ondemand::value value, std::string_view what, std::string* out,
                        DecodeFailure* failure) {
  json_type type;
  if (error_code error = value.type().get(type))
    return FailOnError(failure, error, what, "a value");
  if (type == json_type::array) {
    std::string nested;
    if (!ArrayLiteral(value, what, &nested, failure)) return false;
    *out += nested;
    return true;
  }
  std::optional<std::string> text;
  if (!ScalarText(value, what, &text, failure)) return false;
  if (!text) {
    *out += "NULL";
    return true;
  }
  bool quote = text->empty() ||
               (text->size() == 4 && (*text == "NULL" || *text == "null" || *text == "Null"));
  for (char c : *text) {
    if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || c == ' ' || c == '\t' ||
        c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) {
    *out += *text;
    return true;
  }
  *out += '"';
  for (char c : *text) {
    if (c == '"' || c == '\\') *out += '\\';
    *out += c;
  }
  *out += '"';
  return true;
}

// A JSON array -> "{1,2,NULL}" / "{\"a b\",c}".
bool ArrayLiteral(simdjson::ondemand::value value, std::string_view what, std::string* out,
                  DecodeFailure* failure) {
  simdjson::ondemand::array array;
  if (error_code error = value.get_array().get(array))
    return FailOnError(failure, error, what, "an array");
  *out = "{";
  bool first = true;
  for (auto element : array) {
    simdjson::ondemand::value item;
    if (error_code error = std::move(element).get(item))
      return FailOnError(failure, error, what, "an array");
    if (!first) *out += ',';
    first = false;
    if (!AppendArrayElement(item, what, out, failure)) return false;
  }
  *out += '}';
  return true;
}

// A base64 unscaled value and a scale -> decimal text.
bool DecimalFromBase64(std::string_view base64, int64_t scale, std::string_view what,
                       std::string* text, DecodeFailure* failure) {
  std::string bytes;
  if (!DecodeBase64(base64, &bytes) || !DecimalText(bytes, scale, text)) {
    return Fail(failure, "bad_value",
                std::string(what) + ": \"" + std::string(base64.substr(0, 64)) +
                    "\" is not a base64 decimal");
  }
  return true;
}

// {"scale": 2, "value": "BNI="} -> decimal text. Returns false with *failure on a malformed
// struct; sets *matched false (and returns true) when the object is not such a struct.
bool VariableScaleDecimal(simdjson::ondemand::value value, std::string_view what, std::string* text,
                          bool* matched, DecodeFailure* failure) {
  simdjson::ondemand::object object;
  if (error_code error = value.get_object().get(object))
    return FailOnError(failure, error, what, "an object");
  int64_t scale = 0;
  std::string_view digits;
  bool has_scale = false;
  bool has_value = false;
  bool other = false;
  for (auto item : object) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, what, "an object");
    std::string_view key = KeyText(member.key());
    simdjson::ondemand::value v = member.value();
    if (key == "scale") {
      if (error_code error = v.get_int64().get(scale))
        return FailOnError(failure, error, std::string(what) + " scale", "an integer");
      has_scale = true;
    } else if (key == "value") {
      if (error_code error = v.get_string().get(digits))
        return FailOnError(failure, error, std::string(what) + " value", "a string");
      has_value = true;
    } else {
      other = true;
    }
  }
  *matched = has_scale && has_value && !other;
  if (!*matched) return true;
  return DecimalFromBase64(digits, scale, what, text, failure);
}

// Reads one column value of a row, by its field schema (nullptr: none).
bool ReadColumn(simdjson::ondemand::value value, const Field* f, ColumnValue* out,
                DecodeFailure* failure) {
  const std::string what = "column \"" + out->name + "\"";
  if (f != nullptr) out->type = TypeOfField(*f);
  json_type type;
  if (error_code error = value.type().get(type))
    return FailOnError(failure, error, what, "a value");
  if (type == json_type::null) {
    return ScalarText(value, what, &out->text, failure);
  }
  const std::string empty;
  const std::string& logical = f != nullptr ? f->logical : empty;
  const std::string& connect = f != nullptr ? f->type : empty;

  if (type == json_type::string) {
    std::string_view s;
    if (error_code error = value.get_string().get(s))
      return FailOnError(failure, error, what, "a string");
    if (s == kUnavailable || (connect == "bytes" && s == kUnavailableBase64)) {
      out->unavailable = true;
      out->text.reset();
      return true;
    }
    std::string text;
    if (logical == "io.debezium.time.ZonedTimestamp") {
      int64_t micros = 0;
      if (!ParseIsoTimestamp(s, &micros)) {
        return Fail(failure, "bad_value",
                    what + ": \"" + std::string(s.substr(0, 64)) + "\" is not an ISO timestamp");
      }
      out->text = TimestampText(micros, true);
    } else if (logical == "org.apache.kafka.connect.data.Decimal") {
      if (!DecimalFromBase64(s, f->scale, what, &text, failure)) return false;
      out->text = std::move(text);
    } else if (connect == "bytes" && logical.empty()) {
      std::string bytes;
      if (!DecodeBase64(s, &bytes))
        return Fail(failure, "bad_value", what + ": bytes value is not base64");
      text = "\\x";
      for (char c : bytes) text += fmt::format("{:02x}", static_cast<unsigned char>(c));
      out->text = std::move(text);
    } else if (f != nullptr && connect != "string" && connect != "bytes") {
      return Fail(failure, "wrong_type", what + " is a string, its schema says " + connect);
    } else {
      out->text.emplace(s);
    }
    return true;
  }

  if (type == json_type::number) {
    if (logical == "io.debezium.time.MicroTimestamp" || logical == "io.debezium.time.Timestamp" ||
        logical == "io.debezium.time.NanoTimestamp" ||
        logical == "org.apache.kafka.connect.data.Timestamp" ||
        logical == "io.debezium.time.Date" || logical == "org.apache.kafka.connect.data.Date" ||
        logical == "io.debezium.time.MicroTime") {
      int64_t n = 0;
      if (error_code error = value.get_int64().get(n))
        return FailOnError(failure, error, what, "an integer");
      if (logical == "io.debezium.time.Date" || logical == "org.apache.kafka.connect.data.Date") {
        out->text = DateText(n);
      } else if (logical == "io.debezium.time.MicroTime") {
        std::string t = TimestampText(n, false);  // "1970-01-01 HH:MM:SS[.f]"
        out->text = t.substr(11);
      } else {
        int64_t micros = n;
        if (logical == "io.debezium.time.Timestamp" ||
            logical == "org.apache.kafka.connect.data.Timestamp") {
          micros = n * 1000;
        } else if (logical == "io.debezium.time.NanoTimestamp") {
          micros = n / 1000 - (n % 1000 < 0 ? 1 : 0);
        }
        out->text = TimestampText(micros, false);
      }
      return true;
    }
    if (f != nullptr && (connect == "string" || connect == "boolean" || connect == "struct" ||
                         connect == "bytes" || connect == "array")) {
      return Fail(failure, "wrong_type", what + " is a number, its schema says " + connect);
    }
    return ScalarText(value, what, &out->text, failure);
  }

  if (type == json_type::boolean) {
    if (f != nullptr && connect != "boolean")
      return Fail(failure, "wrong_type", what + " is a boolean, its schema says " + connect);
    return ScalarText(value, what, &out->text, failure);
  }

  if (type == json_type::array) {
    std::string text;
    if (!ArrayLiteral(value, what, &text, failure)) return false;
    out->text = std::move(text);
    return true;
  }

  // An object: a VariableScaleDecimal (the only struct a PostgreSQL column maps to, apart from
  // geometry types, which are not read).
  std::string text;
  bool matched = false;
  if (!VariableScaleDecimal(value, what, &text, &matched, failure)) return false;
  if (!matched) return Fail(failure, "wrong_type", what + " is an object Debezium does not send");
  out->type = "numeric";
  out->text = std::move(text);
  return true;
}

// Reads "before"/"after": null or an object of column values.
bool ReadRow(simdjson::ondemand::value value, std::string_view key,
             const std::vector<Field>& fields, std::vector<ColumnValue>* row,
             DecodeFailure* failure) {
  row->clear();
  bool is_null = false;
  if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
  simdjson::ondemand::object object;
  if (error_code error = value.get_object().get(object))
    return FailOnError(failure, error, "\"" + std::string(key) + "\"", "an object or null");
  for (auto item : object) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, "\"" + std::string(key) + "\"", "an object");
    ColumnValue& column = row->emplace_back();
    // Column names are unescaped: they may hold any character.
    std::string_view name;
    if (error_code error = member.unescaped_key().get(name))
      return FailOnError(failure, error, "a column name", "a string");
    column.name.assign(name);
    if (!ReadColumn(member.value(), fields.empty() ? nullptr : FindField(fields, name), &column,
                    failure)) {
      return false;
    }
  }
  return true;
}

// --- envelope -----------------------------------------------------------------------------------

struct Payload {
  std::string op;
  bool has_op = false;
  bool has_source = false;
  bool has_txid = false;
  bool has_ts_us = false;
  int64_t ts_ms = 0;
  int64_t ts_us = 0;
  bool has_message = false;
  bool has_prefix = false;
  std::string content_base64;
};

bool ReadSource(simdjson::ondemand::value value, Payload* payload, ChangeEvent* event,
                DecodeFailure* failure) {
  simdjson::ondemand::object object;
  if (error_code error = value.get_object().get(object))
    return FailOnError(failure, error, "\"source\"", "an object");
  payload->has_source = true;
  for (auto item : object) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, "\"source\"", "an object");
    std::string_view key = KeyText(member.key());
    simdjson::ondemand::value v = member.value();
    if (key == "schema") {
      if (!NullableString(v, "source.schema", &event->schema, failure)) return false;
    } else if (key == "table") {
      if (!NullableString(v, "source.table", &event->table, failure)) return false;
    } else if (key == "txId") {
      bool is_null = false;
      if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) continue;
      if (error_code error = v.get_int64().get(event->xid))
        return FailOnError(failure, error, "source.txId", "an integer");
      payload->has_txid = true;
    } else if (key == "lsn") {
      bool is_null = false;
      if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) continue;
      if (error_code error = v.get_uint64().get(event->lsn))
        return FailOnError(failure, error, "source.lsn", "an integer");
    } else if (key == "ts_ms") {
      if (!NullableInt(v, "source.ts_ms", &payload->ts_ms, failure)) return false;
    } else if (key == "ts_us") {
      bool is_null = false;
      if (v.is_null().get(is_null) == simdjson::SUCCESS && is_null) continue;
      if (error_code error = v.get_int64().get(payload->ts_us))
        return FailOnError(failure, error, "source.ts_us", "an integer");
      payload->has_ts_us = true;
    }
    // "snapshot" (a string enum in 2.x, a boolean in 1.x), "sequence", "xmin", ... skipped.
  }
  return true;
}

bool ReadMessage(simdjson::ondemand::value value, Payload* payload, ChangeEvent* event,
                 DecodeFailure* failure) {
  simdjson::ondemand::object object;
  if (error_code error = value.get_object().get(object))
    return FailOnError(failure, error, "\"message\"", "an object");
  payload->has_message = true;
  for (auto item : object) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, "\"message\"", "an object");
    std::string_view key = KeyText(member.key());
    simdjson::ondemand::value v = member.value();
    if (key == "prefix") {
      if (!NullableString(v, "message.prefix", &event->message_prefix, failure)) return false;
      payload->has_prefix = true;
    } else if (key == "content") {
      if (!NullableString(v, "message.content", &payload->content_base64, failure)) return false;
    }
  }
  return true;
}

// One key of a payload object (or of an unwrapped message, where they are at the top level).
bool HandlePayloadField(std::string_view key, simdjson::ondemand::value value,
                        const std::vector<Field>& fields, Payload* payload, ChangeEvent* event,
                        DecodeFailure* failure) {
  if (key == "op") {
    std::string_view op;
    if (error_code error = value.get_string().get(op))
      return FailOnError(failure, error, "\"op\"", "a string");
    payload->op.assign(op);
    payload->has_op = true;
  } else if (key == "before") {
    return ReadRow(value, key, fields, &event->identity, failure);
  } else if (key == "after") {
    return ReadRow(value, key, fields, &event->columns, failure);
  } else if (key == "source") {
    return ReadSource(value, payload, event, failure);
  } else if (key == "message") {
    bool is_null = false;
    if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) return true;
    return ReadMessage(value, payload, event, failure);
  }
  return true;  // "ts_ms", "transaction", ... skipped
}

bool HandlePayloadObject(simdjson::ondemand::value value, const std::vector<Field>& fields,
                         Payload* payload, ChangeEvent* event, DecodeFailure* failure) {
  simdjson::ondemand::object object;
  if (error_code error = value.get_object().get(object))
    return FailOnError(failure, error, "\"payload\"", "an object or null");
  for (auto item : object) {
    simdjson::ondemand::field member;
    if (error_code error = std::move(item).get(member))
      return FailOnError(failure, error, "\"payload\"", "an object");
    if (!HandlePayloadField(KeyText(member.key()), member.value(), fields, payload, event,
                            failure)) {
      return false;
    }
  }
  return true;
}

bool Finish(const Payload& payload, ChangeEvent* event, DecodeFailure* failure,
            DecodeOutcome* outcome) {
  *outcome = DecodeOutcome::kRejected;
  if (!payload.has_op) return Fail(failure, "missing_field", "no \"op\"");
  const std::string& op = payload.op;
  if (op == "c") {
    event->action = ChangeAction::kInsert;
  } else if (op == "u") {
    event->action = ChangeAction::kUpdate;
  } else if (op == "d") {
    event->action = ChangeAction::kDelete;
  } else if (op == "r") {
    event->action = ChangeAction::kSnapshot;
  } else if (op == "t") {
    event->action = ChangeAction::kTruncate;
  } else if (op == "m") {
    event->action = ChangeAction::kMessage;
  } else {
    return Fail(failure, "unknown_action", "unknown op \"" + op + "\"");
  }
  event->time_us = payload.has_ts_us ? payload.ts_us : payload.ts_ms * 1000;
  switch (event->action) {
    case ChangeAction::kMessage: {
      if (!payload.has_message || !payload.has_prefix)
        return Fail(failure, "missing_field", "no \"message.prefix\" on op \"m\"");
      if (!DecodeBase64(payload.content_base64, &event->message_content))
        return Fail(failure, "bad_value", "message.content is not base64");
      event->transactional = payload.has_txid;
      event->columns.clear();
      event->identity.clear();
      break;
    }
    default:
      if (!payload.has_source) return Fail(failure, "missing_field", "no \"source\"");
      if (event->table.empty()) return Fail(failure, "missing_field", "no \"source.table\"");
      if (event->schema.empty()) event->schema = "public";
      if (event->action == ChangeAction::kInsert || event->action == ChangeAction::kSnapshot) {
        event->identity.clear();
      } else if (event->action == ChangeAction::kDelete) {
        event->columns.clear();
      } else if (event->action == ChangeAction::kTruncate) {
        event->columns.clear();
        event->identity.clear();
        event->truncated.push_back(event->QualifiedTable());
      }
      break;
  }
  *outcome = DecodeOutcome::kEvent;
  return true;
}

}  // namespace

DecodeOutcome DebeziumDecoder::Decode(std::string_view json, size_t padded_size, ChangeEvent* event,
                                      DecodeFailure* failure) {
  simdjson::ondemand::document doc;
  error_code error = parser_.iterate(json.data(), json.size(), padded_size).get(doc);
  if (error == simdjson::UTF8_ERROR)
    return Reject(Fail(failure, "not_utf8", "the message is not valid UTF-8"));
  if (error) return Reject(Fail(failure, "invalid_json", simdjson::error_message(error)));

  json_type type;
  if ((error = doc.type().get(type)))
    return Reject(Fail(failure, "invalid_json", simdjson::error_message(error)));
  if (type == json_type::null) {
    bool is_null = false;
    if (doc.is_null().get(is_null) || !is_null)
      return Reject(Fail(failure, "invalid_json", "not a JSON value"));
    if (!CheckAtEnd(doc, failure)) return DecodeOutcome::kRejected;
    return DecodeOutcome::kTombstone;
  }
  if (type != json_type::object)
    return Reject(Fail(failure, "invalid_json", "the message is not a JSON object or null"));

  // Pass 1 reads in document order. A payload met before its schema was decoded without it:
  // pass 2 decodes it again with the schema.
  bool payload_before_schema = false;
  bool wrapped = false;
  bool payload_null = false;
  bool has_payload = false;
  Payload payload;
  for (int pass = 1; pass <= 2; ++pass) {
    if (pass == 2) {
      if (!payload_before_schema || fields_.empty()) break;
      doc.rewind();
    } else {
      fields_.clear();
    }
    ClearChangeEvent(event);
    payload = Payload{};
    wrapped = payload_null = has_payload = false;
    simdjson::ondemand::object object;
    if ((error = doc.get_object().get(object)))
      return Reject(Fail(failure, "invalid_json", simdjson::error_message(error)));
    for (auto item : object) {
      simdjson::ondemand::field member;
      if ((error = std::move(item).get(member))) {
        return Reject(Fail(failure, error == simdjson::UTF8_ERROR ? "not_utf8" : "invalid_json",
                           simdjson::error_message(error)));
      }
      std::string_view key = KeyText(member.key());
      simdjson::ondemand::value value = member.value();
      if (key == "schema") {
        wrapped = true;
        if (pass == 2) continue;
        if (!ParseEnvelopeSchema(value, &fields_, failure)) return DecodeOutcome::kRejected;
        if (has_payload) payload_before_schema = true;
      } else if (key == "payload") {
        wrapped = true;
        has_payload = true;
        bool is_null = false;
        if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
          payload_null = true;
          continue;
        }
        if (!HandlePayloadObject(value, fields_, &payload, event, failure))
          return DecodeOutcome::kRejected;
      } else if (!HandlePayloadField(key, value, fields_, &payload, event, failure)) {
        return DecodeOutcome::kRejected;
      }
    }
    if (!CheckAtEnd(doc, failure)) return DecodeOutcome::kRejected;
  }
  if (wrapped) {
    if (payload_null) return DecodeOutcome::kTombstone;
    if (!has_payload) return Reject(Fail(failure, "missing_field", "no \"payload\""));
  }
  DecodeOutcome outcome;
  Finish(payload, event, failure, &outcome);
  return outcome;
}

}  // namespace rls_shadow::cdc
