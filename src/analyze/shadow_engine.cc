#include "analyze/shadow_engine.h"

#include <fmt/format.h>

#include <algorithm>

#include "analyze/evaluator.h"
#include "analyze/search_path.h"
#include "analyze/unknown_setting.h"
#include "analyze/view_expansion.h"
#include "common/ascii_lower.h"

namespace rls_shadow {

ShadowEngine::ShadowEngine(const PolicyCatalog& catalog, const AnalyzerConfig& config,
                           FindingSink sink)
    : catalog_(catalog),
      config_(config),
      sink_(std::move(sink)),
      attributor_(config.attribution),
      evaluator_(catalog, config),
      rows_(catalog) {}

void ShadowEngine::EnableChanges(int64_t window_us) {
  joiner_ = std::make_unique<ChangeJoiner>(
      window_us, [this](HeldWrite& w, const std::vector<ObservedChange>* rows) { Settle(w, rows); },
      [this](const std::string& table) -> const std::vector<std::string>& {
        static const std::vector<std::string> kNone;
        const TableInfo* info = catalog_.FindQualified(table);
        return info != nullptr ? info->ancestors : kNone;
      });
}

ShadowEngine::Session& ShadowEngine::SessionFor(const LogEvent& event) {
  auto [it, inserted] = sessions_.try_emplace(event.session_id);
  if (inserted) {
    ++stats_.sessions_opened;
    it->second.id = event.session_id;
    it->second.state.set_login_user(event.user);
    it->second.state.set_database(event.dbname);
    SetLoginDefaults(&it->second.state);
  }
  return it->second;
}

void ShadowEngine::AdoptLogin(Session& s, const LogEvent& event) {
  // PostgreSQL logs "connection received" before authentication, with no user or database:
  // a session opened by that line learns who logged in, and so its defaults, from the next.
  s.state.set_login_user(event.user);
  if (!event.dbname.empty()) s.state.set_database(event.dbname);
  SetLoginDefaults(&s.state);
}

void ShadowEngine::SetLoginDefaults(SessionState* state) {
  if (!catalog_.has_role_settings()) {
    state->set_defaults(&config_.database_defaults);
    return;
  }
  auto key = std::make_pair(state->login_user(), state->database());
  auto it = login_defaults_.find(key);
  if (it == login_defaults_.end()) {
    SettingDefaults merged;
    auto layer = [&merged](const SettingDefaults* settings) {
      if (settings == nullptr) return;
      for (const auto& [name, value] : *settings) merged[name] = value;
    };
    layer(catalog_.RoleSettings("", ""));
    layer(&config_.database_defaults);
    layer(catalog_.RoleSettings("", key.second));
    layer(catalog_.RoleSettings(key.first, ""));
    layer(catalog_.RoleSettings(key.first, key.second));
    it = login_defaults_.emplace(std::move(key), std::move(merged)).first;
  }
  state->set_defaults(&it->second);
}

void ShadowEngine::Touch(Session* s, std::string_view session_id) {
  // The flag spares a set insertion (a hash of the id) on every event of a session already
  // touched since the last TakeTouchedSessions.
  if (s != nullptr) {
    if (s->touched) return;
    s->touched = true;
  }
  touched_.emplace(session_id);
}

void ShadowEngine::OnEvent(const LogEvent& event) {
  ++stats_.events;
  if (event.session_id.empty()) {
    if (joiner_) AdvanceChanges(event, nullptr);
    return;
  }
  auto it = sessions_.find(event.session_id);
  Session* session = it == sessions_.end() ? nullptr : &it->second;
  // The transaction id is learnt only by a session that existed before this line.
  if (joiner_) AdvanceChanges(event, session);
  if (session == nullptr &&
      (event.kind == LogEventKind::kStatement || event.kind == LogEventKind::kConnect)) {
    session = &SessionFor(event);
  } else if (session != nullptr && session->state.login_user().empty() && !event.user.empty()) {
    AdoptLogin(*session, event);
  }
  Touch(session, event.session_id);
  switch (event.kind) {
    case LogEventKind::kStatement:
      Complete(*session);
      OnStatement(*session, event);
      break;
    case LogEventKind::kError: {
      if (session == nullptr) break;
      OnError(*session, event);
      if (event.severity == "FATAL" || event.severity == "PANIC") EndSession(it);
      break;
    }
    case LogEventKind::kConnect:
      break;
    case LogEventKind::kDisconnect: {
      if (session == nullptr) break;
      EndSession(it);
      break;
    }
    case LogEventKind::kWarning:
    case LogEventKind::kOther:
      break;
  }
}

void ShadowEngine::AdvanceChanges(const LogEvent& event, Session* session) {
  // Changes that committed before this line are all in (OnChange's contract): a change
  // transaction without BEGIN/COMMIT framing (Debezium) is complete.
  if (change_txn_ && !change_txn_framed_ && change_txn_->commit_us < event.time_us) {
    FlushChangeTransaction();
  }
  joiner_->Advance(event.time_us);
  if (event.txid != 0 && session != nullptr) {
    session->xid = event.txid;
    session->xid_serial = session->state.transaction_serial();
    joiner_->LearnXid(event.session_id, session->xid_serial, event.txid);
  }
}

void ShadowEngine::EndSession(SessionMap::iterator it) {
  Session& s = it->second;
  Complete(s);
  // A transaction still open when the session ends is rolled back.
  if (joiner_ && s.state.in_transaction_block()) {
    joiner_->EndTransaction(s.id, s.state.transaction_serial(), false, s.open_time_us);
  }
  sessions_.erase(it);
  ++stats_.sessions_closed;
}

void ShadowEngine::Finish() {
  // In session order, so the findings come in the same order whatever the sessions' history
  // in this engine (restored from a saved state, say).
  std::vector<Session*> open;
  open.reserve(sessions_.size());
  for (auto& [id, s] : sessions_) open.push_back(&s);
  std::sort(open.begin(), open.end(),
            [](const Session* a, const Session* b) { return a->id < b->id; });
  for (Session* s : open) {
    Touch(s, s->id);
    Complete(*s);
  }
  if (joiner_) {
    FlushChangeTransaction();
    joiner_->Flush();
  }
}

void ShadowEngine::Complete(Session& s) {
  if (!s.statement_open) return;
  s.statement_open = false;
  s.state.EndStatement();
  for (size_t i = 0; i < s.pending_size; ++i) {
    ++stats_.findings;
    sink_(s.pending[i]);
  }
  s.pending_size = 0;
  if (!joiner_) return;
  for (HeldWrite& w : s.pending_writes) {
    if (s.xid != 0 && s.xid_serial == w.txn_serial) w.xid = s.xid;
    joiner_->Hold(std::move(w));
  }
  s.pending_writes.clear();
  // The statement ended its transaction (autocommit, COMMIT, ROLLBACK): its writes' changes,
  // if any, are committed now.
  if (!s.state.in_transaction_block() || s.state.transaction_serial() != s.open_serial) {
    joiner_->EndTransaction(s.id, s.open_serial, !s.open_rolls_back, s.open_time_us);
  }
}

void ShadowEngine::OnError(Session& s, const LogEvent& event) {
  // The error belongs to the open statement when it quotes it (or quotes nothing); otherwise
  // it is about a statement that was never logged as executed (a syntax error, a failed bind).
  bool ours = s.statement_open && (event.sql.empty() || event.sql == s.open_sql || s.open_multi);
  if (ours) {
    ++stats_.statements_failed_in_log;
    s.pending_size = 0;
    s.pending_writes.clear();
    s.statement_open = false;
    s.state.FailStatement();
    return;
  }
  Complete(s);
  if (s.state.in_transaction_block()) {
    s.state.BeginStatement(false);
    s.state.FailStatement();
  }
}

namespace {

// What an expression evaluated in the session (a SET value, an EXECUTE argument) may read.
EvalInputs SessionInputs(const SessionState& state,
                         const std::vector<std::optional<std::string>>* params) {
  EvalInputs in;
  in.setting = [&state](std::string_view name) { return state.SettingView(name); };
  state.UsersView(&in.current_user, &in.session_user);
  in.params = params;
  return in;
}

// Where a finding comes from: the statement's code path and lane, and its log line.
void Stamp(const Attribution& who, const LogEvent& event, Finding* f) {
  f->code_path = who.code_path;
  f->lane = who.lane;
  f->time_us = event.time_us;
  f->session_id = event.session_id;
  f->line_num = event.line_num;
}

// The triggers a write to `table` fires (enabled ones whose events include the command's).
void FireTriggers(const TableInfo& table, const TableAccess& access,
                  std::vector<std::pair<const TableInfo*, const TableInfo::Trigger*>>* fired) {
  using Trigger = TableInfo::Trigger;
  int events = 0;
  switch (access.command) {
    case Command::kInsert:
    case Command::kCopyFrom:
      events = Trigger::kInsert;
      if (access.on_conflict == TableAccess::OnConflict::kUpdate) events |= Trigger::kUpdate;
      break;
    case Command::kDelete:
      events = Trigger::kDelete;
      break;
    case Command::kUpdate:
      events = Trigger::kUpdate;
      break;
    case Command::kTruncate:
      events = Trigger::kTruncate;
      break;
    default:
      return;
  }
  for (const TableInfo::Trigger& t : table.triggers) {
    if (t.enabled && (t.events & events) != 0) fired->emplace_back(&table, &t);
  }
}

// INSERT, UPDATE and DELETE: the writes whose rows the change stream shows.
bool ChangesRows(Command command) {
  return command == Command::kInsert || command == Command::kUpdate || command == Command::kDelete;
}

// `e` with each unqualified name in `names` that is no column of `table` replaced by the
// argument it names ($n): a SQL function's statement reads its named arguments so.
ExprPtr ReplaceNamedArguments(const ExprPtr& e, const TableInfo* table,
                              const std::vector<std::string>& names) {
  if (!e) return e;
  if (e->kind == Expr::Kind::kColumn && e->qualifier.empty() &&
      (table == nullptr || table->columns.find(e->name) == table->columns.end())) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].empty() || names[i] != e->name) continue;
      auto param = std::make_shared<Expr>();
      param->kind = Expr::Kind::kParam;
      param->param = static_cast<int>(i + 1);
      return param;
    }
  }
  return MapArgs(e, [&](const ExprPtr& a) { return ReplaceNamedArguments(a, table, names); });
}

