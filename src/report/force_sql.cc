// ForceRowLevelSecuritySql: the statement the report tells the operator to run. Identifiers are
// quoted the way PostgreSQL's quote_ident does (anything but a lower-case plain name, and every
// keyword that is not unreserved), so the statement can be pasted into psql as it is.

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

// PostgreSQL 15's reserved keywords and those reserved "(can be function or type)": neither
// may be a table or schema name unquoted. Sorted, for binary search.
// clang-format off
constexpr std::string_view kReserved[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
    "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
    "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
    "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
    "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
    "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
    "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
    "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
    "where", "window", "with",
};
// clang-format on

bool IsPlainIdentifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !std::binary_search(std::begin(kReserved), std::end(kReserved), s);
}

void AppendIdentifier(std::string_view part, std::string* out) {
  // Already quoted by whoever wrote the name: keep it.
  if (part.size() >= 2 && part.front() == '"' && part.back() == '"') {
    out->append(part);
    return;
  }
  if (IsPlainIdentifier(part)) {
    out->append(part);
    return;
  }
  out->push_back('"');
  for (char c : part) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

std::string ForceRowLevelSecuritySql(const std::string& table) {
  std::string sql = "ALTER TABLE ";
  // Split schema from name at the first '.' outside double quotes.
  size_t dot = std::string::npos;
  bool quoted = false;
  for (size_t i = 0; i < table.size(); ++i) {
    if (table[i] == '"') quoted = !quoted;
    if (table[i] == '.' && !quoted) {
      dot = i;
      break;
    }
  }
  if (dot == std::string::npos) {
    AppendIdentifier(table, &sql);
  } else {
    AppendIdentifier(std::string_view(table).substr(0, dot), &sql);
    sql.push_back('.');
    AppendIdentifier(std::string_view(table).substr(dot + 1), &sql);
  }
  sql += " FORCE ROW LEVEL SECURITY;";
  return sql;
}

}  // namespace rls_shadow
