#include "analyze/trigger_program.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "analyze/sql_functions.h"
#include "analyze/value.h"
#include "common/ascii_lower.h"

namespace rls_shadow {
namespace {

// What an assignment's query (`NEW.col := expr`, or `NEW.col = expr`: plpgsql takes both) assigns:
// the text after the operator. The target is NEW, a dot and a column name, either maybe
// double-quoted; a subscript (`NEW.tags[1] := ...`) assigns part of a column, which is not read.
std::optional<std::string_view> AssignedText(std::string_view query) {
  bool quoted = false;
  for (size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '[') return std::nullopt;
    if (c == ':' && i + 1 < query.size() && query[i + 1] == '=') return query.substr(i + 2);
    if (c == '=') return query.substr(i + 1);
  }
  return std::nullopt;
}

std::string_view ExprQuery(PgNode holder, std::string_view key) {
  auto expr = Field(holder, key);
  return expr ? StringField(NodeBody(*expr), "query") : std::string_view();
}

// PostgreSQL's elog level of ERROR: RAISE EXCEPTION (and RAISE without a level).
constexpr int64_t kErrorLevel = 21;

// A declared type as the evaluator names it: "text " / "varchar(64)" / "uuid" -> "text" / "uuid".
std::string DeclaredType(std::string_view typname) {
  std::string_view t = typname;
  if (const size_t paren = t.find('('); paren != std::string_view::npos) t = t.substr(0, paren);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return NormalizeTypeName(t);
}

// The variables plpgsql declares in every function: FOUND and TG_OP, TG_NAME, ...
bool IsImplicitVariable(std::string_view name) {
  return name == "found" || name.starts_with("tg_");
}

class ProgramReader {
 public:
  explicit ProgramReader(PgNode function)
      : new_varno_(IntField(function, "new_varno")),
        old_varno_(IntField(function, "old_varno")),
        datums_(ListField(function, "datums")) {}

  // The function's variables: FOUND, TG_*, NEW, OLD and their fields, which plpgsql declares,
  // and scalar variables of its own (into `variables`). A record or row variable could hold
  // anything by the time an expression reads it.
  bool ReadVariables(std::vector<TriggerProgram::Variable>* variables) const {
    for (PgNode datum : datums_) {
      const std::string_view type = NodeType(datum);
      const PgNode body = NodeBody(datum);
      const std::string name = AsciiLower(StringField(body, "refname"));
      if (type == "PLpgSQL_var" && IsImplicitVariable(name)) continue;
      if (type == "PLpgSQL_rec" && (name == "new" || name == "old")) continue;
      if (type == "PLpgSQL_recfield") {
        const int64_t parent = IntField(body, "recparentno");
        if (parent == new_varno_ || parent == old_varno_) continue;
        return false;
      }
      if (type != "PLpgSQL_var") return false;
      TriggerProgram::Variable v;
      v.name = name;
      auto datatype = Field(body, "datatype");
      v.type = datatype ? DeclaredType(StringField(NodeBody(*datatype), "typname")) : "";
      const bool composite = v.type == "record" || v.type.ends_with("%rowtype");
      if (composite) return false;
      if (Field(body, "default_val")) {
        v.initial = PlpgsqlExpression(ExprQuery(body, "default_val"));
        if (!v.initial) return false;
      }
      variables->push_back(std::move(v));
    }
    return true;
  }

  bool ReadList(const std::vector<PgNode>& statements, std::vector<TriggerStep>* out) const {
    for (PgNode s : statements) {
      if (!ReadStatement(s, out)) return false;
    }
    return true;
  }

 private:
  bool ReadStatement(PgNode statement, std::vector<TriggerStep>* out) const {
    const std::string_view type = NodeType(statement);
    const PgNode body = NodeBody(statement);
    if (type == "PLpgSQL_stmt_assign") {
      TriggerStep step;
      std::optional<std::string_view> text = AssignedText(ExprQuery(body, "expr"));
      if (!text || !Target(IntField(body, "varno"), &step)) return false;
      step.value = PlpgsqlExpression(*text);
      if (!step.value) return false;
      out->push_back(std::move(step));
      return true;
    }
    if (type == "PLpgSQL_stmt_if") {
      TriggerStep step;
      step.kind = TriggerStep::Kind::kIf;
      if (!AddBranch(ExprQuery(body, "cond"), ListField(body, "then_body"), &step)) return false;
      for (PgNode elsif : ListField(body, "elsif_list")) {
        const PgNode e = NodeBody(elsif);
        if (!AddBranch(ExprQuery(e, "cond"), ListField(e, "stmts"), &step)) return false;
      }
      if (!ReadList(ListField(body, "else_body"), &step.otherwise)) return false;
      out->push_back(std::move(step));
      return true;
    }
    if (type == "PLpgSQL_stmt_raise") {
      // No level is EXCEPTION. Lower levels only report (their parameters are evaluated, and
      // an error there fails the statement in the shadow run too).
      if (!Field(body, "elog_level") || IntField(body, "elog_level") >= kErrorLevel) {
        TriggerStep step;
        step.kind = TriggerStep::Kind::kRaise;
        out->push_back(std::move(step));
      }
      return true;
    }
    return false;
  }

