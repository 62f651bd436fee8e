// MERGE (PostgreSQL 15). Checked on 15.18, the table's owner with FORCE: the SELECT policies
// filter the target's rows while the join reads them, and fail while planning (an empty context
// cast to uuid raised 22P02 on an empty table); a row they hide does not match (an INSERT
// action then took it: 23505). Each action checks the row it writes only when a row takes it:
// WHEN MATCHED UPDATE / DELETE raise "target row violates row-level security policy (USING
// expression)" where the UPDATE / DELETE policies' USING fails (no DELETE policy: always),
// UPDATE checks its WITH CHECK and SELECT's USING on the new row, and INSERT its WITH CHECK
// alone (a row SELECT would hide was inserted). With the context '' and an INSERT-only MERGE
// whose SELECT policy is USING (true), a matched row gave MERGE 0, an unmatched one 22P02.

#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

constexpr char kContext[] = "current_setting('app.current_tenant_id')::uuid";

// m: SELECT sees every row; INSERT and UPDATE are the tenant's; no DELETE policy.
std::string MergeCatalogSql() {
  const std::string ctx = kContext;
  return SemanticsCatalogSql() +
         "CREATE TABLE m (id int PRIMARY KEY, tenant_id uuid NOT NULL, v text, "
         "locked boolean NOT NULL DEFAULT false);\n" +
         OwnedAndForcedSql("m") +
         "CREATE POLICY sel ON m FOR SELECT USING (true);\n"
         "CREATE POLICY ins ON m FOR INSERT WITH CHECK (tenant_id = " +
         ctx +
         ");\n"
         "CREATE POLICY upd ON m FOR UPDATE USING (NOT locked) WITH CHECK (tenant_id = " +
         ctx + ");\n" + "CREATE TABLE staging (id int, tenant_id uuid, v text);\n";
}

constexpr char kInsertFromValues[] =
    "MERGE INTO m USING (VALUES ($1, $2)) AS s(id, tenant) ON m.id = s.id "
    "WHEN NOT MATCHED THEN INSERT (id, tenant_id, v) VALUES (s.id, s.tenant, 'new')";

TEST(Merge, EmptyContextFailsWhilePlanningTheJoin) {
  EngineHarness h(SemanticsCatalogSql());
  h.Exec("SET app.current_tenant_id = ''");
  Finding f = h.Verdict(
      "MERGE INTO t USING (VALUES (1, 'x')) s(id, v) ON t.id = s.id "
      "WHEN MATCHED THEN UPDATE SET val = s.v",
      "public.t");
  EXPECT_EQ(f.command, Command::kMerge);
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "22P02");
}

TEST(Merge, TheTargetsRowsDecideUnderAValidContext) {
  EngineHarness h(SemanticsCatalogSql());
  h.Exec(SetTenant(kT1));
  Finding f = h.Verdict(
      "MERGE INTO t USING (VALUES (1, 'x')) s(id, v) ON t.id = s.id "
      "WHEN MATCHED THEN UPDATE SET val = s.v "
      "WHEN NOT MATCHED THEN INSERT VALUES (s.id, current_setting('app.current_tenant_id')::uuid, "
      "s.v)",
      "public.t");
  EXPECT_EQ(f.effect, Effect::kRowDependent);  // another tenant's row 1 would not match
  EXPECT_EQ(f.tenant, kT1);
}

TEST(Merge, NoVisibleRowLosesWhatMatchedOrSendsItToInsert) {
  EngineHarness h(SemanticsCatalogSql());
  // P reads the context with missing_ok: unset, it is NULL and no row is visible.
  Finding update = h.Verdict(
      "MERGE INTO t USING (VALUES (1, 'x')) s(id, v) ON t.id = s.id "
      "WHEN MATCHED THEN UPDATE SET val = s.v",
      "public.t");
  EXPECT_EQ(update.effect, Effect::kFiltered);
  Finding upsert = h.Verdict(
      "MERGE INTO t USING (VALUES (1, 'x')) s(id, v) ON t.id = s.id "
      "WHEN MATCHED THEN UPDATE SET val = s.v "
      "WHEN NOT MATCHED THEN INSERT (id, tenant_id) VALUES (s.id, '" +
          std::string(kT1) + "')",
      "public.t");
  EXPECT_EQ(upsert.effect, Effect::kRowDependent);
  // Not an RLS violation: a hidden row that matched is inserted (or its key collides, 23505).
  EXPECT_EQ(upsert.sqlstate, "");
  EXPECT_EQ(upsert.detail,
            "rows the SELECT policies hide would not match: WHEN NOT MATCHED takes them");
}

