// PolicyEvaluator: the shadow engine for PostgreSQL row-level security. For one table access it
// applies PostgreSQL's rules as they will be after the migration — superuser and BYPASSRLS
// exempt, the owner exempt unless FORCE, policies chosen by command and role, permissive OR-ed,
// restrictive AND-ed, no permissive policy = deny, WITH CHECK defaulting to USING, SELECT
// policies joining UPDATE / DELETE when columns are read and INSERT when rows are returned — and
// returns the verdict with its cause and deciding policy. It decides; it never records.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyze/analyzer_config.h"
#include "analyze/policy_catalog.h"
#include "analyze/row_index.h"
#include "analyze/session_state.h"
#include "analyze/statement.h"
#include "analyze/verdict_memo.h"
#include "rls_shadow/change_event.h"
#include "rls_shadow/finding.h"

namespace rls_shadow {

// What the evaluator knows of the statement making the access.
struct AccessContext {
  const SessionState* session = nullptr;
  const std::vector<std::optional<std::string>>* params = nullptr;
  bool settings_changed_in_statement = false;  // set_config in the same statement
  std::string code_path;  // from the statement's comment; "" when not named there
  std::string lane;
  // The role whose policies and exemptions apply instead of current_user: a view's owner for
  // the tables the view reads. current_user in policy expressions stays the session's.
  std::string role_override;
  // rls-shadow's copy of the rows (from the change stream), or null: rows addressed by primary
  // key are then evaluated with their real columns, and policy subqueries read the replica.
  const RowIndex* rows = nullptr;
  // The session's search_path, when it may send an unqualified table name elsewhere than public
  // (PolicyCatalog::has_other_schemas); null: unqualified names are public's.
  const std::vector<std::string>* search_path = nullptr;
};

// A row a statement changed, as the change stream reported it (see ChangeJoiner).
struct ObservedChange {
  ChangeAction action = ChangeAction::kInsert;  // kInsert, kUpdate or kDelete
  StoredRow old_row;  // kUpdate / kDelete: the row before (its identity + what the index knew)
  StoredRow new_row;  // kInsert / kUpdate: the row after
};

class PolicyEvaluator {
 public:
  PolicyEvaluator(const PolicyCatalog& catalog, const AnalyzerConfig& config)
      : catalog_(catalog), config_(config) {}

  // Fills `out` (table, command, role, policy, tenant, effect, cause, sqlstate, detail) and
  // returns true when `access` touches a table with RLS enabled; returns false otherwise.
  // With `observed`, the rows the statement really changed decide instead of its text: USING
  // on each old row (a row that fails it is `filtered`), WITH CHECK on each new row (`error`);
  // the worst row decides, and no rows at all is `allow`.
  bool Evaluate(const TableAccess& access, const AccessContext& ctx, Finding* out,
                const std::vector<ObservedChange>* observed = nullptr) const;
  // The same for an access whose table the caller has looked up already: `table` is what
  // PolicyCatalog::FindTable gives for the access's schema and name (null when none). With
  // `memo`, a verdict reached before in the same circumstances is taken from it, and a new one
  // is kept there (only when neither the row index nor `observed` is read).
  bool Evaluate(const TableInfo* table, const TableAccess& access, const AccessContext& ctx,
                Finding* out, const std::vector<ObservedChange>* observed = nullptr,
                VerdictMemo* memo = nullptr) const;

 private:
  const PolicyCatalog& catalog_;
  const AnalyzerConfig& config_;
};

}  // namespace rls_shadow
