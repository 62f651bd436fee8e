#include "pipeline/config_file.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "common/ascii_lower.h"

namespace rls_shadow {
namespace {

// Rejects keys of `table` outside `known`, naming the first one.
Status CheckKeys(const toml::table& table, const std::string& where,
                 const std::set<std::string>& known) {
  for (const auto& [key, value] : table) {
    if (!known.count(std::string(key.str()))) {
      return Status::Error(fmt::format("unknown key '{}' in {}", key.str(), where));
    }
  }
  return Status::Ok();
}

Status StringList(const toml::node_view<const toml::node>& node, const std::string& where,
                  std::vector<std::string>* out) {
  if (!node) return Status::Ok();
  const toml::array* arr = node.as_array();
  if (arr == nullptr) return Status::Error(fmt::format("{} must be an array of strings", where));
  out->clear();
  for (const auto& item : *arr) {
    auto s = item.value<std::string>();
    if (!s) return Status::Error(fmt::format("{} must be an array of strings", where));
    out->push_back(*s);
  }
  return Status::Ok();
}

// [kafka], [serve] and [ship]: the streaming service's settings.
Status LoadServiceTables(const toml::table& root, const std::string& name, ShadowConfig* out) {
  auto positive = [&](const char* key, int64_t v) {
    return v > 0 ? Status::Ok()
                 : Status::Error(fmt::format("{}: {} must be positive", name, key));
  };
  if (const toml::table* k = root["kafka"].as_table()) {
    if (Status s = CheckKeys(*k, "[kafka]",
                             {"brokers", "log_topic", "change_topic", "changelog_topic",
                              "dead_letter_topic", "group_id", "properties"});
        !s.ok()) {
      return s;
    }
    KafkaConfig& c = out->kafka;
    c.brokers = (*k)["brokers"].value_or(c.brokers);
    c.log_topic = (*k)["log_topic"].value_or(c.log_topic);
    c.change_topic = (*k)["change_topic"].value_or(c.change_topic);
    c.changelog_topic = (*k)["changelog_topic"].value_or(c.changelog_topic);
    c.dead_letter_topic = (*k)["dead_letter_topic"].value_or(c.dead_letter_topic);
    c.group_id = (*k)["group_id"].value_or(c.group_id);
    if (const toml::table* props = (*k)["properties"].as_table()) {
      for (const auto& [key, value] : *props) {
        // librdkafka takes every property as text; numbers and booleans are written as such.
        std::string text;
        if (auto str = value.value<std::string>()) {
          text = *str;
        } else if (auto b = value.value<bool>(); b && value.is_boolean()) {
          text = *b ? "true" : "false";
        } else if (auto i = value.value<int64_t>()) {
          text = std::to_string(*i);
        } else {
          return Status::Error(fmt::format(
              "{}: kafka.properties.{} must be a string, integer or boolean", name, key.str()));
        }
        c.properties[std::string(key.str())] = text;
      }
    }
    if (c.log_topic.empty()) return Status::Error(name + ": kafka.log_topic must not be empty");
  }
  if (const toml::table* v = root["serve"].as_table()) {
    if (Status s = CheckKeys(*v, "[serve]",
                             {"state_dir", "instance_id", "policies", "schema", "roles",
                              "batch_size", "batch_linger_ms", "max_buffered_messages",
                              "stats_interval_seconds", "idle_flush_seconds", "http"});
        !s.ok()) {
      return s;
    }
    ServeConfig& c = out->serve;
    c.state_dir = (*v)["state_dir"].value_or(c.state_dir);
    c.instance_id = (*v)["instance_id"].value_or(c.instance_id);
    c.policies_path = (*v)["policies"].value_or(c.policies_path);
    c.schema_path = (*v)["schema"].value_or(c.schema_path);
    c.roles_path = (*v)["roles"].value_or(c.roles_path);
    c.http = (*v)["http"].value_or(c.http);
    const int64_t batch = (*v)["batch_size"].value_or(static_cast<int64_t>(c.batch_size));
    const int64_t linger = (*v)["batch_linger_ms"].value_or(int64_t{c.batch_linger_ms});
    const int64_t buffered =
        (*v)["max_buffered_messages"].value_or(static_cast<int64_t>(c.max_buffered_messages));
    const int64_t stats =
        (*v)["stats_interval_seconds"].value_or(int64_t{c.stats_interval_seconds});
    const int64_t idle = (*v)["idle_flush_seconds"].value_or(int64_t{c.idle_flush_seconds});
    for (auto [key, value] : {std::pair{"serve.batch_size", batch},
                              {"serve.batch_linger_ms", linger},
                              {"serve.max_buffered_messages", buffered},
                              {"serve.stats_interval_seconds", stats},
                              {"serve.idle_flush_seconds", idle}}) {
      if (Status s = positive(key, value); !s.ok()) return s;
    }
    c.batch_size = static_cast<size_t>(batch);
    c.batch_linger_ms = static_cast<int>(linger);
    c.max_buffered_messages = static_cast<size_t>(buffered);
    c.stats_interval_seconds = static_cast<int>(stats);
    c.idle_flush_seconds = static_cast<int>(idle);
  }
  if (const toml::table* h = root["ship"].as_table()) {
    if (Status s = CheckKeys(*h, "[ship]", {"checkpoint", "poll_interval_ms"}); !s.ok()) return s;
    out->ship.checkpoint_path = (*h)["checkpoint"].value_or(out->ship.checkpoint_path);
    const int64_t poll = (*h)["poll_interval_ms"].value_or(int64_t{out->ship.poll_interval_ms});
    if (Status s = positive("ship.poll_interval_ms", poll); !s.ok()) return s;
    out->ship.poll_interval_ms = static_cast<int>(poll);
  }
  return Status::Ok();
}

// [http]: the dashboard API server. Sizes and counts must be positive.
Status LoadHttp(const toml::table& h, HttpConfig* out) {
  if (Status s = CheckKeys(h, "[http]",
                           {"listen", "tokens", "token_env", "require_token",
                            "metrics_require_token", "max_header_bytes", "max_body_bytes",
                            "request_timeout_ms", "max_connections", "threads",
                            "refresh_seconds"});
      !s.ok()) {
    return s;
  }
  out->listen = h["listen"].value_or(out->listen);
  if (Status s = StringList(h["tokens"], "http.tokens", &out->tokens); !s.ok()) return s;
  out->token_env = h["token_env"].value_or(out->token_env);
  out->require_token = h["require_token"].value_or(out->require_token);
  out->metrics_require_token = h["metrics_require_token"].value_or(out->metrics_require_token);
  for (auto [key, field] : {std::pair<const char*, size_t*>{"max_header_bytes", &out->max_header_bytes},
                            {"max_body_bytes", &out->max_body_bytes},
                            {"max_connections", &out->max_connections}}) {
    if (auto v = h[key].value<int64_t>()) {
      if (*v <= 0) return Status::Error(fmt::format("http.{} must be positive", key));
      *field = static_cast<size_t>(*v);
    }
  }
  for (auto [key, field] : {std::pair<const char*, uint32_t*>{"request_timeout_ms", &out->request_timeout_ms},
                            {"threads", &out->threads},
                            {"refresh_seconds", &out->refresh_seconds}}) {
    if (auto v = h[key].value<int64_t>()) {
      if (*v <= 0 || *v > INT32_MAX) return Status::Error(fmt::format("http.{} must be positive", key));
      *field = static_cast<uint32_t>(*v);
    }
  }
  return Status::Ok();
}

Status LoadTable(const toml::table& root, const std::string& name, ShadowConfig* out) {
  if (Status s = CheckKeys(root, name,
                          {"context", "attribution", "examples", "cdc", "readiness", "http",
                           "kafka", "serve", "ship"});
      !s.ok()) {
    return s;
  }
  // Setting names are case-insensitive in PostgreSQL; sessions keep them lower-cased.
  if (const toml::table* ctx = root["context"].as_table()) {
    if (Status s = CheckKeys(*ctx, "[context]", {"settings", "database_defaults"}); !s.ok())
      return s;
    if (Status s =
            StringList((*ctx)["settings"], "context.settings", &out->analyzer.context_settings);
        !s.ok()) {
      return s;
    }
    for (std::string& name : out->analyzer.context_settings) name = AsciiLower(name);
    if (const toml::table* defaults = (*ctx)["database_defaults"].as_table()) {
      for (const auto& [key, value] : *defaults) {
        auto v = value.value<std::string>();
        if (!v) return Status::Error("context.database_defaults values must be strings");
        out->analyzer.database_defaults[AsciiLower(key.str())] = *v;
      }
    }
  }
  if (const toml::table* attr = root["attribution"].as_table()) {
    if (Status s =
            CheckKeys(*attr, "[attribution]",
                      {"code_path_keys", "lane_keys", "lane_setting", "application_name_lanes"});
        !s.ok()) {
      return s;
    }
    AttributionConfig& a = out->analyzer.attribution;
    if (Status s =
            StringList((*attr)["code_path_keys"], "attribution.code_path_keys", &a.code_path_keys);
        !s.ok()) {
      return s;
    }
    if (Status s = StringList((*attr)["lane_keys"], "attribution.lane_keys", &a.lane_keys);
        !s.ok()) {
      return s;
    }
    a.lane_setting = AsciiLower((*attr)["lane_setting"].value_or(a.lane_setting));
    if (const toml::array* lanes = (*attr)["application_name_lanes"].as_array()) {
      a.application_name_lanes.clear();
      for (const auto& item : *lanes) {
        const toml::table* t = item.as_table();
        auto pattern = t ? (*t)["pattern"].value<std::string>() : std::nullopt;
        auto lane = t ? (*t)["lane"].value<std::string>() : std::nullopt;
        if (!pattern || !lane) {
          return Status::Error(
              "each [[attribution.application_name_lanes]] needs pattern and lane strings");
        }
        try {
          std::regex check(*pattern);
        } catch (const std::regex_error& e) {
          return Status::Error(
              fmt::format("attribution.application_name_lanes: bad pattern "
                          "'{}': {}",
                          *pattern, e.what()));
        }
        a.application_name_lanes.emplace_back(*pattern, *lane);
      }
    }
  }
  if (const toml::table* ex = root["examples"].as_table()) {
    if (Status s = CheckKeys(*ex, "[examples]", {"redact", "max_per_key"}); !s.ok()) return s;
    out->analyzer.redact_examples = (*ex)["redact"].value_or(out->analyzer.redact_examples);
    out->readiness.redact = out->analyzer.redact_examples;
    out->analyzer.max_examples = static_cast<size_t>(
        (*ex)["max_per_key"].value_or(static_cast<int64_t>(out->analyzer.max_examples)));
  }
  if (const toml::table* c = root["cdc"].as_table()) {
    if (Status s = CheckKeys(*c, "[cdc]", {"join_window_seconds"}); !s.ok()) return s;
    if (auto w = (*c)["join_window_seconds"].value<double>()) {
      if (*w < 0) return Status::Error(name + ": cdc.join_window_seconds must not be negative");
      out->changes.join_window_us = static_cast<int64_t>(*w * 1e6);
    }
  }
  if (const toml::table* r = root["readiness"].as_table()) {
    if (Status s =
            CheckKeys(*r, "[readiness]",
                      {"window_days", "required_lanes", "min_lane_accesses",
                       "max_indeterminate_share", "bypass_allowed_tables", "bypass_allowed_lanes",
                       "max_denial_rows"});
        !s.ok()) {
      return s;
    }
    ReadinessRules& rules = out->readiness;
    if (auto days = (*r)["window_days"].value<double>()) {
      rules.window_seconds = static_cast<int64_t>(*days * 86400);
    }
    if (Status s =
            StringList((*r)["required_lanes"], "readiness.required_lanes", &rules.required_lanes);
        !s.ok()) {
      return s;
    }
    rules.min_lane_accesses = static_cast<uint64_t>(
        (*r)["min_lane_accesses"].value_or(static_cast<int64_t>(rules.min_lane_accesses)));
    rules.max_indeterminate_share =
        (*r)["max_indeterminate_share"].value_or(rules.max_indeterminate_share);
    if (Status s = StringList((*r)["bypass_allowed_tables"], "readiness.bypass_allowed_tables",
                              &rules.bypass_allowed_tables);
        !s.ok()) {
      return s;
    }
    if (Status s = StringList((*r)["bypass_allowed_lanes"], "readiness.bypass_allowed_lanes",
                              &rules.bypass_allowed_lanes);
        !s.ok()) {
      return s;
    }
    rules.max_denial_rows = static_cast<size_t>(
        (*r)["max_denial_rows"].value_or(static_cast<int64_t>(rules.max_denial_rows)));
  }
  if (const toml::table* h = root["http"].as_table()) {
    if (Status s = LoadHttp(*h, &out->http); !s.ok()) return s;
  }
  return LoadServiceTables(root, name, out);
}

}  // namespace

Status LoadConfigText(std::string_view text, const std::string& name, ShadowConfig* out) {
  try {
    toml::table root = toml::parse(text, name);
    return LoadTable(root, name, out);
  } catch (const toml::parse_error& e) {
    return Status::Error(fmt::format("{}:{}:{}: {}", name, e.source().begin.line,
                                     e.source().begin.column, e.description()));
  }
}

Status LoadConfigFile(const std::string& path, ShadowConfig* out) {
  std::ifstream in(path);
  if (!in) return Status::Error(fmt::format("cannot read config file {}", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return LoadConfigText(buf.str(), path, out);
}

}  // namespace rls_shadow
