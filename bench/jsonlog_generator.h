// JsonLogGenerator: a deterministic generator of realistic PostgreSQL 15 jsonlog server logs of a
// multi-tenant application, for benchmarks and soak tests of rls-shadow (and of other log
// analysers, e.g. pgBadger, on the same input). The tables it writes about are those of
// bench/policies/schema.sql.
//
// What it models: thousands of interleaved sessions (each with its own pid, session_id,
// line_num, backend id and local transaction counter), ~1,400 statement shapes built
// combinatorially (tables x columns x predicates x joins x CTEs x RETURNING x ON CONFLICT x
// FOR UPDATE SKIP LOCKED), the simple and the extended protocol (unnamed and named prepared
// statements, "parameters: $1 = '...'" details), explicit transactions with savepoints, the ways
// applications set (or fail to set) the tenant context (SET, SET LOCAL, set_config, DISCARD ALL,
// stale and wrong tenants), sqlcommenter / marginalia comments, errors (42501, 22P02, 23505) with
// their real line shapes, 25P01 warnings, connection / disconnection lines and a few duration
// lines.
//
// The same options always produce the same bytes. GenerateJsonLog is thread-compatible: calls
// share no state.
#pragma once

#include <cstdint>
#include <cstdio>

namespace rls_shadow::bench {

struct JsonLogOptions {
  uint64_t lines = 1000000;  // exactly this many lines are written
  uint64_t sessions = 3000;  // sessions started over the log (about; at least this many lines)
  uint64_t seed = 1;
  // When set, the committed writes' row changes are also written here, as wal2json
  // format-version 2 lines (B, I/U/D, C with xids and commit timestamps): one row per
  // successful INSERT / UPDATE / DELETE, keyed by a random id, of the unit's tenant, in the
  // transaction id the log shows. The log itself is the same bytes either way.
  std::FILE* changes = nullptr;
};

struct JsonLogStats {
  uint64_t lines = 0;
  uint64_t bytes = 0;
  uint64_t sessions = 0;     // sessions started
  uint64_t shapes = 0;       // distinct statement shapes the generator knows
  uint64_t shapes_used = 0;  // of which appear in the output
  uint64_t change_lines = 0;  // wal2json lines written to JsonLogOptions::changes
};

// Writes the log to `out` (not closed). Returns false when a write fails. `stats` may be null.
bool GenerateJsonLog(const JsonLogOptions& options, std::FILE* out, JsonLogStats* stats);

}  // namespace rls_shadow::bench
