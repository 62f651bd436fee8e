// SQL-level prepared statements: PREPARE remembers a query on the session, EXECUTE runs it with
// its arguments as parameters, DEALLOCATE and DISCARD ALL forget it. The log shows only
// "statement: EXECUTE q(...)", so the engine must supply the query itself.
#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

std::string Quote(const char* tenant) { return std::string("'") + tenant + "'"; }

TEST(PreparedStatements, ExecuteEvaluatesThePreparedQueryWithItsArguments) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = " + Quote(kT1));
  int64_t prepare = h.Exec("PREPARE add_row(int, uuid) AS INSERT INTO t VALUES ($1, $2, 'x')");
  EXPECT_TRUE(h.At(prepare).empty());  // PREPARE itself touches no row
  Finding own = h.Verdict("EXECUTE add_row(1, " + Quote(kT1) + ")", "public.t");
  EXPECT_EQ(own.command, Command::kInsert);
  EXPECT_EQ(own.effect, Effect::kAllow);
  Finding other = h.Verdict("EXECUTE add_row(2, " + Quote(kT2) + ")", "public.t");
  EXPECT_EQ(other.effect, Effect::kError);
  EXPECT_EQ(other.sqlstate, "42501");
  EXPECT_EQ(other.cause, Cause::kWrongTenant);
}

TEST(PreparedStatements, ExecuteArgumentsMayBeBoundParameters) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = " + Quote(kT1));
  h.Exec("PREPARE add_row(int, uuid) AS INSERT INTO t VALUES ($1, $2, 'x')");
  Finding f = h.Verdict("EXECUTE add_row(3, $1)", "public.t", {std::string(kT2)});
  EXPECT_EQ(f.effect, Effect::kError);
}

TEST(PreparedStatements, LiteralsInThePreparedQueryKeepTheirValues) {
  // The shape cache lifts literals into parameters; in a PREPARE they would collide with the
  // parameters EXECUTE binds.
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = " + Quote(kT1));
  h.Exec("PREPARE theirs AS SELECT * FROM t WHERE tenant_id = " + Quote(kT2));
  h.Exec("PREPARE mine AS SELECT * FROM t WHERE tenant_id = " + Quote(kT1));
  EXPECT_EQ(h.Verdict("EXECUTE theirs", "public.t").effect, Effect::kFiltered);
  EXPECT_EQ(h.Verdict("EXECUTE mine", "public.t").effect, Effect::kAllow);
}

TEST(PreparedStatements, DeallocateAndDiscardAllForgetTheQuery) {
  EngineHarness h;
  h.Exec("PREPARE everything AS SELECT * FROM t");
  EXPECT_EQ(h.Verdict("EXECUTE everything", "public.t").effect, Effect::kFiltered);
  h.Exec("DEALLOCATE everything");
  EXPECT_TRUE(h.At(h.Exec("EXECUTE everything")).empty());
  h.Exec("PREPARE everything AS SELECT * FROM t");
  h.Exec("DISCARD ALL");
  EXPECT_TRUE(h.At(h.Exec("EXECUTE everything")).empty());
}

TEST(PreparedStatements, PreparedQueriesBelongToTheirSession) {
  EngineHarness h;
  h.Exec("PREPARE everything AS SELECT * FROM t", {}, "s1");
  EXPECT_TRUE(h.At(h.Exec("EXECUTE everything", {}, "s2"), "s2").empty());
}

// Each statement is evaluated with its own values: a simple-protocol text with the literals it
// lifts, an extended-protocol one with its bound parameters and then any literals it lifts, in
// any order, on one session. (The engine keeps the two lists in reused buffers.)
TEST(StatementParameters, EachStatementReadsItsOwnBoundParametersAndLiterals) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = " + Quote(kT1));
  const std::string by_tenant = "INSERT INTO t (id, tenant_id) VALUES ";
  // Literals only.
  EXPECT_EQ(h.Verdict(by_tenant + "(1, " + Quote(kT2) + ")", "public.t").effect, Effect::kError);
  // Bound parameters and a literal (which becomes $2).
  EXPECT_EQ(h.Verdict(by_tenant + "(2, $1)", "public.t", {std::string(kT1)}).effect,
            Effect::kAllow);
  EXPECT_EQ(
      h.Verdict(by_tenant + "($1, " + Quote(kT2) + ")", "public.t", {std::string("3")}).effect,
      Effect::kError);
  // Bound parameters only.
  EXPECT_EQ(
      h.Verdict(by_tenant + "($1, $2)", "public.t", {std::string("4"), std::string(kT2)}).effect,
      Effect::kError);
  // Literals only again, then bound parameters only: nothing of the statement before is read.
  EXPECT_EQ(h.Verdict(by_tenant + "(5, " + Quote(kT1) + ")", "public.t").effect, Effect::kAllow);
  EXPECT_EQ(
      h.Verdict(by_tenant + "($1, $2)", "public.t", {std::string("6"), std::string(kT1)}).effect,
      Effect::kAllow);
  EXPECT_EQ(h.Verdict(by_tenant + "(7, " + Quote(kT2) + ")", "public.t").effect, Effect::kError);
  EXPECT_EQ(h.Verdict(by_tenant + "(8, " + Quote(kT1) + ")", "public.t").effect, Effect::kAllow);
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
