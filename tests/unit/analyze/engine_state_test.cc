// The engine's saved state (ShadowEngine::SaveSession / SaveGlobal): a workload run through one
// engine, and the same workload through a chain of engines each of which saves what it touched,
// is destroyed, and is succeeded by a fresh engine restoring the saved state (the streaming
// service's crash and hand-over), give the same findings in the same order and end in the same
// state. Plus: DropSession emits nothing, and an unreadable blob changes nothing.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "unit/analyze/change_events.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

constexpr int64_t kWideWindowUs = 60'000'000;
// Log lines are 1 µs apart: held writes and change transactions expire within the workload.
constexpr int64_t kNarrowWindowUs = 6;

std::string Describe(const Finding& f) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", f.table, CommandName(f.command),
                     f.policy, f.tenant, f.code_path, f.lane, f.role, EffectName(f.effect),
                     CauseName(f.cause), f.sqlstate, f.detail, f.time_us, f.session_id,
                     f.line_num, f.example);
}

std::string Describe(const JoinStats& s) {
  return fmt::format("transactions={} changes={} linked={} ambiguous={} unlinked={} writes={} "
                     "decided={} writes_unlinked={}",
                     s.transactions, s.changes, s.linked, s.ambiguous, s.unlinked, s.writes,
                     s.writes_decided, s.writes_unlinked);
}

std::string Describe(const EngineStats& s) {
  return fmt::format("events={} statements={} unparsed={} failed={} aborted={} findings={} "
                     "opened={} closed={} changes={} not_applied={}",
                     s.events, s.statements, s.statements_unparsed, s.statements_failed_in_log,
                     s.statements_in_aborted_txn, s.findings, s.sessions_opened,
                     s.sessions_closed, s.change_events, s.changes_not_applied);
}

std::string Tenant(const char* setting, const char* tenant) {
  return fmt::format("{} app.current_tenant_id = '{}'", setting, tenant);
}

// Log lines and change events in the order the service delivers them.
struct Workload {
  using Step = std::variant<LogEvent, ChangeEvent>;
  LogLines lines;
  std::vector<Step> steps;

  void Exec(const std::string& session, const std::string& sql,
            std::vector<std::optional<std::string>> params = {}) {
    steps.emplace_back(lines.Statement(sql, std::move(params), session));
  }
  // As Exec, logged with the transaction id `txid`.
  void ExecWithXid(const std::string& session, const std::string& sql, int64_t txid) {
    lines.SetTxid(txid);
    Exec(session, sql);
    lines.SetTxid(0);
  }
  void Error(const std::string& session, const std::string& severity = "ERROR") {
    LogEvent e = lines.Error("42501", "permission denied", session);
    e.severity = severity;
    steps.emplace_back(std::move(e));
  }
  void Disconnect(const std::string& session) { steps.emplace_back(lines.Disconnect(session)); }
  // A committed transaction at the time of the last log line.
  void Commit(int64_t xid, const std::vector<ChangeEvent>& rows, int64_t ahead_us = -1) {
    for (const ChangeEvent& e : Framed(xid, lines.NextTime() + ahead_us, rows)) {
      steps.emplace_back(e);
    }
  }
  int64_t Now() const { return lines.NextTime() - 1; }
};

ChangeEvent UpdateT(int64_t xid, int id, const char* tenant, const std::string& val) {
  return Change(ChangeAction::kUpdate, xid, 0, "t",
                {Col("id", std::to_string(id)), Col("tenant_id", tenant), Col("val", val)},
                {Col("id", std::to_string(id))});
}

