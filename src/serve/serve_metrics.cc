#include "serve/serve_metrics.h"

#include <fmt/format.h>

namespace rls_shadow {

void ServeMetrics::AddEvents(const std::string& source, uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  events_[source] += n;
}

void ServeMetrics::AddDecodeError(const std::string& source, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++decode_errors_[source + "/" + reason];
}

void ServeMetrics::AddFindings(uint64_t findings, uint64_t would_be_denials) {
  std::lock_guard<std::mutex> lock(mu_);
  findings_ += findings;
  denials_ += would_be_denials;
}

void ServeMetrics::ObserveCommit(double store_seconds, double changelog_seconds, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ++commits_;
  store_seconds_ += store_seconds;
  changelog_seconds_ += changelog_seconds;
  last_store_seconds_ = store_seconds;
  committed_bytes_ += bytes;
}

void ServeMetrics::SetLag(const std::string& topic, int32_t partition, int64_t lag) {
  std::lock_guard<std::mutex> lock(mu_);
  lag_[{topic, partition}] = lag;
}

void ServeMetrics::ForgetPartition(const std::string& topic, int32_t partition) {
  std::lock_guard<std::mutex> lock(mu_);
  lag_.erase({topic, partition});
}

void ServeMetrics::SetBuffered(uint64_t messages) {
  std::lock_guard<std::mutex> lock(mu_);
  buffered_ = messages;
}

std::string ServeMetrics::TakeLogLine(double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t events = 0;
  for (const auto& [source, n] : events_) events += n;
  uint64_t errors = 0;
  for (const auto& [reason, n] : decode_errors_) errors += n;
  std::string lag;
  for (const auto& [tp, n] : lag_) {
    lag += fmt::format("{}{}[{}]={}", lag.empty() ? "" : ",", tp.first, tp.second, n);
  }
  const double rate = seconds > 0 ? (events - events_at_last_line_) / seconds : 0;
  events_at_last_line_ = events;
  return fmt::format(
      "events={} events_per_s={:.0f} decode_errors={} findings={} would_be_denials={} "
      "commits={} last_store_ms={:.1f} buffered={} lag={}",
      events, rate, errors, findings_, denials_, commits_, last_store_seconds_ * 1e3, buffered_,
      lag.empty() ? "-" : lag);
}

void ServeMetrics::AppendPrometheus(std::string* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  *out += "# HELP rls_shadow_serve_events_total Messages analysed, by source.\n";
  *out += "# TYPE rls_shadow_serve_events_total counter\n";
  for (const auto& [source, n] : events_) {
    *out += fmt::format("rls_shadow_serve_events_total{{source=\"{}\"}} {}\n", source, n);
  }
  *out += "# HELP rls_shadow_serve_decode_errors_total Messages sent to the dead-letter topic.\n";
  *out += "# TYPE rls_shadow_serve_decode_errors_total counter\n";
  for (const auto& [key, n] : decode_errors_) {
    const size_t slash = key.find('/');
    *out += fmt::format("rls_shadow_serve_decode_errors_total{{source=\"{}\",reason=\"{}\"}} {}\n",
                        key.substr(0, slash), key.substr(slash + 1), n);
  }
  *out += "# HELP rls_shadow_serve_consumer_lag Messages behind the partition's end.\n";
  *out += "# TYPE rls_shadow_serve_consumer_lag gauge\n";
  for (const auto& [tp, n] : lag_) {
    *out += fmt::format("rls_shadow_serve_consumer_lag{{topic=\"{}\",partition=\"{}\"}} {}\n",
                        tp.first, tp.second, n);
  }
  *out += "# TYPE rls_shadow_serve_commits_total counter\n";
  *out += fmt::format("rls_shadow_serve_commits_total {}\n", commits_);
  *out += "# HELP rls_shadow_serve_store_seconds_total Time spent writing RocksDB batches.\n";
  *out += "# TYPE rls_shadow_serve_store_seconds_total counter\n";
  *out += fmt::format("rls_shadow_serve_store_seconds_total {:.6f}\n", store_seconds_);
  *out += "# TYPE rls_shadow_serve_changelog_seconds_total counter\n";
  *out += fmt::format("rls_shadow_serve_changelog_seconds_total {:.6f}\n", changelog_seconds_);
  *out += "# TYPE rls_shadow_serve_buffered_messages gauge\n";
  *out += fmt::format("rls_shadow_serve_buffered_messages {}\n", buffered_);
}

}  // namespace rls_shadow
