// PG_SEMANTICS.md §A7 (policy P × context state × command) and §B (B1–B10) as engine verdicts.
// The catalog is the document's setup (engine_harness.h: SemanticsCatalogSql); each test logs
// statements as PostgreSQL would and checks the finding the engine predicts for the migration.
//
// The engine sees statements, never rows. Where PostgreSQL's answer depends on which rows exist
// (an unfiltered SELECT with a valid tenant, UPDATE ... WHERE id = 3 without knowing row 3's
// tenant) the contract is `row_dependent`, never `allow`; those rows are asserted so.
#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::kT2;
using testing_analyze::SetTenant;

const std::string T1 = kT1;
const std::string T2 = kT2;

void ExpectAllow(const Finding& f) {
  EXPECT_EQ(f.effect, Effect::kAllow) << f.detail;
  EXPECT_EQ(f.sqlstate, "");
}

void ExpectRlsCheckError(const Finding& f, const std::string& table, Cause cause) {
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "42501");
  EXPECT_EQ(f.detail, "new row violates row-level security policy for table \"" + table + "\"");
  EXPECT_EQ(f.cause, cause);
}

void ExpectInvalidUuid(const Finding& f, const std::string& value, Cause cause) {
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "22P02");
  EXPECT_EQ(f.detail, "invalid input syntax for type uuid: \"" + value + "\"");
  EXPECT_EQ(f.cause, cause);
}

// --- A7: policy P as app_role -------------------------------------------------------------------

const char kSelectAll[] = "SELECT * FROM t";
const char kUpdateAll[] = "UPDATE t SET val = 'x'";
const char kDeleteAll[] = "DELETE FROM t";
std::string InsertT1() { return "INSERT INTO t VALUES (10, '" + T1 + "', 'v')"; }

TEST(PgSemanticsA7, NeverSetSelectSeesNoRowsWithoutError) {
  EngineHarness h;
  Finding f = h.Verdict(kSelectAll, "public.t");
  EXPECT_EQ(f.effect, Effect::kFiltered);
  EXPECT_EQ(f.cause, Cause::kMissingContext);
  EXPECT_EQ(f.sqlstate, "");
  EXPECT_EQ(f.policy, "p");
  EXPECT_EQ(f.command, Command::kSelect);
  EXPECT_EQ(f.role, "app_role");
}

TEST(PgSemanticsA7, NeverSetInsertFails42501) {
  EngineHarness h;
  Finding f = h.Verdict(InsertT1(), "public.t");
  ExpectRlsCheckError(f, "t", Cause::kMissingContext);
  EXPECT_EQ(f.command, Command::kInsert);
  EXPECT_EQ(f.tenant, T1);  // no context: the tenant is the row's
}

TEST(PgSemanticsA7, NeverSetUpdateAndDeleteTouchNothing) {
  EngineHarness h;
  Finding u = h.Verdict(kUpdateAll, "public.t");
  EXPECT_EQ(u.effect, Effect::kFiltered);  // UPDATE 0
  EXPECT_EQ(u.cause, Cause::kMissingContext);
  EXPECT_EQ(u.command, Command::kUpdate);
  Finding d = h.Verdict(kDeleteAll, "public.t");
  EXPECT_EQ(d.effect, Effect::kFiltered);  // DELETE 0
  EXPECT_EQ(d.cause, Cause::kMissingContext);
  EXPECT_EQ(d.command, Command::kDelete);
}

TEST(PgSemanticsA7, EmptyContextFails22P02OnEveryCommand) {
  EngineHarness h;
  h.Exec("RESET app.current_tenant_id");  // '' from now on
  for (const std::string& sql :
       {std::string(kSelectAll), InsertT1(), std::string(kUpdateAll), std::string(kDeleteAll)}) {
    Finding f = h.Verdict(sql, "public.t");
    ExpectInvalidUuid(f, "", Cause::kEmptyContext);
    EXPECT_EQ(f.policy, "p") << sql;
  }
}

