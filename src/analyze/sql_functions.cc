#include "analyze/sql_functions.h"

#include <pg_query.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "analyze/statement_analyzer.h"
#include "common/ascii_lower.h"

namespace rls_shadow {
namespace {

// Nested helpers (is_tenant() calling current_tenant()) are inlined to this depth; a deeper or
// recursive chain stays a call.
constexpr int kMaxDepth = 8;

// The types Evaluator::Cast decides: an argument is cast to its declared type only then (a cast
// to another type would make the body indeterminate where PostgreSQL merely coerces).
bool CastableType(std::string_view type) {
  return type == "uuid" || type == "text" || type == "int2" || type == "int4" || type == "int8" ||
         type == "numeric" || type == "bool";
}

// The one expression of a `SELECT expr` with nothing else (no FROM, WHERE, grouping, ...).
std::optional<PgNode> SingleExpression(PgNode select) {
  if (!ListField(select, "fromClause").empty() || Field(select, "whereClause") ||
      !ListField(select, "groupClause").empty() || Field(select, "havingClause") ||
      Field(select, "limitCount") || Field(select, "limitOffset") ||
      !ListField(select, "distinctClause").empty() || Field(select, "withClause") ||
      StringField(select, "op") != "SETOP_NONE") {
    return std::nullopt;
  }
  std::vector<PgNode> targets = ListField(select, "targetList");
  if (targets.size() != 1) return std::nullopt;
  return Field(NodeBody(targets[0]), "val");
}

// The text of `AS '...'` (a SQL or plpgsql body), "" when there is none.
std::string AsText(PgNode body) {
  for (PgNode option : ListField(body, "options")) {
    PgNode def = NodeBody(option);
    if (StringField(def, "defname") != "as") continue;
    auto arg = Field(def, "arg");
    std::vector<PgNode> items = arg ? ListField(NodeBody(*arg), "items") : std::vector<PgNode>{};
    if (items.size() == 1) return std::string(StringField(NodeBody(items[0]), "sval"));
  }
  return std::string();
}

// The body expression of a SQL function, or why there is none.
ExprPtr BodyExpression(PgNode body, std::string* why_not) {
  if (auto sql_body = Field(body, "sql_body")) {
    // RETURN expr, or BEGIN ATOMIC SELECT expr; END (a list holding one list of statements).
    if (NodeType(*sql_body) == "ReturnStmt") {
      if (auto value = Field(NodeBody(*sql_body), "returnval")) return ConvertExpr(*value);
    } else if (NodeType(*sql_body) == "List") {
      std::vector<PgNode> outer = ListField(NodeBody(*sql_body), "items");
      std::vector<PgNode> stmts =
          outer.size() == 1 ? ListField(NodeBody(outer[0]), "items") : std::vector<PgNode>{};
      if (stmts.size() == 1 && NodeType(stmts[0]) == "SelectStmt") {
        if (auto e = SingleExpression(NodeBody(stmts[0]))) return ConvertExpr(*e);
      }
    }
    *why_not = "its body is not one expression";
    return nullptr;
  }
  const std::string text = AsText(body);
  PgTree tree;
  if (!tree.Parse(text).ok() || tree.statements().size() != 1 ||
      NodeType(tree.statements()[0].node) != "SelectStmt") {
    *why_not = "its body is not one SELECT";
    return nullptr;
  }
  auto e = SingleExpression(NodeBody(tree.statements()[0].node));
  if (!e) {
    *why_not = "its body is not one expression";
    return nullptr;
  }
  return ConvertExpr(*e);
}

// libpg_query's plpgsql tree of the one function a CREATE FUNCTION statement creates, parsed
// once for everything read from it; `function` is empty when it does not parse. The tree points
// into `json` and `parser`, so it is neither copied nor moved.
struct PlpgsqlTree {
  explicit PlpgsqlTree(std::string_view create_function) {
    const std::string text(create_function);
    PgQueryPlpgsqlParseResult parsed = pg_query_parse_plpgsql(text.c_str());
    if (parsed.error == nullptr && parsed.plpgsql_funcs != nullptr) json = parsed.plpgsql_funcs;
    pg_query_free_plpgsql_parse_result(parsed);
    simdjson::dom::element root;
    simdjson::dom::array functions;
    if (json.empty() || parser.parse(json).get(root) != simdjson::SUCCESS ||
        root.get_array().get(functions) != simdjson::SUCCESS || functions.size() != 1) {
      return;
    }
    function = NodeBody(functions.at(0));
  }
  PlpgsqlTree(const PlpgsqlTree&) = delete;
  PlpgsqlTree& operator=(const PlpgsqlTree&) = delete;

