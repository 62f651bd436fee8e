// rls-shadow: the command line. Subcommands:
//   analyze  — read PostgreSQL logs, evaluate the restrictive migration, record would-be denials
//   report   — write the readiness report of a state directory
//   serve    — the streaming service: Kafka in, RocksDB out, until SIGTERM
//   ship     — tail the jsonlog (--log) or pg_recvlogical's wal2json (--cdc -) into Kafka
//   dashboard — serve the dashboard API and page over a state directory (read-only)
// Exit codes: 0 success; 1 a runtime failure (unreadable file, policy file that does not parse,
// store error); 2 a usage error; 3 `report --fail-on-not-ready` and the verdict is "not ready".
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>

#include "cli/serve_command.h"
#include "cli/dashboard_command.h"
#include "cli/memory_tuning.h"
#include "pipeline/analyze_job.h"
#include "pipeline/config_file.h"
#include "pipeline/time_arg.h"
#include "rls_shadow/report.h"
#include "rls_shadow/store.h"
#include "ship/ship.h"

namespace rls_shadow {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNotReady = 3;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "rls-shadow: %s\n", message.c_str());
  return kExitFailure;
}

// Set by SIGTERM/SIGINT: long-running subcommands stop reading, flush and return.
std::atomic<bool> stop_requested{false};
void RequestStop(int) { stop_requested.store(true); }

int RunShip(const ShadowConfig& config, const std::string& log_path, const std::string& cdc) {
  ship::ShipOptions options;
  options.kafka = config.kafka;
  options.ship = config.ship;
  options.log_path = log_path;
  options.stop = &stop_requested;
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGINT, RequestStop);
  ship::ShipSummary summary;
  auto start = std::chrono::steady_clock::now();
  Status s = cdc.empty() ? ship::RunShipLog(options, &summary)
                         : ship::RunShipChanges(options, &summary);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::info(
      "ship: {} lines read, {} produced ({:.0f} lines/s), {} already in the topic, {} without a "
      "key, {} oversized, {} files",
      summary.lines_read, summary.lines_produced,
      seconds > 0 ? summary.lines_produced / seconds : 0.0, summary.lines_already_sent,
      summary.lines_without_key, summary.lines_oversized, summary.files);
  return s.ok() ? 0 : Fail(s.message());
}

