// Expr: the subset of PostgreSQL expressions that RLS policies and statement values are made of,
// converted once from libpg_query's parse tree into an immutable tree the evaluator walks on the
// hot path. Anything outside the subset becomes kUnsupported carrying what it was, so the
// evaluator can answer "indeterminate: <construct>" instead of guessing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analyze/pg_tree.h"

namespace rls_shadow {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind {
    kNull,         // NULL
    kBool,         // TRUE / FALSE (text "t" / "f")
    kConst,        // a literal: text holds its value; is_string for '...' literals
    kParam,        // $n: param
    kColumn,       // a column reference: name (last field), qualifier (table or alias, may be "")
    kFunc,         // function call: name (lower-case, schema stripped), args
    kCast,         // args[0]::name (type name normalised: uuid, text, int4, int8, numeric, bool)
    kOp,           // binary operator: name ("=", "<>", "<", ...), args[0], args[1]
    kAnd,          // args
    kOr,           // args
    kNot,          // args[0]
    kIsNull,       // args[0] IS NULL (negated: IS NOT NULL)
    kIsTrue,       // args[0] IS TRUE / IS NOT TRUE (negated), IS FALSE via name "false"
    kDistinct,     // args[0] IS DISTINCT FROM args[1] (negated: IS NOT DISTINCT FROM)
    kIn,           // args[0] IN (args[1..]) (negated: NOT IN)
    kAnyArray,     // args[0] op ANY (args[1]) where args[1] is an array value; name is op
    kArray,        // ARRAY[args...]
    kCoalesce,     // args
    kNullIf,       // args[0], args[1]
    kCase,         // args: [test or null-expr], then WHEN/THEN pairs, then ELSE (kNull if none)
    kCurrentUser,  // current_user / current_role / user
    kSessionUser,  // session_user
    // A subquery over one table, decided against rls-shadow's copy of that table's rows:
    // name "exists" (EXISTS (SELECT ... FROM t WHERE args[2])) or "any" (args[0] IN / = ANY
    // (SELECT args[1] FROM t WHERE args[2])); qualifier is the table ("public.org_members"),
    // text the name its columns are qualified by inside (the alias, else the table's name).
    // args[0] / args[1] are kNull for "exists"; args[2] is kBool true without WHERE.
    kSubquery,
    kUnsupported,  // text says what: "subquery", "function now()", ...
    // A scalar subquery without FROM over one expression, args[0]: `(SELECT
    // current_setting('app.tenant')::uuid)`, the form policies are written in so the planner
    // computes the context once (an InitPlan). Its value is args[0]'s, but it is computed at
    // execution, when a row first needs it: an error it raises is raised only if a row reaches
    // the policy, not while planning. (Last, so stored snapshots keep their kind numbers.)
    kInitPlan,
  };

  Kind kind = Kind::kUnsupported;
  std::string name;
  std::string qualifier;
  std::string text;
  int param = 0;
  bool is_string = false;
  bool negated = false;
  bool has_case_test = false;  // kCase: args[0] is the simple-CASE test expression
  std::vector<ExprPtr> args;
};

// `e` with `map` applied to each argument: a copy holding the mapped arguments, or `e` itself
// when `map` returned every one unchanged (trees are immutable and shared, so rewrites copy only
// the path to what they change).
template <typename Map>
ExprPtr MapArgs(const ExprPtr& e, Map map) {
  std::shared_ptr<Expr> copy;
  for (size_t i = 0; i < e->args.size(); ++i) {
    ExprPtr arg = map(e->args[i]);
    if (arg == e->args[i]) continue;
    if (!copy) copy = std::make_shared<Expr>(*e);
    copy->args[i] = std::move(arg);
  }
  return copy ? ExprPtr(std::move(copy)) : e;
}

// Converts a wrapped parse node ({"A_Expr": {...}}) to an Expr. Never fails: unknown
// constructs become kUnsupported naming the node type.
ExprPtr ConvertExpr(PgNode node);

// Deparses back to SQL-like text, for examples and messages ("tenant_id = current_setting(...)").
std::string ExprToString(const Expr& e);

// Appends an encoding of `e` (null: no expression) to `out`: two trees encode alike exactly when
// every field of every node is the same.
void AppendExprKey(const Expr* e, std::string* out);

// True when the expression reads no column (its value is the same for every row).
bool IsRowIndependent(const Expr& e);

// Names of the settings read with current_setting('name', ...) anywhere in `e`, in order.
void CollectSettingNames(const Expr& e, std::vector<std::string>* out);
// The first name CollectSettingNames would collect, without collecting: null when none.
const std::string* FirstSettingName(const Expr& e);
// The setting that names a row's tenant in `e`: the first one compared with a column
// (`tenant_id = current_setting('app.tenant')::uuid`, also in IN / = ANY), so a flag read before
// it (`current_setting('app.is_admin') = 'on' OR ...`) is not taken for the tenant; else
// FirstSettingName.
const std::string* TenantSettingName(const Expr& e);
// Column names referenced anywhere in `e`, in order.
void CollectColumns(const Expr& e, std::vector<std::string>* out);

// Normalises a PostgreSQL type name as written ("pg_catalog.int4", "integer", "uuid") to the
// evaluator's names: uuid, text, int2, int4, int8, numeric, bool; other names are returned
// lower-cased.
std::string NormalizeTypeName(std::string_view name);

}  // namespace rls_shadow
