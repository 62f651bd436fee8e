#include "analyze/statement_analyzer.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "analyze/pg_tree.h"
#include "analyze/sql_functions.h"
#include "common/ascii_lower.h"
#include "common/text_hash.h"

namespace rls_shadow {
namespace {

bool IsWrappedNode(PgNode obj, std::string_view* type, PgNode* body) {
  simdjson::dom::object o;
  if (obj.get_object().get(o) != simdjson::SUCCESS) return false;
  size_t n = 0;
  for (auto field : o) {
    if (++n > 1) return false;
    *type = field.key;
    *body = field.value;
  }
  return n == 1 && !type->empty() && std::isupper(static_cast<unsigned char>((*type)[0])) &&
         body->is_object();
}

// Whether `text` starts (after blanks) with `keyword`, case-insensitively.
bool StartsWithKeyword(std::string_view text, std::string_view keyword) {
  size_t i = text.find_first_not_of(" \t\r\n(");
  return i != std::string_view::npos && StartsWithAsciiNoCase(text.substr(i), keyword);
}

bool HasUnsupported(const Expr& e) {
  if (e.kind == Expr::Kind::kUnsupported) return true;
  return std::any_of(e.args.begin(), e.args.end(),
                     [](const ExprPtr& a) { return HasUnsupported(*a); });
}

// A range-table entry a WHERE clause can name: the alias, or the table name when unaliased.
struct RangeRef {
  int64_t location;
  std::string relname;
  std::string alias;
};

// Walks one top-level statement's parse tree and fills an AnalyzedStatement.
class TreeWalker {
 public:
  // `may_have_ctes` is false when the parse tree is known to hold no CommonTableExpr
  // (PgTree::Mentions): then the walk for CTE names, which visits every node, is skipped.
  explicit TreeWalker(AnalyzedStatement* out, bool may_have_ctes = true,
                      const std::vector<std::string>* argument_names = nullptr)
      : out_(out), may_have_ctes_(may_have_ctes), argument_names_(argument_names) {}

  void Statement(PgNode wrapped) {
    std::string_view type = NodeType(wrapped);
    PgNode body = NodeBody(wrapped);
    if (may_have_ctes_) CollectCteNames(wrapped);
    if (type == "SelectStmt" || type == "InsertStmt" || type == "UpdateStmt" ||
        type == "DeleteStmt" || type == "MergeStmt" || type == "CopyStmt" ||
        type == "TruncateStmt" || type == "VariableSetStmt" || type == "TransactionStmt" ||
        type == "DiscardStmt") {
      WalkNode(type, body);
    } else if (type == "ExplainStmt") {
      // Plain EXPLAIN reads no rows; EXPLAIN ANALYZE executes the statement.
      bool analyze = false;
      for (PgNode opt : ListField(body, "options")) {
        if (AsciiLower(StringField(NodeBody(opt), "defname")) == "analyze") analyze = true;
      }
      // Plain EXPLAIN executes nothing, but the planner folds the policies' stable
      // expressions, so a ''::uuid cast fails there too (PG_SEMANTICS A7 notes).
      plan_only_ = !analyze;
      if (auto q = Field(body, "query")) Walk(*q);
    } else if (type == "PrepareStmt") {
      // PREPARE runs nothing; the session remembers the query for EXECUTE.
      if (auto q = Field(body, "query")) {
        auto prepared = std::make_shared<AnalyzedStatement>();
        TreeWalker(prepared.get(), may_have_ctes_).Statement(*q);
        out_->prepare_name = std::string(StringField(body, "name"));
        out_->prepared = std::move(prepared);
      }
    } else if (type == "ExecuteStmt") {
      out_->execute_name = std::string(StringField(body, "name"));
      for (PgNode arg : ListField(body, "params")) out_->execute_args.push_back(ConvertExpr(arg));
    } else if (type == "DeallocateStmt") {
      out_->deallocate_name = std::string(StringField(body, "name"));
      out_->deallocate_all = out_->deallocate_name.empty();
    } else if (type == "CallStmt") {
      // CALL proc(args): the procedure's body is reported like a called function's.
      if (auto call = Field(body, "funccall")) {
        direct_calls_.insert(IntField(NodeBody(*call), "location"));
        WalkNode("FuncCall", *call);
      }
    } else if (type == "DoStmt") {
      std::string language = "plpgsql";
      std::string_view block;
      for (PgNode arg : ListField(body, "args")) {
        PgNode def = NodeBody(arg);
        auto value = Field(def, "arg");
        if (!value) continue;
        if (StringField(def, "defname") == "language") {
          language = AsciiLower(StringField(NodeBody(*value), "sval"));
        } else if (StringField(def, "defname") == "as") {
          block = StringField(NodeBody(*value), "sval");
        }
      }
      if (language == "plpgsql") {
        // A block that just runs its statements runs them as the statement's own.
        std::vector<TableAccess> accesses;
        const bool runs_as_written = PlpgsqlBlockAccesses(block, &accesses, &out_->calls);
        auto& into = runs_as_written ? out_->accesses : out_->do_block_accesses;
        for (TableAccess& a : accesses) into.push_back(std::move(a));
      }
    } else if (type == "DeclareCursorStmt" || type == "CreateTableAsStmt") {
      // CREATE TABLE / MATERIALIZED VIEW ... AS ... WITH NO DATA runs (and plans) nothing.
      auto into = Field(body, "into");
      const bool runs = !into || !BoolField(*into, "skipData");
      if (auto q = Field(body, "query"); q && runs) Walk(*q);
    } else if (type == "RefreshMatViewStmt") {
      // The view's query runs as its owner (the engine expands it, as it does a view's).
      auto rel = Field(body, "relation");
      if (rel && !BoolField(body, "skipData")) {
        TableAccess& refresh = AddAccess(*rel, Command::kSelect);
        refresh.refresh = true;
        refresh.reads_all_matching = true;  // all of the query's rows: its own shape decides
      }
    }
    // Other utility and DDL statements touch no rows under RLS.
    // A function called elsewhere too is not followed anywhere (see AnalyzedStatement).
    std::erase_if(out_->direct_calls, [&](const AnalyzedStatement::FunctionCall& c) {
      return other_calls_.count(c.name) != 0;
    });
  }

