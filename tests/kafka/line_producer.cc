#include "kafka/line_producer.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <fstream>

#include "kafka/kafka_client.h"

namespace rls_shadow::testing {
namespace {

std::string KeyOf(simdjson::dom::parser& parser, const std::string& line,
                  const std::string& field) {
  simdjson::dom::element doc, value;
  if (field.empty() || parser.parse(line).get(doc) != simdjson::SUCCESS ||
      doc[field].get(value) != simdjson::SUCCESS) {
    return "";
  }
  std::string_view text;
  int64_t number = 0;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  if (value.get_int64().get(number) == simdjson::SUCCESS) return std::to_string(number);
  return "";
}

}  // namespace

Status ProduceLines(const std::string& brokers, const std::string& topic,
                    const std::string& key_field, const std::string& path, uint64_t* produced) {
  KafkaConfig config;
  config.brokers = brokers;
  KafkaConf conf;
  KafkaHandle producer;
  if (Status s = MakeProducerConf(config, {{"linger.ms", "20"}}, &conf); !s.ok()) return s;
  if (Status s = NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf), &producer); !s.ok()) return s;
  std::ifstream in(path);
  if (!in) return Status::Error(fmt::format("cannot read {}", path));
  simdjson::dom::parser parser;
  std::string line;
  *produced = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::string key = KeyOf(parser, line, key_field);
    OutgoingMessage m;
    m.key = key;  // empty: no key
    m.value = line;
    if (rd_kafka_resp_err_t err = ProduceMessage(producer.get(), topic, m); err) {
      return Status::Error(fmt::format("produce to {}: {}", topic, rd_kafka_err2str(err)));
    }
    ++*produced;
    rd_kafka_poll(producer.get(), 0);
  }
  return FlushProducer(producer.get(), 60000);
}

}  // namespace rls_shadow::testing
