// RowIndex: rls-shadow's own copy of the table rows that decide policies, kept up to date from
// the logical-decoding stream (and a seed of the tables as they were when capture began).
//
//   - The ownership index: for every table with RLS enabled and a primary key, primary key ->
//     the columns its policies read (the tenant columns). A statement that addresses rows by
//     key (`WHERE id = $1`) is then evaluated against the row's real tenant instead of being
//     `row_dependent`.
//   - The replica: every column of every row of the tables that policies read through a
//     subquery (membership tables such as org_members), so `org_id IN (SELECT org_id FROM
//     org_members WHERE user_id = ...)` can be decided.
//
// A partitioned or inheritance parent's rows are stored in its descendants, which the change
// stream names: their rows are kept too (with the columns the parent's policies read), and a
// lookup by the parent's name looks through them. The parent's copy is complete only when
// every descendant's is.
//
// Values are kept as PostgreSQL's text output (what the change stream carries); the evaluator
// types them with the table's declared column types. A table's copy is *complete* once it has
// been seen whole — a TRUNCATE, or a seed block listing every row — and every change since:
// only then does an absent row mean "no such row" rather than "not observed".
//
// Not thread-safe: owned by one engine.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/policy_catalog.h"
#include "analyze/stored_row.h"
#include "rls_shadow/change_event.h"
#include "rls_shadow/store.h"

namespace rls_shadow {

class RowIndex {
 public:
  explicit RowIndex(const PolicyCatalog& catalog);

  // The tables rows are kept for, "schema.table".
  bool Tracks(std::string_view table) const { return tracked_.count(table) != 0; }

  // Applies one change (insert, update, delete, truncate, snapshot row; kRowsMissing makes a
  // table's copy incomplete again); other actions and
  // untracked tables are ignored. Returns false when the change could not be applied: a row
  // without its whole primary key (REPLICA IDENTITY NOTHING, or a seed row missing it).
  bool Apply(const ChangeEvent& e);

  // The row whose primary key columns have the texts `key` (in key order), or nullptr.
  const StoredRow* Find(std::string_view table, const std::vector<std::string>& key) const;
  // The row whose primary key `columns` carry (a change's identity or new row), or nullptr.
  const StoredRow* FindByColumns(std::string_view table,
                                 const std::vector<ColumnValue>& columns) const;
  // Every kept row of `table`, its descendants' included: a set of rows per table (empty when
  // untracked). And whether the copy is complete.
  std::vector<const RowMap*> RowSets(std::string_view table) const;
  bool Complete(std::string_view table) const;
  // RowSets(table) with Complete(table) and the table's column types; nullopt when untracked.
  std::optional<ReplicaView> Replica(std::string_view table) const;

  // The changes since the last call, for the store (written in the same batch as the counters
  // they accompany), in the order they happened.
  std::vector<RowRecord> TakeChanges();
  // Adds back a row read from the store (Store::ScanRows). False on a record it cannot read.
  bool Restore(const RowRecord& record);

  size_t row_count() const;

 private:
  struct Kept {
    const TableInfo* info = nullptr;
    std::vector<std::string> key;                // the columns rows are keyed by: the primary key
                                                 // (or, failing one, the parent's)
    std::set<std::string, std::less<>> columns;  // empty: every column (a replica table)
    RowMap rows;                                 // by encoded key
  };

  // Keeps the rows of the descendants of the tables tracked so far.
  void TrackDescendants(const PolicyCatalog& catalog);
  // The row of `kept` whose `key_columns` have the texts `key`, or nullptr.
  static const StoredRow* FindIn(const Kept& kept, const std::vector<std::string>& key_columns,
                                 const std::vector<std::string>& key);

  // The encoded key of a row, from `columns`; nullopt when a key column is missing or NULL.
  static std::optional<std::string> KeyOf(const Kept& kept,
                                          const std::vector<ColumnValue>& columns);
  void Put(const std::string& table, const std::string& key, StoredRow row);
  void Erase(const std::string& table, const std::string& key);
  void Truncate(const std::string& table);

  std::map<std::string, Kept, std::less<>> tracked_;
  std::set<std::string, std::less<>> complete_;
  std::vector<RowRecord> changes_;
};

// Encodes primary key texts (never empty, so "" is free for the table's completeness marker).
std::string EncodeRowIndexKey(const std::vector<std::string>& key_texts);

}  // namespace rls_shadow