 private:
  void Walk(PgNode any) {
    std::string_view type;
    PgNode body;
    if (IsWrappedNode(any, &type, &body)) {
      WalkNode(type, body);
      return;
    }
    simdjson::dom::array arr;
    if (any.get_array().get(arr) == simdjson::SUCCESS) {
      for (PgNode e : arr) Walk(e);
      return;
    }
    simdjson::dom::object obj;
    if (any.get_object().get(obj) == simdjson::SUCCESS) {
      for (auto field : obj) Walk(field.value);
    }
  }

  void WalkFieldsExcept(PgNode body, std::initializer_list<std::string_view> skip) {
    simdjson::dom::object obj;
    if (body.get_object().get(obj) != simdjson::SUCCESS) return;
    for (auto field : obj) {
      if (std::find(skip.begin(), skip.end(), field.key) != skip.end()) continue;
      Walk(field.value);
    }
  }

  void WalkNode(std::string_view type, PgNode body) {
    if (type == "RangeVar") return ReadRange(body);
    if (type == "SelectStmt") return Select(body);
    if (type == "InsertStmt") return Insert(body);
    if (type == "UpdateStmt") return Update(body);
    if (type == "DeleteStmt") return Delete(body);
    if (type == "MergeStmt") return Merge(body);
    if (type == "CopyStmt") return Copy(body);
    if (type == "TruncateStmt") return Truncate(body);
    if (type == "VariableSetStmt") return VariableSet(body);
    if (type == "TransactionStmt") return Transaction(body);
    if (type == "DiscardStmt") {
      if (StringField(body, "target") == "DISCARD_ALL") {
        out_->settings.push_back({SettingChange::Kind::kDiscardAll});
      }
      return;
    }
    if (type == "FuncCall") {
      std::string name = AsciiLower(JoinNames(body, "funcname"));
      std::string_view called = std::string_view(name).starts_with("pg_catalog.")
                                    ? std::string_view(name).substr(11)
                                    : std::string_view(name);
      if (std::find(out_->calls.begin(), out_->calls.end(), called) == out_->calls.end()) {
        out_->calls.emplace_back(called);
      }
      const bool plain = !Field(body, "over") && !BoolField(body, "agg_star") &&
                         !BoolField(body, "agg_distinct") && !BoolField(body, "func_variadic");
      if (plain && rows_decide_ == 0 && direct_calls_.count(IntField(body, "location")) != 0) {
        AnalyzedStatement::FunctionCall call{std::string(called), {}};
        for (PgNode arg : ListField(body, "args")) call.args.push_back(ConvertExpr(arg));
        out_->direct_calls.push_back(std::move(call));
      } else {
        other_calls_.emplace(called);
      }
      if (name == "set_config" || name == "pg_catalog.set_config") {
        std::vector<PgNode> args = ListField(body, "args");
        if (args.size() == 3) {
          SettingChange change;
          change.kind = SettingChange::Kind::kSetConfig;
          change.name_expr = ConvertExpr(args[0]);
          change.value = ConvertExpr(args[1]);
          change.is_local_expr = ConvertExpr(args[2]);
          change.rows_decide = rows_decide_ > 0;
          out_->settings.push_back(std::move(change));
        }
      }
    }
    WalkFieldsExcept(body, {});
  }

  void CollectCteNames(PgNode any) {
    simdjson::dom::array arr;
    if (any.get_array().get(arr) == simdjson::SUCCESS) {
      for (PgNode e : arr) CollectCteNames(e);
      return;
    }
    simdjson::dom::object obj;
    if (any.get_object().get(obj) != simdjson::SUCCESS) return;
    for (auto field : obj) {
      if (field.key == "CommonTableExpr") {
        ctes_.insert(std::string(StringField(field.value, "ctename")));
      }
      CollectCteNames(field.value);
    }
  }

  TableAccess& AddAccess(PgNode range_body, Command command) {
    TableAccess access;
    access.schema = std::string(StringField(range_body, "schemaname"));
    access.relname = std::string(StringField(range_body, "relname"));
    if (auto alias = Field(range_body, "alias")) {
      access.alias = std::string(StringField(*alias, "aliasname"));
    }
    access.command = command;
    int64_t loc = IntField(range_body, "location");
    if (auto it = filters_.find(loc); it != filters_.end()) access.filters = it->second;
    if (auto it = list_filters_.find(loc); it != list_filters_.end()) {
      access.list_filters = it->second;
    }
    access.locking = locking_.count(loc) > 0;
    access.reads_all_matching = command == Command::kSelect && reads_all_.count(loc) > 0;
    access.plan_only = plan_only_;
    out_->accesses.push_back(std::move(access));
    return out_->accesses.back();
  }