// A SQL function's table access with its named arguments read in the values it gives and the
// WHERE filters that compare a column with one (AnalyzeSql kept those); a filter whose name is a
// column after all compares two columns, and is none.
TableAccess WithNamedArguments(const PolicyCatalog& catalog, const TableAccess& access,
                               const std::vector<std::string>& names) {
  TableAccess out = access;
  if (std::all_of(names.begin(), names.end(), [](const std::string& n) { return n.empty(); })) {
    return out;
  }
  const TableInfo* table = catalog.FindTable(access.schema, access.relname);
  for (ColumnValues& row : out.rows) {
    for (auto& [column, e] : row) e = ReplaceNamedArguments(e, table, names);
  }
  for (auto& [column, e] : out.assignments) e = ReplaceNamedArguments(e, table, names);
  for (auto& [column, e] : out.filters) e = ReplaceNamedArguments(e, table, names);
  std::erase_if(out.filters, [&](const auto& filter) {
    return (filter.second && filter.second->kind == Expr::Kind::kColumn) ||
           (table != nullptr && table->columns.find(filter.first) == table->columns.end());
  });
  return out;
}

// The value set_config(name, value, ...) leaves: the text; nullopt for NULL, which returns the
// setting to its reset value; an unknown-setting mark when the evaluator cannot know it (a column
// of the rows the statement reads, a parameter the log left out), so that later reads are
// indeterminate rather than ''.
std::optional<std::string> SetConfigValue(const Evaluator& eval, const Expr* value_expr) {
  if (value_expr == nullptr) return std::nullopt;
  Value v = eval.Eval(*value_expr);
  if (v.is_known()) return std::move(v.text);
  if (v.is_null() || v.is_error()) return std::nullopt;  // an error fails the statement
  return UnknownSettingValue(
      fmt::format("set_config() to {}{}", ExprToString(*value_expr),
                  v.is_indeterminate() ? fmt::format(" ({})", v.message) : std::string()));
}

}  // namespace