// Four sessions and the change stream, interleaved: settings, transactions, savepoints,
// SET LOCAL and set_config, PREPARE / EXECUTE / DEALLOCATE / DISCARD ALL, statements whose
// ERROR follows, multi-statement strings, a write through a view, writes decided by rows that
// arrive after them (by evidence and by xid), a change transaction that arrives before its
// statement, rows that never arrive, sessions that end while their writes wait.
Workload Mixed() {
  Workload w;
  w.steps.emplace_back(TruncateT());
  for (const ChangeEvent& e : Framed(500, 1, {InsertT(7, kT2, 500), InsertT(8, kT1, 500)})) {
    w.steps.emplace_back(e);
  }
  w.Exec("s1", Tenant("SET", kT1));
  w.Exec("s2", "BEGIN");
  w.Exec("s2", Tenant("SET LOCAL", kT1));
  w.Exec("s3", "PREPARE add_row(int, uuid) AS INSERT INTO t VALUES ($1, $2, 'x')");
  // A prepared MERGE, analysed again from its text when the session is restored.
  w.Exec("s3",
         "PREPARE put(int, uuid) AS MERGE INTO t USING (VALUES ($1, $2)) s(id, tenant) "
         "ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.tenant, 'm')");
  // Row-dependent by its text; the rows (T2's row 7) decide, linked by evidence.
  w.Exec("s1", "UPDATE t SET val = 'b' WHERE val = 'a' AND id > 6");
  w.Exec("s2", "SAVEPOINT sp1");
  w.Exec("s2", Tenant("SET LOCAL", kT2));
  w.Exec("s2", "SELECT val FROM t WHERE id = 7");
  w.Exec("s3", Tenant("SET", kT1));
  w.Exec("s2", "ROLLBACK TO SAVEPOINT sp1");
  w.Exec("s3", "EXECUTE add_row(20, $1)", {std::string(kT2)});
  w.Exec("s1", "SELECT 1");  // the UPDATE completes and commits
  w.Exec("s4", Tenant("SET", kT1));
  w.Commit(501, {UpdateT(501, 7, kT2, "b")});
  w.Exec("s2", "SELECT val FROM t WHERE id = 7");
  // In the block: linked by the xid of its COMMIT line.
  w.Exec("s2", "DELETE FROM t WHERE val = 'a'");
  w.Exec("s3", "UPDATE t SET val = 'c' WHERE val = 'zz'");
  w.Error("s3");  // ... which failed: its finding is dropped
  w.ExecWithXid("s2", "COMMIT", 777);
  w.Exec("s3", "EXECUTE add_row(21, $1)", {std::string(kT1)});
  w.Exec("s3", "EXECUTE put(40, $1)", {std::string(kT2)});
  w.Commit(776, {Change(ChangeAction::kDelete, 776, 0, "t", {}, {Col("id", "9")})});
  w.Commit(777, {Change(ChangeAction::kDelete, 777, 0, "t", {}, {Col("id", "8")})});
  // The change stream ahead of the log: the transaction waits for its statement.
  w.Commit(601, {InsertT(107, kT2, 601), InsertT(108, kT1, 601)}, /*ahead_us=*/3);
  w.Exec("s4", "INSERT INTO t SELECT id + 100, tenant_id, val FROM t_nf");
  w.Exec("s1", "BEGIN; " + Tenant("SET LOCAL", kT2) + "; SELECT * FROM t; COMMIT");
  w.Exec("s4", "SELECT 1");
  w.Exec("s3", "DEALLOCATE add_row");
  w.Exec("s3", "EXECUTE add_row(22, $1)", {std::string(kT1)});
  w.Error("s3");
  w.Exec("s1", "SELECT set_config('app.current_tenant_id', '" + std::string(kT2) + "', true)");
  w.Exec("s1", "SELECT * FROM t WHERE val = 'q'");
  w.Exec("s2", "INSERT INTO v_t VALUES (30, '" + std::string(kT1) + "', 'v')");
  w.Exec("s3", "PREPARE mine AS SELECT * FROM t WHERE tenant_id = '" + std::string(kT1) + "'");
  // A write whose rows never come, in a block that the session's end rolls back.
  w.Exec("s4", "BEGIN");
  w.Exec("s4", "UPDATE t SET val = 'q' WHERE val = 'a'");
  w.Exec("s3", "EXECUTE mine");
  w.Disconnect("s4");
  // A session that ends while its committed write still waits for its rows.
  w.Exec("s5", Tenant("SET", kT1));
  w.Exec("s5", "UPDATE t SET val = 'e' WHERE val = 'b'");
  w.Disconnect("s5");
  w.Exec("s1", "SELECT 1");
  w.Exec("s2", "SAVEPOINT a");
  w.Exec("s2", "UPDATE t SET val = 'f' WHERE val = 'nothing'");
  w.Commit(802, {UpdateT(802, 7, kT2, "e")});
  w.Exec("s2", "ROLLBACK");
  w.Exec("s3", "DISCARD ALL");
  w.Exec("s3", "EXECUTE mine");
  // Two autocommit writes logged (so ended) at the same time: the one that ended first is
  // settled first, though its session's id sorts after the other's.
  w.Exec("s0", Tenant("SET", kT2));
  w.Exec("s1", "UPDATE t SET val = 'g' WHERE val = 'x'");
  w.Exec("s0", "UPDATE t SET val = 'g' WHERE val = 'x'");
  std::get<LogEvent>(w.steps.back()).time_us = std::get<LogEvent>(w.steps.end()[-2]).time_us;
  w.Exec("s1", "SELECT 1");
  w.Exec("s0", "SELECT 1");
  // Unframed changes (Debezium): the transaction ends with the next line after its commit.
  w.Exec("s3", Tenant("SET", kT1));
  w.Exec("s3", "INSERT INTO t VALUES (40, '" + std::string(kT1) + "', 'u'), (41, '" +
                   std::string(kT2) + "', 'u')");
  w.Exec("s3", "SELECT 1");
  w.steps.emplace_back(InsertT(40, kT1, 900, w.Now()));
  w.steps.emplace_back(InsertT(41, kT2, 900, w.Now()));
  w.Exec("s1", "UPDATE t SET val = 'h' WHERE id = 7");
  w.Error("s1", "FATAL");  // ends the session
  w.Exec("s3", "SELECT 1");
  w.Exec("s2", "SELECT 1");
  // A context rls-shadow cannot know: its mark must survive the saved state.
  w.Exec("s2", "SELECT set_config('app.current_tenant_id', u.val, false) FROM plain u");
  w.Exec("s2", "SELECT * FROM t WHERE val = 'r'");
  w.Exec("s2", "SELECT 1");
  return w;
}

