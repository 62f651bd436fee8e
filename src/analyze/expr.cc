#include "analyze/expr.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "common/ascii_lower.h"
#include "common/key_bytes.h"

namespace rls_shadow {
namespace {

std::shared_ptr<Expr> Make(Expr::Kind kind) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  return e;
}

ExprPtr Unsupported(std::string what) {
  auto e = Make(Expr::Kind::kUnsupported);
  e->text = std::move(what);
  return e;
}

ExprPtr ConvertConst(PgNode body) {
  if (BoolField(body, "isnull")) return Make(Expr::Kind::kNull);
  if (auto s = Field(body, "sval")) {
    auto e = Make(Expr::Kind::kConst);
    e->text = std::string(StringField(*s, "sval"));
    e->is_string = true;
    return e;
  }
  if (auto i = Field(body, "ival")) {
    auto e = Make(Expr::Kind::kConst);
    e->text = std::to_string(IntField(*i, "ival"));  // 0 is an empty object in the JSON
    return e;
  }
  if (auto f = Field(body, "fval")) {
    auto e = Make(Expr::Kind::kConst);
    e->text = std::string(StringField(*f, "fval"));
    return e;
  }
  if (auto b = Field(body, "boolval")) {
    auto e = Make(Expr::Kind::kBool);
    e->text = BoolField(*b, "boolval") ? "t" : "f";
    return e;
  }
  if (auto b = Field(body, "bsval")) {
    auto e = Make(Expr::Kind::kConst);
    e->text = std::string(StringField(*b, "bsval"));
    e->is_string = true;
    return e;
  }
  return Unsupported("constant");
}

std::vector<ExprPtr> ConvertList(const std::vector<PgNode>& nodes) {
  std::vector<ExprPtr> out;
  out.reserve(nodes.size());
  for (PgNode n : nodes) out.push_back(ConvertExpr(n));
  return out;
}

ExprPtr ConvertAExpr(PgNode body) {
  std::string_view kind = StringField(body, "kind");
  std::string op = JoinNames(body, "name");
  if (auto dot = op.rfind('.'); dot != std::string::npos) op = op.substr(dot + 1);
  auto lhs = Field(body, "lexpr");
  auto rhs = Field(body, "rexpr");
  auto left = lhs ? ConvertExpr(*lhs) : Make(Expr::Kind::kNull);

  if (kind == "AEXPR_OP") {
    if (!lhs) return Unsupported(fmt::format("prefix operator {}", op));
    if (op == "!=") op = "<>";
    auto e = Make(Expr::Kind::kOp);
    e->name = op;
    e->args = {left, ConvertExpr(*rhs)};
    return e;
  }
  if (kind == "AEXPR_IN") {
    auto e = Make(Expr::Kind::kIn);
    e->negated = (op == "<>");
    e->args.push_back(left);
    if (rhs) {
      for (auto& item : ConvertList(ListField(NodeBody(*rhs), "items"))) e->args.push_back(item);
    }
    return e;
  }
  if (kind == "AEXPR_OP_ANY") {
    auto e = Make(Expr::Kind::kAnyArray);
    e->name = op;
    e->args = {left, ConvertExpr(*rhs)};
    return e;
  }
  if (kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") {
    auto e = Make(Expr::Kind::kDistinct);
    e->negated = (kind == "AEXPR_NOT_DISTINCT");
    e->args = {left, ConvertExpr(*rhs)};
    return e;
  }
  if (kind == "AEXPR_NULLIF") {
    auto e = Make(Expr::Kind::kNullIf);
    e->args = {left, ConvertExpr(*rhs)};
    return e;
  }
  return Unsupported(fmt::format("operator form {}", kind));
}

// PostgreSQL finds a setting whatever the case of its name (`current_setting('App.Tenant')` reads
// what `SET app.tenant` set); sessions keep names lower-cased, so a name written as a constant is
// lower-cased once here (through pg_dump's '...'::text cast). A name given as a parameter is
// lower-cased where it is read (Evaluator).
ExprPtr LowerSettingName(const ExprPtr& name) {
  if (name->kind == Expr::Kind::kCast && name->name == "text" && !name->args.empty()) {
    ExprPtr inner = LowerSettingName(name->args[0]);
    if (inner == name->args[0]) return name;
    auto cast = std::make_shared<Expr>(*name);
    cast->args[0] = std::move(inner);
    return cast;
  }
  if (name->kind != Expr::Kind::kConst || !HasAsciiUpper(name->text)) return name;
  auto lowered = std::make_shared<Expr>(*name);
  lowered->text = AsciiLower(name->text);
  return lowered;
}

ExprPtr ConvertFuncCall(PgNode body) {
  std::string name = AsciiLower(JoinNames(body, "funcname"));
  if (name.rfind("pg_catalog.", 0) == 0) name = name.substr(11);
  auto e = Make(Expr::Kind::kFunc);
  e->name = name;
  e->args = ConvertList(ListField(body, "args"));
  if (BoolField(body, "agg_star") || Field(body, "over")) {
    return Unsupported(fmt::format("function {}(...)", name));
  }
  if (name == "current_setting" && !e->args.empty()) e->args[0] = LowerSettingName(e->args[0]);
  return e;
}

// A SELECT of one target without grouping, limits, WITH or set operations.
bool IsPlainSingleTarget(PgNode select, const std::vector<PgNode>& targets) {
  return targets.size() == 1 && ListField(select, "groupClause").empty() &&
         !Field(select, "havingClause") && !Field(select, "limitCount") &&
         !Field(select, "limitOffset") && !Field(select, "withClause") &&
         StringField(select, "op") == "SETOP_NONE";
}

// `(SELECT expr)`: one row, one column, nothing else that could change it.
bool IsScalarWithoutFrom(PgNode select, const std::vector<PgNode>& from,
                         const std::vector<PgNode>& targets) {
  return from.empty() && IsPlainSingleTarget(select, targets) && !Field(select, "whereClause") &&
         ListField(select, "valuesLists").empty() && ListField(select, "windowClause").empty() &&
         Field(NodeBody(targets[0]), "val");
}

// EXISTS (SELECT ... FROM t [WHERE ...]) and x IN / = ANY (SELECT col FROM t [WHERE ...]): the
// membership subqueries policies are written with; and `(SELECT expr)` (kInitPlan). Anything
// richer (joins, grouping, limits, set operations, other operators) stays unsupported.
ExprPtr ConvertSubLink(PgNode body) {
  std::string_view link = StringField(body, "subLinkType");
  auto sub = Field(body, "subselect");
  if (!sub || NodeType(*sub) != "SelectStmt") return Unsupported("subquery");
  PgNode select = NodeBody(*sub);
  std::vector<PgNode> from = ListField(select, "fromClause");
  std::vector<PgNode> targets = ListField(select, "targetList");
  if (link == "EXPR_SUBLINK" && IsScalarWithoutFrom(select, from, targets)) {
    auto e = Make(Expr::Kind::kInitPlan);
    e->args.push_back(ConvertExpr(*Field(NodeBody(targets[0]), "val")));
    return e;
  }
  bool simple =
      from.size() == 1 && NodeType(from[0]) == "RangeVar" && IsPlainSingleTarget(select, targets);
  std::vector<PgNode> oper = ListField(body, "operName");
  bool equality = oper.empty() || (oper.size() == 1 && NodeType(oper[0]) == "String" &&
                                   StringField(NodeBody(oper[0]), "sval") == "=");
  if (!simple || !(link == "EXISTS_SUBLINK" || (link == "ANY_SUBLINK" && equality))) {
    return Unsupported("subquery");
  }
  PgNode rel = NodeBody(from[0]);
  std::string schema(StringField(rel, "schemaname"));
  std::string relname(StringField(rel, "relname"));
  auto e = Make(Expr::Kind::kSubquery);
  e->name = link == "EXISTS_SUBLINK" ? "exists" : "any";
  e->qualifier = (schema.empty() ? std::string("public") : schema) + "." + relname;
  e->text = relname;
  if (auto alias = Field(rel, "alias")) e->text = std::string(StringField(*alias, "aliasname"));
  auto test = Field(body, "testexpr");
  auto target = Field(NodeBody(targets[0]), "val");
  if (e->name == "any" && (!test || !target)) return Unsupported("subquery");
  e->args.push_back(e->name == "any" ? ConvertExpr(*test) : Make(Expr::Kind::kNull));
  e->args.push_back(e->name == "any" ? ConvertExpr(*target) : Make(Expr::Kind::kNull));
  if (auto where = Field(select, "whereClause")) {
    e->args.push_back(ConvertExpr(*where));
  } else {
    auto t = Make(Expr::Kind::kBool);
    t->text = "t";
    e->args.push_back(t);
  }
  return e;
}

ExprPtr ConvertCase(PgNode body) {
  auto e = Make(Expr::Kind::kCase);
  if (auto arg = Field(body, "arg")) {
    e->has_case_test = true;
    e->args.push_back(ConvertExpr(*arg));
  }
  for (PgNode when : ListField(body, "args")) {
    PgNode w = NodeBody(when);
    auto cond = Field(w, "expr");
    auto result = Field(w, "result");
    e->args.push_back(cond ? ConvertExpr(*cond) : Make(Expr::Kind::kNull));
    e->args.push_back(result ? ConvertExpr(*result) : Make(Expr::Kind::kNull));
  }
  auto def = Field(body, "defresult");
  e->args.push_back(def ? ConvertExpr(*def) : Make(Expr::Kind::kNull));
  return e;
}

}  // namespace

