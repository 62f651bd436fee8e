// ConfigFile: rls-shadow's TOML configuration (config/rls-shadow.toml documents every key),
// loaded into the engine's plain config structs. Unknown keys are errors, so a typo does not
// silently fall back to a default.
#pragma once

#include <cstdint>
#include <string>

#include "analyze/analyzer_config.h"
#include "kafka/kafka_config.h"
#include "rls_shadow/http_server.h"
#include "rls_shadow/report.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

// The change stream (--cdc): how long a logged write and a change transaction wait for each
// other, in event time, before each is settled with what is known (ChangeJoiner).
struct ChangeStreamConfig {
  int64_t join_window_us = 60'000'000;
};

struct ShadowConfig {
  AnalyzerConfig analyzer;
  ReadinessRules readiness;
  ChangeStreamConfig changes;
  KafkaConfig kafka;
  ServeConfig serve;
  ShipConfig ship;
  HttpConfig http;
};

// Loads `path` into `out` (which holds the defaults for anything the file leaves out).
Status LoadConfigFile(const std::string& path, ShadowConfig* out);
// Same, from TOML text (`name` is used in error messages).
Status LoadConfigText(std::string_view text, const std::string& name, ShadowConfig* out);

}  // namespace rls_shadow
