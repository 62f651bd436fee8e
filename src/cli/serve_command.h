// `rls-shadow serve`: the streaming service's command line (flags override [serve] keys).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "pipeline/config_file.h"

namespace rls_shadow {

struct ServeArgs {
  CLI::App* command = nullptr;
  std::string state_dir;
  std::string instance_id;
  std::string policies_path;
  std::string schema_path;
  std::string roles_path;
  std::string brokers;
  bool until_idle = false;
};

void AddServeCommand(CLI::App& app, ServeArgs* args);
// Runs until SIGTERM or SIGINT. Returns the exit code.
int RunServeCommand(const ServeArgs& args, ShadowConfig config);

}  // namespace rls_shadow