// Runs a workload through engines built alike: the catalog, configuration and findings outlive
// each engine, as the service's store does.
class Runner {
 public:
  explicit Runner(int64_t window_us) : window_us_(window_us) {
    Status s =
        catalog_.Apply(SemanticsCatalogSql() +
                           "CREATE VIEW v_t AS SELECT id, tenant_id, val FROM t;\n"
                           "ALTER VIEW v_t OWNER TO owner_role;\n"
                           // Login defaults, which a restored session must get back.
                           "ALTER ROLE app_role IN DATABASE app_db SET app.lane TO 'jobs';\n",
                       "catalog.sql");
    EXPECT_TRUE(s.ok()) << s.message();
  }

  std::unique_ptr<ShadowEngine> Make() {
    auto engine = std::make_unique<ShadowEngine>(
        catalog_, config_, [this](const Finding& f) { findings.push_back(Describe(f)); });
    engine->EnableChanges(window_us_);
    return engine;
  }

  static void Apply(ShadowEngine& engine, const Workload::Step& step) {
    if (const auto* e = std::get_if<LogEvent>(&step)) {
      engine.OnEvent(*e);
    } else {
      engine.OnChange(std::get<ChangeEvent>(step));
    }
  }

  std::vector<std::string> findings;

 private:
  PolicyCatalog catalog_;
  AnalyzerConfig config_;
  int64_t window_us_;
};

struct Outcome {
  std::vector<std::string> findings;
  std::string sessions;  // SaveSessions after Finish
  std::string join;
  std::string stats;
};

Outcome Finish(Runner& runner, ShadowEngine& engine) {
  engine.Finish();
  EXPECT_NE(engine.join_stats(), nullptr);
  return {runner.findings, engine.SaveSessions(), Describe(*engine.join_stats()),
          Describe(engine.stats())};
}

Outcome Uninterrupted(const Workload& w, int64_t window_us) {
  Runner runner(window_us);
  auto engine = runner.Make();
  for (const Workload::Step& step : w.steps) Runner::Apply(*engine, step);
  return Finish(runner, *engine);
}

// What the saved states showed, so the test knows it cut where it matters.
struct Coverage {
  int open_statements = 0;  // a session saved with its statement's outcome unknown
  int held = 0;             // ... with held transactions in the joiner
  int ended_but_held = 0;   // ... ended, its writes still waiting
  int waiting_changes = 0;  // a global state with change transactions waiting
};

// The chain: after each step `cut(i)` says yes to, the engine saves the sessions it touched and
// its global state, and a fresh engine restores them and the row index, and goes on.
Outcome Chained(const Workload& w, int64_t window_us, const std::function<bool(size_t)>& cut,
                Coverage* coverage) {
  Runner runner(window_us);
  std::map<std::string, std::string> saved;  // the store: session id -> blob
  StoredRows rows;
  auto engine = runner.Make();
  for (size_t i = 0; i < w.steps.size(); ++i) {
    Runner::Apply(*engine, w.steps[i]);
    if (!cut(i)) continue;
    for (const std::string& id : engine->TakeTouchedSessions()) {
      std::optional<std::string> blob = engine->SaveSession(id);
      if (!blob) {
        saved.erase(id);
        continue;
      }
      coverage->open_statements += blob->find("\"open\":true") != std::string::npos;
      coverage->held += blob->find("\"held\":[{") != std::string::npos;
      coverage->ended_but_held += blob->find("\"session\":null") != std::string::npos;
      saved[id] = *std::move(blob);
    }
    const std::string global = engine->SaveGlobal();
    coverage->waiting_changes += global.find("\"pending\":[{") != std::string::npos;
    rows.Add(engine->rows().TakeChanges());

    engine = runner.Make();
    EXPECT_TRUE(rows.RestoreInto(engine->rows()));
    EXPECT_TRUE(engine->RestoreGlobal(global)) << global;
    for (const auto& [id, blob] : saved) EXPECT_TRUE(engine->RestoreSession(id, blob)) << blob;
  }
  return Finish(runner, *engine);
}

