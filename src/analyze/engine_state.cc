// ShadowEngine's saved state: SaveSession / RestoreSession / DropSession, SaveGlobal /
// RestoreGlobal, and SaveSessions / RestoreSessions built on the per-session form. JSON (see
// state_codec.h for the values), written for every session an event touched, so kept flat.
//
// Session blob, version 2: {"version": 2, "session": null | {"state", "open", "open_sql", ...,
// "pending": [findings], "pending_writes": [held writes], "prepared": [...]}, "held": [...]}.
// SaveSessions: {"version": 2, "sessions": {id: session blob}}; version 1 held only the states.
#include <algorithm>
#include <string>
#include <utility>

#include "analyze/shadow_engine.h"
#include "analyze/state_codec.h"
#include "common/json_writer.h"

namespace rls_shadow {
namespace {

constexpr int kStateVersion = 2;
constexpr int kSessionsVersion1 = 1;  // {"version": 1, "sessions": {id: SessionState}}

using simdjson::dom::element;

template <typename F>
bool ReadEach(element e, std::string_view key, F&& read) {
  simdjson::dom::array items;
  if (e[key].get_array().get(items) != simdjson::SUCCESS) return false;
  for (element item : items) {
    if (!read(item)) return false;
  }
  return true;
}

bool ParseVersioned(simdjson::dom::parser* parser, std::string_view blob, element* root,
                    int64_t* version) {
  return parser->parse(blob.data(), blob.size()).get(*root) == simdjson::SUCCESS &&
         ReadInt(*root, "version", version);
}

// EngineStats' counters by name, for both directions.
template <typename Stats, typename F>
void EachEngineCounter(Stats& s, F&& f) {
  f("events", s.events);
  f("statements", s.statements);
  f("statements_unparsed", s.statements_unparsed);
  f("statements_failed_in_log", s.statements_failed_in_log);
  f("statements_in_aborted_txn", s.statements_in_aborted_txn);
  f("findings", s.findings);
  f("sessions_opened", s.sessions_opened);
  f("sessions_closed", s.sessions_closed);
  f("change_events", s.change_events);
  f("changes_not_applied", s.changes_not_applied);
}

}  // namespace

struct ShadowEngine::RestoredSession {
  std::optional<Session> session;
  std::vector<std::pair<uint64_t, ChangeJoiner::HeldTxn>> held;
};

void ShadowEngine::WriteSession(JsonWriter* w, const std::string& id) const {
  w->BeginObject().Key("version").Int(kStateVersion).Key("session");
  auto found = sessions_.find(id);
  if (found == sessions_.end()) {
    w->Null();
  } else {
    const Session& s = found->second;
    w->BeginObject();
    s.state.WriteJson(&w->Key("state"));
    w->Key("open").Bool(s.statement_open);
    WriteText(&w->Key("open_sql"), s.open_sql);
    w->Key("open_multi").Bool(s.open_multi);
    w->Key("open_serial").Uint(s.open_serial);
    w->Key("open_time_us").Int(s.open_time_us);
    w->Key("open_rolls_back").Bool(s.open_rolls_back);
    w->Key("pending").BeginArray();
    for (size_t i = 0; i < s.pending_size; ++i) WriteFinding(w, s.pending[i]);
    w->EndArray();
    w->Key("pending_writes").BeginArray();
    for (const HeldWrite& hw : s.pending_writes) WriteHeldWrite(w, hw);
    w->EndArray();
    w->Key("wrote_indexed_serial").Uint(s.wrote_indexed_serial);
    w->Key("xid").Int(s.xid);
    w->Key("xid_serial").Uint(s.xid_serial);
    // By name, so equal states write equal blobs.
    std::vector<const std::pair<const std::string, PreparedQuery>*> prepared;
    for (const auto& entry : s.prepared) prepared.push_back(&entry);
    std::sort(prepared.begin(), prepared.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    w->Key("prepared").BeginArray();
    for (const auto* entry : prepared) {
      w->BeginObject();
      WriteText(&w->Key("name"), entry->first);
      WriteText(&w->Key("sql"), entry->second.sql);
      w->Key("statement").Uint(entry->second.statement);
      w->EndObject();
    }
    w->EndArray().EndObject();
  }
  w->Key("held").BeginArray();
  if (joiner_) {
    for (const auto& [serial, held] : joiner_->HeldOf(id)) {
      w->BeginObject().Key("serial").Uint(serial);
      w->Key("xid").Int(held->xid).Key("first_us").Int(held->first_us);
      w->Key("end_us").Int(held->end_us).Key("committed").Bool(held->committed);
      w->Key("end_order").Uint(held->end_order);
      w->Key("writes").BeginArray();
      for (const HeldWrite& hw : held->writes) WriteHeldWrite(w, hw);
      w->EndArray().EndObject();
    }
  }
  w->EndArray().EndObject();
}

bool ShadowEngine::ReadSession(element json, const std::string& id, RestoredSession* out) {
  auto read_write = [&](element e, std::vector<HeldWrite>* writes) {
    HeldWrite& hw = writes->emplace_back();
    if (!ReadHeldWrite(e, &hw)) return false;
    SetLoginDefaults(&hw.state);
    return true;
  };
  element session_json;
  if (json["session"].get(session_json) != simdjson::SUCCESS) return false;
  if (!session_json.is_null()) {
    Session& s = out->session.emplace();
    s.id = id;
    element state, open_sql;
    if (session_json["state"].get(state) != simdjson::SUCCESS || !s.state.ReadJson(state) ||
        !ReadBool(session_json, "open", &s.statement_open) ||
        session_json["open_sql"].get(open_sql) != simdjson::SUCCESS ||
        !ReadText(open_sql, &s.open_sql) || !ReadBool(session_json, "open_multi", &s.open_multi) ||
        !ReadUint(session_json, "open_serial", &s.open_serial) ||
        !ReadInt(session_json, "open_time_us", &s.open_time_us) ||
        !ReadBool(session_json, "open_rolls_back", &s.open_rolls_back) ||
        !ReadEach(session_json, "pending",
                  [&](element f) { return ReadFinding(f, &s.pending.emplace_back()); }) ||
        !ReadEach(session_json, "pending_writes",
                  [&](element e) { return read_write(e, &s.pending_writes); }) ||
        !ReadUint(session_json, "wrote_indexed_serial", &s.wrote_indexed_serial) ||
        !ReadInt(session_json, "xid", &s.xid) ||
        !ReadUint(session_json, "xid_serial", &s.xid_serial)) {
      return false;
    }
    SetLoginDefaults(&s.state);
    s.pending_size = s.pending.size();
    // A prepared query is analysed again from its PREPARE (through the cache, by shape).
    const bool prepared_ok = ReadEach(session_json, "prepared", [&](element p) {
      element name, sql;
      uint64_t statement = 0;
      PreparedQuery q;
      std::string key;
      if (p["name"].get(name) != simdjson::SUCCESS || !ReadText(name, &key) ||
          p["sql"].get(sql) != simdjson::SUCCESS || !ReadText(sql, &q.sql) ||
          !ReadUint(p, "statement", &statement)) {
        return false;
      }
      std::vector<std::optional<std::string>> params;
      std::shared_ptr<const AnalyzedText> text = analyzer_.Analyze(q.sql, &params);
      if (statement >= text->statements.size() || !text->statements[statement].prepared) {
        return false;
      }
      q.query = text->statements[statement].prepared;
      q.statement = statement;
      s.prepared.emplace(std::move(key), std::move(q));
      return true;
    });
    if (!prepared_ok) return false;
  }
  return ReadEach(json, "held", [&](element h) {
    auto& [serial, held] = out->held.emplace_back();
    return ReadUint(h, "serial", &serial) && ReadInt(h, "xid", &held.xid) &&
           ReadInt(h, "first_us", &held.first_us) && ReadInt(h, "end_us", &held.end_us) &&
           ReadBool(h, "committed", &held.committed) &&
           ReadUint(h, "end_order", &held.end_order) &&
           ReadEach(h, "writes", [&](element e) { return read_write(e, &held.writes); });
  });
}

void ShadowEngine::Install(const std::string& id, RestoredSession restored) {
  DropSession(id);
  if (restored.session) sessions_.emplace(id, std::move(*restored.session));
  for (auto& [serial, held] : restored.held) joiner_->RestoreHeld(id, serial, std::move(held));
}

std::optional<std::string> ShadowEngine::SaveSession(std::string_view session_id) const {
  const std::string id(session_id);
  if (!sessions_.count(id) && (!joiner_ || joiner_->HeldOf(id).empty())) return std::nullopt;
  JsonWriter w;
  WriteSession(&w, id);
  return w.str();
}

bool ShadowEngine::RestoreSession(std::string_view session_id, std::string_view blob) {
  simdjson::dom::parser parser;
  element root;
  int64_t version = 0;
  RestoredSession restored;
  const std::string id(session_id);
  if (!ParseVersioned(&parser, blob, &root, &version) || version != kStateVersion ||
      !ReadSession(root, id, &restored) || (!restored.held.empty() && !joiner_)) {
    return false;
  }
  Install(id, std::move(restored));
  return true;
}

void ShadowEngine::DropSession(std::string_view session_id) {
  const std::string id(session_id);
  sessions_.erase(id);
  if (joiner_) joiner_->DropSession(id);
  touched_.erase(id);  // nothing of it is left here to save
}

std::vector<std::string> ShadowEngine::TakeTouchedSessions() {
  std::vector<std::string> out(touched_.begin(), touched_.end());
  touched_.clear();
  for (const std::string& id : out) {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) it->second.touched = false;
  }
  return out;
}

std::string ShadowEngine::SaveGlobal() const {
  JsonWriter w;
  w.BeginObject().Key("version").Int(kStateVersion).Key("change_txn");
  if (change_txn_) {
    WriteObservedTransaction(&w, *change_txn_);
  } else {
    w.Null();
  }
  w.Key("change_txn_framed").Bool(change_txn_framed_);
  w.Key("engine").BeginObject();
  EachEngineCounter(stats_, [&](const char* name, uint64_t v) { w.Key(name).Uint(v); });
  w.EndObject().Key("joiner");
  if (!joiner_) {
    w.Null();
  } else {
    const ChangeJoiner::Progress p = joiner_->progress();
    w.BeginObject().Key("next_seq").Uint(p.next_seq).Key("next_end_order").Uint(p.next_end_order);
    w.Key("now_us").Int(p.now_us);
    WriteJoinStats(&w.Key("stats"), p.stats);
    w.Key("pending").BeginArray();
    for (const auto& [seq, txn] : joiner_->pending()) {
      w.BeginObject().Key("seq").Uint(seq);
      WriteObservedTransaction(&w.Key("txn"), txn);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndObject();
  return w.str();
}

bool ShadowEngine::RestoreGlobal(std::string_view blob) {
  simdjson::dom::parser parser;
  element root, change_txn, joiner;
  int64_t version = 0;
  std::optional<ObservedTransaction> txn;
  bool framed = false;
  EngineStats stats;
  bool stats_ok = true;
  if (!ParseVersioned(&parser, blob, &root, &version) || version != kStateVersion ||
      root["change_txn"].get(change_txn) != simdjson::SUCCESS ||
      (!change_txn.is_null() && !ReadObservedTransaction(change_txn, &txn.emplace())) ||
      !ReadBool(root, "change_txn_framed", &framed) ||
      root["joiner"].get(joiner) != simdjson::SUCCESS) {
    return false;
  }
  element engine;
  if (root["engine"].get(engine) != simdjson::SUCCESS) return false;
  EachEngineCounter(stats, [&](const char* name, uint64_t& v) {
    stats_ok = stats_ok && ReadUint(engine, name, &v);
  });
  if (!stats_ok) return false;
  ChangeJoiner::Progress progress;
  std::map<uint64_t, ObservedTransaction> pending;
  if (!joiner.is_null()) {
    element join_stats;
    if (!joiner_ || !ReadUint(joiner, "next_seq", &progress.next_seq) ||
        !ReadUint(joiner, "next_end_order", &progress.next_end_order) ||
        !ReadInt(joiner, "now_us", &progress.now_us) ||
        joiner["stats"].get(join_stats) != simdjson::SUCCESS ||
        !ReadJoinStats(join_stats, &progress.stats) ||
        !ReadEach(joiner, "pending", [&](element p) {
          uint64_t seq = 0;
          element t;
          return ReadUint(p, "seq", &seq) && p["txn"].get(t) == simdjson::SUCCESS &&
                 ReadObservedTransaction(t, &pending[seq]);
        })) {
      return false;
    }
    joiner_->RestoreGlobal(progress, std::move(pending));
  }
  change_txn_ = std::move(txn);
  change_txn_framed_ = framed;
  stats_ = stats;
  return true;
}

std::string ShadowEngine::SaveSessions() const {
  std::vector<std::string> ids;
  for (const auto& [id, s] : sessions_) ids.push_back(id);
  if (joiner_) {
    for (std::string& id : joiner_->HeldSessions()) {
      if (!sessions_.count(id)) ids.push_back(std::move(id));
    }
  }
  std::sort(ids.begin(), ids.end());  // equal states, equal blobs
  JsonWriter w;
  w.BeginObject().Key("version").Int(kStateVersion).Key("sessions").BeginObject();
  for (const std::string& id : ids) WriteSession(&w.Key(id), id);
  w.EndObject().EndObject();
  return w.str();
}

bool ShadowEngine::RestoreSessions(std::string_view blob) {
  simdjson::dom::parser parser;
  element root;
  int64_t version = 0;
  simdjson::dom::object sessions;
  if (!ParseVersioned(&parser, blob, &root, &version) ||
      (version != kStateVersion && version != kSessionsVersion1) ||
      root["sessions"].get_object().get(sessions) != simdjson::SUCCESS) {
    return false;
  }
  std::vector<std::pair<std::string, RestoredSession>> restored;
  for (auto field : sessions) {
    auto& [id, r] = restored.emplace_back(std::string(field.key), RestoredSession{});
    if (version == kSessionsVersion1) {
      Session& s = r.session.emplace();
      s.id = id;
      if (!s.state.ReadJson(field.value)) return false;
      SetLoginDefaults(&s.state);
    } else if (!ReadSession(field.value, id, &r) || (!r.held.empty() && !joiner_)) {
      return false;
    }
  }
  for (auto& [id, r] : restored) Install(id, std::move(r));
  return true;
}

}  // namespace rls_shadow
