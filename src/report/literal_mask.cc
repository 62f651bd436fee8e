#include "report/literal_mask.h"

namespace rls_shadow {
namespace {

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Index just past the quoted run starting at s[i] == quote; doubled quotes are escapes, and so
// is a backslash when `backslash_escapes` (E'...'). An unterminated run extends to the end.
size_t SkipQuoted(std::string_view s, size_t i, char quote, bool backslash_escapes) {
  for (++i; i < s.size(); ++i) {
    if (backslash_escapes && s[i] == '\\') {
      ++i;
    } else if (s[i] == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return s.size();
}

// If s[i] starts a dollar-quote tag ($$ or $name$), returns the tag's length, else 0.
size_t DollarTagLength(std::string_view s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && IsDigit(s[j])) return 0;  // $1 is a parameter
  while (j < s.size() && s[j] != '$' && IsIdentChar(s[j])) ++j;
  if (j < s.size() && s[j] == '$') return j - i + 1;
  return 0;
}

}  // namespace

std::string MaskSqlLiterals(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const bool word_start = i == 0 || !IsIdentChar(s[i - 1]);
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {  // comment to end of line: keep
      const size_t end = s.find('\n', i);
      const size_t stop = end == std::string_view::npos ? s.size() : end;
      out.append(s.substr(i, stop - i));
      i = stop;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {  // block comment (nested)
      size_t j = i + 2;
      int depth = 1;
      while (j < s.size() && depth > 0) {
        if (s[j] == '/' && j + 1 < s.size() && s[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (s[j] == '*' && j + 1 < s.size() && s[j + 1] == '/') {
          --depth;
          j += 2;
        } else {
          ++j;
        }
      }
      out.append(s.substr(i, j - i));
      i = j;
    } else if (c == '"') {  // quoted identifier: keep
      const size_t end = SkipQuoted(s, i, '"', false);
      out.append(s.substr(i, end - i));
      i = end;
    } else if (c == '\'') {
      const bool escapes = !out.empty() && (out.back() == 'E' || out.back() == 'e') &&
                           (i < 2 || !IsIdentChar(s[i - 2]));
      out.append("'?'");
      i = SkipQuoted(s, i, '\'', escapes);
    } else if (c == '$' && word_start && DollarTagLength(s, i) > 0) {
      const size_t tag_len = DollarTagLength(s, i);
      const std::string_view tag = s.substr(i, tag_len);
      const size_t close = s.find(tag, i + tag_len);
      out.append("'?'");
      i = close == std::string_view::npos ? s.size() : close + tag_len;
    } else if (word_start && (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1])))) {
      // A numeric literal: digits, '.', exponent, and the identifier characters that may
      // follow (hex 0x.., underscores in PG 16) — all masked together.
      size_t j = i;
      while (j < s.size() &&
             (IsIdentChar(s[j]) || s[j] == '.' ||
              ((s[j] == '+' || s[j] == '-') && j > i && (s[j - 1] == 'e' || s[j - 1] == 'E')))) {
        ++j;
      }
      out.push_back('?');
      i = j;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

}  // namespace rls_shadow