void ExpectSameAsUninterrupted(const std::function<bool(size_t)>& cut) {
  const Workload w = Mixed();
  for (int64_t window : {kWideWindowUs, kNarrowWindowUs}) {
    SCOPED_TRACE(fmt::format("window {} us", window));
    const Outcome want = Uninterrupted(w, window);
    Coverage coverage;
    const Outcome got = Chained(w, window, cut, &coverage);
    EXPECT_EQ(got.findings, want.findings);
    EXPECT_EQ(got.sessions, want.sessions);
    EXPECT_EQ(got.join, want.join);
    EXPECT_EQ(got.stats, want.stats);
    EXPECT_GT(coverage.open_statements, 0);
    EXPECT_GT(coverage.held, 0);
  }
}

TEST(EngineState, TheWorkloadCoversWhatTheCutsMustCarry) {
  const Workload w = Mixed();
  const Outcome wide = Uninterrupted(w, kWideWindowUs);
  EXPECT_GT(wide.findings.size(), 15u);
  // Linked by evidence (framed and not) and by xid, decided by rows; some rows never came.
  EXPECT_NE(wide.join.find("linked=7"), std::string::npos) << wide.join;
  EXPECT_NE(wide.join.find("decided=4"), std::string::npos) << wide.join;
  EXPECT_NE(wide.join.find("writes_unlinked=2"), std::string::npos) << wide.join;
  EXPECT_NE(wide.stats.find("failed=3"), std::string::npos) << wide.stats;  // ERROR, FATAL
  // The narrow window gives up on writes and change transactions within the workload.
  EXPECT_NE(wide.findings, Uninterrupted(w, kNarrowWindowUs).findings);

  Coverage coverage;
  Chained(w, kWideWindowUs, [](size_t) { return true; }, &coverage);
  EXPECT_GT(coverage.open_statements, 0);
  EXPECT_GT(coverage.held, 0);
  EXPECT_GT(coverage.ended_but_held, 0);
  EXPECT_GT(coverage.waiting_changes, 0);
}

TEST(EngineState, RestoredAfterEveryEventMatchesTheUninterruptedRun) {
  ExpectSameAsUninterrupted([](size_t) { return true; });
}

TEST(EngineState, RestoredAfterEveryThirdEventMatchesTheUninterruptedRun) {
  ExpectSameAsUninterrupted([](size_t i) { return i % 3 == 2; });
}

TEST(EngineState, RestoredAfterEverySeventhEventMatchesTheUninterruptedRun) {
  ExpectSameAsUninterrupted([](size_t i) { return i % 7 == 6; });
}

TEST(EngineState, RestoredAtRandomCutsMatchesTheUninterruptedRun) {
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    std::mt19937 random(seed);
    ExpectSameAsUninterrupted([&](size_t) { return random() % 4 == 0; });
  }
}

// The workload up to its first statements waiting: s1's UPDATE (open), s2's block.
Workload Opening() {
  Workload w;
  w.Exec("s1", Tenant("SET", kT1));
  w.Exec("s2", "BEGIN");
  w.Exec("s2", Tenant("SET LOCAL", kT2));
  w.Exec("s1", "UPDATE t SET val = 'b' WHERE val = 'a'");
  w.Exec("s2", "SELECT * FROM t");
  return w;
}

TEST(EngineState, DropSessionEmitsNothingAndTheSessionMovesWithItsBlob) {
  const Workload w = Opening();
  Runner runner(kWideWindowUs);
  auto engine = runner.Make();
  for (const Workload::Step& step : w.steps) Runner::Apply(*engine, step);
  const std::optional<std::string> s1 = engine->SaveSession("s1");
  ASSERT_TRUE(s1.has_value());
  engine->DropSession("s1");
  EXPECT_FALSE(engine->SaveSession("s1").has_value());
  for (const std::string& id : engine->TakeTouchedSessions()) EXPECT_NE(id, "s1");
  engine->Finish();
  for (const std::string& f : runner.findings) EXPECT_EQ(f.find("|s1|"), std::string::npos) << f;
  EXPECT_FALSE(runner.findings.empty());  // s2's SELECT

  // The instance that takes s1 over emits its UPDATE, as the first would have.
  Runner other(kWideWindowUs);
  auto next = other.Make();
  ASSERT_TRUE(next->RestoreSession("s1", *s1));
  next->Finish();
  ASSERT_EQ(other.findings.size(), 1u);
  EXPECT_NE(other.findings[0].find("|update|"), std::string::npos) << other.findings[0];
  EXPECT_NE(other.findings[0].find("|s1|4|"), std::string::npos) << other.findings[0];
}

