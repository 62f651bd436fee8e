// AnalyzedStatement: what one SQL statement does that matters to RLS, extracted once from its
// parse tree and cached by shape: the transaction control it performs, the settings it changes
// (SET, RESET, set_config, SET ROLE, ...), and every table it reads or writes, with the values
// it assigns and the equality filters it applies. Values are Exprs over $n parameters, so one
// analysis serves every execution of the same shape.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analyze/expr.h"
#include "rls_shadow/finding.h"

namespace rls_shadow {

enum class TxnAction { kNone, kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo };

struct SettingChange {
  enum class Kind {
    kSet,         // SET [LOCAL] name = value (value null: SET name TO DEFAULT, i.e. a reset)
    kReset,       // RESET name
    kResetAll,    // RESET ALL
    kDiscardAll,  // DISCARD ALL
    kSetConfig,   // set_config(name_expr, value, is_local_expr) inside a statement
  };
  Kind kind = Kind::kSet;
  std::string name;  // lower-case setting name ("app.current_tenant_id", "role", ...)
  bool is_local = false;
  ExprPtr name_expr;      // kSetConfig
  ExprPtr value;          // kSet / kSetConfig
  ExprPtr is_local_expr;  // kSetConfig
  // kSetConfig called where the rows decide whether it runs at all (a SELECT with FROM, WHERE,
  // LIMIT, ...; an UPDATE's or DELETE's expressions; ON CONFLICT DO UPDATE): zero rows leave
  // the setting as it was, so what it holds after is not known.
  bool rows_decide = false;
  // kSet of a list (SET search_path = a, b) or of search_path: each element, kept as
  // SetValueText joins them once evaluated (a literal may be a lifted parameter).
  std::vector<ExprPtr> list;
};

using ColumnValues = std::vector<std::pair<std::string, ExprPtr>>;  // null ExprPtr: DEFAULT

// A number no other TableAccess of the process has had: a copy takes a new one (it may be
// changed, as view expansion changes its copies), so an id always stands for one unchanged
// access. VerdictMemo keys verdicts by it; unlike an address, it is never reused.
class AccessId {
 public:
  AccessId() : value_(Next()) {}
  AccessId(const AccessId&) noexcept : value_(Next()) {}
  AccessId(AccessId&&) noexcept : value_(Next()) {}
  AccessId& operator=(const AccessId&) noexcept {
    value_ = Next();
    return *this;
  }
  AccessId& operator=(AccessId&&) noexcept {
    value_ = Next();
    return *this;
  }
  uint64_t value() const { return value_; }

 private:
  static uint64_t Next() {
    static std::atomic<uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  uint64_t value_;
};

struct TableAccess {
  std::string schema;  // "" when unqualified
  std::string relname;
  std::string alias;
  Command command = Command::kSelect;
  bool locking = false;        // SELECT ... FOR UPDATE / SHARE: UPDATE policies filter too
  bool reads_columns = false;  // UPDATE / DELETE that read the target's columns
  bool returning = false;
  enum class OnConflict { kNone, kNothing, kUpdate } on_conflict = OnConflict::kNone;
  std::vector<std::string> conflict_columns;  // ON CONFLICT (cols): shared with the existing row
  bool rows_known = false;                    // INSERT ... VALUES: the new rows are known
  std::vector<ColumnValues> rows;             // INSERT rows, by column name
  ColumnValues assignments;                   // UPDATE SET / ON CONFLICT DO UPDATE SET
  ColumnValues filters;                       // WHERE col = <row-independent expr>, AND-ed
  // WHERE col IN (a, b, ...) (a kArray of the items) and col = ANY(<array expr>), AND-ed.
  ColumnValues list_filters;
  // A plain read of this one table whose WHERE is exactly `filters` (no joins, limits,
  // grouping, aggregates, locking, set operations): it reads every row matching them.
  bool reads_all_matching = false;
  std::string unsupported;  // set when the access cannot be evaluated (e.g. MERGE into a view)
  bool plan_only = false;   // under a plain EXPLAIN: planned, never executed
  // REFRESH MATERIALIZED VIEW of this relation: its query runs, as the view's owner.
  bool refresh = false;
  // MERGE (command kMerge): its WHEN clauses but DO NOTHING, in order, each as the write it
  // performs on the target: kInsert with its one row (rows_known), kUpdate with its assignments,
  // kDelete. A value read from the source is resolved when the source is a one-row VALUES list
  // or a SELECT without FROM; otherwise it stays a column of the source, unknown.
  std::vector<TableAccess> merge_actions;
  bool merge_matched = false;  // an action of WHEN MATCHED (else WHEN NOT MATCHED)
  AccessId id;
};

struct AnalyzedStatement {
  // SQL-level prepared statements: PREPARE name AS query / EXECUTE name(args) / DEALLOCATE.
  std::string prepare_name;
  std::shared_ptr<const AnalyzedStatement> prepared;  // the query PREPARE names
  std::string execute_name;
  std::vector<ExprPtr> execute_args;
  std::string deallocate_name;
  bool deallocate_all = false;

  TxnAction txn = TxnAction::kNone;
  bool txn_chain = false;  // COMMIT AND CHAIN / ROLLBACK AND CHAIN
  std::string savepoint;
  std::vector<SettingChange> settings;
  std::vector<TableAccess> accesses;
  // The functions the statement calls by name (lower-case, pg_catalog. dropped, each once): the
  // engine reports the table accesses inside those the catalog knows (PolicyCatalog::Reached).
  std::vector<std::string> calls;
  // The calls that run exactly once, with these arguments, when the statement runs: a top-level
  // `SELECT f(args), ...` with no FROM, WHERE, grouping or LIMIT, and `CALL f(args)`. Only
  // functions no other place of the statement calls (a call in a FROM list or a CASE may run
  // any number of times). The engine evaluates the statements of such a LANGUAGE sql function
  // with the arguments (ShadowEngine::FollowCall).
  struct FunctionCall {
    std::string name;  // as in `calls`
    std::vector<ExprPtr> args;
  };
  std::vector<FunctionCall> direct_calls;
  // The table accesses of a DO block's statements, which the engine reports, not evaluates
  // (a block that only runs its statements in order adds them to `accesses` instead).
  std::vector<TableAccess> do_block_accesses;
};

struct AnalyzedText {
  std::vector<AnalyzedStatement> statements;
  bool parsed = true;
  std::string parse_error;
};

}  // namespace rls_shadow
