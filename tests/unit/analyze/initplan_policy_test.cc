// Policies that read the context through a scalar subquery, `tenant_id = (SELECT
// current_setting('app.current_tenant_id', true)::uuid)`: the form performance guides recommend,
// so the planner computes the context once per statement (an InitPlan) instead of once per row.
// Checked on PostgreSQL 15.18 (FORCE, app_role, a table holding rows of two tenants): the verdicts
// are the plain policy's for every context that casts; but with the context '' the 22P02 is
// raised only when a row reaches the policy — an empty table, or `WHERE id = <no such id>`
// through the primary key, read and `UPDATE` without error, `INSERT` still fails, and `EXPLAIN`
// does not evaluate it at all — where the plain policy fails while planning (PG_SEMANTICS A7).
#include <gtest/gtest.h>

#include "unit/analyze/change_events.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

constexpr int64_t kWindowUs = 60'000'000;

// ti: as t, with the context read in a subquery; ti_strict: without missing_ok; ti_helper:
// through a helper function (Supabase's `(SELECT auth.uid())`); ti_cast: cast outside it.
std::string InitPlanCatalogSql() {
  std::string sql = SemanticsCatalogSql() +
                    "CREATE FUNCTION app.current_tenant() RETURNS uuid LANGUAGE sql STABLE\n"
                    "    AS $$ SELECT current_setting('app.current_tenant_id', true)::uuid $$;\n";
  const std::pair<const char*, const char*> tables[] = {
      {"ti", "(SELECT current_setting('app.current_tenant_id', true)::uuid)"},
      {"ti_strict", "(SELECT current_setting('app.current_tenant_id')::uuid)"},
      {"ti_helper", "(SELECT app.current_tenant())"},
      {"ti_cast", "(SELECT current_setting('app.current_tenant_id', true))::uuid"},
  };
  for (const auto& [table, context] : tables) {
    const std::string name = table;
    sql += "CREATE TABLE " + name + " (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n" +
           "ALTER TABLE " + name + " OWNER TO owner_role;\n" + "ALTER TABLE " + name +
           " ENABLE ROW LEVEL SECURITY;\n" + "ALTER TABLE " + name +
           " FORCE ROW LEVEL SECURITY;\n" + "CREATE POLICY p ON " + name +
           " USING (tenant_id = " + context + ");\n";
  }
  return sql;
}

std::string On(const std::string& table, const std::string& sql_with_table_t) {
  std::string sql = sql_with_table_t;
  for (size_t at = sql.find(" t "); at != std::string::npos; at = sql.find(" t ", at + 1)) {
    sql.replace(at + 1, 1, table);
  }
  return sql;
}

TEST(InitPlanPolicy, ContextsThatCastGiveThePlainPolicysVerdicts) {
  EngineHarness h(InitPlanCatalogSql());
  const std::string t1 = kT1;
  const std::string t2 = kT2;
  const std::vector<std::string> statements = {
      "SELECT * FROM t WHERE id = 1",
      "SELECT * FROM t WHERE tenant_id = '" + t2 + "'",
      "SELECT * FROM t WHERE tenant_id = '" + t1 + "'",
      "INSERT INTO t VALUES (1, '" + t1 + "', 'a')",
      "INSERT INTO t VALUES (2, '" + t2 + "', 'a')",
      "UPDATE t SET tenant_id = '" + t2 + "' WHERE tenant_id = '" + t1 + "'",
      "DELETE FROM t WHERE tenant_id = '" + t2 + "'",
  };
  h.Exec("SET app.current_tenant_id = '" + t1 + "'", {}, "with_t1");
  h.Exec("SELECT 1", {}, "never_set");
  h.Exec("SET app.current_tenant_id = ''", {}, "empty");
  for (const std::string session : {"with_t1", "never_set", "empty"}) {
    for (const std::string& sql : statements) {
      Finding plain = h.Verdict(sql, "public.t", {}, session);
      Finding initplan = h.Verdict(On("ti", sql), "public.ti", {}, session);
      for (const std::string other : {"ti_helper", "ti_cast"}) {
        Finding f = h.Verdict(On(other, sql), "public." + other, {}, session);
        EXPECT_EQ(f.effect, initplan.effect) << other << ", " << session << ": " << sql;
        EXPECT_EQ(f.sqlstate, initplan.sqlstate) << other << ", " << session << ": " << sql;
      }
      if (session == "empty") continue;  // below
      EXPECT_EQ(initplan.effect, plain.effect) << session << ": " << sql;
      EXPECT_EQ(initplan.cause, plain.cause) << session << ": " << sql;
      EXPECT_EQ(initplan.sqlstate, plain.sqlstate) << session << ": " << sql;
      EXPECT_EQ(initplan.policy, "p");
    }
  }
}