std::string NormalizeTypeName(std::string_view raw) {
  std::string name = AsciiLower(raw);
  if (name.rfind("pg_catalog.", 0) == 0) name = name.substr(11);
  if (name == "integer" || name == "int" || name == "int4" || name == "serial") return "int4";
  if (name == "bigint" || name == "int8" || name == "bigserial") return "int8";
  if (name == "smallint" || name == "int2") return "int2";
  if (name == "boolean" || name == "bool") return "bool";
  if (name == "decimal" || name == "numeric") return "numeric";
  if (name == "varchar" || name == "character varying" || name == "bpchar" || name == "character" ||
      name == "char" || name == "name" || name == "citext") {
    return "text";
  }
  return name;
}

ExprPtr ConvertExpr(PgNode node) {
  std::string_view type = NodeType(node);
  PgNode body = NodeBody(node);

  if (type == "A_Const") return ConvertConst(body);
  if (type == "ParamRef") {
    auto e = Make(Expr::Kind::kParam);
    e->param = static_cast<int>(IntField(body, "number"));
    return e;
  }
  if (type == "ColumnRef") {
    std::vector<PgNode> fields = ListField(body, "fields");
    if (fields.empty() || NodeType(fields.back()) != "String") return Unsupported("column *");
    auto e = Make(Expr::Kind::kColumn);
    e->name = std::string(StringField(NodeBody(fields.back()), "sval"));
    if (fields.size() >= 2) {
      e->qualifier = std::string(StringField(NodeBody(fields[fields.size() - 2]), "sval"));
    }
    return e;
  }
  if (type == "TypeCast") {
    auto arg = Field(body, "arg");
    auto type_name = Field(body, "typeName");
    if (!arg || !type_name) return Unsupported("cast");
    auto e = Make(Expr::Kind::kCast);
    e->name = NormalizeTypeName(JoinNames(*type_name, "names"));
    if (!ListField(*type_name, "arrayBounds").empty()) e->name += "[]";
    e->args = {ConvertExpr(*arg)};
    return e;
  }
  if (type == "A_Expr") return ConvertAExpr(body);
  if (type == "BoolExpr") {
    std::string_view op = StringField(body, "boolop");
    auto e = Make(op == "AND_EXPR"  ? Expr::Kind::kAnd
                  : op == "OR_EXPR" ? Expr::Kind::kOr
                                    : Expr::Kind::kNot);
    e->args = ConvertList(ListField(body, "args"));
    return e;
  }
  if (type == "NullTest") {
    auto arg = Field(body, "arg");
    auto e = Make(Expr::Kind::kIsNull);
    e->negated = StringField(body, "nulltesttype") == "IS_NOT_NULL";
    e->args = {arg ? ConvertExpr(*arg) : Make(Expr::Kind::kNull)};
    return e;
  }
  if (type == "BooleanTest") {
    auto arg = Field(body, "arg");
    std::string_view t = StringField(body, "booltesttype");
    auto e = Make(Expr::Kind::kIsTrue);
    e->negated = (t == "IS_NOT_TRUE" || t == "IS_NOT_FALSE");
    e->name = (t == "IS_FALSE" || t == "IS_NOT_FALSE") ? "false" : "true";
    if (t == "IS_UNKNOWN" || t == "IS_NOT_UNKNOWN") return Unsupported("IS UNKNOWN");
    e->args = {arg ? ConvertExpr(*arg) : Make(Expr::Kind::kNull)};
    return e;
  }
  if (type == "FuncCall") return ConvertFuncCall(body);
  if (type == "CoalesceExpr") {
    auto e = Make(Expr::Kind::kCoalesce);
    e->args = ConvertList(ListField(body, "args"));
    return e;
  }
  if (type == "CaseExpr") return ConvertCase(body);
  if (type == "A_ArrayExpr") {
    auto e = Make(Expr::Kind::kArray);
    e->args = ConvertList(ListField(body, "elements"));
    return e;
  }
  if (type == "SQLValueFunction") {
    std::string_view op = StringField(body, "op");
    if (op == "SVFOP_CURRENT_USER" || op == "SVFOP_CURRENT_ROLE" || op == "SVFOP_USER") {
      return Make(Expr::Kind::kCurrentUser);
    }
    if (op == "SVFOP_SESSION_USER") return Make(Expr::Kind::kSessionUser);
    return Unsupported(
        fmt::format("{}", op.size() > 6 ? AsciiLower(op.substr(6)) : AsciiLower(op)));
  }
  if (type == "SubLink") return ConvertSubLink(body);
  if (type == "SetToDefault") return Unsupported("DEFAULT");
  return Unsupported(type.empty() ? std::string("expression") : std::string(type));
}

