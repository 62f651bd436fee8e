#include "cli/serve_command.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>

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
}

int RunServeCommand(const ServeArgs& args, ShadowConfig config) {
  ServeConfig& serve = config.serve;
  if (!args.state_dir.empty()) serve.state_dir = args.state_dir;
  if (!args.instance_id.empty()) serve.instance_id = args.instance_id;
  if (!args.policies_path.empty()) serve.policies_path = args.policies_path;
  if (!args.schema_path.empty()) serve.schema_path = args.schema_path;
  if (!args.roles_path.empty()) serve.roles_path = args.roles_path;
  if (!args.brokers.empty()) config.kafka.brokers = args.brokers;
  if (serve.policies_path.empty()) {
    std::fprintf(stderr, "rls-shadow: serve needs the migration: serve.policies or --policies\n");
    return 2;
  }
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  ServeMetrics metrics;
  ServeSummary summary;
  Status s = RunServe(config, stop_requested, &metrics, &summary);
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
