// PG_SEMANTICS.md §A (A1–A6), one TEST per row: placeholder settings as PostgreSQL 15 keeps
// them. Most rows drive the ShadowEngine with logged statements and read the setting back
// through a policy verdict (see Probe in engine_harness.h); a few drive SessionState directly,
// with BeginStatement / EndStatement / FailStatement around each statement as the engine does.
#include "analyze/session_state.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>

#include "common/json_writer.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::Probe;
using testing_analyze::ProbeCatalogSql;
using testing_analyze::ProbeResult;
using testing_analyze::Reads;
using testing_analyze::ReadsNull;

EngineHarness MakeHarness(AnalyzerConfig config = {}) {
  return EngineHarness(ProbeCatalogSql({"x", "y", "z", "w", "l", "s", "q", "t", "h", "u", "v", "k",
                                        "m", "e", "f", "f2", "r", "dbdefault"}),
                       std::move(config));
}

// --- A1: never set ---------------------------------------------------------------------------

TEST(PgSemanticsA1, NeverSetWithoutMissingOkIs42704) {
  EngineHarness h = MakeHarness();
  ProbeResult r = Probe(h, "x", "s1", /*strict=*/true);
  ASSERT_EQ(r.kind, ProbeResult::Kind::kError);
  EXPECT_EQ(r.sqlstate, "42704");
  EXPECT_EQ(r.value, "unrecognized configuration parameter \"app.x\"");
}

TEST(PgSemanticsA1, NeverSetWithMissingOkIsNull) {
  EngineHarness h = MakeHarness();
  EXPECT_TRUE(ReadsNull(Probe(h, "x")));
  SessionState direct("app_role");
  EXPECT_FALSE(direct.Setting("app.x").has_value());
  EXPECT_EQ(direct.Entry("app.x"), nullptr);
}

// --- A2: a local value ending leaves '' ------------------------------------------------------

TEST(PgSemanticsA2, SetLocalCommitLeavesEmptyString) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SET LOCAL app.x = 'a'");
  EXPECT_TRUE(Reads(Probe(h, "x"), "a"));
  h.Exec("COMMIT");
  ProbeResult after = Probe(h, "x");
  EXPECT_TRUE(Reads(after, ""));
  EXPECT_EQ(after.cause, Cause::kEmptyContext);
  // The placeholder exists now: without missing_ok it reads '' too, not 42704.
  EXPECT_TRUE(Reads(Probe(h, "x", "s1", /*strict=*/true), ""));
}

TEST(PgSemanticsA2, SetConfigLocalRollbackLeavesEmptyString) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SELECT set_config('app.y', 'b', true)");
  EXPECT_TRUE(Reads(Probe(h, "y"), "b"));
  h.Exec("ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "y"), ""));
}

// --- A3: SET LOCAL outside a transaction block -------------------------------------------------

TEST(PgSemanticsA3, SetLocalInAutocommitWarnsAndLeavesEmptyString) {
  EngineHarness h = MakeHarness();
  h.Exec("SET LOCAL app.z = 'a'");
  h.Warning("25P01", "SET LOCAL can only be used in transaction blocks");
  ProbeResult r = Probe(h, "z");
  EXPECT_TRUE(Reads(r, ""));  // not 'a', not NULL
  EXPECT_EQ(r.cause, Cause::kContextLostAutocommit);
}

TEST(PgSemanticsA3b, MultiStatementStringIsOneImplicitBlock) {
  EngineHarness h = MakeHarness();
  int64_t line = h.Exec("SET LOCAL app.w = 'a'; SELECT * FROM probe_w");
  Finding in_string = h.On(line, "public.probe_w");
  EXPECT_EQ(in_string.effect, Effect::kError);
  EXPECT_EQ(in_string.detail, "invalid input syntax for type uuid: \"a\"");
  // The next query string: the implicit block has ended.
  EXPECT_TRUE(Reads(Probe(h, "w"), ""));
}

// A transaction that ends inside a multi-statement string (COMMIT or ROLLBACK, then more
// statements). Not a PG_SEMANTICS.md row: each expectation below is what PostgreSQL 15.18 did on
// this project's machine, the string sent as one simple query (`psql -c`). The rest of the
// string runs in a new implicit block that starts where the transaction ended: a BEGIN makes it
// explicit from there, SET LOCAL lasts until the string ends, and a failure rolls back to there.