std::string ExprToString(const Expr& e) {
  auto join = [](const std::vector<ExprPtr>& args, size_t from, std::string_view sep) {
    std::string out;
    for (size_t i = from; i < args.size(); ++i) {
      if (i > from) out += sep;
      out += ExprToString(*args[i]);
    }
    return out;
  };
  switch (e.kind) {
    case Expr::Kind::kNull:
      return "NULL";
    case Expr::Kind::kBool:
      return e.text == "t" ? "true" : "false";
    case Expr::Kind::kConst:
      return e.is_string ? "'" + e.text + "'" : e.text;
    case Expr::Kind::kParam:
      return "$" + std::to_string(e.param);
    case Expr::Kind::kColumn:
      return e.qualifier.empty() ? e.name : e.qualifier + "." + e.name;
    case Expr::Kind::kFunc:
      return e.name + "(" + join(e.args, 0, ", ") + ")";
    case Expr::Kind::kCast:
      return ExprToString(*e.args[0]) + "::" + e.name;
    case Expr::Kind::kOp:
      return ExprToString(*e.args[0]) + " " + e.name + " " + ExprToString(*e.args[1]);
    case Expr::Kind::kAnd:
      return "(" + join(e.args, 0, " AND ") + ")";
    case Expr::Kind::kOr:
      return "(" + join(e.args, 0, " OR ") + ")";
    case Expr::Kind::kNot:
      return "NOT " + ExprToString(*e.args[0]);
    case Expr::Kind::kIsNull:
      return ExprToString(*e.args[0]) + (e.negated ? " IS NOT NULL" : " IS NULL");
    case Expr::Kind::kIsTrue:
      return ExprToString(*e.args[0]) + (e.negated ? " IS NOT " : " IS ") + e.name;
    case Expr::Kind::kDistinct:
      return ExprToString(*e.args[0]) +
             (e.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") +
             ExprToString(*e.args[1]);
    case Expr::Kind::kIn:
      return ExprToString(*e.args[0]) + (e.negated ? " NOT IN (" : " IN (") +
             join(e.args, 1, ", ") + ")";
    case Expr::Kind::kAnyArray:
      return ExprToString(*e.args[0]) + " " + e.name + " ANY(" + ExprToString(*e.args[1]) + ")";
    case Expr::Kind::kArray:
      return "ARRAY[" + join(e.args, 0, ", ") + "]";
    case Expr::Kind::kCoalesce:
      return "COALESCE(" + join(e.args, 0, ", ") + ")";
    case Expr::Kind::kNullIf:
      return "NULLIF(" + join(e.args, 0, ", ") + ")";
    case Expr::Kind::kCase:
      return "CASE ... END";
    case Expr::Kind::kCurrentUser:
      return "current_user";
    case Expr::Kind::kSessionUser:
      return "session_user";
    case Expr::Kind::kSubquery: {
      std::string from = " FROM " + e.qualifier + " WHERE " + ExprToString(*e.args[2]) + ")";
      if (e.name == "exists") return "EXISTS (SELECT 1" + from;
      return ExprToString(*e.args[0]) + " IN (SELECT " + ExprToString(*e.args[1]) + from;
    }
    case Expr::Kind::kUnsupported:
      return "<" + e.text + ">";
    case Expr::Kind::kInitPlan:
      return "(SELECT " + ExprToString(*e.args[0]) + ")";
  }
  return "?";
}

void AppendExprKey(const Expr* e, std::string* out) {
  if (e == nullptr) {
    out->push_back('\0');
    return;
  }
  out->push_back(static_cast<char>(1 + static_cast<int>(e->kind)));
  common::AppendKeyText(out, e->name);
  common::AppendKeyText(out, e->qualifier);
  common::AppendKeyText(out, e->text);
  common::AppendKeyWord(out, static_cast<uint64_t>(static_cast<int64_t>(e->param)));
  out->push_back(static_cast<char>(e->is_string | (e->negated << 1) | (e->has_case_test << 2)));
  common::AppendKeyWord(out, e->args.size());
  for (const ExprPtr& arg : e->args) AppendExprKey(arg.get(), out);
}

bool IsRowIndependent(const Expr& e) {
  if (e.kind == Expr::Kind::kColumn) return false;
  return std::all_of(e.args.begin(), e.args.end(),
                     [](const ExprPtr& a) { return IsRowIndependent(*a); });
}

void CollectSettingNames(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::Kind::kFunc && e.name == "current_setting" && !e.args.empty()) {
    // pg_dump writes the name as current_setting('app.x'::text, true): look through the cast,
    // or the setting a dumped policy reads goes unnamed (wrong tenant and cause).
    const Expr* name = e.args[0].get();
    if (name->kind == Expr::Kind::kCast && name->name == "text" && !name->args.empty()) {
      name = name->args[0].get();
    }
    if (name->kind == Expr::Kind::kConst &&
        std::find(out->begin(), out->end(), name->text) == out->end()) {
      out->push_back(name->text);
    }
  }
  for (const auto& a : e.args) CollectSettingNames(*a, out);
}