void ShadowEngine::ApplySettings(Session& s, const AnalyzedStatement& st, const Attribution& who,
                                 const std::vector<std::optional<std::string>>& params) {
  // Most statements change no setting: spare them the evaluation inputs (the session's users
  // are looked up to build them) and the origin's copies.
  if (st.settings.empty()) return;
  SettingOrigin origin;
  if (who.code_path_from_comment) origin.code_path = who.code_path;
  origin.lane = who.lane;
  origin.transaction = s.state.transaction_serial();

  const EvalInputs in = SessionInputs(s.state, &params);
  Evaluator eval(in);
  auto text_of = [&](const ExprPtr& e) -> std::optional<std::string> {
    if (!e) return std::nullopt;
    Value v = eval.Eval(*e);
    if (v.is_known()) return v.text;
    return std::nullopt;
  };

  for (const SettingChange& c : st.settings) {
    switch (c.kind) {
      case SettingChange::Kind::kSet: {
        std::optional<std::string> value;
        if (!c.list.empty()) {
          std::vector<std::string> elements;
          for (const ExprPtr& e : c.list) elements.push_back(text_of(e).value_or(std::string()));
          value = SetValueText(c.name, elements);
        } else {
          value = text_of(c.value);
          if (c.value && !value) value = std::string();  // SET x = NULL-ish: not settable; ''
        }
        if (c.name == "session_authorization") s.state.Set("role", std::nullopt, false, origin);
        s.state.Set(c.name, value, c.is_local, origin);
        break;
      }
      case SettingChange::Kind::kReset:
        // RESET SESSION AUTHORIZATION returns to the login user, and with it to no SET ROLE.
        if (c.name == "session_authorization") s.state.Reset("role");
        s.state.Reset(c.name);
        break;
      case SettingChange::Kind::kResetAll:
        s.state.ResetAll();
        break;
      case SettingChange::Kind::kDiscardAll:
        if (!s.state.in_transaction_block()) {  // else 25001, logged
          s.state.DiscardAll();
          s.prepared.clear();  // DISCARD ALL also deallocates prepared statements
        }
        break;
      case SettingChange::Kind::kSetConfig: {
        std::optional<std::string> name = text_of(c.name_expr);
        if (!name) break;
        const std::string lower = AsciiLower(*name);
        Value local =
            Evaluator::Cast(c.is_local_expr ? eval.Eval(*c.is_local_expr) : Value::Null(), "bool");
        std::optional<std::string> value = SetConfigValue(eval, c.value.get());
        if (c.rows_decide && !(value && IsUnknownSettingValue(*value))) {
          // Set, or left as it was when no row ran it.
          value = UnknownSettingValue(
              fmt::format("set_config() to {} in a statement whose rows decide whether it runs",
                          c.value ? ExprToString(*c.value) : std::string("NULL")));
        }
        s.state.SetConfig(lower, std::move(value), local.is_known() && local.text == "t", origin);
        break;
      }
    }
  }
}

