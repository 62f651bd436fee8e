// EngineHarness: drives a ShadowEngine the way the ingest readers do, with synthesized LogEvents
// (LogLines: kStatement / kError / kWarning, line numbers counting up), over a catalog
// replayed from SQL text with PolicyCatalog::Apply. Findings are collected through the sink and
// looked up by the line of the statement that produced them.
//
// Also: a "probe" that reads a placeholder setting back through a policy verdict, and
// ParseExpr(), which turns an SQL expression into an Expr for the evaluator tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "analyze/expr.h"
#include "analyze/pg_tree.h"
#include "analyze/policy_catalog.h"
#include "analyze/shadow_engine.h"
#include "rls_shadow/finding.h"
#include "rls_shadow/log_event.h"

namespace rls_shadow {
// Readable gtest messages for the finding enums.
inline void PrintTo(Effect e, std::ostream* os) { *os << EffectName(e); }
inline void PrintTo(Cause c, std::ostream* os) { *os << '"' << CauseName(c) << '"'; }
inline void PrintTo(Command c, std::ostream* os) { *os << CommandName(c); }
}  // namespace rls_shadow

namespace rls_shadow::testing_analyze {

inline constexpr char kT1[] = "11111111-1111-1111-1111-111111111111";
inline constexpr char kT2[] = "22222222-2222-2222-2222-222222222222";

// The PG_SEMANTICS.md setup: roles, and the policy P on the tables the rows talk about.
inline constexpr char kPolicyP[] =
    "tenant_id = current_setting('app.current_tenant_id', true)::uuid";

// The statement that sets the tenant context the policy P reads.
inline std::string SetTenant(const std::string& tenant) {
  return "SET app.current_tenant_id = '" + tenant + "'";
}

// `text` as a SQL string literal (no quote inside).
inline std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// `table` owned by owner_role, with row security enabled and forced.
inline std::string OwnedAndForcedSql(const std::string& table) {
  return "ALTER TABLE " + table + " OWNER TO owner_role;\n" + "ALTER TABLE " + table +
         " ENABLE ROW LEVEL SECURITY;\n" + "ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY;\n";
}

inline std::string SemanticsCatalogSql() {
  std::string p = kPolicyP;
  return "CREATE ROLE owner_role;\n"
         "CREATE ROLE app_role;\n"
         "CREATE ROLE bypass_role WITH BYPASSRLS;\n"
         "CREATE ROLE other_role;\n"
         "CREATE ROLE postgres WITH SUPERUSER;\n"
         "CREATE ROLE member_role;\n"                    // INHERIT member of app_role
         "CREATE ROLE noinherit_role WITH NOINHERIT;\n"  // NOINHERIT member of app_role
         "CREATE ROLE bypass_member;\n"                  // INHERIT member of bypass_role
         "GRANT app_role TO member_role;\n"
         "GRANT app_role TO noinherit_role;\n"
         "GRANT bypass_role TO bypass_member;\n"
         // t: policy P, ENABLE + FORCE.
         "CREATE TABLE t (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE t OWNER TO owner_role;\n"
         "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE t FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON t USING (" +
         p +
         ");\n"
         // t_empty: as t (it holds no rows; the engine never sees rows anyway).
         "CREATE TABLE t_empty (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE t_empty OWNER TO owner_role;\n"
         "ALTER TABLE t_empty ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE t_empty FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON t_empty USING (" +
         p +
         ");\n"
         // t_nf: policy P, ENABLE only.
         "CREATE TABLE t_nf (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE t_nf OWNER TO owner_role;\n"
         "ALTER TABLE t_nf ENABLE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON t_nf USING (" +
         p +
         ");\n"
         // t_strict: P without missing_ok.
         "CREATE TABLE t_strict (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE t_strict OWNER TO owner_role;\n"
         "ALTER TABLE t_strict ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE t_strict FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON t_strict USING "
         "(tenant_id = current_setting('app.current_tenant_id')::uuid);\n"
         // forced_only: FORCE without ENABLE, policy USING (false).
         "CREATE TABLE forced_only (id int, tenant_id uuid);\n"
         "ALTER TABLE forced_only OWNER TO owner_role;\n"
         "ALTER TABLE forced_only FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY f ON forced_only USING (false);\n"
         // no_pol: RLS enabled and forced, zero policies.
         "CREATE TABLE no_pol (id int, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE no_pol OWNER TO owner_role;\n"
         "ALTER TABLE no_pol ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE no_pol FORCE ROW LEVEL SECURITY;\n"
         // r_only: only a RESTRICTIVE P.
         "CREATE TABLE r_only (id int, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE r_only OWNER TO owner_role;\n"
         "ALTER TABLE r_only ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE r_only FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY tenant_r ON r_only AS RESTRICTIVE USING (" +
         p +
         ");\n"
         // r_perm: PERMISSIVE USING (true) + RESTRICTIVE P named tenant_r.
         "CREATE TABLE r_perm (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE r_perm OWNER TO owner_role;\n"
         "ALTER TABLE r_perm ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE r_perm FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY open ON r_perm AS PERMISSIVE USING (true);\n"
         "CREATE POLICY tenant_r ON r_perm AS RESTRICTIVE USING (" +
         p +
         ");\n"
         // pc2: SELECT P; INSERT / UPDATE / DELETE true.
         "CREATE TABLE pc2 (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE pc2 OWNER TO owner_role;\n"
         "ALTER TABLE pc2 ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE pc2 FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY pc2_sel ON pc2 FOR SELECT USING (" +
         p +
         ");\n"
         "CREATE POLICY pc2_ins ON pc2 FOR INSERT WITH CHECK (true);\n"
         "CREATE POLICY pc2_upd ON pc2 FOR UPDATE USING (true) WITH CHECK (true);\n"
         "CREATE POLICY pc2_del ON pc2 FOR DELETE USING (true);\n"
         // pc: per-command policies, all P.
         "CREATE TABLE pc (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE pc OWNER TO owner_role;\n"
         "ALTER TABLE pc ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE pc FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY pc_sel ON pc FOR SELECT USING (" +
         p +
         ");\n"
         "CREATE POLICY pc_ins ON pc FOR INSERT WITH CHECK (" +
         p +
         ");\n"
         "CREATE POLICY pc_upd ON pc FOR UPDATE USING (" +
         p + ") WITH CHECK (" + p +
         ");\n"
         "CREATE POLICY pc_del ON pc FOR DELETE USING (" +
         p +
         ");\n"
         // oc: SELECT / INSERT true, UPDATE USING P.
         "CREATE TABLE oc (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE oc OWNER TO owner_role;\n"
         "ALTER TABLE oc ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE oc FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY oc_sel ON oc FOR SELECT USING (true);\n"
         "CREATE POLICY oc_ins ON oc FOR INSERT WITH CHECK (true);\n"
         "CREATE POLICY oc_upd ON oc FOR UPDATE USING (" +
         p +
         ");\n"
         // tr: policy P TO app_role.
         "CREATE TABLE tr (id int, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE tr OWNER TO owner_role;\n"
         "ALTER TABLE tr ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE tr FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY tr_p ON tr TO app_role USING (" +
         p +
         ");\n"
         // parent / child: FK (B9).
         "CREATE TABLE parent (id int PRIMARY KEY, tenant_id uuid NOT NULL);\n"
         "ALTER TABLE parent OWNER TO owner_role;\n"
         "ALTER TABLE parent ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE parent FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON parent USING (" +
         p +
         ");\n"
         "CREATE TABLE child (id int PRIMARY KEY, tenant_id uuid NOT NULL,\n"
         "  parent_id int REFERENCES parent (id));\n"
         "ALTER TABLE child OWNER TO owner_role;\n"
         "ALTER TABLE child ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE child FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON child USING (" +
         p +
         ");\n"
         // plain: no RLS at all.
         "CREATE TABLE plain (id int, val text);\n";
}

// Synthesizes the log lines of one server: line numbers and times count up across sessions,
// ERROR lines quote the session's last statement.
class LogLines {
 public:
  // A statement on `session` as `user` (the login user, used when the session opens).
  LogEvent Statement(const std::string& sql, std::vector<std::optional<std::string>> params = {},
                     const std::string& session = "s1", const std::string& user = "app_role",
                     const std::string& application_name = "app") {
    LogEvent e = Base(session, user, application_name);
    e.kind = LogEventKind::kStatement;
    e.severity = "LOG";
    e.sql = sql;
    e.extended_protocol = !params.empty();
    e.prepared_name = e.extended_protocol ? "<unnamed>" : "";
    e.params = std::move(params);
    e.message = (e.extended_protocol ? "execute <unnamed>: " : "statement: ") + sql;
    last_sql_[session] = sql;
    return e;
  }
  // The ERROR line PostgreSQL writes after the session's last statement failed.
  LogEvent Error(const std::string& sqlstate, const std::string& message,
                 const std::string& session = "s1") {
    LogEvent e = Base(session, "", "app");
    e.kind = LogEventKind::kError;
    e.severity = "ERROR";
    e.state_code = sqlstate;
    e.message = message;
    e.sql = last_sql_[session];
    return e;
  }
  // A WARNING line (no "statement" key, as PG_SEMANTICS C5 shows for 25P01).
  LogEvent Warning(const std::string& sqlstate, const std::string& message,
                   const std::string& session = "s1") {
    LogEvent e = Base(session, "", "app");
    e.kind = LogEventKind::kWarning;
    e.severity = "WARNING";
    e.state_code = sqlstate;
    e.message = message;
    return e;
  }
  // The "connection received" line PostgreSQL writes before authentication: no user, no
  // database yet (log_connections = on).
  LogEvent ConnectionReceived(const std::string& session) {
    LogEvent e = Base(session, "", "");
    e.dbname.clear();
    e.kind = LogEventKind::kConnect;
    e.severity = "LOG";
    e.message = "connection received: host=10.0.0.1 port=5000";
    return e;
  }
  // The disconnection line that ends the session.
  LogEvent Disconnect(const std::string& session) {
    LogEvent e = Base(session, "", "app");
    e.kind = LogEventKind::kDisconnect;
    e.severity = "LOG";
    e.message = "disconnection: session time: 0:00:01.000";
    return e;
  }

