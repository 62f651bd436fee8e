// A setting set to a value rls-shadow cannot know (analyze/unknown_setting.h): set_config() of a
// column of the rows the statement reads, of a parameter the log left out, of a function the
// evaluator does not model. PostgreSQL then holds a real value, so every later read of the setting
// is indeterminate — never the '' (22P02 for every access) or NULL of a setting without a value —
// until the session sets it again, and the value follows transactions like any other.
#include <gtest/gtest.h>

#include "analyze/analyzer_config.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;

const std::string T1 = kT1;
const std::string kSelectT1 = "SELECT * FROM t WHERE tenant_id = '" + T1 + "'";
const std::string kSetFromARow =
    "SELECT set_config('app.current_tenant_id', u.val, false) FROM plain u WHERE u.id = 1";

void ExpectIndeterminateContext(const Finding& f, const std::string& set_from) {
  EXPECT_EQ(f.effect, Effect::kIndeterminate) << f.detail;
  EXPECT_EQ(f.cause, Cause::kUnsupported);
  EXPECT_EQ(f.sqlstate, "");
  EXPECT_NE(f.detail.find("current_setting('app.current_tenant_id')"), std::string::npos)
      << f.detail;
  EXPECT_NE(f.detail.find(set_from), std::string::npos) << f.detail;
  EXPECT_EQ(f.tenant, T1);  // the tenant comes from the row's filter, not from the mark
}

// What a context of '' gives with policy P: 22P02 at plan time (PG_SEMANTICS A7).
void ExpectEmptyContextError(const Finding& f) {
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "22P02");
  EXPECT_EQ(f.cause, Cause::kEmptyContext);
}

TEST(UnknownSetting, SetConfigOfAColumnMakesLaterReadsIndeterminateUntilSetAgain) {
  EngineHarness h;
  h.Exec(kSetFromARow);
  ExpectIndeterminateContext(h.Verdict(kSelectT1, "public.t"), "u.val");
  // Every command reads it so, and so does a policy comparing in place (INSERT's new row).
  ExpectIndeterminateContext(h.Verdict("INSERT INTO t VALUES (10, '" + T1 + "', 'v')", "public.t"),
                             "u.val");
  h.Exec("SET app.current_tenant_id = '" + T1 + "'");
  EXPECT_EQ(h.Verdict(kSelectT1, "public.t").effect, Effect::kAllow);
}

// set_config() runs once per row of its statement: with FROM, WHERE or LIMIT, or in an UPDATE,
// possibly never (PostgreSQL 15.18: set in a SELECT whose WHERE matched no row, the setting kept
// its earlier value). A constant is then no more known than a column.
TEST(UnknownSetting, SetConfigWhereTheRowsDecideWhetherItRunsIsNotKnown) {
  for (const std::string& set :
       {"SELECT set_config('app.current_tenant_id', '" + T1 + "', false) FROM plain WHERE id = 9",
        "SELECT set_config('app.current_tenant_id', '" + T1 + "', false) WHERE $1",
        "SELECT set_config('app.current_tenant_id', '" + T1 + "', false) LIMIT 0",
        "UPDATE plain SET val = set_config('app.current_tenant_id', '" + T1 + "', false)",
        "DELETE FROM plain WHERE set_config('app.current_tenant_id', '" + T1 +
            "', false) IS NULL"}) {
    EngineHarness h;
    h.Exec(set, {std::optional<std::string>("false")});
    ExpectIndeterminateContext(h.Verdict(kSelectT1, "public.t"), "whose rows decide");
  }
  // Without them it runs exactly once, as do both of a pair.
  EngineHarness h;
  h.Exec("SELECT set_config('app.current_tenant_id', '" + T1 +
         "', false), set_config('app.lane', 'x', false)");
  EXPECT_EQ(h.Verdict(kSelectT1, "public.t").effect, Effect::kAllow);
}

TEST(UnknownSetting, AFunctionTheEvaluatorDoesNotModelIsNamed) {
  EngineHarness h;
  h.Exec("SELECT set_config('app.current_tenant_id', lower('" + T1 + "'), false)");
  ExpectIndeterminateContext(h.Verdict(kSelectT1, "public.t"), "function lower()");
}

TEST(UnknownSetting, AnUnloggedParameterSetLocallyEndsWithItsTransaction) {
  EngineHarness h;
  h.Exec("BEGIN");
  h.ExecWithoutLoggedParameters("SELECT set_config('app.current_tenant_id', $1, true)");
  ExpectIndeterminateContext(h.Verdict(kSelectT1, "public.t"), "parameter $1 was not logged");
  h.Exec("COMMIT");
  // The local value ended: '' as after any SET LOCAL (PG_SEMANTICS A2).
  ExpectEmptyContextError(h.Verdict(kSelectT1, "public.t"));
}

TEST(UnknownSetting, RollbackToASavepointRestoresTheKnownValue) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = '" + T1 + "'");
  h.Exec("BEGIN");
  h.Exec("SAVEPOINT before_lookup");
  h.Exec(kSetFromARow);
  ExpectIndeterminateContext(h.Verdict(kSelectT1, "public.t"), "u.val");
  h.Exec("ROLLBACK TO SAVEPOINT before_lookup");
  EXPECT_EQ(h.Verdict(kSelectT1, "public.t").effect, Effect::kAllow);
  h.Exec("COMMIT");
  EXPECT_EQ(h.Verdict(kSelectT1, "public.t").effect, Effect::kAllow);
}

// Verified on PostgreSQL 15.18: set_config(name, NULL, false) returns the setting to its reset
// value, which a placeholder reads back as '' (not NULL), so the uuid cast fails.
TEST(UnknownSetting, ANullValueIsKnownAndReturnsToTheResetValue) {
  EngineHarness h;
  h.Exec("SELECT set_config('app.current_tenant_id', NULL, false)");
  ExpectEmptyContextError(h.Verdict(kSelectT1, "public.t"));
}

TEST(UnknownSetting, AnUnknownLaneIsNoLane) {
  AnalyzerConfig config;
  config.attribution.lane_setting = "app.lane";
  EngineHarness h(testing_analyze::SemanticsCatalogSql(), config);
  h.Exec("SET app.lane = 'billing'");
  EXPECT_EQ(h.Verdict(kSelectT1, "public.t").lane, "billing");
  h.Exec("SELECT set_config('app.lane', u.val, false) FROM plain u WHERE u.id = 1");
  Finding f = h.Verdict(kSelectT1, "public.t");
  EXPECT_EQ(f.lane, "");
  EXPECT_EQ(f.effect, Effect::kFiltered);  // the context was never set: the rows are hidden
}

}  // namespace
}  // namespace rls_shadow
