// Finding: the shadow verdict for one access of one RLS-protected table by one statement.
// The PolicyEvaluator produces it (evaluate), the Store aggregates it (record): the two are kept
// apart, as Envoy's RBAC shadow mode keeps "decide" and "count" apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rls_shadow {

// What PostgreSQL would do to this access once the restrictive migration and FORCE are applied.
enum class Effect {
  kAllow,          // passes exactly as today
  kError,          // the statement would fail (42501, 22P02, 42704, 0A000)
  kFiltered,       // it would silently see or change fewer rows
  kRowDependent,   // the verdict depends on row contents that were not observed
  kIndeterminate,  // the policy uses something the evaluator cannot decide (detail says what)
};

// Why an access would be denied. kNone for allowed accesses.
enum class Cause {
  kNone,
  kMissingContext,         // the context GUC was never set on this session (NULL)
  kEmptyContext,           // the context GUC reads back as '' (a local value ended, RESET, ...)
  kInvalidContext,         // the context GUC holds a value that does not cast (not a uuid)
  kStaleContext,           // context left on the session by an earlier job (other code path)
  kWrongTenant,            // the context names another tenant than the row
  kNoPermissivePolicy,     // no permissive policy applies to this command and role
  kOwnerBypassLost,        // passes today only because the owner bypasses a non-forced table
  kContextLostAutocommit,  // set_config(..., true) / SET LOCAL outside a transaction block
  kRowSecurityOff,         // row_security = off while RLS applies: 42501
  kCopyFromRls,            // COPY FROM into a table where RLS applies: 0A000
  kUnsupported,            // the evaluator met a construct it cannot decide (indeterminate)
  kOwnerBypass,            // allowed, but only because the owner bypasses (table not forced)
};

enum class Command { kSelect, kInsert, kUpdate, kDelete, kCopyTo, kCopyFrom, kTruncate, kMerge };

std::string_view EffectName(Effect e);    // "allow", "error", "filtered", ...
std::string_view CauseName(Cause c);      // "missing_context", ... ("" for kNone)
std::string_view CommandName(Command c);  // "select", "insert", ...
// Parse the names above back; return false on an unknown name.
bool ParseEffect(std::string_view name, Effect* out);
bool ParseCause(std::string_view name, Cause* out);
bool ParseCommand(std::string_view name, Command* out);

inline bool IsWouldBeDenial(Effect e) { return e != Effect::kAllow; }

struct Finding {
  std::string table;  // schema-qualified: "public.orders"
  Command command = Command::kSelect;
  std::string policy;     // the deciding policy's name; "" for the default deny
  std::string tenant;     // the context value the policy reads, or the row's tenant column
  std::string code_path;  // sqlcommenter / application_name attribution
  std::string lane;       // job lane
  std::string role;       // current_user at the time of the access
  Effect effect = Effect::kAllow;
  Cause cause = Cause::kNone;
  std::string sqlstate;  // the SQLSTATE PostgreSQL would raise for kError
  std::string detail;    // the predicted message, or what could not be evaluated

  // Where it was seen.
  int64_t time_us = 0;
  std::string session_id;
  int64_t line_num = 0;
  std::string example;  // the statement text, parameter values redacted unless configured
};

}  // namespace rls_shadow
