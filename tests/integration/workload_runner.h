#ifndef RLS_SHADOW_TESTS_INTEGRATION_WORKLOAD_RUNNER_H_
#define RLS_SHADOW_TESTS_INTEGRATION_WORKLOAD_RUNNER_H_

// Runs the workload once against a fresh database and records every workload statement.

#include <string>
#include <vector>

#include "pg_session.h"
#include "statement_record.h"
#include "workload.h"

namespace rls_shadow::differential {

enum class RunMode {
  kShadow,    // schema.sql only: permissive USING (true) policies, nothing forced
  kEnforced,  // schema.sql + migration.sql: restrictive policies and FORCE
};

struct RunOptions {
  ConnectionTarget target;  // dbname: the database to (re)create
  std::string superuser = "postgres";
  std::string sql_dir;  // holds roles_setup.sql, schema.sql, seed.sql, migration.sql
  RunMode mode = RunMode::kShadow;
  // When set: a wal2json logical replication slot of this name is created in the new database
  // before anything is written to it, so the whole run can be decoded afterwards.
  std::string logical_slot;
};

// (Re)creates the database, applies the schema (and in kEnforced mode the migration), then runs
// every scenario: seed through the superuser "setup" session, fresh workload connections, steps
// in order. Appends one record per workload statement to *out (setup statements are not
// recorded). Returns false and sets *error when the run itself cannot proceed (connection or
// setup failure, a scenario leaving a transaction open); statement errors are just outcomes.
bool RunWorkload(const RunOptions& options, const std::vector<Scenario>& workload,
                 std::vector<StatementRecord>* out, std::string* error);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_WORKLOAD_RUNNER_H_
