// Wal2jsonDecoder: decodes one wal2json format-version 2 line (one JSON object, as
// pg_recvlogical -o format-version=2 writes it) into a ChangeEvent, parsing in place with
// simdjson On-Demand. Not thread-safe: it owns a simdjson parser; use one per source.
//
// Keys read: "action" (B C I U D T M), "xid" (include-xids; null on a non-transactional
// message), "timestamp" (include-timestamp: the commit time, "2026-11-22 10:00:00.123456+00";
// null on a non-transactional message), "lsn" (include-lsn), "schema", "table", "columns" and
// "identity" (arrays of {"name", "type", "value"}; "typeoid" and "optional" from
// include-type-oids / include-not-null are ignored), "transactional", "prefix", "content".
// Other keys ("nextlsn", "pk") are skipped.
//
// Values: wal2json prints numbers unquoted (kept exactly as written: 12.50 -> "12.50"),
// booleans as true/false ("t"/"f"), everything else as the type's output function printed it
// in the walsender, i.e. PostgreSQL's text form with the server's DateStyle and TimeZone.
// An UPDATE that leaves a TOASTed column unchanged does not send it: the column is simply
// absent from "columns" (it is not NULL; nothing is invented for it). Under REPLICA IDENTITY
// DEFAULT wal2json sends the key in "identity" for every UPDATE, also when it did not change.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "cdc/json_fields.h"
#include "rls_shadow/change_event.h"

namespace rls_shadow::cdc {

class Wal2jsonDecoder {
 public:
  // Decodes `line` (readable up to `padded_size` bytes, see ingest::RecordStream) into *event
  // (its position is left alone). Returns kEvent, or kRejected with *failure: "invalid_json",
  // "not_utf8", "wrong_type", "missing_field" (no action; no table on I/U/D/T; no prefix on M;
  // a column without a name), "unknown_action", "bad_value" (an unreadable lsn or timestamp).
  DecodeOutcome Decode(std::string_view line, size_t padded_size, ChangeEvent* event,
                       DecodeFailure* failure);

 private:
  simdjson::ondemand::parser parser_;
};

}  // namespace rls_shadow::cdc
