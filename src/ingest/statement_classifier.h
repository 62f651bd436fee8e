// ClassifyEvent: decides what a decoded log record means for the analyzer — an executed
// statement, an error, a connection, or something to ignore — from its severity and the
// English (lc_messages = C) message prefix, and extracts the statement text and parameters.
#pragma once

#include "ingest/decoded_record.h"
#include "rls_shadow/log_event.h"

namespace rls_shadow::ingest {

// Where a kStatement event's text came from.
enum class StatementOrigin {
  kNone,          // not a statement
  kStatementLog,  // "statement: " / "execute <name>: " (log_statement)
  kDurationLog,   // "duration: N ms  statement: " / "... execute <name>: "
                  // (log_min_duration_statement, for statements log_statement did not log)
};

// Sets event->kind and, for statements, sql, extended_protocol, prepared_name and params; for
// errors and warnings, sql = extras.statement. params is set for every record: empty unless an
// execute line carries parameters. Reads severity, message and detail, which the
// decoder has filled. Returns false with failure->reason "bad_parameters" when an execute line
// carries a parameters detail that cannot be decoded.
//
// Counting rule: an execution is logged once, either by log_statement ("statement:",
// "execute <name>:") or, only when log_statement did not log it, by log_min_duration_statement
// with its text ("duration: N ms  statement: ..."). PostgreSQL guarantees the "only when"
// (postgres.c passes was_logged to check_log_duration and then prints "duration: N ms" without
// text), so treating both shapes as executions never double counts. "duration: N ms  parse ..."
// and "... bind ..." are protocol steps, not executions; "execute fetch from <name>:" continues
// a suspended portal that already counted, so it is kOther too.
bool ClassifyEvent(const RecordExtras& extras, LogEvent* event, StatementOrigin* origin,
                   DecodeFailure* failure);

}  // namespace rls_shadow::ingest