TEST(Merge, MatchedActionsCountOnlyWhereARowIsVisible) {
  EngineHarness h(MergeCatalogSql() +
                  "CREATE TABLE hidden (id int PRIMARY KEY, tenant_id uuid NOT NULL, v text);\n" +
                  OwnedAndForcedSql("hidden") + "CREATE POLICY sel ON hidden FOR SELECT USING (" +
                  kPolicyP +
                  ");\n"
                  "CREATE POLICY del ON hidden FOR DELETE USING (v = lower(v));\n");
  const std::string merge =
      "MERGE INTO hidden USING (VALUES (1)) s(id) ON hidden.id = s.id WHEN MATCHED THEN DELETE";
  // With a context, the DELETE's check is one rls-shadow does not evaluate (lower()).
  h.Exec(SetTenant(kT1));
  EXPECT_EQ(h.Verdict(merge, "public.hidden").effect, Effect::kIndeterminate);
  // A session that never set one: no row is visible, nothing matches, and WHEN MATCHED never
  // runs.
  EXPECT_EQ(h.Verdict(merge, "public.hidden", {}, "s2").effect, Effect::kFiltered);
}

TEST(Merge, InsertActionChecksTheValuesTheSourceSpellsOut) {
  EngineHarness h(MergeCatalogSql());
  h.Exec(SetTenant(kT1));
  EXPECT_EQ(h.Verdict(kInsertFromValues, "public.m", {"1", kT1}).effect, Effect::kAllow);
  Finding other = h.Verdict(kInsertFromValues, "public.m", {"2", kT2});
  EXPECT_EQ(other.effect, Effect::kRowDependent);  // only if row 2 does not exist
  EXPECT_EQ(other.sqlstate, "42501");
  EXPECT_EQ(other.policy, "ins");
  EXPECT_EQ(other.detail,
            "new row violates row-level security policy for table \"m\" (if a row takes this "
            "action)");
  // The verdict memo tells the two apart (it keys them by the parameters the check read).
  EXPECT_EQ(h.Verdict(kInsertFromValues, "public.m", {"3", kT1}).effect, Effect::kAllow);
  // A SELECT without FROM spells its row out too; a column named as the target's is the
  // source's.
  EXPECT_EQ(h.Verdict("MERGE INTO m USING (SELECT 5 AS id, '" + std::string(kT2) +
                          "'::uuid AS tenant_id) s ON m.id = s.id "
                          "WHEN NOT MATCHED THEN INSERT (id, tenant_id) VALUES (s.id, s.tenant_id)",
                      "public.m")
                .effect,
            Effect::kRowDependent);
  EXPECT_EQ(h.Verdict("MERGE INTO m AS target USING (SELECT 5 AS id) s ON target.id = s.id "
                      "WHEN NOT MATCHED THEN INSERT (id, tenant_id) "
                      "VALUES (s.id, current_setting('app.current_tenant_id')::uuid) "
                      "WHEN MATCHED THEN DO NOTHING",
                      "public.m")
                .effect,
            Effect::kAllow);
}

