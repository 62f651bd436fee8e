// NumericText: PostgreSQL 15's numeric type on decimal text, exactly: its input syntax
// (numeric_in), its output (numeric_out) and its ordering, for any number of digits. A policy
// that reads `current_setting('app.limit')::numeric` must raise 22P02 on the inputs PostgreSQL
// rejects ('0x10', '+-1', '-NaN') and compare the ones it accepts as numbers: '1e3' equals
// 1000, NaN equals NaN and sorts above every other value, and 25 digits are not rounded to a
// long double's 19.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rls_shadow {

struct NumericText {
  enum class Kind { kFinite, kNaN, kInfinity, kNegativeInfinity };
  Kind kind = Kind::kFinite;
  bool negative = false;
  // kFinite: the value is 0.digits x 10^weight, digits without leading or trailing zeros ("" for
  // zero); scale is the number of digits after the point the text showed (its display scale).
  std::string digits;
  int64_t weight = 0;
  int64_t scale = 0;
};

// What parsing a text as numeric gave: the value, or PostgreSQL's error.
struct NumericParse {
  std::optional<NumericText> value;
  std::string sqlstate;  // "22P02" (bad syntax) or "22003" (too many digits), when no value
  std::string message;
};

// numeric_in: blanks around, NaN, [+-]Infinity / inf, digits with an optional point and an
// optional exponent.
NumericParse ParseNumeric(std::string_view text);

// numeric_out: "NaN", "Infinity", "-Infinity", or the digits with exactly `scale` decimals.
std::string FormatNumeric(const NumericText& n);

// -1, 0 or 1 as PostgreSQL orders the two values (NaN = NaN, NaN above +Infinity).
int CompareNumeric(const NumericText& a, const NumericText& b);

}  // namespace rls_shadow
