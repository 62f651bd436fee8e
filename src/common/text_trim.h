// Trimming of ASCII white space, as isspace() classifies it in the "C" locale this program runs
// in (space, \t, \n, \v, \f, \r), without a libc call per character. Pure functions.
#pragma once

#include <string_view>

namespace rls_shadow::common {

constexpr bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// `s` without the white space at either end.
constexpr std::string_view TrimAsciiSpace(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// A SQL text without what surrounds its statements and is part of none: the white space at
// either end and the semicolons at its end. A leading ';' stays (it begins an empty statement).
constexpr std::string_view TrimStatementEnds(std::string_view s) {
  s = TrimAsciiSpace(s);
  while (!s.empty() && s.back() == ';') s = TrimAsciiSpace(s.substr(0, s.size() - 1));
  return s;
}

}  // namespace rls_shadow::common
