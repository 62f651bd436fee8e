// VerdictMemo: a kept verdict is found only when everything its evaluation read is the same
// (tested on the memo directly), and the engine's verdicts are the same with the memo answering
// as with every access evaluated afresh (a randomized multi-session workload over tables with
// per-command, restrictive, role-bound and CASE policies).
#include "analyze/verdict_memo.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "analyze/session_state.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::kT2;

using Params = std::vector<std::optional<std::string>>;

const char kTenant[] = "app.current_tenant_id";

VerdictMemo::Lookup LookupOf(uint32_t group, const SessionState& session, const Params& params) {
  VerdictMemo::Lookup l;
  l.group = group;
  l.role = "app_role";
  l.current_user = "app_role";
  l.session_user = "app_role";
  l.session = &session;
  l.params = &params;
  return l;
}

VerdictMemo::Verdict Denial(const std::string& tenant) {
  VerdictMemo::Verdict v;
  v.effect = Effect::kFiltered;
  v.policy = "p";
  v.tenant = tenant;
  v.facts.cause_pending = true;
  v.facts.context_name = kTenant;
  return v;
}

// Adds `verdict` as reached by an evaluation that read `settings` and $n in `params_read`.
void AddRead(VerdictMemo* memo, const VerdictMemo::Lookup& l,
             const std::vector<std::string>& settings, const std::vector<int>& params_read,
             const VerdictMemo::Verdict& verdict) {
  ASSERT_EQ(memo->Find(l), nullptr);
  VerdictMemo::Reads* reads = memo->StartReads();
  for (const std::string& name : settings) reads->AddSetting(name);
  reads->params = params_read;
  memo->Add(l, *reads, verdict);
}

TEST(VerdictMemo, KeptVerdictIsFoundOnlyWhileWhatItReadIsUnchanged) {
  VerdictMemo memo;
  const uint32_t group = memo.Group(1, "shape a");
  SessionState session("app_role");
  session.Set(kTenant, std::string(kT1), false, {});
  Params params = {std::string(kT2), std::string("42")};
  VerdictMemo::Lookup l = LookupOf(group, session, params);
  AddRead(&memo, l, {kTenant}, {1, 1}, Denial(kT1));

  const VerdictMemo::Verdict* kept = memo.Find(l);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(*kept, Denial(kT1));

  // What the evaluation did not read may change.
  params[1] = "43";
  session.Set("app.other", std::string("x"), false, {});
  EXPECT_NE(memo.Find(l), nullptr);

  // The parameter it read: another text, NULL, not logged.
  params[0] = std::string(kT1);
  EXPECT_EQ(memo.Find(l), nullptr);
  params[0] = std::nullopt;
  EXPECT_EQ(memo.Find(l), nullptr);
  Params none;
  VerdictMemo::Lookup unlogged = l;
  unlogged.params = &none;
  EXPECT_EQ(memo.Find(unlogged), nullptr);
  params[0] = std::string(kT2);
  EXPECT_NE(memo.Find(l), nullptr);

  // The setting it read: another value, '' (RESET), and back.
  session.Set(kTenant, std::string(kT2), false, {});
  EXPECT_EQ(memo.Find(l), nullptr);
  session.Reset(kTenant);
  EXPECT_EQ(memo.Find(l), nullptr);
  session.Set(kTenant, std::string(kT1), false, {});
  EXPECT_NE(memo.Find(l), nullptr);

  // Who the session is, row_security, set_config in the statement.
  for (int part = 0; part < 5; ++part) {
    VerdictMemo::Lookup other = l;
    if (part == 0) other.role = "owner_role";
    if (part == 1) other.current_user = "owner_role";
    if (part == 2) other.session_user = "owner_role";
    if (part == 3) other.row_security_off = true;
    if (part == 4) other.settings_changed = true;
    EXPECT_EQ(memo.Find(other), nullptr) << "part " << part;
  }
  EXPECT_EQ(memo.hits(), 4u);
}

