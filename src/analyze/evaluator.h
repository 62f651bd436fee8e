// Evaluator: PostgreSQL expression semantics over Values, for RLS policy expressions and the
// values statements assign. Three-valued logic, PostgreSQL's casts and their errors (22P02 with
// PostgreSQL's own message text), current_setting with and without missing_ok (42704), and
// "unknown" for columns of rows that were not observed.
//
// An Evaluator is immutable once built and cheap to construct per access; it borrows the
// EvalInputs it is given.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyze/expr.h"
#include "analyze/stored_row.h"
#include "analyze/value.h"

namespace rls_shadow {

// What an evaluation may read. Every member may be left empty.
struct EvalInputs {
  // The session's value of a setting: nullopt when the session never defined it (NULL).
  std::function<std::optional<std::string_view>(std::string_view name)> setting;
  // Borrowed, like params: the session's, unchanged while an evaluation runs.
  std::string_view current_user;
  std::string_view session_user;
  // Bound parameters: $1 is params[0]; nullopt is NULL.
  const std::vector<std::optional<std::string>>* params = nullptr;
  // When set, the number n of every $n read is appended here (repeats included): with the
  // settings read, all a verdict depends on in a session (see VerdictMemo).
  std::vector<int>* params_read = nullptr;
  // The row: a column's value when it is known, nullopt when the row is not observed. Gets the
  // kColumn node, so a qualifier such as ON CONFLICT's `excluded` can be told apart.
  std::function<std::optional<Value>(const Expr& column)> column;
  // A column's declared type and nullability ("" when unknown).
  std::function<std::pair<std::string, bool>(std::string_view column)> column_type;
  // The kept rows of a table a policy subquery reads ("public.org_members"); nullopt when
  // rls-shadow keeps no copy of it (then the subquery is indeterminate).
  std::function<std::optional<ReplicaView>(std::string_view table)> replica;
  // Domains (CREATE DOMAIN) by name -> base type: a cast to one is a cast to its base type.
  const std::map<std::string, std::string, std::less<>>* domains = nullptr;
};

// Result of a policy predicate over one row (or over every row the access can touch).
enum class Predicate { kPass, kFail, kRowDependent, kError, kIndeterminate };

// A row for one evaluation, overriding EvalInputs::column (so inputs need not be copied): the
// column's value in the row, or null when the row does not know it. The value is borrowed, so
// a comparison can read it in place.
using RowLookup = std::function<const Value*(const Expr& column)>;

class Evaluator {
 public:
  explicit Evaluator(const EvalInputs& inputs, const RowLookup* row = nullptr)
      : in_(inputs), row_(row) {}

  Value Eval(const Expr& e) const;
  // Evaluates AND / OR operands as the executor does, in order, stopping at the first that
  // decides (a WITH CHECK on a new row), rather than as planning does, where every comparison
  // of a column with a value is estimated and a value that fails fails the statement.
  void set_in_order(bool in_order) { in_order_ = in_order; }
  // Casts a value to a type the way PostgreSQL's input functions do. Takes the value by value:
  // most casts keep its text (a canonical uuid, text to text), which is then moved, not copied.
  static Value Cast(Value v, std::string_view type);
  // Whether Cast of a known value to `type` always decides (a value or an error, never
  // indeterminate): the scalar types the evaluator implements.
  static bool CastDecides(std::string_view type);
  // Maps a boolean Value to a policy verdict: pass only when TRUE for every possible row.
  static Predicate ToPredicate(const Value& v);
  // Cast(Eval(e), type) for the forms a tenant filter takes, $n and current_setting(...)::type,
  // when `type` is uuid or text and the value keeps its text (a canonical uuid, any text): the
  // same value, built without evaluating and casting. nullopt in every other case.
  std::optional<Value> KeptTextAs(const Expr& e, std::string_view type) const;

 private:
  Value EvalColumn(const Expr& e) const;
  // `column = e` / `column <> e` where the row knows the column: compared without copying the
  // row's value when both sides are known values of one non-numeric type; else the general path.
  Value EvalCompareWithRowValue(const Expr& e, const Value& column, const Expr& other) const;
  // current_setting('<literal>' or a logged $n[, <bool literal>]) of a setting the session
  // defines: its text, borrowed from the session (what EvalFunc would copy into a known text
  // Value). nullopt in every other case (another form, a built-in name, an undefined setting):
  // EvalFunc decides.
  std::optional<std::string_view> DefinedSettingText(const Expr& func) const;
  // `e` when it is current_setting(...)::uuid or ::text of a setting the session defines and
  // the cast keeps the text as it is (a canonical uuid, any text): that text, in place.
  // nullopt otherwise (Eval decides).
  std::optional<std::string_view> SettingCastText(const Expr& e) const;
  // The logged value of $n (`e` a kParam): null when $n was not logged; nullopt inside is NULL.
  const std::optional<std::string>* LoggedParam(const Expr& e) const;
  Value EvalParam(const Expr& e) const;
  Value EvalFunc(const Expr& e) const;
  // Takes its operands by value: callers pass temporaries, and casts rewrite them in place.
  Value EvalCompare(std::string_view op, Value a, Value b) const;
  Value EvalLogic(const Expr& e) const;
  Value EvalIn(const Expr& e) const;
  Value EvalAny(const Expr& e) const;
  Value EvalCase(const Expr& e) const;
  Value EvalCoalesce(const Expr& e) const;
  Value EvalSubquery(const Expr& e) const;

  const EvalInputs& in_;
  const RowLookup* row_;
  bool in_order_ = false;
};

// Three-valued AND (is_and) or OR over sets of possible truth values (kMaybe* bits): every
// combination of the values each side may still take.
uint8_t CombineTruth(uint8_t a, uint8_t b, bool is_and);

// Whether a value of `type` (the evaluator's names) has one text form only, so two values are
// equal exactly when their texts are: uuid, text, int2/4/8, bool (numeric is not: 10 = 10.00).
bool HasCanonicalText(std::string_view type);

// Canonical form of a uuid as PostgreSQL's uuid_in accepts it; nullopt when it is not one.
std::optional<std::string> CanonicalUuid(std::string_view text);
// Whether `text` is already a uuid in canonical form (lower-case 8-4-4-4-12): CanonicalUuid
// would return it unchanged.
bool IsCanonicalUuid(std::string_view text);

// Parses a PostgreSQL array literal such as '{a,"b c",NULL}' or '[0:1]={{a},{b}}' as array_in
// does (array_literal.cc): its elements in order, every dimension flattened. nullopt when
// PostgreSQL rejects it, with its error in *error when given (22P02 malformed array literal;
// 2202E for an upper bound below the lower; 54000 past 6 dimensions).
std::optional<std::vector<std::optional<std::string>>> ParseArrayLiteral(std::string_view text,
                                                                         Value* error = nullptr);

}  // namespace rls_shadow