  // The transaction id the following log lines carry (jsonlog "txid"; 0: none yet).
  void SetTxid(int64_t txid) { txid_ = txid; }
  // The time the next log line will carry (lines count up from here).
  int64_t NextTime() const { return 1'700'000'000'000'000 + line_ + 1; }

 private:
  LogEvent Base(const std::string& session, const std::string& user,
                const std::string& application_name) {
    LogEvent e;
    e.session_id = session;
    e.user = user;
    e.dbname = "app_db";
    e.line_num = ++line_;
    e.time_us = 1'700'000'000'000'000 + line_;
    e.txid = txid_;
    e.application_name = application_name;
    return e;
  }

  std::map<std::string, std::string> last_sql_;
  int64_t line_ = 0;
  int64_t txid_ = 0;
};

class EngineHarness {
 public:
  explicit EngineHarness(const std::string& catalog_sql = SemanticsCatalogSql(),
                         AnalyzerConfig config = {})
      : config_(std::move(config)) {
    Status s = catalog_.Apply(catalog_sql, "catalog.sql");
    EXPECT_TRUE(s.ok()) << s.message();
    engine_ = std::make_unique<ShadowEngine>(catalog_, config_,
                                             [this](const Finding& f) { findings_.push_back(f); });
  }

  const PolicyCatalog& catalog() const { return catalog_; }
  ShadowEngine& engine() { return *engine_; }
  // The log lines Exec writes from, for a line it cannot write (then given to engine()).
  LogLines& lines() { return lines_; }

