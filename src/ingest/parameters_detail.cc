// ParseParametersDetail: decodes the bound parameters PostgreSQL logs in the detail of an
// extended-protocol "execute" line. The text is produced by BuildParamLogString():
//   parameters: $1 = '600', $2 = NULL, $3 = 'it''s'
// Each value is NULL (unquoted) or single-quoted with embedded quotes doubled; a quoted value may
// contain anything else (commas, newlines, "$2 = "), so the splitter must follow the quoting
// rather than search for separators.
#include <string_view>

#include "rls_shadow/log_reader.h"

namespace rls_shadow {
namespace {

constexpr std::string_view kPrefix = "parameters: ";

// Appends the quoted value starting at detail[*pos] (the opening quote) to *value, undoubling
// quotes, and moves *pos past the closing quote. False when the quote is never closed.
bool ReadQuotedValue(std::string_view detail, size_t* pos, std::string* value) {
  size_t i = *pos + 1;
  for (;;) {
    size_t quote = detail.find('\'', i);
    if (quote == std::string_view::npos) return false;
    value->append(detail.data() + i, quote - i);
    if (quote + 1 < detail.size() && detail[quote + 1] == '\'') {
      value->push_back('\'');
      i = quote + 2;
      continue;
    }
    *pos = quote + 1;
    return true;
  }
}

}  // namespace

bool ParseParametersDetail(std::string_view detail, std::vector<std::optional<std::string>>* out) {
  if (!detail.starts_with(kPrefix)) {
    out->clear();
    return false;
  }
  size_t pos = kPrefix.size();
  size_t count = 0;
  bool ok = false;
  for (;;) {
    // "$<n> = " where n counts up from 1.
    if (pos >= detail.size() || detail[pos] != '$') break;
    ++pos;
    size_t number = 0;
    size_t digits_start = pos;
    while (pos < detail.size() && detail[pos] >= '0' && detail[pos] <= '9' &&
           pos - digits_start < 7) {
      number = number * 10 + static_cast<size_t>(detail[pos] - '0');
      ++pos;
    }
    if (pos == digits_start || number != count + 1) break;
    if (detail.substr(pos, 3) != " = ") break;
    pos += 3;

    // Reuse the caller's strings: a reader calls this for every execute line.
    if (count == out->size()) out->emplace_back();
    std::optional<std::string>& slot = (*out)[count];
    if (detail.substr(pos, 4) == "NULL") {
      slot.reset();
      pos += 4;
    } else if (pos < detail.size() && detail[pos] == '\'') {
      if (slot.has_value()) {
        slot->clear();
      } else {
        slot.emplace();
      }
      if (!ReadQuotedValue(detail, &pos, &*slot)) break;
    } else {
      break;
    }
    ++count;

    if (pos == detail.size()) {
      ok = true;
      break;
    }
    if (detail.substr(pos, 2) != ", ") break;
    pos += 2;
  }
  if (!ok) {
    out->clear();
    return false;
  }
  out->resize(count);
  return true;
}

}  // namespace rls_shadow
