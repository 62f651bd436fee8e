// ShadowEngine: follows one event at a time from the server log to findings. It keeps every
// session's state (SessionTracker role), analyses each executed statement (StatementAnalyzer,
// cached by shape), applies its transaction and setting effects, and evaluates every RLS table
// access (PolicyEvaluator). A statement's findings are held until the session's next event
// shows whether the statement itself failed: a statement that already fails today is not a new
// denial, and its setting changes roll back.
//
// Not thread-safe: one engine per ordered stream of sessions (e.g. per Kafka partition).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/analyzer_config.h"
#include "analyze/attribution.h"
#include "analyze/policy_catalog.h"
#include "analyze/policy_evaluator.h"
#include "analyze/session_state.h"
#include "analyze/statement_analyzer.h"
#include "rls_shadow/finding.h"
#include "rls_shadow/log_event.h"

namespace rls_shadow {

struct EngineStats {
  uint64_t events = 0;
  uint64_t statements = 0;
  uint64_t statements_unparsed = 0;
  uint64_t statements_failed_in_log = 0;  // failed today: their findings are dropped
  uint64_t statements_in_aborted_txn = 0;
  uint64_t findings = 0;
  uint64_t sessions_opened = 0;
  uint64_t sessions_closed = 0;
};

using FindingSink = std::function<void(const Finding&)>;

class ShadowEngine {
 public:
  ShadowEngine(const PolicyCatalog& catalog, const AnalyzerConfig& config, FindingSink sink);

  void OnEvent(const LogEvent& event);
  // Completes every statement still waiting for its outcome (end of input).
  void Finish();

  // The open sessions' state, so a later run over the rest of the log resumes with the context
  // each session had (call after Finish). RestoreSessions adds them back; it returns false on a
  // blob it cannot read (nothing is restored then).
  std::string SaveSessions() const;
  bool RestoreSessions(std::string_view blob);

  const EngineStats& stats() const { return stats_; }
  size_t open_sessions() const { return sessions_.size(); }
  const StatementAnalyzer& analyzer() const { return analyzer_; }

 private:
  struct Session {
    SessionState state;
    bool statement_open = false;  // the last statement's outcome is not known yet
    std::string open_sql;
    bool open_multi = false;
    // The open statement's findings are pending[0, pending_size). Slots past the end are kept
    // for the next statements, so their strings are reused rather than allocated per access.
    std::vector<Finding> pending;
    size_t pending_size = 0;
    // PREPARE name AS ...: the analysed queries EXECUTE runs.
    std::unordered_map<std::string, std::shared_ptr<const AnalyzedStatement>> prepared;
  };

  Session& SessionFor(const LogEvent& event);
  void OnStatement(Session& s, const LogEvent& event);
  void OnError(Session& s, const LogEvent& event);
  void Complete(Session& s);
  void ApplySettings(Session& s, const AnalyzedStatement& st, const Attribution& who,
                     const std::vector<std::optional<std::string>>& params);
  // Applies one statement's settings and evaluates its accesses with `params`.
  void RunStatement(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                    const Attribution& who, const std::vector<std::optional<std::string>>& params,
                    std::string* example);
  // PREPARE / DEALLOCATE: the session's SQL-level prepared queries (DISCARD ALL: ApplySettings).
  void TrackPrepared(Session& s, const AnalyzedStatement& st);
  // EXECUTE name(args): the prepared query with the arguments as its parameters.
  void RunExecute(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                  const Attribution& who, std::string* example);
  std::string Example(const LogEvent& event) const;

  const PolicyCatalog& catalog_;
  const AnalyzerConfig& config_;
  FindingSink sink_;
  StatementAnalyzer analyzer_;
  Attributor attributor_;
  PolicyEvaluator evaluator_;
  std::unordered_map<std::string, Session> sessions_;
  std::vector<std::optional<std::string>> params_;  // reused per statement
  EngineStats stats_;
};

}  // namespace rls_shadow
