// StatementAnalyzer: turns statement texts into AnalyzedText with libpg_query, caching by shape
// (see SqlShape) so a repeated statement is parsed once. Lifted literals are appended to the
// caller's parameters, so the cached analysis refers to them as ordinary $n.
//
// Not thread-safe: one per analysing thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyze/pg_tree.h"
#include "analyze/sql_shape.h"
#include "analyze/statement.h"
#include "common/flat_text_map.h"

namespace rls_shadow {

class StatementAnalyzer {
 public:
  explicit StatementAnalyzer(size_t max_cache_entries = 200000);

  // Analyses `sql`. `params` holds the bound parameters ($1 first) and receives the lifted
  // literals after them. Never fails: a text libpg_query rejects yields parsed == false.
  std::shared_ptr<const AnalyzedText> Analyze(std::string_view sql,
                                              std::vector<std::optional<std::string>>* params) {
    return Analyze(sql, params->size(), params);
  }
  // The same for a text with `bound` bound parameters, kept elsewhere: `lifted` receives only
  // the lifted literals (so most statements, which lift none, need no copy of their parameters).
  std::shared_ptr<const AnalyzedText> Analyze(std::string_view sql, size_t bound,
                                              std::vector<std::optional<std::string>>* lifted);

  // The shape of the text last given to Analyze: literals replaced by $n, comments dropped.
  // Valid until the next Analyze.
  std::string_view last_shape_text() const { return last_shape_; }

  size_t cache_hits() const { return hits_; }
  size_t cache_misses() const { return misses_; }

 private:
  std::shared_ptr<const AnalyzedText> Parse(std::string_view sql) const;
  // Adds shape_.text (whose hash is `hash`) and its analysis; returns its number in shapes_.
  uint32_t AddShape(uint64_t hash, std::shared_ptr<const AnalyzedText> analyzed);
  // Adds `sql`, which has no literal to lift and whose shape is number `shape`, to
  // by_exact_text_.
  void RememberExactText(std::string_view sql, uint64_t hash, uint32_t shape);

  // A shape and its analysis; null when the shaped text does not parse (texts of that shape are
  // then parsed as written).
  struct Shape {
    std::string_view text;  // by_shape_'s copy
    std::shared_ptr<const AnalyzedText> analyzed;
  };

  size_t max_entries_;
  // Looked up for nearly every log line: flat tables, as chained nodes cost more than the
  // shaping itself. Both give a number in shapes_.
  common::FlatTextMap by_shape_;
  // Texts with no literal to lift, as logged: a prepared statement's text recurs exactly, and
  // finding it costs less than shaping it. Cleared with by_shape_.
  common::FlatTextMap by_exact_text_;
  std::vector<Shape> shapes_;
  std::string_view last_shape_;  // see last_shape_text()
  std::unordered_map<std::string, std::shared_ptr<const AnalyzedText>> by_text_;
  SqlShape shape_;
  size_t hits_ = 0;
  size_t misses_ = 0;
};

// Parses and analyses `sql` without caching (exposed for tests and tools). With
// `argument_names` (a SQL function's body), `col = name` of an argument is a filter too, its
// value the unqualified name, which the engine reads as the argument where it is no column.
AnalyzedText AnalyzeSql(std::string_view sql,
                        const std::vector<std::string>* argument_names = nullptr);

// The table accesses of one parsed query node (e.g. a view's defining SELECT).
std::vector<TableAccess> QueryAccesses(PgNode query);

}  // namespace rls_shadow
