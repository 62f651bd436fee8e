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
#include <unordered_set>
#include <vector>

#include "analyze/analyzer_config.h"
#include "analyze/attribution.h"
#include "analyze/change_joiner.h"
#include "analyze/policy_catalog.h"
#include "analyze/policy_evaluator.h"
#include "analyze/row_index.h"
#include "analyze/session_state.h"
#include "analyze/statement_analyzer.h"
#include "common/json_writer.h"
#include "common/text_hash.h"
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
  // The verdicts kept for logged statements' accesses (hit figures; checking mode for tests).
  VerdictMemo& verdict_memo() { return verdicts_; }
  // Null unless EnableChanges was called.
  const JoinStats* join_stats() const { return joiner_ ? &joiner_->stats() : nullptr; }
  // Completes every statement still waiting for its outcome (end of input).
  void Finish();

  // --- saved state (engine_state.cc) ---
  // Everything that decides later output, so another engine (after a crash, or on another
  // instance) continues exactly where this one stands: per session, and a global part. A
  // restoring engine is built with the same catalog and configuration, EnableChanges called as
  // in this one, and its row index restored (rows().Restore) from this one's changes.
  //
  // One session's state: its settings and transaction, the statement whose outcome is not
  // known yet (with its pending findings and writes), its SQL-level prepared statements and
  // the joiner's held transactions of it. nullopt when the engine holds nothing of the
  // session any more (it ended and its held writes are settled).
  std::optional<std::string> SaveSession(std::string_view session_id) const;
  // Adds or replaces one session's state; false on a blob it cannot read, or one with held
  // writes when EnableChanges was not called (nothing changes then).
  bool RestoreSession(std::string_view session_id, std::string_view blob);
  // Forgets a session, with its held writes, emitting nothing (it moves to another engine).
  void DropSession(std::string_view session_id);
  // The sessions whose saved state may have changed since the last call: those with an event,
  // those whose held writes were settled, every session at Finish.
  std::vector<std::string> TakeTouchedSessions();
  // The rest: the change transaction being read, the joiner's waiting change transactions and
  // clock, and the counters (EngineStats, JoinStats).
  std::string SaveGlobal() const;
  // False on a blob it cannot read (nothing changes).
  bool RestoreGlobal(std::string_view blob);

  // Every session's state in one blob (SaveSession's, by session id), so a later run over the
  // rest of the log resumes with the context each session had (analyze calls it after Finish).
  // RestoreSessions adds them back; it returns false on a blob it cannot read (nothing is
  // restored then).
  std::string SaveSessions() const;
  bool RestoreSessions(std::string_view blob);

  const EngineStats& stats() const { return stats_; }
  size_t open_sessions() const { return sessions_.size(); }
  const StatementAnalyzer& analyzer() const { return analyzer_; }

 private:
  struct PreparedQuery {
    std::shared_ptr<const AnalyzedStatement> query;
    // The PREPARE's text and its place in it, to analyse it again on restore.
    std::string sql;
    size_t statement = 0;
  };
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
    // The next pending slot (pending[pending_size]), made when there is none to reuse; it
    // becomes pending once pending_size is incremented.
    Finding& NextPending() {
      if (pending.size() == pending_size) pending.emplace_back();
      return pending[pending_size];
    }
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
    std::unordered_map<std::string, PreparedQuery> prepared;
    bool touched = false;  // its id is in touched_
  };
  // What the saved state of a session reads back as, before it replaces the engine's.
  struct RestoredSession;
  // Every event looks its session up: a cheaper hash than std::hash's.
  struct SessionIdHash {
    size_t operator()(const std::string& id) const { return common::HashText(id); }
  };
  using SessionMap = std::unordered_map<std::string, Session, SessionIdHash>;

  Session& SessionFor(const LogEvent& event);
  // Gives `state` the setting defaults of its login user and database: the configured database
  // defaults, under the catalog's ALTER ROLE ... SET (ALL, then the role; each database-wide,
  // then for the session's database), as PostgreSQL applies them at login.
  void SetLoginDefaults(SessionState* state);
  // Gives a session opened without a user (its "connection received" line) the login user and
  // database `event` names, and their defaults.
  void AdoptLogin(Session& s, const LogEvent& event);
  // Records that `session_id` (whose session is `s`, or none) had an event.
  void Touch(Session* s, std::string_view session_id);
  // The change stream's side of a log line: completes what committed before it and learns the
  // session's transaction id.
  void AdvanceChanges(const LogEvent& event, Session* session);
  void OnStatement(Session& s, const LogEvent& event);
  void OnError(Session& s, const LogEvent& event);
  void Complete(Session& s);
  void EndSession(SessionMap::iterator it);
  void ApplySettings(Session& s, const AnalyzedStatement& st, const Attribution& who,
                     const std::vector<std::optional<std::string>>& params);
  // Applies one statement's settings and evaluates its accesses with `params`.
  void RunStatement(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                    const Attribution& who, const std::vector<std::optional<std::string>>& params,
                    std::string* example);
  // PREPARE / DEALLOCATE: the session's SQL-level prepared queries (DISCARD ALL: ApplySettings).
  void TrackPrepared(Session& s, const AnalyzedText& text, size_t statement, std::string_view sql);
  // EXECUTE name(args): the prepared query with the arguments as its parameters.
  void RunExecute(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                  const Attribution& who, const std::vector<std::optional<std::string>>& params,
                  std::string* example);
  // A trigger a write of the statement fires, on its table.
  using FiredTrigger = std::pair<const TableInfo*, const TableInfo::Trigger*>;
  // A call that runs once (AnalyzedStatement::direct_calls) of a LANGUAGE sql function whose
  // statements can be run (SqlFunctions::FollowedBody): evaluates them with the call's
  // arguments, as the caller. False, having evaluated nothing, when it is not such a call or an
  // argument is not known.
  bool FollowCall(Session& s, const AnalyzedStatement::FunctionCall& call, const AccessContext& ctx,
                  const LogEvent& event, const Attribution& who,
                  const std::vector<std::optional<std::string>>& params, std::string* example,
                  std::vector<FiredTrigger>* fired);
  // The RLS tables reached inside the functions the statement calls (but those in `followed`)
  // and the triggers its writes fire: rls-shadow does not follow them, so each is an
  // `indeterminate` finding naming the way in, rather than nothing.
  void ReportUnfollowed(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                        const Attribution& who, const std::vector<FiredTrigger>& fired,
                        const std::vector<std::string_view>& followed, std::string* example);
  // The statement's example text for its findings, into *out (the caller's reused buffer).
  void Example(const LogEvent& event, std::string* out) const;
  // Stamps an evaluated finding with where it comes from (code path, lane, log line) and, for a
  // would-be denial, the statement's example (made once per statement into *example).
  void StampFinding(const Attribution& who, const LogEvent& event, std::string* example,
                    Finding* f) const;
  // A write to an RLS table, as the joiner follows it; `waits` when `f` is row_dependent.
  HeldWrite FollowWrite(const Session& s, const TableAccess& access, const AccessContext& ctx,
                        const std::vector<std::optional<std::string>>& params,
                        const Finding& f) const;
  // Holds a write to a table without row security whose rows a table above it polices.
  void FollowUnpolicedWrite(Session& s, const TableInfo& table, const TableAccess& access,
                            const AccessContext& ctx,
                            const std::vector<std::optional<std::string>>& params,
                            const LogEvent& event, bool* writes_indexed);
  // Folds `inserted` into the open change transaction's last change when the two are a row
  // moved between partitions; false when they are not.
  bool MergeMovedRow(ObservedRowChange* inserted);
  void Settle(HeldWrite& w, const std::vector<ObservedChange>* rows);
  void FlushChangeTransaction();
  // engine_state.cc: one session's state as a JSON object, and back.
  void WriteSession(JsonWriter* w, const std::string& id) const;
  bool ReadSession(simdjson::dom::element json, const std::string& id, RestoredSession* out);
  void Install(const std::string& id, RestoredSession restored);

  const PolicyCatalog& catalog_;
  const AnalyzerConfig& config_;
  FindingSink sink_;
  StatementAnalyzer analyzer_;
  Attributor attributor_;
  PolicyEvaluator evaluator_;
  VerdictMemo verdicts_;  // for the accesses of logged statements
  SessionMap sessions_;
  RowIndex rows_;
  std::unique_ptr<ChangeJoiner> joiner_;
  std::optional<ObservedTransaction> change_txn_;   // the change transaction being read
  bool change_txn_framed_ = false;                  // it began with a BEGIN (wal2json)
  std::vector<std::optional<std::string>> params_;  // bound + lifted, when any are lifted
  std::vector<std::optional<std::string>> lifted_;  // reused per statement
  std::string example_;  // the statement's example, built at its first would-be denial
  std::vector<std::string> search_path_;  // the statement's, when the catalog has other schemas
  EngineStats stats_;
  std::unordered_set<std::string> touched_;  // see TakeTouchedSessions
  // SetLoginDefaults' merged defaults by (login user, database), when the catalog has role
  // settings (map nodes stay put: sessions point at them).
  std::map<std::pair<std::string, std::string>, SettingDefaults> login_defaults_;
};

}  // namespace rls_shadow