TEST(PgSemanticsA7, ValidOtherTenantSeesOnlyItsRows) {
  EngineHarness h;
  h.Exec(SetTenant(T2));
  // SELECT: 1 row of 3 in PostgreSQL; which rows exist is not in the log.
  Finding s = h.Verdict(kSelectAll, "public.t");
  EXPECT_EQ(s.effect, Effect::kRowDependent);
  EXPECT_EQ(s.tenant, T2);
  // INSERT of a T1 row: 42501.
  Finding i = h.Verdict(InsertT1(), "public.t");
  ExpectRlsCheckError(i, "t", Cause::kWrongTenant);
  EXPECT_EQ(i.tenant, T2);
  // UPDATE / DELETE of all rows: only T2's (UPDATE 1 / DELETE 1).
  EXPECT_EQ(h.Verdict(kUpdateAll, "public.t").effect, Effect::kRowDependent);
  EXPECT_EQ(h.Verdict(kDeleteAll, "public.t").effect, Effect::kRowDependent);
  // Where the statement pins the tenant down, the verdict is exact.
  ExpectAllow(h.Verdict("SELECT * FROM t WHERE tenant_id = '" + T2 + "'", "public.t"));
  Finding other = h.Verdict("SELECT * FROM t WHERE tenant_id = $1", "public.t", {T1});
  EXPECT_EQ(other.effect, Effect::kFiltered);
  EXPECT_EQ(other.cause, Cause::kWrongTenant);
}

TEST(PgSemanticsA7, InvalidContextFails22P02OnEveryCommand) {
  EngineHarness h;
  h.Exec(SetTenant("not-a-uuid"));
  for (const std::string& sql :
       {std::string(kSelectAll), InsertT1(), std::string(kUpdateAll), std::string(kDeleteAll)}) {
    ExpectInvalidUuid(h.Verdict(sql, "public.t"), "not-a-uuid", Cause::kInvalidContext);
  }
}

TEST(PgSemanticsA7Notes, InvalidCastIsRaisedEvenOnAnEmptyTable) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = ''");
  ExpectInvalidUuid(h.Verdict("SELECT count(*) FROM t_empty", "public.t_empty"), "",
                    Cause::kEmptyContext);
  // And with a filter that would select no row at all: plan time, not per row.
  ExpectInvalidUuid(h.Verdict("SELECT * FROM t_empty WHERE id = 42", "public.t_empty"), "",
                    Cause::kEmptyContext);
}

TEST(PgSemanticsA7Notes, SetLocalInTransactionThenAutocommitFails22P02) {
  EngineHarness h;
  h.Exec("BEGIN");
  h.Exec("SET LOCAL app.current_tenant_id = '" + T1 + "'");
  ExpectAllow(h.Verdict("SELECT * FROM t WHERE tenant_id = '" + T1 + "'", "public.t"));
  h.Exec("COMMIT");
  ExpectInvalidUuid(h.Verdict("SELECT count(*) FROM t", "public.t"), "", Cause::kEmptyContext);
}

TEST(PgSemanticsA7Notes, LocalSetConfigInAutocommitLosesContext) {
  EngineHarness h;
  h.Exec("SELECT set_config('app.current_tenant_id', $1, true)", {T1});
  ExpectInvalidUuid(h.Verdict("SELECT count(*) FROM t", "public.t"), "",
                    Cause::kContextLostAutocommit);
}

TEST(PgSemanticsA7Notes, PolicyWithoutMissingOkIs42704WhenNeverSet) {
  EngineHarness h;
  for (const std::string& sql : {std::string("SELECT * FROM t_strict"),
                                 "INSERT INTO t_strict VALUES (1, '" + T1 + "', 'v')"}) {
    Finding f = h.Verdict(sql, "public.t_strict");
    EXPECT_EQ(f.effect, Effect::kError) << sql;
    EXPECT_EQ(f.sqlstate, "42704");
    EXPECT_EQ(f.detail, "unrecognized configuration parameter \"app.current_tenant_id\"");
    EXPECT_EQ(f.cause, Cause::kMissingContext);
  }
}

// PostgreSQL raises the 22P02 at plan time, so a plain EXPLAIN fails too (A7 notes); with a
// valid or missing context a plain EXPLAIN reads nothing and loses nothing.
TEST(PgSemanticsA7Notes, PlainExplainFails22P02) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = ''");
  ExpectInvalidUuid(h.Verdict("EXPLAIN SELECT * FROM t", "public.t"), "", Cause::kEmptyContext);
  EngineHarness valid;
  valid.Exec("SET app.current_tenant_id = '" + T2 + "'");
  ExpectAllow(valid.Verdict("EXPLAIN SELECT * FROM t", "public.t"));
  EngineHarness unset;
  ExpectAllow(unset.Verdict("EXPLAIN DELETE FROM t", "public.t"));
  ExpectAllow(unset.Verdict("EXPLAIN INSERT INTO t VALUES (9, '" + T2 + "', 'x')", "public.t"));
}

