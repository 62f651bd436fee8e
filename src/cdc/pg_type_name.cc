// CanonicalTypeName: a small table of SQL-standard spellings, applied after stripping the parts
// that never change the type's identity (modifiers, schema, quotes).
#include "cdc/pg_type_name.h"

#include <array>
#include <utility>

namespace rls_shadow::cdc {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kAliases{{
    {"integer", "int4"},
    {"int", "int4"},
    {"int4", "int4"},
    {"bigint", "int8"},
    {"int8", "int8"},
    {"smallint", "int2"},
    {"int2", "int2"},
    {"boolean", "bool"},
    {"bool", "bool"},
    {"character varying", "varchar"},
    {"varchar", "varchar"},
    {"character", "bpchar"},
    {"char", "bpchar"},
    {"bpchar", "bpchar"},
    {"real", "float4"},
    {"float4", "float4"},
    {"double precision", "float8"},
    {"float8", "float8"},
    {"decimal", "numeric"},
    {"timestamp with time zone", "timestamptz"},
    {"timestamptz", "timestamptz"},
    {"timestamp without time zone", "timestamp"},
    {"timestamp", "timestamp"},
    {"time with time zone", "timetz"},
    {"time without time zone", "time"},
    {"bit varying", "varbit"},
    {"varbit", "varbit"},
}};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string CanonicalTypeName(std::string_view declared) {
  // Array suffixes ("[]", "[3]", "[][]") are kept as "[]" per dimension.
  size_t dims = 0;
  while (!declared.empty() && IsBlank(declared.back())) declared.remove_suffix(1);
  while (declared.ends_with(']')) {
    size_t open = declared.rfind('[');
    if (open == std::string_view::npos) break;
    declared = declared.substr(0, open);
    while (!declared.empty() && IsBlank(declared.back())) declared.remove_suffix(1);
    ++dims;
  }

  // Drop "(...)" modifiers, unquote, lower-case outside quotes, collapse blanks; remember where
  // the last unquoted '.' (a schema qualification) ends.
  std::string name;
  name.reserve(declared.size());
  bool quoted = false;
  int depth = 0;
  size_t after_dot = 0;
  for (size_t i = 0; i < declared.size(); ++i) {
    char c = declared[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < declared.size() && declared[i + 1] == '"') {
          name += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        name += c;
      }
      continue;
    }
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) --depth;
    } else if (depth > 0) {
      continue;
    } else if (c == '"') {
      quoted = true;
    } else if (IsBlank(c)) {
      if (!name.empty() && name.back() != ' ') name += ' ';
    } else if (c == '.') {
      name += c;
      after_dot = name.size();
    } else {
      name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::string base = name.substr(after_dot);
  while (!base.empty() && base.front() == ' ') base.erase(0, 1);

  for (const auto& [alias, canonical] : kAliases) {
    if (base == alias) {
      base.assign(canonical);
      break;
    }
  }
  for (size_t i = 0; i < dims; ++i) base += "[]";
  return base;
}

}  // namespace rls_shadow::cdc