TEST(VerdictMemo, SettingNeverSetDiffersFromEmpty) {
  VerdictMemo memo;
  SessionState session("app_role");
  const Params params;
  VerdictMemo::Lookup l = LookupOf(memo.Group(1, "shape"), session, params);
  AddRead(&memo, l, {kTenant}, {}, Denial(""));
  EXPECT_NE(memo.Find(l), nullptr);
  session.Reset(kTenant);  // now defined: reads '' instead of NULL
  EXPECT_EQ(memo.Find(l), nullptr);
}

TEST(VerdictMemo, AccessesOfOneShapeShareVerdictsAndOthersDoNot) {
  VerdictMemo memo;
  const uint32_t a = memo.Group(1, "shape a");
  EXPECT_EQ(memo.Group(2, "shape a"), a);
  const uint32_t b = memo.Group(3, "shape b");
  EXPECT_NE(a, b);
  EXPECT_EQ(memo.GroupOf(2), a);
  EXPECT_EQ(memo.GroupOf(4), VerdictMemo::kNoGroup);

  SessionState session("app_role");
  const Params params;
  AddRead(&memo, LookupOf(a, session, params), {kTenant}, {}, Denial("a"));
  ASSERT_NE(memo.Find(LookupOf(a, session, params)), nullptr);
  EXPECT_EQ(memo.Find(LookupOf(b, session, params)), nullptr);
}

TEST(VerdictMemo, EachSignatureOfAGroupIsTried) {
  // A CASE reads app.mode, then app.current_tenant_id only on one branch.
  VerdictMemo memo;
  const uint32_t group = memo.Group(1, "case");
  SessionState session("app_role");
  session.Set("app.mode", std::string("admin"), false, {});
  const Params params;
  VerdictMemo::Lookup l = LookupOf(group, session, params);
  AddRead(&memo, l, {"app.mode"}, {}, VerdictMemo::Verdict{});
  session.Set("app.mode", std::string("tenant"), false, {});
  session.Set(kTenant, std::string(kT1), false, {});
  AddRead(&memo, l, {"app.mode", kTenant}, {}, Denial(kT1));

  ASSERT_NE(memo.Find(l), nullptr);
  EXPECT_EQ(memo.Find(l)->tenant, kT1);
  session.Set("app.mode", std::string("admin"), false, {});
  ASSERT_NE(memo.Find(l), nullptr);
  EXPECT_EQ(memo.Find(l)->effect, Effect::kAllow);
}

TEST(VerdictMemo, PastItsLimitEverythingIsLearntAgain) {
  VerdictMemo memo(4);
  SessionState session("app_role");
  Params params = {std::string("0")};
  const uint32_t group = memo.Group(1, "shape");
  for (int i = 0; i < 5; ++i) {
    params[0] = std::to_string(i);
    AddRead(&memo, LookupOf(group, session, params), {}, {1}, Denial(std::to_string(i)));
  }
  EXPECT_LE(memo.size(), 4u);
  ASSERT_NE(memo.Find(LookupOf(group, session, params)), nullptr);
  EXPECT_EQ(memo.Find(LookupOf(group, session, params))->tenant, "4");
  params[0] = "0";
  EXPECT_EQ(memo.Find(LookupOf(group, session, params)), nullptr);
}

// --- the engine ----------------------------------------------------------------------------

TEST(VerdictMemoEngine, StatementsDifferingOnlyInWhatNoPolicyReadsShareAGroup) {
  EngineHarness h;
  h.Exec("SET app.current_tenant_id = '" + std::string(kT1) + "'");
  const VerdictMemo& memo = h.engine().verdict_memo();
  h.Verdict("SELECT * FROM t WHERE tenant_id = $1 AND id = $2", "public.t", {kT1, "1"});
  h.Verdict("SELECT val FROM t AS x WHERE tenant_id = $1 AND val = $2", "public.t", {kT1, "v"});
  EXPECT_EQ(memo.groups(), 1u);
  EXPECT_EQ(memo.hits(), 1u);
  // A locking read, another parameter for the tenant, another command: each a group of its own.
  h.Verdict("SELECT * FROM t WHERE tenant_id = $1 AND id = $2 FOR UPDATE", "public.t", {kT1, "1"});
  h.Verdict("SELECT * FROM t WHERE id = $1 AND tenant_id = $2", "public.t", {"1", kT1});
  h.Verdict("DELETE FROM t WHERE tenant_id = $1 AND id = $2", "public.t", {kT1, "1"});
  EXPECT_EQ(memo.groups(), 4u);
  EXPECT_EQ(memo.hits(), 1u);
}

