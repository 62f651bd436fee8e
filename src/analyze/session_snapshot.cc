// Persistence of session state between runs: SessionState::WriteJson / ReadJson and
// ShadowEngine::SaveSessions / RestoreSessions. JSON keeps the snapshot readable when someone
// has to look inside a state directory; it is written once per run, not on the hot path.
#include <string>

#include "analyze/session_state.h"
#include "analyze/shadow_engine.h"
#include "common/json_writer.h"

namespace rls_shadow {
namespace {

constexpr int kSnapshotVersion = 1;

void WriteOptional(JsonWriter* w, const std::optional<std::string>& v) {
  if (v) {
    w->String(*v);
  } else {
    w->Null();
  }
}

void WriteSettings(JsonWriter* w, const SessionState::Settings& settings) {
  w->BeginObject();
  for (const auto& [name, e] : settings) {
    w->Key(name).BeginObject();
    w->Key("defined").Bool(e.defined);
    w->Key("session");
    WriteOptional(w, e.session);
    w->Key("local");
    WriteOptional(w, e.local);
    w->Key("code_path").String(e.origin.code_path);
    w->Key("lane").String(e.origin.lane);
    w->Key("transaction").Uint(e.origin.transaction);
    w->Key("lost_autocommit").Bool(e.origin.lost_autocommit);
    w->EndObject();
  }
  w->EndObject();
}

bool ReadOptional(simdjson::dom::element e, std::optional<std::string>* out) {
  if (e.is_null()) {
    out->reset();
    return true;
  }
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return false;
  *out = std::string(s);
  return true;
}

bool ReadSettings(simdjson::dom::element json, SessionState::Settings* out) {
  simdjson::dom::object obj;
  if (json.get_object().get(obj) != simdjson::SUCCESS) return false;
  out->clear();
  for (auto field : obj) {
    SettingEntry e;
    std::string_view code_path, lane;
    uint64_t transaction = 0;
    if (field.value["defined"].get_bool().get(e.defined) != simdjson::SUCCESS ||
        !ReadOptional(field.value["session"], &e.session) ||
        !ReadOptional(field.value["local"], &e.local) ||
        field.value["code_path"].get_string().get(code_path) != simdjson::SUCCESS ||
        field.value["lane"].get_string().get(lane) != simdjson::SUCCESS ||
        field.value["transaction"].get_uint64().get(transaction) != simdjson::SUCCESS ||
        field.value["lost_autocommit"].get_bool().get(e.origin.lost_autocommit) !=
            simdjson::SUCCESS) {
      return false;
    }
    e.origin.code_path = std::string(code_path);
    e.origin.lane = std::string(lane);
    e.origin.transaction = transaction;
    out->emplace(std::string(field.key), std::move(e));
  }
  return true;
}

}  // namespace

void SessionState::WriteJson(JsonWriter* w) const {
  w->BeginObject();
  w->Key("login_user").String(login_user_);
  w->Key("in_block").Bool(in_block_);
  w->Key("aborted").Bool(aborted_);
  w->Key("transaction").Uint(txn_serial_);
  w->Key("settings");
  WriteSettings(w, settings_);
  w->Key("txn_snapshot_valid").Bool(txn_snapshot_valid_);
  w->Key("txn_start");
  WriteSettings(w, txn_start_);
  w->Key("savepoints").BeginArray();
  for (const auto& [name, snapshot] : savepoints_) {
    w->BeginObject().Key("name").String(name).Key("settings");
    WriteSettings(w, snapshot);
    w->EndObject();
  }
  w->EndArray();
  w->EndObject();
}

bool SessionState::ReadJson(simdjson::dom::element json) {
  std::string_view login;
  if (json["login_user"].get_string().get(login) != simdjson::SUCCESS ||
      json["in_block"].get_bool().get(in_block_) != simdjson::SUCCESS ||
      json["aborted"].get_bool().get(aborted_) != simdjson::SUCCESS ||
      json["transaction"].get_uint64().get(txn_serial_) != simdjson::SUCCESS ||
      json["txn_snapshot_valid"].get_bool().get(txn_snapshot_valid_) != simdjson::SUCCESS ||
      !ReadSettings(json["settings"], &settings_) ||
      !ReadSettings(json["txn_start"], &txn_start_)) {
    return false;
  }
  login_user_ = std::string(login);
  savepoints_.clear();
  simdjson::dom::array points;
  if (json["savepoints"].get_array().get(points) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element p : points) {
    std::string_view name;
    Settings snapshot;
    if (p["name"].get_string().get(name) != simdjson::SUCCESS ||
        !ReadSettings(p["settings"], &snapshot)) {
      return false;
    }
    savepoints_.emplace_back(std::string(name), std::move(snapshot));
  }
  implicit_block_ = false;
  in_statement_ = false;
  return true;
}

std::string ShadowEngine::SaveSessions() const {
  JsonWriter w;
  w.BeginObject().Key("version").Int(kSnapshotVersion).Key("sessions").BeginObject();
  for (const auto& [id, s] : sessions_) {
    w.Key(id);
    s.state.WriteJson(&w);
  }
  w.EndObject().EndObject();
  return w.str();
}

bool ShadowEngine::RestoreSessions(std::string_view blob) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  int64_t version = 0;
  simdjson::dom::object sessions;
  if (parser.parse(blob.data(), blob.size()).get(root) != simdjson::SUCCESS ||
      root["version"].get_int64().get(version) != simdjson::SUCCESS ||
      version != kSnapshotVersion ||
      root["sessions"].get_object().get(sessions) != simdjson::SUCCESS) {
    return false;
  }
  std::unordered_map<std::string, Session> restored;
  for (auto field : sessions) {
    Session s;
    if (!s.state.ReadJson(field.value)) return false;
    s.state.set_defaults(&config_.database_defaults);
    restored.emplace(std::string(field.key), std::move(s));
  }
  for (auto& [id, s] : restored) sessions_.insert_or_assign(id, std::move(s));
  return true;
}

}  // namespace rls_shadow
