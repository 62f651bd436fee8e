#include "analyze/sql_shape.h"

#include <algorithm>
#include <charconv>

#include "common/text_trim.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rls_shadow {
namespace {

// ASCII classification without the C locale's function calls: this scan runs on every
// statement of the log.
constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The text of a numeric literal as PostgreSQL holds the constant. An integer that fits in int4
// is an Integer node (its lexer's ICONST): its value, not its spelling, so `SET x = 007` and
// `007::text` both give '7'. Anything else (a fraction, an exponent, a larger integer) is a
// Float node kept as written.
std::string IntegerConstantText(std::string_view literal) {
  for (char c : literal) {
    if (!IsDigit(c)) return std::string(literal);
  }
  size_t start = 0;
  while (start + 1 < literal.size() && literal[start] == '0') ++start;
  std::string_view digits = literal.substr(start);
  if (digits.size() > 10 || (digits.size() == 10 && digits > "2147483647")) {
    return std::string(literal);
  }
  return std::string(digits);
}

constexpr bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Characters where the scan may have to do something other than copy: comment starts, quoted
// identifiers, dollar quotes, string literals and digits. Everything between them is copied
// as one run. (Identifiers need no tracking of their own: a quote or digit that follows one is
// recognised by looking at the character before it.)
constexpr bool IsSpecial(char c) {
  return c == '-' || c == '/' || c == '"' || c == '$' || c == '\'' || IsDigit(c);
}

struct SpecialTable {
  bool special[256] = {};
  constexpr SpecialTable() {
    for (int c = 0; c < 256; ++c) special[c] = IsSpecial(static_cast<char>(c));
  }
};
constexpr SpecialTable kSpecial;

// The position of the first special character at or after `i` (sql.size() when none). Runs
// between them are most of a statement, so with SSE2 sixteen bytes are tested at once.
size_t NextSpecial(std::string_view sql, size_t i) {
  const size_t n = sql.size();
#if defined(__SSE2__)
  const __m128i dash = _mm_set1_epi8('-');
  const __m128i slash = _mm_set1_epi8('/');
  const __m128i dquote = _mm_set1_epi8('"');
  const __m128i dollar = _mm_set1_epi8('$');
  const __m128i quote = _mm_set1_epi8('\'');
  const __m128i below_zero = _mm_set1_epi8('0' - 1);
  const __m128i above_nine = _mm_set1_epi8('9' + 1);
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sql.data() + i));
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, dash), _mm_cmpeq_epi8(v, slash));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, dquote));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, dollar));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, quote));
    // Digits: '0' <= c <= '9' (signed compares; bytes >= 0x80 are negative, so never digits).
    hit = _mm_or_si128(hit,
                       _mm_and_si128(_mm_cmpgt_epi8(v, below_zero), _mm_cmplt_epi8(v, above_nine)));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < n && !kSpecial.special[static_cast<unsigned char>(sql[i])]) ++i;
  return i;
}

// The position of the first '/' or '*' at or after `i` (sql.size() when none): inside a block
// comment nothing else matters, and sqlcommenter's comments are long.
size_t NextCommentMark(std::string_view sql, size_t i) {
  const size_t n = sql.size();
#if defined(__SSE2__)
  const __m128i slash = _mm_set1_epi8('/');
  const __m128i star = _mm_set1_epi8('*');
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sql.data() + i));
    const int mask =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, slash), _mm_cmpeq_epi8(v, star)));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i < n && sql[i] != '/' && sql[i] != '*') ++i;
  return i;
}

}  // namespace

