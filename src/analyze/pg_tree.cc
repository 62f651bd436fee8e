#include "analyze/pg_tree.h"

#include <fmt/format.h>
#include <pg_query.h>
#include <string.h>  // memmem

namespace rls_shadow {
namespace {

// Trees nest (a view's definition is parsed while a statement's tree is walked), so this is a
// pool rather than one parser per thread.
std::vector<std::unique_ptr<simdjson::dom::parser>>& ParserPool() {
  thread_local std::vector<std::unique_ptr<simdjson::dom::parser>> pool;
  return pool;
}

}  // namespace

PgTree::PgTree() {
  auto& pool = ParserPool();
  if (pool.empty()) {
    parser_ = std::make_unique<simdjson::dom::parser>();
  } else {
    parser_ = std::move(pool.back());
    pool.pop_back();
  }
}

PgTree::~PgTree() { ParserPool().push_back(std::move(parser_)); }

Status PgTree::Parse(std::string_view sql) {
  statements_.clear();
  // libpg_query wants a NUL-terminated string.
  std::string text(sql);
  PgQueryParseResult result = pg_query_parse(text.c_str());
  if (result.error != nullptr) {
    Status s = Status::Error(fmt::format("syntax error: {} at character {}", result.error->message,
                                         result.error->cursorpos));
    pg_query_free_parse_result(result);
    return s;
  }
  json_.assign(result.parse_tree);
  pg_query_free_parse_result(result);

  simdjson::dom::element root;
  if (parser_->parse(json_).get(root) != simdjson::SUCCESS) {
    return Status::Error("libpg_query returned a parse tree that is not JSON");
  }
  for (PgNode raw : ListField(root, "stmts")) {
    Statement st;
    auto node = Field(raw, "stmt");
    if (!node) continue;  // an empty statement (";;")
    st.node = *node;
    st.start = static_cast<size_t>(IntField(raw, "stmt_location"));
    st.length = static_cast<size_t>(IntField(raw, "stmt_len"));
    statements_.push_back(st);
  }
  return Status::Ok();
}

bool PgTree::Mentions(std::string_view text) const {
  return memmem(json_.data(), json_.size(), text.data(), text.size()) != nullptr;
}

std::string_view NodeType(PgNode node) {
  simdjson::dom::object obj;
  if (node.get_object().get(obj) != simdjson::SUCCESS) return {};
  for (auto field : obj) return field.key;
  return {};
}

PgNode NodeBody(PgNode node) {
  simdjson::dom::object obj;
  if (node.get_object().get(obj) == simdjson::SUCCESS) {
    for (auto field : obj) return field.value;
  }
  return node;
}

std::optional<PgNode> Field(PgNode object, std::string_view key) {
  PgNode out;
  if (object.at_key(key).get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::string_view StringField(PgNode object, std::string_view key) {
  std::string_view out;
  if (object.at_key(key).get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

int64_t IntField(PgNode object, std::string_view key) {
  int64_t out = 0;
  if (object.at_key(key).get_int64().get(out) != simdjson::SUCCESS) return 0;
  return out;
}

bool BoolField(PgNode object, std::string_view key) {
  bool out = false;
  if (object.at_key(key).get_bool().get(out) != simdjson::SUCCESS) return false;
  return out;
}

std::vector<PgNode> ListField(PgNode object, std::string_view key) {
  std::vector<PgNode> out;
  simdjson::dom::array arr;
  if (object.at_key(key).get_array().get(arr) != simdjson::SUCCESS) return out;
  for (PgNode e : arr) out.push_back(e);
  return out;
}

std::string JoinNames(PgNode object, std::string_view key) {
  std::string out;
  for (PgNode item : ListField(object, key)) {
    std::string_view s = StringField(NodeBody(item), "sval");
    if (!out.empty()) out += '.';
    out += s;
  }
  return out;
}

}  // namespace rls_shadow
