#include "cli/dashboard_command.h"

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "rls_shadow/http_server.h"
#include "rls_shadow/store.h"

namespace rls_shadow {

int RunDashboard(const std::string& db, const std::string& listen, const ShadowConfig& config) {
  std::unique_ptr<Store> probe;  // fail now, clearly, rather than 503 on every request
  if (Status s = Store::OpenReadOnly(db, &probe); !s.ok()) {
    std::fprintf(stderr, "rls-shadow: %s\n", s.message().c_str());
    return 1;
  }
  probe.reset();
  HttpConfig http = config.http;
  if (!listen.empty()) http.listen = listen;

  // Block the signals before the server's threads exist, so they inherit the mask and only
  // sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  HttpServer server(http, config.readiness, ReadOnlyStoreProvider(db, http.refresh_seconds));
  if (Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "rls-shadow: %s\n", s.message().c_str());
    return 1;
  }
  const std::string host = http.listen.substr(0, http.listen.rfind(':'));
  spdlog::info("dashboard listening on http://{}:{}/ (read-only view of {})", host, server.port(),
               db);
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  server.Stop();
  return 0;
}

}  // namespace rls_shadow
