#include "analyze/state_codec.h"

#include <utility>
#include <vector>

namespace rls_shadow {
namespace {

using simdjson::dom::element;
constexpr char kHex[] = "0123456789abcdef";

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Calls `read` on each item of the array `e`; false when `e` is no array or `read` fails.
template <typename F>
bool ReadEach(element e, F&& read) {
  simdjson::dom::array items;
  if (e.get_array().get(items) != simdjson::SUCCESS) return false;
  for (element item : items) {
    if (!read(item)) return false;
  }
  return true;
}

// The item `i` of an array / the field `key` of an object; false when there is none.
bool Item(element array, size_t i, element* out) {
  return array.at(i).get(*out) == simdjson::SUCCESS;
}
bool Field(element object, std::string_view key, element* out) {
  return object[key].get(*out) == simdjson::SUCCESS;
}

bool ReadTextField(element object, std::string_view key, std::string* out) {
  element e;
  return Field(object, key, &e) && ReadText(e, out);
}

template <typename Enum>
bool ReadEnum(element object, std::string_view key, bool (*parse)(std::string_view, Enum*),
              Enum* out) {
  std::string_view name;
  return object[key].get_string().get(name) == simdjson::SUCCESS && parse(name, out);
}

// Named values, [[name, value], ...] (a row's columns, a statement's column values), each value
// written by `write` / read by `read` and handed to `add`.
template <typename Pairs, typename Write>
void WriteNamed(JsonWriter* w, const Pairs& pairs, Write write) {
  w->BeginArray();
  for (const auto& [name, value] : pairs) {
    w->BeginArray();
    WriteText(w, name);
    write(w, value);
    w->EndArray();
  }
  w->EndArray();
}

template <typename Value, typename Read, typename Add>
bool ReadNamed(element e, Read read, Add add) {
  return ReadEach(e, [&](element pair) {
    std::string name;
    Value value;
    element n, v;
    if (!Item(pair, 0, &n) || !Item(pair, 1, &v) || !ReadText(n, &name) || !read(v, &value)) {
      return false;
    }
    add(std::move(name), std::move(value));
    return true;
  });
}

void WriteRow(JsonWriter* w, const StoredRow& row) { WriteNamed(w, row, &WriteOptionalText); }

bool ReadRow(element e, StoredRow* out) {
  out->clear();
  return ReadNamed<std::optional<std::string>>(
      e, &ReadOptionalText, [&](std::string name, std::optional<std::string> value) {
        out->emplace(std::move(name), std::move(value));
      });
}

void WriteExpr(JsonWriter* w, const ExprPtr& e) {
  if (!e) {
    w->Null();
    return;
  }
  // Short keys and defaults left out: a statement's values are most of a held write.
  w->BeginObject().Key("k").Int(static_cast<int>(e->kind));
  if (!e->name.empty()) WriteText(&w->Key("n"), e->name);
  if (!e->qualifier.empty()) WriteText(&w->Key("q"), e->qualifier);
  if (!e->text.empty()) WriteText(&w->Key("t"), e->text);
  if (e->param != 0) w->Key("p").Int(e->param);
  if (e->is_string) w->Key("s").Bool(true);
  if (e->negated) w->Key("not").Bool(true);
  if (e->has_case_test) w->Key("case").Bool(true);
  if (!e->args.empty()) {
    w->Key("a").BeginArray();
    for (const ExprPtr& arg : e->args) WriteExpr(w, arg);
    w->EndArray();
  }
  w->EndObject();
}

bool ReadExpr(element e, ExprPtr* out) {
  if (e.is_null()) {
    out->reset();
    return true;
  }
  auto expr = std::make_shared<Expr>();
  int64_t kind = 0;
  if (!ReadInt(e, "k", &kind) || kind < 0 || kind > static_cast<int>(Expr::Kind::kInitPlan)) {
    return false;
  }
  expr->kind = static_cast<Expr::Kind>(kind);
  element field;
  if (Field(e, "n", &field) && !ReadText(field, &expr->name)) return false;
  if (Field(e, "q", &field) && !ReadText(field, &expr->qualifier)) return false;
  if (Field(e, "t", &field) && !ReadText(field, &expr->text)) return false;
  int64_t param = 0;
  if (e["p"].get_int64().get(param) == simdjson::SUCCESS) expr->param = static_cast<int>(param);
  ReadBool(e, "s", &expr->is_string);
  ReadBool(e, "not", &expr->negated);
  ReadBool(e, "case", &expr->has_case_test);
  if (Field(e, "a", &field) &&
      !ReadEach(field, [&](element arg) { return ReadExpr(arg, &expr->args.emplace_back()); })) {
    return false;
  }
  *out = std::move(expr);
  return true;
}

void WriteColumnValues(JsonWriter* w, const ColumnValues& values) {
  WriteNamed(w, values, &WriteExpr);
}

bool ReadColumnValues(element e, ColumnValues* out) {
  out->clear();
  return ReadNamed<ExprPtr>(e, &ReadExpr, [&](std::string name, ExprPtr value) {
    out->emplace_back(std::move(name), std::move(value));
  });
}

void WriteTexts(JsonWriter* w, const std::vector<std::string>& texts) {
  w->BeginArray();
  for (const std::string& t : texts) WriteText(w, t);
  w->EndArray();
}

void WriteObservedChange(JsonWriter* w, const ObservedChange& c) {
  w->BeginObject().Key("action").Int(static_cast<int>(c.action));
  WriteRow(&w->Key("old"), c.old_row);
  WriteRow(&w->Key("new"), c.new_row);
  w->EndObject();
}

bool ReadObservedChange(element e, ObservedChange* out) {
  int64_t action = 0;
  if (!ReadInt(e, "action", &action) || action < 0 ||
      action > static_cast<int>(ChangeAction::kRowsMissing)) {
    return false;
  }
  out->action = static_cast<ChangeAction>(action);
  element old_row, new_row;
  return Field(e, "old", &old_row) && ReadRow(old_row, &out->old_row) &&
         Field(e, "new", &new_row) && ReadRow(new_row, &out->new_row);
}

}  // namespace

void WriteText(JsonWriter* w, std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) {
    w->String(text);
    return;
  }
  std::string hex;
  hex.reserve(text.size() * 2);
  for (char c : text) {
    hex.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    hex.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
  }
  w->BeginObject().Key("hex").String(hex).EndObject();
}