  void ReadRange(PgNode body) {
    if (StringField(body, "schemaname").empty() &&
        ctes_.count(std::string(StringField(body, "relname")))) {
      return;  // a CTE, not a table
    }
    AddAccess(body, Command::kSelect);
  }

  // The RangeVars directly in a FROM list (through joins, not subqueries).
  static void FromRanges(PgNode item, std::vector<RangeRef>* out) {
    std::string_view type = NodeType(item);
    PgNode body = NodeBody(item);
    if (type == "RangeVar") {
      RangeRef r;
      r.location = IntField(body, "location");
      r.relname = std::string(StringField(body, "relname"));
      if (auto alias = Field(body, "alias"))
        r.alias = std::string(StringField(*alias, "aliasname"));
      out->push_back(std::move(r));
    } else if (type == "JoinExpr") {
      if (auto l = Field(body, "larg")) FromRanges(*l, out);
      if (auto r = Field(body, "rarg")) FromRanges(*r, out);
    }
  }

  static void Conjuncts(PgNode where, std::vector<PgNode>* out) {
    if (NodeType(where) == "BoolExpr" && StringField(NodeBody(where), "boolop") == "AND_EXPR") {
      for (PgNode a : ListField(NodeBody(where), "args")) Conjuncts(a, out);
      return;
    }
    out->push_back(where);
  }

  // Records, per range, the `col = <row-independent value>` conjuncts of `where`: the rows the
  // access can touch all have those values, so policies can be evaluated on them.
  // The range a column reference names: its qualifier, or the only range.
  static const RangeRef* RangeOf(const Expr& col, const std::vector<RangeRef>& ranges) {
    if (col.qualifier.empty()) return ranges.size() == 1 ? &ranges[0] : nullptr;
    const RangeRef* target = nullptr;
    for (const auto& r : ranges) {
      if (r.alias == col.qualifier || (r.alias.empty() && r.relname == col.qualifier)) target = &r;
    }
    return target;
  }

  // `col IN (a, b)` and `col = ANY(array)` with row-independent items: the rows it can touch
  // have one of those values.
  bool RecordListFilter(const ExprPtr& e, const std::vector<RangeRef>& ranges) {
    ExprPtr list;
    if (e->kind == Expr::Kind::kIn && !e->negated && e->args.size() >= 2) {
      auto array = std::make_shared<Expr>();
      array->kind = Expr::Kind::kArray;
      array->args.assign(e->args.begin() + 1, e->args.end());
      list = array;
    } else if (e->kind == Expr::Kind::kAnyArray && e->name == "=" && e->args.size() == 2) {
      list = e->args[1];
    } else {
      return false;
    }
    const Expr& col = *e->args[0];
    if (col.kind != Expr::Kind::kColumn || !IsRowIndependent(*list) || HasUnsupported(*list)) {
      return false;
    }
    const RangeRef* target = RangeOf(col, ranges);
    if (target == nullptr) return false;
    list_filters_[target->location].emplace_back(col.name, list);
    return true;
  }

  // Returns how many conjuncts of `where` became filters, of how many.
  std::pair<size_t, size_t> ComputeFilters(std::optional<PgNode> where,
                                           const std::vector<RangeRef>& ranges) {
    if (!where || ranges.empty()) return {0, 0};
    size_t recorded = 0;
    std::vector<PgNode> conjuncts;
    Conjuncts(*where, &conjuncts);
    for (PgNode c : conjuncts) {
      ExprPtr e = ConvertExpr(c);
      if (RecordListFilter(e, ranges)) {
        ++recorded;
        continue;
      }
      if (e->kind != Expr::Kind::kOp || e->name != "=") continue;
      const Expr* col = e->args[0].get();
      const Expr* val = e->args[1].get();
      if (col->kind != Expr::Kind::kColumn || IsArgumentName(*col)) std::swap(col, val);
      if (col->kind != Expr::Kind::kColumn || !(IsRowIndependent(*val) || IsArgumentName(*val)) ||
          HasUnsupported(*val)) {
        continue;
      }
      const RangeRef* target = RangeOf(*col, ranges);
      if (target == nullptr) continue;
      filters_[target->location].emplace_back(col->name,
                                              e->args[0].get() == col ? e->args[1] : e->args[0]);
      ++recorded;
    }
    return {recorded, conjuncts.size()};
  }

  // Whether `e` names an argument of the SQL function whose statement this is (unqualified): the
  // engine reads it as the argument where it is no column (ShadowEngine::FollowCall).
  bool IsArgumentName(const Expr& e) const {
    if (argument_names_ == nullptr || e.kind != Expr::Kind::kColumn || !e.qualifier.empty()) {
      return false;
    }
    return std::find(argument_names_->begin(), argument_names_->end(), e.name) !=
           argument_names_->end();
  }

