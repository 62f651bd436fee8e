// KafkaConfig: where rls-shadow's topics live and how to reach them ([kafka] in the TOML
// config). Plain data, no librdkafka types, so the config parser does not depend on the client.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace rls_shadow {

struct KafkaConfig {
  std::string brokers = "localhost:9092";  // bootstrap.servers
  // The server log, one jsonlog line a message, keyed by session_id (`ship --log`).
  std::string log_topic = "pg-log";
  // The logical-decoding stream, one wal2json (format-version 2) or Debezium record a message,
  // keyed by transaction id (`ship --cdc`). Empty: no change stream.
  std::string change_topic;
  // serve's state changelog (compacted): how a partition's sessions move between instances.
  std::string changelog_topic = "rls-shadow-changelog";
  // Messages that cannot be decoded, with the reason and their origin in headers.
  std::string dead_letter_topic = "rls-shadow-dead-letters";
  std::string group_id = "rls-shadow";
  // Passed to librdkafka as they are (security.protocol, sasl.*, ssl.*, ...). They override
  // rls-shadow's own settings, so an operator always has the last word.
  std::map<std::string, std::string> properties;
};

// `rls-shadow serve`.
struct ServeConfig {
  std::string state_dir = "rls-shadow-state";
  // Names this instance in the changelog; empty: the host name.
  std::string instance_id;
  // The catalog (as for analyze).
  std::string policies_path;
  std::string schema_path;
  std::string roles_path;
  // A batch ends after this many messages or this long, whichever is first; each batch is one
  // RocksDB WriteBatch.
  size_t batch_size = 5000;
  int batch_linger_ms = 200;
  // Log messages held while the change stream catches up (their partitions are paused beyond).
  size_t max_buffered_messages = 50000;
  int stats_interval_seconds = 10;
  // With every input read to its end and nothing new for this long (wall clock), statements
  // still waiting for their outcome are completed and writes still waiting for their rows are
  // settled, as at the end of an analyze run.
  int idle_flush_seconds = 60;
  // Run the dashboard API, page and /metrics ([http]) next to the consumer.
  bool http = true;
  // Stop after the idle flush: drain the backlog, then exit (`serve --until-idle`).
  bool until_idle = false;
};

// `rls-shadow ship`.
struct ShipConfig {
  // Where ship remembers how far each log file was produced.
  std::string checkpoint_path = "rls-shadow-ship.checkpoint";
  // How often the log directory is polled for new lines and rotated files.
  int poll_interval_ms = 200;
};

}  // namespace rls_shadow
