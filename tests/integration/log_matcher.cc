#include "log_matcher.h"

#include <simdjson.h>

#include <fstream>
#include <map>
#include <tuple>
#include <unordered_map>

namespace rls_shadow::differential {
namespace {

constexpr std::string_view kStatementPrefix = "statement: ";
constexpr std::string_view kExecutePrefix = "execute ";

// Splits a statement LOG message; false for any other message.
bool ParseStatementMessage(std::string_view message, LoggedStatement* out) {
  if (message.starts_with(kStatementPrefix)) {
    out->protocol = Protocol::kSimple;
    out->text.assign(message.substr(kStatementPrefix.size()));
    return true;
  }
  if (message.starts_with(kExecutePrefix)) {
    std::string_view rest = message.substr(kExecutePrefix.size());
    size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) return false;
    out->statement_name.assign(rest.substr(0, colon));
    out->protocol = out->statement_name == "<unnamed>" ? Protocol::kExtended : Protocol::kPrepared;
    out->text.assign(rest.substr(colon + 2));
    return true;
  }
  return false;
}

bool SameStatement(const LoggedStatement& logged, const StatementRecord& record) {
  if (logged.protocol != record.protocol || logged.text != record.sql) return false;
  return record.protocol != Protocol::kPrepared || logged.statement_name == record.statement_name;
}

}  // namespace

bool ServerLog::Load(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  simdjson::dom::parser parser;
  std::unordered_map<std::string, size_t> index;
  std::string line;
  int good = 0;
  while (std::getline(in, line)) {
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc)) {
      ++malformed_lines_;
      continue;
    }
    ++good;
    std::string_view backend_type, session_id, message, severity;
    if (doc["backend_type"].get_string().get(backend_type) || backend_type != "client backend" ||
        doc["session_id"].get_string().get(session_id) ||
        doc["error_severity"].get_string().get(severity) || severity != "LOG" ||
        doc["message"].get_string().get(message)) {
      continue;
    }
    LoggedStatement statement;
    int64_t line_num = 0;
    if (doc["line_num"].get_int64().get(line_num) || !ParseStatementMessage(message, &statement)) {
      continue;
    }
    statement.line_num = static_cast<long>(line_num);
    auto [it, inserted] = index.try_emplace(std::string(session_id), sessions_.size());
    if (inserted) {
      LoggedSession session;
      session.session_id.assign(session_id);
      int64_t pid = 0;
      if (!doc["pid"].get_int64().get(pid)) session.pid = static_cast<int>(pid);
      std::string_view app;
      if (!doc["application_name"].get_string().get(app)) session.application_name.assign(app);
      sessions_.push_back(std::move(session));
    }
    sessions_[it->second].statements.push_back(std::move(statement));
  }
  if (good == 0) {
    *error = path + ": no JSON log lines (is log_destination=jsonlog?)";
    return false;
  }
  return true;
}

std::vector<StatementMatch> MatchStatements(const ServerLog& log,
                                            const std::vector<StatementRecord>& records) {
  using Identity = std::tuple<int, std::string>;  // pid, application_name
  std::map<Identity, std::vector<const LoggedSession*>> sessions_by_identity;
  for (const LoggedSession& s : log.sessions()) {
    sessions_by_identity[{s.pid, s.application_name}].push_back(&s);
  }

  struct Cursor {
    const LoggedSession* session = nullptr;
    size_t next = 0;  // next unmatched statement line
  };
  std::map<std::pair<std::string, std::string>, Cursor> cursors;  // (scenario, connection)
  std::map<Identity, size_t> connections_seen;

  std::vector<StatementMatch> matches;
  matches.reserve(records.size());
  for (const StatementRecord& r : records) {
    StatementMatch m;
    auto key = std::make_pair(r.scenario, r.connection);
    auto cursor_it = cursors.find(key);
    if (cursor_it == cursors.end()) {
      Identity id{r.backend_pid, r.application_name};
      size_t ordinal = connections_seen[id]++;
      Cursor c;
      auto found = sessions_by_identity.find(id);
      if (found != sessions_by_identity.end() && ordinal < found->second.size()) {
        c.session = found->second[ordinal];
      }
      cursor_it = cursors.emplace(key, c).first;
    }
    Cursor& c = cursor_it->second;
    if (!c.session) {
      m.problem = "no session with pid " + std::to_string(r.backend_pid) +
                  " and application_name " + r.application_name + " in the log";
      matches.push_back(std::move(m));
      continue;
    }
    const auto& lines = c.session->statements;
    size_t i = c.next;
    while (i < lines.size() && !SameStatement(lines[i], r)) ++i;
    if (i == lines.size()) {
      m.problem = "statement not found in session " + c.session->session_id;
      matches.push_back(std::move(m));
      continue;
    }
    m.matched = true;
    m.session_id = c.session->session_id;
    m.line_num = lines[i].line_num;
    if (i + 1 < lines.size()) m.next_line_num = lines[i + 1].line_num;
    c.next = i + 1;
    matches.push_back(std::move(m));
  }
  return matches;
}

}  // namespace rls_shadow::differential