  // Whether `body` (a SelectStmt) reads every row of its single table that matches the filters
  // its WHERE gave: nothing else narrows or folds the rows it returns.
  static bool ReadsAllMatching(PgNode body, const std::vector<PgNode>& from,
                               std::pair<size_t, size_t> filtered) {
    if (from.size() != 1 || NodeType(from[0]) != "RangeVar") return false;
    if (filtered.first != filtered.second) return false;
    if (StringField(body, "op") != "SETOP_NONE" || Field(body, "limitCount") ||
        Field(body, "limitOffset") || Field(body, "havingClause") ||
        !ListField(body, "groupClause").empty() || !ListField(body, "distinctClause").empty() ||
        !ListField(body, "lockingClause").empty()) {
      return false;
    }
    // An aggregate would fold the rows; any function call is taken as one.
    for (PgNode t : ListField(body, "targetList")) {
      auto val = Field(NodeBody(t), "val");
      if (!val || NodeType(*val) != "ColumnRef") return false;
    }
    return true;
  }

  void Select(PgNode body) {
    std::vector<RangeRef> ranges;
    std::vector<PgNode> from = ListField(body, "fromClause");
    for (PgNode item : from) FromRanges(item, &ranges);
    auto filtered = ComputeFilters(Field(body, "whereClause"), ranges);
    if (ReadsAllMatching(body, from, filtered)) reads_all_.insert(ranges[0].location);
    MarkLocked(body, from);
    // Its select list runs once per row, and its WHERE per candidate row: without FROM, WHERE,
    // HAVING or LIMIT it runs exactly once.
    const bool per_row = !from.empty() || Field(body, "whereClause") ||
                         Field(body, "havingClause") || Field(body, "limitCount") ||
                         Field(body, "limitOffset") || !ListField(body, "groupClause").empty();
    // The calls a top-level SELECT's list makes directly run once (a subquery or CTE may not
    // run at all, a set operation's branches are SELECTs of their own).
    if (!per_row && rows_decide_ == 0 && selects_ == 0 && !plan_only_ &&
        StringField(body, "op") == "SETOP_NONE") {
      for (PgNode target : ListField(body, "targetList")) {
        auto val = Field(NodeBody(target), "val");
        if (val && NodeType(*val) == "FuncCall") {
          direct_calls_.insert(IntField(NodeBody(*val), "location"));
        }
      }
    }
    ++selects_;
    rows_decide_ += per_row;
    // A locking clause's relation names are aliases of the FROM list, not tables read.
    WalkFieldsExcept(body, {"lockingClause"});
    rows_decide_ -= per_row;
  }

  // FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE make PostgreSQL check a table's UPDATE
  // policies too (every strength asks for UPDATE privilege). Which tables, as its
  // transformLockingClause decides: without OF, every table of this FROM list, joins included,
  // and every table of its subqueries in FROM, at any depth; with OF, the FROM items whose
  // visible name (the alias, else the table's bare name) is listed, a subquery item passing it on
  // to all its tables. Not CTEs, not subqueries elsewhere (WHERE, the select list).
  void MarkLocked(PgNode body, const std::vector<PgNode>& from) {
    for (PgNode clause : ListField(body, "lockingClause")) {
      std::vector<PgNode> named = ListField(NodeBody(clause), "lockedRels");
      if (named.empty()) {
        for (PgNode item : from) LockAll(item);
        continue;
      }
      for (PgNode rel : named) {
        std::string_view name = StringField(NodeBody(rel), "relname");
        for (PgNode item : from) {
          if (auto match = FromItemNamed(item, name)) {
            LockAll(*match);
            break;
          }
        }
      }
    }
  }

  // The FROM item (a table or a subquery, possibly inside joins) whose visible name is `name`.
  static std::optional<PgNode> FromItemNamed(PgNode item, std::string_view name) {
    std::string_view type = NodeType(item);
    PgNode body = NodeBody(item);
    if (type == "JoinExpr") {
      for (const char* side : {"larg", "rarg"}) {
        auto arg = Field(body, side);
        if (!arg) continue;
        if (auto match = FromItemNamed(*arg, name)) return match;
      }
      return std::nullopt;
    }
    std::string_view visible;
    if (auto alias = Field(body, "alias")) {
      visible = StringField(*alias, "aliasname");
    } else if (type == "RangeVar") {
      visible = StringField(body, "relname");
    }
    if ((type == "RangeVar" || type == "RangeSubselect") && visible == name) return item;
    return std::nullopt;
  }

  void LockAll(PgNode item) {
    std::string_view type = NodeType(item);
    PgNode body = NodeBody(item);
    if (type == "RangeVar") {
      locking_.insert(IntField(body, "location"));
    } else if (type == "JoinExpr") {
      if (auto l = Field(body, "larg")) LockAll(*l);
      if (auto r = Field(body, "rarg")) LockAll(*r);
    } else if (type == "RangeSubselect") {
      auto query = Field(body, "subquery");
      if (!query || NodeType(*query) != "SelectStmt") return;
      for (PgNode sub : ListField(NodeBody(*query), "fromClause")) LockAll(sub);
    }
  }

  static ColumnValues Assignments(PgNode body) {
    ColumnValues out;
    for (PgNode t : ListField(body, "targetList")) {
      PgNode rt = NodeBody(t);
      auto val = Field(rt, "val");
      ExprPtr e = nullptr;
      if (val && NodeType(*val) != "SetToDefault") e = ConvertExpr(*val);
      out.emplace_back(std::string(StringField(rt, "name")), e);
    }
    return out;
  }

