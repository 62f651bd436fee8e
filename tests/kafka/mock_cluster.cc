#include "kafka/mock_cluster.h"

namespace rls_shadow::testing {

MockCluster::MockCluster(int brokers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  host_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (host_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    error_ = err;
    return;
  }
  cluster_ = rd_kafka_mock_cluster_new(host_, brokers);
  if (cluster_ == nullptr) error_ = "rd_kafka_mock_cluster_new failed";
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  if (host_ != nullptr) rd_kafka_destroy(host_);
}

std::string MockCluster::bootstraps() const {
  return cluster_ ? rd_kafka_mock_cluster_bootstraps(cluster_) : "";
}

bool MockCluster::CreateTopic(const std::string& name, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error_ = rd_kafka_err2str(err);
    return false;
  }
  return true;
}

}  // namespace rls_shadow::testing