// --- B1: owner, FORCE -------------------------------------------------------------------------

TEST(PgSemanticsB1, OwnerOfNonForcedTableBypasses) {
  EngineHarness h;
  Finding s = h.Verdict("SELECT * FROM t_nf", "public.t_nf", {}, "own", "owner_role");
  ExpectAllow(s);
  EXPECT_EQ(s.cause, Cause::kOwnerBypass);
  Finding i = h.Verdict("INSERT INTO t_nf VALUES (1, '" + T2 + "', 'v')", "public.t_nf", {}, "own",
                        "owner_role");
  ExpectAllow(i);
  EXPECT_EQ(i.cause, Cause::kOwnerBypass);
}

TEST(PgSemanticsB1, OwnerOfForcedTableIsSubjectToPolicies) {
  EngineHarness h;
  Finding s = h.Verdict("SELECT * FROM t", "public.t", {}, "own", "owner_role");
  EXPECT_EQ(s.effect, Effect::kFiltered);
  EXPECT_EQ(s.cause, Cause::kOwnerBypassLost);
  Finding i =
      h.Verdict("INSERT INTO t VALUES (1, '" + T1 + "', 'v')", "public.t", {}, "own", "owner_role");
  ExpectRlsCheckError(i, "t", Cause::kOwnerBypassLost);
  // INSERT INTO t_nf SELECT * FROM t copies 0 rows: the read of t is filtered, the write to
  // t_nf bypasses.
  int64_t line = h.ExecAs("owner_role", "INSERT INTO t_nf SELECT * FROM t", "own");
  Finding read = h.On(line, "public.t", "own");
  EXPECT_EQ(read.command, Command::kSelect);
  EXPECT_EQ(read.effect, Effect::kFiltered);
  Finding write = h.On(line, "public.t_nf", "own");
  EXPECT_EQ(write.command, Command::kInsert);
  ExpectAllow(write);
}

TEST(PgSemanticsB1, ForceWithoutEnableIsNoRls) {
  EngineHarness h;
  int64_t line = h.Exec("SELECT * FROM forced_only");
  EXPECT_TRUE(h.At(line).empty());  // not an RLS table: no finding at all
  line = h.Exec("SELECT * FROM plain");
  EXPECT_TRUE(h.At(line).empty());
}

// --- B2: superuser, BYPASSRLS, row_security
// -------------------------------------------------------

TEST(PgSemanticsB2, SuperuserAndBypassRlsSeeEverything) {
  EngineHarness h;
  for (const std::string user : {"postgres", "bypass_role"}) {
    ExpectAllow(h.Verdict("SELECT * FROM t", "public.t", {}, user, user));
    ExpectAllow(
        h.Verdict("INSERT INTO t VALUES (1, '" + T2 + "', 'v')", "public.t", {}, user, user));
    h.Exec("SET row_security = off", {}, user, user);
    Finding off = h.Verdict("SELECT * FROM t", "public.t", {}, user, user);
    ExpectAllow(off);
    EXPECT_EQ(off.role, user);
  }
}

TEST(PgSemanticsB2, RowSecurityOffIs42501ForPolicySubjects) {
  EngineHarness h;
  h.Exec("SET row_security = off");
  for (const char* table : {"t", "t_nf", "no_pol"}) {
    Finding f = h.Verdict(std::string("SELECT * FROM ") + table, std::string("public.") + table);
    EXPECT_EQ(f.effect, Effect::kError) << table;
    EXPECT_EQ(f.sqlstate, "42501");
    EXPECT_EQ(f.cause, Cause::kRowSecurityOff);
    EXPECT_EQ(f.detail, std::string("query would be affected by row-level security policy for "
                                    "table \"") +
                            table + "\"");
  }
}

TEST(PgSemanticsB2, RowSecurityOffForOwner) {
  EngineHarness h;
  h.Exec("SET row_security = off", {}, "own", "owner_role");
  Finding forced = h.Verdict("SELECT * FROM t", "public.t", {}, "own", "owner_role");
  EXPECT_EQ(forced.effect, Effect::kError);
  EXPECT_EQ(forced.sqlstate, "42501");
  Finding not_forced = h.Verdict("SELECT * FROM t_nf", "public.t_nf", {}, "own", "owner_role");
  ExpectAllow(not_forced);  // owner of a non-forced table: no error
}

// --- B3: permissive / restrictive combination
// -------------------------------------------------------

