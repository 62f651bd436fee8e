#include "ship/ship_producer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace rls_shadow::ship {
namespace {

constexpr int kTimeoutMs = 30000;

}  // namespace

void ShipProducer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<ShipProducer*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && self->delivery_error_.empty()) {
    self->delivery_error_ =
        fmt::format("kafka delivery to {} failed: {}", self->topic_, rd_kafka_err2str(m->err));
  }
}

Status ShipProducer::Open(const KafkaConfig& config, const std::string& topic) {
  config_ = config;
  topic_ = topic;
  KafkaConf conf;
  // murmur2_random: the Java client's partitioner, so a key lands where any other client (a
  // Kafka Streams job, Debezium) would put it; an empty key is hashed like any other.
  if (Status s = MakeProducerConf(config, {{"partitioner", "murmur2_random"}}, &conf); !s.ok()) {
    return s;
  }
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &ShipProducer::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), this);
  if (Status s = NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf), &producer_); !s.ok()) return s;

  // The partitions, so that a restart can read every one of them back.
  return TopicPartitionCount(producer_.get(), topic, kTimeoutMs, &partitions_);
}

Status ShipProducer::Produce(std::string_view key, std::string_view value, const Headers& headers) {
  if (!delivery_error_.empty()) return Status::Error(delivery_error_);
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& [name, v] : headers) {
    rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                        static_cast<ssize_t>(v.size()));
  }
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // the message owns the headers now
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 50);
      if (!delivery_error_.empty()) {
        rd_kafka_headers_destroy(hdrs);
        return Status::Error(delivery_error_);
      }
      continue;
    }
    rd_kafka_headers_destroy(hdrs);
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
      if (++oversized_ <= 10) {
        spdlog::warn(
            "{}: a {}-byte message is larger than the broker accepts "
            "(message.max.bytes): skipped",
            topic_, value.size());
      }
      return Status::Ok();
    }
    return Status::Error(fmt::format("kafka produce to {}: {} ({} bytes)", topic_,
                                     rd_kafka_err2str(err), value.size()));
  }
  ++produced_;
  return Status::Ok();
}

Status ShipProducer::Flush() {
  // rd_kafka_flush serves the delivery reports too.
  Status s = FlushProducer(producer_.get(), kTimeoutMs * 4);
  if (!delivery_error_.empty()) return Status::Error(delivery_error_);
  return s;
}

Status ShipProducer::EndOffsets(PartitionOffsets* out) {
  out->clear();
  for (int32_t p = 0; p < partitions_; ++p) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(producer_.get(), topic_.c_str(), p,
                                                               &low, &high, kTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Error(
          fmt::format("kafka end offset of {}[{}]: {}", topic_, p, rd_kafka_err2str(err)));
    }
    (*out)[p] = high;
  }
  return Status::Ok();
}

Status ShipProducer::ReadBack(const PartitionOffsets& from,
                              const std::function<void(const rd_kafka_message_t&)>& visit) {
  PartitionOffsets end;
  if (Status s = EndOffsets(&end); !s.ok()) return s;
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(partitions_));
  PartitionOffsets remaining;  // partition -> the offset it is read up to
  for (const auto& [p, high] : end) {
    auto it = from.find(p);
    int64_t start = it == from.end() ? RD_KAFKA_OFFSET_BEGINNING : it->second;
    if (start != RD_KAFKA_OFFSET_BEGINNING && start >= high) continue;
    if (high == 0) continue;
    rd_kafka_topic_partition_list_add(assignment.get(), topic_.c_str(), p)->offset = start;
    remaining[p] = high;
  }
  if (remaining.empty()) return Status::Ok();

  KafkaConf conf;
  Status s = MakeKafkaConf(config_,
                           {{"group.id", config_.group_id + "-ship-readback"},
                            {"enable.auto.commit", "false"},
                            {"enable.auto.offset.store", "false"},
                            {"auto.offset.reset", "earliest"},
                            {"enable.partition.eof", "true"},
                            {"fetch.wait.max.ms", "10"}},
                           &conf);
  if (!s.ok()) return s;
  KafkaHandle consumer;
  if (s = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf), &consumer); !s.ok()) return s;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer.get(), assignment.get()); err) {
    return Status::Error(fmt::format("kafka assign {}: {}", topic_, rd_kafka_err2str(err)));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  while (!remaining.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Error(fmt::format("kafka: reading {} back timed out", topic_));
    }
    KafkaMessage m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m) continue;
    deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
    auto it = remaining.find(m->partition);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (it != remaining.end() && m->offset >= it->second) remaining.erase(it);
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Error(fmt::format("kafka: reading {} back: {}", DescribePosition(*m),
                                       rd_kafka_message_errstr(m.get())));
    }
    if (it == remaining.end() || m->offset >= it->second) continue;
    visit(*m);
    if (m->offset + 1 >= it->second) remaining.erase(it);
  }
  rd_kafka_consumer_close(consumer.get());
  return Status::Ok();
}

Status ShipProducer::ReadTail(int64_t count,
                              const std::function<void(const rd_kafka_message_t&)>& visit) {
  PartitionOffsets end;
  if (Status s = EndOffsets(&end); !s.ok()) return s;
  PartitionOffsets from;
  for (const auto& [p, high] : end) from[p] = std::max<int64_t>(high - count, 0);
  return ReadBack(from, visit);
}

}  // namespace rls_shadow::ship
