// SqlFunctions: the SQL-language functions of the schema dump and the migration, and their
// inlining into policy expressions. Teams often wrap the tenant context in a helper
// (`USING (tenant_id = app.current_tenant())`); PostgreSQL evaluates such a function as its one
// expression with the arguments in place, so rls-shadow does the same instead of answering
// `indeterminate` for every access.
//
// A function is inlined when its body is one expression over its arguments only — LANGUAGE sql
// with `AS $$ SELECT expr $$`, `RETURN expr` or `BEGIN ATOMIC SELECT expr; END`, or LANGUAGE
// plpgsql with a block that only does `RETURN expr;` (its value cast to the declared return type,
// as plpgsql casts it; no variable, no exception handler) — and nothing
// makes it run differently from that expression: not SECURITY DEFINER (current_user would be the
// owner), no SET clause (it would change the settings the body reads), no set result, no
// VARIADIC or defaulted argument. Arguments are cast to their declared types, as PostgreSQL
// coerces them; a STRICT function is NULL when an argument is. Anything else stays a call, which
// the evaluator reports as `indeterminate` naming the function.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/expr.h"
#include "analyze/pg_tree.h"
#include "analyze/statement.h"
#include "analyze/trigger_program.h"

namespace rls_shadow {

// A plpgsql expression (PLpgSQL_expr's query, which PL/pgSQL runs as `SELECT query`),
// converted; null when it is not one expression.
ExprPtr PlpgsqlExpression(std::string_view query);

// The table accesses and function calls of a plpgsql block (a DO block's body). Returns whether
// the block runs its statements as they are, each once and in order (no variable, control flow,
// exception handler or SELECT INTO), and none changes a setting: its accesses are then the
// statement's own.
bool PlpgsqlBlockAccesses(std::string_view block, std::vector<TableAccess>* accesses,
                          std::vector<std::string>* calls);

class SqlFunctions {
 public:
  // A CreateFunctionStmt body (CREATE [OR REPLACE] FUNCTION) and the statement's text (a plpgsql
  // body is parsed from it): records or replaces the function.
  void Create(PgNode body, std::string_view statement);
  // A DropStmt body with removeType OBJECT_FUNCTION.
  void Drop(PgNode body);

  // `e` with every call of an inlinable function replaced by its body; `e` itself when none.
  ExprPtr Inline(const ExprPtr& e) const;

  // A table access inside a function's body, or inside a function it calls (at any depth).
  struct ReachedAccess {
    std::string schema;  // "" when the body does not qualify the table
    std::string relname;
    Command command = Command::kSelect;
    std::string via;  // the functions it is reached through: "app.f() -> app.g()"
  };
  // Recomputes what every function reaches; after the functions changed.
  void ComputeReach();
  // The accesses a call of `name` (any arity; unqualified names as Find resolves them) reaches:
  // null when none. Bodies of LANGUAGE sql (AS text) and plpgsql functions are read; dynamic SQL
  // (EXECUTE) is not.
  const std::vector<ReachedAccess>* Reached(std::string_view name) const;
  bool any_reach() const { return !reach_.empty(); }

  // The columns of NEW a trigger function may change before its row is checked and written:
  // those its plpgsql body assigns (`NEW.col := ...`), or every column (`all`) when it assigns
  // NEW whole, selects INTO something, may return another row than NEW (RETURN NULL skips the
  // row), or is not plpgsql.
  struct NewRowChanges {
    bool all = false;
    std::vector<std::string> columns;
    // Forgets them in `row` (column values by name): every column when `all`.
    template <typename Row>
    void ForgetIn(Row* row) const {
      if (all) {
        *row = Row();
        return;
      }
      for (const std::string& column : columns) row->erase(column);
    }
  };
  // Those of the trigger function `name` (no arguments); every column when it is not known.
  NewRowChanges TriggerChanges(std::string_view name) const;
  // The program of the trigger function `name` (no arguments), as written; null when it is not
  // known or does more than a TriggerProgram can say.
  const TriggerProgram* TriggerProgramOf(std::string_view name) const;

  // The statements of a LANGUAGE sql function that runs as its caller, with the caller's
  // settings (not SECURITY DEFINER, no SET clause, no statement or call that changes a setting),
  // and calls no function that reaches a table: a call runs them with its arguments as $1..$n.
  // Null otherwise. An argument the body names is read in the values the body gives (inserted,
  // assigned) and in its `WHERE col = name` filters, where the name is no column of the table
  // (PostgreSQL resolves a column first).
  struct SqlBody {
    const std::vector<TableAccess>* accesses;
    const std::vector<std::string>* arg_names;  // "" when unnamed
    const std::vector<std::string>* arg_types;  // normalised, "" when unknown
    bool strict;                                // not run when an argument is NULL
  };
  std::optional<SqlBody> FollowedBody(std::string_view name, size_t arity) const;

  // Why a function of that name and arity is not inlined ("LANGUAGE plpgsql", ...), "" when it
  // is, or is not known.
  std::string WhyNotInlined(std::string_view name, size_t arity) const;

 private:
  struct Function {
    std::vector<std::string> arg_names;  // "" when unnamed
    std::vector<std::string> arg_types;  // normalised (NormalizeTypeName)
    bool strict = false;
    ExprPtr body;         // null when not inlinable
    std::string why_not;  // when body is null
    std::vector<TableAccess> accesses;  // the tables its body's statements read and write
    std::vector<std::string> calls;     // the functions its body calls
    bool followable = false;            // see FollowedBody
    NewRowChanges new_row_changes;      // as a trigger function
    std::shared_ptr<const TriggerProgram> trigger_program;  // null when it cannot be run
  };

  const Function* Find(std::string_view name, size_t arity) const;
  ExprPtr InlineAt(const ExprPtr& e, int depth) const;
  ExprPtr Substitute(const ExprPtr& body, const Function& f, const std::vector<ExprPtr>& args,
                     bool* ok) const;

  // By qualified name ("app.current_tenant"), then arity. Overloads of one arity with different
  // argument types are not told apart: such a name is not inlined.
  std::map<std::string, std::map<size_t, std::vector<Function>>, std::less<>> functions_;
  std::map<std::string, std::vector<ReachedAccess>, std::less<>> reach_;  // by qualified name
};

}  // namespace rls_shadow
