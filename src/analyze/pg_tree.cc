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

// libpg_query 15-4.0 (Debian 12's) writes an integer constant's value only when it is positive:
// `SELECT -5` comes out as {"A_Const":{"ival":{},"location":7}}, which reads as 0
// (pganalyze/libpg_query#243, fixed upstream by #249). The grammar folds a minus sign into the
// constant and gives it the sign's location, so a constant written there as '-' [blanks or
// '('] digits is that negative number; anything else (a real 0) is left as it is. Works on the
// JSON text before it is parsed, so every reader of the tree sees the value.
void RestoreNegativeIntegers(std::string_view sql, std::string* json) {
  static constexpr std::string_view kEmpty = "\"A_Const\":{\"ival\":{},\"location\":";
  // memmem, not std::string::find: the latter stops at every '"' of the JSON.
  auto find = [&](size_t from) -> size_t {
    const void* hit =
        memmem(json->data() + from, json->size() - from, kEmpty.data(), kEmpty.size());
    return hit == nullptr ? std::string::npos
                          : static_cast<size_t>(static_cast<const char*>(hit) - json->data());
  };
  size_t at = find(0);
  if (at == std::string::npos) return;
  std::string out;
  out.reserve(json->size() + 64);
  size_t copied = 0;
  for (; at != std::string::npos; at = find(at + kEmpty.size())) {
    size_t p = at + kEmpty.size();
    size_t location = 0;
    while (p < json->size() && (*json)[p] >= '0' && (*json)[p] <= '9') {
      location = location * 10 + static_cast<size_t>((*json)[p++] - '0');
    }
    if (location >= sql.size() || sql[location] != '-') continue;
    size_t q = location + 1;
    while (q < sql.size() &&
           (sql[q] == ' ' || sql[q] == '\t' || sql[q] == '\n' || sql[q] == '\r' || sql[q] == '(')) {
      ++q;
    }
    size_t digits = q;
    while (q < sql.size() && sql[q] >= '0' && sql[q] <= '9') ++q;
    if (q == digits) continue;
    while (q - digits > 1 && sql[digits] == '0') ++digits;  // JSON numbers have no leading 0
    const size_t braces = at + kEmpty.size() - std::string_view("{},\"location\":").size();
    out.append(*json, copied, braces - copied);
    out += "{\"ival\":-";
    out.append(sql.substr(digits, q - digits));
    out += '}';
    copied = braces + 2;  // past the "{}"
  }
  if (copied == 0) return;
  out.append(*json, copied, std::string::npos);
  json->swap(out);
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
  RestoreNegativeIntegers(text, &json_);

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
