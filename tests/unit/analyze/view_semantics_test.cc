// PG_SEMANTICS.md §B8: views. Policies of the tables a view reads are checked as the view's
// owner (who bypasses a non-forced table, and has only its own policies on a forced one), with
// the caller's session settings; a security_invoker view checks them as the caller.
#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

std::string ViewCatalogSql() {
  return SemanticsCatalogSql() +
         "CREATE VIEW v_nf AS SELECT id, tenant_id, val FROM t_nf;\n"
         "ALTER VIEW v_nf OWNER TO owner_role;\n"
         "CREATE VIEW v_t AS SELECT id, tenant_id, val FROM t;\n"
         "ALTER VIEW v_t OWNER TO owner_role;\n"
         "CREATE VIEW v_tr AS SELECT id, tenant_id, val FROM tr;\n"
         "ALTER VIEW v_tr OWNER TO owner_role;\n"
         "CREATE VIEW v_su AS SELECT id, tenant_id, val FROM t;\n"
         "ALTER VIEW v_su OWNER TO postgres;\n"
         "CREATE VIEW v_inv WITH (security_invoker = true) AS SELECT id, tenant_id, val FROM "
         "t_nf;\n"
         "ALTER VIEW v_inv OWNER TO owner_role;\n"
         "CREATE VIEW v_ren AS SELECT id, tenant_id AS org, val FROM t;\n"
         "ALTER VIEW v_ren OWNER TO owner_role;\n"
         "CREATE VIEW v_v AS SELECT * FROM v_t;\n"
         "ALTER VIEW v_v OWNER TO postgres;\n";
}

TEST(PgSemanticsB8, OwnersViewOverNonForcedTableBypasses) {
  EngineHarness h(ViewCatalogSql());
  h.Exec(SetTenant(kT1));
  Finding read = h.Verdict("SELECT * FROM v_nf", "public.t_nf");
  EXPECT_EQ(read.effect, Effect::kAllow);  // 3 rows: checked as the owner, who bypasses
  EXPECT_EQ(read.role, "owner_role");
  EXPECT_EQ(read.cause, Cause::kOwnerBypass);
  Finding insert =
      h.Verdict(std::string("INSERT INTO v_nf VALUES (9, '") + kT2 + "', 'x')", "public.t_nf");
  EXPECT_EQ(insert.command, Command::kInsert);
  EXPECT_EQ(insert.effect, Effect::kAllow);
  Finding update = h.Verdict("UPDATE v_nf SET val = 'y' WHERE id = 3", "public.t_nf");
  EXPECT_EQ(update.effect, Effect::kAllow);
}

TEST(PgSemanticsB8, OwnersViewOverForcedTableAppliesPoliciesWithTheCallersContext) {
  EngineHarness h(ViewCatalogSql());
  h.Exec(SetTenant(kT1));
  Finding read = h.Verdict("SELECT * FROM v_t", "public.t");
  EXPECT_EQ(read.effect, Effect::kRowDependent);  // 2 rows of 3: the caller's tenant only
  EXPECT_EQ(read.role, "owner_role");
  EXPECT_EQ(read.tenant, kT1);
  Finding insert =
      h.Verdict(std::string("INSERT INTO v_t VALUES (9, '") + kT2 + "', 'x')", "public.t");
  EXPECT_EQ(insert.effect, Effect::kError);
  EXPECT_EQ(insert.sqlstate, "42501");
  EXPECT_EQ(insert.detail, "new row violates row-level security policy for table \"t\"");
}

TEST(PgSemanticsB8, OwnersViewOverTableWhosePolicyIsForAnotherRoleSeesNothing) {
  EngineHarness h(ViewCatalogSql());
  h.Exec(SetTenant(kT1));
  Finding read = h.Verdict("SELECT * FROM v_tr", "public.tr");
  EXPECT_EQ(read.effect, Effect::kFiltered);  // 0 rows: owner_role has no policy on tr
  EXPECT_EQ(read.role, "owner_role");
}

TEST(PgSemanticsB8, SuperuserOwnedViewBypasses) {
  EngineHarness h(ViewCatalogSql());
  Finding read = h.Verdict("SELECT * FROM v_su", "public.t");  // no context at all
  EXPECT_EQ(read.effect, Effect::kAllow);
  EXPECT_EQ(read.role, "postgres");
}

TEST(PgSemanticsB8, SecurityInvokerViewChecksTheCaller) {
  EngineHarness h(ViewCatalogSql());
  h.Exec(SetTenant(kT1));
  Finding read = h.Verdict("SELECT * FROM v_inv", "public.t_nf");
  EXPECT_EQ(read.effect, Effect::kRowDependent);  // 2 rows of 3
  EXPECT_EQ(read.role, "app_role");
  Finding insert =
      h.Verdict(std::string("INSERT INTO v_inv VALUES (9, '") + kT2 + "', 'x')", "public.t_nf");
  EXPECT_EQ(insert.effect, Effect::kError);
  EXPECT_EQ(insert.sqlstate, "42501");
}

TEST(PgSemanticsB8, ViewsOverViewsUseEachViewsOwner) {
  // v_v (superuser) reads v_t (owner_role) reads t (forced): t's policies are checked as
  // owner_role, the owner of the view that reads it; with no context that hides every row.
  EngineHarness h(ViewCatalogSql());
  Finding read = h.Verdict("SELECT * FROM v_v", "public.t");
  EXPECT_EQ(read.role, "owner_role");
  EXPECT_EQ(read.effect, Effect::kFiltered);
}

TEST(PgSemanticsB8, FiltersAndValuesCarryOverOnlyForColumnsTheViewPassesThrough) {
  EngineHarness h(ViewCatalogSql());
  h.Exec(SetTenant(kT1));
  // tenant_id passes through v_t unchanged: the WHERE pins the base rows to the context.
  EXPECT_EQ(h.Verdict(std::string("SELECT * FROM v_t WHERE tenant_id = '") + kT1 + "'", "public.t")
                .effect,
            Effect::kAllow);
  EXPECT_EQ(h.Verdict(std::string("SELECT * FROM v_t WHERE tenant_id = '") + kT2 + "'", "public.t")
                .effect,
            Effect::kFiltered);
  // v_ren renames tenant_id to org: nothing about org is carried over, so nothing is decided
  // on it (never allowed by mistake).
  EXPECT_EQ(
      h.Verdict(std::string("SELECT * FROM v_ren WHERE org = '") + kT2 + "'", "public.t").effect,
      Effect::kRowDependent);
  EXPECT_EQ(
      h.Verdict(std::string("INSERT INTO v_ren (id, org, val) VALUES (9, '") + kT2 + "', 'x')",
                "public.t")
          .effect,
      Effect::kRowDependent);
  EXPECT_EQ(h.Verdict(std::string("UPDATE v_ren SET org = '") + kT2 + "' WHERE id = 1", "public.t")
                .effect,
            Effect::kIndeterminate);
  // INSERT without a column list follows the view's column positions.
  Finding positional =
      h.Verdict(std::string("INSERT INTO v_t VALUES (9, '") + kT1 + "', 'x')", "public.t");
  EXPECT_EQ(positional.effect, Effect::kAllow);
}

TEST(PgSemanticsB8, ViewsAreNotReportedAsTables) {
  EngineHarness h(ViewCatalogSql());
  int64_t line = h.Exec("SELECT * FROM v_su");
  for (const Finding& f : h.At(line)) EXPECT_NE(f.table, "public.v_su");
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