int RunReport(const std::string& db, const std::string& format, const std::string& out_path,
              const std::string& since_arg, const std::string& until_arg,
              const ShadowConfig& config, bool fail_on_not_ready,
              const std::string& previous_path) {
  std::unique_ptr<Store> store;
  if (Status s = Store::OpenReadOnly(db, &store); !s.ok()) return Fail(s.message());
  int64_t now = NowUs();
  int64_t until = 0;
  if (!until_arg.empty()) {
    auto t = ParseTimeArg(until_arg, now);
    if (!t) return Fail(fmt::format("--until: not a time: '{}'", until_arg));
    until = *t;
  } else {
    until = LatestDataEndUs(*store, now);
  }
  int64_t since = until - config.readiness.window_seconds * 1000000;
  if (!since_arg.empty()) {
    auto t = ParseTimeArg(since_arg, now);
    if (!t) return Fail(fmt::format("--since: not a time: '{}'", since_arg));
    since = *t;
  }
  if (since >= until) return Fail("--since must be before --until");

  Report report;
  if (Status s = BuildReport(*store, config.readiness, since, until, &report); !s.ok()) {
    return Fail(s.message());
  }
  if (!previous_path.empty()) {
    std::ifstream in(previous_path);
    std::string previous((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in) return Fail(fmt::format("cannot read {}", previous_path));
    if (Status s = CompareWithPrevious(previous, &report); !s.ok()) return Fail(s.message());
  }
  std::string text = format == "md"     ? RenderReportMarkdown(report)
                     : format == "html" ? RenderReportHtml(report)
                                        : RenderReportJson(report);
  if (out_path.empty() || out_path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
  } else {
    std::ofstream out(out_path, std::ios::trunc);
    if (!out || !(out << text)) return Fail(fmt::format("cannot write {}", out_path));
  }
  return (fail_on_not_ready && !report.ready) ? kExitNotReady : 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"rls-shadow: shadow-mode evaluation of PostgreSQL row-level security"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] {
    return fmt::format("rls-shadow {}\nallocator: {}", RLS_SHADOW_VERSION, AllocatorDescription());
  });
  // Global options may follow the subcommand too: `rls-shadow serve --config F`.
  app.fallthrough();
  std::string config_path;
  std::string log_level = "info";
  app.add_option("--config", config_path, "TOML configuration (see config/rls-shadow.toml)")
      ->check(CLI::ExistingFile);
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  AnalyzeOptions analyze;
  std::string format_name = "auto";
  CLI::App* analyze_cmd = app.add_subcommand(
      "analyze", "Read PostgreSQL logs and record the accesses the migration would deny");
  analyze_cmd
      ->add_option("--policies", analyze.policies_path,
                   "the restrictive migration (CREATE POLICY, ALTER TABLE ... FORCE)")
      ->required()
      ->check(CLI::ExistingFile);
  analyze_cmd->add_option("--schema", analyze.schema_path, "pg_dump --schema-only output")
      ->required()
      ->check(CLI::ExistingFile);
  analyze_cmd->add_option("--roles", analyze.roles_path, "pg_dumpall --roles-only output")
      ->required()
      ->check(CLI::ExistingFile);
  analyze_cmd->add_option("--log", analyze.log_paths, "jsonlog or csvlog file; - for stdin")
      ->required();
  analyze_cmd->add_option("--log-format", format_name, "auto, jsonlog or csvlog")
      ->check(CLI::IsMember({"auto", "jsonlog", "csvlog"}));
  analyze_cmd->add_option("--db", analyze.db_dir, "state directory (RocksDB)")->required();
  analyze_cmd->add_option("--verdicts", analyze.verdicts_path,
                          "write every verdict as a JSON line to this file");
  analyze_cmd->add_option("--dead-letters", analyze.dead_letter_path,
                          "append rejected log records as JSON lines to this file");
  std::string cdc_format_name = "auto";
  analyze_cmd->add_option("--cdc", analyze.cdc_paths,
                          "logical-decoding stream (wal2json v2 or Debezium JSON lines); - for "
                          "stdin");
  analyze_cmd->add_option("--cdc-format", cdc_format_name, "auto, wal2json or debezium")
      ->check(CLI::IsMember({"auto", "wal2json", "debezium"}));
  analyze_cmd
      ->add_option("--seed", analyze.seed_paths,
                   "pg_dump --data-only of the tables when capture began (rows for the index)")
      ->check(CLI::ExistingFile);

  std::string report_db, report_format = "json", report_out, since, until;
  bool fail_on_not_ready = false;
  CLI::App* report_cmd = app.add_subcommand("report", "Write the readiness report");
  report_cmd->add_option("--db", report_db, "state directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  report_cmd->add_option("--format", report_format, "json, md or html")
      ->check(CLI::IsMember({"json", "md", "html"}));
  report_cmd->add_option("--out", report_out, "write to this file instead of stdout");
  report_cmd->add_option("--since", since, "window start: ISO-8601 UTC or an age like 7d");
  report_cmd->add_option("--until", until, "window end: ISO-8601 UTC or an age like 1h");
  report_cmd->add_flag("--fail-on-not-ready", fail_on_not_ready,
                       "exit 3 when the verdict is not ready (the report is still written)");
  std::string previous;
  report_cmd
      ->add_option("--previous", previous,
                   "an earlier --format json report: say what changed since it")
      ->check(CLI::ExistingFile);

  std::string dashboard_db, dashboard_listen;
  CLI::App* dashboard_cmd = app.add_subcommand(
      "dashboard", "Serve the dashboard API and page over a state directory (read-only)");
  dashboard_cmd->add_option("--db", dashboard_db, "state directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  dashboard_cmd->add_option("--listen", dashboard_listen,
                            "host:port (default: [http] listen, 127.0.0.1:8080)");

  ServeArgs serve;
  AddServeCommand(app, &serve);
  std::string ship_log, ship_cdc;
  CLI::App* ship_cmd = app.add_subcommand(
      "ship", "Tail the jsonlog (--log) or wal2json from pg_recvlogical (--cdc -) into Kafka");
  CLI::Option* ship_log_opt =
      ship_cmd->add_option("--log", ship_log, "jsonlog directory (its *.json files) or file");
  ship_cmd->add_option("--cdc", ship_cdc, "- : wal2json format-version 2 lines on stdin")
      ->check(CLI::IsMember({"-"}))
      ->excludes(ship_log_opt);
  ship_cmd->require_option(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "rls-shadow: %s\n", e.what());
    return kExitUsage;
  }

  // Logs go to stderr: stdout carries the report.
  spdlog::set_default_logger(spdlog::stderr_color_mt("rls-shadow"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);

  ShadowConfig config;
  if (!config_path.empty()) {
    if (Status s = LoadConfigFile(config_path, &config); !s.ok()) return Fail(s.message());
  }

  if (*serve.command) return RunServeCommand(serve, config);
  if (*analyze_cmd) {
    analyze.config = config;
    analyze.format = format_name == "jsonlog"  ? LogFormat::kJsonLog
                     : format_name == "csvlog" ? LogFormat::kCsvLog
                                               : LogFormat::kAuto;
    ParseCdcFormat(cdc_format_name, &analyze.cdc_format);
    AnalyzeSummary summary;
    auto start = std::chrono::steady_clock::now();
    if (Status s = RunAnalyze(analyze, &summary); !s.ok()) return Fail(s.message());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::info(
        "analysed {} lines ({} rejected) in {:.2f}s ({:.0f} lines/s): {} statements, "
        "{} findings, {} would-be denials; parse cache {} hits / {} misses",
        summary.lines_read, summary.lines_rejected, seconds,
        seconds > 0 ? summary.lines_read / seconds : 0.0, summary.statements, summary.findings,
        summary.would_be_denials, summary.parse_cache_hits, summary.parse_cache_misses);
    if (summary.changes_enabled) {
      const JoinStats& j = summary.join;
      spdlog::info(
          "change stream: {} records ({} rejected), {} seed rows, {} rows indexed; {} row "
          "changes in {} transactions: {} linked ({} ambiguous), {} unlinked; {} row-dependent "
          "writes decided by their rows, {} left undecided",
          summary.change_records_read, summary.change_records_rejected, summary.seed_rows,
          summary.indexed_rows, j.changes, j.transactions, j.linked, j.ambiguous, j.unlinked,
          j.writes_decided, j.writes_unlinked);
      if (summary.changes_not_applied > 0) {
        spdlog::warn(
            "{} row changes carried no primary key and were not indexed (REPLICA IDENTITY "
            "NOTHING?)",
            summary.changes_not_applied);
      }
    }
    if (summary.statements_unparsed > 0) {
      spdlog::warn("{} statements did not parse and were not evaluated",
                   summary.statements_unparsed);
    }
    return 0;
  }
  if (*ship_cmd) return RunShip(config, ship_log, ship_cdc);
  if (*dashboard_cmd) return RunDashboard(dashboard_db, dashboard_listen, config);
  return RunReport(report_db, report_format, report_out, since, until, config, fail_on_not_ready,
                   previous);
}

}  // namespace
}  // namespace rls_shadow

int main(int argc, char** argv) {
  rls_shadow::TuneMemory(argv);
  try {
    return rls_shadow::Main(argc, argv);
  } catch (const std::exception& e) {
    // Nothing is expected to throw past module borders; if something does, one line, not a trace.
    std::fprintf(stderr, "rls-shadow: internal error: %s\n", e.what());
    return 1;
  }
}
