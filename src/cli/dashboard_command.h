// `rls-shadow dashboard`: the HTTP API and page over a state directory, read-only, until SIGINT
// or SIGTERM.
#pragma once

#include <string>

#include "pipeline/config_file.h"

namespace rls_shadow {

// Returns the process exit code (0 after a signal, 1 when the server cannot start).
int RunDashboard(const std::string& db, const std::string& listen, const ShadowConfig& config);

}  // namespace rls_shadow
