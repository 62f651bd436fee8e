// The changelog: how `serve` instances hand partitions to each other, and how one instance
// rolls a half-finished commit forward after a crash.
//
// serve commits each batch twice: first to the changelog topic (Kafka, shared by the group),
// then to its own RocksDB state directory. A batch's changelog records are
//   p/<topic>/<partition>             the partition's next offset        (decimal)
//   s/<topic>/<partition>/<session>   a session's state, or a tombstone (it ended)
//   b/<writer>/<i>                    chunk i of the RocksDB WriteBatch of the batch
//   m/<writer>                        the marker: "<chunks>"; it commits the batch
// each with headers group (the consumer group: several may share a changelog), writer, run (one
// per process start) and seq (the batch). Kafka has no
// atomic multi-record write here, so a reader applies a batch's records only once its marker
// is read: a batch cut short by a crash is ignored. The changelog is compacted: a key's latest
// committed value is what counts, and the writer's last WriteBatch (b/, m/) stays readable, so a
// writer that crashed after the marker but before RocksDB rolls the batch forward on restart.
// It must have ONE partition (records are read in the order they were written).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "kafka/kafka_client.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

// One batch, as serve commits it.
struct ChangelogBatch {
  std::string group;
  std::string writer;
  std::string run;
  uint64_t seq = 0;
  std::map<std::string, int64_t> next_offsets;  // "<topic>/<partition>" → next offset
  // "<topic>/<partition>/<session>" → state; nullopt: the session ended (or left the partition)
  std::map<std::string, std::optional<std::string>> sessions;
  std::string store_batch;  // the RocksDB WriteBatch (Store::PrepareCommit)
};

// What the changelog says, folded: per partition its last committed owner, next offset and
// sessions; per writer its last committed batch.
struct ChangelogState {
  struct Partition {
    std::string writer;  // who committed it last
    int64_t next_offset = -1;
    std::map<std::string, std::string> sessions;  // session id → state
  };
  struct Committed {
    std::string run;
    uint64_t seq = 0;
    std::string store_batch;
  };
  std::map<std::string, Partition> partitions;  // "<topic>/<partition>"
  std::map<std::string, Committed> last_batch;  // writer → its last committed batch
  uint64_t records = 0;
  uint64_t uncommitted = 0;  // records of batches whose marker never came
};

std::string PartitionName(const std::string& topic, int32_t partition);

class ChangelogWriter {
 public:
  // `producer`: an idempotent producer (acks=all) with delivery reports on, owned by the
  // caller, as is `tracker`.
  ChangelogWriter(rd_kafka_t* producer, std::string topic, DeliveryTracker* tracker);
  // Produces the batch's records, the marker last, and waits until all are acknowledged.
  Status Write(const ChangelogBatch& batch);

 private:
  Status Produce(const std::string& key, const std::optional<std::string>& value,
                 const ChangelogBatch& batch);
  rd_kafka_t* producer_;
  std::string topic_;
  DeliveryTracker* tracker_;
};

// Reads the changelog topic from its beginning to its current end and folds the records of
// config.group_id.
Status ReadChangelog(const KafkaConfig& config, ChangelogState* out);

}  // namespace rls_shadow