TEST(PgSemanticsB3, RestrictiveOnlyDeniesEverything) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  Finding s = h.Verdict("SELECT * FROM r_only", "public.r_only");
  EXPECT_EQ(s.effect, Effect::kFiltered);
  EXPECT_EQ(s.cause, Cause::kNoPermissivePolicy);
  Finding i = h.Verdict("INSERT INTO r_only VALUES (1, '" + T1 + "', 'v')", "public.r_only");
  ExpectRlsCheckError(i, "r_only", Cause::kNoPermissivePolicy);  // default deny: no name
  EXPECT_EQ(i.policy, "");
}

TEST(PgSemanticsB3, ZeroPoliciesDenyEverything) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  for (const char* sql :
       {"SELECT * FROM no_pol", "UPDATE no_pol SET val = 'x'", "DELETE FROM no_pol"}) {
    Finding f = h.Verdict(sql, "public.no_pol");
    EXPECT_EQ(f.effect, Effect::kFiltered) << sql;
    EXPECT_EQ(f.cause, Cause::kNoPermissivePolicy);
  }
  ExpectRlsCheckError(
      h.Verdict("INSERT INTO no_pol VALUES (1, '" + T1 + "', 'v')", "public.no_pol"), "no_pol",
      Cause::kNoPermissivePolicy);
}

TEST(PgSemanticsB3, PermissiveTrueAndRestrictiveTenantPolicy) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  EXPECT_EQ(h.Verdict("SELECT * FROM r_perm", "public.r_perm").effect, Effect::kRowDependent);
  ExpectAllow(h.Verdict("INSERT INTO r_perm VALUES (1, '" + T1 + "', 'v')", "public.r_perm"));
  Finding bad = h.Verdict("INSERT INTO r_perm VALUES (2, '" + T2 + "', 'v')", "public.r_perm");
  EXPECT_EQ(bad.effect, Effect::kError);
  EXPECT_EQ(bad.sqlstate, "42501");
  // Restrictive failures name the policy.
  EXPECT_EQ(bad.detail,
            "new row violates row-level security policy \"tenant_r\" for table \"r_perm\"");
  EXPECT_EQ(bad.policy, "tenant_r");
  EXPECT_EQ(bad.cause, Cause::kWrongTenant);
}

// --- B4: per-command policies
// ----------------------------------------------------------------------

TEST(PgSemanticsB4, Pc2InsertPassesButReturningAppliesSelectPolicy) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  ExpectAllow(h.Verdict("INSERT INTO pc2 VALUES (4, '" + T2 + "', 'v')", "public.pc2"));
  Finding r = h.Verdict("INSERT INTO pc2 VALUES (5, '" + T2 + "', 'v') RETURNING id", "public.pc2");
  ExpectRlsCheckError(r, "pc2", Cause::kWrongTenant);
  EXPECT_EQ(r.policy, "pc2_sel");
}

TEST(PgSemanticsB4, Pc2UpdateReadingNoColumnIgnoresSelectPolicy) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  ExpectAllow(h.Verdict("UPDATE pc2 SET val = 'x'", "public.pc2"));  // UPDATE 3
}

TEST(PgSemanticsB4, Pc2UpdateReadingAColumnAppliesSelectPolicy) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  // UPDATE 2 of 3: which rows are T1's is not in the log.
  EXPECT_EQ(h.Verdict("UPDATE pc2 SET val = val || 'x'", "public.pc2").effect,
            Effect::kRowDependent);
  // UPDATE ... WHERE id = 3 (a T2 row): UPDATE 0; row 3's tenant is not in the log.
  EXPECT_EQ(h.Verdict("UPDATE pc2 SET val = 'x' WHERE id = 3", "public.pc2").effect,
            Effect::kRowDependent);
  // With the tenant in the WHERE clause the verdict is exact.
  Finding other =
      h.Verdict("UPDATE pc2 SET val = 'x' WHERE tenant_id = '" + T2 + "'", "public.pc2");
  EXPECT_EQ(other.effect, Effect::kFiltered);
  EXPECT_EQ(other.cause, Cause::kWrongTenant);
}

