// ASCII lower-casing, as PostgreSQL folds identifiers, keywords and setting names (A-Z only;
// downcase_identifier in a UTF-8 database, guc_name_compare), and as HTTP compares scheme names.
// std::tolower gives the same in the "C" locale this program runs in, but through a libc call
// per character, and for a setting name in every SET of every session. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace rls_shadow {

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether `s` begins with `lower` (lower-case ASCII) in any case: a keyword, NaN, a scheme name.
constexpr bool StartsWithAsciiNoCase(std::string_view s, std::string_view lower) {
  if (s.size() < lower.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (AsciiLower(s[i]) != lower[i]) return false;
  }
  return true;
}

// Whether AsciiLower would change `s`.
constexpr bool HasAsciiUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

}  // namespace rls_shadow
