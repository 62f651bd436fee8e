#include "analyze/policy_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "analyze/evaluator.h"
#include "analyze/unknown_setting.h"
#include "common/key_bytes.h"

namespace rls_shadow {
namespace {

// A row as far as it is known: column → value. Missing columns are unknown. A row knows a
// handful of columns, so they are kept in one vector and searched in order: a std::map
// allocated a node per column, for every access. The names are borrowed: every row lives within
// one PolicyEvaluator::Evaluate, and its names are the access's, the catalog's or those of the
// stored rows it was typed from, all of which outlive it.
//
// A row's version names its content: a copy shares it, any change (or being moved from) takes
// a new one. So "the same expression on a row of this version" is the same value.
class Row {
 public:
  using Entry = std::pair<std::string_view, Value>;
  using const_iterator = std::vector<Entry>::const_iterator;

  Row() : version_(NextVersion()) {}
  Row(const Row&) = default;
  Row& operator=(const Row&) = default;
  Row(Row&& other) noexcept
      : entries_(std::move(other.entries_)),
        version_(std::exchange(other.version_, NextVersion())) {}
  Row& operator=(Row&& other) noexcept {
    entries_ = std::move(other.entries_);
    version_ = std::exchange(other.version_, NextVersion());
    return *this;
  }

  uint64_t version() const { return version_; }
  const_iterator find(std::string_view column) const {
    return std::find_if(entries_.begin(), entries_.end(),
                        [&](const Entry& e) { return e.first == column; });
  }
  const_iterator end() const { return entries_.end(); }
  size_t count(std::string_view column) const { return find(column) == end() ? 0 : 1; }
  // The value is changed through the reference right away, before anything reads the row.
  Value& operator[](std::string_view column) {
    version_ = NextVersion();
    for (Entry& e : entries_) {
      if (e.first == column) return e.second;
    }
    return entries_.emplace_back(column, Value()).second;
  }
  const_iterator begin() const { return entries_.begin(); }
  // Adds `column` unless the row has it already (as std::map::emplace).
  void emplace(std::string_view column, Value value) {
    if (find(column) != end()) return;
    version_ = NextVersion();
    entries_.emplace_back(column, std::move(value));
  }
  void reserve(size_t n) { entries_.reserve(n); }
  void erase(std::string_view column) {
    auto it = find(column);
    if (it == end()) return;
    version_ = NextVersion();
    entries_.erase(it);
  }

 private:
  // Versions are compared only among the rows of one evaluation, which runs on one thread.
  static uint64_t NextVersion() {
    thread_local uint64_t last = 0;
    return ++last;
  }

  std::vector<Entry> entries_;
  uint64_t version_;
};

// One set of policies: the USING (or, when check, WITH CHECK) expressions of the policies that
// apply to cmd for the access's role.
struct PolicySet {
  PolicyCommand cmd = PolicyCommand::kAll;
  bool check = false;
  bool operator==(const PolicySet&) const = default;
};

// The outcome of one set of policies (e.g. the UPDATE policies' USING) on one row.
struct SetOutcome {
  Predicate result = Predicate::kPass;
  const Policy* deciding = nullptr;  // the restrictive policy that failed, or the policy that
                                     // raised the error; null for a permissive / default deny
  bool deciding_check = false;       // what decided is `deciding`'s WITH CHECK, not its USING
  bool no_permissive = false;
  Value error;  // kError / kIndeterminate: what was raised or undecidable
  // The sets evaluated, in order, each once: their expressions name the tenant. (A set stands
  // for its expressions; a set seen again adds no expression that could come first.)
  std::array<PolicySet, 10> sets;  // 5 commands x USING / WITH CHECK
  size_t set_count = 0;

  void AddSet(PolicySet set) {
    for (size_t i = 0; i < set_count; ++i) {
      if (sets[i] == set) return;
    }
    sets[set_count++] = set;
  }
  void AddSets(const SetOutcome& other) {
    for (size_t i = 0; i < other.set_count; ++i) AddSet(other.sets[i]);
  }
};

// Whether a policy expression of `table` names `column`.
bool IsPolicyColumn(const TableInfo& table, std::string_view column) {
  return std::find(table.policy_columns.begin(), table.policy_columns.end(), column) !=
         table.policy_columns.end();
}

// Which of an access's values an evaluation computes, besides the policy columns': shared by
// AccessEvaluation, which computes them, and VerdictShape, which must encode all it reads.

// Every filter, when an assignment to a policy column reads the old row (SET tenant_id =
// tenant_id || ...): it may read any column the WHERE clause pins.
bool AssignmentReadsOldRow(const TableInfo& table, const TableAccess& access) {
  return std::any_of(access.assignments.begin(), access.assignments.end(), [&](const auto& a) {
    return a.second && IsPolicyColumn(table, a.first) && !IsRowIndependent(*a.second);
  });
}

// Every column of an inserted row, when ON CONFLICT DO UPDATE's assignments may read them
// (excluded.col).
bool InsertReadsEveryColumn(const TableAccess& access) { return !access.assignments.empty(); }

// The column a VALUES item is for: "#n" is the table's n-th column (INSERT without a column
// list).
std::string_view InsertedColumn(const TableInfo& table, std::string_view name) {
  if (name.empty() || name[0] != '#') return name;
  const size_t pos = std::stoul(std::string(name.substr(1)));
  return pos < table.column_order.size() ? std::string_view(table.column_order[pos]) : name;
}

bool CommandMatches(PolicyCommand p, PolicyCommand wanted) {
  return p == PolicyCommand::kAll || p == wanted;
}

class AccessEvaluation {
 public:
  // `current_user` and `session_user` are the session's (SessionState::UsersView), `role` the
  // one whose policies apply. With `reads`, every setting and parameter the evaluation reads is
  // noted there.
  AccessEvaluation(const PolicyCatalog& catalog, const TableInfo& table, const TableAccess& access,
                   const AccessContext& ctx, std::string_view current_user,
                   std::string_view session_user, std::string_view role, VerdictMemo::Reads* reads)
      : catalog_(catalog), table_(table), access_(access), ctx_(ctx), reads_(reads), role_(role) {
    inputs_.current_user = current_user;
    inputs_.session_user = session_user;
    inputs_.setting = [this](std::string_view name) { return Setting(name); };
    inputs_.params = ctx.params;
    if (catalog.has_domains()) inputs_.domains = &catalog.domains();
    if (reads != nullptr) inputs_.params_read = &reads->params;
    inputs_.column_type = [this](std::string_view col) -> std::pair<std::string, bool> {
      auto it = table_.columns.find(col);
      if (it == table_.columns.end()) return {"", false};
      return {it->second.type, it->second.not_null};
    };
    if (ctx.rows != nullptr) {
      inputs_.replica = [rows = ctx.rows](std::string_view t) { return rows->Replica(t); };
    }
  }

  std::string_view role() const { return role_; }

  // The session's value of setting `name` (SessionState::SettingView). The session does not
  // change while the access is evaluated, and its policies read the same setting again and
  // again (each set of policies, each row): the last one read is remembered.
  std::optional<std::string_view> Setting(std::string_view name) const {
    const std::string_view cached(setting_name_.data(), setting_name_size_);
    if (setting_name_size_ != 0 && name == cached) return setting_value_;
    if (reads_ != nullptr) reads_->AddSetting(name);
    setting_value_ = ctx_.session->SettingView(name);
    // The name is kept in place (no allocation per access); a longer one is not remembered.
    setting_name_size_ = name.size() <= setting_name_.size() ? name.size() : 0;
    std::copy_n(name.data(), setting_name_size_, setting_name_.data());
    return setting_value_;
  }