  // Logs a statement on `session` as `user` (the login user, used when the session opens).
  // Returns its line number.
  int64_t Exec(const std::string& sql, std::vector<std::optional<std::string>> params = {},
               const std::string& session = "s1", const std::string& user = "app_role",
               const std::string& application_name = "app") {
    LogEvent e = lines_.Statement(sql, std::move(params), session, user, application_name);
    engine_->OnEvent(e);
    return e.line_num;
  }
  // An extended-protocol execute whose parameters the log left out (log_parameter_max_length = 0
  // writes no "parameters:" detail). Returns its line number.
  int64_t ExecWithoutLoggedParameters(const std::string& sql, const std::string& session = "s1") {
    LogEvent e = lines_.Statement(sql, {}, session);
    e.extended_protocol = true;
    e.prepared_name = "<unnamed>";
    e.message = "execute <unnamed>: " + sql;
    engine_->OnEvent(e);
    return e.line_num;
  }
  // As Exec, on a session whose login user is `user`.
  int64_t ExecAs(const std::string& user, const std::string& sql,
                 const std::string& session = "s1") {
    return Exec(sql, {}, session, user);
  }

  // The transaction id the following log lines carry (jsonlog "txid"; 0: none yet).
  void SetTxid(int64_t txid) { lines_.SetTxid(txid); }
  // The time the next log line will carry (lines count up from here).
  int64_t NextTime() const { return lines_.NextTime(); }

