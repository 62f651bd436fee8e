// Stored generated columns: PostgreSQL computes them from the new row (after the BEFORE ROW
// triggers) before checking it, so a policy reading one sees the computed value, never the
// NULL an omitted column would otherwise get.

#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

// gen_t: the tenant column is generated from a text column; gen_o: a key generated with a
// function rls-shadow does not evaluate.
std::string GeneratedCatalogSql() {
  return SemanticsCatalogSql() +
         "CREATE TABLE gen_t (id int PRIMARY KEY, tenant_text text NOT NULL,\n"
         "  tenant_id uuid GENERATED ALWAYS AS (tenant_text::uuid) STORED);\n" +
         OwnedAndForcedSql("gen_t") + "CREATE POLICY p ON gen_t USING (" + std::string(kPolicyP) +
         ");\n"
         "CREATE TABLE gen_o (id int PRIMARY KEY, org text NOT NULL,\n"
         "  org_key text GENERATED ALWAYS AS (lower(org)) STORED);\n" +
         OwnedAndForcedSql("gen_o") +
         "CREATE POLICY o ON gen_o USING (org_key = current_setting('app.org', true));\n";
}

TEST(GeneratedColumn, ThePolicySeesTheComputedValue) {
  EngineHarness h(GeneratedCatalogSql());
  h.Exec(SetTenant(kT1));
  const std::string t1 = Quoted(kT1);
  const std::string t2 = Quoted(kT2);
  // Before, the omitted generated column was taken as NULL: a false 42501.
  EXPECT_EQ(h.Verdict("INSERT INTO gen_t (id, tenant_text) VALUES (1, " + t1 + ")", "public.gen_t")
                .effect,
            Effect::kAllow);
  Finding other =
      h.Verdict("INSERT INTO gen_t (id, tenant_text) VALUES (2, " + t2 + ")", "public.gen_t");
  EXPECT_EQ(other.effect, Effect::kError);
  EXPECT_EQ(other.sqlstate, "42501");
  // An UPDATE recomputes it from the new row.
  EXPECT_EQ(
      h.Verdict("UPDATE gen_t SET tenant_text = " + t2 + " WHERE tenant_id = " + t1, "public.gen_t")
          .effect,
      Effect::kError);
  EXPECT_EQ(
      h.Verdict("UPDATE gen_t SET tenant_text = " + t1 + " WHERE tenant_id = " + t1, "public.gen_t")
          .effect,
      Effect::kAllow);
}

TEST(GeneratedColumn, AnExpressionItCannotEvaluateIsNamed) {
  EngineHarness h(GeneratedCatalogSql());
  h.Exec("SET app.org = 'acme'");
  // PostgreSQL allows it (lower('ACME') = 'acme'): not a guessed error.
  Finding f = h.Verdict("INSERT INTO gen_o (id, org) VALUES (1, 'ACME')", "public.gen_o");
  EXPECT_EQ(f.effect, Effect::kIndeterminate);
  EXPECT_EQ(f.detail, "function lower()");
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