TEST(PgSemanticsA3b, BeginAfterCommitInOneStringStartsFromTheCommittedValues) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN; SET app.x = 'a'; COMMIT; BEGIN; SET LOCAL app.x = 'b'; ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "x"), "a"));
}

TEST(PgSemanticsA3b, BeginAfterCommitInAStringStartedInABlock) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SET app.x = 'a'; COMMIT; BEGIN; SET app.x = 'b'; ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "x"), "a"));
}

TEST(PgSemanticsA3b, BeginInAStringStillStartsItsBlockAtTheStringsStart) {
  // The implicit block of the whole string becomes the explicit transaction: ROLLBACK undoes
  // the SET before BEGIN too (the placeholder stays defined).
  EngineHarness h = MakeHarness();
  h.Exec("SET app.x = 'a'; BEGIN; SET app.x = 'b'; ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "x"), ""));
}

TEST(PgSemanticsA3b, SetLocalAfterCommitOrRollbackInOneStringLastsToTheStringsEnd) {
  struct Case {
    const char* end;    // how the first transaction ends
    const char* after;  // app.x once the string has ended
  };
  for (const Case& c : {Case{"COMMIT", "a"}, Case{"ROLLBACK", ""}}) {
    EngineHarness h = MakeHarness();
    int64_t line = h.Exec(std::string("BEGIN; SET app.x = 'a'; ") + c.end +
                          "; SET LOCAL app.x = 'b'; SELECT * FROM probe_x");
    EXPECT_EQ(h.On(line, "public.probe_x").detail, "invalid input syntax for type uuid: \"b\"")
        << c.end;
    EXPECT_TRUE(Reads(Probe(h, "x"), c.after)) << c.end;
  }
}

TEST(PgSemanticsA3b, FailureAfterCommitInOneStringKeepsWhatWasCommitted) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN; SET app.x = 'a'; COMMIT; SET app.x = 'b'; SELECT 1/0");
  h.Error("22012", "division by zero");
  EXPECT_TRUE(Reads(Probe(h, "x"), "a"));
}

TEST(PgSemanticsA3b, CommitAndChainStartsFromTheCommittedValues) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SET LOCAL app.x = 'a'");
  h.Exec("COMMIT AND CHAIN");
  h.Exec("SET app.x = 'b'");
  h.Exec("ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "x"), ""));
}

// --- A4: set_config ----------------------------------------------------------------------------

TEST(PgSemanticsA4, SetConfigLocalInAutocommitLastsOneStatement) {
  EngineHarness h = MakeHarness();
  h.Exec("SELECT set_config('app.l', 'a', true)");
  ProbeResult r = Probe(h, "l");
  EXPECT_TRUE(Reads(r, ""));
  EXPECT_EQ(r.cause, Cause::kContextLostAutocommit);
}

TEST(PgSemanticsA4, SetConfigSessionValuePersists) {
  EngineHarness h = MakeHarness();
  h.Exec("SELECT set_config('app.s', 'a', false)");
  EXPECT_TRUE(Reads(Probe(h, "s"), "a"));
  // The value may be a bound parameter (extended protocol).
  h.Exec("SELECT set_config('app.s', $1, false)", {std::string("b")});
  EXPECT_TRUE(Reads(Probe(h, "s"), "b"));
}

TEST(PgSemanticsA4, SetConfigLocalVisibleWithinSameStatement) {
  // SessionState: the local value is visible until its statement's implicit transaction ends.
  SessionState s("app_role");
  s.BeginStatement(false);
  s.SetConfig("app.q", "a", /*is_local=*/true, SettingOrigin{});
  EXPECT_EQ(s.Setting("app.q"), "a");
  s.EndStatement();
  EXPECT_EQ(s.Setting("app.q"), "");

  // The engine does not guess PostgreSQL's evaluation order inside one statement: an access in
  // the statement that calls set_config is indeterminate, never allowed.
  EngineHarness h = MakeHarness();
  int64_t line = h.Exec("SELECT set_config('app.q', 'a', true), * FROM probe_q");
  Finding f = h.On(line, "public.probe_q");
  EXPECT_EQ(f.effect, Effect::kIndeterminate);
  EXPECT_EQ(f.cause, Cause::kUnsupported);
}

