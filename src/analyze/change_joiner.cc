#include "analyze/change_joiner.h"

#include <algorithm>
#include <map>
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

int EvidenceScore(const HeldWrite& w, const ObservedRowChange& change) {
  if (w.table != change.table || !Compatible(w, change.change.action)) return -1;
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

void ChangeJoiner::Hold(HeldWrite write) {
  ++stats_.writes;
  writes_.push_back(std::move(write));
  Match();
}

void ChangeJoiner::LearnXid(const std::string& session_id, uint64_t txn_serial, int64_t xid) {
  bool learned = false;
  for (HeldWrite& w : writes_) {
    if (w.xid == 0 && w.session_id == session_id && w.txn_serial == txn_serial) {
      w.xid = xid;
      learned = true;
    }
  }
  if (learned) Match();
}

void ChangeJoiner::EndTransaction(const std::string& session_id, uint64_t txn_serial,
                                  bool committed, int64_t time_us) {
  bool ended = false;
  for (HeldWrite& w : writes_) {
    if (w.txn_end_us == 0 && w.session_id == session_id && w.txn_serial == txn_serial) {
      w.txn_end_us = std::max<int64_t>(time_us, 1);
      w.committed = committed;
      ended = true;
    }
  }
  if (ended) Match();
}

void ChangeJoiner::AddTransaction(ObservedTransaction txn) {
  ++stats_.transactions;
  stats_.changes += txn.changes.size();
  transactions_.push_back(std::move(txn));
  Match();
}

void ChangeJoiner::Match() {
  // Rolled back: no rows will ever come; the verdict from the text stands.
  for (HeldWrite& w : writes_) {
    if (w.txn_end_us != 0 && !w.committed && !w.linked) SettleWrite(w, false);
  }
  for (auto it = transactions_.begin(); it != transactions_.end();) {
    if (LinkByXid(*it) || LinkByEvidence(*it)) {
      it = transactions_.erase(it);
    } else {
      ++it;
    }
  }
  writes_.erase(
      std::remove_if(writes_.begin(), writes_.end(), [](const HeldWrite& w) { return w.linked; }),
      writes_.end());
}

bool ChangeJoiner::LinkByXid(ObservedTransaction& txn) {
  if (txn.xid == 0) return false;
  std::vector<HeldWrite*> writes;
  for (HeldWrite& w : writes_) {
    if (!w.linked && w.xid == txn.xid) writes.push_back(&w);
  }
  if (writes.empty()) return false;
  Assign(txn, writes);
  return true;
}

bool ChangeJoiner::LinkByEvidence(ObservedTransaction& txn) {
  // Candidates: the writes of one committed session transaction that logged no xid. A group
  // qualifies when every change of `txn` has a write in it that could have made it; the
  // earliest group with the most confirmed values wins (commit order follows statement order).
  struct Group {
    std::vector<HeldWrite*> writes;
    int score = 0;
  };
  std::vector<Group> groups;
  std::map<std::pair<std::string, uint64_t>, size_t> index;
  for (HeldWrite& w : writes_) {
    if (w.linked || w.xid != 0 || w.txn_end_us == 0 || !w.committed) continue;
    auto [it, added] = index.try_emplace({w.session_id, w.txn_serial}, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].writes.push_back(&w);
  }
  const Group* best = nullptr;
  bool tie = false;
  std::map<std::string, size_t> inserted;  // insert changes per table
  for (const ObservedRowChange& c : txn.changes) {
    if (c.change.action == ChangeAction::kInsert) ++inserted[c.table];
  }
  // Log times have millisecond precision: a statement may read as logged just after its commit.
  constexpr int64_t kLogTimeSlackUs = 1000;
  for (Group& g : groups) {
    bool covers = true;
    std::map<std::string, size_t> expected;
    for (const HeldWrite* w : g.writes) {
      expected[w->table] += w->expected_inserts;
      covers = covers && w->time_us <= txn.commit_us + kLogTimeSlackUs;
    }
    for (const auto& [table, n] : expected) covers = covers && inserted[table] >= n;
    for (const ObservedRowChange& c : txn.changes) {
      if (!covers) break;
      int best_for_change = -1;
      for (const HeldWrite* w : g.writes)
        best_for_change = std::max(best_for_change, EvidenceScore(*w, c));
      if (best_for_change < 0) {
        covers = false;
        break;
      }
      g.score += best_for_change;
    }
    if (!covers) continue;
    if (best == nullptr || g.score > best->score) {
      best = &g;
      tie = false;
    } else if (g.score == best->score) {
      tie = true;
    }
  }
  if (best == nullptr) return false;
  if (tie) stats_.ambiguous += txn.changes.size();
  Assign(txn, best->writes);
  return true;
}

void ChangeJoiner::Assign(ObservedTransaction& txn, const std::vector<HeldWrite*>& writes) {
  for (ObservedRowChange& c : txn.changes) {
    HeldWrite* target = nullptr;
    int target_score = -1;
    for (HeldWrite* w : writes) {
      int s = EvidenceScore(*w, c);
      if (s > target_score) {
        target = w;
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
  for (HeldWrite* w : writes) SettleWrite(*w, true);
}

void ChangeJoiner::SettleWrite(HeldWrite& w, bool with_rows) {
  if (w.linked) return;
  w.linked = true;  // settled: removed by Match
  if (w.waits) {
    if (with_rows) {
      ++stats_.writes_decided;
    } else if (w.committed || w.txn_end_us == 0) {
      ++stats_.writes_unlinked;
    }
  }
  settle_(w, with_rows ? &w.rows : nullptr);
}

void ChangeJoiner::Advance(int64_t now_us) {
  if (now_us <= now_us_) return;
  now_us_ = now_us;
  bool expired = false;
  for (HeldWrite& w : writes_) {
    if (!w.linked && w.txn_end_us != 0 && w.txn_end_us + window_us_ < now_us_) {
      SettleWrite(w, false);
      expired = true;
    }
  }
  for (auto it = transactions_.begin(); it != transactions_.end();) {
    if (it->commit_us + window_us_ < now_us_) {
      stats_.unlinked += it->changes.size();
      it = transactions_.erase(it);
    } else {
      ++it;
    }
  }
  if (expired) {
    writes_.erase(
        std::remove_if(writes_.begin(), writes_.end(), [](const HeldWrite& w) { return w.linked; }),
        writes_.end());
  }
}

void ChangeJoiner::Flush() {
  Match();
  for (HeldWrite& w : writes_) SettleWrite(w, false);
  writes_.clear();
  for (const ObservedTransaction& t : transactions_) stats_.unlinked += t.changes.size();
  transactions_.clear();
}

}  // namespace rls_shadow
