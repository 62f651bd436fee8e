#include "kafka/kafka_client.h"

#include <fmt/format.h>

namespace rls_shadow {

Status MakeKafkaConf(const KafkaConfig& config, const std::map<std::string, std::string>& defaults,
                     KafkaConf* out) {
  KafkaConf conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const std::string& name, const std::string& value) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err, sizeof(err)) !=
        RD_KAFKA_CONF_OK) {
      return Status::Error(fmt::format("kafka property {}: {}", name, err));
    }
    return Status::Ok();
  };
  if (Status s = set("bootstrap.servers", config.brokers); !s.ok()) return s;
  for (const auto& [name, value] : defaults) {
    if (Status s = set(name, value); !s.ok()) return s;
  }
  for (const auto& [name, value] : config.properties) {
    if (Status s = set(name, value); !s.ok()) return s;
  }
  *out = std::move(conf);
  return Status::Ok();
}

Status NewKafkaClient(rd_kafka_type_t type, KafkaConf conf, KafkaHandle* out) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) return Status::Error(fmt::format("cannot create kafka client: {}", err));
  conf.release();  // rd_kafka_new owns it now
  out->reset(rk);
  return Status::Ok();
}

Status MakeProducerConf(const KafkaConfig& config, const std::map<std::string, std::string>& extra,
                        KafkaConf* out) {
  std::map<std::string, std::string> defaults = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
  };
  for (const auto& [k, v] : extra) defaults[k] = v;
  return MakeKafkaConf(config, defaults, out);
}

Status FlushProducer(rd_kafka_t* producer, int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(producer, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Error(fmt::format("kafka flush: {} ({} messages outstanding)",
                                     rd_kafka_err2str(err), rd_kafka_outq_len(producer)));
  }
  return Status::Ok();
}

void DeliveryTracker::Record(rd_kafka_resp_err_t err) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  if (failures_++ == 0) first_error_ = rd_kafka_err2str(err);
}

void EnableDeliveryReports(rd_kafka_conf_t* conf) {
  // Runs on the thread that polls or flushes the producer: the tracker needs no lock.
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->_private != nullptr) static_cast<DeliveryTracker*>(m->_private)->Record(m->err);
  });
}

rd_kafka_resp_err_t ProduceMessage(rd_kafka_t* producer, const std::string& topic,
                                   const OutgoingMessage& m) {
  rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
  for (const auto& [name, value] : m.headers) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  // The macros cast their arguments: pass plain variables.
  void* key = const_cast<char*>(m.key.data());
  void* value = m.value ? const_cast<char*>(m.value->data()) : nullptr;
  const size_t value_size = m.value ? m.value->size() : 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (;;) {
    err = rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()),
                            RD_KAFKA_V_PARTITION(m.partition), RD_KAFKA_V_KEY(key, m.key.size()),
                            RD_KAFKA_V_VALUE(value, value_size),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
                            RD_KAFKA_V_OPAQUE(m.opaque), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    rd_kafka_poll(producer, 100);  // the local queue is full: let deliveries drain it
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(headers);  // owned on success
  return err;
}

std::string_view HeaderValue(const rd_kafka_message_t& m, const char* name) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return {};
  }
  return std::string_view(static_cast<const char*>(value), size);
}

std::optional<Watermarks> CachedWatermarks(rd_kafka_t* consumer, const std::string& topic,
                                           int32_t partition) {
  int64_t low = 0, high = -1;
  if (rd_kafka_get_watermark_offsets(consumer, topic.c_str(), partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return Watermarks{low, high};
}

Status TopicPartitionCount(rd_kafka_t* client, const std::string& topic, int timeout_ms,
                           int* count) {
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> rkt(
      rd_kafka_topic_new(client, topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client, 0, rkt.get(), &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Error(fmt::format("kafka metadata of {}: {}", topic, rd_kafka_err2str(err)));
  }
  Status status;
  if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topics[0].partition_cnt < 1) {
    status = Status::Error(
        fmt::format("kafka topic {} is not available ({}): create it first", topic,
                    md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "no metadata"));
  } else {
    *count = md->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return status;
}

std::string DescribePosition(const rd_kafka_message_t& m) {
  return fmt::format("{}[{}]@{}", m.rkt ? rd_kafka_topic_name(m.rkt) : "?", m.partition, m.offset);
}

}  // namespace rls_shadow