// --- A5: transactions and savepoints -----------------------------------------------------------

TEST(PgSemanticsA5, RollbackToSavepointRestoresLocalValue) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SELECT set_config('app.t', 'a', true)");
  h.Exec("SAVEPOINT s1");
  h.Exec("SELECT set_config('app.t', 'b', true)");
  EXPECT_TRUE(Reads(Probe(h, "t"), "b"));
  h.Exec("ROLLBACK TO s1");
  EXPECT_TRUE(Reads(Probe(h, "t"), "a"));
  // The savepoint remains after ROLLBACK TO: a second one restores again.
  h.Exec("SELECT set_config('app.t', 'c', true)");
  h.Exec("ROLLBACK TO SAVEPOINT s1");
  EXPECT_TRUE(Reads(Probe(h, "t"), "a"));
}

TEST(PgSemanticsA5, ReleaseKeepsValueUntilCommit) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SELECT set_config('app.t', 'a', true)");
  h.Exec("SAVEPOINT s1");
  h.Exec("SELECT set_config('app.t', 'b', true)");
  h.Exec("RELEASE s1");
  EXPECT_TRUE(Reads(Probe(h, "t"), "b"));
  h.Exec("COMMIT");
  EXPECT_TRUE(Reads(Probe(h, "t"), ""));
}

TEST(PgSemanticsA5, FirstSetInsideSavepointThenRollbackToReadsEmptyString) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN");
  h.Exec("SAVEPOINT s1");
  h.Exec("SELECT set_config('app.h', 'b', true)");
  h.Exec("ROLLBACK TO s1");
  EXPECT_TRUE(Reads(Probe(h, "h"), ""));  // the placeholder survives: '' rather than NULL
}

TEST(PgSemanticsA5, SessionSetIsTransactional) {
  EngineHarness h = MakeHarness();
  h.Exec("SET app.u = 'orig'", {}, "rb");
  h.Exec("BEGIN", {}, "rb");
  h.Exec("SET app.u = 'new'", {}, "rb");
  h.Exec("ROLLBACK", {}, "rb");
  EXPECT_TRUE(Reads(Probe(h, "u", "rb"), "orig"));

  h.Exec("SET app.u = 'orig'", {}, "cm");
  h.Exec("BEGIN", {}, "cm");
  h.Exec("SET app.u = 'new'", {}, "cm");
  h.Exec("COMMIT", {}, "cm");
  EXPECT_TRUE(Reads(Probe(h, "u", "cm"), "new"));
}

