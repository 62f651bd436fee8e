// `rls-shadow ship`: PostgreSQL's own outputs into Kafka, keyed the way `serve` needs them.
//
//   RunShipLog      tails a jsonlog file or directory into KafkaConfig::log_topic, one line a
//                   message keyed by session_id, resuming from ShipConfig::checkpoint_path with
//                   neither duplicates nor gaps (log_shipper.cc says how).
//   RunShipChanges  copies wal2json format-version 2 lines (pg_recvlogical ... -f -) from a
//                   descriptor into KafkaConfig::change_topic, keyed by xid, skipping what a
//                   restarted pg_recvlogical repeats (change_shipper.cc).
//
// Both run until `*stop` becomes true (a signal handler sets it), then flush and return; the
// change shipper also returns at the end of its input. Errors are values: Kafka unreachable, a
// topic missing, a delivery that failed, an unreadable checkpoint or log directory.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "kafka/kafka_config.h"
#include "rls_shadow/status.h"

namespace rls_shadow::ship {

struct ShipOptions {
  KafkaConfig kafka;
  ShipConfig ship;
  std::string log_path;  // RunShipLog: a directory (its *.json files) or one file
  int input_fd = 0;      // RunShipChanges: where the wal2json lines come from
  const std::atomic<bool>* stop = nullptr;
};

struct ShipSummary {
  uint64_t lines_read = 0;         // complete lines seen
  uint64_t lines_produced = 0;     // sent to Kafka and acknowledged
  uint64_t lines_already_sent = 0;  // skipped: a previous run had produced them
  uint64_t lines_without_key = 0;  // not JSON, or no session_id / xid: produced with key ""
  uint64_t lines_oversized = 0;    // larger than the broker accepts: logged and skipped
  uint64_t files = 0;              // log files followed
};

Status RunShipLog(const ShipOptions& options, ShipSummary* summary);
Status RunShipChanges(const ShipOptions& options, ShipSummary* summary);

}  // namespace rls_shadow::ship