TEST(PgSemanticsB4, Pc2UpdateMovingRowToOtherTenant) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  // WHERE id = 1: 42501 when row 1 is visible (it is T1's in PG_SEMANTICS), UPDATE 0 otherwise.
  EXPECT_EQ(h.Verdict("UPDATE pc2 SET tenant_id = '" + T2 + "' WHERE id = 1", "public.pc2").effect,
            Effect::kRowDependent);
  // A WHERE naming the tenant makes the row visible: the new row must pass the SELECT policy.
  ExpectRlsCheckError(
      h.Verdict("UPDATE pc2 SET tenant_id = '" + T2 + "' WHERE tenant_id = '" + T1 + "'",
                "public.pc2"),
      "pc2", Cause::kWrongTenant);
  // Without WHERE no column is read: UPDATE 3.
  ExpectAllow(h.Verdict("UPDATE pc2 SET tenant_id = '" + T2 + "'", "public.pc2"));
}

// The new row's tenant comes from a column the WHERE pins but no policy reads: the evaluator
// must still know it (it keeps only the policies' filter columns when nothing else reads the row).
TEST(PgSemanticsB4, UpdateSettingTheTenantFromAnotherFilteredColumn) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  ExpectRlsCheckError(h.Verdict("UPDATE t SET tenant_id = val::uuid WHERE tenant_id = '" + T1 +
                                    "' AND val = '" + T2 + "'",
                                "public.t"),
                      "t", Cause::kWrongTenant);
  ExpectAllow(h.Verdict(
      "UPDATE t SET tenant_id = val::uuid WHERE tenant_id = '" + T1 + "' AND val = '" + T1 + "'",
      "public.t"));
}

TEST(PgSemanticsB4, Pc2Delete) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  ExpectAllow(h.Verdict("DELETE FROM pc2", "public.pc2"));  // DELETE 3
  EXPECT_EQ(h.Verdict("DELETE FROM pc2 WHERE id = 3", "public.pc2").effect,
            Effect::kRowDependent);  // DELETE 0
  EXPECT_EQ(h.Verdict("DELETE FROM pc2 RETURNING id", "public.pc2").effect,
            Effect::kRowDependent);  // DELETE 2
  Finding other = h.Verdict("DELETE FROM pc2 WHERE tenant_id = '" + T2 + "'", "public.pc2");
  EXPECT_EQ(other.effect, Effect::kFiltered);
}

TEST(PgSemanticsB4, PcPerCommandPolicies) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  Finding ins = h.Verdict("INSERT INTO pc VALUES (4, '" + T2 + "', 'v')", "public.pc");
  ExpectRlsCheckError(ins, "pc", Cause::kWrongTenant);
  EXPECT_EQ(ins.policy, "pc_ins");
  // UPDATE moving a row to T2: 42501 on visible rows, nothing to do on invisible ones.
  for (const std::string& sql : {"UPDATE pc SET tenant_id = '" + T2 + "'",
                                 "UPDATE pc SET tenant_id = '" + T2 + "' WHERE id = 1"}) {
    Finding f = h.Verdict(sql, "public.pc");
    EXPECT_NE(f.effect, Effect::kAllow) << sql;
    EXPECT_EQ(f.effect, Effect::kRowDependent) << sql;
  }
  ExpectRlsCheckError(
      h.Verdict("UPDATE pc SET tenant_id = '" + T2 + "' WHERE tenant_id = '" + T1 + "'",
                "public.pc"),
      "pc", Cause::kWrongTenant);
  EXPECT_EQ(h.Verdict("DELETE FROM pc WHERE id = 3", "public.pc").effect, Effect::kRowDependent);
}

TEST(PgSemanticsB4, OnConflictDoUpdateDependsOnTheExistingRow) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  // Existing row own tenant: INSERT 0 1; existing row T2's: 42501 (USING expression).
  Finding f = h.Verdict("INSERT INTO pc VALUES (1, '" + T1 +
                            "', 'v') ON CONFLICT (id) DO UPDATE SET val = excluded.val",
                        "public.pc");
  EXPECT_EQ(f.effect, Effect::kRowDependent);
  EXPECT_NE(f.detail.find("(USING expression)"), std::string::npos) << f.detail;
  // With the restrictive policy the message names it.
  Finding r = h.Verdict("INSERT INTO r_perm VALUES (1, '" + T1 +
                            "', 'v') ON CONFLICT (id) DO UPDATE SET val = excluded.val",
                        "public.r_perm");
  EXPECT_EQ(r.effect, Effect::kRowDependent);
  EXPECT_NE(r.detail.find("policy \"tenant_r\" (USING expression) for table \"r_perm\""),
            std::string::npos)
      << r.detail;
}

TEST(PgSemanticsB4, OnConflictDoNothingIsSilent) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  // The conflict is detected whatever RLS says (INSERT 0 0 in both modes): nothing changes.
  ExpectAllow(h.Verdict("INSERT INTO pc VALUES (3, '" + T1 + "', 'v') ON CONFLICT DO NOTHING",
                        "public.pc"));
}

