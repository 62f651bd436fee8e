#include "serve/changelog.h"

#include <fmt/format.h>

#include <charconv>
#include <tuple>
#include <vector>

namespace rls_shadow {
namespace {

constexpr size_t kChunkBytes = 512 * 1024;  // well under the brokers' default message limit

bool ParseUint(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// A record read back, waiting for its batch's marker.
struct PendingRecord {
  std::string key;
  std::optional<std::string> value;
};

// Applies a committed batch's records to the fold.
void ApplyRecords(const std::string& writer, const std::vector<PendingRecord>& records,
                  ChangelogState* out) {
  for (const PendingRecord& r : records) {
    std::string_view key = r.key;
    if (key.starts_with("p/")) {
      uint64_t next = 0;
      if (!r.value || !ParseUint(*r.value, &next)) continue;
      ChangelogState::Partition& p = out->partitions[std::string(key.substr(2))];
      p.writer = writer;
      p.next_offset = static_cast<int64_t>(next);
    } else if (key.starts_with("s/")) {
      // s/<topic>/<partition>/<session>: topic names cannot contain '/'.
      key.remove_prefix(2);
      const size_t topic_end = key.find('/');
      const size_t part_end =
          topic_end == std::string_view::npos ? topic_end : key.find('/', topic_end + 1);
      if (part_end == std::string_view::npos) continue;
      ChangelogState::Partition& p = out->partitions[std::string(key.substr(0, part_end))];
      std::string session(key.substr(part_end + 1));
      if (r.value) {
        p.sessions[session] = *r.value;
      } else {
        p.sessions.erase(session);
      }
    }
  }
}

}  // namespace

std::string PartitionName(const std::string& topic, int32_t partition) {
  return fmt::format("{}/{}", topic, partition);
}

ChangelogWriter::ChangelogWriter(rd_kafka_t* producer, std::string topic, DeliveryTracker* tracker)
    : producer_(producer), topic_(std::move(topic)), tracker_(tracker) {}

Status ChangelogWriter::Produce(const std::string& key, const std::optional<std::string>& value,
                                const ChangelogBatch& batch) {
  const std::string seq = std::to_string(batch.seq);
  OutgoingMessage m;
  m.partition = 0;
  m.key = key;
  if (value) m.value = *value;  // else a tombstone
  m.headers = {{"group", batch.group}, {"writer", batch.writer}, {"run", batch.run}, {"seq", seq}};
  m.opaque = tracker_;
  if (rd_kafka_resp_err_t err = ProduceMessage(producer_, topic_, m); err) {
    return Status::Error(fmt::format("changelog {}: {}", topic_, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

Status ChangelogWriter::Write(const ChangelogBatch& batch) {
  tracker_->Reset();
  for (const auto& [partition, next] : batch.next_offsets) {
    if (Status s = Produce("p/" + partition, std::to_string(next), batch); !s.ok()) return s;
  }
  for (const auto& [session, state] : batch.sessions) {
    if (Status s = Produce("s/" + session, state, batch); !s.ok()) return s;
  }
  size_t chunks = 0;
  for (size_t at = 0; at < batch.store_batch.size() || chunks == 0; at += kChunkBytes) {
    std::string chunk = batch.store_batch.substr(at, kChunkBytes);
    if (Status s = Produce(fmt::format("b/{}/{}", batch.writer, chunks++), chunk, batch); !s.ok()) {
      return s;
    }
  }
  // The marker goes last: the idempotent producer keeps the partition's order, so a reader
  // that sees the marker has seen everything it commits.
  if (Status s = Produce("m/" + batch.writer, std::to_string(chunks), batch); !s.ok()) return s;
  if (Status s = FlushProducer(producer_, 30000); !s.ok()) return s;
  if (tracker_->failed()) {
    return Status::Error(
        fmt::format("changelog {}: not delivered: {}", topic_, tracker_->first_error()));
  }
  return Status::Ok();
}

Status ReadChangelog(const KafkaConfig& config, ChangelogState* out) {
  *out = ChangelogState{};
  KafkaConf conf;
  if (Status s = MakeKafkaConf(config,
                               {{"group.id", config.group_id + "-changelog-reader"},
                                {"enable.auto.commit", "false"},
                                {"enable.auto.offset.store", "false"},
                                {"enable.partition.eof", "true"},
                                {"isolation.level", "read_committed"},
                                {"fetch.wait.max.ms", "50"}},
                               &conf);
      !s.ok()) {
    return s;
  }
  KafkaHandle consumer;
  if (Status s = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf), &consumer); !s.ok()) return s;
  const std::string& topic = config.changelog_topic;
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), 0, &low, &high, 30000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Error(fmt::format("changelog {}: {}", topic, rd_kafka_err2str(err)));
  }
  if (high <= low) return Status::Ok();
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), 0)->offset = low;
  if ((err = rd_kafka_assign(consumer.get(), list.get())) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Error(fmt::format("changelog {}: {}", topic, rd_kafka_err2str(err)));
  }
  using BatchId = std::tuple<std::string, std::string, uint64_t>;  // writer, run, seq
  std::map<BatchId, std::vector<PendingRecord>> pending;
  std::map<BatchId, std::map<uint64_t, std::string>> chunks;
  for (int64_t next = low; next < high;) {
    KafkaMessage m(rd_kafka_consumer_poll(consumer.get(), 1000));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;  // compaction may leave gaps
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Error(
          fmt::format("changelog {}: {}", topic, rd_kafka_message_errstr(m.get())));
    }
    next = m->offset + 1;
    ++out->records;
    // One changelog may serve several groups: each reads its own records.
    if (HeaderValue(*m, "group") != config.group_id) continue;
    uint64_t seq = 0;
    BatchId id{std::string(HeaderValue(*m, "writer")), std::string(HeaderValue(*m, "run")), 0};
    if (std::get<0>(id).empty() || !ParseUint(HeaderValue(*m, "seq"), &seq)) continue;
    std::get<2>(id) = seq;
    std::string key(static_cast<const char*>(m->key), m->key_len);
    std::optional<std::string> value;
    if (m->payload != nullptr) value.emplace(static_cast<const char*>(m->payload), m->len);
    if (key.starts_with("b/")) {
      uint64_t index = 0;
      const size_t slash = key.rfind('/');
      if (value && ParseUint(std::string_view(key).substr(slash + 1), &index)) {
        chunks[id][index] = std::move(*value);
      }
    } else if (key.starts_with("m/")) {
      const std::string& writer = std::get<0>(id);
      uint64_t count = 0;
      if (!value || !ParseUint(*value, &count)) continue;
      ChangelogState::Committed committed{std::get<1>(id), seq, ""};
      auto& parts = chunks[id];
      for (uint64_t i = 0; i < count; ++i) committed.store_batch += parts[i];
      ApplyRecords(writer, pending[id], out);
      out->last_batch[writer] = std::move(committed);
      pending.erase(id);
      chunks.erase(id);
    } else {
      pending[id].push_back({std::move(key), std::move(value)});
    }
  }
  for (const auto& [id, records] : pending) out->uncommitted += records.size();
  return Status::Ok();
}

}  // namespace rls_shadow
