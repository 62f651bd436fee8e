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
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/analyzer_config.h"
#include "analyze/attribution.h"
#include "analyze/change_joiner.h"
#include "analyze/policy_catalog.h"
#include "analyze/policy_evaluator.h"
#include "analyze/row_index.h"
#include "analyze/session_state.h"
#include "analyze/statement_analyzer.h"
#include "rls_shadow/change_event.h"
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
  uint64_t change_events = 0;
  uint64_t changes_not_applied = 0;  // rows without their primary key (REPLICA IDENTITY)
};

using FindingSink = std::function<void(const Finding&)>;

class ShadowEngine {
 public:
  ShadowEngine(const PolicyCatalog& catalog, const AnalyzerConfig& config, FindingSink sink);

  void OnEvent(const LogEvent& event);

  // Logical decoding. EnableChanges (before the first event) keeps the row index and links
  // change transactions to logged writes, each waiting up to `window_us` of event time for
  // its partner (ChangeJoiner). OnChange takes the change stream in its commit order,
  // interleaved with the log by time: a change at commit time T before any log event after T.
  void EnableChanges(int64_t window_us);
  void OnChange(const ChangeEvent& change);
  RowIndex& rows() { return rows_; }
  // Null unless EnableChanges was called.
  const JoinStats* join_stats() const { return joiner_ ? &joiner_->stats() : nullptr; }
  // Completes every statement still waiting for its outcome (end of input).
  void Finish();

  // The open sessions' state, so a later run over the rest of the log resumes with the context
  // each session had (call after Finish). RestoreSessions adds them back; it returns false on a
  // blob it cannot read (nothing is restored then).
  std::string SaveSessions() const;
  bool RestoreSessions(std::string_view blob);

  // Per-session state for the streaming service (sessions move between instances with their
  // Kafka partition). INTERIM: session settings only; replaced by the complete engine state.
  std::optional<std::string> SaveSession(std::string_view session_id) const;
  bool RestoreSession(std::string_view session_id, std::string_view blob);
  void DropSession(std::string_view session_id);
  std::vector<std::string> TakeTouchedSessions();
  std::string SaveGlobal() const;
  bool RestoreGlobal(std::string_view blob);

  const EngineStats& stats() const { return stats_; }
  size_t open_sessions() const { return sessions_.size(); }
  const StatementAnalyzer& analyzer() const { return analyzer_; }

 private:
  struct Session {
    std::string id;
    SessionState state;
    bool statement_open = false;  // the last statement's outcome is not known yet
    std::string open_sql;
    bool open_multi = false;
    // The open statement's findings are pending[0, pending_size). Slots past the end are kept
    // for the next statements, so their strings are reused rather than allocated per access.
    std::vector<Finding> pending;
    size_t pending_size = 0;
    std::vector<HeldWrite> pending_writes;  // for the joiner, once the statement succeeded
    uint64_t open_serial = 0;               // the open statement's transaction
    int64_t open_time_us = 0;
    bool open_rolls_back = false;  // it ends its transaction without committing
    // The transaction that wrote to a table the row index keeps: its later statements see its
    // own uncommitted rows, which the index (committed rows only) lacks, so they do not use it.
    uint64_t wrote_indexed_serial = 0;
    int64_t xid = 0;          // the transaction id the log showed ...
    uint64_t xid_serial = 0;  // ... for this transaction serial
    // PREPARE name AS ...: the analysed queries EXECUTE runs.
    std::unordered_map<std::string, std::shared_ptr<const AnalyzedStatement>> prepared;
  };

  Session& SessionFor(const LogEvent& event);
  void OnStatement(Session& s, const LogEvent& event);
  void OnError(Session& s, const LogEvent& event);
  void Complete(Session& s);
  void EndSession(std::unordered_map<std::string, Session>::iterator it);
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
  // A write to an RLS table, as the joiner follows it; `waits` when `f` is row_dependent.
  HeldWrite FollowWrite(const Session& s, const TableAccess& access, const AccessContext& ctx,
                        const std::vector<std::optional<std::string>>& params,
                        const Finding& f) const;
  void Settle(HeldWrite& w, const std::vector<ObservedChange>* rows);
  void FlushChangeTransaction();

  const PolicyCatalog& catalog_;
  const AnalyzerConfig& config_;
  FindingSink sink_;
  StatementAnalyzer analyzer_;
  Attributor attributor_;
  PolicyEvaluator evaluator_;
  std::unordered_map<std::string, Session> sessions_;
  RowIndex rows_;
  std::unique_ptr<ChangeJoiner> joiner_;
  std::optional<ObservedTransaction> change_txn_;   // the change transaction being read
  bool change_txn_framed_ = false;                  // it began with a BEGIN (wal2json)
  std::vector<std::optional<std::string>> params_;  // reused per statement
  EngineStats stats_;
  std::vector<std::string> interim_known_;
};

}  // namespace rls_shadow
