#ifndef RLS_SHADOW_TESTS_INTEGRATION_VERDICT_COMPARE_H_
#define RLS_SHADOW_TESTS_INTEGRATION_VERDICT_COMPARE_H_

// Decides what PostgreSQL did to each statement under the migration (enforced run vs shadow
// run), reduces rls-shadow's findings for the same statement to one verdict, and counts and
// prints the (dis)agreements.

#include <ostream>
#include <string>
#include <vector>

#include "engine_findings.h"
#include "log_matcher.h"
#include "statement_record.h"

namespace rls_shadow::differential {

enum class PgVerdict { kAllow, kFiltered, kError, kNotCompared };

struct PgJudgement {
  PgVerdict verdict = PgVerdict::kNotCompared;
  std::string error_table;  // kError: the table the message names (unqualified), may be empty
  std::string reason;       // kNotCompared: why
};

// PostgreSQL's verdict for one statement from its two outcomes: an error only under enforcement
// is kError; fewer rows returned/affected under enforcement is kFiltered; otherwise kAllow.
// Statements after an earlier failure in the same transaction, statements failing in shadow
// already and statements whose enforced run saw *more* rows (the data diverged) are not
// compared.
PgJudgement JudgePostgres(const StatementRecord& shadow, const StatementRecord& enforced);

struct ComparisonTotals {
  int compared = 0;
  int agreed = 0;
  int missed = 0;        // PostgreSQL denied, rls-shadow said allow
  int false_denial = 0;  // PostgreSQL allowed, rls-shadow said error/filtered
  int undecided = 0;     // rls-shadow said row_dependent/indeterminate
  int wrong_effect = 0;  // both deny, differently (or an error on another table)
  int not_compared = 0;
  int unmatched = 0;  // statements whose log line was not found (a harness failure)
  int unknown_effects = 0;

  int passed() const { return agreed + undecided; }
  int failed() const { return missed + false_denial + wrong_effect + unmatched; }
};

// Compares the runs statement by statement (shadow and enforced records must describe the same
// workload in the same order; matches are for the shadow records) and writes the per-statement
// table of disagreements and undecided statements, then the totals, to out. Returns false and
// sets *error when the two runs do not line up.
bool CompareRuns(const std::vector<StatementRecord>& shadow,
                 const std::vector<StatementRecord>& enforced,
                 const std::vector<StatementMatch>& matches, const FindingsBySession& findings,
                 std::ostream& out, ComparisonTotals* totals, std::string* error);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_VERDICT_COMPARE_H_
