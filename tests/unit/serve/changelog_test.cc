// The changelog protocol against a real Kafka protocol peer (librdkafka's mock cluster): what a
// reader folds is exactly the committed batches of its group, a batch cut short by a crash is
// ignored, tombstones end sessions, and a WriteBatch larger than a message comes back whole.
#include "serve/changelog.h"

#include <gtest/gtest.h>

#include "kafka/mock_cluster.h"

namespace rls_shadow {
namespace {

class ChangelogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.ok()) << cluster_.error();
    ASSERT_TRUE(cluster_.CreateTopic("changelog", 1));
    config_.brokers = cluster_.bootstraps();
    config_.changelog_topic = "changelog";
    config_.group_id = "g";
    config_.properties["fetch.wait.max.ms"] = "10";
    KafkaConf conf;
    ASSERT_TRUE(MakeProducerConf(config_, {}, &conf).ok());
    EnableDeliveryReports(conf.get());
    ASSERT_TRUE(NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf), &producer_).ok());
    writer_ = std::make_unique<ChangelogWriter>(producer_.get(), "changelog", &tracker_);
  }

  ChangelogBatch Batch(const std::string& writer, uint64_t seq) {
    ChangelogBatch b;
    b.group = "g";
    b.writer = writer;
    b.run = "run-1";
    b.seq = seq;
    return b;
  }

  ChangelogState Read() {
    ChangelogState state;
    Status s = ReadChangelog(config_, &state);
    EXPECT_TRUE(s.ok()) << s.message();
    return state;
  }

  testing::MockCluster cluster_;
  KafkaConfig config_;
  KafkaHandle producer_;
  DeliveryTracker tracker_;
  std::unique_ptr<ChangelogWriter> writer_;
};

TEST_F(ChangelogTest, AnEmptyChangelogFoldsToNothing) {
  ChangelogState state = Read();
  EXPECT_TRUE(state.partitions.empty());
  EXPECT_TRUE(state.last_batch.empty());
}

TEST_F(ChangelogTest, CommittedBatchesFoldInOrderAndLargeWriteBatchesComeBackWhole) {
  ChangelogBatch first = Batch("a", 1);
  first.next_offsets["pg-log/0"] = 100;
  first.next_offsets["pg-log/1"] = 7;
  first.sessions["pg-log/0/s1"] = "state-1";
  first.sessions["pg-log/0/s2"] = "state-2";
  first.store_batch = std::string(1'300'000, 'x');  // three chunks
  first.store_batch[700'000] = 'y';
  ASSERT_TRUE(writer_->Write(first).ok());
  ChangelogBatch second = Batch("a", 2);
  second.next_offsets["pg-log/0"] = 250;
  second.sessions["pg-log/0/s1"] = std::nullopt;  // ended
  second.sessions["pg-log/0/s2"] = "state-2b";
  second.store_batch = "batch-2";
  ASSERT_TRUE(writer_->Write(second).ok());

  ChangelogState state = Read();
  ASSERT_EQ(state.partitions.size(), 2u);
  EXPECT_EQ(state.partitions["pg-log/0"].next_offset, 250);
  EXPECT_EQ(state.partitions["pg-log/0"].writer, "a");
  EXPECT_EQ(state.partitions["pg-log/0"].sessions,
            (std::map<std::string, std::string>{{"s2", "state-2b"}}));
  EXPECT_EQ(state.partitions["pg-log/1"].next_offset, 7);
  EXPECT_EQ(state.last_batch["a"].seq, 2u);
  EXPECT_EQ(state.last_batch["a"].store_batch, "batch-2");
  EXPECT_EQ(state.uncommitted, 0u);

  // The first batch's three chunks came back whole too (read before the second committed).
  ChangelogBatch big = Batch("b", 1);
  big.store_batch = first.store_batch;
  ASSERT_TRUE(writer_->Write(big).ok());
  EXPECT_EQ(Read().last_batch["b"].store_batch, first.store_batch);
}

TEST_F(ChangelogTest, ABatchWithoutItsMarkerIsIgnored) {
  ChangelogBatch first = Batch("a", 1);
  first.next_offsets["pg-log/0"] = 100;
  first.sessions["pg-log/0/s1"] = "committed";
  ASSERT_TRUE(writer_->Write(first).ok());
  // The second batch's records, as a writer that died before its marker left them.
  for (auto [key, value] : {std::pair<std::string, std::string>{"p/pg-log/0", "999"},
                            {"s/pg-log/0/s1", "uncommitted"}}) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(4);
    rd_kafka_header_add(headers, "group", -1, "g", 1);
    rd_kafka_header_add(headers, "writer", -1, "a", 1);
    rd_kafka_header_add(headers, "run", -1, "run-1", 5);
    rd_kafka_header_add(headers, "seq", -1, "2", 1);
    ASSERT_EQ(rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC("changelog"),
                                RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_KEY(key.data(), key.size()),
                                RD_KAFKA_V_VALUE(value.data(), value.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_TRUE(FlushProducer(producer_.get(), 10000).ok());

  ChangelogState state = Read();
  EXPECT_EQ(state.partitions["pg-log/0"].next_offset, 100);
  EXPECT_EQ(state.partitions["pg-log/0"].sessions.at("s1"), "committed");
  EXPECT_EQ(state.last_batch["a"].seq, 1u);
  EXPECT_EQ(state.uncommitted, 2u);
}

TEST_F(ChangelogTest, EachGroupReadsOnlyItsOwnRecords) {
  ChangelogBatch mine = Batch("a", 1);
  mine.next_offsets["pg-log/0"] = 5;
  ASSERT_TRUE(writer_->Write(mine).ok());
  ChangelogBatch theirs = Batch("a", 1);
  theirs.group = "other";
  theirs.next_offsets["pg-log/0"] = 500;
  ASSERT_TRUE(writer_->Write(theirs).ok());
  EXPECT_EQ(Read().partitions["pg-log/0"].next_offset, 5);
  config_.group_id = "other";
  EXPECT_EQ(Read().partitions["pg-log/0"].next_offset, 500);
}

}  // namespace
}  // namespace rls_shadow
