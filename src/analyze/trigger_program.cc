#include "analyze/trigger_program.h"

#include <algorithm>
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

class ProgramReader {
 public:
  explicit ProgramReader(PgNode function)
      : new_varno_(IntField(function, "new_varno")),
        old_varno_(IntField(function, "old_varno")),
        datums_(ListField(function, "datums")) {}

  // Only the variables plpgsql declares itself: FOUND, TG_*, NEW, OLD and their fields. A
  // variable the function declares could hold anything by the time an expression reads it.
  bool OnlyImplicitVariables() const {
    for (PgNode datum : datums_) {
      const std::string_view type = NodeType(datum);
      const PgNode body = NodeBody(datum);
      const std::string name = AsciiLower(StringField(body, "refname"));
      if (type == "PLpgSQL_var" && (name == "found" || name.rfind("tg_", 0) == 0)) continue;
      if (type == "PLpgSQL_rec" && (name == "new" || name == "old")) continue;
      if (type == "PLpgSQL_recfield") {
        const int64_t parent = IntField(body, "recparentno");
        if (parent == new_varno_ || parent == old_varno_) continue;
      }
      return false;
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
      std::optional<std::string> column = NewColumn(IntField(body, "varno"));
      std::optional<std::string_view> text = AssignedText(ExprQuery(body, "expr"));
      if (!column || !text) return false;
      step.column = std::move(*column);
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

  // The column of NEW that datum `dno` is, if it is one.
  std::optional<std::string> NewColumn(int64_t dno) const {
    if (dno < 0 || static_cast<size_t>(dno) >= datums_.size()) return std::nullopt;
    if (NodeType(datums_[dno]) != "PLpgSQL_recfield") return std::nullopt;
    const PgNode field = NodeBody(datums_[dno]);
    if (IntField(field, "recparentno") != new_varno_) return std::nullopt;
    return AsciiLower(StringField(field, "fieldname"));
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

void CollectStepColumns(const std::vector<TriggerStep>& steps, std::vector<std::string>* out) {
  for (const TriggerStep& step : steps) {
    if (step.kind == TriggerStep::Kind::kAssign) {
      if (std::find(out->begin(), out->end(), step.column) == out->end()) {
        out->push_back(step.column);
      }
      CollectRowColumns(*step.value, out);
      continue;
    }
    for (const auto& [cond, body] : step.branches) {
      CollectRowColumns(*cond, out);
      CollectStepColumns(body, out);
    }
    CollectStepColumns(step.otherwise, out);
  }
}

void ForgetAssigned(const std::vector<TriggerStep>& steps,
                    FunctionRef<void(std::string_view)> forget) {
  for (const TriggerStep& step : steps) {
    if (step.kind == TriggerStep::Kind::kAssign) {
      forget(step.column);
      continue;
    }
    for (const auto& branch : step.branches) ForgetAssigned(branch.second, forget);
    ForgetAssigned(step.otherwise, forget);
  }
}

void RunSteps(const std::vector<TriggerStep>& steps, FunctionRef<Value(const Expr&)> eval,
              FunctionRef<void(std::string_view, Value)> assign,
              FunctionRef<void(std::string_view)> forget) {
  for (const TriggerStep& step : steps) {
    if (step.kind == TriggerStep::Kind::kAssign) {
      assign(step.column, eval(*step.value));
      continue;
    }
    // IF / ELSIF: the first TRUE condition's statements; FALSE and NULL go on to the next.
    const std::vector<TriggerStep>* taken = &step.otherwise;
    for (size_t i = 0; i < step.branches.size(); ++i) {
      const Value c = eval(*step.branches[i].first);
      if (c.is_null() || (c.is_known() && c.type == "bool" && c.text == "f")) continue;
      if (c.is_known() && c.type == "bool" && c.text == "t") {
        taken = &step.branches[i].second;
        break;
      }
      // Undecided here: any branch from this one on may run.
      for (size_t j = i; j < step.branches.size(); ++j) {
        ForgetAssigned(step.branches[j].second, forget);
      }
      ForgetAssigned(step.otherwise, forget);
      taken = nullptr;
      break;
    }
    if (taken != nullptr) RunSteps(*taken, eval, assign, forget);
  }
}

}  // namespace

bool ReadTriggerProgram(PgNode function, TriggerProgram* out) {
  const ProgramReader reader(function);
  if (!reader.OnlyImplicitVariables()) return false;
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
  TriggerProgram program;
  if (!reader.ReadList(body, &program.steps)) return false;
  *out = std::move(program);
  return true;
}

TriggerProgram InlineTriggerProgram(const TriggerProgram& program, const SqlFunctions& functions) {
  return TriggerProgram{InlineSteps(program.steps, functions)};
}

void CollectRowColumns(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::Kind::kColumn && (e.qualifier == "new" || e.qualifier == "old") &&
      std::find(out->begin(), out->end(), e.name) == out->end()) {
    out->push_back(e.name);
  }
  for (const ExprPtr& a : e.args) {
    if (a) CollectRowColumns(*a, out);
  }
}

void CollectRowColumns(const TriggerProgram& program, std::vector<std::string>* out) {
  CollectStepColumns(program.steps, out);
}

void RunTriggerProgram(const TriggerProgram& program, FunctionRef<Value(const Expr&)> eval,
                       FunctionRef<void(std::string_view, Value)> assign,
                       FunctionRef<void(std::string_view)> forget) {
  RunSteps(program.steps, eval, assign, forget);
}

}  // namespace rls_shadow