  std::string json;
  simdjson::dom::parser parser;
  std::optional<PgNode> function;
};

// The expression of a plpgsql function whose block only does `RETURN expr;`, or why there is
// none. The block may declare nothing but the arguments (a declaration's initializer would run
// first) and have no exception handler.
ExprPtr PlpgsqlReturnExpression(const PlpgsqlTree& plpgsql,
                                const std::vector<std::string>& arg_names, std::string* why_not) {
  *why_not = "its plpgsql body is not just RETURN expr";
  if (!plpgsql.function) return nullptr;
  PgNode function = *plpgsql.function;
  for (PgNode datum : ListField(function, "datums")) {
    std::string_view name = StringField(NodeBody(datum), "refname");
    bool argument = false;
    for (const std::string& a : arg_names) argument |= (!a.empty() && a == name);
    if (!argument && name != "found") return nullptr;
  }
  auto action = Field(function, "action");
  if (!action || NodeType(*action) != "PLpgSQL_stmt_block") return nullptr;
  PgNode block = NodeBody(*action);
  std::vector<PgNode> body = ListField(block, "body");
  if (Field(block, "exceptions") || body.size() != 1 ||
      NodeType(body[0]) != "PLpgSQL_stmt_return") {
    return nullptr;
  }
  auto expr = Field(NodeBody(body[0]), "expr");
  if (!expr) return nullptr;
  ExprPtr e = PlpgsqlExpression(StringField(NodeBody(*expr), "query"));
  if (e) why_not->clear();
  return e;
}

// Adds the accesses and calls of the statements in `sql` to `f` (a SQL function's body, whose
// `argument_names` its WHERE clauses may compare columns with). Returns whether they parse and
// none changes a setting or the transaction (SET, set_config(), COMMIT, a DO block, ...).
bool AddStatements(std::string_view sql, std::vector<TableAccess>* accesses,
                   std::vector<std::string>* calls,
                   const std::vector<std::string>* argument_names = nullptr) {
  AnalyzedText analyzed = AnalyzeSql(sql, argument_names);
  if (!analyzed.parsed) return false;
  bool settings_kept = true;
  for (const AnalyzedStatement& st : analyzed.statements) {
    accesses->insert(accesses->end(), st.accesses.begin(), st.accesses.end());
    calls->insert(calls->end(), st.calls.begin(), st.calls.end());
    settings_kept &= st.settings.empty() && st.txn == TxnAction::kNone && st.prepare_name.empty() &&
                     st.execute_name.empty() && st.do_block_accesses.empty() &&
                     std::find(st.calls.begin(), st.calls.end(), "set_config") == st.calls.end();
  }
  return settings_kept;
}

// Every SQL text of a plpgsql tree: its statements' queries and expressions ("x := expr" for an
// assignment).
void CollectPlpgsqlQueries(PgNode node, std::vector<std::string>* out) {
  simdjson::dom::array arr;
  if (node.get_array().get(arr) == simdjson::SUCCESS) {
    for (PgNode e : arr) CollectPlpgsqlQueries(e, out);
    return;
  }
  simdjson::dom::object obj;
  if (node.get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto field : obj) {
    if (field.key == "PLpgSQL_expr") {
      out->emplace_back(StringField(field.value, "query"));
      continue;
    }
    CollectPlpgsqlQueries(field.value, out);
  }
}

// Adds the accesses and calls of every statement and expression of a plpgsql function.
// Returns whether none changes a setting or the transaction (AddStatements).
bool AddPlpgsqlStatements(const PlpgsqlTree& tree, std::vector<TableAccess>* accesses,
                          std::vector<std::string>* calls) {
  std::vector<std::string> queries;
  if (tree.function) CollectPlpgsqlQueries(*tree.function, &queries);
  bool settings_kept = true;
  for (const std::string& q : queries) {
    // A statement (SELECT ... INTO, INSERT ...), else an expression or an assignment.
    if (AnalyzeSql(q).parsed) {
      settings_kept &= AddStatements(q, accesses, calls);
      continue;
    }
    const size_t assign = q.find(":=");
    settings_kept &= AddStatements(
        "SELECT " + q.substr(assign == std::string::npos ? 0 : assign + 2), accesses, calls);
  }
  return settings_kept;
}

// Whether a plpgsql block only runs its SQL statements, each once and in order: no variable of
// its own, no control flow, no exception handler, nothing selected INTO (at most a bare RETURN
// at its end).
bool RunsItsStatementsInOrder(const PlpgsqlTree& tree) {
  if (!tree.function) return false;
  for (PgNode datum : ListField(*tree.function, "datums")) {
    if (NodeType(datum) != "PLpgSQL_var" || StringField(NodeBody(datum), "refname") != "found") {
      return false;
    }
  }
  auto action = Field(*tree.function, "action");
  if (!action || NodeType(*action) != "PLpgSQL_stmt_block") return false;
  const PgNode block = NodeBody(*action);
  if (Field(block, "exceptions")) return false;
  std::vector<PgNode> body = ListField(block, "body");
  if (!body.empty() && NodeType(body.back()) == "PLpgSQL_stmt_return" &&
      !Field(NodeBody(body.back()), "expr")) {
    body.pop_back();
  }
  return std::all_of(body.begin(), body.end(), [](PgNode statement) {
    return NodeType(statement) == "PLpgSQL_stmt_execsql" && !BoolField(NodeBody(statement), "into");
  });
}

// What a plpgsql trigger function may change in NEW: the fields of NEW its assignments target,
// anywhere in the body (the branch taken is not known).
SqlFunctions::NewRowChanges PlpgsqlNewRowChanges(const PlpgsqlTree& tree) {
  SqlFunctions::NewRowChanges changes;
  const std::optional<PgNode>& function = tree.function;
  if (!function) {
    changes.all = true;
    return changes;
  }
  const int64_t new_varno = IntField(*function, "new_varno");
  // The datums by number: a field of NEW is a PLpgSQL_recfield whose parent is NEW's record.
  std::vector<PgNode> datums = ListField(*function, "datums");
  auto new_field = [&](int64_t dno) -> std::optional<std::string_view> {
    if (dno < 0 || static_cast<size_t>(dno) >= datums.size()) return std::nullopt;
    if (NodeType(datums[dno]) != "PLpgSQL_recfield") return std::nullopt;
    PgNode field = NodeBody(datums[dno]);
    if (IntField(field, "recparentno") != new_varno) return std::nullopt;
    return StringField(field, "fieldname");
  };
  std::function<void(PgNode)> visit = [&](PgNode node) {
    simdjson::dom::array arr;
    if (node.get_array().get(arr) == simdjson::SUCCESS) {
      for (PgNode e : arr) visit(e);
      return;
    }
    simdjson::dom::object obj;
    if (node.get_object().get(obj) != simdjson::SUCCESS) return;
    for (auto field : obj) {
      if (field.key == "PLpgSQL_stmt_assign") {
        const int64_t target = IntField(field.value, "varno");
        if (auto column = new_field(target)) {
          changes.columns.emplace_back(AsciiLower(*column));
        } else if (target == new_varno) {
          changes.all = true;
        }
      } else if (field.key == "PLpgSQL_stmt_return") {
        auto expr = Field(field.value, "expr");
        const std::string_view returned = expr ? StringField(NodeBody(*expr), "query") : "";
        if (AsciiLower(returned) != "new") changes.all = true;
      } else if (field.key == "into" && field.value.is_bool() && bool(field.value)) {
        changes.all = true;
      }
      visit(field.value);
    }
  };
  visit(*function);
  return changes;
}

// `name` in a map by qualified name, as a call resolves on the default search_path: as written,
// else, unqualified, in schema public.
template <typename Map>
typename Map::const_iterator FindOnSearchPath(const Map& map, std::string_view name) {
  auto it = map.find(name);
  if (it == map.end() && name.find('.') == std::string_view::npos) {
    it = map.find("public." + std::string(name));
  }
  return it;
}

// Whether `e` reads only what a function body may: its arguments ($n, or names), constants and
// the session (no column: the body has no FROM, so a name that is not an argument would fail).
bool ReadsOnlyArguments(const Expr& e, const std::vector<std::string>& arg_names) {
  if (e.kind == Expr::Kind::kColumn) {
    if (!e.qualifier.empty()) return false;
    bool named = false;
    for (const std::string& a : arg_names) named |= (!a.empty() && a == e.name);
    if (!named) return false;
  }
  if (e.kind == Expr::Kind::kParam &&
      (e.param < 1 || static_cast<size_t>(e.param) > arg_names.size())) {
    return false;
  }
  if (e.kind == Expr::Kind::kSubquery) return false;
  for (const ExprPtr& a : e.args) {
    if (a && !ReadsOnlyArguments(*a, arg_names)) return false;
  }
  return true;
}

std::shared_ptr<Expr> Node(Expr::Kind kind) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  return e;
}

}  // namespace