  // The column an INSERT's i-th value is for: the column list's, else "#i" (the table's i-th
  // column, which the evaluator looks up).
  static std::string InsertedColumnName(const std::vector<std::string>& cols, size_t i) {
    return i < cols.size() ? cols[i] : "#" + std::to_string(i);
  }

  // An INSERT's row of VALUES items, by InsertedColumnName; DEFAULT is a null value.
  static ColumnValues InsertedRow(const std::vector<PgNode>& items,
                                  const std::vector<std::string>& cols) {
    ColumnValues row;
    for (size_t i = 0; i < items.size(); ++i) {
      row.emplace_back(InsertedColumnName(cols, i),
                       NodeType(items[i]) == "SetToDefault" ? nullptr : ConvertExpr(items[i]));
    }
    return row;
  }

  // INSERT ... SELECT a, b [WHERE ...] without FROM: the one row it may insert, spelled out.
  // Without WHERE, HAVING or LIMIT it is inserted (rows_known); with one, it may not be. Left
  // unknown when an item reads something other than the session (a subquery, a function
  // rls-shadow does not evaluate).
  static void SelectedRow(PgNode select, const std::vector<std::string>& cols,
                          TableAccess* access) {
    if (!ListField(select, "fromClause").empty() ||
        StringField(select, "op") != std::string_view("SETOP_NONE")) {
      return;
    }
    ColumnValues row;
    std::vector<PgNode> items = ListField(select, "targetList");
    for (size_t i = 0; i < items.size(); ++i) {
      auto val = Field(NodeBody(items[i]), "val");
      if (!val) return;
      ExprPtr e = ConvertExpr(*val);
      if (!IsRowIndependent(*e) || HasUnsupported(*e)) return;
      row.emplace_back(InsertedColumnName(cols, i), std::move(e));
    }
    access->rows.push_back(std::move(row));
    access->rows_known = !Field(select, "whereClause") && !Field(select, "havingClause") &&
                         !Field(select, "limitCount") && ListField(select, "groupClause").empty();
  }

  std::vector<RangeRef> TargetRange(PgNode relation) {
    RangeRef r;
    r.location = IntField(relation, "location");
    r.relname = std::string(StringField(relation, "relname"));
    if (auto alias = Field(relation, "alias"))
      r.alias = std::string(StringField(*alias, "aliasname"));
    return {r};
  }

  void Insert(PgNode body) {
    auto relation = Field(body, "relation");
    if (!relation) return;
    if (auto with = Field(body, "withClause")) Walk(*with);
    TableAccess access;
    {
      TableAccess& a = AddAccess(*relation, Command::kInsert);
      access = a;
      out_->accesses.pop_back();  // re-added below, after the rows are known
    }
    std::vector<std::string> cols;
    for (PgNode c : ListField(body, "cols")) cols.emplace_back(StringField(NodeBody(c), "name"));
    if (auto sel = Field(body, "selectStmt")) {
      PgNode sb = NodeBody(*sel);
      std::vector<PgNode> values = ListField(sb, "valuesLists");
      if (!values.empty() && ListField(sb, "fromClause").empty()) {
        access.rows_known = true;
        for (PgNode row : values) {
          access.rows.push_back(InsertedRow(ListField(NodeBody(row), "items"), cols));
        }
      } else if (values.empty()) {
        SelectedRow(sb, cols, &access);
      }
      Walk(*sel);  // reads of INSERT ... SELECT, and subqueries in VALUES
    } else {
      access.rows_known = true;  // DEFAULT VALUES: one row of defaults
      access.rows.emplace_back();
    }
    if (auto oc = Field(body, "onConflictClause")) {
      if (StringField(*oc, "action") == "ONCONFLICT_UPDATE") {
        access.on_conflict = TableAccess::OnConflict::kUpdate;
        access.assignments = Assignments(*oc);
        if (auto infer = Field(*oc, "infer")) {
          for (PgNode el : ListField(*infer, "indexElems")) {
            access.conflict_columns.emplace_back(StringField(NodeBody(el), "name"));
          }
        }
      } else {
        access.on_conflict = TableAccess::OnConflict::kNothing;
      }
    }
    std::vector<PgNode> returning = ListField(body, "returningList");
    access.returning = !returning.empty();
    // RETURNING runs per row inserted: VALUES rows are all inserted unless ON CONFLICT skips.
    const bool per_row = !access.rows_known || access.on_conflict != TableAccess::OnConflict::kNone;
    rows_decide_ += per_row;
    for (PgNode r : returning) Walk(r);
    rows_decide_ -= per_row;
    out_->accesses.push_back(std::move(access));
  }

