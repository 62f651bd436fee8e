// produce_lines: replays a recorded workload into Kafka (tests/kafka/line_producer.h).
//
//   produce_lines --brokers B --topic pg-log --key session_id FILE
#include <cstdio>
#include <string>

#include "kafka/line_producer.h"

int main(int argc, char** argv) {
  std::string brokers, topic, key_field, path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      brokers = argv[++i];
    } else if (arg == "--topic" && i + 1 < argc) {
      topic = argv[++i];
    } else if (arg == "--key" && i + 1 < argc) {
      key_field = argv[++i];
    } else {
      path = arg;
    }
  }
  if (brokers.empty() || topic.empty() || path.empty()) {
    std::fprintf(stderr, "usage: produce_lines --brokers B --topic T [--key FIELD] FILE\n");
    return 2;
  }
  uint64_t produced = 0;
  rls_shadow::Status s =
      rls_shadow::testing::ProduceLines(brokers, topic, key_field, path, &produced);
  if (!s.ok()) {
    std::fprintf(stderr, "produce_lines: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(produced));
  return 0;
}
