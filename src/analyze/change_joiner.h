// ChangeJoiner: links the change stream's transactions to the logged statements that made
// them, so a write whose verdict depends on rows (`row_dependent` from its text alone) is
// decided by the rows it really changed.
//
// The link, by decreasing strength of evidence:
//   1. the transaction id: a log line carries `txid` once the transaction has one — every line
//      after its first write, and its COMMIT — so a transaction block's writes link by xid;
//   2. for writes whose transaction logged no xid (autocommit statements and single-statement
//      extended-protocol executions are logged before their xid exists): the writes of one
//      committed session transaction, logged no later than the commit, that together account
//      for every change — each change fits a write of its table and command whose known values
//      (WHERE col = value, the values it assigns or inserts) all equal the changed row's, and
//      an INSERT of n known rows finds its n inserted rows. Of several such groups the one
//      whose values confirm the most wins, the earliest on a tie (commit order follows
//      statement order), and the changes count as `ambiguous`.
// The two streams arrive independently: a write waits for its changes, and a transaction for
// its write, until event time (the newest timestamp seen on either stream) passes its end by
// the configured window; then it is settled with what is known (a write keeps its verdict from
// the text; changes count as `unlinked`).
//
// Not thread-safe: owned by one engine.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analyze/policy_evaluator.h"
#include "analyze/session_state.h"
#include "analyze/statement.h"
#include "rls_shadow/finding.h"

namespace rls_shadow {

struct JoinStats {
  uint64_t transactions = 0;     // committed transactions with row changes
  uint64_t changes = 0;          // row changes (insert, update, delete)
  uint64_t linked = 0;           // ... linked to a logged write
  uint64_t ambiguous = 0;        // ... linked, but another write fitted as well
  uint64_t unlinked = 0;         // ... no logged write found within the window
  uint64_t writes = 0;           // logged writes to RLS tables that were followed
  uint64_t writes_decided = 0;   // row_dependent writes decided by their rows
  uint64_t writes_unlinked = 0;  // row_dependent writes whose rows never arrived
};

// A logged write to an RLS table, waiting for the rows it changed.
struct HeldWrite {
  std::string session_id;
  uint64_t txn_serial = 0;  // the session's transaction (SessionState::transaction_serial)
  int64_t time_us = 0;      // when the statement was logged
  int64_t xid = 0;          // learned from the log; 0 until then
  int64_t txn_end_us = 0;   // set when it is settled: when its transaction ended (0: never)
  bool committed = false;   // ... and whether it committed
  std::string table;        // "public.orders"
  Command command = Command::kInsert;
  bool upsert = false;  // INSERT ... ON CONFLICT DO UPDATE: its changes may be updates
  // INSERT ... VALUES of n rows without ON CONFLICT: exactly n insert changes come of it.
  size_t expected_inserts = 0;
  // Values the changed rows must carry: WHERE col = value (old row), assigned or inserted
  // values (new row). Texts in the column's type's canonical form.
  StoredRow old_evidence;
  StoredRow new_evidence;
  // An upsert's inserted row: what an insert change carries. Its conflict path (an update
  // change) carries only the conflict key of it (kept in old_evidence).
  StoredRow insert_evidence;
  // Set when the verdict waits for the rows (it was row_dependent): what to evaluate.
  bool waits = false;
  Finding finding;  // the verdict from the text, kept when no rows arrive
  TableAccess access;
  SessionState state;
  std::vector<std::optional<std::string>> params;
  AccessContext context;  // session/params point into this HeldWrite when it is resolved
  std::vector<ObservedChange> rows;
};

// One committed transaction of the change stream, its rows as they were and became.
struct ObservedRowChange {
  std::string table;  // "public.orders"
  ObservedChange change;
};
struct ObservedTransaction {
  int64_t xid = 0;
  int64_t commit_us = 0;
  std::vector<ObservedRowChange> changes;
};

class ChangeJoiner {
 public:
  // Called once per held write, when it is settled: `rows` is null when its rows never
  // arrived (or it never waited), else the rows it changed (possibly none).
  using Settle = std::function<void(HeldWrite& write, const std::vector<ObservedChange>* rows)>;

  // The tables above a table, nearest first (TableInfo::ancestors): a statement naming a
  // partitioned or inheritance parent changes rows the change stream names by their own table.
  using Ancestors = std::function<const std::vector<std::string>&(const std::string& table)>;

  ChangeJoiner(int64_t window_us, Settle settle, Ancestors ancestors = nullptr)
      : window_us_(window_us), settle_(std::move(settle)), ancestors_(std::move(ancestors)) {}

  void Hold(HeldWrite write);
  // The log showed `xid` for the session's transaction `txn_serial`.
  void LearnXid(const std::string& session_id, uint64_t txn_serial, int64_t xid);
  // The session's transaction ended (committed or rolled back) at `time_us`.
  void EndTransaction(const std::string& session_id, uint64_t txn_serial, bool committed,
                      int64_t time_us);
  void AddTransaction(ObservedTransaction txn);
  // Event time moved on: settle what has waited longer than the window.
  void Advance(int64_t now_us);
  // End of input: settle everything.
  void Flush();

