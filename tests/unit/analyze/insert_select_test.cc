// INSERT ... SELECT. WITH CHECK runs on each row the SELECT yields (checked on 15.18, the
// table's owner with FORCE and the context T1): `INSERT ... SELECT 5, T1, 'x'` inserted 1 row,
// with T2 it failed 42501, also under `WHERE NOT EXISTS (...)`; with `WHERE false` it inserted
// nothing and raised nothing, even with the context '' (22P02 once a row was yielded).

#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

// The finding of the INSERT at `line` (the statement may also read t).
Finding InsertOf(EngineHarness& h, int64_t line) {
  for (const Finding& f : h.At(line)) {
    if (f.table == "public.t" && f.command == Command::kInsert) return f;
  }
  ADD_FAILURE() << "no INSERT finding at line " << line;
  return Finding{};
}

std::string SelectRow(int id, const std::string& tenant, const std::string& tail = "") {
  return "INSERT INTO t (id, tenant_id, val) SELECT " + std::to_string(id) + ", " + Quoted(tenant) +
         ", 'x'" + tail;
}

TEST(InsertSelect, ASelectWithoutFromSpellsItsRowOut) {
  EngineHarness h(SemanticsCatalogSql());
  h.Exec(SetTenant(kT1));
  EXPECT_EQ(InsertOf(h, h.Exec(SelectRow(5, kT1))).effect, Effect::kAllow);
  Finding other = InsertOf(h, h.Exec(SelectRow(6, kT2)));
  EXPECT_EQ(other.effect, Effect::kError);
  EXPECT_EQ(other.sqlstate, "42501");
  // Bound parameters too, by position without a column list.
  EXPECT_EQ(InsertOf(h, h.Exec("INSERT INTO t SELECT $1, $2, $3", {"7", kT2, "y"})).effect,
            Effect::kError);
}

TEST(InsertSelect, AWhereMayInsertNothing) {
  EngineHarness h(SemanticsCatalogSql());
  h.Exec(SetTenant(kT1));
  const std::string missing = " WHERE NOT EXISTS (SELECT 1 FROM t WHERE id = 6)";
  Finding other = InsertOf(h, h.Exec(SelectRow(6, kT2, missing)));
  EXPECT_EQ(other.effect, Effect::kRowDependent);
  EXPECT_EQ(other.sqlstate, "42501");
  EXPECT_EQ(other.detail,
            "new rows would violate the policy; how many the SELECT yields is unknown");
  EXPECT_EQ(InsertOf(h, h.Exec(SelectRow(6, kT1, missing))).effect, Effect::kAllow);
  EXPECT_EQ(InsertOf(h, h.Exec(SelectRow(6, kT2, " LIMIT 1"))).effect, Effect::kRowDependent);
}

TEST(InsertSelect, ACheckThatRaisesDoesSoOnlyForAYieldedRow) {
  EngineHarness h(SemanticsCatalogSql());
  h.Exec("SET app.current_tenant_id = ''");
  Finding none = InsertOf(h, h.Exec(SelectRow(7, kT1, " WHERE false")));
  EXPECT_EQ(none.effect, Effect::kRowDependent);
  EXPECT_EQ(none.sqlstate, "22P02");
  EXPECT_EQ(none.detail, "invalid input syntax for type uuid: \"\" (if the SELECT yields a row)");
  EXPECT_EQ(InsertOf(h, h.Exec(SelectRow(8, kT1))).effect, Effect::kError);  // it does
  EXPECT_EQ(InsertOf(h, h.Exec("INSERT INTO t SELECT id + 100, tenant_id, val FROM t_nf")).effect,
            Effect::kRowDependent);
}

TEST(InsertSelect, ItemsReadingRowsStayUnknown) {
  EngineHarness h(SemanticsCatalogSql());
  h.Exec(SetTenant(kT1));
  Finding f = InsertOf(
      h, h.Exec("INSERT INTO t (id, tenant_id) SELECT 9, (SELECT tenant_id FROM t_nf LIMIT 1)"));
  EXPECT_EQ(f.effect, Effect::kRowDependent);  // not a guess, not indeterminate
  EXPECT_EQ(InsertOf(h, h.Exec("INSERT INTO t (id, tenant_id) SELECT 10, " + Quoted(kT2) +
                               " UNION SELECT 11, " + Quoted(kT1)))
                .effect,
            Effect::kRowDependent);
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
