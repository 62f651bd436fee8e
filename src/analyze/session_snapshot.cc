// SessionState::WriteJson / ReadJson: a session's settings and transaction state as JSON, the
// core of the engine's saved state (engine_state.cc). JSON keeps a snapshot readable when
// someone has to look inside a state directory.
#include <algorithm>
#include <string>

#include "analyze/session_state.h"
#include "analyze/state_codec.h"
#include "common/json_writer.h"

namespace rls_shadow {
namespace {

void WriteSettings(JsonWriter* w, const SessionState::Settings& settings) {
  w->BeginObject();
  for (const auto& [name, e] : settings) {
    w->Key(name).BeginObject();
    w->Key("defined").Bool(e.defined);
    WriteOptionalText(&w->Key("session"), e.session);
    WriteOptionalText(&w->Key("local"), e.local);
    WriteText(&w->Key("code_path"), e.origin.code_path);
    WriteText(&w->Key("lane"), e.origin.lane);
    w->Key("transaction").Uint(e.origin.transaction);
    w->Key("lost_autocommit").Bool(e.origin.lost_autocommit);
    w->EndObject();
  }
  w->EndObject();
}

bool ReadSettings(simdjson::dom::element object, std::string_view key,
                  SessionState::Settings* out) {
  simdjson::dom::object obj;
  if (object[key].get_object().get(obj) != simdjson::SUCCESS) return false;
  out->clear();
  for (auto field : obj) {
    SettingEntry e;
    simdjson::dom::element session, local, code_path, lane;
    if (!ReadBool(field.value, "defined", &e.defined) ||
        field.value["session"].get(session) != simdjson::SUCCESS ||
        !ReadOptionalText(session, &e.session) ||
        field.value["local"].get(local) != simdjson::SUCCESS ||
        !ReadOptionalText(local, &e.local) ||
        field.value["code_path"].get(code_path) != simdjson::SUCCESS ||
        !ReadText(code_path, &e.origin.code_path) ||
        field.value["lane"].get(lane) != simdjson::SUCCESS || !ReadText(lane, &e.origin.lane) ||
        !ReadUint(field.value, "transaction", &e.origin.transaction) ||
        !ReadBool(field.value, "lost_autocommit", &e.origin.lost_autocommit)) {
      return false;
    }
    out->emplace(std::string(field.key), std::move(e));
  }
  return true;
}

}  // namespace

void SessionState::WriteJson(JsonWriter* w) const {
  w->BeginObject();
  WriteText(&w->Key("login_user"), login_user_);
  WriteText(&w->Key("database"), database_);
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
    w->BeginObject();
    WriteText(&w->Key("name"), name);
    w->Key("settings");
    WriteSettings(w, snapshot);
    w->EndObject();
  }
  w->EndArray();
  // A statement whose outcome is not known yet (the engine saves between any two events): its
  // failure rolls back to txn_start_, or aborts the block.
  if (in_statement_) {
    w->Key("statement").BeginObject();
    w->Key("implicit_block").Bool(implicit_block_);
    w->EndObject();
  }
  w->EndObject();
}

bool SessionState::ReadJson(simdjson::dom::element json) {
  simdjson::dom::element login;
  if (json["login_user"].get(login) != simdjson::SUCCESS || !ReadText(login, &login_user_) ||
      !ReadBool(json, "in_block", &in_block_) || !ReadBool(json, "aborted", &aborted_) ||
      !ReadUint(json, "transaction", &txn_serial_) ||
      !ReadBool(json, "txn_snapshot_valid", &txn_snapshot_valid_) ||
      !ReadSettings(json, "settings", &settings_) ||
      !ReadSettings(json, "txn_start", &txn_start_)) {
    return false;
  }
  // Absent from states saved before role settings were read: any database.
  simdjson::dom::element database;
  database_.clear();
  if (json["database"].get(database) == simdjson::SUCCESS && !ReadText(database, &database_)) {
    return false;
  }
  savepoints_.clear();
  simdjson::dom::array points;
  if (json["savepoints"].get_array().get(points) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element p : points) {
    simdjson::dom::element name;
    auto& [point, snapshot] = savepoints_.emplace_back();
    if (p["name"].get(name) != simdjson::SUCCESS || !ReadText(name, &point) ||
        !ReadSettings(p, "settings", &snapshot)) {
      return false;
    }
  }
  // Absent (between statements, and in snapshots of version 1): no statement is open. Saved
  // states before 2026-11-24 also hold the statement's own starting settings ("start"), which
  // nothing reads any more.
  in_statement_ = false;
  implicit_block_ = false;
  statement_multi_ = false;
  ended_in_statement_ = false;
  simdjson::dom::element statement;
  if (json["statement"].get(statement) == simdjson::SUCCESS) {
    in_statement_ = true;
    if (!ReadBool(statement, "implicit_block", &implicit_block_)) return false;
  }
  identity_named_ = NamesIdentitySetting(settings_) || NamesIdentitySetting(txn_start_) ||
                    std::any_of(savepoints_.begin(), savepoints_.end(),
                                [](const auto& p) { return NamesIdentitySetting(p.second); });
  return true;
}

}  // namespace rls_shadow
