// SqlShape: the cache key of a statement text, computed without the PostgreSQL parser. String
// and numeric literals are lifted out and replaced by parameters numbered after the highest $n
// the text already uses; comments, blanks at either end and trailing semicolons are dropped
// (an unterminated comment is kept), so `... WHERE id = 5 /*job*/` and `... WHERE id = 7;` share
// one parse. A full libpg_query parse costs microseconds; this scan is what keeps them rare.
// It is a lexer for literals only, not a SQL parser: the shaped text is still parsed by
// libpg_query, and when it does not parse (a literal where the grammar wants a keyword, e.g.
// x::varchar(20)) the caller parses the original.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rls_shadow {

struct SqlShape {
  std::string text;                   // the shaped statement: literals replaced by $n
  std::vector<std::string> literals;  // lifted values, in order; $ (param_base + 1 + i)
  int param_base = 0;                 // highest $n of the original text
  bool lifted_any = false;
};

// Computes the shape of `sql` into `out` (reusing its buffers).
void ShapeOf(std::string_view sql, SqlShape* out);

}  // namespace rls_shadow
