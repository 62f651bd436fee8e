// DebeziumDecoder: decodes one Debezium PostgreSQL connector change-event value (one JSON
// message as the Kafka Connect JsonConverter writes it) into a ChangeEvent, with simdjson
// On-Demand. Both JsonConverter settings are read: schemas.enable=true gives
// {"schema": {...}, "payload": {...}}, schemas.enable=false the bare payload. Not thread-safe:
// it owns a simdjson parser; use one per source.
//
// Payload: "op" c/u/d/r/t/m, "before", "after", "source" {"schema", "table", "txId", "lsn"
// (a number), "ts_ms", "ts_us" (Debezium 2.6+, preferred), "snapshot"}, and for op "m"
// "message" {"prefix", "content" (base64: a bytes field)}. A null value (the line "null", or
// {"schema": null, "payload": null}) is a tombstone.
//
// Values, when the schema is present, are converted by their field schema into PostgreSQL text:
// io.debezium.data.Uuid (uuid), io.debezium.time.ZonedTimestamp (ISO string -> timestamptz
// "2026-11-22 09:00:00.5+00"), io.debezium.time.MicroTimestamp / Timestamp / NanoTimestamp
// (epoch µs / ms / ns -> timestamp), io.debezium.time.Date and org.apache.kafka.connect.data.Date
// (epoch days -> date), org.apache.kafka.connect.data.Decimal (base64 unscaled two's complement
// with the "scale" parameter -> numeric), io.debezium.data.VariableScaleDecimal ({"scale",
// "value"} -> numeric), int16/int32/int64 (int2/int4/int8), float32/float64, boolean ("t"/"f"),
// bytes without a logical name (bytea, "\x..." hex), string, io.debezium.data.Json and
// io.debezium.data.Enum (type "": Debezium does not say json or jsonb, nor which enum). With
// column.propagate.source.type, the "__debezium.source.column.type" parameter gives the type.
//
// Without the schema, a value is read by its JSON type only, with type "": strings as is,
// numbers as written, booleans "t"/"f", arrays as PostgreSQL array literals; a {"scale","value"}
// struct is read as a VariableScaleDecimal (type "numeric"). Debezium's encodings cannot be undone
// without the schema: a precise decimal stays its base64 text and a MicroTimestamp its number. Run
// the connector with value.converter.schemas.enable=true (or decimal.handling.mode=string) for
// exact values.
//
// The placeholder "__debezium_unavailable_value" (an unchanged TOASTed column) gives
// unavailable=true and no text. Under REPLICA IDENTITY DEFAULT, "before" of an update that kept
// the key is null (identity empty), and an update that changed the key arrives as a delete, a
// tombstone and a create.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "cdc/json_fields.h"
#include "rls_shadow/change_event.h"

namespace rls_shadow::cdc {

class DebeziumDecoder {
 public:
  // Decodes `json` (readable up to `padded_size` bytes) into *event (its position left alone).
  // Returns kEvent, kTombstone, or kRejected with *failure: "invalid_json", "not_utf8",
  // "wrong_type", "missing_field" (no op; no source or table on a row change; no message on
  // op "m"), "unknown_action" (another op), "bad_value" (a decimal that is not base64, a
  // ZonedTimestamp that is not ISO-8601, message content that is not base64).
  DecodeOutcome Decode(std::string_view json, size_t padded_size, ChangeEvent* event,
                       DecodeFailure* failure);

  // One column's schema, from the wrapper's "before"/"after" struct.
  struct FieldSchema {
    std::string name;         // "field"
    std::string type;         // Kafka Connect type: "int32", "string", "bytes", "struct", ...
    std::string logical;      // "name": "io.debezium.data.Uuid", ... ("" when none)
    int64_t scale = 0;        // Decimal's "scale" parameter
    std::string source_type;  // "__debezium.source.column.type" parameter, when propagated
  };

 private:
  simdjson::ondemand::parser parser_;
  std::vector<FieldSchema> fields_;  // the current message's row schema
};

}  // namespace rls_shadow::cdc
