#ifndef RLS_SHADOW_TESTS_INTEGRATION_LOG_MATCHER_H_
#define RLS_SHADOW_TESTS_INTEGRATION_LOG_MATCHER_H_

// Finds, for each recorded workload statement, the jsonlog line PostgreSQL wrote for it, so the
// statement can be joined with rls-shadow's findings (keyed by session_id and line_num).

#include <climits>
#include <string>
#include <vector>

#include "statement_record.h"

namespace rls_shadow::differential {

// A "statement: ..." or "execute <name>: ..." LOG line of a client backend.
struct LoggedStatement {
  long line_num = 0;
  Protocol protocol = Protocol::kSimple;  // kSimple for "statement:", else an execute line
  std::string statement_name;             // "<unnamed>" or the prepared statement's name
  std::string text;
};

struct LoggedSession {
  std::string session_id;
  int pid = 0;
  std::string application_name;
  std::vector<LoggedStatement> statements;  // in line_num order
};

// The client-backend sessions of one jsonlog file, in order of their first line.
class ServerLog {
 public:
  // Reads the file. Returns false and sets *error when it cannot be read or holds no valid JSON
  // lines; individual malformed lines are counted in malformed_lines().
  bool Load(const std::string& path, std::string* error);
  const std::vector<LoggedSession>& sessions() const { return sessions_; }
  int malformed_lines() const { return malformed_lines_; }

 private:
  std::vector<LoggedSession> sessions_;
  int malformed_lines_ = 0;
};

struct StatementMatch {
  bool matched = false;
  std::string session_id;
  long line_num = 0;
  // line_num of the session's next statement line: findings in [line_num, next_line_num) belong
  // to this statement (an engine may key a finding by the ERROR line that follows).
  long next_line_num = LONG_MAX;
  std::string problem;  // why it did not match
};

// Matches records (as written by one run, in execution order) to the log: a connection is the
// session with the same pid and application_name (the n-th such connection of the run is the
// n-th such session, in case a pid was reused), and its k-th statement is the next statement
// line of that session with the same protocol, name and text. Returns one match per record.
std::vector<StatementMatch> MatchStatements(const ServerLog& log,
                                            const std::vector<StatementRecord>& records);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_LOG_MATCHER_H_