  // Whether an UPDATE or DELETE reads a column of its target (ranges[0]) in its WHERE or
  // RETURNING: PostgreSQL then also applies the target's SELECT policies (it asks for SELECT
  // privilege on the columns read; `WHERE now() > ...` or `RETURNING 1` ask for none). A
  // column named without a qualifier is taken as the target's, though with FROM / USING it may
  // be another table's: then PostgreSQL applies fewer policies than assumed, never more.
  static bool ReadsTargetColumns(PgNode body, const std::vector<RangeRef>& ranges) {
    const RangeRef& target = ranges[0];
    const std::string& name = target.alias.empty() ? target.relname : target.alias;
    std::function<bool(PgNode)> reads = [&](PgNode node) {
      simdjson::dom::array arr;
      if (node.get_array().get(arr) == simdjson::SUCCESS) {
        for (PgNode e : arr) {
          if (reads(e)) return true;
        }
        return false;
      }
      simdjson::dom::object obj;
      if (node.get_object().get(obj) != simdjson::SUCCESS) return false;
      for (auto field : obj) {
        if (field.key == "ColumnRef") {
          std::vector<PgNode> fields = ListField(field.value, "fields");
          if (fields.size() < 2) return true;  // col, or *: the target's when it is alone
          if (StringField(NodeBody(fields[fields.size() - 2]), "sval") == name) return true;
          continue;
        }
        if (reads(field.value)) return true;
      }
      return false;
    };
    for (const char* part : {"whereClause", "returningList"}) {
      if (auto node = Field(body, part); node && reads(*node)) return true;
    }
    return false;
  }

  void Update(PgNode body) {
    auto relation = Field(body, "relation");
    if (!relation) return;
    if (auto with = Field(body, "withClause")) Walk(*with);
    std::vector<RangeRef> ranges = TargetRange(*relation);
    for (PgNode item : ListField(body, "fromClause")) FromRanges(item, &ranges);
    auto where = Field(body, "whereClause");
    ComputeFilters(where, ranges);
    TableAccess& a = AddAccess(*relation, Command::kUpdate);
    a.assignments = Assignments(body);
    a.returning = !ListField(body, "returningList").empty();
    a.reads_columns = ReadsTargetColumns(body, ranges);
    for (const auto& [col, e] : a.assignments) {
      if (e && !IsRowIndependent(*e)) a.reads_columns = true;
    }
    ++rows_decide_;  // SET, WHERE and RETURNING run per row
    WalkFieldsExcept(body, {"relation", "withClause", "targetList"});
    for (PgNode t : ListField(body, "targetList")) Walk(t);
    --rows_decide_;
  }

  void Delete(PgNode body) {
    auto relation = Field(body, "relation");
    if (!relation) return;
    if (auto with = Field(body, "withClause")) Walk(*with);
    std::vector<RangeRef> ranges = TargetRange(*relation);
    for (PgNode item : ListField(body, "usingClause")) FromRanges(item, &ranges);
    auto where = Field(body, "whereClause");
    ComputeFilters(where, ranges);
    TableAccess& a = AddAccess(*relation, Command::kDelete);
    a.returning = !ListField(body, "returningList").empty();
    a.reads_columns = ReadsTargetColumns(body, ranges);
    ++rows_decide_;  // WHERE and RETURNING run per row
    WalkFieldsExcept(body, {"relation", "withClause"});
    --rows_decide_;
  }

  // MERGE INTO target USING source ON ... WHEN ...: one access to the target, whose actions
  // PolicyEvaluator checks each as the write it is (see TableAccess::merge_actions).
  void Merge(PgNode body) {
    auto relation = Field(body, "relation");
    if (!relation) return;
    if (auto with = Field(body, "withClause")) Walk(*with);
    TableAccess merge;
    {
      TableAccess& a = AddAccess(*relation, Command::kMerge);
      merge = a;
      out_->accesses.pop_back();  // re-added below, with its actions
    }
    const MergeSource source = ReadMergeSource(body);
    for (PgNode clause : ListField(body, "mergeWhenClauses")) {
      PgNode c = NodeBody(clause);
      const std::string_view type = StringField(c, "commandType");
      TableAccess action;
      action.schema = merge.schema;
      action.relname = merge.relname;
      action.alias = merge.alias;
      action.merge_matched = BoolField(c, "matched");
      if (type == "CMD_INSERT") {
        action.command = Command::kInsert;
        action.rows_known = true;  // one row per source row that takes it, of these values
        std::vector<std::string> cols;
        for (PgNode t : ListField(c, "targetList")) {
          cols.emplace_back(StringField(NodeBody(t), "name"));
        }
        source.ResolveAll(&action.rows.emplace_back(InsertedRow(ListField(c, "values"), cols)));
      } else if (type == "CMD_UPDATE") {
        action.command = Command::kUpdate;
        action.assignments = Assignments(c);
        source.ResolveAll(&action.assignments);
      } else if (type == "CMD_DELETE") {
        action.command = Command::kDelete;
      } else {
        continue;  // DO NOTHING
      }
      merge.merge_actions.push_back(std::move(action));
    }
    out_->accesses.push_back(std::move(merge));
    ++rows_decide_;  // the join, WHEN conditions and actions run per row
    WalkFieldsExcept(body, {"relation", "withClause"});
    --rows_decide_;
  }

  // What a MERGE's source gives each of its columns, when it is one row the statement spells
  // out: `(VALUES (...)) AS s(a, b)` or `(SELECT x AS a, ...) AS s` without FROM.
  struct MergeSource {
    std::string alias;
    std::map<std::string, ExprPtr, std::less<>> columns;  // empty: the source's rows are unknown

    // `e` with the source's columns (`s.a`, or `a` when the source has such a column)
    // replaced by their values; without them, a reference to one is left to read nothing
    // (qualified by the source, which no row of the target answers to: unknown).
    ExprPtr Resolve(const ExprPtr& e) const {
      if (e->kind == Expr::Kind::kColumn) {
        if (!e->qualifier.empty() && e->qualifier != alias) return e;  // the target's
        auto it = columns.find(e->name);
        return it != columns.end() ? it->second : e;
      }
      return MapArgs(e, [this](const ExprPtr& arg) { return Resolve(arg); });
    }
    void ResolveAll(ColumnValues* values) const {
      for (auto& [column, e] : *values) {
        if (e) e = Resolve(e);
      }
    }
  };

