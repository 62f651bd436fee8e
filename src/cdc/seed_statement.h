// SeedStatementParser: what the statements of a pg_dump --data-only file mean to the seed
// reader, read from libpg_query's parse tree: a COPY ... FROM stdin (its table and column
// list), an INSERT (its table, columns and constant rows), or something to skip. Not
// thread-safe (it owns a simdjson parser).
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

namespace rls_shadow::cdc {

struct SeedStatement {
  enum class Kind { kOther, kCopyFromStdin, kInsert };
  Kind kind = Kind::kOther;
  std::string schema;  // "" when the statement did not qualify the table
  std::string table;
  std::vector<std::string> columns;  // empty: no column list
  // kInsert: the VALUES rows, each value in PostgreSQL text form (nullopt is NULL).
  std::vector<std::vector<std::optional<std::string>>> rows;
  // kInsert that cannot be read: "missing_field" (no column list) or "bad_value" (a value that
  // is not a constant, a row of the wrong width); its message.
  std::string reject_reason;
  std::string reject_message;
};

enum class SeedParse {
  kOk,          // *out holds the statements
  kIncomplete,  // the text ends inside a quoted string, dollar quote or comment: read more
  kError,       // a syntax error: *error says where
};

class SeedStatementParser {
 public:
  // Parses `sql` (one or more complete statements) with libpg_query.
  SeedParse Parse(const std::string& sql, std::vector<SeedStatement>* out, std::string* error);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace rls_shadow::cdc
