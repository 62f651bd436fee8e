// ServeMetrics: what serve reports about itself — per-partition lag, events/s, decode errors,
// store latency — as structured log lines every stats interval and as Prometheus text for
// /metrics. Written by the processing thread; read by any thread (relaxed atomics and one lock
// for the per-partition map), so an HTTP server can render it while serve runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace rls_shadow {

class ServeMetrics {
 public:
  void AddEvents(const std::string& source, uint64_t n);  // source: "log" or "change"
  void AddDecodeError(const std::string& source, const std::string& reason);
  void AddFindings(uint64_t findings, uint64_t would_be_denials);
  void ObserveCommit(double store_seconds, double changelog_seconds, uint64_t bytes);
  // Consumer lag of a partition: high watermark minus the next offset to process.
  void SetLag(const std::string& topic, int32_t partition, int64_t lag);
  void ForgetPartition(const std::string& topic, int32_t partition);
  void SetBuffered(uint64_t messages);

  // One structured line for the log: rates since the previous call, totals, lag.
  std::string TakeLogLine(double seconds_since_last);
  // Prometheus text exposition (metric names prefixed rls_shadow_).
  void AppendPrometheus(std::string* out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> events_;         // by source
  std::map<std::string, uint64_t> decode_errors_;  // "source/reason"
  std::map<std::pair<std::string, int32_t>, int64_t> lag_;
  uint64_t findings_ = 0;
  uint64_t denials_ = 0;
  uint64_t commits_ = 0;
  double store_seconds_ = 0;
  double changelog_seconds_ = 0;
  double last_store_seconds_ = 0;
  uint64_t committed_bytes_ = 0;
  uint64_t buffered_ = 0;
  uint64_t events_at_last_line_ = 0;
};

}  // namespace rls_shadow