  static MergeSource ReadMergeSource(PgNode body) {
    MergeSource source;
    auto relation = Field(body, "sourceRelation");
    if (!relation) return source;
    PgNode r = NodeBody(*relation);
    std::vector<std::string> names;
    if (auto alias = Field(r, "alias")) {
      source.alias = std::string(StringField(*alias, "aliasname"));
      for (PgNode n : ListField(*alias, "colnames"))
        names.emplace_back(StringField(NodeBody(n), "sval"));
    }
    if (NodeType(*relation) == "RangeVar" && source.alias.empty()) {
      source.alias = std::string(StringField(r, "relname"));
    }
    auto subquery = Field(r, "subquery");
    if (NodeType(*relation) != "RangeSubselect" || !subquery) return source;
    PgNode select = NodeBody(*subquery);
    if (!ListField(select, "fromClause").empty() || Field(select, "whereClause")) return source;
    std::vector<PgNode> values = ListField(select, "valuesLists");
    std::vector<ExprPtr> items;
    std::vector<std::string> item_names;
    if (values.size() == 1) {
      for (PgNode item : ListField(NodeBody(values[0]), "items"))
        items.push_back(ConvertExpr(item));
      for (size_t i = 0; i < items.size(); ++i)
        item_names.push_back("column" + std::to_string(i + 1));
    } else if (values.empty()) {
      for (PgNode t : ListField(select, "targetList")) {
        PgNode rt = NodeBody(t);
        auto val = Field(rt, "val");
        if (!val) return source;
        items.push_back(ConvertExpr(*val));
        std::string name(StringField(rt, "name"));
        if (name.empty() && NodeType(*val) == "ColumnRef") {
          std::vector<PgNode> fields = ListField(*val, "fields");
          if (!fields.empty()) name = std::string(StringField(NodeBody(fields.back()), "sval"));
        }
        item_names.push_back(std::move(name));
      }
    } else {
      return source;  // several rows: each row of the source takes an action of its own
    }
    for (size_t i = 0; i < items.size(); ++i) {
      // Only values the same for every row (a column reference here would be the source's
      // own), and that the session decides (not a subquery): others stay unknown.
      if (!IsRowIndependent(*items[i]) || HasUnsupported(*items[i])) continue;
      const std::string& name = i < names.size() ? names[i] : item_names[i];
      if (!name.empty()) source.columns.emplace(name, items[i]);
    }
    return source;
  }

  void Copy(PgNode body) {
    if (auto relation = Field(body, "relation")) {
      AddAccess(*relation, BoolField(body, "is_from") ? Command::kCopyFrom : Command::kCopyTo);
    }
    if (auto q = Field(body, "query")) Walk(*q);
  }

  void Truncate(PgNode body) {
    for (PgNode r : ListField(body, "relations")) AddAccess(NodeBody(r), Command::kTruncate);
  }

  void VariableSet(PgNode body) {
    std::string_view kind = StringField(body, "kind");
    SettingChange change;
    change.name = AsciiLower(StringField(body, "name"));
    change.is_local = BoolField(body, "is_local");
    if (kind == "VAR_SET_VALUE") {
      std::vector<PgNode> args = ListField(body, "args");
      if (args.size() == 1 && change.name != "search_path") {
        change.value = ConvertExpr(args[0]);
      } else {
        // SET search_path = a, b: the value is the list as PostgreSQL keeps it (ApplySettings).
        for (PgNode a : args) change.list.push_back(ConvertExpr(a));
      }
    } else if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
      change.kind = SettingChange::Kind::kReset;
    } else if (kind == "VAR_RESET_ALL") {
      change.kind = SettingChange::Kind::kResetAll;
    } else {
      return;  // SET ... FROM CURRENT, SET TRANSACTION ...: no effect on RLS context
    }
    out_->settings.push_back(std::move(change));
  }

  void Transaction(PgNode body) {
    std::string_view kind = StringField(body, "kind");
    out_->savepoint = std::string(StringField(body, "savepoint_name"));
    out_->txn_chain = BoolField(body, "chain");
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START")
      out_->txn = TxnAction::kBegin;
    else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_PREPARE")
      out_->txn = TxnAction::kCommit;
    else if (kind == "TRANS_STMT_ROLLBACK")
      out_->txn = TxnAction::kRollback;
    else if (kind == "TRANS_STMT_SAVEPOINT")
      out_->txn = TxnAction::kSavepoint;
    else if (kind == "TRANS_STMT_RELEASE")
      out_->txn = TxnAction::kRelease;
    else if (kind == "TRANS_STMT_ROLLBACK_TO")
      out_->txn = TxnAction::kRollbackTo;
  }

