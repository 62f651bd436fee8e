// Thin RAII over librdkafka's C API: client creation from KafkaConfig (rls-shadow's defaults,
// then the operator's passthrough properties), and owners for the handles librdkafka hands out.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kafka/kafka_config.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;
using KafkaPartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;

// A configuration with bootstrap.servers, then `defaults` (rls-shadow's choices for this
// client), then the operator's properties, which win. Fails naming the property librdkafka
// rejected.
Status MakeKafkaConf(const KafkaConfig& config, const std::map<std::string, std::string>& defaults,
                     KafkaConf* out);

// Creates a client of `type` from `conf` (which it takes over, also on failure).
Status NewKafkaClient(rd_kafka_type_t type, KafkaConf conf, KafkaHandle* out);

// The conf for an idempotent producer that waits for every in-sync replica (acks=all), plus
// `extra` settings.
Status MakeProducerConf(const KafkaConfig& config, const std::map<std::string, std::string>& extra,
                        KafkaConf* out);

// Delivery results of produced messages: pass a tracker as the message's opaque
// (RD_KAFKA_V_OPAQUE) on a producer whose conf went through EnableDeliveryReports; after a
// flush, failed() tells whether any of them was not delivered.
class DeliveryTracker {
 public:
  void Record(rd_kafka_resp_err_t err);
  bool failed() const { return failures_ > 0; }
  const std::string& first_error() const { return first_error_; }
  void Reset() {
    failures_ = 0;
    first_error_.clear();
  }

 private:
  uint64_t failures_ = 0;
  std::string first_error_;
};
void EnableDeliveryReports(rd_kafka_conf_t* conf);

// Waits until every produced message is acknowledged (or failed), at most `timeout_ms`.
Status FlushProducer(rd_kafka_t* producer, int timeout_ms);

// A message to produce: copied by librdkafka, so the views need only live through the call.
struct OutgoingMessage {
  int32_t partition = RD_KAFKA_PARTITION_UA;  // UA: the producer's partitioner picks it
  std::string_view key;
  std::optional<std::string_view> value;  // nullopt: a tombstone (null value)
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  void* opaque = nullptr;  // the delivery report's msg opaque (e.g. a DeliveryTracker)
};

// Produces `m` to `topic`, waiting (serving delivery reports) while librdkafka's local queue is
// full. Returns librdkafka's error when the message was refused for another reason.
rd_kafka_resp_err_t ProduceMessage(rd_kafka_t* producer, const std::string& topic,
                                   const OutgoingMessage& m);

// The value of header `name` of `m` (its last occurrence), or empty.
std::string_view HeaderValue(const rd_kafka_message_t& m, const char* name);

// The partition count of `topic`. Fails when the topic does not exist (or metadata cannot be
// had within `timeout_ms`): rls-shadow never creates topics.
Status TopicPartitionCount(rd_kafka_t* client, const std::string& topic, int timeout_ms,
                           int* count);

// A partition's watermarks as a consumer last fetched them (no request is made); nullopt until
// a fetch has returned them.
struct Watermarks {
  int64_t low = 0;
  int64_t high = 0;
};
std::optional<Watermarks> CachedWatermarks(rd_kafka_t* consumer, const std::string& topic,
                                           int32_t partition);

// "topic[partition]@offset", for messages and logs.
std::string DescribePosition(const rd_kafka_message_t& m);

}  // namespace rls_shadow