void ShadowEngine::Example(const LogEvent& event, std::string* out) const {
  if (config_.redact_examples) {
    // Literals and parameter values are what carry tenant data: show the shape only (the
    // analyzer has just computed it for this statement; comments and trailing semicolons
    // are already dropped).
    out->assign(analyzer_.last_shape_text());
    return;
  }
  out->assign(event.sql);
  if (!event.params.empty()) {
    out->append(" -- parameters:");
    for (size_t i = 0; i < event.params.size(); ++i) {
      out->append(
          fmt::format(" ${} = {}", i + 1,
                      event.params[i] ? "'" + *event.params[i] + "'" : std::string("NULL")));
    }
  }
}

void ShadowEngine::StampFinding(const Attribution& who, const LogEvent& event, std::string* example,
                                Finding* f) const {
  Stamp(who, event, f);
  // Only would-be denials keep examples (see FindingAggregator): spare allowed accesses the
  // copy.
  if (f->effect == Effect::kAllow) {
    f->example.clear();
    return;
  }
  if (example->empty()) Example(event, example);
  f->example = *example;
}

void ShadowEngine::OnStatement(Session& s, const LogEvent& event) {
  ++stats_.statements;
  // The logged parameters, followed by the literals the analyzer lifts, if any: only then are
  // they copied.
  lifted_.clear();
  std::shared_ptr<const AnalyzedText> analyzed =
      analyzer_.Analyze(event.sql, event.params.size(), &lifted_);
  const std::vector<std::optional<std::string>>* params = &event.params;
  if (!lifted_.empty()) {
    if (event.params.empty()) {
      params_.swap(lifted_);  // a simple-protocol text: its literals are all its parameters
    } else {
      params_ = event.params;
      for (auto& literal : lifted_) params_.push_back(std::move(literal));
    }
    params = &params_;
  }
  if (!analyzed->parsed) {
    ++stats_.statements_unparsed;
    return;
  }
  const bool multi = analyzed->statements.size() > 1 && !event.extended_protocol;
  s.statement_open = true;
  s.open_sql = event.sql;
  s.open_multi = multi;
  s.pending_size = 0;
  bool may_change = false;
  for (const AnalyzedStatement& st : analyzed->statements) {
    // An EXECUTE runs a prepared query, which may call set_config.
    may_change |= st.txn != TxnAction::kNone || !st.settings.empty() || !st.execute_name.empty();
  }
  s.state.BeginStatement(multi, may_change);
  s.open_serial = s.state.transaction_serial();
  s.open_time_us = event.time_us;
  s.open_rolls_back = false;
  s.pending_writes.clear();

  std::optional<std::string_view> lane_setting =
      s.state.SettingView(config_.attribution.lane_setting);
  if (lane_setting && IsUnknownSettingValue(*lane_setting)) lane_setting.reset();
  Attribution who = attributor_.Attribute(event.sql, event.application_name,
                                          lane_setting.value_or(std::string_view()));
  example_.clear();

  for (size_t i = 0; i < analyzed->statements.size(); ++i) {
    const AnalyzedStatement& st = analyzed->statements[i];
    if (s.state.aborted()) {
      // PostgreSQL rejects everything but the end of the transaction (25P02).
      bool ends = st.txn == TxnAction::kRollback || st.txn == TxnAction::kCommit ||
                  st.txn == TxnAction::kRollbackTo;
      if (!ends) {
        ++stats_.statements_in_aborted_txn;
        continue;
      }
    }
    switch (st.txn) {
      case TxnAction::kBegin:
        s.state.Begin();
        break;
      case TxnAction::kCommit:
        s.open_rolls_back = s.state.aborted();  // COMMIT of a failed transaction rolls back
        s.state.Commit();
        if (st.txn_chain) s.state.Begin();
        break;
      case TxnAction::kRollback:
        s.open_rolls_back = true;
        s.state.Rollback();
        if (st.txn_chain) s.state.Begin();
        break;
      case TxnAction::kSavepoint:
        s.state.Savepoint(st.savepoint);
        break;
      case TxnAction::kRelease:
        s.state.Release(st.savepoint);
        break;
      case TxnAction::kRollbackTo:
        s.state.RollbackTo(st.savepoint);
        break;
      case TxnAction::kNone:
        break;
    }
    TrackPrepared(s, *analyzed, i, event.sql);
    if (!st.execute_name.empty()) {
      RunExecute(s, st, event, who, *params, &example_);
      continue;
    }
    RunStatement(s, st, event, who, *params, &example_);
  }
}