void ShapeOf(std::string_view sql, SqlShape* out) {
  out->text.clear();
  out->literals.clear();
  out->lifted_any = false;
  out->param_base = 0;

  // First pass: the highest $n already in use, so lifted literals do not collide with it.
  for (size_t i = sql.find('$'); i != std::string_view::npos && i + 1 < sql.size();
       i = sql.find('$', i + 1)) {
    if (IsDigit(sql[i + 1]) && (i == 0 || !IsIdentChar(sql[i - 1]))) {
      int n = 0;
      size_t j = i + 1;
      while (j < sql.size() && IsDigit(sql[j])) {
        n = n * 10 + (sql[j] - '0');
        ++j;
      }
      if (n > out->param_base) out->param_base = n;
    }
  }

  auto placeholder = [&](std::string value) {
    out->literals.push_back(std::move(value));
    char number[16] = {'$'};
    const auto end = std::to_chars(number + 1, number + sizeof number,
                                   out->param_base + static_cast<int>(out->literals.size()))
                         .ptr;
    out->text.append(number, end);
    out->lifted_any = true;
  };

  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    // Copy up to the next special character at once.
    const size_t run = NextSpecial(sql, i);
    if (run > i) {
      out->text.append(sql.substr(i, run - i));
      i = run;
      if (i >= n) break;
    }
    char c = sql[i];
    // Comments: dropped, so sqlcommenter tags do not split the cache.
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      i = std::min(sql.find('\n', i), n);
      out->text += ' ';
      continue;
    }
    if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const size_t start = i;
      int depth = 0;
      while ((i = NextCommentMark(sql, i)) < n) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
      if (depth > 0) {
        // Unterminated: the text is not valid SQL. Kept as written, so it shares no shape
        // (and no cached analysis) with a text that is.
        out->text.append(sql.substr(start));
        continue;
      }
      out->text += ' ';
      continue;
    }
    if (c == '"') {  // quoted identifier: copied as is
      size_t j = i + 1;
      while (j < n && !(sql[j] == '"' && (j + 1 >= n || sql[j + 1] != '"')))
        j += (sql[j] == '"') ? 2 : 1;
      out->text.append(sql.substr(i, j + 1 - i));
      i = j + 1;
      continue;
    }
    if (c == '$' && i + 1 < n && !IsDigit(sql[i + 1]) && (i == 0 || !IsIdentChar(sql[i - 1]))) {
      // Dollar quoting $tag$...$tag$: copied as is (function bodies, DO blocks).
      size_t tag_end = sql.find('$', i + 1);
      if (tag_end != std::string_view::npos) {
        std::string_view tag = sql.substr(i, tag_end + 1 - i);
        size_t close = sql.find(tag, tag_end + 1);
        size_t stop = close == std::string_view::npos ? n : close + tag.size();
        out->text.append(sql.substr(i, stop - i));
        i = stop;
        continue;
      }
    }
    if (c == '\'') {
      bool prefixed = i > 0 && IsIdentChar(sql[i - 1]);
      bool escape_string = prefixed && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !IsIdentChar(sql[i - 2]));
      std::string value;
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        // Copy the run up to the next quote (or backslash) at once: literals can be long.
        size_t stop = escape_string ? sql.find_first_of("'\\", j) : sql.find('\'', j);
        if (stop == std::string_view::npos) stop = n;
        value.append(sql.substr(j, stop - j));
        j = stop;
        if (j >= n) break;
        if (sql[j] == '\\') {
          if (j + 1 < n) value += sql[j + 1];
          j += 2;
          continue;
        }
        if (j + 1 < n && sql[j + 1] == '\'') {  // a doubled quote
          value += '\'';
          j += 2;
          continue;
        }
        closed = true;
        break;
      }
      if (!closed || (prefixed && !escape_string)) {
        // B'..', X'..', U&'..' or an unterminated literal: keep the text as written.
        size_t stop = closed ? j + 1 : n;
        out->text.append(sql.substr(i, stop - i));
        i = stop;
        continue;
      }
      if (escape_string) out->text.pop_back();  // the E prefix
      placeholder(std::move(value));
      i = j + 1;
      continue;
    }
    if (IsDigit(c) && (i == 0 || !IsIdentChar(sql[i - 1]))) {
      size_t j = i;
      while (j < n && (IsDigit(sql[j]) || sql[j] == '.')) ++j;
      if (j < n && (sql[j] == 'e' || sql[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (sql[k] == '+' || sql[k] == '-')) ++k;
        if (k < n && IsDigit(sql[k])) {
          j = k;
          while (j < n && IsDigit(sql[j])) ++j;
        }
      }
      if (j < n && IsIdentChar(sql[j])) {  // 1abc: not a number, copy as is
        out->text.append(sql.substr(i, j - i));
        i = j;
        continue;
      }
      placeholder(IntegerConstantText(sql.substr(i, j - i)));
      i = j;
      continue;
    }
    // Anything else is copied: a '-' or '/' that starts no comment, a '$' that starts no dollar
    // quote, a digit inside an identifier.
    out->text += c;
    ++i;
  }
  // Blanks at either end and semicolons at the end are part of no statement: dropped, they make
  // `... /*sqlcommenter*/`, `...;` and `... ` one shape with `...` (the bench log's 6,088 shapes
  // are 2,606 without them). Nothing inside a literal, quoted identifier, dollar quote or
  // comment is touched: each was lifted, dropped or ends in its closing mark, unless
  // unterminated, and then the text parses neither way.
  const std::string_view statements = common::TrimStatementEnds(out->text);
  const size_t begin = static_cast<size_t>(statements.data() - out->text.data());
  out->text.resize(begin + statements.size());
  out->text.erase(0, begin);
}

}  // namespace rls_shadow
