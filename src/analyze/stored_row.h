// StoredRow and ReplicaView: rls-shadow's copy of a table's rows as the evaluator sees it (see
// row_index.h for how the copy is kept). Values are PostgreSQL's text output; NULL is nullopt,
// and a column that is absent from a row is unknown.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rls_shadow {

using StoredRow = std::map<std::string, std::optional<std::string>, std::less<>>;
// One table's kept rows, by encoded key.
using RowMap = std::unordered_map<std::string, StoredRow>;

// Every kept row of one table, for a policy subquery over it: a set per table the rows are
// stored in (a partitioned or inheritance parent's are in its descendants).
struct ReplicaView {
  std::vector<const RowMap*> row_sets;
  // True when the copy holds every row of the table: an absent row does not exist.
  bool complete = false;
  // The table's declared type of a column; "" when the table has no such column.
  std::function<std::string(std::string_view column)> column_type;
};

}  // namespace rls_shadow
