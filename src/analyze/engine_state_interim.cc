// INTERIM per-session snapshots (settings only), until the complete engine state lands.
#include <simdjson.h>

#include <algorithm>

#include "analyze/shadow_engine.h"
#include "common/json_writer.h"

namespace rls_shadow {

std::optional<std::string> ShadowEngine::SaveSession(std::string_view session_id) const {
  auto it = sessions_.find(std::string(session_id));
  if (it == sessions_.end()) return std::nullopt;
  JsonWriter w;
  it->second.state.WriteJson(&w);
  return w.str();
}

bool ShadowEngine::RestoreSession(std::string_view session_id, std::string_view blob) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(blob.data(), blob.size()).get(root) != simdjson::SUCCESS) return false;
  Session s;
  s.id = std::string(session_id);
  if (!s.state.ReadJson(root)) return false;
  s.state.set_defaults(&config_.database_defaults);
  sessions_.insert_or_assign(std::string(session_id), std::move(s));
  return true;
}

void ShadowEngine::DropSession(std::string_view session_id) {
  sessions_.erase(std::string(session_id));
}

std::vector<std::string> ShadowEngine::TakeTouchedSessions() {
  std::vector<std::string> out = interim_known_;
  interim_known_.clear();
  for (const auto& [id, s] : sessions_) {
    out.push_back(id);
    interim_known_.push_back(id);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string ShadowEngine::SaveGlobal() const { return "{}"; }
bool ShadowEngine::RestoreGlobal(std::string_view) { return true; }

}  // namespace rls_shadow