ExprPtr PlpgsqlExpression(std::string_view query) {
  PgTree tree;
  if (!tree.Parse("SELECT " + std::string(query)).ok() || tree.statements().size() != 1 ||
      NodeType(tree.statements()[0].node) != "SelectStmt") {
    return nullptr;
  }
  auto e = SingleExpression(NodeBody(tree.statements()[0].node));
  return e ? ConvertExpr(*e) : nullptr;
}

bool PlpgsqlBlockAccesses(std::string_view block, std::vector<TableAccess>* accesses,
                          std::vector<std::string>* calls) {
  // libpg_query parses plpgsql only as the body of CREATE FUNCTION: wrap it, with a dollar
  // quote the block does not contain.
  std::string tag = "$rls_shadow$";
  while (block.find(tag) != std::string_view::npos) tag.insert(tag.size() - 1, "_");
  const std::string create =
      "CREATE FUNCTION rls_shadow_do_block() RETURNS void LANGUAGE plpgsql AS " + tag +
      std::string(block) + tag;
  const PlpgsqlTree tree(create);
  const bool settings_kept = AddPlpgsqlStatements(tree, accesses, calls);
  return settings_kept && RunsItsStatementsInOrder(tree);
}

void SqlFunctions::Create(PgNode body, std::string_view statement) {
  const std::string name = AsciiLower(JoinNames(body, "funcname"));
  Function f;
  std::string language;
  bool security_definer = false, has_set = false, variadic_or_default = false;
  for (PgNode option : ListField(body, "options")) {
    PgNode def = NodeBody(option);
    std::string_view what = StringField(def, "defname");
    auto arg = Field(def, "arg");
    if (what == "language" && arg) language = AsciiLower(StringField(NodeBody(*arg), "sval"));
    if (what == "strict" && arg) f.strict = BoolField(NodeBody(*arg), "boolval");
    if (what == "security" && arg) security_definer = BoolField(NodeBody(*arg), "boolval");
    if (what == "set") has_set = true;
  }
  for (PgNode p : ListField(body, "parameters")) {
    PgNode param = NodeBody(p);
    std::string_view mode = StringField(param, "mode");
    if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_TABLE") continue;
    if (mode == "FUNC_PARAM_VARIADIC" || Field(param, "defexpr")) variadic_or_default = true;
    f.arg_names.emplace_back(StringField(param, "name"));
    auto type = Field(param, "argType");
    f.arg_types.push_back(type ? NormalizeTypeName(JoinNames(*type, "names")) : std::string());
  }
  auto returns = Field(body, "returnType");
  const std::string return_type =
      returns ? NormalizeTypeName(JoinNames(*returns, "names")) : std::string();
  std::optional<PlpgsqlTree> plpgsql;
  if (language == "plpgsql") plpgsql.emplace(statement);
  if (language != "sql" && language != "plpgsql") {
    f.why_not = "LANGUAGE " + (language.empty() ? std::string("unknown") : language);
  } else if (security_definer) {
    f.why_not = "SECURITY DEFINER";
  } else if (has_set) {
    f.why_not = "it has a SET clause";
  } else if (returns && BoolField(*returns, "setof")) {
    f.why_not = "it returns a set";
  } else if (variadic_or_default) {
    f.why_not = "it has a VARIADIC or defaulted argument";
  } else {
    f.body = language == "sql" ? BodyExpression(body, &f.why_not)
                               : PlpgsqlReturnExpression(*plpgsql, f.arg_names, &f.why_not);
    if (f.body && language == "plpgsql" && returns) {
      // plpgsql casts what RETURN gives to the declared type (text to uuid raises 22P02).
      if (CastableType(return_type)) {
        auto cast = Node(Expr::Kind::kCast);
        cast->name = return_type;
        cast->args = {f.body};
        f.body = std::move(cast);
      }
    }
    if (f.body && !ReadsOnlyArguments(*f.body, f.arg_names)) {
      f.body = nullptr;
      f.why_not = "its body reads more than its arguments";
    }
  }
  // The tables its body reaches (not for inlining: a policy calling it stays indeterminate).
  if (language == "sql") {
    const bool settings_kept = AddStatements(AsText(body), &f.accesses, &f.calls, &f.arg_names);
    f.followable = settings_kept && !security_definer && !has_set &&
                   !(returns && BoolField(*returns, "setof")) && !Field(body, "sql_body");
  } else if (language == "plpgsql") {
    AddPlpgsqlStatements(*plpgsql, &f.accesses, &f.calls);
  }
  if (return_type == "trigger") {
    if (language == "plpgsql") {
      f.new_row_changes = PlpgsqlNewRowChanges(*plpgsql);
      TriggerProgram program;
      if (plpgsql->function && ReadTriggerProgram(*plpgsql->function, &program)) {
        f.trigger_program = std::make_shared<const TriggerProgram>(std::move(program));
      }
    } else {
      f.new_row_changes.all = true;
    }
  }
  std::vector<Function>& same = functions_[name][f.arg_names.size()];
  // CREATE OR REPLACE keeps the argument types; a new overload of the same arity adds one.
  for (Function& existing : same) {
    if (existing.arg_types == f.arg_types) {
      existing = std::move(f);
      return;
    }
  }
  same.push_back(std::move(f));
}

