#include "analyze/search_path.h"

#include "common/ascii_lower.h"

namespace rls_shadow {
namespace {

// scanner_isspace, which SplitIdentifierString uses: not common::IsAsciiSpace, which also takes
// a vertical tab.
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

}  // namespace

std::string SearchPathElement(std::string_view name) {
  bool plain = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (plain) return std::string(name);
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string SetValueText(std::string_view setting, const std::vector<std::string>& elements) {
  std::string text;
  for (const std::string& e : elements) {
    if (!text.empty()) text += ", ";
    text += setting == "search_path" ? SearchPathElement(e) : e;
  }
  return text;
}

std::vector<std::string> ParseSearchPath(std::string_view value, std::string_view current_user) {
  std::vector<std::string> schemas;
  size_t i = 0;
  auto skip_blanks = [&] {
    while (i < value.size() && IsBlank(value[i])) ++i;
  };
  skip_blanks();
  if (i == value.size()) return schemas;  // an empty path
  for (;;) {
    std::string name;
    if (value[i] == '"') {
      // "..." with "" for a quote inside: kept as written.
      ++i;
      for (;;) {
        if (i == value.size()) return schemas;  // unterminated
        if (value[i] == '"') {
          if (i + 1 < value.size() && value[i + 1] == '"') {
            name += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        name += value[i++];
      }
    } else {
      const size_t start = i;
      while (i < value.size() && value[i] != ',' && !IsBlank(value[i])) ++i;
      if (i == start) return schemas;
      name = AsciiLower(value.substr(start, i - start));
    }
    schemas.push_back(name == "$user" ? std::string(current_user) : std::move(name));
    skip_blanks();
    if (i == value.size()) return schemas;
    if (value[i] != ',') return schemas;
    ++i;
    skip_blanks();
    if (i == value.size()) return schemas;
  }
}

}  // namespace rls_shadow
