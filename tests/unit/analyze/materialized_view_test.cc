// Materialized views. Reading one reads its stored rows, which have no row security; REFRESH
// runs its query as the view's owner with the caller's settings. Checked on 15.18: owner_role
// (the table's owner, FORCE) refreshing with tenant T1's context stored 1 of 2 rows, with an
// empty context it failed with 22P02; a superuser refreshing an owner_role view stored 1 row
// too (the owner's policies, not the caller's exemption).

#include <gtest/gtest.h>

#include "unit/analyze/change_events.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

// As pg_dump writes them: WITH NO DATA, the owner set by ALTER TABLE.
std::string MatviewCatalogSql() {
  return SemanticsCatalogSql() +
         "CREATE MATERIALIZED VIEW mv_t AS SELECT id, tenant_id FROM t WITH NO DATA;\n"
         "ALTER TABLE mv_t OWNER TO owner_role;\n"
         "CREATE MATERIALIZED VIEW mv_nf AS SELECT id, tenant_id FROM t_nf WITH NO DATA;\n"
         "ALTER MATERIALIZED VIEW mv_nf OWNER TO owner_role;\n"
         "CREATE MATERIALIZED VIEW mv_su AS SELECT id, tenant_id FROM t WITH NO DATA;\n"
         "ALTER TABLE mv_su OWNER TO postgres;\n";
}

TEST(MaterializedView, RefreshReadsTheQueryAsTheOwner) {
  EngineHarness h(MatviewCatalogSql());
  h.Exec(SetTenant(kT1), {}, "s1", "postgres");
  Finding refresh = h.Verdict("REFRESH MATERIALIZED VIEW mv_t", "public.t", {}, "s1", "postgres");
  EXPECT_EQ(refresh.command, Command::kSelect);
  EXPECT_EQ(refresh.role, "owner_role");             // not the superuser who ran it
  EXPECT_EQ(refresh.effect, Effect::kRowDependent);  // T1's rows only: which exist decides
  EXPECT_EQ(refresh.tenant, kT1);
  // Not forced: the owner bypasses. A superuser's view: no policy applies.
  Finding nf = h.Verdict("REFRESH MATERIALIZED VIEW CONCURRENTLY mv_nf", "public.t_nf", {}, "s1",
                         "postgres");
  EXPECT_EQ(nf.effect, Effect::kAllow);
  EXPECT_EQ(nf.cause, Cause::kOwnerBypass);
  EXPECT_EQ(h.Verdict("REFRESH MATERIALIZED VIEW mv_su", "public.t", {}, "s1", "postgres").effect,
            Effect::kAllow);
}

TEST(MaterializedView, RefreshWithAnEmptyContextFails) {
  EngineHarness h(MatviewCatalogSql());
  h.Exec("SET app.current_tenant_id = ''", {}, "s1", "owner_role");
  Finding f = h.Verdict("REFRESH MATERIALIZED VIEW mv_t", "public.t", {}, "s1", "owner_role");
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "22P02");
}

TEST(MaterializedView, RefreshOverKnownRowsIsFiltered) {
  EngineHarness h(MatviewCatalogSql());
  h.engine().EnableChanges(60'000'000);
  h.engine().OnChange(TruncateT());
  Commit(h.engine(), 500, 1, {InsertT(7, kT2, 500), InsertT(8, kT1, 500)});
  h.Exec(SetTenant(kT1), {}, "s1", "owner_role");
  Finding f = h.Verdict("REFRESH MATERIALIZED VIEW mv_t", "public.t", {}, "s1", "owner_role");
  EXPECT_EQ(f.effect, Effect::kFiltered);       // the view would silently keep T1's row only
  EXPECT_EQ(f.cause, Cause::kOwnerBypassLost);  // as the owner, bypassing until FORCE
}

TEST(MaterializedView, NothingElseRunsItsQuery) {
  EngineHarness h(MatviewCatalogSql());
  h.Exec("SET app.current_tenant_id = ''", {}, "s1", "owner_role");
  // Its stored rows have no row security; WITH NO DATA empties it without running the query.
  EXPECT_TRUE(h.At(h.Exec("SELECT * FROM mv_t", {}, "s1", "owner_role")).empty());
  EXPECT_TRUE(
      h.At(h.Exec("REFRESH MATERIALIZED VIEW mv_t WITH NO DATA", {}, "s1", "owner_role")).empty());
  EXPECT_TRUE(h.At(h.Exec("CREATE MATERIALIZED VIEW mv2 AS SELECT * FROM t WITH NO DATA", {}, "s1",
                          "owner_role"))
                  .empty());
  EXPECT_TRUE(
      h.At(h.Exec("CREATE TABLE t_copy AS SELECT * FROM t WITH NO DATA", {}, "s1", "owner_role"))
          .empty());
  // Created with data, it runs as its creator.
  Finding created = h.Verdict("CREATE MATERIALIZED VIEW mv3 AS SELECT * FROM t", "public.t", {},
                              "s1", "owner_role");
  EXPECT_EQ(created.effect, Effect::kError);
  EXPECT_EQ(created.role, "owner_role");
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