TEST(PgSemanticsB4, OnConflictDoUpdateMovingOwnRowToOtherTenant) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  Finding f = h.Verdict("INSERT INTO pc VALUES (1, '" + T1 +
                            "', 'v') ON CONFLICT (id) DO "
                            "UPDATE SET tenant_id = '" +
                            T2 + "'",
                        "public.pc");
  EXPECT_NE(f.effect, Effect::kAllow);  // 42501 when the key exists; INSERT 0 1 otherwise
  EXPECT_EQ(f.effect, Effect::kRowDependent);
}

TEST(PgSemanticsB4, OcUpsertVersusPlainUpdate) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  Finding upsert = h.Verdict(
      "INSERT INTO oc VALUES (3, '" + T1 + "', 'v') ON CONFLICT (id) DO UPDATE SET val = 'w'",
      "public.oc");
  EXPECT_EQ(upsert.effect, Effect::kRowDependent);
  EXPECT_NE(upsert.detail.find("(USING expression)"), std::string::npos);
  EXPECT_EQ(h.Verdict("UPDATE oc SET val = 'w' WHERE id = 3", "public.oc").effect,
            Effect::kRowDependent);
  Finding other = h.Verdict("UPDATE oc SET val = 'w' WHERE tenant_id = '" + T2 + "'", "public.oc");
  EXPECT_EQ(other.effect, Effect::kFiltered);  // UPDATE 0, silent
}

// --- B5: TO role
// -----------------------------------------------------------------------------------

TEST(PgSemanticsB5, PolicyToRoleAppliesToInheritingMembersOnly) {
  EngineHarness h;
  const std::string own_rows = "SELECT * FROM tr WHERE tenant_id = '" + T1 + "'";
  for (const std::string user : {"app_role", "member_role"}) {
    h.Exec(SetTenant(T1), {}, user, user);
    ExpectAllow(h.Verdict(own_rows, "public.tr", {}, user, user));
  }
  for (const std::string user : {"other_role", "noinherit_role"}) {
    h.Exec(SetTenant(T1), {}, user, user);
    Finding f = h.Verdict(own_rows, "public.tr", {}, user, user);
    EXPECT_EQ(f.effect, Effect::kFiltered) << user;
    EXPECT_EQ(f.cause, Cause::kNoPermissivePolicy) << user;
    ExpectRlsCheckError(
        h.Verdict("INSERT INTO tr VALUES (1, '" + T1 + "', 'v')", "public.tr", {}, user, user),
        "tr", Cause::kNoPermissivePolicy);
  }
  h.Exec(SetTenant(T1), {}, "own", "owner_role");
  Finding owner = h.Verdict(own_rows, "public.tr", {}, "own", "owner_role");
  EXPECT_EQ(owner.effect, Effect::kFiltered);
  EXPECT_EQ(owner.cause, Cause::kOwnerBypassLost);
}

TEST(PgSemanticsB5, RowSecurityOffForRoleWithoutPolicy) {
  EngineHarness h;
  h.Exec("SET row_security = off", {}, "o", "other_role");
  Finding f = h.Verdict("SELECT * FROM tr", "public.tr", {}, "o", "other_role");
  EXPECT_EQ(f.effect, Effect::kError);
  EXPECT_EQ(f.sqlstate, "42501");
  EXPECT_EQ(f.cause, Cause::kRowSecurityOff);
}

// --- B6: FOR ALL USING doubles as WITH CHECK
// ------------------------------------------------------

TEST(PgSemanticsB6, UsingDoublesAsWithCheck) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  ExpectAllow(h.Verdict("INSERT INTO t VALUES (1, '" + T1 + "', 'v')", "public.t"));
  ExpectRlsCheckError(h.Verdict("INSERT INTO t VALUES (2, '" + T2 + "', 'v')", "public.t"), "t",
                      Cause::kWrongTenant);
  ExpectRlsCheckError(
      h.Verdict("UPDATE t SET tenant_id = '" + T2 + "' WHERE tenant_id = '" + T1 + "'", "public.t"),
      "t", Cause::kWrongTenant);
  ExpectAllow(h.Verdict("UPDATE t SET val = 'x' WHERE tenant_id = '" + T1 + "'", "public.t"));
  // UPDATE of val over all rows: UPDATE 1 of 3.
  EXPECT_EQ(h.Verdict("UPDATE t SET val = 'x'", "public.t").effect, Effect::kRowDependent);
}

