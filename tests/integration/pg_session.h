#ifndef RLS_SHADOW_TESTS_INTEGRATION_PG_SESSION_H_
#define RLS_SHADOW_TESTS_INTEGRATION_PG_SESSION_H_

// One libpq connection of the workload, and the only place that talks libpq. Not thread-safe:
// the workload drives all its sessions from one thread, interleaving them deterministically.

#include <libpq-fe.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "statement_record.h"

namespace rls_shadow::differential {

struct ConnectionTarget {
  std::string host = "127.0.0.1";
  std::string port;
  std::string dbname;
};

class PgSession {
 public:
  PgSession() = default;
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Connects as `user` with the given application_name over TCP (trust auth). A lock_timeout
  // is set through the startup packet, not a statement, so a workload mistake that blocks on
  // another session's lock fails instead of hanging, without adding a line to the log.
  // Returns false and sets *error on failure.
  bool Open(const ConnectionTarget& target, const std::string& user,
            const std::string& application_name, std::string* error);

  // Sends one statement with the given protocol and returns PostgreSQL's answer. For
  // Protocol::kPrepared the statement is prepared under `statement_name` on first use (a Parse
  // message, which log_statement does not log). Errors are outcomes, never exceptions.
  Outcome Execute(Protocol protocol, const std::string& sql,
                  const std::vector<std::optional<std::string>>& params,
                  const std::string& statement_name);

  // Runs a whole SQL script (simple protocol, several statements) and returns the outcome of the
  // first failing statement, or ok.
  Outcome RunScript(const std::string& sql);

  int BackendPid() const;
  // True inside a transaction block that has failed (every statement errors until it ends).
  bool InFailedTransaction() const;
  // True when no transaction block is open.
  bool Idle() const;

 private:
  Outcome Collect(PGresult* result);

  PGconn* conn_ = nullptr;
  std::set<std::string> prepared_;
};

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_PG_SESSION_H_
