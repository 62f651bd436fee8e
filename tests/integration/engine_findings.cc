#include "engine_findings.h"

#include <simdjson.h>

#include <algorithm>

#include "json_lines.h"

namespace rls_shadow::differential {

int EffectRank(const std::string& effect) {
  if (effect == "error") return 4;
  if (effect == "filtered") return 3;
  if (effect == "row_dependent") return 2;
  if (effect == "indeterminate") return 1;
  if (effect == "allow") return 0;
  return -1;
}

namespace {

// Optional string fields: absent or null reads as "".
std::string Field(simdjson::dom::element doc, const char* key) {
  std::string_view v;
  if (doc[key].get_string().get(v)) return "";
  return std::string(v);
}

}  // namespace

bool ReadEngineFindings(const std::string& path, FindingsBySession* out, std::string* error) {
  auto read_finding = [out](simdjson::dom::element doc) {
    EngineFinding f;
    int64_t line_num = 0;
    if (doc["line_num"].get_int64().get(line_num)) return false;
    f.session_id = Field(doc, "session_id");
    f.line_num = static_cast<long>(line_num);
    f.table = Field(doc, "table");
    f.command = Field(doc, "command");
    f.effect = Field(doc, "effect");
    f.cause = Field(doc, "cause");
    f.policy = Field(doc, "policy");
    f.sqlstate = Field(doc, "sqlstate");
    f.tenant = Field(doc, "tenant");
    f.code_path = Field(doc, "code_path");
    f.lane = Field(doc, "lane");
    (*out)[f.session_id].push_back(std::move(f));
    return true;
  };
  if (!ReadJsonLines(path, "not a verdict line", read_finding, error)) return false;
  for (auto& [session, findings] : *out) {
    std::stable_sort(
        findings.begin(), findings.end(),
        [](const EngineFinding& a, const EngineFinding& b) { return a.line_num < b.line_num; });
  }
  return true;
}

}  // namespace rls_shadow::differential