  // The ERROR line PostgreSQL writes after the session's last statement failed.
  void Error(const std::string& sqlstate, const std::string& message,
             const std::string& session = "s1") {
    engine_->OnEvent(lines_.Error(sqlstate, message, session));
  }
  // A WARNING line (no "statement" key, as PG_SEMANTICS C5 shows for 25P01).
  void Warning(const std::string& sqlstate, const std::string& message,
               const std::string& session = "s1") {
    engine_->OnEvent(lines_.Warning(sqlstate, message, session));
  }
  // The disconnection line that ends `session`.
  void Disconnect(const std::string& session) { engine_->OnEvent(lines_.Disconnect(session)); }

  // Every finding so far, in the order the engine gave them (completes open statements).
  const std::vector<Finding>& All() {
    engine_->Finish();
    return findings_;
  }
  // Every finding of the statement logged at `line` on `session` (completes open statements).
  std::vector<Finding> At(int64_t line, const std::string& session = "s1") {
    engine_->Finish();
    std::vector<Finding> out;
    for (const Finding& f : findings_) {
      if (f.line_num == line && f.session_id == session) out.push_back(f);
    }
    return out;
  }
  // The one finding of `line` for `table` ("public.t"); a failed expectation when not exactly
  // one.
  Finding On(int64_t line, const std::string& table, const std::string& session = "s1") {
    std::vector<Finding> out;
    for (const Finding& f : At(line, session)) {
      if (f.table == table) out.push_back(f);
    }
    EXPECT_EQ(out.size(), 1u) << "findings for " << table << " at line " << line;
    return out.empty() ? Finding{} : out.front();
  }
  // Exec + On for a single-table statement.
  Finding Verdict(const std::string& sql, const std::string& table,
                  std::vector<std::optional<std::string>> params = {},
                  const std::string& session = "s1", const std::string& user = "app_role") {
    int64_t line = Exec(sql, std::move(params), session, user);
    return On(line, table, session);
  }

