// The example a finding carries: the text of the statement that produced it (its shape when
// examples are redacted, the default), only for would-be denials, and never a previous
// statement's (the engine builds it once per statement, in a buffer it reuses).
#include <gtest/gtest.h>

#include <string>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

std::string Context(const char* tenant) {
  return std::string("SET app.current_tenant_id = '") + tenant + "'";
}

TEST(FindingExample, EachDenialCarriesItsOwnStatementsShape) {
  EngineHarness h;
  // No context: every read of t is filtered.
  const int64_t first = h.Exec("SELECT val FROM t WHERE id = 1");
  const int64_t second = h.Exec("SELECT id FROM t WHERE val = 'x' /* app='a' */;");
  const int64_t third = h.Exec("/* trace=7 */ SELECT val FROM t WHERE id = 2");
  const Finding a = h.On(first, "public.t");
  const Finding b = h.On(second, "public.t");
  const Finding c = h.On(third, "public.t");
  ASSERT_NE(a.effect, Effect::kAllow);
  ASSERT_NE(b.effect, Effect::kAllow);
  ASSERT_NE(c.effect, Effect::kAllow);
  // Literals lifted, the comments, the blanks they leave and the trailing semicolon dropped.
  EXPECT_EQ(a.example, "SELECT val FROM t WHERE id = $1");
  EXPECT_EQ(b.example, "SELECT id FROM t WHERE val = $1");
  EXPECT_EQ(c.example, "SELECT val FROM t WHERE id = $1");
}

TEST(FindingExample, AllowedAccessesCarryNoneAndDoNotLeaveOneBehind) {
  EngineHarness h;
  h.Exec(Context(kT1));
  const int64_t allowed =
      h.Exec("SELECT val FROM t WHERE tenant_id = '" + std::string(kT1) + "' AND id = 7");
  const int64_t denied =
      h.Exec("INSERT INTO t (id, tenant_id) VALUES (8, '" + std::string(kT2) + "')");
  const Finding ok = h.On(allowed, "public.t");
  EXPECT_EQ(ok.effect, Effect::kAllow);
  EXPECT_EQ(ok.example, "");
  const Finding bad = h.On(denied, "public.t");
  EXPECT_EQ(bad.effect, Effect::kError);
  EXPECT_EQ(bad.example, "INSERT INTO t (id, tenant_id) VALUES ($1, $2)");
}

TEST(FindingExample, DenialsOfOneStatementShareItsExample) {
  EngineHarness h;
  const int64_t line = h.Exec("SELECT t.val FROM t JOIN t_empty e ON e.id = t.id WHERE t.id = 3");
  const std::vector<Finding> found = h.At(line);
  ASSERT_EQ(found.size(), 2u);
  for (const Finding& f : found) {
    EXPECT_NE(f.effect, Effect::kAllow) << f.table;
    EXPECT_EQ(f.example, "SELECT t.val FROM t JOIN t_empty e ON e.id = t.id WHERE t.id = $1")
        << f.table;
  }
}

TEST(FindingExample, UnredactedExamplesShowTheTextAndItsParameters) {
  AnalyzerConfig config;
  config.redact_examples = false;
  EngineHarness h(SemanticsCatalogSql(), config);
  const int64_t first = h.Exec("SELECT val FROM t WHERE id = $1", {std::string("5")});
  const int64_t second = h.Exec("SELECT val FROM t WHERE id = 6");
  EXPECT_EQ(h.On(first, "public.t").example,
            "SELECT val FROM t WHERE id = $1 -- parameters: $1 = '5'");
  EXPECT_EQ(h.On(second, "public.t").example, "SELECT val FROM t WHERE id = 6");
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
