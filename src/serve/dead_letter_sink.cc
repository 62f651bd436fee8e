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
  OutgoingMessage out;
  out.key = std::string_view(static_cast<const char*>(m.key), m.key_len);
  out.value = std::string_view(static_cast<const char*>(m.payload), m.len);
  out.headers = {{"reason", reason},
                 {"message", message},
                 {"topic", source},
                 {"partition", partition},
                 {"offset", offset}};
  out.opaque = tracker_;
  if (rd_kafka_resp_err_t err = ProduceMessage(producer_, topic_, out); err) {
    return Status::Error(fmt::format("dead-letter topic {}: {}", topic_, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

}  // namespace rls_shadow