  bool AddBranch(std::string_view condition, const std::vector<PgNode>& statements,
                 TriggerStep* step) const {
    ExprPtr cond = PlpgsqlExpression(condition);
    if (!cond) return false;
    std::vector<TriggerStep> body;
    if (!ReadList(statements, &body)) return false;
    step->branches.emplace_back(std::move(cond), std::move(body));
    return true;
  }

  // What datum `dno` is as an assignment's target: a column of NEW, or a variable of the
  // function's own.
  bool Target(int64_t dno, TriggerStep* step) const {
    if (dno < 0 || static_cast<size_t>(dno) >= datums_.size()) return false;
    const PgNode body = NodeBody(datums_[dno]);
    if (NodeType(datums_[dno]) == "PLpgSQL_recfield") {
      if (IntField(body, "recparentno") != new_varno_) return false;
      step->target = AsciiLower(StringField(body, "fieldname"));
      return true;
    }
    const std::string name = AsciiLower(StringField(body, "refname"));
    if (NodeType(datums_[dno]) != "PLpgSQL_var" || IsImplicitVariable(name)) return false;
    step->target = name;
    step->variable = true;
    return true;
  }

  int64_t new_varno_;
  int64_t old_varno_;
  std::vector<PgNode> datums_;
};

std::vector<TriggerStep> InlineSteps(const std::vector<TriggerStep>& steps,
                                     const SqlFunctions& functions) {
  std::vector<TriggerStep> out = steps;
  for (TriggerStep& step : out) {
    if (step.value) step.value = functions.Inline(step.value);
    for (auto& [cond, body] : step.branches) {
      cond = functions.Inline(cond);
      body = InlineSteps(body, functions);
    }
    step.otherwise = InlineSteps(step.otherwise, functions);
  }
  return out;
}

void AddOnce(std::string_view name, std::vector<std::string>* out) {
  if (std::find(out->begin(), out->end(), name) == out->end()) out->emplace_back(name);
}

// The columns of NEW or OLD `e` reads.
void CollectExprColumns(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::Kind::kColumn && (e.qualifier == "new" || e.qualifier == "old")) {
    AddOnce(e.name, out);
  }
  for (const ExprPtr& a : e.args) CollectExprColumns(*a, out);
}

void CollectStepColumns(const std::vector<TriggerStep>& steps, std::vector<std::string>* out) {
  for (const TriggerStep& step : steps) {
    if (step.kind == TriggerStep::Kind::kAssign) {
      if (!step.variable) AddOnce(step.target, out);
      CollectExprColumns(*step.value, out);
    }
    for (const auto& [cond, body] : step.branches) {
      CollectExprColumns(*cond, out);
      CollectStepColumns(body, out);
    }
    CollectStepColumns(step.otherwise, out);
  }
}

// One run of a program on a row: its variables' values, and the evaluation of its expressions.
class TriggerRun {
 public:
  TriggerRun(const TriggerProgram& program, const EvalInputs& session, const TriggerRow& row)
      : program_(program), row_(row), eval_(session, &lookup_) {
    eval_.set_in_order(true);  // plpgsql runs its expressions through the executor
  }

  void Run() {
    for (const TriggerProgram::Variable& v : program_.variables) {
      variables_.emplace_back(v.name, Value::Null());
      if (v.initial) Store(v.name, true, eval_.Eval(*v.initial));
    }
    if (!RunSteps(program_.steps)) ForgetAssigned(program_.steps, /*columns_only=*/true);
  }

 private:
  // False when a RAISE EXCEPTION was reached.
  bool RunSteps(const std::vector<TriggerStep>& steps) {
    for (const TriggerStep& step : steps) {
      switch (step.kind) {
        case TriggerStep::Kind::kAssign:
          Store(step.target, step.variable, eval_.Eval(*step.value));
          break;
        case TriggerStep::Kind::kRaise:
          return false;
        case TriggerStep::Kind::kIf:
          if (!RunIf(step)) return false;
          break;
      }
    }
    return true;
  }

  // IF / ELSIF: the first TRUE condition's statements; FALSE and NULL go on to the next.
  bool RunIf(const TriggerStep& step) {
    for (size_t i = 0; i < step.branches.size(); ++i) {
      const Value c = eval_.Eval(*step.branches[i].first);
      if (c.is_null() || (c.is_known() && c.type == "bool" && c.text == "f")) continue;
      if (c.is_known() && c.type == "bool" && c.text == "t") {
        return RunSteps(step.branches[i].second);
      }
      // Undecided here: any branch from this one on may run.
      for (size_t j = i; j < step.branches.size(); ++j) {
        ForgetAssigned(step.branches[j].second, false);
      }
      ForgetAssigned(step.otherwise, false);
      return true;
    }
    return RunSteps(step.otherwise);
  }