TEST(Merge, ValuesOfASourceTableAreUnknown) {
  EngineHarness h(MergeCatalogSql());
  h.Exec(SetTenant(kT1));
  const int64_t line = h.Exec(
      "MERGE INTO m USING staging s ON m.id = s.id "
      "WHEN NOT MATCHED THEN INSERT (id, tenant_id, v) VALUES (s.id, s.tenant_id, s.v)");
  EXPECT_EQ(h.On(line, "public.m").effect, Effect::kRowDependent);  // staging's tenant_id
  // A value the source computes from rows is unknown too, not indeterminate.
  EXPECT_EQ(h.Verdict("MERGE INTO m USING (SELECT 5 AS id, (SELECT tenant_id FROM staging LIMIT "
                      "1) AS tenant) s ON m.id = s.id "
                      "WHEN NOT MATCHED THEN INSERT (id, tenant_id) VALUES (s.id, s.tenant)",
                      "public.m")
                .effect,
            Effect::kRowDependent);
}

TEST(Merge, MatchedActionsFailOnTheTargetRowRatherThanSkipIt) {
  EngineHarness h(MergeCatalogSql());
  h.Exec(SetTenant(kT1));
  // No DELETE policy: every matched row fails.
  Finding del = h.Verdict(
      "MERGE INTO m USING (VALUES (1)) s(id) ON m.id = s.id WHEN MATCHED THEN DELETE", "public.m");
  EXPECT_EQ(del.effect, Effect::kRowDependent);
  EXPECT_EQ(del.sqlstate, "42501");
  EXPECT_EQ(del.detail,
            "target row violates row-level security policy (USING expression) for table \"m\" "
            "(if a row takes this action)");
  // UPDATE's USING reads the row (locked); its WITH CHECK, the new tenant.
  EXPECT_EQ(h.Verdict("MERGE INTO m USING (VALUES (1, 'x')) s(id, v) ON m.id = s.id "
                      "WHEN MATCHED THEN UPDATE SET v = s.v",
                      "public.m")
                .effect,
            Effect::kRowDependent);
  // Moved to another tenant: the new row would fail WITH CHECK, if the row is not locked.
  Finding moved = h.Verdict(
      "MERGE INTO m USING (VALUES (1)) s(id) ON m.id = s.id "
      "WHEN MATCHED AND NOT m.locked THEN UPDATE SET tenant_id = '" +
          std::string(kT2) + "'",
      "public.m");
  EXPECT_EQ(moved.effect, Effect::kRowDependent);
}

TEST(Merge, ExemptionsApplyAsToAnyCommand) {
  EngineHarness h(SemanticsCatalogSql());
  const std::string merge =
      "MERGE INTO t_nf USING (VALUES (1)) s(id) ON t_nf.id = s.id WHEN MATCHED THEN DELETE";
  Finding owner = h.Verdict(merge, "public.t_nf", {}, "s1", "owner_role");
  EXPECT_EQ(owner.effect, Effect::kAllow);
  EXPECT_EQ(owner.cause, Cause::kOwnerBypass);
  EXPECT_EQ(h.Verdict("MERGE INTO t USING (VALUES (1)) s(id) ON t.id = s.id "
                      "WHEN MATCHED THEN DELETE",
                      "public.t", {}, "s2", "bypass_role")
                .effect,
            Effect::kAllow);
}

// Not MERGE alone: a value read from another relation of the statement (UPDATE ... FROM) was
// read from the target's row of the same column name, so a row moved to the other table's
// tenant passed as staying the session's.
TEST(Merge, AnotherRelationsColumnIsNotTheTargets) {
  EngineHarness h(MergeCatalogSql());
  h.Exec(SetTenant(kT1));
  // The old row is T1's, which P lets the session see; the new row has staging's tenant.
  Finding f = h.Verdict(
      "UPDATE t SET tenant_id = s.tenant_id FROM staging s WHERE t.id = 1 AND "
      "t.tenant_id = '" +
          std::string(kT1) + "' AND s.id = 1",
      "public.t");
  EXPECT_EQ(f.effect, Effect::kRowDependent);
  // The target's own column, by its name or unqualified, is the old row's.
  EXPECT_EQ(h.Verdict("UPDATE t SET tenant_id = t.tenant_id WHERE id = 1 AND tenant_id = '" +
                          std::string(kT1) + "'",
                      "public.t")
                .effect,
            Effect::kAllow);
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