TEST(InitPlanPolicy, AnErrorIsRaisedOnlyForARowThePolicySees) {
  EngineHarness h(InitPlanCatalogSql());
  h.Exec("SET app.current_tenant_id = ''");
  // The plain policy fails while planning, whatever the table holds.
  EXPECT_EQ(h.Verdict("SELECT * FROM t", "public.t").effect, Effect::kError);
  EXPECT_EQ(h.Verdict("EXPLAIN SELECT * FROM t", "public.t").effect, Effect::kError);

  Finding read = h.Verdict("SELECT * FROM ti", "public.ti");
  EXPECT_EQ(read.effect, Effect::kRowDependent);
  EXPECT_EQ(read.sqlstate, "22P02");
  EXPECT_NE(read.detail.find("invalid input syntax for type uuid: \"\""), std::string::npos)
      << read.detail;
  EXPECT_NE(read.detail.find("if a row reaches the policy"), std::string::npos) << read.detail;
  EXPECT_EQ(read.cause, Cause::kEmptyContext);
  EXPECT_EQ(h.Verdict("UPDATE ti SET val = 'b' WHERE id = 5", "public.ti").effect,
            Effect::kRowDependent);
  EXPECT_EQ(h.Verdict("DELETE FROM ti", "public.ti").effect, Effect::kRowDependent);
  EXPECT_EQ(h.Verdict("INSERT INTO ti SELECT * FROM t_nf", "public.ti").effect,
            Effect::kRowDependent);
  EXPECT_EQ(h.Verdict("EXPLAIN SELECT * FROM ti", "public.ti").effect, Effect::kAllow);

  // The row an INSERT gives reaches WITH CHECK.
  Finding insert =
      h.Verdict("INSERT INTO ti VALUES (9, '" + std::string(kT1) + "', 'a')", "public.ti");
  EXPECT_EQ(insert.effect, Effect::kError);
  EXPECT_EQ(insert.sqlstate, "22P02");
  EXPECT_EQ(insert.cause, Cause::kEmptyContext);

  // Without missing_ok, a setting never set: 42704, likewise.
  EngineHarness fresh(InitPlanCatalogSql());
  Finding strict_read = fresh.Verdict("SELECT * FROM ti_strict", "public.ti_strict");
  EXPECT_EQ(strict_read.effect, Effect::kRowDependent);
  EXPECT_EQ(strict_read.sqlstate, "42704");
  Finding strict_insert = fresh.Verdict(
      "INSERT INTO ti_strict VALUES (9, '" + std::string(kT1) + "', 'a')", "public.ti_strict");
  EXPECT_EQ(strict_insert.effect, Effect::kError);
  EXPECT_EQ(strict_insert.sqlstate, "42704");
}

TEST(InitPlanPolicy, TheRowsAWriteChangedRaiseIt) {
  EngineHarness h(InitPlanCatalogSql());
  h.engine().EnableChanges(kWindowUs);
  h.Exec("SET app.current_tenant_id = ''");
  const int64_t changed = h.Exec("UPDATE ti SET val = 'b' WHERE val = 'a'");
  h.Exec("SELECT 1");  // completes the UPDATE
  int64_t t = h.NextTime() - 1;
  Commit(h.engine(), 501, t,
         {Change(ChangeAction::kUpdate, 501, t, "ti",
                 {Col("id", "7"), Col("tenant_id", kT1), Col("val", "b")}, {Col("id", "7")})});
  Finding f = h.On(changed, "public.ti");
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "22P02");

  // Nothing changed in public.ti: the scan may still have reached rows its WHERE dropped.
  h.Exec("BEGIN");
  const int64_t unchanged = h.Exec("DELETE FROM ti WHERE val = 'zzz'");
  h.Exec("UPDATE t_nf SET val = 'c' WHERE id = 1");
  h.SetTxid(502);
  h.Exec("COMMIT");
  h.SetTxid(0);
  h.Exec("SELECT 1");
  t = h.NextTime() - 1;
  Commit(h.engine(), 502, t,
         {Change(ChangeAction::kUpdate, 502, t, "t_nf",
                 {Col("id", "1"), Col("tenant_id", kT1), Col("val", "c")}, {Col("id", "1")})});
  EXPECT_EQ(h.On(unchanged, "public.ti").effect, Effect::kRowDependent);
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