void SqlFunctions::Drop(PgNode body) {
  for (PgNode obj : ListField(body, "objects")) {
    PgNode owa = NodeBody(obj);
    auto it = functions_.find(AsciiLower(JoinNames(owa, "objname")));
    if (it == functions_.end()) continue;
    if (BoolField(owa, "args_unspecified")) {
      functions_.erase(it);
      continue;
    }
    std::vector<std::string> types;
    for (PgNode t : ListField(owa, "objargs")) {
      types.push_back(NormalizeTypeName(JoinNames(NodeBody(t), "names")));
    }
    auto arity = it->second.find(types.size());
    if (arity == it->second.end()) continue;
    std::erase_if(arity->second, [&](const Function& f) { return f.arg_types == types; });
  }
}

const SqlFunctions::Function* SqlFunctions::Find(std::string_view name, size_t arity) const {
  // pg_catalog comes first on the search_path: the evaluator's built-ins are never public's.
  const bool builtin = name == "current_setting" || name == "nullif" || name == "coalesce";
  auto it = builtin ? functions_.find(name) : FindOnSearchPath(functions_, name);
  if (it == functions_.end()) return nullptr;
  auto same = it->second.find(arity);
  if (same == it->second.end() || same->second.size() != 1) return nullptr;
  return &same->second.front();
}