// Tables beyond PG_SEMANTICS.md's: a CASE policy that reads a second setting on one branch and
// a restrictive UPDATE policy on current_user.
std::string MemoCatalogSql() {
  return testing_analyze::SemanticsCatalogSql() +
         "CREATE TABLE cs (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE cs OWNER TO owner_role;\n"
         "ALTER TABLE cs ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE cs FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY cs_p ON cs USING (CASE WHEN current_setting('app.mode', true) = "
         "'admin' THEN true ELSE tenant_id = current_setting('app.current_tenant_id', "
         "true)::uuid END) WITH CHECK (tenant_id = current_setting('app.current_tenant_id', "
         "true)::uuid AND val IS DISTINCT FROM 'blocked');\n"
         "CREATE POLICY cs_r ON cs AS RESTRICTIVE FOR UPDATE USING (current_user <> "
         "'member_role');\n";
}

// What the memo counted in a run.
struct MemoCounts {
  size_t hits = 0;
  size_t mismatches = 0;
};

// Replays a random workload (fixed seed) through an engine, with the memo answering or, when
// `verify`, with every access evaluated afresh; returns every finding.
std::vector<Finding> RunWorkload(bool verify, MemoCounts* counts) {
  EngineHarness h(MemoCatalogSql());
  h.engine().verdict_memo().set_verify(verify);
  std::mt19937 rng(20261123);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::optional<std::string>> tenants = {
      std::string(kT1),
      std::string(kT2),
      std::string("33333333-3333-3333-3333-333333333333"),
      std::string(""),
      std::string("not-a-uuid"),
      std::string("11111111-1111-1111-1111-11111111111A"),  // not canonical: cast lower-cases
      std::nullopt};
  const std::vector<std::string> tables = {"t",  "pc",       "pc2",    "oc",     "r_perm",
                                           "tr", "t_strict", "no_pol", "r_only", "cs"};
  const std::vector<std::string> settings = {"BEGIN",
                                             "COMMIT",
                                             "ROLLBACK",
                                             "SAVEPOINT a",
                                             "ROLLBACK TO SAVEPOINT a",
                                             "RESET ALL",
                                             "RESET app.current_tenant_id",
                                             "SET app.mode = 'admin'",
                                             "RESET app.mode",
                                             "SET ROLE member_role",
                                             "SET ROLE owner_role",
                                             "SET ROLE bypass_role",
                                             "RESET ROLE",
                                             "SET row_security = off",
                                             "RESET row_security"};
  const std::vector<std::string> accesses = {
      "SELECT * FROM {t} WHERE tenant_id = $1 AND id = $2",
      "SELECT * FROM {t} WHERE id = $2 AND tenant_id = $1",
      "SELECT * FROM {t} WHERE tenant_id = $1 FOR UPDATE",
      "SELECT * FROM {t} WHERE id = $2",
      "SELECT * FROM {t} WHERE tenant_id = current_setting('app.current_tenant_id', true)::uuid",
      "INSERT INTO {t} (id, tenant_id, val) VALUES ($2, $1, 'v')",
      "INSERT INTO {t} (id, tenant_id, val) VALUES ($2, $1, 'blocked') RETURNING id",
      "INSERT INTO {t} VALUES ($2, $1, 'v') ON CONFLICT (id) DO UPDATE SET val = excluded.val",
      "INSERT INTO {t} (id, tenant_id) VALUES ($2, $1) ON CONFLICT (id) DO UPDATE SET "
      "tenant_id = excluded.tenant_id",
      "UPDATE {t} SET tenant_id = $1 WHERE id = $2",
      "UPDATE {t} SET val = 'w' WHERE tenant_id = $1 AND id = $2",
      "UPDATE {t} SET val = 'w' WHERE tenant_id = $1 RETURNING id",
      "DELETE FROM {t} WHERE tenant_id = $1 AND id = $2",
      "DELETE FROM {t} WHERE id = $2"};
  const std::vector<std::string> sessions = {"s1", "s2", "s3", "s4"};
  const std::vector<std::string> users = {"app_role", "app_role", "member_role", "owner_role"};

  for (int step = 0; step < 30000; ++step) {
    const size_t who = pick(sessions.size());
    const std::string& session = sessions[who];
    const std::string& user = users[who];
    const std::optional<std::string> tenant = tenants[pick(tenants.size())];
    const size_t kind = pick(20);
    if (kind < 2) {
      h.Exec("SET app.current_tenant_id = '" + tenant.value_or("") + "'", {}, session, user);
    } else if (kind < 4) {
      h.Exec("SELECT set_config('app.current_tenant_id', $1, $2)",
             {tenant.value_or(""), std::string(pick(2) ? "true" : "false")}, session, user);
    } else if (kind < 7) {
      h.Exec(settings[pick(settings.size())], {}, session, user);
    } else if (kind == 7) {
      h.Error("22P02", "invalid input syntax for type uuid", session);
    } else if (kind == 8 && pick(10) == 0) {
      h.Disconnect(session);
    } else {
      std::string sql = accesses[pick(accesses.size())];
      sql.replace(sql.find("{t}"), 3, tables[pick(tables.size())]);
      const std::string id = std::to_string(pick(3));
      if (pick(4) == 0) {
        // Simple protocol: the values are literals in the text (lifted by the shape).
        std::string text = sql;
        const std::string t = tenant ? "'" + *tenant + "'" : std::string("NULL");
        for (size_t at; (at = text.find("$1")) != std::string::npos;) text.replace(at, 2, t);
        for (size_t at; (at = text.find("$2")) != std::string::npos;) text.replace(at, 2, id);
        h.Exec(text, {}, session, user);
      } else {
        h.Exec(sql, {tenant, id}, session, user);
      }
    }
  }
  std::vector<Finding> findings = h.All();
  counts->hits = h.engine().verdict_memo().hits();
  counts->mismatches = h.engine().verdict_memo().mismatches();
  return findings;
}