 private:
  PolicyCatalog catalog_;
  AnalyzerConfig config_;
  std::vector<Finding> findings_;
  std::unique_ptr<ShadowEngine> engine_;
  LogLines lines_;
};

// What a placeholder setting reads back as, seen through a policy verdict.
struct ProbeResult {
  enum class Kind { kNull, kValue, kError } kind = Kind::kNull;
  std::string value;     // kValue
  std::string sqlstate;  // kError
  Cause cause = Cause::kNone;
};

// Probe tables: probe_<x> carries `tenant_id = current_setting('app.<x>', true)::uuid`, and
// strict_<x> the same without missing_ok. Probing with a SELECT reads the setting back:
//  - NULL  → the policy is NULL for every row: filtered (missing context);
//  - 'v'   → ''::uuid / 'v'::uuid fails: 22P02 whose message quotes the value exactly.
// Probe values must therefore not be uuids.
inline std::string ProbeCatalogSql(const std::vector<std::string>& names) {
  std::string sql = "CREATE ROLE app_role;\n";
  for (const std::string& n : names) {
    for (const char* kind : {"probe", "strict"}) {
      std::string t = std::string(kind) + "_" + n;
      std::string missing_ok = std::string(kind) == "probe" ? ", true" : "";
      sql += "CREATE TABLE " + t + " (tenant_id uuid NOT NULL);\n";
      sql += "ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY;\n";
      sql += "ALTER TABLE " + t + " FORCE ROW LEVEL SECURITY;\n";
      sql += "CREATE POLICY p ON " + t + " USING (tenant_id = current_setting('app." + n + "'" +
             missing_ok + ")::uuid);\n";
    }
  }
  return sql;
}

inline ProbeResult Probe(EngineHarness& h, const std::string& name,
                         const std::string& session = "s1", bool strict = false) {
  std::string table = std::string(strict ? "strict_" : "probe_") + name;
  Finding f = h.Verdict("SELECT * FROM " + table, "public." + table, {}, session);
  ProbeResult r;
  r.cause = f.cause;
  if (f.effect == Effect::kError && f.sqlstate == "22P02") {
    const std::string prefix = "invalid input syntax for type uuid: \"";
    EXPECT_EQ(f.detail.rfind(prefix, 0), 0u) << f.detail;
    r.kind = ProbeResult::Kind::kValue;
    r.value = f.detail.substr(prefix.size(), f.detail.size() - prefix.size() - 1);
  } else if (f.effect == Effect::kError) {
    r.kind = ProbeResult::Kind::kError;
    r.sqlstate = f.sqlstate;
    r.value = f.detail;
  } else {
    EXPECT_EQ(f.effect, Effect::kFiltered) << "probe of app." << name << ": " << f.detail;
    EXPECT_EQ(f.cause, Cause::kMissingContext);
    r.kind = ProbeResult::Kind::kNull;
  }
  return r;
}

inline ::testing::AssertionResult ReadsNull(const ProbeResult& r) {
  if (r.kind == ProbeResult::Kind::kNull) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "reads '" << r.value << "', not NULL";
}
inline ::testing::AssertionResult Reads(const ProbeResult& r, const std::string& want) {
  if (r.kind == ProbeResult::Kind::kValue && r.value == want) {
    return ::testing::AssertionSuccess();
  }
  if (r.kind == ProbeResult::Kind::kNull) {
    return ::testing::AssertionFailure() << "reads NULL, not '" << want << "'";
  }
  return ::testing::AssertionFailure()
         << "reads '" << r.value << "' (" << r.sqlstate << "), not '" << want << "'";
}

// Parses one SQL expression ("a = b AND c") into an Expr.
inline ExprPtr ParseExpr(const std::string& text) {
  PgTree tree;
  Status s = tree.Parse("SELECT " + text);
  EXPECT_TRUE(s.ok()) << s.message();
  if (!s.ok() || tree.statements().empty()) return nullptr;
  PgNode select = NodeBody(tree.statements()[0].node);
  std::vector<PgNode> targets = ListField(select, "targetList");
  EXPECT_EQ(targets.size(), 1u);
  auto val = Field(NodeBody(targets[0]), "val");
  EXPECT_TRUE(val.has_value());
  return ConvertExpr(*val);  // the Expr owns no part of the parse tree
}

}  // namespace rls_shadow::testing_analyze
