// mock_kafka: librdkafka's mock cluster as a process, for tests that run rls-shadow as a child
// (serve crash tests, ship). Prints its bootstrap servers (and writes them to --bootstrap-file
// once every topic exists), then serves until SIGTERM or SIGINT.
//
//   mock_kafka --topic pg-log:4 --topic pg-changes:1 --bootstrap-file /tmp/bootstrap
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "kafka/mock_cluster.h"

namespace {
volatile std::sig_atomic_t stop = 0;
void OnSignal(int) { stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  rls_shadow::testing::MockCluster cluster(1);
  if (!cluster.ok()) {
    std::fprintf(stderr, "mock_kafka: %s\n", cluster.error().c_str());
    return 1;
  }
  std::string bootstrap_file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--topic" && i + 1 < argc) {
      std::string spec = argv[++i];
      size_t colon = spec.rfind(':');
      int partitions = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
      std::string name = spec.substr(0, colon);
      if (partitions < 1 || !cluster.CreateTopic(name, partitions)) {
        std::fprintf(stderr, "mock_kafka: cannot create topic %s: %s\n", spec.c_str(),
                     cluster.error().c_str());
        return 1;
      }
    } else if (arg == "--bootstrap-file" && i + 1 < argc) {
      bootstrap_file = argv[++i];
    } else {
      std::fprintf(stderr, "usage: mock_kafka [--topic NAME:PARTITIONS]... [--bootstrap-file F]\n");
      return 2;
    }
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  const std::string bootstraps = cluster.bootstraps();
  if (!bootstrap_file.empty()) {
    // Written whole, then renamed: a reader never sees half an address.
    std::string tmp = bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstraps << '\n';
    std::rename(tmp.c_str(), bootstrap_file.c_str());
  }
  std::printf("%s\n", bootstraps.c_str());
  std::fflush(stdout);
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return 0;
}
