// TriggerProgram: what a plpgsql BEFORE ROW trigger function does to NEW, when it is simple
// enough to run: assignments to NEW's columns (`NEW.tenant_id := current_setting(...)::uuid`)
// and to its own variables (`DECLARE ctx text := current_setting(...)`), IF / ELSIF / ELSE over
// conditions, RAISE, and `RETURN NEW` at the end. This is the common form of a trigger that
// fills the tenant from the context, and PostgreSQL checks the row such a trigger returns:
// running it decides writes that would otherwise depend on the row
// (SqlFunctions::NewRowChanges, which only says what may change, is the fallback for every
// other body).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyze/evaluator.h"
#include "analyze/expr.h"
#include "analyze/pg_tree.h"
#include "analyze/value.h"
#include "common/function_ref.h"

namespace rls_shadow {

class SqlFunctions;

struct TriggerStep {
  enum class Kind { kAssign, kIf, kRaise };
  Kind kind = Kind::kAssign;
  // kAssign: NEW's column (lower-case), or, when `variable`, one of the function's variables.
  std::string target;
  bool variable = false;
  ExprPtr value;  // kAssign: the value, before the cast to the target's type
  // kIf: the IF and ELSIF conditions with their statements, then ELSE's.
  std::vector<std::pair<ExprPtr, std::vector<TriggerStep>>> branches;
  std::vector<TriggerStep> otherwise;
  // kRaise: RAISE EXCEPTION (or no level), which fails the statement. A RAISE of a lower level
  // (NOTICE, ...) changes nothing and is not a step.
};

struct TriggerProgram {
  struct Variable {
    std::string name;  // lower-case
    std::string type;  // normalised (NormalizeTypeName); "" when not one the evaluator knows
    ExprPtr initial;   // DECLARE ... := expr; null: NULL
  };
  std::vector<Variable> variables;  // in declaration order, as they are initialised
  std::vector<TriggerStep> steps;
};

// The program of a plpgsql trigger function (libpg_query's PLpgSQL_function body), or false
// when its body does anything else: declares a variable in an inner block or a record, assigns
// OLD or NEW whole or a subscript, selects INTO, loops, runs a statement, returns before its end
// or returns another row than NEW, or handles exceptions.
bool ReadTriggerProgram(PgNode function, TriggerProgram* out);

// `program` with the SQL helper functions its expressions call inlined.
TriggerProgram InlineTriggerProgram(const TriggerProgram& program, const SqlFunctions& functions);

// Adds to `out` (once each) the columns of NEW or OLD that `program` reads or assigns.
void CollectRowColumns(const TriggerProgram& program, std::vector<std::string>* out);

// The row a trigger runs on.
struct TriggerRow {
  std::string_view tg_op;  // "INSERT" or "UPDATE"
  // A column's value in NEW / OLD; null when it is not known (OLD: and for an INSERT).
  FunctionRef<const Value*(std::string_view column)> new_value;
  FunctionRef<const Value*(std::string_view column)> old_value;
  // A column's declared type (the evaluator's names), "" when unknown.
  FunctionRef<std::string_view(std::string_view column)> column_type;
  // Stores a column's new value in NEW (a known value, or NULL), or makes it unknown.
  FunctionRef<void(std::string_view column, Value value)> set;
  FunctionRef<void(std::string_view column)> forget;
};

// Runs `program` on `row`, reading the session through `session` (settings, users). Expressions
// are evaluated as the executor does (AND / OR stop at the first operand that decides). A value
// that is not a value (unknown, indeterminate, an error) leaves its target unknown; a condition
// that does not decide (unknown, indeterminate, an error) leaves every column and variable its
// branches assign unknown. A RAISE EXCEPTION reached, which fails the statement (in the shadow
// run too: a trigger reads no policy), leaves every column the program assigns unknown.
void RunTriggerProgram(const TriggerProgram& program, const EvalInputs& session,
                       const TriggerRow& row);

}  // namespace rls_shadow
