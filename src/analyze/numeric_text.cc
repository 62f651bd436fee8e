// NumericText: follows numeric_in / set_var_from_str and get_str_from_var of PostgreSQL 15's
// src/backend/utils/adt/numeric.c, on decimal digits rather than base-10000 ones.
#include "analyze/numeric_text.h"

#include <climits>

#include "common/ascii_lower.h"
#include "common/text_trim.h"

namespace rls_shadow {
namespace {

// numeric_in and strtol skip isspace() in the C locale: common::IsAsciiSpace.
using common::IsAsciiSpace;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The storage format's limits: a display scale of 14 bits, and a weight of 16 bits in base
// 10,000 digits, so 32,768 of them (131,072 decimal digits) before the point.
constexpr int64_t kMaxScale = 16383;
constexpr int64_t kMaxIntegerDigits = 131072;

}  // namespace

NumericParse ParseNumeric(std::string_view text) {
  NumericParse out;
  auto fail = [&](const char* sqlstate, std::string message) {
    out.value.reset();
    out.sqlstate = sqlstate;
    out.message = std::move(message);
    return out;
  };
  auto syntax = [&] {
    std::string message = "invalid input syntax for type numeric: \"";
    message.append(text).push_back('"');
    return fail("22P02", std::move(message));
  };
  const size_t n = text.size();
  size_t i = 0;
  while (i < n && IsAsciiSpace(text[i])) ++i;
  NumericText v;
  // The special values, in numeric_in's order (so "infinit" is "inf" followed by junk).
  struct Special {
    std::string_view word;
    NumericText::Kind kind;
  };
  static constexpr Special kSpecials[] = {
      {"nan", NumericText::Kind::kNaN},
      {"infinity", NumericText::Kind::kInfinity},
      {"+infinity", NumericText::Kind::kInfinity},
      {"-infinity", NumericText::Kind::kNegativeInfinity},
      {"inf", NumericText::Kind::kInfinity},
      {"+inf", NumericText::Kind::kInfinity},
      {"-inf", NumericText::Kind::kNegativeInfinity},
  };
  bool special = false;
  for (const Special& s : kSpecials) {
    if (StartsWithAsciiNoCase(text.substr(i), s.word)) {
      v.kind = s.kind;
      i += s.word.size();
      special = true;
      break;
    }
  }
  if (!special) {
    if (i < n && (text[i] == '+' || text[i] == '-')) v.negative = text[i++] == '-';
    bool have_point = false;
    if (i < n && text[i] == '.') {
      have_point = true;
      ++i;
    }
    if (i >= n || !IsDigit(text[i])) return syntax();
    std::string digits;
    int64_t integer_digits = 0;
    int64_t scale = 0;
    for (; i < n; ++i) {
      if (IsDigit(text[i])) {
        digits.push_back(text[i]);
        (have_point ? scale : integer_digits) += 1;
      } else if (text[i] == '.') {
        if (have_point) return syntax();
        have_point = true;
      } else {
        break;
      }
    }
    int64_t point = integer_digits;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
      // strtol's syntax: blanks, a sign, decimal digits.
      size_t j = i + 1;
      while (j < n && IsAsciiSpace(text[j])) ++j;
      bool exponent_negative = false;
      if (j < n && (text[j] == '+' || text[j] == '-')) exponent_negative = text[j++] == '-';
      if (j >= n || !IsDigit(text[j])) return syntax();
      int64_t exponent = 0;
      for (; j < n && IsDigit(text[j]); ++j) {
        if (exponent < INT_MAX) exponent = exponent * 10 + (text[j] - '0');
      }
      if (exponent_negative) exponent = -exponent;
      if (exponent >= INT_MAX / 2 || exponent <= -(INT_MAX / 2)) {
        return fail("22003", "value overflows numeric format");
      }
      point += exponent;
      scale -= exponent;
      if (scale < 0) scale = 0;
      i = j;
    }
    // 0.digits x 10^point, without leading or trailing zeros; zero is positive.
    size_t lead = 0;
    while (lead < digits.size() && digits[lead] == '0') ++lead;
    digits.erase(0, lead);
    point -= static_cast<int64_t>(lead);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    if (digits.empty()) {
      point = 0;
      v.negative = false;
    }
    if (scale > kMaxScale || point > kMaxIntegerDigits) {
      return fail("22003", "value overflows numeric format");
    }
    v.digits = std::move(digits);
    v.weight = point;
    v.scale = scale;
  }
  while (i < n && IsAsciiSpace(text[i])) ++i;
  if (i != n) return syntax();
  out.value = std::move(v);
  return out;
}

std::string FormatNumeric(const NumericText& v) {
  switch (v.kind) {
    case NumericText::Kind::kNaN:
      return "NaN";
    case NumericText::Kind::kInfinity:
      return "Infinity";
    case NumericText::Kind::kNegativeInfinity:
      return "-Infinity";
    case NumericText::Kind::kFinite:
      break;
  }
  const auto size = static_cast<int64_t>(v.digits.size());
  auto digit_at = [&](int64_t j) { return j >= 0 && j < size ? v.digits[j] : '0'; };
  std::string out;
  if (v.negative) out.push_back('-');
  if (v.weight <= 0) {
    out.push_back('0');
  } else {
    for (int64_t j = 0; j < v.weight; ++j) out.push_back(digit_at(j));
  }
  if (v.scale > 0) {
    out.push_back('.');
    for (int64_t j = v.weight; j < v.weight + v.scale; ++j) out.push_back(digit_at(j));
  }
  return out;
}

int CompareNumeric(const NumericText& a, const NumericText& b) {
  // NaN above everything (and equal to itself), then +Infinity, the finite values, -Infinity.
  auto rank = [](const NumericText& v) {
    switch (v.kind) {
      case NumericText::Kind::kNaN:
        return 3;
      case NumericText::Kind::kInfinity:
        return 2;
      case NumericText::Kind::kFinite:
        return 1;
      case NumericText::Kind::kNegativeInfinity:
        return 0;
    }
    return 1;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
  if (a.kind != NumericText::Kind::kFinite) return 0;
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  // The magnitudes: zero below every other, then the weight, then the digits (neither has
  // trailing zeros, so a prefix is the smaller).
  int magnitude;
  if (a.digits.empty() || b.digits.empty()) {
    magnitude = a.digits.empty() == b.digits.empty() ? 0 : (a.digits.empty() ? -1 : 1);
  } else if (a.weight != b.weight) {
    magnitude = a.weight < b.weight ? -1 : 1;
  } else {
    const int c = a.digits.compare(b.digits);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return a.negative ? -magnitude : magnitude;
}

}  // namespace rls_shadow
