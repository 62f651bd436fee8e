// Synthesized logical-decoding events for the engine tests: columns, row changes of the
// catalog's tables, and committed transactions framed as wal2json frames them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "analyze/row_index.h"
#include "analyze/shadow_engine.h"
#include "rls_shadow/change_event.h"
#include "rls_shadow/store.h"

namespace rls_shadow::testing_analyze {

inline ColumnValue Col(std::string name, std::optional<std::string> text, std::string type = "") {
  return ColumnValue{std::move(name), std::move(type), std::move(text), false};
}

inline ChangeEvent Change(ChangeAction action, int64_t xid, int64_t time_us, std::string table,
                          std::vector<ColumnValue> columns,
                          std::vector<ColumnValue> identity = {}) {
  ChangeEvent e;
  e.action = action;
  e.xid = xid;
  e.time_us = time_us;
  e.schema = "public";
  e.table = std::move(table);
  e.columns = std::move(columns);
  e.identity = std::move(identity);
  return e;
}

// An insert of public.t's row (id, tenant, 'a').
inline ChangeEvent InsertT(int id, const std::string& tenant, int64_t xid = 1,
                           int64_t time_us = 1) {
  return Change(ChangeAction::kInsert, xid, time_us, "t",
                {Col("id", std::to_string(id)), Col("tenant_id", tenant), Col("val", "a")});
}

// BEGIN, the rows, COMMIT: one committed transaction at `time_us`.
inline std::vector<ChangeEvent> Framed(int64_t xid, int64_t time_us,
                                       const std::vector<ChangeEvent>& rows) {
  ChangeEvent begin;
  begin.action = ChangeAction::kBegin;
  begin.xid = xid;
  begin.time_us = time_us;
  std::vector<ChangeEvent> out{begin};
  out.insert(out.end(), rows.begin(), rows.end());
  out.push_back(begin);
  out.back().action = ChangeAction::kCommit;
  return out;
}

inline void Commit(ShadowEngine& engine, int64_t xid, int64_t time_us,
                   const std::vector<ChangeEvent>& rows) {
  for (const ChangeEvent& e : Framed(xid, time_us, rows)) engine.OnChange(e);
}

// A TRUNCATE of `tables` ("schema.table"): their copies made complete.
inline ChangeEvent Truncate(std::vector<std::string> tables) {
  ChangeEvent truncate;
  truncate.action = ChangeAction::kTruncate;
  truncate.truncated = std::move(tables);
  return truncate;
}

// public.t's copy made complete (as a seed or a TRUNCATE does).
inline ChangeEvent TruncateT() { return Truncate({"public.t"}); }

// The row index's changes as the store keeps them (RowIndex::TakeChanges, Store::ScanRows):
// the latest record per row, a TRUNCATE dropping the table's.
class StoredRows {
 public:
  void Add(std::vector<RowRecord> records) {
    for (RowRecord& r : records) {
      if (r.whole_table) {
        for (auto it = latest_.begin(); it != latest_.end();) {
          it = it->first.first == r.table ? latest_.erase(it) : std::next(it);
        }
        continue;
      }
      latest_[{r.table, r.key}] = std::move(r);
    }
  }
  // Replays them into `index` as analyze does at startup.
  ::testing::AssertionResult RestoreInto(RowIndex& index) const {
    for (const auto& [key, r] : latest_) {
      if (r.blob && !index.Restore(r)) {
        return ::testing::AssertionFailure() << "unreadable row of " << r.table;
      }
    }
    return ::testing::AssertionSuccess();
  }

 private:
  std::map<std::pair<std::string, std::string>, RowRecord> latest_;
};

}  // namespace rls_shadow::testing_analyze