TEST(VerdictMemoEngine, VerdictsAreThoseOfAFreshEvaluationOfEveryAccess) {
  MemoCounts answered_stats;
  MemoCounts checked_stats;
  const std::vector<Finding> answered = RunWorkload(/*verify=*/false, &answered_stats);
  const std::vector<Finding> checked = RunWorkload(/*verify=*/true, &checked_stats);

  EXPECT_EQ(checked_stats.mismatches, 0u);
  // Many accesses repeat one seen before: the memo answered them (6,099 of 14,687).
  EXPECT_GT(answered_stats.hits, 5000u);
  EXPECT_GT(answered.size(), 2000u);
  ASSERT_EQ(answered.size(), checked.size());
  size_t denials = 0;
  const bool failed_before = ::testing::Test::HasFailure();
  for (size_t i = 0; i < answered.size(); ++i) {
    const Finding& a = answered[i];
    const Finding& c = checked[i];
    SCOPED_TRACE("finding " + std::to_string(i) + " line " + std::to_string(c.line_num) + ": " +
                 c.example);
    EXPECT_EQ(a.table, c.table);
    EXPECT_EQ(a.command, c.command);
    EXPECT_EQ(a.role, c.role);
    EXPECT_EQ(a.effect, c.effect);
    EXPECT_EQ(a.cause, c.cause);
    EXPECT_EQ(a.policy, c.policy);
    EXPECT_EQ(a.tenant, c.tenant);
    EXPECT_EQ(a.sqlstate, c.sqlstate);
    EXPECT_EQ(a.detail, c.detail);
    EXPECT_EQ(a.line_num, c.line_num);
    denials += c.effect != Effect::kAllow;
    if (!failed_before && ::testing::Test::HasFailure()) break;  // one difference tells the story
  }
  // The workload reaches allowances and denials of every kind.
  EXPECT_GT(denials, 500u);
  EXPECT_LT(denials, answered.size());
}

}  // namespace
}  // namespace rls_shadow