void ShadowEngine::TrackPrepared(Session& s, const AnalyzedText& text, size_t statement,
                                 std::string_view sql) {
  const AnalyzedStatement& st = text.statements[statement];
  if (!st.prepare_name.empty() && st.prepared) {
    s.prepared[st.prepare_name] = PreparedQuery{st.prepared, std::string(sql), statement};
  }
  if (st.deallocate_all) {
    s.prepared.clear();
  } else if (!st.deallocate_name.empty()) {
    s.prepared.erase(st.deallocate_name);
  }
}

void ShadowEngine::RunExecute(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                              const Attribution& who,
                              const std::vector<std::optional<std::string>>& params,
                              std::string* example) {
  auto it = s.prepared.find(st.execute_name);
  if (it == s.prepared.end()) return;  // PostgreSQL fails it (26000); the ERROR line follows
  // The arguments are evaluated in the session, with the logged parameters of the EXECUTE.
  const EvalInputs in = SessionInputs(s.state, &params);
  Evaluator eval(in);
  std::vector<std::optional<std::string>> args;
  for (const ExprPtr& arg : st.execute_args) {
    Value v = eval.Eval(*arg);
    if (v.is_null()) {
      args.emplace_back(std::nullopt);
    } else if (v.is_known()) {
      args.emplace_back(v.text);
    } else {
      args.resize(0);  // an argument that cannot be evaluated: leave the parameters unlogged
      break;
    }
  }
  RunStatement(s, *it->second.query, event, who, args, example);
}

void ShadowEngine::RunStatement(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                                const Attribution& who,
                                const std::vector<std::optional<std::string>>& params,
                                std::string* example) {
  bool sets_config = false;
  for (const auto& c : st.settings) sets_config |= (c.kind == SettingChange::Kind::kSetConfig);
  ApplySettings(s, st, who, params);

  AccessContext ctx;
  ctx.session = &s.state;
  ctx.params = &params;
  ctx.settings_changed_in_statement = sets_config;
  if (who.code_path_from_comment) ctx.code_path = who.code_path;
  ctx.lane = who.lane;
  if (joiner_ && s.wrote_indexed_serial != s.state.transaction_serial()) ctx.rows = &rows_;
  if (catalog_.has_other_schemas() && !st.accesses.empty()) {
    std::string_view current_user, session_user;
    s.state.UsersView(&current_user, &session_user);
    search_path_ = ParseSearchPath(s.state.SettingView("search_path").value_or(kDefaultSearchPath),
                                   current_user);
    ctx.search_path = &search_path_;
  }
  bool writes_indexed = false;
  std::vector<FiredTrigger> fired;
  for (const TableAccess& statement_access : st.accesses) {
    ExpandViews(
        catalog_, statement_access, ctx,
        [&](const TableAccess& access, const AccessContext& access_ctx, const TableInfo* table) {
          if (table != nullptr && !table->triggers.empty()) FireTriggers(*table, access, &fired);
          Finding& f = s.NextPending();
          // Evaluate sets every field but those StampFinding sets.
          // A view's base tables are read through copies made for this statement, which no
          // later access shares: only the statement's own accesses are worth remembering.
          // An unqualified name's table depends on the session's search_path, which the memo's
          // key (the statement's access) does not hold.
          VerdictMemo* memo =
              &access == &statement_access && (ctx.search_path == nullptr || !access.schema.empty())
                  ? &verdicts_
                  : nullptr;
          if (!evaluator_.Evaluate(table, access, access_ctx, &f, nullptr, memo)) {
            if (table != nullptr)
              FollowUnpolicedWrite(s, *table, access, access_ctx, params, event, &writes_indexed);
            return;
          }
          if (access.command != Command::kSelect && access.command != Command::kCopyTo &&
              rows_.Tracks(f.table)) {
            writes_indexed = true;
          }
          StampFinding(who, event, example, &f);
          if (joiner_ && ChangesRows(access.command)) {
            HeldWrite w = FollowWrite(s, access, access_ctx, params, f);
            const bool waits = w.waits;
            s.pending_writes.push_back(std::move(w));
            if (waits)
              return;  // its rows decide: the finding waits for them (the
                       // slot is reused)
          }
          ++s.pending_size;
        });
  }
  if (writes_indexed) s.wrote_indexed_serial = s.state.transaction_serial();
  // Functions every call of which was followed. (Only functions that reach a table can be: a
  // statement's set_config() is a direct call too, and costs nothing here.)
  std::vector<std::string_view> followed;
  if (!st.direct_calls.empty() && catalog_.functions_reach_tables()) {
    std::vector<std::string_view> not_followed;
    for (const AnalyzedStatement::FunctionCall& call : st.direct_calls) {
      const bool ran = FollowCall(s, call, ctx, event, who, params, example, &fired);
      (ran ? followed : not_followed).push_back(call.name);
    }
    std::erase_if(followed, [&](std::string_view name) {
      return std::find(not_followed.begin(), not_followed.end(), name) != not_followed.end();
    });
  }
  if (!fired.empty() || !st.do_block_accesses.empty() ||
      (!st.calls.empty() && catalog_.functions_reach_tables())) {
    ReportUnfollowed(s, st, event, who, fired, followed, example);
  }
}