  AnalyzedStatement* out_;
  bool may_have_ctes_ = true;
  const std::vector<std::string>* argument_names_ = nullptr;  // a SQL function's, when given
  std::set<std::string> ctes_;
  std::map<int64_t, ColumnValues> filters_;       // by RangeVar location
  std::map<int64_t, ColumnValues> list_filters_;  // by RangeVar location
  std::set<int64_t> locking_;
  std::set<int64_t> reads_all_;  // SelectStmt ranges with ReadsAllMatching
  int rows_decide_ = 0;          // > 0 while walking what runs once per row, or not at all
  bool plan_only_ = false;
  int selects_ = 0;  // SelectStmts entered so far: only the first is the statement's top level
  std::set<int64_t> direct_calls_;  // FuncCall locations that run once (direct_calls)
  std::set<std::string, std::less<>> other_calls_;  // functions called anywhere else
};

}  // namespace

AnalyzedText AnalyzeSql(std::string_view sql, const std::vector<std::string>* argument_names) {
  AnalyzedText out;
  PgTree tree;
  Status s = tree.Parse(sql);
  if (!s.ok()) {
    out.parsed = false;
    out.parse_error = s.message();
    return out;
  }
  const bool may_have_ctes = tree.Mentions("CommonTableExpr");
  for (const auto& stmt : tree.statements()) {
    AnalyzedStatement analyzed;
    TreeWalker(&analyzed, may_have_ctes, argument_names).Statement(stmt.node);
    out.statements.push_back(std::move(analyzed));
  }
  return out;
}

std::vector<TableAccess> QueryAccesses(PgNode query) {
  AnalyzedStatement analyzed;
  TreeWalker(&analyzed).Statement(query);
  return std::move(analyzed.accesses);
}

StatementAnalyzer::StatementAnalyzer(size_t max_cache_entries) : max_entries_(max_cache_entries) {}

std::shared_ptr<const AnalyzedText> StatementAnalyzer::Parse(std::string_view sql) const {
  return std::make_shared<const AnalyzedText>(AnalyzeSql(sql));
}

void StatementAnalyzer::RememberExactText(std::string_view sql, uint64_t hash, uint32_t shape) {
  // Texts differing only in a comment (a trace id in each) may all be new: a tighter bound than
  // by_shape_'s, ~20 MB of 300-byte statements.
  constexpr size_t kMaxExactTexts = 65536;
  if (by_exact_text_.size() >= std::min(max_entries_, kMaxExactTexts)) by_exact_text_.Clear();
  by_exact_text_.Insert(sql, hash, shape);
}

uint32_t StatementAnalyzer::AddShape(uint64_t hash, std::shared_ptr<const AnalyzedText> analyzed) {
  const auto number = static_cast<uint32_t>(shapes_.size());
  shapes_.push_back(Shape{by_shape_.Insert(shape_.text, hash, number), std::move(analyzed)});
  return number;
}

std::shared_ptr<const AnalyzedText> StatementAnalyzer::Analyze(
    std::string_view sql, size_t bound, std::vector<std::optional<std::string>>* lifted) {
  const uint64_t text_hash = common::HashText(sql);
  if (const uint32_t known = by_exact_text_.Find(sql, text_hash);
      known != common::FlatTextMap::kNone) {
    const Shape& entry = shapes_[known];
    ++hits_;
    last_shape_ = entry.text;
    return entry.analyzed;
  }
  ShapeOf(sql, &shape_);
  last_shape_ = shape_.text;
  // A shape whose lifted literals would not line up with the logged parameters (some were not
  // logged) is parsed as written instead.
  bool shape_usable = bound == static_cast<size_t>(shape_.param_base) || !shape_.lifted_any;
  // PREPARE's query numbers its own parameters from $1: lifted literals would collide with the
  // ones EXECUTE binds, so it is analysed as written.
  if (shape_.lifted_any && StartsWithKeyword(shape_.text, "prepare")) shape_usable = false;
  if (shape_usable) {
    const uint64_t hash = common::HashText(shape_.text);
    const uint32_t found = by_shape_.Find(shape_.text, hash);
    const Shape* entry = found == common::FlatTextMap::kNone ? nullptr : &shapes_[found];
    if (entry != nullptr && entry->analyzed) {
      ++hits_;
      if (shape_.lifted_any) {
        for (auto& lit : shape_.literals) lifted->emplace_back(std::move(lit));
      } else {
        RememberExactText(sql, text_hash, found);
      }
      return entry->analyzed;
    }
    if (entry == nullptr) {
      ++misses_;
      if (by_shape_.size() >= max_entries_) {
        by_shape_.Clear();
        by_exact_text_.Clear();
        shapes_.clear();
      }
      auto analyzed = Parse(shape_.lifted_any ? std::string_view(shape_.text) : sql);
      if (analyzed->parsed || !shape_.lifted_any) {
        const uint32_t number = AddShape(hash, analyzed);
        if (shape_.lifted_any) {
          for (auto& lit : shape_.literals) lifted->emplace_back(std::move(lit));
        } else {
          RememberExactText(sql, text_hash, number);
        }
        return analyzed;
      }
      // The shaped text does not parse (a literal where the grammar wants a keyword):
      // remember that, and parse texts of this shape as written.
      AddShape(hash, nullptr);
    }
  }
  std::string key(sql);
  auto it = by_text_.find(key);
  if (it != by_text_.end()) {
    ++hits_;
    return it->second;
  }
  ++misses_;
  if (by_text_.size() >= max_entries_) by_text_.clear();
  auto analyzed = Parse(sql);
  by_text_.emplace(std::move(key), analyzed);
  return analyzed;
}

}  // namespace rls_shadow