  void ForgetAssigned(const std::vector<TriggerStep>& steps, bool columns_only) {
    for (const TriggerStep& step : steps) {
      if (step.kind == TriggerStep::Kind::kAssign) {
        if (!step.variable) {
          row_.forget(step.target);
        } else if (!columns_only) {
          Store(step.target, true, Value::Unknown("", kAnyTruth));
        }
      }
      for (const auto& branch : step.branches) ForgetAssigned(branch.second, columns_only);
      ForgetAssigned(step.otherwise, columns_only);
    }
  }

  // Assigns, cast to the target's declared type as plpgsql does.
  void Store(std::string_view target, bool variable, Value v) {
    const std::string_view type = variable ? VariableType(target) : row_.column_type(target);
    if (v.is_known() && !type.empty()) {
      Value cast = Evaluator::Cast(v, type);
      if (!cast.is_indeterminate() || Evaluator::CastDecides(type)) v = std::move(cast);
    }
    const bool value = v.is_known() || v.is_null();
    if (!variable) {
      if (value) {
        row_.set(target, std::move(v));
      } else {
        row_.forget(target);
      }
      return;
    }
    for (auto& [name, current] : variables_) {
      if (name != target) continue;
      current = value ? std::move(v) : Value::Unknown(std::string(type), kAnyTruth);
      return;
    }
  }

  std::string_view VariableType(std::string_view name) const {
    for (const TriggerProgram::Variable& v : program_.variables) {
      if (v.name == name) return v.type;
    }
    return {};
  }

  // What an expression's name reads: NEW.col, OLD.col, a variable, TG_OP. Anything else
  // (TG_ARGV, FOUND, OLD of an INSERT) is unknown. Every value made here stays where it is until
  // the run ends (a comparison reads it in place while its other side is evaluated).
  const Value* Lookup(const Expr& c) {
    if (c.qualifier == "new" || c.qualifier == "old") {
      const Value* v = c.qualifier == "new" ? row_.new_value(c.name) : row_.old_value(c.name);
      if (v != nullptr) return v;
      // NEW may hold NULL in a NOT NULL column until the row is checked.
      return &made_.emplace_back(Value::Unknown(std::string(row_.column_type(c.name)), kAnyTruth));
    }
    if (c.qualifier.empty()) {
      for (const auto& [name, value] : variables_) {
        if (name == c.name) return &value;
      }
      if (c.name == "tg_op") {
        return &made_.emplace_back(Value::Known(std::string(row_.tg_op), "text"));
      }
    }
    return &made_.emplace_back(Value::Unknown("", kAnyTruth));
  }

  const TriggerProgram& program_;
  const TriggerRow& row_;
  // Deques: a value a lookup returned stays where it is while more are added.
  std::deque<std::pair<std::string_view, Value>> variables_;
  std::deque<Value> made_;
  const RowLookup lookup_ = [this](const Expr& c) { return Lookup(c); };
  Evaluator eval_;
};

}  // namespace

bool ReadTriggerProgram(PgNode function, TriggerProgram* out) {
  const ProgramReader reader(function);
  TriggerProgram program;
  if (!reader.ReadVariables(&program.variables)) return false;
  auto action = Field(function, "action");
  if (!action || NodeType(*action) != "PLpgSQL_stmt_block") return false;
  const PgNode block = NodeBody(*action);
  std::vector<PgNode> body = ListField(block, "body");
  // ... RETURN NEW; END: the row the statement goes on with is NEW as the body left it.
  if (Field(block, "exceptions") || body.empty() ||
      NodeType(body.back()) != "PLpgSQL_stmt_return" ||
      AsciiLower(ExprQuery(NodeBody(body.back()), "expr")) != "new") {
    return false;
  }
  body.pop_back();
  if (!reader.ReadList(body, &program.steps)) return false;
  *out = std::move(program);
  return true;
}

TriggerProgram InlineTriggerProgram(const TriggerProgram& program, const SqlFunctions& functions) {
  TriggerProgram out;
  out.variables = program.variables;
  for (TriggerProgram::Variable& v : out.variables) {
    if (v.initial) v.initial = functions.Inline(v.initial);
  }
  out.steps = InlineSteps(program.steps, functions);
  return out;
}

void CollectRowColumns(const TriggerProgram& program, std::vector<std::string>* out) {
  CollectStepColumns(program.steps, out);
  for (const TriggerProgram::Variable& v : program.variables) {
    if (v.initial) CollectExprColumns(*v.initial, out);
  }
}

void RunTriggerProgram(const TriggerProgram& program, const EvalInputs& session,
                       const TriggerRow& row) {
  TriggerRun(program, session, row).Run();
}

}  // namespace rls_shadow