bool ShadowEngine::FollowCall(Session& s, const AnalyzedStatement::FunctionCall& call,
                              const AccessContext& ctx, const LogEvent& event,
                              const Attribution& who,
                              const std::vector<std::optional<std::string>>& params,
                              std::string* example, std::vector<FiredTrigger>* fired) {
  std::optional<SqlFunctions::SqlBody> body = catalog_.FollowedBody(call.name, call.args.size());
  if (!body) return false;
  // The arguments, evaluated in the session and coerced to the declared types, are the body's
  // $1..$n.
  const EvalInputs in = SessionInputs(s.state, &params);
  Evaluator eval(in);
  std::vector<std::optional<std::string>> args;
  bool any_null = false;
  for (size_t i = 0; i < call.args.size(); ++i) {
    Value v = eval.Eval(*call.args[i]);
    const std::string& type = (*body->arg_types)[i];
    if (v.is_known() && Evaluator::CastDecides(type)) v = Evaluator::Cast(std::move(v), type);
    if (v.is_null()) {
      any_null = true;
      args.emplace_back(std::nullopt);
    } else if (v.is_known()) {
      args.emplace_back(std::move(v.text));
    } else {
      return false;  // unknown, or an error that fails the call in the shadow run too
    }
  }
  if (any_null && body->strict) return true;  // a STRICT function is not run: it reads nothing
  AccessContext body_ctx = ctx;
  body_ctx.params = &args;
  for (const TableAccess& written : *body->accesses) {
    const TableAccess body_access = WithNamedArguments(catalog_, written, *body->arg_names);
    ExpandViews(
        catalog_, body_access, body_ctx,
        [&](const TableAccess& access, const AccessContext& access_ctx, const TableInfo* table) {
          if (table != nullptr && !table->triggers.empty()) FireTriggers(*table, access, fired);
          Finding& f = s.NextPending();
          if (!evaluator_.Evaluate(table, access, access_ctx, &f, nullptr, nullptr)) return;
          if (f.effect != Effect::kAllow) {
            f.detail += fmt::format("{}inside {}()", f.detail.empty() ? "" : " ", call.name);
          }
          StampFinding(who, event, example, &f);
          ++s.pending_size;
        });
  }
  return true;
}

void ShadowEngine::ReportUnfollowed(Session& s, const AnalyzedStatement& st, const LogEvent& event,
                                    const Attribution& who, const std::vector<FiredTrigger>& fired,
                                    const std::vector<std::string_view>& followed,
                                    std::string* example) {
  std::string_view current_user, session_user;
  s.state.UsersView(&current_user, &session_user);
  const RoleInfo* role = catalog_.FindRole(current_user);
  if (role != nullptr && (role->superuser || role->bypassrls)) return;  // RLS never applies
  std::vector<std::string> reported;  // one finding per table, command and way in
  auto report = [&](const SqlFunctions::ReachedAccess& r, const std::string& how) {
    const TableInfo* table = catalog_.FindTable(r.schema, r.relname);
    if (table == nullptr || table->is_view || !table->rls_enabled) return;
    std::string detail = fmt::format("{} of {} inside {} ({}), which rls-shadow does not follow",
                                     CommandName(r.command), table->name, r.via, how);
    if (std::find(reported.begin(), reported.end(), detail) != reported.end()) return;
    reported.push_back(detail);
    Finding& f = s.NextPending();
    ++s.pending_size;
    f.table = table->name;
    f.command = r.command;
    f.policy.clear();
    f.tenant.clear();
    f.role = current_user;
    f.effect = Effect::kIndeterminate;
    f.cause = Cause::kUnsupported;
    f.sqlstate.clear();
    f.detail = std::move(detail);
    StampFinding(who, event, example, &f);
  };
  for (const TableAccess& a : st.do_block_accesses) {
    report(SqlFunctions::ReachedAccess{a.schema, a.relname, a.command, "a DO block"},
           "run by the statement");
  }
  for (const std::string& call : st.calls) {
    if (std::find(followed.begin(), followed.end(), call) != followed.end()) continue;
    if (const auto* reached = catalog_.Reached(call)) {
      for (const auto& r : *reached) report(r, "called by the statement");
    }
  }
  for (const auto& [table, trigger] : fired) {
    if (const auto* reached = catalog_.Reached(trigger->function)) {
      for (const auto& r : *reached) {
        report(r, fmt::format("fired by trigger {} on {}", trigger->name, table->name));
      }
    }
  }
}

