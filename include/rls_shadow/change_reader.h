// Readers of logical-decoding change streams: wal2json format-version 2 (as pg_recvlogical
// writes it with -o format-version=2, one JSON object a line) and the Debezium PostgreSQL
// connector's change events (one JSON message value a line, with or without the
// schema/payload wrapper), from a file or stdin; and of a `pg_dump --data-only` seed file.
// Like the log readers, they never stop on bad input: a record that cannot be decoded is
// counted under a reason, reported with its position and raw text, and skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rls_shadow/change_event.h"
#include "rls_shadow/log_reader.h"  // RejectedRecord, RejectSink
#include "rls_shadow/status.h"

namespace rls_shadow {

enum class CdcFormat { kAuto, kWal2json, kDebezium };

// "wal2json", "debezium" (and "auto"); false on anything else.
bool ParseCdcFormat(std::string_view name, CdcFormat* out);

struct ChangeReadOptions {
  CdcFormat format = CdcFormat::kAuto;  // kAuto: decided from the first decodable record
  uint64_t start_offset = 0;            // resume: byte offset of the first record to read
  uint64_t start_line = 0;
  size_t max_record_bytes = 64u << 20;  // longer records are rejected as "line_too_long"
};

struct ChangeReadSummary {
  CdcFormat format = CdcFormat::kAuto;  // the format actually read
  uint64_t records_read = 0;            // records decoded (one record may give several events)
  uint64_t events = 0;                  // events handed to the sink
  uint64_t tombstones = 0;  // Debezium tombstones (null values): decoded, counted, no event
  uint64_t records_rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  uint64_t end_offset = 0;  // byte offset just past the last complete record
  uint64_t end_line = 0;
};

using ChangeSink = std::function<void(const ChangeEvent&)>;

// Reads `path` ("-" for stdin) from options.start_offset to its end. Errors only when the
// source cannot be opened or read; bad records go to `on_reject` (may be empty).
// Reasons: "invalid_json", "not_utf8", "line_too_long", "truncated", "missing_field",
// "wrong_type", "unknown_action", "bad_value" (a value that does not fit its type, e.g. a
// Debezium decimal that is not base64), "unknown_format" (auto-detection failed).
// Records are lines; blank lines are skipped. Until the format is decided (kAuto), records
// that are not JSON are rejected as usual and detection tries the next one. As in ReadLog, a
// last line without '\n' that does not decode is rejected as "truncated" and, in a regular
// file, not consumed (end_offset stays before it). See src/cdc/wal2json_decoder.h and
// src/cdc/debezium_decoder.h for what each format's keys and values become.
Status ReadChanges(const std::string& path, const ChangeReadOptions& options,
                   const ChangeSink& on_event, const RejectSink& on_reject,
                   ChangeReadSummary* summary);

// Decodes one message (e.g. a Kafka record value) in a known format. Appends its events to
// *out (a Debezium message gives one; a wal2json v2 line gives one) and returns true, or
// fills *rejected (reason and message; position left to the caller) and returns false.
// A Debezium tombstone returns true and appends nothing. kAuto detects the format of this one
// message. `json` need not be padded (it is copied; each call sets up its own parsers).
bool DecodeChangeMessage(std::string_view json, CdcFormat format, std::vector<ChangeEvent>* out,
                         RejectedRecord* rejected);

// Reads a `pg_dump --data-only` file (plain format): every COPY ... FROM stdin block (text
// format: tab-separated, \N for NULL, backslash escapes) and every INSERT statement
// (pg_dump --inserts / --column-inserts, parsed with libpg_query), as kSnapshot events whose
// columns carry names and text but no type (type ""), and no xid, lsn or time. Rows of a COPY
// block without a column list, and INSERTs without one (plain pg_dump --inserts; use
// --column-inserts), are rejected ("missing_field") since their column names are unknown.
// SET / SELECT statements, comments and psql meta-commands (pg_dump 15.18+'s \restrict and
// \unrestrict) are skipped. Further reasons: "invalid_sql" (a statement libpg_query rejects),
// "bad_value" (a COPY row with too many fields or a bad escape, an INSERT value that is not a
// constant), "line_too_long" (a statement or row over 64 MiB). A table without a schema is
// "public". Before a table's first row (at its COPY header, or its first INSERT) comes a
// kTruncate event naming it: pg_dump writes all of a table's rows together, so what follows is
// the table's whole content (an empty table's COPY block gives the truncate alone). A row that
// cannot be read is rejected and followed by a kRowsMissing event naming its table. `events`
// counts all three; records_read counts rows read; the summary's format is kAuto.
Status ReadSeed(const std::string& path, const ChangeSink& on_event, const RejectSink& on_reject,
                ChangeReadSummary* summary);

}  // namespace rls_shadow