void SqlFunctions::ComputeReach() {
  reach_.clear();
  // Depth-first from each function; a function already on the path is not entered again.
  std::function<void(const std::string&, const std::string&, std::vector<std::string>*,
                     std::vector<ReachedAccess>*)>
      visit = [&](const std::string& name, const std::string& via, std::vector<std::string>* path,
                  std::vector<ReachedAccess>* out) {
        auto it = FindOnSearchPath(functions_, name);
        if (it == functions_.end()) return;
        if (std::find(path->begin(), path->end(), it->first) != path->end()) return;
        path->push_back(it->first);
        const std::string here = via.empty() ? it->first + "()" : via + " -> " + it->first + "()";
        for (const auto& [arity, overloads] : it->second) {
          for (const Function& f : overloads) {
            for (const TableAccess& a : f.accesses) {
              out->push_back(ReachedAccess{a.schema, a.relname, a.command, here});
            }
            for (const std::string& call : f.calls) visit(call, here, path, out);
          }
        }
        path->pop_back();
      };
  for (const auto& [name, arities] : functions_) {
    std::vector<std::string> path;
    std::vector<ReachedAccess> reached;
    visit(name, "", &path, &reached);
    if (!reached.empty()) reach_.emplace(name, std::move(reached));
  }
}

const std::vector<SqlFunctions::ReachedAccess>* SqlFunctions::Reached(std::string_view name) const {
  auto it = FindOnSearchPath(reach_, name);
  return it == reach_.end() ? nullptr : &it->second;
}

