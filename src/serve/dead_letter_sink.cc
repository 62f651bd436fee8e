#include "serve/dead_letter_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace rls_shadow {

DeadLetterSink::DeadLetterSink(rd_kafka_t* producer, std::string topic, DeliveryTracker* tracker)
    : producer_(producer), topic_(std::move(topic)), tracker_(tracker) {}

Status DeadLetterSink::Send(const rd_kafka_message_t& m, const std::string& reason,
                            const std::string& message) {
  ++by_reason_[reason];
  // The first few are logged; the rest are counted (and in the topic). The position, not the
  // content: messages may hold tenant data.
  if (total_++ < 10) {
    spdlog::warn("dead letter {} ({}): {}", DescribePosition(m), reason, message);
  }
  if (topic_.empty()) return Status::Ok();
  const std::string source = m.rkt ? rd_kafka_topic_name(m.rkt) : "";
  const std::string partition = std::to_string(m.partition);
  const std::string offset = std::to_string(m.offset);
  rd_kafka_headers_t* headers = rd_kafka_headers_new(5);
  rd_kafka_header_add(headers, "reason", -1, reason.data(), reason.size());
  rd_kafka_header_add(headers, "message", -1, message.data(), message.size());
  rd_kafka_header_add(headers, "topic", -1, source.data(), source.size());
  rd_kafka_header_add(headers, "partition", -1, partition.data(), partition.size());
  rd_kafka_header_add(headers, "offset", -1, offset.data(), offset.size());
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (;;) {
    err = rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic_.c_str()),
                            RD_KAFKA_V_KEY(m.key, m.key_len), RD_KAFKA_V_VALUE(m.payload, m.len),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
                            RD_KAFKA_V_OPAQUE(tracker_), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    rd_kafka_poll(producer_, 100);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(headers);
    return Status::Error(fmt::format("dead-letter topic {}: {}", topic_, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

}  // namespace rls_shadow