TEST(PgSemanticsA5, SessionSetConfigRevertsOnRollback) {
  EngineHarness h = MakeHarness();
  h.Exec("SET app.v = 'orig'");
  h.Exec("BEGIN");
  h.Exec("SELECT set_config('app.v', 'new', false)");
  h.Exec("ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "v"), "orig"));
}

TEST(PgSemanticsA5, SetLocalOverSessionValueEndsWithTransaction) {
  EngineHarness h = MakeHarness();
  h.Exec("SET app.k = 'sess'");
  h.Exec("BEGIN");
  h.Exec("SET LOCAL app.k = 'loc'");
  EXPECT_TRUE(Reads(Probe(h, "k"), "loc"));
  h.Exec("COMMIT");
  EXPECT_TRUE(Reads(Probe(h, "k"), "sess"));
}

TEST(PgSemanticsA5, SessionSetAndSetLocalInOneTransactionLeaveSessionValue) {
  EngineHarness h = MakeHarness();
  h.Exec("BEGIN", {}, "a");
  h.Exec("SET LOCAL app.m = 'loc'", {}, "a");
  h.Exec("SET app.m = 'sess'", {}, "a");
  h.Exec("COMMIT", {}, "a");
  EXPECT_TRUE(Reads(Probe(h, "m", "a"), "sess"));

  h.Exec("BEGIN", {}, "b");
  h.Exec("SET app.m = 'sess'", {}, "b");
  h.Exec("SET LOCAL app.m = 'loc'", {}, "b");
  h.Exec("COMMIT", {}, "b");
  EXPECT_TRUE(Reads(Probe(h, "m", "b"), "sess"));
}

TEST(PgSemanticsA5, ErrorInTransactionThenRollbackRestores) {
  EngineHarness h = MakeHarness();
  h.Exec("SET app.e = 'orig'");
  h.Exec("BEGIN");
  h.Exec("SET app.e = 'new'");
  h.Exec("SELECT 1/0");
  h.Error("22012", "division by zero");
  h.Exec("ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "e"), "orig"));
}

TEST(PgSemanticsA5, RuntimeErrorInAutocommitDiscardsValueButKeepsPlaceholder) {
  EngineHarness h = MakeHarness();
  h.Exec("SELECT set_config('app.f', 'new', false), 1/(random()*0)::int");
  h.Error("22012", "division by zero");
  EXPECT_TRUE(Reads(Probe(h, "f"), ""));
}

// PostgreSQL: with a constant 1/0 the error is raised at plan time, set_config never runs and
// the setting stays NULL. The engine cannot tell a plan-time error from a run-time one from the
// log (both lines read "division by zero"), so it predicts '' (as for the run-time case above).
// Both predictions are denials; only the effect differs (22P02 vs filtered). Left disabled.
TEST(PgSemanticsA5, DISABLED_PlanTimeErrorInAutocommitLeavesNull) {
  EngineHarness h = MakeHarness();
  h.Exec("SELECT set_config('app.f2', 'new', false), 1/0");
  h.Error("22012", "division by zero");
  EXPECT_TRUE(ReadsNull(Probe(h, "f2")));
}

// --- A6: RESET, RESET ALL, DISCARD ALL, SET TO DEFAULT ------------------------------------------

TEST(PgSemanticsA6, ResetFormsReadEmptyStringNeverNull) {
  EngineHarness h = MakeHarness();
  const char* forms[] = {"RESET app.r", "RESET ALL", "DISCARD ALL", "SET app.r TO DEFAULT"};
  int n = 0;
  for (const char* form : forms) {
    std::string session = "reset" + std::to_string(n++);
    h.Exec("SET app.r = 'a'", {}, session);
    EXPECT_TRUE(Reads(Probe(h, "r", session), "a"));
    h.Exec(form, {}, session);
    EXPECT_TRUE(Reads(Probe(h, "r", session), "")) << form;
  }
  // RESET of a never-set placeholder defines it too (PG_SEMANTICS A7 notes).
  h.Exec("RESET app.x", {}, "fresh");
  EXPECT_TRUE(Reads(Probe(h, "x", "fresh"), ""));
}

TEST(PgSemanticsA6, DiscardAllInsideTransactionFailsWith25001) {
  EngineHarness h = MakeHarness();
  h.Exec("SET app.r = 'a'");
  h.Exec("BEGIN");
  h.Exec("DISCARD ALL");
  h.Error("25001", "DISCARD ALL cannot run inside a transaction block");
  // The block is aborted: statements up to ROLLBACK do nothing (25P02).
  h.Exec("SET app.r = 'b'");
  h.Error("25P02",
          "current transaction is aborted, commands ignored until end of transaction "
          "block");
  h.Exec("ROLLBACK");
  EXPECT_TRUE(Reads(Probe(h, "r"), "a"));
}

TEST(PgSemanticsA6, ResetReturnsToDatabaseDefault) {
  AnalyzerConfig config;
  config.database_defaults["app.dbdefault"] = "dbval";
  EngineHarness h = MakeHarness(config);
  EXPECT_TRUE(Reads(Probe(h, "dbdefault"), "dbval"));
  h.Exec("SET app.dbdefault = 'mine'");
  EXPECT_TRUE(Reads(Probe(h, "dbdefault"), "mine"));
  h.Exec("RESET app.dbdefault");
  EXPECT_TRUE(Reads(Probe(h, "dbdefault"), "dbval"));
}

// --- SessionState on its own --------------------------------------------------------------------

TEST(SessionState, SetLocalOutsideBlockHasNoEffectButDefinesPlaceholder) {
  SessionState s("app_role");
  s.BeginStatement(false);
  EXPECT_FALSE(s.Set("app.x", "a", /*is_local=*/true, SettingOrigin{}));
  EXPECT_EQ(s.Setting("app.x"), "");
  s.EndStatement();
  EXPECT_EQ(s.Setting("app.x"), "");
  ASSERT_NE(s.Entry("app.x"), nullptr);
  EXPECT_TRUE(s.Entry("app.x")->origin.lost_autocommit);
}

TEST(SessionState, FailedStatementInBlockAbortsUntilRollback) {
  SessionState s("app_role");
  s.BeginStatement(false);
  s.Begin();
  s.EndStatement();
  EXPECT_TRUE(s.in_transaction_block());
  s.BeginStatement(false);
  s.Set("app.x", "a", false, SettingOrigin{});
  s.FailStatement();
  EXPECT_TRUE(s.aborted());
  s.BeginStatement(false);
  s.Rollback();
  s.EndStatement();
  EXPECT_FALSE(s.aborted());
  EXPECT_FALSE(s.in_transaction_block());
  EXPECT_EQ(s.Setting("app.x"), "");  // rolled back, placeholder kept
}

TEST(SessionState, RolesFollowSetRoleAndSessionAuthorization) {
  SessionState s("postgres");
  EXPECT_EQ(s.CurrentUser(), "postgres");
  s.BeginStatement(false);
  s.Set("role", "app_role", false, SettingOrigin{});
  s.EndStatement();
  EXPECT_EQ(s.CurrentUser(), "app_role");
  EXPECT_EQ(s.SessionUser(), "postgres");
  s.BeginStatement(false);
  s.Set("role", "none", false, SettingOrigin{});
  s.EndStatement();
  EXPECT_EQ(s.CurrentUser(), "postgres");
}

// role and session_authorization are not reset by RESET ALL (PostgreSQL marks them
// GUC_NO_RESET_ALL), while DISCARD ALL, which begins with SET SESSION AUTHORIZATION DEFAULT,
// resets both. PostgreSQL 15.18 (psql, one statement a query): SET ROLE r1; RESET ALL ->
// current_user r1. SET SESSION AUTHORIZATION r2; RESET ALL -> r2 | r2. SET ROLE r1;
// DISCARD ALL -> the login user. SET row_security = off; RESET ALL -> on.
TEST(SessionState, ResetAllKeepsRoleAndSessionAuthorizationDiscardAllResetsThem) {
  EngineHarness h = MakeHarness();
  h.ExecAs("postgres", "SET ROLE app_role", "a");
  h.ExecAs("postgres", "SET app.x = 'a'", "a");
  h.ExecAs("postgres", "RESET ALL", "a");
  EXPECT_EQ(h.Verdict("SELECT * FROM probe_x", "public.probe_x", {}, "a", "postgres").role,
            "app_role");
  EXPECT_TRUE(Reads(Probe(h, "x", "a"), ""));
  h.ExecAs("postgres", "DISCARD ALL", "a");
  EXPECT_EQ(h.Verdict("SELECT * FROM probe_x", "public.probe_x", {}, "a", "postgres").role,
            "postgres");

  h.ExecAs("postgres", "SET SESSION AUTHORIZATION app_role", "b");
  h.ExecAs("postgres", "RESET ALL", "b");
  EXPECT_EQ(h.Verdict("SELECT * FROM probe_x", "public.probe_x", {}, "b", "postgres").role,
            "app_role");
  h.ExecAs("postgres", "DISCARD ALL", "b");
  EXPECT_EQ(h.Verdict("SELECT * FROM probe_x", "public.probe_x", {}, "b", "postgres").role,
            "postgres");

  SessionState s("app_role");
  s.BeginStatement(false);
  s.Set("row_security", "off", false, SettingOrigin{});
  s.EndStatement();
  EXPECT_TRUE(s.RowSecurityOff());
  s.BeginStatement(false);
  s.ResetAll();
  s.EndStatement();
  EXPECT_FALSE(s.RowSecurityOff());
}

// A session that never named role, session_authorization or row_security reads them without a
// lookup; these cover every other way they get a value.
// Verified on PostgreSQL 15.18: a setting is found whatever the case of its name, by SET,
// set_config() and current_setting() alike (a policy reading 'App.Current_Tenant_Id' sees what
// SET app.current_tenant_id set).
TEST(SessionState, SettingNamesAreCaseInsensitive) {
  const std::string t1 = testing_analyze::kT1;
  EngineHarness h(testing_analyze::SemanticsCatalogSql() +
                  "CREATE TABLE mixed (id int, tenant_id uuid NOT NULL);\n"
                  "ALTER TABLE mixed ENABLE ROW LEVEL SECURITY;\n"
                  "CREATE POLICY p ON mixed USING "
                  "(tenant_id = current_setting('App.Current_Tenant_Id', true)::uuid);\n");
  // A policy's name in any case, set by set_config() in any case.
  h.Exec("SELECT set_config('APP.current_tenant_id', '" + t1 + "', false)");
  Finding f = h.Verdict("SELECT * FROM mixed WHERE tenant_id = '" + t1 + "'", "public.mixed");
  EXPECT_EQ(f.effect, Effect::kAllow) << f.detail;
  EXPECT_EQ(f.tenant, t1);
  // A statement's name in any case (a shape lifts it into a parameter), set by SET.
  h.Exec("SET \"App.Current_Tenant_Id\" = '" + t1 + "'");
  const std::string insert =
      "INSERT INTO t VALUES (1, current_setting('APP.CURRENT_TENANT_ID')::uuid, 'v')";
  EXPECT_EQ(h.Verdict(insert, "public.t").effect, Effect::kAllow);
  EXPECT_EQ(h.Verdict("INSERT INTO t VALUES (2, current_setting($1)::uuid, 'v')", "public.t",
                      {std::string("App.Current_Tenant_Id")})
                .effect,
            Effect::kAllow);
}

TEST(SessionState, IdentitySettingsFromDatabaseDefaultsApply) {
  const SettingDefaults defaults = {{"row_security", "off"}, {"role", "app_role"}};
  SessionState s("postgres");
  EXPECT_FALSE(s.RowSecurityOff());
  s.set_defaults(&defaults);
  EXPECT_TRUE(s.RowSecurityOff());
  EXPECT_EQ(s.CurrentUser(), "app_role");
  EXPECT_EQ(s.SessionUser(), "postgres");
}

SessionState RoundTrip(const SessionState& s) {
  JsonWriter w;
  s.WriteJson(&w);
  simdjson::dom::parser parser;
  simdjson::dom::element json;
  EXPECT_EQ(parser.parse(w.str()).get(json), simdjson::SUCCESS);
  SessionState restored;
  EXPECT_TRUE(restored.ReadJson(json));
  return restored;
}

TEST(SessionState, IdentitySettingsSurviveASavedState) {
  SessionState s("postgres");
  s.BeginStatement(false);
  s.Set("role", "app_role", false, SettingOrigin{});
  s.Set("session_authorization", "alice", false, SettingOrigin{});
  s.Set("row_security", "off", false, SettingOrigin{});
  s.EndStatement();
  SessionState restored = RoundTrip(s);
  EXPECT_EQ(restored.CurrentUser(), "app_role");
  EXPECT_EQ(restored.SessionUser(), "alice");
  EXPECT_TRUE(restored.RowSecurityOff());
}

// Saved inside a transaction with a savepoint taken after SET ROLE: after the restore, ROLLBACK
// TO brings the role back from the savepoint.
TEST(SessionState, IdentitySettingInASavedSavepointComesBack) {
  SessionState s("postgres");
  s.BeginStatement(false);
  s.Begin();
  s.Set("role", "app_role", false, SettingOrigin{});
  s.EndStatement();
  s.BeginStatement(false);
  s.Savepoint("sp");
  s.EndStatement();
  SessionState restored = RoundTrip(s);
  EXPECT_EQ(restored.CurrentUser(), "app_role");
  restored.BeginStatement(false);
  restored.Set("role", "none", false, SettingOrigin{});
  restored.EndStatement();
  EXPECT_EQ(restored.CurrentUser(), "postgres");
  restored.BeginStatement(false);
  restored.RollbackTo("sp");
  restored.EndStatement();
  EXPECT_EQ(restored.CurrentUser(), "app_role");
}

}  // namespace
}  // namespace rls_shadow
