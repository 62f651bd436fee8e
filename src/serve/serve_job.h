// ServeJob: `rls-shadow serve`, the engine as a Kafka stream processor.
//
// One KafkaConsumer in the group reads the log topic (keyed by session_id, so a session's
// lines arrive in order on one partition). Every instance also reads the whole change topic
// (one partition, assigned, not subscribed): the row index must hold every row, whichever
// session reads it, so it is a global table, as a Kafka Streams GlobalKTable is; the join of a
// write with its changes then happens where the write's session lives. A log line is analysed
// once the change stream has reached its time (or has nothing more to read), so reads see the
// rows committed before them, as in file mode.
//
// Exactly-once effect: a batch's counters, row changes, session states and the partitions'
// next offsets are one RocksDB WriteBatch, recorded in the changelog before it is written
// (serve/changelog.h). On start a batch the changelog has and RocksDB lacks is rolled forward;
// on every assignment consumption resumes from the offsets in RocksDB — or, for a partition
// another instance processed since, from the changelog, with the sessions it left there.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "pipeline/config_file.h"
#include "rls_shadow/status.h"
#include "serve/serve_metrics.h"

namespace rls_shadow {

struct ServeSummary {
  uint64_t log_messages = 0;
  uint64_t change_messages = 0;
  uint64_t dead_letters = 0;
  uint64_t batches = 0;
  uint64_t findings = 0;
};

// Runs until `stop` becomes true (SIGTERM/SIGINT), then finishes the batch in hand, commits it
// and leaves the group. `metrics` may be read concurrently (e.g. by /metrics).
Status RunServe(const ShadowConfig& config, const std::atomic<bool>& stop, ServeMetrics* metrics,
                ServeSummary* summary);

}  // namespace rls_shadow
