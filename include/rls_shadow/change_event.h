// ChangeEvent: one logical-decoding change (wal2json format-version 2 or a Debezium PostgreSQL
// connector envelope), decoded into the fields the analyzer needs: which transaction, which
// table, and the row values before and after. A plain value type; the CDC readers produce it,
// the change joiner and the row index consume it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rls_shadow/log_event.h"

namespace rls_shadow {

enum class ChangeAction {
  kBegin,        // wal2json "B"
  kCommit,       // wal2json "C"
  kInsert,       // wal2json "I", Debezium op "c"
  kUpdate,       // wal2json "U", Debezium op "u"
  kDelete,       // wal2json "D", Debezium op "d"
  kTruncate,     // wal2json "T", Debezium op "t"
  kMessage,      // wal2json "M" (pg_logical_emit_message)
  kSnapshot,     // Debezium op "r", and rows of a --seed file: the row as it was when capture began
  kRowsMissing,  // a --seed file had rows of `truncated` it could not read: the copy of those
                 // tables lacks rows (their earlier kTruncate does not make it complete)
};

// One column of a row. `text` is the value in PostgreSQL's text output form, exactly what
// `SELECT col::text` prints: booleans "t"/"f", uuids lower-case with hyphens, integers and
// numerics in decimal, timestamptz as "2026-11-22 10:00:00.123+00" (UTC), text as is.
// nullopt is SQL NULL.
struct ColumnValue {
  std::string name;
  // The evaluator's canonical type name: uuid, text, int2, int4, int8, numeric, bool, float4,
  // float8, date, timestamp, timestamptz, json, jsonb, bytea; for any other type the declared
  // name, lower-case without modifiers or schema ("character varying(20)" -> "varchar",
  // "public.tenant_kind" -> "tenant_kind" for an enum). "" when the source gave no type (a
  // --seed file) or did not say which PostgreSQL type (a Debezium string, Json or Enum field,
  // any Debezium field without the schema wrapper): use the table's declared type then.
  std::string type;
  std::optional<std::string> text;
  // The value was not sent: an unchanged TOASTed column (wal2json leaves it out of "columns";
  // Debezium sends the placeholder "__debezium_unavailable_value"). `text` is nullopt then,
  // and means "unknown", not NULL.
  bool unavailable = false;
};

struct ChangeEvent {
  SourcePosition position;  // file / line / offset in the CDC source (or topic coordinates)
  ChangeAction action = ChangeAction::kInsert;
  int64_t xid = 0;      // transaction id; 0 when the event did not carry one
  uint64_t lsn = 0;     // the change's LSN ("16/B374D848" -> 0x16B374D848); 0 when absent
  int64_t time_us = 0;  // commit time (wal2json "timestamp", Debezium source.ts_ms), µs UTC
  std::string schema;   // "public"
  std::string table;    // "orders" (unqualified)
  // kInsert, kUpdate, kSnapshot: the new row (wal2json "columns", Debezium "after").
  std::vector<ColumnValue> columns;
  // kUpdate, kDelete: the old row's replica identity (wal2json "identity", Debezium "before"):
  // the primary key columns under REPLICA IDENTITY DEFAULT, every column under FULL, empty when
  // the source did not send it (REPLICA IDENTITY NOTHING; a Debezium UPDATE that kept the key —
  // wal2json sends the key then too).
  std::vector<ColumnValue> identity;
  // kTruncate: the truncated tables, schema-qualified ("public.orders").
  std::vector<std::string> truncated;
  // kMessage: pg_logical_emit_message's prefix and content.
  std::string message_prefix;
  std::string message_content;
  bool transactional = true;  // kMessage: false for a non-transactional message

  std::string QualifiedTable() const { return schema + "." + table; }
};

}  // namespace rls_shadow