SqlFunctions::NewRowChanges SqlFunctions::TriggerChanges(std::string_view name) const {
  if (const Function* f = Find(name, 0)) return f->new_row_changes;
  NewRowChanges unknown;
  unknown.all = true;
  return unknown;
}

const TriggerProgram* SqlFunctions::TriggerProgramOf(std::string_view name) const {
  const Function* f = Find(name, 0);
  return f == nullptr ? nullptr : f->trigger_program.get();
}

std::optional<SqlFunctions::SqlBody> SqlFunctions::FollowedBody(std::string_view name,
                                                                size_t arity) const {
  const Function* f = Find(name, arity);
  if (f == nullptr || !f->followable || f->accesses.empty() || f->arg_types.size() != arity) {
    return std::nullopt;
  }
  for (const std::string& call : f->calls) {
    if (Reached(call) != nullptr) return std::nullopt;
  }
  return SqlBody{&f->accesses, &f->arg_names, &f->arg_types, f->strict};
}

std::string SqlFunctions::WhyNotInlined(std::string_view name, size_t arity) const {
  const Function* f = Find(name, arity);
  return f == nullptr || f->body ? std::string() : f->why_not;
}

ExprPtr SqlFunctions::Inline(const ExprPtr& e) const {
  if (functions_.empty()) return e;
  return InlineAt(e, 0);
}

ExprPtr SqlFunctions::InlineAt(const ExprPtr& e, int depth) const {
  if (!e) return e;
  ExprPtr self = MapArgs(e, [&](const ExprPtr& a) { return InlineAt(a, depth); });
  if (self->kind != Expr::Kind::kFunc || depth >= kMaxDepth) return self;
  const Function* f = Find(self->name, self->args.size());
  if (f == nullptr) return self;
  if (!f->body) {
    // Indeterminate as any unknown function, but saying why this one is not evaluated.
    auto why = Node(Expr::Kind::kUnsupported);
    why->text = "function " + self->name + "() (" + f->why_not + ")";
    return why;
  }
  bool ok = true;
  ExprPtr body = Substitute(f->body, *f, self->args, &ok);
  if (!ok) return self;
  body = InlineAt(body, depth + 1);
  if (!f->strict || self->args.empty()) return body;
  // STRICT: NULL when any argument is, without evaluating the body.
  auto any_null = Node(Expr::Kind::kOr);
  for (const ExprPtr& a : self->args) {
    auto is_null = Node(Expr::Kind::kIsNull);
    is_null->args = {a};
    any_null->args.push_back(std::move(is_null));
  }
  auto guarded = Node(Expr::Kind::kCase);
  guarded->args = {self->args.size() == 1 ? any_null->args[0] : ExprPtr(any_null),
                   Node(Expr::Kind::kNull), body};
  return guarded;
}

ExprPtr SqlFunctions::Substitute(const ExprPtr& body, const Function& f,
                                 const std::vector<ExprPtr>& args, bool* ok) const {
  if (!body) return body;
  auto argument = [&](size_t i) -> ExprPtr {
    if (!CastableType(f.arg_types[i])) return args[i];
    auto cast = Node(Expr::Kind::kCast);
    cast->name = f.arg_types[i];
    cast->args = {args[i]};
    return cast;
  };
  if (body->kind == Expr::Kind::kParam) return argument(static_cast<size_t>(body->param - 1));
  if (body->kind == Expr::Kind::kColumn) {
    for (size_t i = 0; i < f.arg_names.size(); ++i) {
      if (f.arg_names[i] == body->name) return argument(i);
    }
    *ok = false;  // ReadsOnlyArguments admitted no other column
    return body;
  }
  if (body->args.empty()) return body;
  auto copy = std::make_shared<Expr>(*body);
  for (ExprPtr& a : copy->args) a = Substitute(a, f, args, ok);
  return copy;
}

}  // namespace rls_shadow
