#include "analyze/change_joiner.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <utility>

namespace rls_shadow {
namespace {

bool Compatible(const HeldWrite& w, ChangeAction action) {
  switch (w.command) {
    case Command::kInsert:
      return action == ChangeAction::kInsert || (w.upsert && action == ChangeAction::kUpdate);
    case Command::kUpdate:
      return action == ChangeAction::kUpdate;
    case Command::kDelete:
      return action == ChangeAction::kDelete;
    default:
      return false;
  }
}

// -1 when a known value differs from the row's; else how many known values the row confirms.
int Confirmed(const StoredRow& evidence, const StoredRow& row) {
  int score = 0;
  for (const auto& [col, value] : evidence) {
    auto it = row.find(col);
    if (it == row.end()) continue;  // not in the change (e.g. identity holds the key only)
    if (it->second != value) return -1;
    ++score;
  }
  return score;
}

}  // namespace

int EvidenceScore(const HeldWrite& w, const ObservedRowChange& change,
                  const std::vector<std::string>& above) {
  if (w.table != change.table && std::find(above.begin(), above.end(), w.table) == above.end())
    return -1;
  if (!Compatible(w, change.change.action)) return -1;
  const bool inserted = change.change.action == ChangeAction::kInsert;
  int old_score = inserted ? 0 : Confirmed(w.old_evidence, change.change.old_row);
  int new_score = Confirmed(w.new_evidence, change.change.new_row);
  if (inserted && new_score >= 0) {
    int s = Confirmed(w.insert_evidence, change.change.new_row);
    new_score = s < 0 ? -1 : new_score + s;
  }
  if (old_score < 0 || new_score < 0) return -1;
  return old_score + new_score;
}

namespace {

// Log times have millisecond precision: a statement may read as logged just after its commit.
constexpr int64_t kLogTimeSlackUs = 1000;
// Candidates examined per evidence search: the nearest in time. Bounds the work when many
// writes wait unlinked (their changes never captured) within the window.
constexpr int kMaxCandidates = 64;

// Inserts `value` at `at` after the entries of that time that come before it by `order_of`:
// the order they were inserted in when the transactions ended.
template <typename V, typename Order>
void InsertInOrder(std::multimap<int64_t, V>* index, int64_t at, V value, Order order_of) {
  auto [pos, to] = index->equal_range(at);
  const uint64_t order = order_of(value);
  while (pos != to && order_of(pos->second) < order) ++pos;
  index->emplace_hint(pos, at, std::move(value));
}

template <typename K, typename V>
void EraseEntry(std::multimap<int64_t, V>* index, int64_t at, const K& value) {
  auto [from, to] = index->equal_range(at);
  for (auto it = from; it != to; ++it) {
    if (it->second == value) {
      index->erase(it);
      return;
    }
  }
}

}  // namespace

void ChangeJoiner::Hold(HeldWrite write) {
  ++stats_.writes;
  const TxnKey key{write.session_id, write.txn_serial};
  HeldTxn& held = held_[key];
  if (held.writes.empty()) held.first_us = write.time_us;
  held.tables.insert(write.table);
  const int64_t xid = write.xid;
  held.writes.push_back(std::move(write));
  if (xid != 0 && held.xid == 0) LearnXid(key.first, key.second, xid);
}

void ChangeJoiner::LearnXid(const std::string& session_id, uint64_t txn_serial, int64_t xid) {
  const TxnKey key{session_id, txn_serial};
  auto it = held_.find(key);
  if (it == held_.end() || it->second.xid != 0) return;
  HeldTxn& held = it->second;
  if (held.end_us != 0 && held.committed) {
    for (const std::string& table : held.tables) EraseEntry(&candidates_[table], held.end_us, it);
  }
  held.xid = xid;
  held_by_xid_[xid] = key;
  TryXid(key);
}

void ChangeJoiner::EndTransaction(const std::string& session_id, uint64_t txn_serial,
                                  bool committed, int64_t time_us) {
  const TxnKey key{session_id, txn_serial};
  auto it = held_.find(key);
  if (it == held_.end() || it->second.end_us != 0) return;
  HeldTxn& held = it->second;
  if (!committed) {
    // Rolled back: no rows will ever come; the verdicts from the text stand.
    HeldTxn gone = TakeHeld(key);
    for (HeldWrite& w : gone.writes) {
      w.txn_end_us = std::max<int64_t>(time_us, 1);
      w.committed = false;
      SettleWrite(w, nullptr);
    }
    return;
  }
  held.end_us = std::max<int64_t>(time_us, 1);
  held.committed = true;
  held.end_order = next_end_order_++;
  IndexEnded(it);
  if (held.xid != 0) {
    TryXid(key);
    return;
  }
  TryEvidenceFor(key);
}

void ChangeJoiner::IndexEnded(std::map<TxnKey, HeldTxn>::iterator it) {
  const HeldTxn& held = it->second;
  InsertInOrder(&held_by_end_, held.end_us, it->first,
                [this](const TxnKey& k) { return held_.at(k).end_order; });
  if (held.xid != 0) return;
  for (const std::string& table : held.tables) {
    InsertInOrder(&candidates_[table], held.end_us, it,
                  [](HeldEntry e) { return e->second.end_order; });
  }
}

void ChangeJoiner::AddTransaction(ObservedTransaction txn) {
  // Without followed changes a transaction matters only to writes that know its xid (they
  // changed no row): kept for those, dropped otherwise.
  if (txn.changes.empty() && txn.xid == 0) return;
  if (!txn.changes.empty()) ++stats_.transactions;
  stats_.changes += txn.changes.size();
  const uint64_t seq = next_seq_++;
  IndexPending(seq, txn);
  const int64_t xid = txn.xid;
  pending_.emplace(seq, std::move(txn));
  if (auto held = held_by_xid_.find(xid); xid != 0 && held != held_by_xid_.end()) {
    Link(seq, held->second);
    return;
  }
  TryEvidence(seq);
}

std::vector<std::string> ChangeJoiner::WrittenAs(const ObservedRowChange& change) const {
  std::vector<std::string> names{change.table};
  if (ancestors_) {
    const std::vector<std::string>& above = ancestors_(change.table);
    names.insert(names.end(), above.begin(), above.end());
  }
  return names;
}

int ChangeJoiner::Score(const HeldWrite& w, const ObservedRowChange& change) const {
  static const std::vector<std::string> kNone;
  return EvidenceScore(w, change, ancestors_ ? ancestors_(change.table) : kNone);
}

void ChangeJoiner::IndexPending(uint64_t seq, const ObservedTransaction& txn) {
  std::set<std::string> tables;
  for (const ObservedRowChange& c : txn.changes) {
    for (std::string& name : WrittenAs(c)) tables.insert(std::move(name));
  }
  for (const std::string& table : tables) pending_by_table_[table].emplace(txn.commit_us, seq);
  if (txn.xid != 0) pending_by_xid_[txn.xid] = seq;
}

void ChangeJoiner::TryXid(const TxnKey& key) {
  const int64_t xid = held_.at(key).xid;
  auto it = pending_by_xid_.find(xid);
  if (it != pending_by_xid_.end()) Link(it->second, key);
}

bool ChangeJoiner::Covers(const HeldTxn& held, const ObservedTransaction& txn, int* score) const {
  *score = 0;
  if (held.first_us > txn.commit_us + kLogTimeSlackUs) return false;  // logged after the commit
  std::map<std::string, size_t> inserted;
  for (const ObservedRowChange& c : txn.changes) {
    if (c.change.action != ChangeAction::kInsert) continue;
    for (const std::string& name : WrittenAs(c)) ++inserted[name];
  }
  std::map<std::string, size_t> expected;
  for (const HeldWrite& w : held.writes) expected[w.table] += w.expected_inserts;
  for (const auto& [table, n] : expected) {
    if (inserted[table] < n) return false;  // an INSERT of n known rows makes n rows
  }
  for (const ObservedRowChange& c : txn.changes) {
    int best = -1;
    for (const HeldWrite& w : held.writes) best = std::max(best, Score(w, c));
    if (best < 0) return false;
    *score += best;
  }
  return true;
}

bool ChangeJoiner::TryEvidence(uint64_t seq) {
  const ObservedTransaction& txn = pending_.at(seq);
  if (txn.changes.empty()) return false;
  // Every covering transaction wrote the first change's table, or a table above it: search
  // their candidates, the nearest kMaxCandidates of each from the commit back.
  std::vector<HeldEntry> nearest;
  for (const std::string& name : WrittenAs(txn.changes.front())) {
    auto table = candidates_.find(name);
    if (table == candidates_.end()) continue;
    const auto& by_end = table->second;
    int examined = 0;
    for (auto it = std::make_reverse_iterator(by_end.upper_bound(txn.commit_us + kLogTimeSlackUs));
         it != by_end.rend() && examined < kMaxCandidates; ++it, ++examined) {
      if (it->first + window_us_ < txn.commit_us) break;
      if (std::find(nearest.begin(), nearest.end(), it->second) == nearest.end())
        nearest.push_back(it->second);
    }
  }
  // Latest end first: on a tie the earlier one (visited later) wins, as commit order follows
  // statement order.
  std::sort(nearest.begin(), nearest.end(), [](HeldEntry a, HeldEntry b) {
    return std::make_pair(a->second.end_us, a->second.end_order) >
           std::make_pair(b->second.end_us, b->second.end_order);
  });
  const HeldEntry* best = nullptr;
  int best_score = -1;
  int ties = 0;
  for (const HeldEntry& entry : nearest) {
    int score = 0;
    if (!Covers(entry->second, txn, &score)) continue;
    if (score > best_score) {
      best = &entry;
      best_score = score;
      ties = 0;
    } else if (score == best_score) {
      best = &entry;
      ++ties;
    }
  }
  if (best == nullptr) return false;
  if (ties > 0) stats_.ambiguous += txn.changes.size();
  const TxnKey key = (*best)->first;
  Link(seq, key);
  return true;
}

void ChangeJoiner::TryEvidenceFor(const TxnKey& key) {
  const HeldTxn& held = held_.at(key);
  std::set<uint64_t> seen;
  std::vector<uint64_t> order;
  for (const std::string& table : held.tables) {
    auto it = pending_by_table_.find(table);
    if (it == pending_by_table_.end()) continue;
    int examined = 0;
    for (auto p = it->second.lower_bound(held.first_us - kLogTimeSlackUs);
         p != it->second.end() && examined < kMaxCandidates; ++p, ++examined) {
      if (p->first > held.end_us + window_us_) break;
      if (seen.insert(p->second).second) order.push_back(p->second);
    }
  }
  std::sort(order.begin(), order.end());  // commit order
  for (uint64_t seq : order) {
    if (!pending_.count(seq)) continue;
    TryEvidence(seq);
    if (!held_.count(key)) return;  // linked
  }
}

void ChangeJoiner::Link(uint64_t seq, TxnKey key) {
  ObservedTransaction txn = TakePending(seq);
  HeldTxn held = TakeHeld(key);
  Assign(txn, held);
}

ChangeJoiner::HeldTxn ChangeJoiner::TakeHeld(TxnKey key) {
  auto it = held_.find(key);
  const HeldTxn& found = it->second;
  if (found.xid != 0) held_by_xid_.erase(found.xid);
  if (found.end_us != 0) {
    EraseEntry(&held_by_end_, found.end_us, key);
    if (found.xid == 0 && found.committed) {
      for (const std::string& t : found.tables) EraseEntry(&candidates_[t], found.end_us, it);
    }
  }
  HeldTxn held = std::move(it->second);
  held_.erase(it);
  return held;
}

ObservedTransaction ChangeJoiner::TakePending(uint64_t seq) {
  auto it = pending_.find(seq);
  ObservedTransaction txn = std::move(it->second);
  pending_.erase(it);
  if (txn.xid != 0) pending_by_xid_.erase(txn.xid);
  std::set<std::string> tables;
  for (const ObservedRowChange& c : txn.changes) {
    for (std::string& name : WrittenAs(c)) tables.insert(std::move(name));
  }
  for (const std::string& t : tables) EraseEntry(&pending_by_table_[t], txn.commit_us, seq);
  return txn;
}

void ChangeJoiner::Assign(ObservedTransaction& txn, HeldTxn& held) {
  for (ObservedRowChange& c : txn.changes) {
    HeldWrite* target = nullptr;
    int target_score = -1;
    for (HeldWrite& w : held.writes) {
      int s = Score(w, c);
      if (s > target_score) {
        target = &w;
        target_score = s;
      }
    }
    if (target == nullptr) {
      ++stats_.unlinked;  // a write the log did not show (or to a table that is not followed)
      continue;
    }
    ++stats_.linked;
    target->rows.push_back(std::move(c.change));
  }
  for (HeldWrite& w : held.writes) SettleWrite(w, &w.rows);
}

void ChangeJoiner::SettleWrite(HeldWrite& w, const std::vector<ObservedChange>* rows) {
  if (w.waits) {
    if (rows != nullptr) {
      ++stats_.writes_decided;
    } else if (w.committed || w.txn_end_us == 0) {
      ++stats_.writes_unlinked;
    }
  }
  settle_(w, rows);
}

void ChangeJoiner::Advance(int64_t now_us) {
  if (now_us <= now_us_) return;
  now_us_ = now_us;
  while (!held_by_end_.empty() && held_by_end_.begin()->first + window_us_ < now_us_) {
    HeldTxn gone = TakeHeld(held_by_end_.begin()->second);
    for (HeldWrite& w : gone.writes) {
      w.committed = true;
      SettleWrite(w, nullptr);
    }
  }
  while (!pending_.empty() && pending_.begin()->second.commit_us + window_us_ < now_us_) {
    stats_.unlinked += TakePending(pending_.begin()->first).changes.size();
  }
}

void ChangeJoiner::Flush() {
  while (!held_.empty()) {
    HeldTxn gone = TakeHeld(held_.begin()->first);
    for (HeldWrite& w : gone.writes) {
      w.committed = gone.committed || gone.end_us == 0;
      SettleWrite(w, nullptr);
    }
  }
  while (!pending_.empty()) stats_.unlinked += TakePending(pending_.begin()->first).changes.size();
}

std::vector<std::pair<uint64_t, const ChangeJoiner::HeldTxn*>> ChangeJoiner::HeldOf(
    const std::string& session_id) const {
  std::vector<std::pair<uint64_t, const HeldTxn*>> out;
  for (auto it = held_.lower_bound({session_id, 0});
       it != held_.end() && it->first.first == session_id; ++it) {
    out.emplace_back(it->first.second, &it->second);
  }
  return out;
}

std::vector<std::string> ChangeJoiner::HeldSessions() const {
  std::vector<std::string> out;
  for (const auto& [key, held] : held_) {
    if (out.empty() || out.back() != key.first) out.push_back(key.first);
  }
  return out;
}

void ChangeJoiner::RestoreHeld(const std::string& session_id, uint64_t txn_serial,
                               HeldTxn held) {
  const TxnKey key{session_id, txn_serial};
  if (held_.count(key)) TakeHeld(key);
  held.tables.clear();
  for (const HeldWrite& w : held.writes) held.tables.insert(w.table);
  auto it = held_.emplace(key, std::move(held)).first;
  if (it->second.xid != 0) held_by_xid_[it->second.xid] = key;
  if (it->second.end_us != 0 && it->second.committed) IndexEnded(it);
}

void ChangeJoiner::DropSession(const std::string& session_id) {
  for (const auto& [serial, held] : HeldOf(session_id)) TakeHeld({session_id, serial});
}

void ChangeJoiner::RestoreGlobal(const Progress& progress,
                                 std::map<uint64_t, ObservedTransaction> pending) {
  next_seq_ = progress.next_seq;
  next_end_order_ = progress.next_end_order;
  now_us_ = progress.now_us;
  stats_ = progress.stats;
  pending_by_xid_.clear();
  pending_by_table_.clear();
  pending_ = std::move(pending);
  for (const auto& [seq, txn] : pending_) IndexPending(seq, txn);  // arrival order, as before
}

}  // namespace rls_shadow
