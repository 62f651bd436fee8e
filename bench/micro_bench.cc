// micro_bench: Google Benchmark micro-benchmarks of engine parts, on logs made by the jsonlog
// generator (jsonlog_generator.h). Build with -DRLS_SHADOW_MICRO_BENCH=ON; run e.g.
//   build/bench/micro_bench --benchmark_filter=ReadLog
// Each benchmark reports items/s (log records) and bytes/s.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "analyze/policy_catalog.h"
#include "analyze/shadow_engine.h"
#include "jsonlog_generator.h"
#include "pipeline/analyze_job.h"
#include "rls_shadow/log_reader.h"
#include "rls_shadow/store.h"

namespace {

// A generated jsonlog file of `lines` lines, written once to the temporary directory (so it is
// read from the page cache) and removed at exit.
class GeneratedLog {
 public:
  explicit GeneratedLog(uint64_t lines) {
    path_ = (std::filesystem::temp_directory_path() /
             ("rls_shadow_micro_bench." + std::to_string(::getpid()) + "." + std::to_string(lines) +
              ".json"))
                .string();
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    rls_shadow::bench::JsonLogOptions options;
    options.lines = lines;
    options.sessions = lines / 300 + 1;
    ok_ = f != nullptr && rls_shadow::bench::GenerateJsonLog(options, f, &stats_);
    if (f != nullptr) ok_ = std::fclose(f) == 0 && ok_;
  }
  ~GeneratedLog() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  GeneratedLog(const GeneratedLog&) = delete;
  GeneratedLog& operator=(const GeneratedLog&) = delete;

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  const rls_shadow::bench::JsonLogStats& stats() const { return stats_; }

 private:
  std::string path_;
  rls_shadow::bench::JsonLogStats stats_;
  bool ok_ = false;
};

// rls_shadow::ReadLog over a jsonlog file: decoding only, events go to a counting sink.
void BM_ReadLog(benchmark::State& state) {
  static GeneratedLog log(100000);
  if (!log.ok()) {
    state.SkipWithError("could not write the generated log");
    return;
  }
  uint64_t events = 0;
  for (auto _ : state) {
    rls_shadow::ReadOptions options;
    options.format = rls_shadow::LogFormat::kJsonLog;
    rls_shadow::ReadSummary summary;
    const rls_shadow::Status status = rls_shadow::ReadLog(
        log.path(), options,
        [&events](const rls_shadow::LogEvent& e) {
          ++events;
          benchmark::DoNotOptimize(e.sql.data());
        },
        rls_shadow::RejectSink(), &summary);
    if (!status.ok()) {
      state.SkipWithError(status.message().c_str());
      return;
    }
    if (summary.records_rejected != 0) {
      state.SkipWithError("the reader rejected generated records");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * log.stats().lines));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * log.stats().bytes));
  state.counters["events"] = static_cast<double>(events) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ReadLog)->Unit(benchmark::kMillisecond);

// The generated log's events, decoded once, so the stages after decoding can be timed alone.
const std::vector<rls_shadow::LogEvent>& DecodedEvents() {
  static std::vector<rls_shadow::LogEvent> events = [] {
    static GeneratedLog log(100000);
    std::vector<rls_shadow::LogEvent> out;
    rls_shadow::ReadSummary summary;
    rls_shadow::ReadLog(
        log.path(), rls_shadow::ReadOptions{},
        [&out](const rls_shadow::LogEvent& e) { out.push_back(e); }, rls_shadow::RejectSink(),
        &summary);
    return out;
  }();
  return events;
}

const rls_shadow::PolicyCatalog& BenchCatalog() {
  static rls_shadow::PolicyCatalog catalog = [] {
    const std::string dir = RLS_SHADOW_BENCH_POLICIES;
    rls_shadow::PolicyCatalog c;
    rls_shadow::LoadCatalog(dir + "/roles.sql", dir + "/schema.sql", dir + "/migration.sql", &c);
    return c;
  }();
  return catalog;
}

// The ShadowEngine (session tracking, shape cache, policy evaluation) over decoded events:
// what analyze costs between the reader and the aggregator.
void BM_ShadowEngine(benchmark::State& state) {
  const auto& events = DecodedEvents();
  rls_shadow::AnalyzerConfig config;
  uint64_t findings = 0;
  for (auto _ : state) {
    rls_shadow::ShadowEngine engine(BenchCatalog(), config,
                                    [&findings](const rls_shadow::Finding&) { ++findings; });
    for (const auto& e : events) engine.OnEvent(e);
    engine.Finish();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
  state.counters["findings"] =
      static_cast<double>(findings) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ShadowEngine)->Unit(benchmark::kMillisecond);

// The FindingAggregator's Add over the engine's findings: the in-memory half of "record".
void BM_FindingAggregator(benchmark::State& state) {
  static std::vector<rls_shadow::Finding> findings = [] {
    std::vector<rls_shadow::Finding> out;
    rls_shadow::AnalyzerConfig config;
    rls_shadow::ShadowEngine engine(BenchCatalog(), config,
                                    [&out](const rls_shadow::Finding& f) { out.push_back(f); });
    for (const auto& e : DecodedEvents()) engine.OnEvent(e);
    engine.Finish();
    return out;
  }();
  for (auto _ : state) {
    rls_shadow::FindingAggregator agg;
    for (const auto& f : findings) agg.Add(f);
    benchmark::DoNotOptimize(agg.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * findings.size()));
}
BENCHMARK(BM_FindingAggregator)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
