#ifndef RLS_SHADOW_TESTS_INTEGRATION_STATEMENT_RECORD_H_
#define RLS_SHADOW_TESTS_INTEGRATION_STATEMENT_RECORD_H_

// What the differential test records about one workload statement: what was sent, on which
// connection, and what PostgreSQL answered. Plain values; written to and read back from JSON
// lines so the shadow run, the enforced run and the comparison can be separate processes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rls_shadow::differential {

// How a statement travels. kSimple is PQexec (a "statement:" log line), kExtended is
// PQexecParams (unnamed Parse/Bind/Execute: "execute <unnamed>:"), kPrepared is PQexecPrepared
// on a named statement ("execute <name>:").
enum class Protocol { kSimple, kExtended, kPrepared };

std::string_view ProtocolName(Protocol p);
bool ParseProtocol(std::string_view name, Protocol* out);

// PostgreSQL's answer to one statement.
struct Outcome {
  bool ok = false;
  std::string tag;       // command tag, e.g. "SELECT 2", "UPDATE 0" (ok only)
  long rows = -1;        // rows returned or affected; -1 for commands without a count
  std::string sqlstate;  // error only
  std::string message;   // error only (primary message)
};

struct StatementRecord {
  std::string scenario;
  std::string connection;        // the scenario's name for the connection
  std::string application_name;  // unique per connection within a run
  int backend_pid = 0;
  int index_on_connection = 0;  // 0-based order of execution on that connection
  Protocol protocol = Protocol::kSimple;
  std::string statement_name;  // kPrepared only
  std::string sql;
  std::vector<std::optional<std::string>> params;
  // The connection was inside a failed transaction block before this statement, so whatever
  // happens to it is a consequence of an earlier statement.
  bool after_failed_statement = false;
  Outcome outcome;
};

// Serialises one record as a single JSON line (no trailing newline).
std::string ToJsonLine(const StatementRecord& record);

// Reads a file written with ToJsonLine, one record per line. Returns false and sets *error on
// an unreadable file or a malformed line.
bool ReadStatementRecords(const std::string& path, std::vector<StatementRecord>* out,
                          std::string* error);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_STATEMENT_RECORD_H_
