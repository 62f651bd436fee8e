#include "engine_findings.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>

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
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  simdjson::dom::parser parser;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element doc;
    EngineFinding f;
    int64_t line_num = 0;
    if (parser.parse(line).get(doc) || doc["line_num"].get_int64().get(line_num)) {
      *error = path + ":" + std::to_string(line_no) + ": not a verdict line";
      return false;
    }
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
  }
  for (auto& [session, findings] : *out) {
    std::stable_sort(
        findings.begin(), findings.end(),
        [](const EngineFinding& a, const EngineFinding& b) { return a.line_num < b.line_num; });
  }
  return true;
}

}  // namespace rls_shadow::differential
