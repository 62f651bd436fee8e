// MockCluster: librdkafka's in-process mock cluster, a real Kafka protocol peer for tests (the
// clients under test talk to it over TCP on loopback like to any broker). Topics are created
// with their partition count up front, as a test's topology needs.
//
// Known limits (librdkafka 2.0.2): it keeps ~5 MiB per partition (older messages vanish), an
// empty fetch waits the full fetch.wait.max.ms (set it low in tests), and a member rejoining a
// group waits about session.timeout.ms.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

namespace rls_shadow::testing {

class MockCluster {
 public:
  explicit MockCluster(int brokers = 1);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  bool ok() const { return cluster_ != nullptr; }
  const std::string& error() const { return error_; }
  // "127.0.0.1:port,..."
  std::string bootstraps() const;
  bool CreateTopic(const std::string& name, int partitions);

 private:
  rd_kafka_t* host_ = nullptr;  // the client the cluster's threads belong to
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string error_;
};

}  // namespace rls_shadow::testing