bool ReadText(element e, std::string* out) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    out->assign(s);
    return true;
  }
  if (e["hex"].get_string().get(s) != simdjson::SUCCESS || s.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = HexDigit(s[i]);
    const int lo = HexDigit(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

void WriteOptionalText(JsonWriter* w, const std::optional<std::string>& text) {
  if (text) {
    WriteText(w, *text);
  } else {
    w->Null();
  }
}

bool ReadOptionalText(element e, std::optional<std::string>* out) {
  if (e.is_null()) {
    out->reset();
    return true;
  }
  return ReadText(e, &out->emplace());
}

bool ReadInt(element object, std::string_view key, int64_t* out) {
  return object[key].get_int64().get(*out) == simdjson::SUCCESS;
}

bool ReadUint(element object, std::string_view key, uint64_t* out) {
  return object[key].get_uint64().get(*out) == simdjson::SUCCESS;
}

bool ReadBool(element object, std::string_view key, bool* out) {
  return object[key].get_bool().get(*out) == simdjson::SUCCESS;
}

void WriteFinding(JsonWriter* w, const Finding& f) {
  w->BeginObject();
  WriteText(&w->Key("table"), f.table);
  w->Key("command").String(CommandName(f.command));
  WriteText(&w->Key("policy"), f.policy);
  WriteText(&w->Key("tenant"), f.tenant);
  WriteText(&w->Key("code_path"), f.code_path);
  WriteText(&w->Key("lane"), f.lane);
  WriteText(&w->Key("role"), f.role);
  w->Key("effect").String(EffectName(f.effect));
  w->Key("cause").String(CauseName(f.cause));
  WriteText(&w->Key("sqlstate"), f.sqlstate);
  WriteText(&w->Key("detail"), f.detail);
  w->Key("time_us").Int(f.time_us);
  WriteText(&w->Key("session_id"), f.session_id);
  w->Key("line_num").Int(f.line_num);
  WriteText(&w->Key("example"), f.example);
  w->EndObject();
}

bool ReadFinding(element e, Finding* out) {
  std::string_view cause;
  if (e["cause"].get_string().get(cause) != simdjson::SUCCESS) return false;
  if (cause.empty()) {
    out->cause = Cause::kNone;
  } else if (!ParseCause(cause, &out->cause)) {
    return false;
  }
  return ReadTextField(e, "table", &out->table) &&
         ReadEnum(e, "command", &ParseCommand, &out->command) &&
         ReadTextField(e, "policy", &out->policy) && ReadTextField(e, "tenant", &out->tenant) &&
         ReadTextField(e, "code_path", &out->code_path) && ReadTextField(e, "lane", &out->lane) &&
         ReadTextField(e, "role", &out->role) &&
         ReadEnum(e, "effect", &ParseEffect, &out->effect) &&
         ReadTextField(e, "sqlstate", &out->sqlstate) &&
         ReadTextField(e, "detail", &out->detail) && ReadInt(e, "time_us", &out->time_us) &&
         ReadTextField(e, "session_id", &out->session_id) &&
         ReadInt(e, "line_num", &out->line_num) && ReadTextField(e, "example", &out->example);
}

void WriteTableAccess(JsonWriter* w, const TableAccess& a) {
  w->BeginObject();
  WriteText(&w->Key("schema"), a.schema);
  WriteText(&w->Key("relname"), a.relname);
  WriteText(&w->Key("alias"), a.alias);
  w->Key("command").String(CommandName(a.command));
  w->Key("locking").Bool(a.locking);
  w->Key("reads_columns").Bool(a.reads_columns);
  w->Key("returning").Bool(a.returning);
  w->Key("on_conflict").Int(static_cast<int>(a.on_conflict));
  WriteTexts(&w->Key("conflict_columns"), a.conflict_columns);
  w->Key("rows_known").Bool(a.rows_known);
  w->Key("rows").BeginArray();
  for (const ColumnValues& row : a.rows) WriteColumnValues(w, row);
  w->EndArray();
  WriteColumnValues(&w->Key("assignments"), a.assignments);
  WriteColumnValues(&w->Key("filters"), a.filters);
  WriteColumnValues(&w->Key("list_filters"), a.list_filters);
  w->Key("reads_all_matching").Bool(a.reads_all_matching);
  WriteText(&w->Key("unsupported"), a.unsupported);
  w->Key("plan_only").Bool(a.plan_only);
  w->EndObject();
}

bool ReadTableAccess(element e, TableAccess* out) {
  int64_t on_conflict = 0;
  if (!ReadInt(e, "on_conflict", &on_conflict) || on_conflict < 0 ||
      on_conflict > static_cast<int>(TableAccess::OnConflict::kUpdate)) {
    return false;
  }
  out->on_conflict = static_cast<TableAccess::OnConflict>(on_conflict);
  out->conflict_columns.clear();
  out->rows.clear();
  element field;
  return ReadTextField(e, "schema", &out->schema) && ReadTextField(e, "relname", &out->relname) &&
         ReadTextField(e, "alias", &out->alias) &&
         ReadEnum(e, "command", &ParseCommand, &out->command) &&
         ReadBool(e, "locking", &out->locking) &&
         ReadBool(e, "reads_columns", &out->reads_columns) &&
         ReadBool(e, "returning", &out->returning) &&
         Field(e, "conflict_columns", &field) &&
         ReadEach(field,
                  [&](element c) { return ReadText(c, &out->conflict_columns.emplace_back()); }) &&
         ReadBool(e, "rows_known", &out->rows_known) &&
         Field(e, "rows", &field) &&
         ReadEach(field, [&](element row) {
           return ReadColumnValues(row, &out->rows.emplace_back());
         }) &&
         Field(e, "assignments", &field) &&
         ReadColumnValues(field, &out->assignments) &&
         Field(e, "filters", &field) && ReadColumnValues(field, &out->filters) &&
         Field(e, "list_filters", &field) &&
         ReadColumnValues(field, &out->list_filters) &&
         ReadBool(e, "reads_all_matching", &out->reads_all_matching) &&
         ReadTextField(e, "unsupported", &out->unsupported) &&
         ReadBool(e, "plan_only", &out->plan_only);
}

void WriteHeldWrite(JsonWriter* w, const HeldWrite& hw) {
  w->BeginObject();
  WriteText(&w->Key("session_id"), hw.session_id);
  w->Key("txn_serial").Uint(hw.txn_serial);
  w->Key("time_us").Int(hw.time_us);
  w->Key("xid").Int(hw.xid);
  w->Key("txn_end_us").Int(hw.txn_end_us);
  w->Key("committed").Bool(hw.committed);
  WriteText(&w->Key("table"), hw.table);
  w->Key("command").String(CommandName(hw.command));
  w->Key("upsert").Bool(hw.upsert);
  w->Key("expected_inserts").Uint(hw.expected_inserts);
  WriteRow(&w->Key("old_evidence"), hw.old_evidence);
  WriteRow(&w->Key("new_evidence"), hw.new_evidence);
  WriteRow(&w->Key("insert_evidence"), hw.insert_evidence);
  w->Key("rows").BeginArray();
  for (const ObservedChange& c : hw.rows) WriteObservedChange(w, c);
  w->EndArray();
  w->Key("waits").Bool(hw.waits);
  if (hw.waits) {  // the rest is set only then (ShadowEngine::FollowWrite)
    WriteFinding(&w->Key("finding"), hw.finding);
    WriteTableAccess(&w->Key("access"), hw.access);
    hw.state.WriteJson(&w->Key("state"));
    w->Key("params").BeginArray();
    for (const auto& p : hw.params) WriteOptionalText(w, p);
    w->EndArray();
    w->Key("settings_changed_in_statement").Bool(hw.context.settings_changed_in_statement);
    WriteText(&w->Key("code_path"), hw.context.code_path);
    WriteText(&w->Key("lane"), hw.context.lane);
    WriteText(&w->Key("role_override"), hw.context.role_override);
  }
  w->EndObject();
}

bool ReadHeldWrite(element e, HeldWrite* out) {
  uint64_t expected_inserts = 0;
  element field;
  if (!ReadTextField(e, "session_id", &out->session_id) ||
      !ReadUint(e, "txn_serial", &out->txn_serial) || !ReadInt(e, "time_us", &out->time_us) ||
      !ReadInt(e, "xid", &out->xid) || !ReadInt(e, "txn_end_us", &out->txn_end_us) ||
      !ReadBool(e, "committed", &out->committed) || !ReadTextField(e, "table", &out->table) ||
      !ReadEnum(e, "command", &ParseCommand, &out->command) ||
      !ReadBool(e, "upsert", &out->upsert) ||
      !ReadUint(e, "expected_inserts", &expected_inserts) ||
      !Field(e, "old_evidence", &field) || !ReadRow(field, &out->old_evidence) ||
      !Field(e, "new_evidence", &field) || !ReadRow(field, &out->new_evidence) ||
      !Field(e, "insert_evidence", &field) ||
      !ReadRow(field, &out->insert_evidence) || !Field(e, "rows", &field) ||
      !ReadEach(field, [&](element c) { return ReadObservedChange(c, &out->rows.emplace_back()); }) ||
      !ReadBool(e, "waits", &out->waits)) {
    return false;
  }
  out->expected_inserts = expected_inserts;
  if (!out->waits) return true;
  out->params.clear();
  return Field(e, "finding", &field) && ReadFinding(field, &out->finding) &&
         Field(e, "access", &field) && ReadTableAccess(field, &out->access) &&
         Field(e, "state", &field) && out->state.ReadJson(field) &&
         Field(e, "params", &field) &&
         ReadEach(field,
                  [&](element p) { return ReadOptionalText(p, &out->params.emplace_back()); }) &&
         ReadBool(e, "settings_changed_in_statement",
                  &out->context.settings_changed_in_statement) &&
         ReadTextField(e, "code_path", &out->context.code_path) &&
         ReadTextField(e, "lane", &out->context.lane) &&
         ReadTextField(e, "role_override", &out->context.role_override);
}

void WriteObservedTransaction(JsonWriter* w, const ObservedTransaction& t) {
  w->BeginObject().Key("xid").Int(t.xid).Key("commit_us").Int(t.commit_us);
  w->Key("changes").BeginArray();
  for (const ObservedRowChange& c : t.changes) {
    w->BeginArray();
    WriteText(w, c.table);
    WriteObservedChange(w, c.change);
    w->EndArray();
  }
  w->EndArray().EndObject();
}

bool ReadObservedTransaction(element e, ObservedTransaction* out) {
  out->changes.clear();
  element changes;
  return ReadInt(e, "xid", &out->xid) && ReadInt(e, "commit_us", &out->commit_us) &&
         Field(e, "changes", &changes) && ReadEach(changes, [&](element c) {
           ObservedRowChange& change = out->changes.emplace_back();
           element table, row;
           return Item(c, 0, &table) && Item(c, 1, &row) && ReadText(table, &change.table) &&
                  ReadObservedChange(row, &change.change);
         });
}

namespace {

// JoinStats' counters by name, for both directions.
template <typename Stats, typename F>
void EachJoinCounter(Stats& s, F&& f) {
  f("transactions", s.transactions);
  f("changes", s.changes);
  f("linked", s.linked);
  f("ambiguous", s.ambiguous);
  f("unlinked", s.unlinked);
  f("writes", s.writes);
  f("writes_decided", s.writes_decided);
  f("writes_unlinked", s.writes_unlinked);
}

}  // namespace

void WriteJoinStats(JsonWriter* w, const JoinStats& s) {
  w->BeginObject();
  EachJoinCounter(s, [&](const char* name, uint64_t v) { w->Key(name).Uint(v); });
  w->EndObject();
}

bool ReadJoinStats(element e, JoinStats* out) {
  bool ok = true;
  EachJoinCounter(*out, [&](const char* name, uint64_t& v) { ok = ok && ReadUint(e, name, &v); });
  return ok;
}

}  // namespace rls_shadow
