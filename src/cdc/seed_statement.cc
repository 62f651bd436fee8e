// SeedStatementParser: libpg_query's JSON parse tree, read with the simdjson DOM (as
// analyze/pg_tree does). Constants are A_Const nodes: {"ival":{"ival":3}}, {"fval":{"fval":
// "12.50"}}, {"sval":{"sval":"x"}}, {"boolval":{"boolval":true}}, {"isnull":true}; a zero,
// false or empty value leaves its inner object empty. pg_dump writes negative numbers as
// "-0.01", which the grammar folds into the constant.
#include "cdc/seed_statement.h"

#include <pg_query.h>

#include <string_view>

namespace rls_shadow::cdc {
namespace {

using simdjson::dom::element;

std::optional<element> Field(element object, std::string_view key) {
  element out;
  if (object.at_key(key).get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::string_view StringField(element object, std::string_view key) {
  std::string_view out;
  if (object.at_key(key).get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

// {"TypeName": {...}} -> ("TypeName", {...}).
bool Unwrap(element node, std::string_view* type, element* body) {
  simdjson::dom::object object;
  if (node.get_object().get(object) != simdjson::SUCCESS) return false;
  for (auto field : object) {
    *type = field.key;
    *body = field.value;
    return true;
  }
  return false;
}

void ReadRelation(element statement, SeedStatement* out) {
  if (auto relation = Field(statement, "relation")) {
    out->schema.assign(StringField(*relation, "schemaname"));
    out->table.assign(StringField(*relation, "relname"));
  }
}

// An A_Const (possibly under TypeCasts) -> text. False when the value is not a constant.
bool ConstantText(std::string_view sql, element node, std::optional<std::string>* text) {
  std::string_view type;
  element body;
  if (!Unwrap(node, &type, &body)) return false;
  if (type == "TypeCast") {
    auto arg = Field(body, "arg");
    return arg && ConstantText(sql, *arg, text);
  }
  if (type != "A_Const") return false;
  bool is_null = false;
  if (body.at_key("isnull").get_bool().get(is_null) == simdjson::SUCCESS && is_null) {
    text->reset();
    return true;
  }
  if (auto v = Field(body, "ival")) {
    int64_t n = 0;
    if (v->at_key("ival").get_int64().get(n) == simdjson::SUCCESS) {
      *text = std::to_string(n);
      return true;
    }
    // libpg_query 15 writes a negative integer constant as an empty "ival" (as it does zero):
    // read the literal at its location instead ("-32768").
    int64_t location = -1;
    if (body.at_key("location").get_int64().get(location) != simdjson::SUCCESS || location < 0 ||
        static_cast<size_t>(location) >= sql.size()) {
      *text = "0";
      return true;
    }
    size_t pos = static_cast<size_t>(location);
    std::string literal;
    if (sql[pos] == '-') {
      literal += '-';
      ++pos;
      while (pos < sql.size() && (sql[pos] == ' ' || sql[pos] == '\t' || sql[pos] == '\n')) ++pos;
    }
    while (pos < sql.size() && sql[pos] >= '0' && sql[pos] <= '9') literal += sql[pos++];
    bool zero = literal.find_first_not_of("-0") == std::string::npos;
    *text = zero ? "0" : literal;
    return true;
  }
  if (auto v = Field(body, "fval")) {
    *text = std::string(StringField(*v, "fval"));
    return true;
  }
  if (auto v = Field(body, "sval")) {
    *text = std::string(StringField(*v, "sval"));
    return true;
  }
  if (auto v = Field(body, "boolval")) {
    bool b = false;
    if (v->at_key("boolval").get_bool().get(b) != simdjson::SUCCESS) b = false;
    *text = b ? "t" : "f";
    return true;
  }
  if (auto v = Field(body, "bsval")) {  // B'101' / X'1F' bit strings
    *text = std::string(StringField(*v, "bsval"));
    return true;
  }
  return false;
}

void ReadInsert(std::string_view sql, element body, SeedStatement* out) {
  out->kind = SeedStatement::Kind::kInsert;
  ReadRelation(body, out);
  simdjson::dom::array cols;
  if (body.at_key("cols").get_array().get(cols) == simdjson::SUCCESS) {
    for (element target : cols) {
      std::string_view type;
      element res;
      if (Unwrap(target, &type, &res)) out->columns.emplace_back(StringField(res, "name"));
    }
  }
  if (out->columns.empty()) {
    out->reject_reason = "missing_field";
    out->reject_message =
        "INSERT into " + out->table + " has no column list (dump with --column-inserts)";
    return;
  }
  std::string_view type;
  element select;
  auto select_node = Field(body, "selectStmt");
  simdjson::dom::array lists;
  if (!select_node || !Unwrap(*select_node, &type, &select) || type != "SelectStmt" ||
      select.at_key("valuesLists").get_array().get(lists) != simdjson::SUCCESS) {
    out->reject_reason = "bad_value";
    out->reject_message = "INSERT into " + out->table + " is not INSERT ... VALUES";
    return;
  }
  for (element list : lists) {
    std::string_view list_type;
    element list_body;
    simdjson::dom::array items;
    if (!Unwrap(list, &list_type, &list_body) ||
        list_body.at_key("items").get_array().get(items) != simdjson::SUCCESS) {
      out->reject_reason = "bad_value";
      out->reject_message = "INSERT into " + out->table + ": unreadable VALUES list";
      return;
    }
    auto& row = out->rows.emplace_back();
    for (element item : items) {
      if (!ConstantText(sql, item, &row.emplace_back())) {
        out->reject_reason = "bad_value";
        out->reject_message = "INSERT into " + out->table + ": value " +
                              std::to_string(row.size()) + " is not a constant";
        return;
      }
    }
    if (row.size() != out->columns.size()) {
      out->reject_reason = "bad_value";
      out->reject_message = "INSERT into " + out->table + ": " + std::to_string(row.size()) +
                            " values for " + std::to_string(out->columns.size()) + " columns";
      return;
    }
  }
}

void ReadCopy(element body, SeedStatement* out) {
  bool is_from = false;
  if (body.at_key("is_from").get_bool().get(is_from) != simdjson::SUCCESS || !is_from) return;
  if (!StringField(body, "filename").empty()) return;  // COPY ... FROM 'file': no data follows
  bool is_program = false;
  if (body.at_key("is_program").get_bool().get(is_program) == simdjson::SUCCESS && is_program)
    return;
  out->kind = SeedStatement::Kind::kCopyFromStdin;
  ReadRelation(body, out);
  simdjson::dom::array attlist;
  if (body.at_key("attlist").get_array().get(attlist) == simdjson::SUCCESS) {
    for (element name : attlist) {
      std::string_view type;
      element string_body;
      if (Unwrap(name, &type, &string_body))
        out->columns.emplace_back(StringField(string_body, "sval"));
    }
  }
}

}  // namespace

SeedParse SeedStatementParser::Parse(const std::string& sql, std::vector<SeedStatement>* out,
                                     std::string* error) {
  out->clear();
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (result.error != nullptr) {
    std::string_view message = result.error->message;
    SeedParse outcome =
        message.starts_with("unterminated") ? SeedParse::kIncomplete : SeedParse::kError;
    *error = std::string(message) + " at character " + std::to_string(result.error->cursorpos);
    pg_query_free_parse_result(result);
    return outcome;
  }
  simdjson::padded_string json(std::string_view(result.parse_tree));
  pg_query_free_parse_result(result);
  element root;
  if (parser_.parse(json).get(root) != simdjson::SUCCESS) {
    *error = "libpg_query returned a parse tree that is not JSON";
    return SeedParse::kError;
  }
  simdjson::dom::array statements;
  if (root.at_key("stmts").get_array().get(statements) != simdjson::SUCCESS) return SeedParse::kOk;
  for (element raw : statements) {
    auto node = Field(raw, "stmt");
    if (!node) continue;
    std::string_view type;
    element body;
    SeedStatement& statement = out->emplace_back();
    if (!Unwrap(*node, &type, &body)) continue;
    if (type == "InsertStmt") {
      ReadInsert(sql, body, &statement);
    } else if (type == "CopyStmt") {
      ReadCopy(body, &statement);
    }
  }
  return SeedParse::kOk;
}

}  // namespace rls_shadow::cdc