// --- B7: COPY, TRUNCATE
// ---------------------------------------------------------------------------

TEST(PgSemanticsB7, CopyToAppliesSelectPolicies) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  Finding table = h.Verdict("COPY t TO STDOUT", "public.t");
  EXPECT_EQ(table.command, Command::kCopyTo);
  EXPECT_EQ(table.effect, Effect::kRowDependent);  // only T1's rows
  Finding query = h.Verdict("COPY (SELECT * FROM t) TO STDOUT", "public.t");
  EXPECT_EQ(query.command, Command::kSelect);
  EXPECT_EQ(query.effect, Effect::kRowDependent);
  h.Exec("RESET app.current_tenant_id");
  ExpectInvalidUuid(h.Verdict("COPY t TO STDOUT", "public.t"), "", Cause::kEmptyContext);
}

TEST(PgSemanticsB7, CopyFromIsNotSupportedUnderRls) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  Finding app = h.Verdict("COPY t FROM STDIN", "public.t");
  EXPECT_EQ(app.command, Command::kCopyFrom);
  EXPECT_EQ(app.effect, Effect::kError);
  EXPECT_EQ(app.sqlstate, "0A000");
  EXPECT_EQ(app.detail, "COPY FROM not supported with row-level security");
  EXPECT_EQ(app.cause, Cause::kCopyFromRls);
  Finding owner = h.Verdict("COPY t FROM STDIN", "public.t", {}, "own", "owner_role");
  EXPECT_EQ(owner.effect, Effect::kError);
  EXPECT_EQ(owner.sqlstate, "0A000");
}

TEST(PgSemanticsB7, CopyFromByBypassRoleOrOwnerOfNonForcedTable) {
  EngineHarness h;
  ExpectAllow(h.Verdict("COPY t FROM STDIN", "public.t", {}, "b", "bypass_role"));
  ExpectAllow(h.Verdict("COPY t_nf FROM STDIN", "public.t_nf", {}, "own", "owner_role"));
}

TEST(PgSemanticsB7, TruncateIsNotSubjectToRls) {
  EngineHarness h;  // even with no context at all
  Finding f = h.Verdict("TRUNCATE t", "public.t");
  EXPECT_EQ(f.command, Command::kTruncate);
  ExpectAllow(f);
  EXPECT_EQ(f.cause, Cause::kNone);
}

// --- B9: foreign keys
// --------------------------------------------------------------------------------

TEST(PgSemanticsB9, ForeignKeyCheckIsNotAnAccessOfTheParent) {
  EngineHarness h;
  h.Exec(SetTenant(T1));
  int64_t line = h.Exec("INSERT INTO child VALUES (1, '" + T1 + "', 200)");
  std::vector<Finding> all = h.At(line);
  ASSERT_EQ(all.size(), 1u);  // no finding on public.parent
  EXPECT_EQ(all[0].table, "public.child");
  ExpectAllow(all[0]);
}

// --- B10: SET ROLE, SET SESSION AUTHORIZATION
// ------------------------------------------------------

