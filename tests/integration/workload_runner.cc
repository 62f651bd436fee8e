#include "workload_runner.h"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace rls_shadow::differential {
namespace {

bool ReadFile(const std::string& path, std::string* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

bool RunSqlFile(PgSession& session, const std::string& path, std::string* error) {
  std::string sql;
  if (!ReadFile(path, &sql, error)) return false;
  Outcome o = session.RunScript(sql);
  if (!o.ok) {
    *error = path + ": " + o.sqlstate + ": " + o.message;
    return false;
  }
  return true;
}

std::string QuoteIdent(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

bool RunWorkload(const RunOptions& options, const std::vector<Scenario>& workload,
                 std::vector<StatementRecord>* out, std::string* error) {
  const std::string dbname = options.target.dbname;
  {
    // Roles are cluster-wide; the database is recreated so every run starts from nothing.
    ConnectionTarget admin_target = options.target;
    admin_target.dbname = "postgres";
    PgSession admin;
    if (!admin.Open(admin_target, options.superuser, "setup", error) ||
        !RunSqlFile(admin, options.sql_dir + "/roles_setup.sql", error)) {
      return false;
    }
    for (const std::string& sql : {"DROP DATABASE IF EXISTS " + QuoteIdent(dbname),
                                   "CREATE DATABASE " + QuoteIdent(dbname)}) {
      Outcome o = admin.RunScript(sql);
      if (!o.ok) {
        *error = sql + ": " + o.message;
        return false;
      }
    }
  }

  PgSession setup;
  if (!setup.Open(options.target, options.superuser, "setup", error)) return false;
  if (!options.logical_slot.empty()) {
    Outcome o = setup.RunScript("SELECT pg_create_logical_replication_slot('" +
                                options.logical_slot + "', 'wal2json')");
    if (!o.ok) {
      *error = "creating the logical replication slot: " + o.message;
      return false;
    }
  }
  if (!RunSqlFile(setup, options.sql_dir + "/schema.sql", error)) return false;
  if (options.mode == RunMode::kEnforced &&
      !RunSqlFile(setup, options.sql_dir + "/migration.sql", error)) {
    return false;
  }
  std::string seed;
  if (!ReadFile(options.sql_dir + "/seed.sql", &seed, error)) return false;

  for (const Scenario& scenario : workload) {
    Outcome seeded = setup.RunScript(seed);
    if (!seeded.ok) {
      *error = "seed before " + scenario.name + ": " + seeded.message;
      return false;
    }
    // Fresh connections per scenario: no GUC, role or prepared statement survives from an
    // earlier scenario unless the scenario itself reuses a connection.
    std::map<std::string, std::unique_ptr<PgSession>> sessions;
    std::map<std::string, const ConnectionSpec*> specs;
    std::map<std::string, int> executed;
    for (const ConnectionSpec& spec : scenario.connections) {
      auto session = std::make_unique<PgSession>();
      if (!session->Open(options.target, spec.role, spec.application_name, error)) return false;
      sessions[spec.name] = std::move(session);
      specs[spec.name] = &spec;
    }
    for (const Step& step : scenario.steps) {
      auto it = sessions.find(step.connection);
      if (it == sessions.end()) {
        *error = scenario.name + ": step on undeclared connection " + step.connection;
        return false;
      }
      PgSession& session = *it->second;
      StatementRecord record;
      record.scenario = scenario.name;
      record.connection = step.connection;
      record.application_name = specs[step.connection]->application_name;
      record.backend_pid = session.BackendPid();
      record.index_on_connection = executed[step.connection]++;
      record.protocol = step.protocol;
      record.statement_name = step.statement_name;
      record.sql = step.sql;
      record.params = step.params;
      record.after_failed_statement = session.InFailedTransaction();
      record.outcome = session.Execute(step.protocol, step.sql, step.params, step.statement_name);
      out->push_back(std::move(record));
    }
    for (const auto& [name, session] : sessions) {
      if (!session->Idle()) {
        // The next seed's TRUNCATE would wait on this session's locks.
        *error = scenario.name + ": connection " + name + " left a transaction open";
        return false;
      }
    }
  }
  return true;
}

}  // namespace rls_shadow::differential