TEST(EngineState, AnUnreadableBlobChangesNothing) {
  const Workload w = Opening();
  Runner runner(kWideWindowUs);
  auto engine = runner.Make();
  for (const Workload::Step& step : w.steps) Runner::Apply(*engine, step);
  const std::string s1 = *engine->SaveSession("s1");
  const std::string global = engine->SaveGlobal();
  const std::string all = engine->SaveSessions();

  Runner other(kWideWindowUs);
  auto target = other.Make();
  ASSERT_TRUE(target->RestoreSession("s2", *engine->SaveSession("s2")));
  const std::string before_sessions = target->SaveSessions();
  const std::string before_global = target->SaveGlobal();
  auto unchanged = [&] {
    EXPECT_EQ(target->SaveSessions(), before_sessions);
    EXPECT_EQ(target->SaveGlobal(), before_global);
  };

  // Every truncation, and values of the wrong kind.
  for (size_t n = 0; n < s1.size(); n += 7) {
    EXPECT_FALSE(target->RestoreSession("s1", s1.substr(0, n))) << n;
    EXPECT_FALSE(target->RestoreSession("s2", s1.substr(0, n))) << n;
  }
  for (size_t n = 0; n < global.size(); n += 5) {
    EXPECT_FALSE(target->RestoreGlobal(global.substr(0, n))) << n;
  }
  for (size_t n = 0; n < all.size(); n += 11) {
    EXPECT_FALSE(target->RestoreSessions(all.substr(0, n))) << n;
  }
  auto replaced = [](std::string blob, const std::string& from, const std::string& to) {
    const size_t at = blob.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? blob : blob.replace(at, from.size(), to);
  };
  EXPECT_FALSE(target->RestoreSession("s2", replaced(s1, "\"version\":2", "\"version\":9")));
  EXPECT_FALSE(target->RestoreSession("s2", replaced(s1, "\"open\":true", "\"open\":\"yes\"")));
  EXPECT_FALSE(target->RestoreSession("s2", replaced(s1, "\"command\":\"update\"",
                                                      "\"command\":\"upsert\"")));
  EXPECT_FALSE(target->RestoreSession("s2", replaced(s1, "\"effect\":", "\"effect\":1,\"x\":")));
  EXPECT_FALSE(target->RestoreGlobal(replaced(global, "\"now_us\":", "\"now_us\":\"x\",\"y\":")));
  EXPECT_FALSE(target->RestoreSessions(replaced(all, "\"login_user\":", "\"login_user\":7,\"x\":")));
  unchanged();

  // The intact blobs are read.
  EXPECT_TRUE(target->RestoreSession("s1", s1));
  EXPECT_TRUE(target->RestoreGlobal(global));
  EXPECT_EQ(target->SaveSessions(), all);
}

TEST(EngineState, SessionsOfVersionOneAreStillRead) {
  Runner runner(kWideWindowUs);
  auto engine = runner.Make();
  const std::string v1 =
      "{\"version\":1,\"sessions\":{\"s1\":{\"login_user\":\"app_role\",\"in_block\":false,"
      "\"aborted\":false,\"transaction\":4,\"settings\":{\"app.current_tenant_id\":{"
      "\"defined\":true,\"session\":\"" +
      std::string(kT1) +
      "\",\"local\":null,\"code_path\":\"\",\"lane\":\"\",\"transaction\":1,"
      "\"lost_autocommit\":false}},\"txn_snapshot_valid\":false,\"txn_start\":{},"
      "\"savepoints\":[]}}}";
  ASSERT_TRUE(engine->RestoreSessions(v1));
  Workload w;
  w.Exec("s1", "SELECT * FROM t WHERE tenant_id = '" + std::string(kT1) + "'");
  for (const Workload::Step& step : w.steps) Runner::Apply(*engine, step);
  engine->Finish();
  ASSERT_EQ(runner.findings.size(), 1u);
  EXPECT_NE(runner.findings[0].find("|allow|"), std::string::npos) << runner.findings[0];
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