namespace {

// The value `e` gives in the session, cast to `column`'s type: its text when known, for the
// types whose text form is canonical (so it compares with the change stream's text as is;
// '10' and '10.00' are the same numeric).
std::optional<std::optional<std::string>> KnownText(const Evaluator& eval, const Expr* e,
                                                    const TableInfo& table,
                                                    const std::string& column) {
  if (e == nullptr) return std::nullopt;
  auto info = table.columns.find(column);
  if (info == table.columns.end()) return std::nullopt;
  const std::string& type = info->second.type;
  if (!HasCanonicalText(type)) return std::nullopt;
  Value v = eval.Eval(*e);
  if (v.is_known()) v = Evaluator::Cast(v, type);
  if (v.is_null()) return std::optional<std::string>();
  if (v.is_known()) return std::optional<std::string>(v.text);
  return std::nullopt;
}

}  // namespace

HeldWrite ShadowEngine::FollowWrite(const Session& s, const TableAccess& access,
                                    const AccessContext& ctx,
                                    const std::vector<std::optional<std::string>>& params,
                                    const Finding& f) const {
  HeldWrite w;
  w.session_id = s.id;
  w.txn_serial = s.state.transaction_serial();
  w.time_us = f.time_us;
  w.table = f.table;
  w.command = access.command;
  w.upsert = access.on_conflict == TableAccess::OnConflict::kUpdate;
  if (access.command == Command::kInsert && access.rows_known &&
      access.on_conflict == TableAccess::OnConflict::kNone) {
    w.expected_inserts = access.rows.size();
  }
  const TableInfo* table = catalog_.FindQualified(f.table);
  if (table != nullptr) {
    const EvalInputs in = SessionInputs(s.state, &params);
    Evaluator eval(in);
    auto record = [&](const std::string& col, const ExprPtr& e, StoredRow* out) {
      if (auto text = KnownText(eval, e.get(), *table, col)) (*out)[col] = *text;
    };
    for (const auto& [col, e] : access.filters) record(col, e, &w.old_evidence);
    for (const auto& [col, e] : access.assignments) {
      if (e && IsRowIndependent(*e)) record(col, e, &w.new_evidence);
    }
    // One row inserted: its values. (Several rows: each change is one of them, so no value
    // can be required of all.)
    if (access.rows_known && access.rows.size() == 1) {
      for (const auto& [name, e] : access.rows[0]) {
        std::string col = name;
        if (!col.empty() && col[0] == '#') {
          size_t pos = std::stoul(col.substr(1));
          if (pos >= table->column_order.size()) continue;
          col = table->column_order[pos];
        }
        record(col, e, w.upsert ? &w.insert_evidence : &w.new_evidence);
      }
      // The conflict path updates the existing row that shares the conflict key.
      for (const std::string& col : access.conflict_columns) {
        if (auto it = w.insert_evidence.find(col); it != w.insert_evidence.end()) {
          w.old_evidence[col] = it->second;
        }
      }
    }
    // The captured new row carries what BEFORE ROW triggers made of it, not the statement's
    // values. An upsert's new_evidence is its conflict path's (DO UPDATE SET) values.
    using Trigger = TableInfo::Trigger;
    const bool updates = access.command == Command::kUpdate || w.upsert;
    catalog_.BeforeRowChanges(*table, updates ? Trigger::kUpdate : Trigger::kInsert)
        .ForgetIn(&w.new_evidence);
    catalog_.BeforeRowChanges(*table, Trigger::kInsert).ForgetIn(&w.insert_evidence);
  }
  if (f.effect == Effect::kRowDependent) {
    w.waits = true;
    w.finding = f;
    w.access = access;
    w.state = s.state;
    w.params = params;
    w.context = ctx;
    // Settled later: by the table the name meant on the statement's search_path.
    const size_t dot = f.table.find('.');
    w.access.schema = f.table.substr(0, dot);
    w.access.relname = f.table.substr(dot + 1);
    w.context.search_path = nullptr;
  }
  return w;
}

void ShadowEngine::FollowUnpolicedWrite(Session& s, const TableInfo& table,
                                        const TableAccess& access, const AccessContext& ctx,
                                        const std::vector<std::optional<std::string>>& params,
                                        const LogEvent& event, bool* writes_indexed) {
  // A partition (or inheritance child) without row security of its own, below a table with
  // it: no finding, but its rows are the parent's. Its changes link to this write rather than
  // to a write through the parent, and the index no longer holds this transaction's rows.
  if (!joiner_ || !ChangesRows(access.command) || table.rls_enabled || table.is_view ||
      !catalog_.UnderRls(table)) {
    return;
  }
  if (rows_.Tracks(table.name)) *writes_indexed = true;
  Finding f;
  f.table = table.name;
  f.time_us = event.time_us;
  s.pending_writes.push_back(FollowWrite(s, access, ctx, params, f));
}

