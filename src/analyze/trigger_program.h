// TriggerProgram: what a plpgsql BEFORE ROW trigger function does to NEW, when it is simple
// enough to run: assignments to NEW's columns (`NEW.tenant_id := current_setting(...)::uuid`),
// IF / ELSIF / ELSE over conditions, and `RETURN NEW` at the end. This is the common form of a
// trigger that fills the tenant from the context, and PostgreSQL checks the row such a trigger
// returns: running it decides writes that would otherwise depend on the row
// (SqlFunctions::NewRowChanges, which only says what may change, is the fallback for every
// other body).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyze/expr.h"
#include "analyze/pg_tree.h"
#include "analyze/value.h"
#include "common/function_ref.h"

namespace rls_shadow {

class SqlFunctions;

struct TriggerStep {
  enum class Kind { kAssign, kIf };
  Kind kind = Kind::kAssign;
  std::string column;  // kAssign: NEW's column, lower-case
  ExprPtr value;       // kAssign: the value assigned, before the cast to the column's type
  // kIf: the IF and ELSIF conditions with their statements, then ELSE's.
  std::vector<std::pair<ExprPtr, std::vector<TriggerStep>>> branches;
  std::vector<TriggerStep> otherwise;
};

struct TriggerProgram {
  std::vector<TriggerStep> steps;
};

// The program of a plpgsql trigger function (libpg_query's PLpgSQL_function body), or false
// when its body does anything else: declares a variable, assigns OLD or NEW whole, selects INTO,
// raises, loops, runs a statement, returns before its end or returns another row than NEW, or
// handles exceptions. Expressions read NEW.col, OLD.col and TG_OP; other names are unknown.
bool ReadTriggerProgram(PgNode function, TriggerProgram* out);

// `program` with the SQL helper functions its expressions call inlined.
TriggerProgram InlineTriggerProgram(const TriggerProgram& program, const SqlFunctions& functions);

// Adds to `out` (once each) the columns of NEW or OLD that `e` reads.
void CollectRowColumns(const Expr& e, std::vector<std::string>* out);
// ... and those `program` reads or assigns.
void CollectRowColumns(const TriggerProgram& program, std::vector<std::string>* out);

// Runs `program` over a row: `eval` evaluates an expression on the row as it is now, `assign`
// stores a column's new value (not yet cast to its type), `forget` makes a column unknown. A
// condition that does not evaluate to TRUE, FALSE or NULL (unknown, indeterminate, an error)
// forgets every column its branches assign, which PostgreSQL may or may not have changed.
void RunTriggerProgram(const TriggerProgram& program, FunctionRef<Value(const Expr&)> eval,
                       FunctionRef<void(std::string_view, Value)> assign,
                       FunctionRef<void(std::string_view)> forget);

}  // namespace rls_shadow
