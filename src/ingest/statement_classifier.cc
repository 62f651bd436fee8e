// ClassifyEvent: message-prefix rules for PostgreSQL's statement, error and connection lines.
#include "ingest/statement_classifier.h"

#include <string_view>

#include "rls_shadow/log_reader.h"

namespace rls_shadow::ingest {
namespace {

constexpr std::string_view kStatementPrefix = "statement: ";
constexpr std::string_view kExecutePrefix = "execute ";
constexpr std::string_view kFetchPrefix = "fetch from ";
constexpr std::string_view kDurationPrefix = "duration: ";
constexpr std::string_view kParametersPrefix = "parameters: ";

bool IsErrorSeverity(std::string_view severity) {
  return severity == "ERROR" || severity == "FATAL" || severity == "PANIC";
}

// Handles "execute <name>[/<portal>]: <text>" (rest starts after "execute ").
bool ClassifyExecute(std::string_view rest, LogEvent* event, DecodeFailure* failure,
                     bool* params_parsed) {
  if (rest.starts_with(kFetchPrefix)) return true;  // kOther: see the header
  size_t colon = rest.find(": ");
  if (colon == std::string_view::npos) return true;  // not PostgreSQL's shape: kOther
  std::string_view name = rest.substr(0, colon);
  // A named portal is appended as "/portal" (JDBC with a fetch size: "execute S_1/C_2: ...").
  if (size_t slash = name.find('/'); slash != std::string_view::npos) name = name.substr(0, slash);
  event->kind = LogEventKind::kStatement;
  event->extended_protocol = true;
  AssignField(&event->prepared_name, name);
  AssignField(&event->sql, rest.substr(colon + 2));
  // No detail means no parameters. Other details (none are known) are not parameters.
  if (!std::string_view(event->detail).starts_with(kParametersPrefix)) return true;
  *params_parsed = true;  // parsed, or cleared when malformed
  if (!ParseParametersDetail(event->detail, &event->params)) {
    failure->reason = "bad_parameters";
    failure->message = "execute line with a malformed parameters detail";
    return false;
  }
  return true;
}

bool Classify(const RecordExtras& extras, LogEvent* event, StatementOrigin* origin,
              DecodeFailure* failure, bool* params_parsed) {
  *origin = StatementOrigin::kNone;
  event->kind = LogEventKind::kOther;
  if (IsErrorSeverity(event->severity)) {
    event->kind = LogEventKind::kError;
    AssignField(&event->sql, extras.statement);
    return true;
  }
  if (event->severity == "WARNING") {
    event->kind = LogEventKind::kWarning;
    AssignField(&event->sql, extras.statement);
    return true;
  }

  std::string_view message = event->message;
  StatementOrigin statement_origin = StatementOrigin::kStatementLog;
  if (message.starts_with(kDurationPrefix)) {
    // "duration: 0.701 ms  statement: ..." — two spaces separate the duration from the text;
    // a bare "duration: 0.5 ms" has no text and is not an execution.
    size_t separator = message.find("  ", kDurationPrefix.size());
    if (separator == std::string_view::npos) return true;
    message.remove_prefix(separator + 2);
    statement_origin = StatementOrigin::kDurationLog;
    if (!message.starts_with(kStatementPrefix) && !message.starts_with(kExecutePrefix)) {
      return true;  // parse / bind steps
    }
  }

  if (message.starts_with(kStatementPrefix)) {
    event->kind = LogEventKind::kStatement;
    AssignField(&event->sql, message.substr(kStatementPrefix.size()));
    *origin = statement_origin;
    return true;
  }
  if (message.starts_with(kExecutePrefix)) {
    if (!ClassifyExecute(message.substr(kExecutePrefix.size()), event, failure, params_parsed)) {
      return false;
    }
    if (event->kind == LogEventKind::kStatement) *origin = statement_origin;
    return true;
  }
  if (message.starts_with("connection authorized: ") ||
      message.starts_with("connection received: ")) {
    event->kind = LogEventKind::kConnect;
  } else if (message.starts_with("disconnection: ")) {
    event->kind = LogEventKind::kDisconnect;
  }
  return true;
}

}  // namespace

bool ClassifyEvent(const RecordExtras& extras, LogEvent* event, StatementOrigin* origin,
                   DecodeFailure* failure) {
  // The parameter list is set here for every record: parsed for an execute line with a
  // parameters detail, cleared otherwise. The decoders leave it alone, so from one execute line
  // to the next its strings keep their capacity instead of being allocated again.
  bool params_parsed = false;
  const bool ok = Classify(extras, event, origin, failure, &params_parsed);
  if (!params_parsed) event->params.clear();
  return ok;
}

}  // namespace rls_shadow::ingest