  // Evaluates a row-independent value expression (a filter value, an assigned value) with the
  // row `row` for column references, coerced to the column's type.
  Value ValueFor(std::string_view column, const Expr* e, const Row* row,
                 const Row* excluded) const {
    const RowLookup lookup = [&](const Expr& c) -> const Value* {
      // A column of another relation (UPDATE ... FROM's, a MERGE's source) is not the
      // target's, whatever its name: unknown.
      const Row* source = c.qualifier.empty()         ? row
                          : c.qualifier == "excluded" ? excluded
                          : c.qualifier == access_.alias || c.qualifier == access_.relname
                              ? row
                              : nullptr;
      if (source == nullptr) return nullptr;
      auto it = source->find(c.name);
      return it == source->end() ? nullptr : &it->second;
    };
    Evaluator eval(inputs_, &lookup);
    const auto it = table_.columns.find(column);
    if (e != nullptr && it != table_.columns.end()) {
      if (std::optional<Value> kept = eval.KeptTextAs(*e, it->second.type)) return *std::move(kept);
    }
    Value v;
    if (e == nullptr) {
      if (it == table_.columns.end() || !it->second.default_expr) return Value::Null();
      v = eval.Eval(*it->second.default_expr);
    } else {
      v = eval.Eval(*e);
    }
    if (it != table_.columns.end() && !it->second.type.empty() && (v.is_known())) {
      const std::string& type = it->second.type;
      // A cast to a scalar type the evaluator knows always decides; then v is not needed after.
      if (Evaluator::CastDecides(type)) return Evaluator::Cast(std::move(v), type);
      Value cast = Evaluator::Cast(v, type);
      if (!cast.is_indeterminate()) return cast;
    }
    return v;
  }

  // The rows the access's WHERE pins down: filter columns with known values. Only the columns
  // something may read are evaluated: the policies' columns; every column when the row index
  // matches stored rows by their values, or when an assignment Assigned evaluates (one to a
  // policy column) may read the old row (SET tenant_id = other_col::uuid).
  Row FilterRow() const {
    const bool all = ctx_.rows != nullptr || AssignmentReadsOldRow(table_, access_);
    Row row;
    row.reserve(access_.filters.size());
    for (const auto& [col, e] : access_.filters) {
      if (!all && !IsPolicyColumn(col)) continue;
      Value v = ValueFor(col, e.get(), nullptr, nullptr);
      // An invalid literal fails regardless.
      if (v.is_known() || v.is_null()) row[col] = std::move(v);
    }
    return row;
  }

  // `filter` completed with the indexed row it pins by primary key, when the row index has
  // it; `filter` unchanged otherwise (moved through, not copied), or when a filter contradicts
  // the kept row (the statement then matches nothing the index knows of: it is left to the
  // symbolic verdict).
  Row WithIndexedRow(Row filter) const {
    if (ctx_.rows == nullptr || table_.primary_key.empty()) return filter;
    std::vector<std::string> key;
    for (const std::string& k : table_.primary_key) {
      auto it = filter.find(k);
      if (it == filter.end() || !it->second.is_known()) return filter;
      key.push_back(it->second.text);
    }
    const StoredRow* stored = ctx_.rows->Find(table_.name, key);
    if (stored == nullptr) return filter;
    Row row = filter;
    for (auto& [col, v] : Typed(*stored)) {
      auto it = row.find(col);
      if (it == row.end()) {
        row.emplace(col, std::move(v));
      } else if (it->second.is_null() != v.is_null() ||
                 (v.is_known() && it->second.text != v.text)) {
        return filter;
      }
    }
    return row;
  }

  // A read the text leaves row-dependent, decided over the table's rows when the row index
  // holds all of them: allowed when every row that may match the filters passes; when the
  // access reads every matching row (reads_all_matching), the worst of the rows that surely
  // match decides. nullopt when the index cannot tell. Filter values are compared with the
  // stored text only for types whose text form is canonical; other filters may match.
  std::optional<std::pair<SetOutcome, Row>> ScanIndexed(const Row& filter_row) const {
    if (ctx_.rows == nullptr) return std::nullopt;
    const bool complete = ctx_.rows->Complete(table_.name);
    // The rows that may match: those a key list names (WHERE id IN (...) / = ANY(...)), else
    // every row of a completely known table.
    std::vector<const StoredRow*> candidates;
    bool all_candidates_known = true;  // no row that may match is missing from `candidates`
    if (std::optional<std::vector<std::string>> keys = ListedKeys()) {
      for (const std::string& key : *keys) {
        if (const StoredRow* row = ctx_.rows->Find(table_.name, {key})) {
          candidates.push_back(row);
        } else {
          all_candidates_known = all_candidates_known && complete;  // no such row, if complete
        }
      }
    } else if (complete) {
      for (const RowMap* rows : ctx_.rows->RowSets(table_.name)) {
        for (const auto& [key, stored] : *rows) candidates.push_back(&stored);
      }
    } else {
      return std::nullopt;
    }
    std::optional<std::pair<SetOutcome, Row>> worst;
    bool only_certain_failures = true;
    for (const StoredRow* stored : candidates) {
      Row row = Typed(*stored);
      bool certain = true;
      bool excluded = false;
      for (const auto& [col, want] : filter_row) {
        auto it = row.find(col);
        auto info = table_.columns.find(col);
        if (it == row.end() || info == table_.columns.end() ||
            !HasCanonicalText(info->second.type)) {
          certain = false;  // not kept, or not comparable as text: it may match
          continue;
        }
        if (want.is_null() || it->second.is_null() || want.text != it->second.text) {
          excluded = true;  // col = NULL matches nothing; other values differ
          break;
        }
      }
      if (excluded) continue;
      for (const auto& [col, want] : filter_row) row.emplace(col, want);
      SetOutcome o = Filter(PolicyCommand::kSelect, access_.locking, row, PolicyCommand::kUpdate);
      if (o.result == Predicate::kPass) continue;
      only_certain_failures = only_certain_failures && certain;
      if (!worst || o.result == Predicate::kError ||
          (o.result == Predicate::kFail && worst->first.result != Predicate::kError)) {
        worst.emplace(o, row);
      }
    }
    if (!worst) {
      if (!all_candidates_known) return std::nullopt;   // a row not kept might fail
      return std::make_pair(SetOutcome{}, filter_row);  // every row passes
    }
    if (!access_.reads_all_matching || !only_certain_failures ||
        worst->first.result == Predicate::kRowDependent) {
      return std::nullopt;
    }
    return worst;
  }

  // The primary key texts a single-column key's list filter names (WHERE id IN (1, 2),
  // id = ANY($1)); nullopt when there is none or a value is not known. NULL items match no row.
  std::optional<std::vector<std::string>> ListedKeys() const {
    if (table_.primary_key.size() != 1) return std::nullopt;
    const std::string& pk = table_.primary_key[0];
    auto info = table_.columns.find(pk);
    if (info == table_.columns.end() || !HasCanonicalText(info->second.type)) return std::nullopt;
    Evaluator eval(inputs_);
    for (const auto& [col, list] : access_.list_filters) {
      if (col != pk || !list) continue;
      std::vector<Value> items;
      if (list->kind == Expr::Kind::kArray) {
        for (const ExprPtr& item : list->args) items.push_back(eval.Eval(*item));
      } else {
        Value array = eval.Eval(*list);
        if (!array.is_known()) return std::nullopt;
        auto parsed = ParseArrayLiteral(array.text);
        if (!parsed) return std::nullopt;
        for (const auto& text : *parsed) {
          items.push_back(text ? Value::Known(*text, "") : Value::Null());
        }
      }
      std::vector<std::string> keys;
      for (const Value& item : items) {
        if (item.is_null()) continue;
        if (!item.is_known()) return std::nullopt;
        Value cast = Evaluator::Cast(item, info->second.type);
        if (!cast.is_known()) return std::nullopt;
        keys.push_back(cast.text);
      }
      return keys;
    }
    return std::nullopt;
  }

