#include "report_check.h"

#include <simdjson.h>

#include <set>

namespace rls_shadow::differential {
namespace {

std::string Unqualified(std::string_view table) {
  size_t dot = table.rfind('.');
  return std::string(dot == std::string_view::npos ? table : table.substr(dot + 1));
}

// Adds array[i].table of report[key] to names; false if the key is not an array.
bool CollectTables(simdjson::dom::element report, const char* key, std::set<std::string>* names) {
  simdjson::dom::array entries;
  if (report[key].get_array().get(entries)) return false;
  for (simdjson::dom::element entry : entries) {
    std::string_view table;
    if (!entry["table"].get_string().get(table)) names->insert(Unqualified(table));
  }
  return true;
}

}  // namespace

std::vector<std::string> CheckReport(const std::string& report_path,
                                     const FindingsBySession& findings) {
  std::vector<std::string> problems;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(report_path).get(text)) {
    return {"cannot read " + report_path};
  }
  simdjson::dom::parser parser;
  simdjson::dom::element report;
  if (parser.parse(text).get(report)) return {report_path + " is not JSON"};
  simdjson::dom::object overall;
  if (report["overall"].get_object().get(overall)) problems.emplace_back("no \"overall\" object");
  std::set<std::string> named;
  if (!CollectTables(report, "tables", &named)) problems.emplace_back("no \"tables\" array");
  if (!CollectTables(report, "denials", &named)) problems.emplace_back("no \"denials\" array");

  std::set<std::string> denied;
  for (const auto& [session, list] : findings) {
    for (const EngineFinding& f : list) {
      if (f.effect == "error" || f.effect == "filtered") denied.insert(Unqualified(f.table));
    }
  }
  for (const std::string& table : denied) {
    if (!named.contains(table)) {
      problems.push_back("would-be denials on " + table + " but the report does not name it");
    }
  }
  return problems;
}

}  // namespace rls_shadow::differential