void ShadowEngine::Settle(HeldWrite& w, const std::vector<ObservedChange>* rows) {
  touched_.insert(w.session_id);  // its saved held transactions change
  if (!w.waits) return;
  Finding f;
  bool evaluated = false;
  if (rows != nullptr) {
    w.context.session = &w.state;
    w.context.params = &w.params;
    w.context.rows = &rows_;
    evaluated = evaluator_.Evaluate(w.access, w.context, &f, rows);
  }
  if (!evaluated) {
    f = w.finding;
  } else {
    f.code_path = w.finding.code_path;
    f.lane = w.finding.lane;
    f.time_us = w.finding.time_us;
    f.session_id = w.finding.session_id;
    f.line_num = w.finding.line_num;
    if (f.effect != Effect::kAllow) f.example = w.finding.example;
  }
  ++stats_.findings;
  sink_(f);
}

void ShadowEngine::FlushChangeTransaction() {
  if (!change_txn_) return;
  if (joiner_) joiner_->AddTransaction(std::move(*change_txn_));
  change_txn_.reset();
}

bool ShadowEngine::MergeMovedRow(ObservedRowChange* inserted) {
  // An UPDATE that moves a row to another partition deletes it from one partition and inserts
  // it into the other, one right after the other: the pair is that update, of the nearest
  // partitioned table above both (the table the statement must have named, or one above it).
  if (inserted->change.action != ChangeAction::kInsert || change_txn_->changes.empty()) {
    return false;
  }
  ObservedRowChange& last = change_txn_->changes.back();
  if (last.change.action != ChangeAction::kDelete || last.table == inserted->table) return false;
  const TableInfo* from = catalog_.FindQualified(last.table);
  const TableInfo* to = catalog_.FindQualified(inserted->table);
  if (from == nullptr || to == nullptr) return false;
  for (const std::string& above : to->ancestors) {
    const TableInfo* parent = catalog_.FindQualified(above);
    if (parent == nullptr || !parent->partitioned ||
        std::find(from->ancestors.begin(), from->ancestors.end(), above) == from->ancestors.end()) {
      continue;
    }
    last.table = above;
    last.change.action = ChangeAction::kUpdate;
    last.change.new_row = std::move(inserted->change.new_row);
    return true;
  }
  return false;
}

void ShadowEngine::OnChange(const ChangeEvent& e) {
  ++stats_.change_events;
  switch (e.action) {
    case ChangeAction::kBegin:
      FlushChangeTransaction();
      change_txn_.emplace();
      change_txn_->xid = e.xid;
      change_txn_->commit_us = e.time_us;
      change_txn_framed_ = true;
      return;
    case ChangeAction::kCommit:
      if (change_txn_) change_txn_->commit_us = e.time_us;
      FlushChangeTransaction();
      return;
    case ChangeAction::kMessage:
      return;
    case ChangeAction::kTruncate:
    case ChangeAction::kSnapshot:
    case ChangeAction::kRowsMissing:
      if (!rows_.Apply(e)) ++stats_.changes_not_applied;
      return;
    case ChangeAction::kInsert:
    case ChangeAction::kUpdate:
    case ChangeAction::kDelete:
      break;
  }
  // Unframed changes (Debezium): a change of another transaction ends the one being read.
  if (change_txn_ && (!change_txn_framed_ && change_txn_->xid != e.xid)) FlushChangeTransaction();
  if (!change_txn_) {
    change_txn_.emplace();
    change_txn_->xid = e.xid;
    change_txn_->commit_us = e.time_us;
    change_txn_framed_ = false;
  }
  const TableInfo* table = catalog_.FindTable(e.schema, e.table);
  if (table != nullptr && catalog_.UnderRls(*table)) {
    // The row as it was (the identity, completed by what the index knew) and as it became.
    ObservedRowChange c;
    c.table = table->name;
    c.change.action = e.action;
    if (e.action != ChangeAction::kInsert) {
      if (const StoredRow* known = rows_.FindByColumns(table->name, e.identity)) {
        c.change.old_row = *known;
      }
      // Debezium fills the non-key fields of `before` with NULLs under REPLICA IDENTITY
      // DEFAULT: a NULL does not override what the index knew of the row.
      for (const ColumnValue& v : e.identity) {
        if (v.text || !c.change.old_row.count(v.name)) c.change.old_row[v.name] = v.text;
      }
    }
    if (e.action != ChangeAction::kDelete) {
      for (const ColumnValue& v : e.columns) {
        if (!v.unavailable) c.change.new_row[v.name] = v.text;
      }
      // An UPDATE without identity kept its key: the old row is the one with the new key.
      if (e.action == ChangeAction::kUpdate && e.identity.empty()) {
        if (const StoredRow* known = rows_.FindByColumns(table->name, e.columns)) {
          c.change.old_row = *known;
        }
      }
      // Unchanged TOASTed values are the old row's.
      for (const ColumnValue& v : e.columns) {
        if (!v.unavailable) continue;
        auto old = c.change.old_row.find(v.name);
        if (old != c.change.old_row.end()) c.change.new_row[v.name] = old->second;
      }
    }
    if (!MergeMovedRow(&c)) change_txn_->changes.push_back(std::move(c));
  }
  if (!rows_.Apply(e)) ++stats_.changes_not_applied;
}

}  // namespace rls_shadow