const std::string* FirstSettingName(const Expr& e) {
  if (e.kind == Expr::Kind::kFunc && e.name == "current_setting" && !e.args.empty()) {
    const Expr* name = e.args[0].get();
    if (name->kind == Expr::Kind::kCast && name->name == "text" && !name->args.empty()) {
      name = name->args[0].get();
    }
    if (name->kind == Expr::Kind::kConst) return &name->text;
  }
  for (const auto& a : e.args) {
    if (const std::string* found = FirstSettingName(*a)) return found;
  }
  return nullptr;
}

namespace {

const std::string* SettingComparedWithColumn(const Expr& e) {
  const bool compares = e.kind == Expr::Kind::kOp || e.kind == Expr::Kind::kIn ||
                        e.kind == Expr::Kind::kAnyArray || e.kind == Expr::Kind::kDistinct;
  if (compares && e.args.size() >= 2) {
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (e.args[i]->kind != Expr::Kind::kColumn) continue;
      for (size_t j = 0; j < e.args.size(); ++j) {
        if (j == i) continue;
        if (const std::string* name = FirstSettingName(*e.args[j])) return name;
      }
    }
  }
  for (const auto& a : e.args) {
    if (const std::string* found = SettingComparedWithColumn(*a)) return found;
  }
  return nullptr;
}

}  // namespace

const std::string* TenantSettingName(const Expr& e) {
  if (const std::string* name = SettingComparedWithColumn(e)) return name;
  return FirstSettingName(e);
}

void CollectColumns(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::Kind::kColumn && std::find(out->begin(), out->end(), e.name) == out->end()) {
    out->push_back(e.name);
  }
  for (const auto& a : e.args) CollectColumns(*a, out);
}

}  // namespace rls_shadow
