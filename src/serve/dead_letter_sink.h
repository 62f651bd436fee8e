// DeadLetterSink: a message serve cannot decode goes to the dead-letter topic unchanged (key and
// value), with why and where it came from in headers: reason, message, topic, partition,
// offset. Counted by reason; consumption goes on.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kafka/kafka_client.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

class DeadLetterSink {
 public:
  // `producer` is owned by the caller; an empty topic only counts.
  DeadLetterSink(rd_kafka_t* producer, std::string topic, DeliveryTracker* tracker);

  // Routes `m` with `reason` (machine-readable) and `message` (for a person).
  Status Send(const rd_kafka_message_t& m, const std::string& reason, const std::string& message);

  const std::map<std::string, uint64_t>& by_reason() const { return by_reason_; }
  uint64_t total() const { return total_; }

 private:
  rd_kafka_t* producer_;
  std::string topic_;
  DeliveryTracker* tracker_;
  std::map<std::string, uint64_t> by_reason_;
  uint64_t total_ = 0;
};

}  // namespace rls_shadow
