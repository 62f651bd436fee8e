// Value: what an expression evaluates to in the shadow evaluator. Besides SQL's NULL and known
// values it has three states PostgreSQL itself never needs: kUnknown (depends on a row that was
// not observed), kError (evaluating it raises an error: the SQLSTATE and message PostgreSQL would
// report) and kIndeterminate (the evaluator cannot decide; message says why). Booleans that are
// unknown carry the set of truth values they could still take, so three-valued logic over
// unknown rows stays exact: an unknown tenant column compared with NULL is NULL for every row.
#pragma once

#include <cstdint>
#include <string>

namespace rls_shadow {

// Possible truth values of a boolean, as a bit set.
inline constexpr uint8_t kMaybeTrue = 1;
inline constexpr uint8_t kMaybeFalse = 2;
inline constexpr uint8_t kMaybeNull = 4;
inline constexpr uint8_t kAnyTruth = kMaybeTrue | kMaybeFalse | kMaybeNull;

struct Value {
  enum class Kind { kNull, kKnown, kUnknown, kError, kIndeterminate };
  Kind kind = Kind::kNull;
  std::string text;  // kKnown: canonical text ("t"/"f" for bool); kError: the SQLSTATE
  std::string type;  // "" for an untyped literal or parameter; else uuid, text, int4, bool, ...
  uint8_t possible = kAnyTruth;  // kUnknown bool: the truth values still possible;
                                 // kUnknown other: kMaybeNull set when it may be NULL
  // Computed at execution (an InitPlan's value, and casts of it): an error is then raised only
  // if a row reaches the expression, not while planning, as the errors of a policy's plain
  // expressions are (PG_SEMANTICS A7).
  bool per_row = false;
  std::string message;  // kError: PostgreSQL's message; kIndeterminate: what was not decidable

  static Value Null() { return Value{}; }
  static Value Known(std::string text, std::string type) {
    Value v;
    v.kind = Kind::kKnown;
    v.text = std::move(text);
    v.type = std::move(type);
    return v;
  }
  static Value Bool(bool b) { return Known(b ? "t" : "f", "bool"); }
  static Value Unknown(std::string type, uint8_t possible) {
    Value v;
    v.kind = Kind::kUnknown;
    v.type = std::move(type);
    v.possible = possible;
    return v;
  }
  static Value Error(std::string sqlstate, std::string message) {
    Value v;
    v.kind = Kind::kError;
    v.text = std::move(sqlstate);
    v.message = std::move(message);
    return v;
  }
  static Value Indeterminate(std::string why) {
    Value v;
    v.kind = Kind::kIndeterminate;
    v.message = std::move(why);
    return v;
  }

  bool is_null() const { return kind == Kind::kNull; }
  bool is_known() const { return kind == Kind::kKnown; }
  bool is_unknown() const { return kind == Kind::kUnknown; }
  bool is_error() const { return kind == Kind::kError; }
  bool is_indeterminate() const { return kind == Kind::kIndeterminate; }
};

}  // namespace rls_shadow
