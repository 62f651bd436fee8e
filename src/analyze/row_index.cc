#include "analyze/row_index.h"

#include <fmt/format.h>

namespace rls_shadow {
namespace {

// Length-prefixed text: "<length>:<text>", so no separator can be confused with content.
void AppendField(std::string_view text, std::string* out) {
  out->append(std::to_string(text.size()));
  out->push_back(':');
  out->append(text);
}

bool ConsumeField(std::string_view* in, std::string* out) {
  size_t colon = in->find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return false;
  size_t len = 0;
  for (char c : in->substr(0, colon)) {
    if (c < '0' || c > '9') return false;
    len = len * 10 + static_cast<size_t>(c - '0');
  }
  if (in->size() - colon - 1 < len) return false;
  *out = std::string(in->substr(colon + 1, len));
  in->remove_prefix(colon + 1 + len);
  return true;
}

// A row blob: per column its name, then 'N' (NULL) or 'V' and the text.
std::string EncodeRow(const StoredRow& row) {
  std::string out;
  for (const auto& [name, value] : row) {
    AppendField(name, &out);
    out.push_back(value ? 'V' : 'N');
    if (value) AppendField(*value, &out);
  }
  return out;
}

bool DecodeRow(std::string_view in, StoredRow* row) {
  while (!in.empty()) {
    std::string name;
    if (!ConsumeField(&in, &name) || in.empty()) return false;
    char tag = in.front();
    in.remove_prefix(1);
    if (tag == 'N') {
      (*row)[name] = std::nullopt;
    } else if (tag == 'V') {
      std::string value;
      if (!ConsumeField(&in, &value)) return false;
      (*row)[name] = std::move(value);
    } else {
      return false;
    }
  }
  return true;
}

// The completeness marker's key: encoded primary keys are never empty.
constexpr std::string_view kCompleteKey = "";

// Tables read by a policy subquery (`IN (SELECT ... FROM t ...)`, `EXISTS (...)`).
void CollectSubqueryTables(const Expr& e, std::set<std::string, std::less<>>* out) {
  if (e.kind == Expr::Kind::kSubquery) out->insert(e.qualifier);
  for (const ExprPtr& a : e.args) {
    if (a) CollectSubqueryTables(*a, out);
  }
}

}  // namespace

std::string EncodeRowIndexKey(const std::vector<std::string>& key_texts) {
  std::string out;
  for (const std::string& t : key_texts) AppendField(t, &out);
  return out;
}

RowIndex::RowIndex(const PolicyCatalog& catalog) {
  std::set<std::string, std::less<>> replicas;
  for (const TableMeta& meta : catalog.RlsTables()) {
    const TableInfo* info = catalog.FindQualified(meta.table);
    if (info == nullptr) continue;
    std::vector<std::string> columns;
    for (const Policy& p : info->policies) {
      for (const ExprPtr& e : {p.using_expr, p.check_expr}) {
        if (!e) continue;
        CollectColumns(*e, &columns);
        CollectSubqueryTables(*e, &replicas);
      }
    }
    if (info->primary_key.empty()) continue;  // rows cannot be addressed
    Kept& kept = tracked_[info->name];
    kept.info = info;
    kept.key = info->primary_key;
    for (const std::string& c : columns) {
      if (info->columns.count(c)) kept.columns.insert(c);
    }
    kept.columns.insert(info->primary_key.begin(), info->primary_key.end());
  }
  for (const std::string& name : replicas) {
    const TableInfo* info = catalog.FindQualified(name);
    if (info == nullptr || info->primary_key.empty()) continue;
    Kept& kept = tracked_[info->name];
    kept.info = info;
    kept.key = info->primary_key;
    kept.columns.clear();  // every column
  }
  TrackDescendants(catalog);
}

void RowIndex::TrackDescendants(const PolicyCatalog& catalog) {
  std::vector<std::string> parents;
  for (const auto& [name, kept] : tracked_) {
    if (!kept.info->descendants.empty()) parents.push_back(name);
  }
  for (const std::string& parent_name : parents) {
    const Kept& parent = tracked_.at(parent_name);  // map nodes stay put as tracked_ grows
    for (const std::string& name : parent.info->descendants) {
      const TableInfo* info = catalog.FindQualified(name);
      if (info == nullptr) continue;
      const std::vector<std::string>& key =
          info->primary_key.empty() ? parent.key : info->primary_key;
      if (!std::all_of(key.begin(), key.end(),
                       [&](const std::string& c) { return info->columns.count(c) != 0; })) {
        continue;  // rows cannot be addressed: the parent's copy stays incomplete
      }
      auto [it, added] = tracked_.try_emplace(name);
      Kept& kept = it->second;
      if (added) {
        kept.info = info;
        kept.key = key;
        if (parent.columns.empty()) continue;  // every column, as the parent's
        kept.columns.insert(key.begin(), key.end());
      } else if (kept.columns.empty()) {
        continue;  // already every column
      } else if (parent.columns.empty()) {
        kept.columns.clear();
        continue;
      }
      for (const std::string& c : parent.columns) {
        if (info->columns.count(c)) kept.columns.insert(c);
      }
    }
  }
}

std::optional<std::string> RowIndex::KeyOf(const Kept& kept,
                                           const std::vector<ColumnValue>& columns) {
  std::vector<std::string> texts;
  for (const std::string& k : kept.key) {
    const ColumnValue* found = nullptr;
    for (const ColumnValue& c : columns) {
      if (c.name == k) found = &c;
    }
    if (found == nullptr || !found->text) return std::nullopt;
    texts.push_back(*found->text);
  }
  return EncodeRowIndexKey(texts);
}

bool RowIndex::Apply(const ChangeEvent& e) {
  if (e.action == ChangeAction::kTruncate) {
    for (const std::string& t : e.truncated) {
      if (Tracks(t)) Truncate(t);
    }
    return true;
  }
  if (e.action == ChangeAction::kRowsMissing) {
    for (const std::string& t : e.truncated) {
      if (complete_.erase(t) != 0) {
        changes_.push_back(RowRecord{t, std::string(kCompleteKey), std::nullopt, false});
      }
    }
    return true;
  }
  if (e.action == ChangeAction::kBegin || e.action == ChangeAction::kCommit ||
      e.action == ChangeAction::kMessage) {
    return true;
  }
  const std::string table = e.QualifiedTable();
  auto it = tracked_.find(table);
  if (it == tracked_.end()) return true;
  const Kept& kept = it->second;

  auto keep = [&](const std::vector<ColumnValue>& columns, StoredRow* row) {
    for (const ColumnValue& c : columns) {
      if (c.unavailable) continue;  // an unchanged TOASTed value: the old one stays
      if (kept.columns.empty() || kept.columns.count(c.name)) (*row)[c.name] = c.text;
    }
  };

  switch (e.action) {
    case ChangeAction::kInsert:
    case ChangeAction::kSnapshot: {
      std::optional<std::string> key = KeyOf(kept, e.columns);
      if (!key) return false;
      StoredRow row;
      keep(e.columns, &row);
      Put(table, *key, std::move(row));
      return true;
    }
    case ChangeAction::kUpdate: {
      std::optional<std::string> new_key = KeyOf(kept, e.columns);
      if (!new_key) return false;
      // Without a changed key the identity may be absent: the key is the new row's.
      std::optional<std::string> old_key = KeyOf(kept, e.identity);
      if (!old_key) old_key = new_key;
      StoredRow row;
      auto& rows = tracked_[table].rows;
      if (auto old = rows.find(*old_key); old != rows.end()) row = old->second;
      keep(e.identity, &row);
      keep(e.columns, &row);
      if (*old_key != *new_key) Erase(table, *old_key);
      Put(table, *new_key, std::move(row));
      return true;
    }
    case ChangeAction::kDelete: {
      std::optional<std::string> key = KeyOf(kept, e.identity);
      if (!key) return false;
      Erase(table, *key);
      return true;
    }
    default:
      return true;
  }
}

void RowIndex::Put(const std::string& table, const std::string& key, StoredRow row) {
  changes_.push_back(RowRecord{table, key, EncodeRow(row), false});
  tracked_[table].rows[key] = std::move(row);
}

void RowIndex::Erase(const std::string& table, const std::string& key) {
  changes_.push_back(RowRecord{table, key, std::nullopt, false});
  tracked_[table].rows.erase(key);
}

void RowIndex::Truncate(const std::string& table) {
  changes_.push_back(RowRecord{table, "", std::nullopt, true});
  changes_.push_back(RowRecord{table, std::string(kCompleteKey), std::string("complete"), false});
  tracked_[table].rows.clear();
  complete_.insert(table);
}

const StoredRow* RowIndex::FindIn(const Kept& kept, const std::vector<std::string>& key_columns,
                                  const std::vector<std::string>& key) {
  if (kept.key == key_columns) {
    auto row = kept.rows.find(EncodeRowIndexKey(key));
    return row == kept.rows.end() ? nullptr : &row->second;
  }
  // A descendant keyed otherwise: its rows are searched by the parent's key columns.
  for (const auto& [encoded, row] : kept.rows) {
    bool match = true;
    for (size_t i = 0; i < key_columns.size() && match; ++i) {
      auto it = row.find(key_columns[i]);
      match = it != row.end() && it->second && *it->second == key[i];
    }
    if (match) return &row;
  }
  return nullptr;
}

const StoredRow* RowIndex::Find(std::string_view table, const std::vector<std::string>& key) const {
  auto it = tracked_.find(table);
  if (it == tracked_.end()) return nullptr;
  const Kept& kept = it->second;
  if (const StoredRow* row = FindIn(kept, kept.key, key)) return row;
  for (const std::string& name : kept.info->descendants) {
    auto below = tracked_.find(name);
    if (below == tracked_.end()) continue;
    if (const StoredRow* row = FindIn(below->second, kept.key, key)) return row;
  }
  return nullptr;
}

bool RowIndex::Complete(std::string_view table) const {
  auto it = tracked_.find(table);
  if (it == tracked_.end()) return false;
  // A partitioned table stores no rows: only its partitions' copies need be complete.
  auto complete = [&](const TableInfo& info) {
    return info.partitioned || complete_.count(info.name) != 0;
  };
  if (!complete(*it->second.info)) return false;
  for (const std::string& name : it->second.info->descendants) {
    auto below = tracked_.find(name);
    if (below == tracked_.end() || !complete(*below->second.info)) return false;
  }
  return true;
}

const StoredRow* RowIndex::FindByColumns(std::string_view table,
                                         const std::vector<ColumnValue>& columns) const {
  auto it = tracked_.find(table);
  if (it == tracked_.end()) return nullptr;
  std::optional<std::string> key = KeyOf(it->second, columns);
  if (!key) return nullptr;
  auto row = it->second.rows.find(*key);
  return row == it->second.rows.end() ? nullptr : &row->second;
}

std::vector<const RowMap*> RowIndex::RowSets(std::string_view table) const {
  std::vector<const RowMap*> sets;
  auto it = tracked_.find(table);
  if (it == tracked_.end()) return sets;
  sets.push_back(&it->second.rows);
  for (const std::string& name : it->second.info->descendants) {
    if (auto below = tracked_.find(name); below != tracked_.end()) {
      sets.push_back(&below->second.rows);
    }
  }
  return sets;
}

std::optional<ReplicaView> RowIndex::Replica(std::string_view table) const {
  auto it = tracked_.find(table);
  if (it == tracked_.end()) return std::nullopt;
  ReplicaView view;
  view.row_sets = RowSets(table);
  view.complete = Complete(table);
  const TableInfo* info = it->second.info;
  view.column_type = [info](std::string_view column) -> std::string {
    auto c = info->columns.find(column);
    return c == info->columns.end() ? std::string() : c->second.type;
  };
  return view;
}

std::vector<RowRecord> RowIndex::TakeChanges() {
  std::vector<RowRecord> out;
  out.swap(changes_);
  return out;
}

bool RowIndex::Restore(const RowRecord& record) {
  auto it = tracked_.find(record.table);
  if (it == tracked_.end() || !record.blob) return true;  // the schema no longer needs it
  if (record.key == kCompleteKey) {
    complete_.insert(record.table);
    return true;
  }
  StoredRow row;
  if (!DecodeRow(*record.blob, &row)) return false;
  it->second.rows[record.key] = std::move(row);
  return true;
}

size_t RowIndex::row_count() const {
  size_t n = 0;
  for (const auto& [name, kept] : tracked_) n += kept.rows.size();
  return n;
}

}  // namespace rls_shadow
