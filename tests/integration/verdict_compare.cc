#include "verdict_compare.h"

#include <array>
#include <regex>

namespace rls_shadow::differential {
namespace {

// Statements that read or write table rows; others (BEGIN, SET, ...) are only compared when
// rls-shadow has something to say about them.
bool IsRowCommand(const std::string& tag) {
  static constexpr std::array<std::string_view, 6> kRowTags{"SELECT", "INSERT", "UPDATE",
                                                            "DELETE", "COPY",   "MERGE"};
  std::string_view first = std::string_view(tag).substr(0, tag.find(' '));
  for (std::string_view t : kRowTags) {
    if (first == t) return true;
  }
  return false;
}

// The table an error message names: `... for table "orders"` (RLS) or
// `permission denied for table orders`.
std::string TableNamedIn(const std::string& message) {
  static const std::regex kQuoted(R"re(for table "([^"]+)")re");
  static const std::regex kBare(R"re(for table ([A-Za-z0-9_.]+))re");
  std::smatch m;
  if (std::regex_search(message, m, kQuoted) || std::regex_search(message, m, kBare)) {
    return m[1].str();
  }
  return "";
}

std::string Unqualified(const std::string& table) {
  size_t dot = table.rfind('.');
  return dot == std::string::npos ? table : table.substr(dot + 1);
}

std::string VerdictName(PgVerdict v) {
  switch (v) {
    case PgVerdict::kAllow:
      return "allow";
    case PgVerdict::kFiltered:
      return "filtered";
    case PgVerdict::kError:
      return "error";
    case PgVerdict::kNotCompared:
      return "not compared";
  }
  return "?";
}

std::string Describe(const Outcome& o) {
  if (o.ok) return o.tag.empty() ? "ok" : o.tag;
  return "ERROR " + o.sqlstate + " " + o.message;
}

std::string DescribeParams(const StatementRecord& r) {
  std::string s;
  for (size_t i = 0; i < r.params.size(); ++i) {
    if (i) s += ", ";
    s += "$" + std::to_string(i + 1) + " = " + (r.params[i] ? "'" + *r.params[i] + "'" : "NULL");
  }
  return s;
}

std::string DescribeFinding(const EngineFinding& f) {
  std::string s = f.effect + " " + f.table + " " + f.command;
  if (!f.cause.empty()) s += " cause=" + f.cause;
  if (!f.policy.empty()) s += " policy=" + f.policy;
  if (!f.sqlstate.empty()) s += " sqlstate=" + f.sqlstate;
  if (!f.tenant.empty()) s += " tenant=" + f.tenant;
  if (!f.lane.empty()) s += " lane=" + f.lane;
  if (!f.code_path.empty()) s += " code_path=" + f.code_path;
  return s + " (line " + std::to_string(f.line_num) + ")";
}

std::vector<const EngineFinding*> FindingsFor(const StatementMatch& m,
                                              const FindingsBySession& findings) {
  std::vector<const EngineFinding*> out;
  auto it = findings.find(m.session_id);
  if (it == findings.end()) return out;
  for (const EngineFinding& f : it->second) {
    if (f.line_num >= m.line_num && f.line_num < m.next_line_num) out.push_back(&f);
  }
  return out;
}

enum class Agreement { kAgreed, kMissed, kFalse, kUndecided, kWrongEffect };

std::string AgreementName(Agreement a) {
  switch (a) {
    case Agreement::kAgreed:
      return "AGREED";
    case Agreement::kMissed:
      return "MISSED";
    case Agreement::kFalse:
      return "FALSE";
    case Agreement::kUndecided:
      return "UNDECIDED";
    case Agreement::kWrongEffect:
      return "WRONG_EFFECT";
  }
  return "?";
}

Agreement Classify(const PgJudgement& pg, const std::vector<const EngineFinding*>& findings) {
  int worst = 0;
  bool error_on_named_table = false;
  bool any_undecided = false;  // a row_dependent or indeterminate finding: it may be an error
  for (const EngineFinding* f : findings) {
    worst = std::max(worst, EffectRank(f->effect));
    any_undecided |= EffectRank(f->effect) == 1 || EffectRank(f->effect) == 2;
    if (f->effect == "error" &&
        (pg.error_table.empty() || Unqualified(f->table) == Unqualified(pg.error_table))) {
      error_on_named_table = true;
    }
  }
  if (worst == 1 || worst == 2) return Agreement::kUndecided;
  switch (pg.verdict) {
    case PgVerdict::kAllow:
      return worst == 0 ? Agreement::kAgreed : Agreement::kFalse;
    case PgVerdict::kFiltered:
      if (worst == 3) return Agreement::kAgreed;
      return worst == 0 ? Agreement::kMissed : Agreement::kWrongEffect;
    case PgVerdict::kError:
      if (worst == 4) return error_on_named_table ? Agreement::kAgreed : Agreement::kWrongEffect;
      // A decided filter next to an undecided finding (a read in a write's WHERE NOT EXISTS,
      // and the write): the undecided one may be the error.
      if (any_undecided) return Agreement::kUndecided;
      return worst == 0 ? Agreement::kMissed : Agreement::kWrongEffect;
    case PgVerdict::kNotCompared:
      break;
  }
  return Agreement::kAgreed;
}

}  // namespace

PgJudgement JudgePostgres(const StatementRecord& shadow, const StatementRecord& enforced) {
  PgJudgement j;
  const Outcome& s = shadow.outcome;
  const Outcome& e = enforced.outcome;
  if (enforced.after_failed_statement || shadow.after_failed_statement) {
    j.reason = "an earlier statement of the transaction failed";
    return j;
  }
  if (!s.ok) {
    j.reason = "fails in the shadow run already (" + s.sqlstate + ")";
    return j;
  }
  if (!e.ok) {
    j.verdict = PgVerdict::kError;
    j.error_table = TableNamedIn(e.message);
    return j;
  }
  if (s.rows >= 0 && e.rows >= 0 && e.rows < s.rows) {
    j.verdict = PgVerdict::kFiltered;
    return j;
  }
  if (s.rows >= 0 && e.rows > s.rows) {
    j.reason = "more rows under enforcement: the data diverged";
    return j;
  }
  j.verdict = PgVerdict::kAllow;
  return j;
}

bool CompareRuns(const std::vector<StatementRecord>& shadow,
                 const std::vector<StatementRecord>& enforced,
                 const std::vector<StatementMatch>& matches, const FindingsBySession& findings,
                 std::ostream& out, ComparisonTotals* totals, std::string* error) {
  if (shadow.size() != enforced.size() || shadow.size() != matches.size()) {
    *error = "the shadow run recorded " + std::to_string(shadow.size()) +
             " statements, the enforced run " + std::to_string(enforced.size());
    return false;
  }
  ComparisonTotals t;
  std::string not_compared_lines;
  for (size_t i = 0; i < shadow.size(); ++i) {
    const StatementRecord& s = shadow[i];
    const StatementRecord& e = enforced[i];
    if (s.scenario != e.scenario || s.connection != e.connection || s.sql != e.sql) {
      *error = "runs diverge at statement " + std::to_string(i) + " (" + s.scenario + ")";
      return false;
    }
    const std::string where = "[" + s.scenario + "] " + s.connection + "#" +
                              std::to_string(s.index_on_connection) + " " +
                              std::string(ProtocolName(s.protocol));
    const StatementMatch& m = matches[i];
    if (!m.matched) {
      ++t.unmatched;
      out << "UNMATCHED " << where << "\n  sql:        " << s.sql << "\n  problem:    " << m.problem
          << "\n";
      continue;
    }
    std::vector<const EngineFinding*> fs = FindingsFor(m, findings);
    for (const EngineFinding* f : fs) {
      if (EffectRank(f->effect) < 0) ++t.unknown_effects;
    }
    PgJudgement pg = JudgePostgres(s, e);
    if (pg.verdict == PgVerdict::kNotCompared) {
      ++t.not_compared;
      not_compared_lines += "  " + where + ": " + pg.reason + "\n";
      continue;
    }
    if (pg.verdict == PgVerdict::kAllow && fs.empty() && !IsRowCommand(s.outcome.tag)) {
      continue;  // a control statement nobody objects to
    }
    ++t.compared;
    Agreement a = Classify(pg, fs);
    switch (a) {
      case Agreement::kAgreed:
        ++t.agreed;
        continue;
      case Agreement::kMissed:
        ++t.missed;
        break;
      case Agreement::kFalse:
        ++t.false_denial;
        break;
      case Agreement::kUndecided:
        ++t.undecided;
        break;
      case Agreement::kWrongEffect:
        ++t.wrong_effect;
        break;
    }
    out << AgreementName(a) << " " << where << "  " << m.session_id << ":" << m.line_num
        << "\n  sql:        " << s.sql << "\n";
    if (!s.params.empty()) out << "  params:     " << DescribeParams(s) << "\n";
    out << "  postgres:   shadow " << Describe(s.outcome) << " | enforced " << Describe(e.outcome)
        << "  => " << VerdictName(pg.verdict)
        << (pg.error_table.empty() ? "" : " (table " + pg.error_table + ")") << "\n";
    if (fs.empty()) {
      out << "  rls-shadow: allow (no finding)\n";
    } else {
      for (size_t k = 0; k < fs.size(); ++k) {
        out << (k ? "              " : "  rls-shadow: ") << DescribeFinding(*fs[k]) << "\n";
      }
    }
  }
  if (!not_compared_lines.empty()) out << "not compared:\n" << not_compared_lines;
  if (t.unmatched) out << "unmatched statements (harness failure): " << t.unmatched << "\n";
  if (t.unknown_effects) out << "findings with an unknown effect: " << t.unknown_effects << "\n";
  *totals = t;
  return true;
}

}  // namespace rls_shadow::differential
