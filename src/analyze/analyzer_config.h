// AnalyzerConfig: how the engine attributes accesses and which settings carry tenant context.
// Plain values; loaded from TOML by the CLI (config/rls-shadow.toml documents every key).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rls_shadow {

struct AttributionConfig {
  // sqlcommenter keys giving the code path, in order of preference; "controller+action" joins
  // the two keys as "controller#action".
  std::vector<std::string> code_path_keys{"code_path", "file", "route", "controller+action"};
  std::vector<std::string> lane_keys{"lane", "job"};
  std::string lane_setting = "app.lane";
  // application_name regular expressions → lane, tried in order when nothing else names one.
  std::vector<std::pair<std::string, std::string>> application_name_lanes;
};

// Setting values a session starts with (ALTER DATABASE / ALTER ROLE ... SET), by lower-cased
// name; searched with a string_view, as every unset setting a policy reads is looked up here.
using SettingDefaults = std::map<std::string, std::string, std::less<>>;

struct AnalyzerConfig {
  // The settings the tenant policies read; the first names the tenant of an access.
  std::vector<std::string> context_settings{"app.current_tenant_id"};
  AttributionConfig attribution;
  bool redact_examples = true;
  size_t max_examples = 3;
  // ALTER DATABASE ... SET defaults: the value RESET returns to.
  SettingDefaults database_defaults;
};

}  // namespace rls_shadow