TEST(PgSemanticsB10, SuperuserSetRoleAppliesThatRolesPolicies) {
  EngineHarness h;
  h.Exec("SET ROLE app_role", {}, "su", "postgres");
  Finding f = h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres");
  EXPECT_EQ(f.role, "app_role");
  EXPECT_EQ(f.effect, Effect::kFiltered);
  EXPECT_EQ(f.cause, Cause::kMissingContext);
  // session_user stays postgres: a policy comparing it would see postgres (evaluator_test).
  h.Exec("RESET ROLE", {}, "su", "postgres");
  ExpectAllow(h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres"));
}

TEST(PgSemanticsB10, SuperuserSetRoleOwner) {
  EngineHarness h;
  h.Exec("SET ROLE owner_role", {}, "su", "postgres");
  h.Exec(SetTenant(T1), {}, "su", "postgres");
  Finding forced = h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres");
  EXPECT_EQ(forced.role, "owner_role");
  EXPECT_EQ(forced.effect, Effect::kRowDependent);  // 2 rows of 3
  Finding nf = h.Verdict("SELECT * FROM t_nf", "public.t_nf", {}, "su", "postgres");
  ExpectAllow(nf);  // 3 rows
  EXPECT_EQ(nf.cause, Cause::kOwnerBypass);
  Finding tr = h.Verdict("SELECT * FROM tr", "public.tr", {}, "su", "postgres");
  EXPECT_EQ(tr.effect, Effect::kFiltered);  // 0 rows
}

TEST(PgSemanticsB10, SetSessionAuthorizationActsAsLogin) {
  EngineHarness h;
  h.Exec("SET SESSION AUTHORIZATION app_role", {}, "su", "postgres");
  Finding f = h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres");
  EXPECT_EQ(f.role, "app_role");
  EXPECT_EQ(f.effect, Effect::kFiltered);
  h.Exec("RESET SESSION AUTHORIZATION", {}, "su", "postgres");
  ExpectAllow(h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres"));
}

TEST(PgSemanticsB10, ResetSessionAuthorizationAlsoEndsSetRole) {
  EngineHarness h;
  h.Exec("SET SESSION AUTHORIZATION owner_role", {}, "su", "postgres");
  h.Exec("SET ROLE app_role", {}, "su", "postgres");
  EXPECT_EQ(h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres").role, "app_role");
  h.Exec("RESET SESSION AUTHORIZATION", {}, "su", "postgres");
  Finding back = h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres");
  EXPECT_EQ(back.role, "postgres");
  ExpectAllow(back);
}

TEST(PgSemanticsB10, SetLocalRoleLastsForTheTransaction) {
  EngineHarness h;
  h.Exec("BEGIN", {}, "su", "postgres");
  h.Exec("SET LOCAL ROLE app_role", {}, "su", "postgres");
  Finding in_txn = h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres");
  EXPECT_EQ(in_txn.role, "app_role");
  EXPECT_EQ(in_txn.effect, Effect::kFiltered);
  h.Exec("COMMIT", {}, "su", "postgres");
  Finding after = h.Verdict("SELECT * FROM t", "public.t", {}, "su", "postgres");
  EXPECT_EQ(after.role, "postgres");
  ExpectAllow(after);
}

TEST(PgSemanticsB10, BypassRlsFollowsCurrentUserAndIsNotInherited) {
  EngineHarness h;
  Finding member = h.Verdict("SELECT * FROM t", "public.t", {}, "m", "bypass_member");
  EXPECT_NE(member.effect, Effect::kAllow);
  EXPECT_EQ(h.Verdict("SELECT * FROM tr", "public.tr", {}, "m", "bypass_member").effect,
            Effect::kFiltered);
  h.Exec("SET ROLE bypass_role", {}, "m", "bypass_member");
  ExpectAllow(h.Verdict("SELECT * FROM t", "public.t", {}, "m", "bypass_member"));
  ExpectAllow(h.Verdict("SELECT * FROM tr", "public.tr", {}, "m", "bypass_member"));
}

TEST(PgSemanticsB10, FailedSetRoleLeavesRoleUnchanged) {
  EngineHarness h;
  h.Exec("SET ROLE owner_role");
  h.Error("42501", "permission denied to set role \"owner_role\"");
  h.Exec("SET SESSION AUTHORIZATION postgres");
  h.Error("42501", "permission denied to set session authorization \"postgres\"");
  Finding f = h.Verdict("SELECT * FROM t", "public.t");
  EXPECT_EQ(f.role, "app_role");
  EXPECT_EQ(f.effect, Effect::kFiltered);
}

// --- Findings of statements that fail today are not new denials --------------------------------

TEST(ShadowEngine, StatementFailingInTheLogHasNoFinding) {
  EngineHarness h;
  int64_t line = h.Exec("INSERT INTO t VALUES (1, '" + T1 + "', 'v')");
  h.Error("23505", "duplicate key value violates unique constraint \"t_pkey\"");
  EXPECT_TRUE(h.At(line).empty());
  EXPECT_EQ(h.engine().stats().statements_failed_in_log, 1u);
}

TEST(ShadowEngine, PolicyInPgDumpFormNamesTheSettingItReads) {
  // pg_dump writes current_setting('app.other'::text, true): the cause must come from
  // app.other (now ''), not from the configured context setting (never set).
  EngineHarness h(
      "CREATE ROLE app_role;\n"
      "CREATE TABLE d (tenant_id uuid NOT NULL);\n"
      "ALTER TABLE d ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY p ON d USING ((tenant_id = (current_setting('app.other'::text, "
      "true))::uuid));\n");
  h.Exec("RESET app.other");
  ExpectInvalidUuid(h.Verdict("SELECT * FROM d", "public.d"), "", Cause::kEmptyContext);
}

}  // namespace
}  // namespace rls_shadow
