#ifndef RLS_SHADOW_TESTS_INTEGRATION_ENGINE_FINDINGS_H_
#define RLS_SHADOW_TESTS_INTEGRATION_ENGINE_FINDINGS_H_

// rls-shadow's per-access verdicts (`analyze --verdicts FILE`), read back for comparison.

#include <map>
#include <string>
#include <vector>

namespace rls_shadow::differential {

// One line of verdicts.jsonl: one (statement, RLS table) access.
struct EngineFinding {
  std::string session_id;
  long line_num = 0;
  std::string table;
  std::string command;
  std::string effect;  // allow | error | filtered | row_dependent | indeterminate
  std::string cause;
  std::string policy;
  std::string sqlstate;
  std::string tenant;
  std::string code_path;
  std::string lane;
};

// Severity order used to reduce a statement's findings to one verdict:
// error > filtered > row_dependent > indeterminate > allow. Unknown effects rank below allow
// (-1) and are reported by the caller.
int EffectRank(const std::string& effect);

// Findings by session_id, each list in line_num order.
using FindingsBySession = std::map<std::string, std::vector<EngineFinding>>;

// Reads verdicts.jsonl. Returns false and sets *error on an unreadable file or malformed line.
bool ReadEngineFindings(const std::string& path, FindingsBySession* out, std::string* error);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_ENGINE_FINDINGS_H_