  // A row from the change stream, typed with the table's declared column types.
  Row Typed(const StoredRow& stored) const {
    Row row;
    for (const auto& [col, text] : stored) {
      auto info = table_.columns.find(col);
      const std::string type = info == table_.columns.end() ? "" : info->second.type;
      row.emplace(col, text ? Value::Known(*text, type) : Value::Null());
    }
    return row;
  }

  // The new rows of an INSERT ... VALUES. Only the columns something may read are evaluated:
  // the policies' columns; every column when ON CONFLICT DO UPDATE's assignments may read them
  // (excluded.col). So a value no policy reads (an amount, a payload parameter) is not computed.
  std::vector<Row> InsertRows() const {
    const bool all = InsertReadsEveryColumn(access_);
    std::vector<Row> rows;
    for (const auto& values : access_.rows) {
      Row row;
      for (size_t i = 0; i < values.size(); ++i) {
        const std::string_view col = InsertedColumn(table_, values[i].first);
        if (!all && !IsPolicyColumn(col)) continue;
        row[col] = ValueFor(col, values[i].second.get(), nullptr, nullptr);
      }
      // Columns not listed take their DEFAULT (evaluated in the session), else NULL.
      for (const auto& [col, info] : table_.columns) {
        if (!all && !IsPolicyColumn(col)) continue;
        if (!row.count(col)) row[col] = ValueFor(col, nullptr, nullptr, nullptr);
      }
      RunBeforeTriggers(TableInfo::Trigger::kInsert, &row, nullptr);
      ComputeGenerated(&row);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  // The new row of an INSERT whose rows are not known (INSERT ... SELECT): every column
  // unknown, but what the triggers set from the context.
  Row UnknownInsertRow() const {
    Row row;
    RunBeforeTriggers(TableInfo::Trigger::kInsert, &row, nullptr);
    ComputeGenerated(&row);
    return row;
  }

  // Stored generated columns, computed from the new row as PostgreSQL does after the BEFORE
  // ROW triggers and before the checks; unknown when a column they read is. Only those the
  // policies read.
  void ComputeGenerated(Row* row) const {
    for (const std::string& col : table_.generated_policy_columns) {
      Value v = ValueFor(col, table_.columns.at(col).generated_expr.get(), row, nullptr);
      if (v.is_unknown()) {
        row->erase(col);
      } else {
        (*row)[col] = std::move(v);
      }
    }
  }

  // Runs, on a new row, the enabled BEFORE ROW triggers for `event` in the order PostgreSQL
  // fires them (by name, as TableInfo keeps them): PostgreSQL checks the row the triggers return,
  // and a trigger filling tenant_id from the context is common. A trigger whose function cannot be
  // run (TriggerProgram) makes the columns it may change unknown. `old_row` is an UPDATE's old row.
  void RunBeforeTriggers(int event, Row* row, const Row* old_row) const {
    // The row may be routed to a partition with triggers of its own, which fire among the
    // parent's (by name, on the partition) in an order rls-shadow cannot tell without the
    // partition: whatever any of them may assign is unknown. An UPDATE moving a row to another
    // partition inserts it there, firing that partition's INSERT triggers.
    constexpr int kInsert = TableInfo::Trigger::kInsert;
    const bool moves =
        event == TableInfo::Trigger::kUpdate && catalog_.TriggersBelow(table_, kInsert);
    if (moves || catalog_.TriggersBelow(table_, event)) {
      catalog_.BeforeRowChanges(table_, event).ForgetIn(row);
      if (moves) catalog_.BeforeRowChanges(table_, kInsert).ForgetIn(row);
      return;
    }
    for (const TableInfo::Trigger& t : table_.triggers) {  // in firing order
      if (!t.ChangesNewRow(event) || !FiresFor(t, event)) continue;
      if (!t.program) {
        catalog_.TriggerChanges(t.function).ForgetIn(row);
        continue;
      }
      RunTrigger(*t.program, event, row, old_row);
    }
  }

  // UPDATE OF columns: the trigger fires for an UPDATE only when one of them is a SET target.
  bool FiresFor(const TableInfo::Trigger& t, int event) const {
    if (event != TableInfo::Trigger::kUpdate || t.update_columns.empty()) return true;
    return std::any_of(access_.assignments.begin(), access_.assignments.end(), [&](const auto& a) {
      return std::find(t.update_columns.begin(), t.update_columns.end(), a.first) !=
             t.update_columns.end();
    });
  }

  void RunTrigger(const TriggerProgram& program, int event, Row* row, const Row* old_row) const {
    auto value_in = [](const Row* r, std::string_view column) -> const Value* {
      if (r == nullptr) return nullptr;
      auto it = r->find(column);
      return it == r->end() ? nullptr : &it->second;
    };
    auto new_value = [&](std::string_view column) { return value_in(row, column); };
    auto old_value = [&](std::string_view column) { return value_in(old_row, column); };
    auto column_type = [&](std::string_view column) -> std::string_view {
      auto it = table_.columns.find(column);
      return it == table_.columns.end() ? std::string_view() : std::string_view(it->second.type);
    };
    // The names are the program's, which the catalog keeps (a Row borrows its names).
    auto set = [&](std::string_view column, Value v) { (*row)[column] = std::move(v); };
    auto forget = [&](std::string_view column) { row->erase(column); };
    const TriggerRow trigger_row{
        .tg_op = event == TableInfo::Trigger::kInsert ? "INSERT" : "UPDATE",
        .new_value = new_value,
        .old_value = old_value,
        .column_type = column_type,
        .set = set,
        .forget = forget,
    };
    RunTriggerProgram(program, inputs_, trigger_row);
  }

  // `base` with the access's assignments applied (UPDATE SET / ON CONFLICT DO UPDATE SET).
  // Only assignments to the policies' columns are evaluated: the new row is read by policies
  // (and the tenant by their columns), nothing else.
  Row Assigned(const Row& base, const Row* excluded) const {
    Row row = base;
    for (const auto& [col, e] : access_.assignments) {
      if (!IsPolicyColumn(col)) continue;
      if (e == nullptr) {
        row[col] = ValueFor(col, nullptr, &base, excluded);
        continue;
      }
      Value v = ValueFor(col, e.get(), &base, excluded);
      if (v.is_unknown() || v.is_indeterminate()) {
        row.erase(col);  // depends on the old row: unknown
      } else {
        row[col] = v;
      }
    }
    RunBeforeTriggers(TableInfo::Trigger::kUpdate, &row, &base);
    ComputeGenerated(&row);
    return row;
  }

  // The same evaluation for another access of the statement: a MERGE's action, which writes
  // the same table in the same session.
  AccessEvaluation For(const TableAccess& access) const {
    return AccessEvaluation(catalog_, table_, access, ctx_, inputs_.current_user,
                            inputs_.session_user, role_, reads_);
  }

  // Whether a policy expression of the table names `column`: only those of a row are read.
  bool IsPolicyColumn(std::string_view column) const {
    return rls_shadow::IsPolicyColumn(table_, column);
  }

  bool Applies(const Policy& p, PolicyCommand cmd) const {
    if (!CommandMatches(p.command, cmd)) return false;
    return std::any_of(p.roles.begin(), p.roles.end(), [&](const std::string& r) {
      return r == std::string_view("public") || catalog_.HasPrivsOfRole(role_, r);
    });
  }

  // The value of policy expression `e` (null: TRUE) on `row`, evaluated once per row version:
  // a command's policies and SELECT's are mostly the same FOR ALL policies read on the same
  // row (UPDATE's USING and SELECT's; its WITH CHECK on a new row no assignment changed), and
  // nothing else an expression reads changes while the access is evaluated. The reference
  // holds until the next call.
  const Value& PolicyValue(const Expr* e, const Row& row, const Evaluator& eval,
                           bool in_order) const {
    // USING (true), the permissive policy beside every restrictive one, needs no evaluation
    // and no memo slot.
    static const Value kTrue = Value::Bool(true);
    static const Value kFalse = Value::Bool(false);
    if (e == nullptr) return kTrue;
    if (e->kind == Expr::Kind::kBool) return e->text == "t" ? kTrue : kFalse;
    for (size_t i = 0; i < memo_size_; ++i) {
      const Memo& m = memo_[i];
      if (m.expr != e || m.row_version != row.version()) continue;
      // Planning's value is the executor's too unless an operand raised or was undecidable
      // (the executor might have stopped before it): a WITH CHECK on a row USING has just
      // read shares it.
      if (m.in_order == in_order ||
          (in_order && !m.value.is_error() && !m.value.is_indeterminate())) {
        return m.value;
      }
    }
    Memo& m = memo_[memo_next_];
    memo_next_ = (memo_next_ + 1) % memo_.size();
    if (memo_size_ < memo_.size()) ++memo_size_;
    m.expr = e;
    m.row_version = row.version();
    m.in_order = in_order;
    m.value = eval.Eval(*e);
    return m.value;
  }

  // Evaluates the policies for `cmd` on `row`: USING when !check, else WITH CHECK (defaulting
  // to USING). Permissive policies are OR-ed, restrictive ones AND-ed. `at_execution`: checked
  // on a new row as the executor does (TableInfo::check_order), where an error is raised only
  // if reached; else as a scan's quals, which planning estimates (and fails on) whole.
  SetOutcome EvaluateSet(PolicyCommand cmd, bool check, const Row& row,
                         bool at_execution = false) const {
    SetOutcome out = EvaluatePolicies(cmd, check, row, at_execution);
    out.deciding_check = check && out.deciding != nullptr && out.deciding->check_expr != nullptr;
    return out;
  }
  // EvaluateSet but for deciding_check.
  SetOutcome EvaluatePolicies(PolicyCommand cmd, bool check, const Row& row,
                              bool at_execution) const {
    SetOutcome out;
    out.AddSet(PolicySet{cmd, check});
    const RowLookup lookup = [&](const Expr& c) -> const Value* {
      auto it = row.find(c.name);
      return it == row.end() ? nullptr : &it->second;
    };
    Evaluator eval(inputs_, &lookup);
    eval.set_in_order(at_execution);
    uint8_t permissive = kMaybeFalse;  // truth set of the OR of permissive policies
    bool any_permissive = false;
    const Policy* first_permissive = nullptr;
    const Policy* first_passing_permissive = nullptr;
    const Policy* first_uncertain_permissive = nullptr;
    std::optional<std::pair<const Policy*, Value>> absorbing;
    // Restrictive policies in order: the first that certainly fails, the first that may fail.
    const Policy* first_failing_restrictive = nullptr;
    const Policy* first_uncertain_restrictive = nullptr;
    for (size_t i = 0; i < table_.policies.size(); ++i) {
      const Policy& p = table_.policies[at_execution ? table_.check_order[i] : i];
      if (!Applies(p, cmd)) continue;
      if (at_execution && !absorbing) {
        // The permissive policies' OR stops at the first that passes; the restrictive ones run
        // only when that OR passed, and stop at the first that fails (42501).
        if (p.permissive ? permissive == kMaybeTrue
                         : (!(permissive & kMaybeTrue) || first_failing_restrictive != nullptr)) {
          continue;
        }
      }
      const Expr* e = check && p.check_expr ? p.check_expr.get() : p.using_expr.get();
      const Value& v = PolicyValue(e, row, eval, at_execution);
      if (v.is_error() || v.is_indeterminate()) {
        if (!absorbing || (v.is_error() && !absorbing->second.is_error())) {
          absorbing.emplace(&p, v);
        }
        continue;
      }
      uint8_t t = v.is_null()    ? kMaybeNull
                  : v.is_known() ? (v.text == std::string_view("t") ? kMaybeTrue : kMaybeFalse)
                                 : v.possible;
      if (p.permissive) {
        if (!any_permissive) first_permissive = &p;
        any_permissive = true;
        if (t == kMaybeTrue && first_passing_permissive == nullptr) first_passing_permissive = &p;
        if ((t & kMaybeTrue) && first_uncertain_permissive == nullptr) {
          first_uncertain_permissive = &p;
        }
        permissive = CombineTruth(permissive, t, /*is_and=*/false);
      } else if (!(t & kMaybeTrue)) {
        if (first_failing_restrictive == nullptr) first_failing_restrictive = &p;
      } else if (t != kMaybeTrue) {
        if (first_uncertain_restrictive == nullptr) first_uncertain_restrictive = &p;
      }
    }
    if (absorbing) {
      out.result = absorbing->second.is_error() ? Predicate::kError : Predicate::kIndeterminate;
      out.deciding = absorbing->first;
      out.error = absorbing->second;
      return out;
    }
    if (!any_permissive) {
      out.result = Predicate::kFail;
      out.no_permissive = true;
      return out;
    }
    // The OR of permissive policies: certainly true when one is; certainly not when none may be.
    bool perm_true = (permissive == kMaybeTrue);
    bool perm_may = (permissive & kMaybeTrue) != 0;
    if (!perm_may) {
      out.result = Predicate::kFail;
      out.deciding = first_permissive;
      return out;
    }
    // The policy that decides: a restrictive one that fails or may fail, else the permissive
    // ones (named by the first that passes, or may pass).
    if (first_failing_restrictive != nullptr) {
      out.result = Predicate::kFail;
      out.deciding = first_failing_restrictive;
      return out;
    }
    const bool all_true = perm_true && first_uncertain_restrictive == nullptr;
    const Policy* uncertain = perm_true ? nullptr : first_uncertain_permissive;
    if (uncertain == nullptr) uncertain = first_uncertain_restrictive;
    out.result = all_true ? Predicate::kPass : Predicate::kRowDependent;
    out.deciding = all_true ? first_passing_permissive : uncertain;
    return out;
  }

  // The USING of `cmd`'s policies on `row`, and SELECT's too when `with_select` (a command
  // that reads columns, or a locking read).
  SetOutcome Filter(PolicyCommand cmd, bool with_select, const Row& row,
                    PolicyCommand also = PolicyCommand::kSelect) const {
    SetOutcome f = EvaluateSet(cmd, false, row);
    return with_select ? Both(f, EvaluateSet(also, false, row)) : f;
  }
  // The WITH CHECK of `cmd`'s policies on a new row, and SELECT's USING when `with_select`.
  SetOutcome Check(PolicyCommand cmd, bool with_select, const Row& row) const {
    SetOutcome c = EvaluateSet(cmd, true, row, /*at_execution=*/true);
    return with_select ? Both(c, EvaluateSet(PolicyCommand::kSelect, false, row, true)) : c;
  }
  // ON CONFLICT DO UPDATE's check of the existing row: the UPDATE and SELECT policies' USING,
  // which the executor runs on the row it found (a check option, not a scan's qual: no plan
  // estimates it). Checked on 15.18: `admin OR tenant = ''::uuid` lets an admin's upsert of an
  // existing row through.
  SetOutcome ExistingRowCheck(const Row& row) const {
    return Both(EvaluateSet(PolicyCommand::kUpdate, false, row, /*at_execution=*/true),
                EvaluateSet(PolicyCommand::kSelect, false, row, /*at_execution=*/true));
  }

  // Both sets must pass (e.g. UPDATE USING and SELECT USING): the first failure decides.
  static SetOutcome Both(const SetOutcome& a, const SetOutcome& b) {
    auto rank = [](Predicate p) {
      switch (p) {
        case Predicate::kError:
          return 4;
        case Predicate::kFail:
          return 3;
        case Predicate::kIndeterminate:
          return 2;
        case Predicate::kRowDependent:
          return 1;
        case Predicate::kPass:
          return 0;
      }
      return 0;
    };
    SetOutcome out = rank(b.result) > rank(a.result) ? b : a;
    out.set_count = 0;
    out.AddSets(a);
    out.AddSets(b);
    return out;
  }

  // Calls fn(expr, first setting expr reads or null) for each expression `o` evaluated, in
  // evaluation order, until fn returns true.
  template <typename Fn>
  void ForEachExpr(const SetOutcome& o, Fn fn) const {
    for (size_t i = 0; i < o.set_count; ++i) {
      const PolicySet& set = o.sets[i];
      for (const Policy& p : table_.policies) {
        if (!Applies(p, set.cmd)) continue;
        const bool use_check = set.check && p.check_expr;
        const Expr* e = use_check ? p.check_expr.get() : p.using_expr.get();
        if (e != nullptr && fn(*e, use_check ? p.check_setting : p.using_setting)) return;
      }
    }
  }

 private:
  const PolicyCatalog& catalog_;
  const TableInfo& table_;
  const TableAccess& access_;
  const AccessContext& ctx_;
  VerdictMemo::Reads* reads_;
  std::string_view role_;  // the session's or the context's: both outlive the evaluation
  EvalInputs inputs_;
  struct Memo {
    const Expr* expr = nullptr;
    uint64_t row_version = 0;
    bool in_order = false;
    Value value;
  };
  mutable std::array<Memo, 4> memo_;  // PolicyValue's, reused in turn
  mutable size_t memo_size_ = 0;
  mutable size_t memo_next_ = 0;
  mutable std::array<char, 64> setting_name_;
  mutable size_t setting_name_size_ = 0;  // 0: nothing remembered
  mutable std::optional<std::string_view> setting_value_;
};

// The value of the first column `e` references (pre-order, as CollectColumns lists them) that
// `row` knows; null when none.
const Value* FirstKnownColumn(const Expr& e, const Row& row) {
  if (e.kind == Expr::Kind::kColumn) {
    auto it = row.find(e.name);
    if (it != row.end() && it->second.is_known()) return &it->second;
  }
  for (const auto& a : e.args) {
    if (const Value* v = FirstKnownColumn(*a, row)) return v;
  }
  return nullptr;
}

// `which` is the row PostgreSQL names: "new", or "target" (a MERGE action's existing row).
std::string CheckViolation(const SetOutcome& o, const std::string& relname, bool using_expr,
                           std::string_view which = "new") {
  std::string kind = using_expr ? " (USING expression)" : "";
  if (o.deciding != nullptr && !o.deciding->permissive) {
    return fmt::format("{} row violates row-level security policy \"{}\"{} for table \"{}\"", which,
                       o.deciding->name, kind, relname);
  }
  return fmt::format("{} row violates row-level security policy{} for table \"{}\"", which, kind,
                     relname);
}

// Context is stale when it was set in an earlier transaction by another job: a different lane,
// or a different code path, each compared only when both statements name one.
bool IsStale(const SettingOrigin& origin, const AccessContext& ctx, const SessionState& session) {
  if (origin.transaction == session.transaction_serial()) return false;
  bool other_lane = !origin.lane.empty() && !ctx.lane.empty() && origin.lane != ctx.lane;
  bool other_code =
      !origin.code_path.empty() && !ctx.code_path.empty() && origin.code_path != ctx.code_path;
  return other_lane || other_code;
}

}  // namespace

bool PolicyEvaluator::Evaluate(const TableAccess& access, const AccessContext& ctx, Finding* out,
                               const std::vector<ObservedChange>* observed) const {
  return Evaluate(catalog_.FindTable(access.schema, access.relname), access, ctx, out, observed);
}

namespace {

// The parts of `access` Judge reads when the session is all else it reads (no row index, no
// changed rows), encoded: accesses to `table` that encode alike reach the same verdict in the
// same session, so VerdictMemo keeps one verdict for them all. Whatever Judge comes to read of
// an access must be encoded here. The filters, rows and assignments are those of the columns it
// evaluates (FilterRow, InsertRows, Assigned): another column's value is never computed. Left
// out: what only the row index reads (list_filters, reads_all_matching) and what nothing reads
// (alias).
std::string VerdictShape(const TableInfo& table, const TableAccess& access) {
  std::string out;
  auto text = [&](std::string_view t) { common::AppendKeyText(&out, t); };
  auto number = [&](uint64_t n) { common::AppendKeyWord(&out, n); };
  text(table.name);
  text(access.schema);
  text(access.relname);
  number(static_cast<uint64_t>(access.command));
  number(static_cast<uint64_t>(access.on_conflict));
  out.push_back(static_cast<char>(access.locking | (access.reads_columns << 1) |
                                  (access.returning << 2) | (access.rows_known << 3) |
                                  (access.plan_only << 4)));
  text(access.unsupported);
  number(access.conflict_columns.size());
  for (const std::string& column : access.conflict_columns) text(column);

  // FilterRow (ctx.rows is never set with the memo).
  const bool all_filters = AssignmentReadsOldRow(table, access);
  for (const auto& [column, e] : access.filters) {
    if (!all_filters && !IsPolicyColumn(table, column)) continue;
    out.push_back('f');
    text(column);
    AppendExprKey(e.get(), &out);
  }
  // InsertRows.
  const bool all_columns = InsertReadsEveryColumn(access);
  out.push_back(all_columns ? 'A' : 'a');
  number(access.rows.size());
  for (const ColumnValues& row : access.rows) {
    out.push_back('r');
    for (const auto& [name, e] : row) {
      const std::string_view column = InsertedColumn(table, name);
      if (!all_columns && !IsPolicyColumn(table, column)) continue;
      text(column);
      AppendExprKey(e.get(), &out);
    }
  }
  // Assigned: the assignments to policy columns.
  for (const auto& [column, e] : access.assignments) {
    if (!IsPolicyColumn(table, column)) continue;
    out.push_back('s');
    text(column);
    AppendExprKey(e.get(), &out);
  }
  // MERGE's actions, each as its own access.
  for (const TableAccess& action : access.merge_actions) {
    out.push_back(action.merge_matched ? 'M' : 'N');
    text(VerdictShape(table, action));
  }
  return out;
}

// MERGE (checked on 15.18). The SELECT policies filter the target's rows as the join reads
// them, as a scan's quals (planning estimates them, and fails on them whole): a row they hide
// does not match, and goes to WHEN NOT MATCHED. Each action checks, as the executor reaches it,
// the row it writes: UPDATE and DELETE their policies' USING on the matched row, raising an
// error rather than skipping it ("target row violates ... (USING expression)"), then UPDATE its
// WITH CHECK and SELECT's USING on the new row; INSERT its WITH CHECK alone. Which action a
// source row takes depends on the target's rows, which the log does not show: an action that
// would fail makes the verdict row_dependent, never error; where no row is visible, WHEN
// MATCHED never runs. Returns the row the tenant is read from; sets *decisive and *effect, and
// *sqlstate and *detail where it names them.
Row JudgeMerge(const AccessEvaluation& ev, const TableAccess& access, const Row& target_row,
               SetOutcome* decisive, Effect* effect, std::string* sqlstate, std::string* detail) {
  *decisive = ev.Filter(PolicyCommand::kSelect, false, target_row);
  switch (decisive->result) {
    case Predicate::kError:
      *effect = Effect::kError;
      return target_row;
    case Predicate::kIndeterminate:
      *effect = Effect::kIndeterminate;
      return target_row;
    default:
      break;
  }
  const SetOutcome visible = *decisive;
  bool inserts = false;
  std::optional<SetOutcome> first_failing;  // the first action that may not pass
  std::string failing_detail;
  Row failing_row = target_row;
  for (const TableAccess& action : access.merge_actions) {
    if (action.merge_matched && visible.result == Predicate::kFail) continue;
    const AccessEvaluation action_ev = ev.For(action);
    SetOutcome o;
    Row row = target_row;
    bool target_check = false;
    if (action.command == Command::kInsert) {
      inserts = true;
      row = std::move(action_ev.InsertRows().front());
      o = action_ev.Check(PolicyCommand::kInsert, false, row);
    } else {
      const PolicyCommand cmd =
          action.command == Command::kUpdate ? PolicyCommand::kUpdate : PolicyCommand::kDelete;
      o = action_ev.EvaluateSet(cmd, false, target_row, /*at_execution=*/true);
      target_check = true;
      if (o.result == Predicate::kPass && action.command == Command::kUpdate) {
        row = action_ev.Assigned(target_row, nullptr);
        o = action_ev.Check(PolicyCommand::kUpdate, true, row);
        target_check = false;
      }
    }
    if (o.result == Predicate::kIndeterminate) {
      *decisive = o;
      *effect = Effect::kIndeterminate;
      return row;
    }
    if (o.result != Predicate::kPass && !first_failing) {
      first_failing = o;
      failing_row = std::move(row);
      if (o.result == Predicate::kFail) {
        failing_detail =
            CheckViolation(o, access.relname, target_check, target_check ? "target" : "new") +
            " (if a row takes this action)";
      }
    }
  }
  if (visible.result == Predicate::kFail) {
    // No row of the target is visible: none matches. Without an INSERT action, whatever the
    // shadow run merged is lost; with one, the rows that matched would be inserted instead.
    *effect = inserts ? Effect::kRowDependent : Effect::kFiltered;
    if (inserts)
      *detail = "rows the SELECT policies hide would not match: WHEN NOT MATCHED takes them";
    return target_row;
  }
  if (!first_failing) {
    *effect = visible.result == Predicate::kPass ? Effect::kAllow : Effect::kRowDependent;
    return target_row;
  }
  *decisive = *first_failing;
  *effect = Effect::kRowDependent;
  if (first_failing->result == Predicate::kFail) *sqlstate = "42501";
  *detail = failing_detail;
  return failing_row;
}

constexpr std::string_view kRaisedIfARowIsReached =
    " (if a row reaches the policy: its subquery is computed at execution)";

// Sets out's policy, tenant, effect, cause, sqlstate and detail for an access to an RLS table:
// all of the verdict but a denial's cause, which is left to DenialCause (cause_pending).
DenialFacts Judge(const PolicyCatalog& catalog, const AnalyzerConfig& config,
                  const AccessEvaluation& ev, const TableInfo* table, const TableAccess& access,
                  const AccessContext& ctx, const std::vector<ObservedChange>* observed,
                  Finding* out) {
  DenialFacts facts;
  out->policy.clear();
  out->tenant.clear();
  out->sqlstate.clear();
  out->detail.clear();
  out->effect = Effect::kAllow;
  out->cause = Cause::kNone;

  // TRUNCATE is not subject to RLS: it removes every tenant's rows (PG_SEMANTICS B7).
  if (access.command == Command::kTruncate) return facts;

  const RoleInfo* role = catalog.FindRole(ev.role());
  if (role != nullptr && (role->superuser || role->bypassrls)) return facts;

  const bool is_owner = !table->owner.empty() && catalog.HasPrivsOfRole(ev.role(), table->owner);
  if (is_owner && !table->rls_forced) {
    out->cause = Cause::kOwnerBypass;  // allowed, but only because the table is not forced
    return facts;
  }

  auto deny = [&](Effect effect, Cause cause, std::string sqlstate, std::string detail) {
    out->effect = effect;
    out->cause = cause;
    out->sqlstate = std::move(sqlstate);
    out->detail = std::move(detail);
  };
  if (ctx.session->RowSecurityOff()) {
    deny(Effect::kError, Cause::kRowSecurityOff, "42501",
         fmt::format("query would be affected by row-level security policy for table \"{}\"",
                     access.relname));
    return facts;
  }
  if (access.command == Command::kCopyFrom) {
    deny(Effect::kError, Cause::kCopyFromRls, "0A000",
         "COPY FROM not supported with row-level security");
    return facts;
  }
  if (!access.unsupported.empty()) {
    deny(Effect::kIndeterminate, Cause::kUnsupported, "", access.unsupported);
    return facts;
  }
  if (ctx.settings_changed_in_statement) {
    deny(Effect::kIndeterminate, Cause::kUnsupported, "",
         "set_config() in the same statement as the access");
    return facts;
  }

  // Evaluate the policy sets this command involves, in PostgreSQL's order.
  SetOutcome decisive;
  Effect effect = Effect::kAllow;
  std::string sqlstate;
  std::string detail;
  const Row filter_row = ev.WithIndexedRow(ev.FilterRow());
  // The row the tenant is read from: the filter row, unless a command replaces it.
  const Row* tenant_row = &filter_row;
  Row tenant_row_storage;
  std::vector<Row> insert_rows;  // INSERT: the new rows (the tenant may be read from one)
  bool raised_if_a_row_is_inserted = false;  // INSERT ... SELECT whose check raises an error

  // A failing filter hides rows; a failing check raises 42501. Otherwise the two read alike.
  auto effect_of = [](Predicate p, Effect on_fail) {
    switch (p) {
      case Predicate::kPass:
        return Effect::kAllow;
      case Predicate::kFail:
        return on_fail;
      case Predicate::kRowDependent:
        return Effect::kRowDependent;
      case Predicate::kError:
        return Effect::kError;
      case Predicate::kIndeterminate:
        return Effect::kIndeterminate;
    }
    return Effect::kIndeterminate;
  };
  auto from_filter = [&](const SetOutcome& f) {
    decisive = f;
    effect = effect_of(f.result, Effect::kFiltered);
  };
  auto from_check = [&](const SetOutcome& c, bool using_expr) {
    decisive = c;
    effect = effect_of(c.result, Effect::kError);
    if (c.result == Predicate::kFail) {
      sqlstate = "42501";
      detail = CheckViolation(c, access.relname, using_expr);
    }
  };

  if (observed != nullptr && !access.plan_only) {
    // Row-level: each changed row as PostgreSQL will see it once enforced; the worst decides.
    const bool upsert = access.on_conflict == TableAccess::OnConflict::kUpdate;
    auto rank = [](Effect e) {
      return e == Effect::kError           ? 4
             : e == Effect::kFiltered      ? 3
             : e == Effect::kIndeterminate ? 2
             : e == Effect::kRowDependent  ? 1
                                           : 0;
    };
    SetOutcome worst_decisive;
    Effect worst = Effect::kAllow;
    std::string worst_sqlstate;
    std::string worst_detail = "no row changed (change stream)";
    Row worst_row;
    for (const ObservedChange& ch : *observed) {
      decisive = SetOutcome{};
      effect = Effect::kAllow;
      sqlstate.clear();
      detail.clear();
      const Row old_row = ev.Typed(ch.old_row);
      const Row new_row = ev.Typed(ch.new_row);
      Row row_for_tenant = new_row;
      if (ch.action == ChangeAction::kInsert) {
        from_check(ev.Check(PolicyCommand::kInsert, access.returning || upsert, new_row), false);
      } else if (ch.action == ChangeAction::kDelete) {
        from_filter(ev.Filter(PolicyCommand::kDelete, access.reads_columns, old_row));
        row_for_tenant = old_row;
      } else {
        const bool with_select = access.reads_columns || upsert;
        SetOutcome f = upsert ? ev.ExistingRowCheck(old_row)
                              : ev.Filter(PolicyCommand::kUpdate, with_select, old_row);
        if (f.result == Predicate::kPass) {
          from_check(ev.Check(PolicyCommand::kUpdate, with_select, new_row), false);
        } else if (upsert) {
          // ON CONFLICT DO UPDATE does not skip a conflicting row it may not update: it fails.
          from_check(f, /*using_expr=*/true);
          row_for_tenant = old_row;
        } else {
          from_filter(f);
          row_for_tenant = old_row;
        }
      }
      if (rank(effect) > rank(worst) ||
          (&ch == &observed->front() && worst == Effect::kAllow && rank(effect) == 0)) {
        worst = effect;
        worst_decisive = decisive;
        worst_sqlstate = sqlstate;
        worst_detail = detail;
        worst_row = row_for_tenant;
      }
    }
    if (observed->empty() &&
        (access.command == Command::kUpdate || access.command == Command::kDelete)) {
      // No row changed, yet the scan may have reached rows its WHERE then dropped: an error
      // the policy raises for any row it sees stays open (below).
      SetOutcome f = ev.Filter(
          access.command == Command::kUpdate ? PolicyCommand::kUpdate : PolicyCommand::kDelete,
          access.reads_columns || upsert, Row{});
      if (f.result == Predicate::kError && f.error.per_row) {
        worst_decisive = f;
        worst = Effect::kError;
      }
    }
    decisive = worst_decisive;
    effect = worst;
    sqlstate = worst_sqlstate;
    detail = worst_detail;
    tenant_row_storage = std::move(worst_row);
    tenant_row = &tenant_row_storage;
  } else if (access.plan_only) {
    // Only what the planner folds can fail: the USING quals of the rows the statement would
    // read. WITH CHECK runs at execution, which a plain EXPLAIN never reaches.
    PolicyCommand cmd = access.command == Command::kUpdate   ? PolicyCommand::kUpdate
                        : access.command == Command::kDelete ? PolicyCommand::kDelete
                                                             : PolicyCommand::kSelect;
    SetOutcome f = ev.EvaluateSet(cmd, false, filter_row);
    if (access.command == Command::kInsert || f.result != Predicate::kError || f.error.per_row) {
      f.result = Predicate::kPass;
      f.deciding = nullptr;
    }
    from_filter(f);
  } else {
    switch (access.command) {
      case Command::kSelect:
      case Command::kCopyTo: {
        SetOutcome f =
            ev.Filter(PolicyCommand::kSelect, access.locking, filter_row, PolicyCommand::kUpdate);
        if (f.result == Predicate::kRowDependent) {
          if (auto scanned = ev.ScanIndexed(filter_row)) {
            f = scanned->first;
            tenant_row_storage = std::move(scanned->second);
            tenant_row = &tenant_row_storage;
          }
        }
        from_filter(f);
        break;
      }
      case Command::kDelete: {
        from_filter(ev.Filter(PolicyCommand::kDelete, access.reads_columns, filter_row));
        break;
      }
      case Command::kUpdate: {
        SetOutcome f = ev.Filter(PolicyCommand::kUpdate, access.reads_columns, filter_row);
        tenant_row_storage = ev.Assigned(filter_row, nullptr);
        tenant_row = &tenant_row_storage;
        const Row& new_row = tenant_row_storage;
        SetOutcome c = ev.Check(PolicyCommand::kUpdate, access.reads_columns, new_row);
        if (f.result == Predicate::kPass) {
          from_check(c, false);
        } else if (f.result == Predicate::kRowDependent &&
                   (c.result == Predicate::kError || c.result == Predicate::kIndeterminate)) {
          from_check(c, false);  // raised for any visible row; undecidable stays undecidable
          if (c.result == Predicate::kError) effect = Effect::kRowDependent;
        } else {
          from_filter(f);
        }
        break;
      }
      case Command::kInsert: {
        insert_rows =
            access.rows.empty() ? std::vector<Row>{ev.UnknownInsertRow()} : ev.InsertRows();
        const std::vector<Row>& rows = insert_rows;
        bool select_check =
            access.returning || access.on_conflict == TableAccess::OnConflict::kUpdate;
        SetOutcome worst;
        bool first = true;
        for (const Row& row : rows) {
          SetOutcome c = ev.Check(PolicyCommand::kInsert, select_check, row);
          SetOutcome merged = first ? c : AccessEvaluation::Both(worst, c);
          if (first || merged.result != worst.result) {  // the row that decides, for the tenant
            worst = std::move(merged);
            tenant_row = &row;
          }
          first = false;
        }
        from_check(worst, false);
        if (!access.rows_known && effect == Effect::kError) {
          // The check runs on each row the SELECT yields (checked on 15.18: with the context ''
          // and WHERE false, INSERT 0 0), and how many it yields is unknown.
          effect = Effect::kRowDependent;
          if (worst.result == Predicate::kFail) {
            detail = "new rows would violate the policy; how many the SELECT yields is unknown";
          } else {
            raised_if_a_row_is_inserted = true;
          }
        }
        if (effect == Effect::kAllow && access.on_conflict == TableAccess::OnConflict::kUpdate) {
          // The conflict path: the existing row (sharing the conflict key) must pass the UPDATE
          // policies' USING, or the upsert fails; its other columns are unknown.
          Row existing;
          if (!rows.empty()) {
            for (const auto& col : access.conflict_columns) {
              if (auto it = rows[0].find(col); it != rows[0].end()) existing[col] = it->second;
            }
          }
          SetOutcome u = ev.ExistingRowCheck(existing);
          if (u.result == Predicate::kFail || u.result == Predicate::kRowDependent) {
            // Fails only if a conflicting row exists: that depends on the table's rows.
            decisive = u;
            effect = Effect::kRowDependent;
            detail = CheckViolation(u, access.relname, true) + " (if the key exists)";
          } else if (u.result != Predicate::kPass) {
            from_filter(u);
          } else if (!rows.empty()) {
            Row updated = ev.Assigned(existing, &rows[0]);
            SetOutcome c = ev.Check(PolicyCommand::kUpdate, true, updated);
            if (c.result != Predicate::kPass) {
              decisive = c;
              effect = c.result == Predicate::kIndeterminate ? Effect::kIndeterminate
                                                             : Effect::kRowDependent;
            }
          }
        }
        break;
      }
      case Command::kMerge: {
        tenant_row_storage =
            JudgeMerge(ev, access, filter_row, &decisive, &effect, &sqlstate, &detail);
        tenant_row = &tenant_row_storage;
        break;
      }
      default:
        deny(Effect::kIndeterminate, Cause::kUnsupported, "", "command");
        return facts;
    }
  }

  if (decisive.result == Predicate::kError || decisive.result == Predicate::kIndeterminate) {
    sqlstate = decisive.error.is_error() ? decisive.error.text : "";
    detail = decisive.error.message;
    if (raised_if_a_row_is_inserted) detail += " (if the SELECT yields a row)";
  }
  // An error raised at execution (a policy's InitPlan) needs a row to reach the policy: the
  // rows an INSERT gives or the change stream shows do; from the text alone, a scan may reach
  // none (an empty table, an index lookup that finds nothing).
  if (effect == Effect::kError && decisive.result == Predicate::kError && decisive.error.per_row &&
      (observed == nullptr || observed->empty()) &&
      !(access.command == Command::kInsert && access.rows_known)) {
    effect = Effect::kRowDependent;
    detail += kRaisedIfARowIsReached;
  }
  if (decisive.deciding != nullptr) out->policy = decisive.deciding->name;

  // Tenant: the context the policy reads (the deciding policy's tenant setting, else the first
  // one the expressions evaluated read, else the configured context setting), else the row's
  // tenant column.
  const std::string* setting_name = nullptr;
  if (const Policy* p = decisive.deciding) {
    const std::string* decided = decisive.deciding_check ? p->check_setting : p->using_setting;
    const std::string* other = decisive.deciding_check ? p->using_setting : p->check_setting;
    setting_name = decided != nullptr ? decided : other;
  }
  if (setting_name == nullptr) {
    ev.ForEachExpr(decisive, [&](const Expr&, const std::string* first_setting) {
      setting_name = first_setting;
      return setting_name != nullptr;
    });
  }
  if (setting_name == nullptr && !config.context_settings.empty()) {
    setting_name = &config.context_settings.front();
  }
  const std::string_view context_name =
      setting_name == nullptr ? std::string_view() : std::string_view(*setting_name);
  // A view into the session's value: nothing changes the session while this runs.
  std::optional<std::string_view> context = ev.Setting(context_name);
  if (context && !context->empty() && !IsUnknownSettingValue(*context)) {
    out->tenant.assign(*context);
  } else {
    // The first column the expressions reference (in order) whose value the row knows.
    ev.ForEachExpr(decisive, [&](const Expr& e, const std::string*) {
      const Value* known = FirstKnownColumn(e, *tenant_row);
      if (known != nullptr) out->tenant = known->text;
      return known != nullptr;
    });
  }

  out->effect = effect;
  out->sqlstate = sqlstate;
  out->detail = detail;
  if (effect == Effect::kAllow) return facts;
  if (effect == Effect::kIndeterminate) {
    out->cause = Cause::kUnsupported;
    return facts;
  }

  facts.cause_pending = true;
  facts.is_owner = is_owner;
  facts.no_permissive = decisive.no_permissive;
  facts.context_name = context_name;
  return facts;
}

// Why an access would be denied: from the verdict, the session's context and where it came
// from (the transaction, lane and code path that set it).
Cause DenialCause(const DenialFacts& facts, const std::string& sqlstate, const AccessContext& ctx) {
  const SessionState& session = *ctx.session;
  const std::optional<std::string_view> context = session.SettingView(facts.context_name);
  const SettingEntry* entry = session.Entry(facts.context_name);
  if (facts.is_owner) return Cause::kOwnerBypassLost;
  if (facts.no_permissive) return Cause::kNoPermissivePolicy;
  if (!context) return Cause::kMissingContext;
  if (context->empty()) {
    return (entry != nullptr && entry->origin.lost_autocommit) ? Cause::kContextLostAutocommit
                                                               : Cause::kEmptyContext;
  }
  if (sqlstate == "22P02") return Cause::kInvalidContext;
  if (entry != nullptr && IsStale(entry->origin, ctx, session)) return Cause::kStaleContext;
  return Cause::kWrongTenant;
}

}  // namespace

bool PolicyEvaluator::Evaluate(const TableInfo* table, const TableAccess& access,
                               const AccessContext& ctx, Finding* out,
                               const std::vector<ObservedChange>* observed,
                               VerdictMemo* memo) const {
  if (table == nullptr || table->is_view || !table->rls_enabled) return false;
  if (memo != nullptr && (observed != nullptr || ctx.rows != nullptr)) memo = nullptr;

  // Who the session is: part of the memo's key, and what the evaluation reads.
  std::string_view current_user, session_user;
  ctx.session->UsersView(&current_user, &session_user);
  const std::string_view role = ctx.role_override.empty() ? current_user : ctx.role_override;
  out->table = table->name;
  out->command = access.command;
  out->role = role;

  VerdictMemo::Lookup lookup;
  const VerdictMemo::Verdict* kept = nullptr;
  if (memo != nullptr) {
    const uint64_t id = access.id.value();
    lookup.group = memo->GroupOf(id);
    if (lookup.group == VerdictMemo::kNoGroup) {
      lookup.group = memo->Group(id, VerdictShape(*table, access));
    }
    lookup.role = role;
    lookup.current_user = current_user;
    lookup.session_user = session_user;
    lookup.row_security_off = ctx.session->RowSecurityOff();
    lookup.settings_changed = ctx.settings_changed_in_statement;
    lookup.session = ctx.session;
    lookup.params = ctx.params;
    kept = memo->Find(lookup);
  }
  DenialFacts facts;
  if (kept != nullptr && !memo->verify()) {
    out->policy = kept->policy;
    out->tenant = kept->tenant;
    out->sqlstate = kept->sqlstate;
    out->detail = kept->detail;
    out->effect = kept->effect;
    out->cause = kept->cause;
    facts = kept->facts;
  } else {
    VerdictMemo::Reads* reads = memo != nullptr ? memo->StartReads() : nullptr;
    const AccessEvaluation ev(catalog_, *table, access, ctx, current_user, session_user, role,
                              reads);
    facts = Judge(catalog_, config_, ev, table, access, ctx, observed, out);
    if (memo != nullptr) {
      VerdictMemo::Verdict verdict;
      verdict.effect = out->effect;
      verdict.cause = out->cause;
      verdict.policy = out->policy;
      verdict.tenant = out->tenant;
      verdict.sqlstate = out->sqlstate;
      verdict.detail = out->detail;
      verdict.facts = facts;
      if (kept == nullptr) {
        memo->Add(lookup, *reads, verdict);
      } else if (!(verdict == *kept)) {
        memo->CountMismatch();
      }
    }
  }
  if (facts.cause_pending) out->cause = DenialCause(facts, out->sqlstate, ctx);
  return true;
}

}  // namespace rls_shadow
