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

std::string DescribePosition(const rd_kafka_message_t& m) {
  return fmt::format("{}[{}]@{}", m.rkt ? rd_kafka_topic_name(m.rkt) : "?", m.partition,
                     m.offset);
}

}  // namespace rls_shadow
