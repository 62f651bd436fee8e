// ShipProducer: the Kafka side of `rls-shadow ship` — an idempotent producer (acks=all) that
// carries a line to a topic with its key and provenance headers, and the read-back a restart
// needs (which of our lines already reached the topic past the last checkpoint). Not
// thread-safe: one per shipper.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/kafka_client.h"
#include "rls_shadow/status.h"

namespace rls_shadow::ship {

// The headers ship puts on every message, so that ship can recognise its own output.
inline constexpr char kSourceHeader[] = "rls-shadow-source";  // log file identity (see LogShipper)
inline constexpr char kOffsetHeader[] = "rls-shadow-offset";  // the line's first byte, decimal
inline constexpr char kFileHeader[] = "rls-shadow-file";      // the file's name (informational)
inline constexpr char kPositionHeader[] =
    "rls-shadow-position";  // change stream: see ChangeShipper

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

// Per partition: the offset a read-back starts or stops at.
using PartitionOffsets = std::map<int32_t, int64_t>;

class ShipProducer {
 public:
  ShipProducer() = default;
  ShipProducer(const ShipProducer&) = delete;
  ShipProducer& operator=(const ShipProducer&) = delete;

  // Connects to `config.brokers` for `topic` (which must exist: its partitions are looked up).
  // Keys are hashed with murmur2 like the Java client, so any client co-partitions with us.
  Status Open(const KafkaConfig& config, const std::string& topic);

  // Queues `value` keyed by `key` (waiting while the local queue is full). A message larger
  // than message.max.bytes is counted, logged and dropped. Errors: the message is refused
  // locally for another reason, or an earlier message failed delivery.
  Status Produce(std::string_view key, std::string_view value, const Headers& headers);
  // Waits until every queued message is acknowledged. Errors: a delivery failed, or timeout.
  Status Flush();
  // Serves delivery reports without blocking.
  void Poll() { rd_kafka_poll(producer_.get(), 0); }

  // The topic's end (high watermark) offset of every partition.
  Status EndOffsets(PartitionOffsets* out);

  // Reads every partition from `from` (a partition missing there: from its start) up to its
  // current end, calling `visit` with each message. For restarts.
  Status ReadBack(const PartitionOffsets& from,
                  const std::function<void(const rd_kafka_message_t&)>& visit);

  // The last `count` messages of every partition (for restarts of the change stream).
  Status ReadTail(int64_t count, const std::function<void(const rd_kafka_message_t&)>& visit);

  uint64_t produced() const { return produced_; }
  // Messages refused as larger than message.max.bytes (logged, skipped, not an error).
  uint64_t oversized() const { return oversized_; }

 private:
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);

  KafkaConfig config_;
  std::string topic_;
  int partitions_ = 0;
  KafkaHandle producer_;
  uint64_t produced_ = 0;
  uint64_t oversized_ = 0;
  std::string delivery_error_;  // the first failed delivery
};

}  // namespace rls_shadow::ship
