#include "cli/serve_command.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include "rls_shadow/http_server.h"
#include "serve/serve_job.h"

namespace rls_shadow {
namespace {

std::atomic<bool> stop_requested{false};
void RequestStop(int) { stop_requested.store(true); }

}  // namespace

void AddServeCommand(CLI::App& app, ServeArgs* args) {
  args->command = app.add_subcommand(
      "serve", "Consume the log (and change) topics from Kafka until SIGTERM; see [kafka] and "
               "[serve] in the config");
  args->command->add_option("--state-dir", args->state_dir, "overrides serve.state_dir");
  args->command->add_option("--instance-id", args->instance_id, "overrides serve.instance_id");
  args->command->add_option("--policies", args->policies_path, "overrides serve.policies")
      ->check(CLI::ExistingFile);
  args->command->add_option("--schema", args->schema_path, "overrides serve.schema")
      ->check(CLI::ExistingFile);
  args->command->add_option("--roles", args->roles_path, "overrides serve.roles")
      ->check(CLI::ExistingFile);
  args->command->add_option("--brokers", args->brokers, "overrides kafka.brokers");
  args->command->add_flag("--until-idle", args->until_idle,
                          "drain the backlog: exit once every input is read and quiet for "
                          "serve.idle_flush_seconds");
}

int RunServeCommand(const ServeArgs& args, ShadowConfig config) {
  ServeConfig& serve = config.serve;
  if (!args.state_dir.empty()) serve.state_dir = args.state_dir;
  if (!args.instance_id.empty()) serve.instance_id = args.instance_id;
  if (!args.policies_path.empty()) serve.policies_path = args.policies_path;
  if (!args.schema_path.empty()) serve.schema_path = args.schema_path;
  if (!args.roles_path.empty()) serve.roles_path = args.roles_path;
  if (!args.brokers.empty()) config.kafka.brokers = args.brokers;
  if (args.until_idle) serve.until_idle = true;
  if (serve.policies_path.empty()) {
    std::fprintf(stderr, "rls-shadow: serve needs the migration: serve.policies or --policies\n");
    return 2;
  }
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  ServeMetrics metrics;
  std::unique_ptr<HttpServer> http;
  if (serve.http) {
    // A read-only view of the state directory serve writes, plus serve's own metrics.
    http = std::make_unique<HttpServer>(
        config.http, config.readiness,
        ReadOnlyStoreProvider(serve.state_dir, config.http.refresh_seconds));
    http->AddMetrics([&metrics](std::string* out) { metrics.AppendPrometheus(out); });
    if (Status s = http->Start(); !s.ok()) {
      std::fprintf(stderr, "rls-shadow: dashboard: %s (or set serve.http = false)\n",
                   s.message().c_str());
      return 1;
    }
    spdlog::info("serve: dashboard and /metrics on port {}", http->port());
  }
  ServeSummary summary;
  Status s = RunServe(config, stop_requested, &metrics, &summary);
  if (http) http->Stop();
  spdlog::info("serve: {} log and {} change messages, {} dead letters, {} batches committed",
               summary.log_messages, summary.change_messages, summary.dead_letters,
               summary.batches);
  if (!s.ok()) {
    std::fprintf(stderr, "rls-shadow: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace rls_shadow
