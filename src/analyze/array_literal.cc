// ParseArrayLiteral: array_in of PostgreSQL 15 (src/backend/utils/adt/arrayfuncs.c) for the
// comma delimiter: its optional dimension decoration, ArrayCount's state machine (which
// characters may follow which) and ReadArrayStr's element text (quotes and backslashes removed,
// unquoted blanks trimmed, an unquoted NULL in any case is NULL). Elements come out in order,
// all dimensions flattened, as `= ANY` reads them.
#include <array>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analyze/evaluator.h"
#include "common/ascii_lower.h"
#include "common/text_trim.h"

namespace rls_shadow {
namespace {

// array_isspace: the C locale's isspace, common::IsAsciiSpace.
using common::IsAsciiSpace;

constexpr int kMaxDimensions = 6;  // MAXDIM

// What may come next (ArrayParseState; ARRAY_ELEM_COMPLETED is never entered in PostgreSQL 15).
enum class State {
  kNoLevel,
  kLevelStarted,
  kElementStarted,
  kQuotedStarted,
  kQuotedCompleted,
  kElementDelimited,
  kLevelCompleted,
  kLevelDelimited,
};

using Elements = std::vector<std::optional<std::string>>;

// Why a literal was rejected, besides being malformed.
enum class Rejection { kMalformed, kBounds, kTooManyDimensions };

// The brace structure starting at text[pos] ('{'): its elements appended to *out and its
// dimensions to *dims (none for an empty array). False when rejected (*why says how).
bool ReadBraces(std::string_view text, size_t pos, Elements* out, std::vector<int>* dims,
                Rejection* why) {
  State state = State::kNoLevel;
  int nest = 0;
  int ndim = 1;
  std::array<int, kMaxDimensions> count{};     // ArrayCount's temp[]: sub-arrays or elements
  std::array<int, kMaxDimensions> elements{};  // nelems[]: at the open level
  std::array<int, kMaxDimensions> previous{};  // nelems_last[]
  elements.fill(1);
  bool empty = true;
  bool in_quotes = false;
  // The element being read (ReadArrayStr).
  std::string item;
  size_t kept = 0;  // item's length up to its last non-blank or quoted character
  bool leading_blank = true;
  bool quoting = false;  // quotes or backslashes: never the NULL marker
  auto finish_item = [&] {
    item.resize(kept);
    const bool is_null = !quoting && item.size() == 4 && StartsWithAsciiNoCase(item, "null");
    if (is_null) {
      out->emplace_back(std::nullopt);
    } else {
      out->emplace_back(std::move(item));
    }
    item.clear();
    kept = 0;
    leading_blank = true;
    quoting = false;
  };
  size_t i = pos;
  for (;; ++i) {
    if (state == State::kElementStarted || state == State::kQuotedStarted) empty = false;
    if (i >= text.size()) return false;  // unexpected end of input
    const char c = text[i];
    if (c == '\\') {
      if (state != State::kLevelStarted && state != State::kElementStarted &&
          state != State::kQuotedStarted && state != State::kElementDelimited) {
        return false;
      }
      if (state != State::kQuotedStarted) state = State::kElementStarted;
      if (i + 1 >= text.size()) return false;
      item.push_back(text[++i]);
      kept = item.size();
      leading_blank = false;
      quoting = true;
      continue;
    }
    if (c == '"') {
      if (state != State::kLevelStarted && state != State::kQuotedStarted &&
          state != State::kElementDelimited) {
        return false;
      }
      in_quotes = !in_quotes;
      state = in_quotes ? State::kQuotedStarted : State::kQuotedCompleted;
      if (in_quotes) {
        leading_blank = false;
      } else {
        kept = item.size();
      }
      quoting = true;
      continue;
    }
    if (in_quotes) {
      item.push_back(c);
      continue;
    }
    if (c == '{') {
      if (state != State::kNoLevel && state != State::kLevelStarted &&
          state != State::kLevelDelimited) {
        return false;
      }
      state = State::kLevelStarted;
      if (nest >= kMaxDimensions) {
        *why = Rejection::kTooManyDimensions;
        return false;
      }
      count[nest] = 0;
      ++nest;
      if (ndim < nest) ndim = nest;
      continue;
    }
    if (c == '}') {
      if (state != State::kElementStarted && state != State::kQuotedCompleted &&
          state != State::kLevelCompleted && !(nest == 1 && state == State::kLevelStarted)) {
        return false;
      }
      if (state == State::kElementStarted || state == State::kQuotedCompleted) finish_item();
      state = State::kLevelCompleted;
      if (nest == 0) return false;
      --nest;
      if (previous[nest] != 0 && elements[nest] != previous[nest]) return false;
      previous[nest] = elements[nest];
      elements[nest] = 1;
      if (nest == 0) break;
      ++count[nest - 1];
      continue;
    }
    if (c == ',') {
      if (state != State::kElementStarted && state != State::kQuotedCompleted &&
          state != State::kLevelCompleted) {
        return false;
      }
      if (state == State::kLevelCompleted) {
        state = State::kLevelDelimited;
      } else {
        finish_item();
        state = State::kElementDelimited;
      }
      ++elements[nest - 1];
      ++count[ndim - 1];
      continue;
    }
    if (IsAsciiSpace(c)) {
      if (!leading_blank) item.push_back(c);  // kept only if a non-blank follows
      continue;
    }
    if (state != State::kLevelStarted && state != State::kElementStarted &&
        state != State::kElementDelimited) {
      return false;
    }
    state = State::kElementStarted;
    item.push_back(c);
    kept = item.size();
    leading_blank = false;
  }
  ++count[ndim - 1];
  // Only blanks after the closing brace.
  for (++i; i < text.size(); ++i) {
    if (!IsAsciiSpace(text[i])) return false;
  }
  // An element makes the array non-empty before the character that ends it: an empty one
  // has none in *out, and no dimensions.
  dims->clear();
  if (!empty) dims->assign(count.begin(), count.begin() + ndim);
  return true;
}

// An optionally signed decimal integer at text[*pos] (atoi's digits, as array_in scans them).
bool ReadBound(std::string_view text, size_t* pos, long* value) {
  const size_t start = *pos;
  while (*pos < text.size() &&
         ((text[*pos] >= '0' && text[*pos] <= '9') || text[*pos] == '-' || text[*pos] == '+')) {
    ++*pos;
  }
  if (*pos == start) return false;
  *value = std::strtol(std::string(text.substr(start, *pos - start)).c_str(), nullptr, 10);
  return true;
}

}  // namespace

std::optional<std::vector<std::optional<std::string>>> ParseArrayLiteral(std::string_view text,
                                                                         Value* error) {
  Rejection why = Rejection::kMalformed;
  auto reject = [&]() -> std::optional<Elements> {
    if (error != nullptr) {
      switch (why) {
        case Rejection::kMalformed: {
          std::string message = "malformed array literal: \"";
          message.append(text).push_back('"');
          *error = Value::Error("22P02", std::move(message));
          break;
        }
        case Rejection::kBounds:
          *error = Value::Error("2202E", "upper bound cannot be less than lower bound");
          break;
        case Rejection::kTooManyDimensions:
          *error = Value::Error("54000",
                                "number of array dimensions (7) exceeds the maximum allowed (6)");
          break;
      }
    }
    return std::nullopt;
  };
  size_t p = 0;
  // Explicit dimensions: [lower:upper] or [upper], blanks between but not within, then '='.
  std::vector<int> declared;
  for (;;) {
    while (p < text.size() && IsAsciiSpace(text[p])) ++p;
    if (p >= text.size() || text[p] != '[') break;
    ++p;
    if (static_cast<int>(declared.size()) >= kMaxDimensions) {
      why = Rejection::kTooManyDimensions;
      return reject();
    }
    long lower = 1;
    long upper = 0;
    if (!ReadBound(text, &p, &upper)) return reject();
    if (p < text.size() && text[p] == ':') {
      ++p;
      lower = upper;
      if (!ReadBound(text, &p, &upper)) return reject();
    }
    if (p >= text.size() || text[p] != ']') return reject();
    ++p;
    if (upper < lower) {
      why = Rejection::kBounds;
      return reject();
    }
    declared.push_back(static_cast<int>(upper - lower + 1));
  }
  if (!declared.empty()) {
    if (p >= text.size() || text[p] != '=') return reject();
    ++p;
    while (p < text.size() && IsAsciiSpace(text[p])) ++p;
  }
  if (p >= text.size() || text[p] != '{') return reject();
  Elements out;
  std::vector<int> dims;
  if (!ReadBraces(text, p, &out, &dims, &why)) return reject();
  if (!declared.empty() && declared != dims) return reject();
  return out;
}

}  // namespace rls_shadow
