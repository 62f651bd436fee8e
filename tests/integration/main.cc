// differential_test: runs the workload against a real PostgreSQL (shadow and enforced) and
// compares PostgreSQL's verdicts with rls-shadow's. run_differential.sh drives the subcommands:
//
//   differential_test run --port P --db NAME --mode shadow|enforced --sql-dir DIR --out FILE
//   differential_test compare --shadow FILE --enforced FILE --log JSONLOG --verdicts FILE
//   differential_test check-report --report FILE --verdicts FILE
//
// Exit status: 0 success, 1 disagreement (or report problem), 2 harness/usage failure.

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "engine_findings.h"
#include "log_matcher.h"
#include "report_check.h"
#include "verdict_compare.h"
#include "workload.h"
#include "workload_runner.h"

namespace rls_shadow::differential {
namespace {

int Run(const RunOptions& options, const std::string& out_path) {
  std::vector<StatementRecord> records;
  std::string error;
  if (!RunWorkload(options, BuildWorkload(), &records, &error)) {
    std::cerr << "differential_test run: " << error << "\n";
    return 2;
  }
  std::ofstream out(out_path);
  for (const StatementRecord& r : records) out << ToJsonLine(r) << "\n";
  if (!out.flush()) {
    std::cerr << "differential_test run: cannot write " << out_path << "\n";
    return 2;
  }
  int errors = 0;
  for (const StatementRecord& r : records) errors += r.outcome.ok ? 0 : 1;
  std::cerr << "differential_test run: " << records.size() << " statements recorded (" << errors
            << " errors) in " << out_path << "\n";
  return 0;
}

int Compare(const std::string& shadow_path, const std::string& enforced_path,
            const std::string& log_path, const std::string& verdicts_path) {
  std::vector<StatementRecord> shadow, enforced;
  ServerLog log;
  FindingsBySession findings;
  std::string error;
  if (!ReadStatementRecords(shadow_path, &shadow, &error) ||
      !ReadStatementRecords(enforced_path, &enforced, &error) || !log.Load(log_path, &error) ||
      !ReadEngineFindings(verdicts_path, &findings, &error)) {
    std::cerr << "differential_test compare: " << error << "\n";
    return 2;
  }
  std::vector<StatementMatch> matches = MatchStatements(log, shadow);
  ComparisonTotals t;
  if (!CompareRuns(shadow, enforced, matches, findings, std::cout, &t, &error)) {
    std::cerr << "differential_test compare: " << error << "\n";
    return 2;
  }
  std::cout << "differential: compared " << t.compared << ", agreed " << t.agreed << ", missed "
            << t.missed << ", false " << t.false_denial << ", undecided " << t.undecided
            << ", wrong_effect " << t.wrong_effect << "\n";
  std::cout << t.passed() << " passed, " << t.failed() << " failed\n";
  return t.failed() > 0 ? 1 : 0;
}

int CheckReportCommand(const std::string& report_path, const std::string& verdicts_path) {
  FindingsBySession findings;
  std::string error;
  if (!ReadEngineFindings(verdicts_path, &findings, &error)) {
    std::cerr << "differential_test check-report: " << error << "\n";
    return 2;
  }
  std::vector<std::string> problems = CheckReport(report_path, findings);
  for (const std::string& p : problems) std::cout << "report: " << p << "\n";
  if (problems.empty()) std::cout << "report: ok\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace
}  // namespace rls_shadow::differential

namespace {

int Main(int argc, char** argv) {
  using namespace rls_shadow::differential;
  CLI::App app{"differential test of rls-shadow against PostgreSQL"};
  app.require_subcommand(1);

  RunOptions run_options;
  std::string mode = "shadow", out_path;
  CLI::App* run = app.add_subcommand("run", "run the workload once and record outcomes");
  run->add_option("--host", run_options.target.host, "server address")->capture_default_str();
  run->add_option("--port", run_options.target.port, "server port")->required();
  run->add_option("--db", run_options.target.dbname, "database to (re)create")->required();
  run->add_option("--superuser", run_options.superuser)->capture_default_str();
  run->add_option("--mode", mode)->check(CLI::IsMember({"shadow", "enforced"}))->required();
  run->add_option("--sql-dir", run_options.sql_dir, "directory of the SQL files")->required();
  run->add_option("--out", out_path, "statement records (JSON lines)")->required();
  run->add_option("--logical-slot", run_options.logical_slot,
                  "create this wal2json slot in the new database first");

  std::string shadow_path, enforced_path, log_path, verdicts_path, report_path;
  CLI::App* compare = app.add_subcommand("compare", "compare PostgreSQL with rls-shadow");
  compare->add_option("--shadow", shadow_path)->required();
  compare->add_option("--enforced", enforced_path)->required();
  compare->add_option("--log", log_path, "the shadow run's jsonlog")->required();
  compare->add_option("--verdicts", verdicts_path)->required();

  CLI::App* check = app.add_subcommand("check-report", "light check of the JSON report");
  check->add_option("--report", report_path)->required();
  check->add_option("--verdicts", verdicts_path)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (run->parsed()) {
    run_options.mode = mode == "enforced" ? RunMode::kEnforced : RunMode::kShadow;
    return Run(run_options, out_path);
  }
  if (compare->parsed()) return Compare(shadow_path, enforced_path, log_path, verdicts_path);
  return CheckReportCommand(report_path, verdicts_path);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "differential_test: " << e.what() << "\n";
    return 2;
  }
}
