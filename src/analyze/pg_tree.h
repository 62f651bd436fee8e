// PgTree: the PostgreSQL parser (libpg_query) and a thin read-only view over the JSON parse tree
// it returns. Every SQL text rls-shadow interprets — log statements, policy expressions, schema
// and role dumps — goes through ParseSql; nothing parses SQL by hand.
//
// A PgTree owns its document; elements borrowed from it die with it. Not thread-safe.
#pragma once

#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rls_shadow/status.h"

namespace rls_shadow {

using PgNode = simdjson::dom::element;

class PgTree {
 public:
  PgTree();
  ~PgTree();
  PgTree(const PgTree&) = delete;
  PgTree& operator=(const PgTree&) = delete;

  // Parses `sql` (one or more statements). On a syntax error returns a Status naming the
  // message and the 1-based character position.
  Status Parse(std::string_view sql);

  // The top-level statements, each a wrapped node such as {"SelectStmt": {...}}, with the
  // [start, end) byte range of its text in the parsed string.
  struct Statement {
    PgNode node;
    size_t start = 0;
    size_t length = 0;  // 0 means "to the end of the text"
  };
  const std::vector<Statement>& statements() const { return statements_; }
  // Whether the parse tree's JSON text contains `text` anywhere (as a key, a value or part of
  // one). A tree that does not mention a node type holds no such node: one scan of the text
  // answers that for less than walking the tree.
  bool Mentions(std::string_view text) const;

 private:
  // Taken from a per-thread pool and given back: a parser keeps its buffers between
  // documents, and allocating them afresh for every statement shape cost as much as parsing.
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::string json_;
  std::vector<Statement> statements_;
};

// Helpers for libpg_query's JSON: a node is an object with one key naming its type.
std::string_view NodeType(PgNode node);  // "SelectStmt", or "" when not a node
PgNode NodeBody(PgNode node);            // the object under the type key
std::optional<PgNode> Field(PgNode object, std::string_view key);
std::string_view StringField(PgNode object, std::string_view key);  // "" when absent
int64_t IntField(PgNode object, std::string_view key);              // 0 when absent
bool BoolField(PgNode object, std::string_view key);                // false when absent
// The array under `key`, or an empty vector.
std::vector<PgNode> ListField(PgNode object, std::string_view key);
// A List of {"String":{"sval":...}} nodes joined with '.', e.g. a qualified name.
std::string JoinNames(PgNode object, std::string_view key);

}  // namespace rls_shadow
