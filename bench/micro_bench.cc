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

#include "jsonlog_generator.h"
#include "rls_shadow/log_reader.h"

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

}  // namespace

BENCHMARK_MAIN();