  const JoinStats& stats() const { return stats_; }

  // A session transaction's followed writes, until it is linked or given up.
  struct HeldTxn {
    int64_t xid = 0;
    int64_t first_us = 0;  // its first write's log time
    int64_t end_us = 0;    // 0 while open
    bool committed = false;
    // When it ended, among the transactions that ended: of those ending at the same time, the
    // earlier is settled first and wins evidence ties, also after a restore.
    uint64_t end_order = 0;
    std::vector<HeldWrite> writes;
    std::set<std::string> tables;
  };
  // The counters and clock, for the engine's saved state.
  struct Progress {
    uint64_t next_seq = 0;
    uint64_t next_end_order = 0;
    int64_t now_us = 0;
    JoinStats stats;
  };

  // --- saved state (see ShadowEngine::SaveSession / SaveGlobal) ---
  // The session's held transactions, by transaction serial.
  std::vector<std::pair<uint64_t, const HeldTxn*>> HeldOf(const std::string& session_id) const;
  // Adds back (or replaces) a held transaction as HeldOf gave it. No link is attempted: a
  // saved state has no partners left to link.
  void RestoreHeld(const std::string& session_id, uint64_t txn_serial, HeldTxn held);
  // The sessions with held transactions, in order.
  std::vector<std::string> HeldSessions() const;
  // Forgets the session's held transactions without settling them.
  void DropSession(const std::string& session_id);
  // The change transactions waiting for their statements, by arrival.
  const std::map<uint64_t, ObservedTransaction>& pending() const { return pending_; }
  Progress progress() const { return {next_seq_, next_end_order_, now_us_, stats_}; }
  // Replaces the waiting change transactions and the counters (held transactions stay).
  void RestoreGlobal(const Progress& progress, std::map<uint64_t, ObservedTransaction> pending);

 private:
  using TxnKey = std::pair<std::string, uint64_t>;  // session, transaction serial

  // Links by xid when both partners are here.
  void TryXid(const TxnKey& key);
  // Links `seq` to the ended, xid-less session transaction that accounts for it best.
  bool TryEvidence(uint64_t seq);
  // After `key` ended without an xid: the pending transactions it may account for.
  void TryEvidenceFor(const TxnKey& key);
  // Whether `held` accounts for every change of `txn`; *score: the values confirmed.
  bool Covers(const HeldTxn& held, const ObservedTransaction& txn, int* score) const;
  void Link(uint64_t seq, TxnKey key);  // by value: callers pass keys from indexes it edits
  // Gives each change of `txn` to the best-fitting write of `held`, then settles them.
  void Assign(ObservedTransaction& txn, HeldTxn& held);
  void SettleWrite(HeldWrite& w, const std::vector<ObservedChange>* rows);
  // Removes them with every index entry that names them.
  HeldTxn TakeHeld(TxnKey key);
  ObservedTransaction TakePending(uint64_t seq);
  // Enters an ended, committed transaction in held_by_end_ (and candidates_ without an xid).
  void IndexEnded(std::map<TxnKey, HeldTxn>::iterator it);
  // Enters a pending transaction in pending_by_xid_ and pending_by_table_.
  void IndexPending(uint64_t seq, const ObservedTransaction& txn);

  // The names a statement may have written `change`'s row by: its table, then those above.
  std::vector<std::string> WrittenAs(const ObservedRowChange& change) const;
  // EvidenceScore with the change's ancestors.
  int Score(const HeldWrite& w, const ObservedRowChange& change) const;

  int64_t window_us_;
  Settle settle_;
  Ancestors ancestors_;
  std::map<TxnKey, HeldTxn> held_;
  std::unordered_map<int64_t, TxnKey> held_by_xid_;
  // Ended, committed, xid-less held transactions by table and end time: evidence candidates
  // (entries of held_, whose nodes stay put).
  using HeldEntry = std::map<TxnKey, HeldTxn>::iterator;
  std::unordered_map<std::string, std::multimap<int64_t, HeldEntry>> candidates_;
  std::multimap<int64_t, TxnKey> held_by_end_;  // ended ones, for expiry
  // Change transactions waiting for their statements, by arrival (= commit order).
  std::map<uint64_t, ObservedTransaction> pending_;
  std::unordered_map<int64_t, uint64_t> pending_by_xid_;
  std::unordered_map<std::string, std::multimap<int64_t, uint64_t>> pending_by_table_;
  uint64_t next_seq_ = 0;
  uint64_t next_end_order_ = 0;
  int64_t now_us_ = 0;
  JoinStats stats_;
};

// Whether `w` could have produced `change`, and how many of its known values the change's rows
// carry (-1: a known value differs, so it did not). `above`: the tables above the change's
// table, which `w` may have named instead.
int EvidenceScore(const HeldWrite& w, const ObservedRowChange& change,
                  const std::vector<std::string>& above);

}  // namespace rls_shadow
