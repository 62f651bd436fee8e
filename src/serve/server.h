// Server: the state and steps of `rls-shadow serve` (serve_job.h says what it does). Internal
// to src/serve/: serve_job.cc sets it up, runs the loop and commits batches,
// server_rebalance.cc takes partitions over and gives them up, server_input.cc consumes,
// orders and hands messages to the engine.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyze/shadow_engine.h"
#include "kafka/kafka_client.h"
#include "pipeline/config_file.h"
#include "rls_shadow/change_event.h"
#include "rls_shadow/log_reader.h"
#include "rls_shadow/store.h"
#include "serve/changelog.h"
#include "serve/dead_letter_sink.h"
#include "serve/serve_job.h"
#include "serve/serve_metrics.h"

namespace rls_shadow::serve {
using Clock = std::chrono::steady_clock;

inline constexpr char kGlobalSnapshot[] = "serve/global";    // the engine's non-session state
inline constexpr char kAppliedSnapshot[] = "serve/applied";  // "<run>:<seq>" of the last batch

inline std::string SessionPrefix(const std::string& topic, int32_t partition) {
  return fmt::format("serve/s/{}/{}/", topic, partition);
}
inline std::string OffsetCheckpoint(const std::string& topic, int32_t partition) {
  return fmt::format("kafka:{}:{}", topic, partition);
}
inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A log message consumed but not analysed yet: it waits for the change stream to reach its
// time. Rejected messages wait in line too, so they are counted exactly once with the batch
// that passes their offset.
struct BufferedLog {
  int32_t partition = 0;
  int64_t offset = 0;
  LogEvent event;
  std::optional<RejectedRecord> rejected;
  KafkaMessage raw;  // kept for the dead-letter topic when rejected
};

struct BufferedChange {
  int64_t offset = 0;
  ChangeEvent event;
  std::optional<RejectedRecord> rejected;
  KafkaMessage raw;  // kept for the dead-letter topic when rejected
};

// A log partition this instance owns, with its messages consumed but not analysed yet.
struct OwnedPartition {
  int64_t consumed_next = -1;  // past the last message consumed (-1: none yet)
  std::deque<BufferedLog> queue;
  // Where a restart must resume: the first message not analysed.
  int64_t CommitOffset() const { return queue.empty() ? consumed_next : queue.front().offset; }
};

class Server {
 public:
  Server(const ShadowConfig& config, const std::atomic<bool>& stop, ServeMetrics* metrics,
         ServeSummary* summary)
      : config_(config),
        kafka_(config.kafka),
        serve_(config.serve),
        stop_(stop),
        metrics_(metrics),
        summary_(summary),
        aggregator_(config.analyzer.max_examples) {}

  Status Run();

 private:
  Status Setup();
  Status RollForward(const ChangelogState& changelog);
  Status RestoreEngine();
  Status OpenConsumers();
  Status CheckTopics();
  Status PollChanges();
  void OnLogMessage(KafkaMessage m);
  Status Deliver();
  void DeliverChangesUntil(int64_t time_us);
  void DeliverChange(BufferedChange& c);
  bool PartitionCaughtUp(int32_t partition, const OwnedPartition& owned) const;
  bool LogCaughtUp() const;
  // Updates the metrics' lag of each owned partition (messages behind its end) and returns it
  // as the report's input health reads it: "topic[partition]=messages" lines.
  std::string RefreshLag();
  // The partition whose head is analysed next, or null when one must wait for more input.
  OwnedPartition* NextLog();
  void MaybeFlushIdle();
  void UpdateChangeCaughtUp();
  Status Commit();
  void Backpressure();
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* parts, void* opaque);
  Status Assign(rd_kafka_topic_partition_list_t* parts);
  Status Revoke(rd_kafka_topic_partition_list_t* parts);
  void Reject(const RejectedRecord& r, const rd_kafka_message_t& m, const char* source);

  const ShadowConfig& config_;
  const KafkaConfig& kafka_;
  const ServeConfig& serve_;
  const std::atomic<bool>& stop_;
  ServeMetrics* metrics_;
  ServeSummary* summary_;

  std::string instance_;
  std::string run_;
  uint64_t seq_ = 0;
  PolicyCatalog catalog_;
  std::unique_ptr<Store> store_;
  FindingAggregator aggregator_;
  std::unique_ptr<ShadowEngine> engine_;
  bool changes_enabled_ = false;
  int log_partitions_ = 0;

  KafkaHandle producer_;
  DeliveryTracker changelog_delivery_;
  DeliveryTracker dead_letter_delivery_;
  std::unique_ptr<ChangelogWriter> changelog_;
  std::unique_ptr<DeadLetterSink> dead_letters_;
  KafkaHandle consumer_;         // the group: the log topic
  KafkaHandle change_consumer_;  // assigned: the whole change topic
  Status fatal_;                 // an error raised inside a librdkafka callback

  LogMessageDecoder log_decoder_;
  std::map<int32_t, OwnedPartition> owned_;
  std::unordered_map<std::string, int32_t> session_partition_;
  size_t buffered_logs_ = 0;  // over every partition's queue
  bool paused_ = false;
  bool assigned_ = false;  // the group has given this instance its partitions
  std::deque<BufferedChange> change_buffer_;
  int64_t change_consumed_next_ = 0;
  int64_t newest_change_us_ = INT64_MIN;
  bool change_caught_up_ = false;
  // Sessions taken over from the changelog, to be written to this instance's store; session
  // snapshots of a previous ownership that are stale now.
  std::set<std::string> adopted_sessions_;
  std::vector<std::string> stale_snapshots_;

  Clock::time_point last_input_ = Clock::now();
  bool idle_flushed_ = false;

  // This batch, for the input-health counters.
  InputStats batch_input_;
  uint64_t since_commit_ = 0;  // messages analysed or rejected since the last commit
};

}  // namespace rls_shadow::serve
