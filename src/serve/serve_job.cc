#include "serve/serve_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "analyze/shadow_engine.h"
#include "kafka/kafka_client.h"
#include "pipeline/analyze_job.h"
#include "rls_shadow/change_reader.h"
#include "rls_shadow/log_reader.h"
#include "rls_shadow/store.h"
#include "serve/changelog.h"
#include "serve/dead_letter_sink.h"

namespace rls_shadow {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kGlobalSnapshot[] = "serve/global";    // the engine's non-session state
constexpr char kAppliedSnapshot[] = "serve/applied";  // "<run>:<seq>" of the last batch

std::string SessionPrefix(const std::string& topic, int32_t partition) {
  return fmt::format("serve/s/{}/{}/", topic, partition);
}
std::string OffsetCheckpoint(const std::string& topic, int32_t partition) {
  return fmt::format("kafka:{}:{}", topic, partition);
}
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "rls-shadow";
  return name;
}

// A log message consumed but not analysed yet: it waits for the change stream to reach its
// time. Rejected messages wait in line too, so they are counted exactly once with the batch
// that passes their offset.
struct BufferedLog {
  int32_t partition = 0;
  int64_t offset = 0;
  LogEvent event;
  std::optional<RejectedRecord> rejected;
  KafkaMessage raw;  // kept for the dead-letter topic when rejected
};

struct BufferedChange {
  int64_t offset = 0;
  ChangeEvent event;
  std::optional<RejectedRecord> rejected;
  KafkaMessage raw;  // kept for the dead-letter topic when rejected
};

// A log partition this instance owns, with its messages consumed but not analysed yet.
struct OwnedPartition {
  int64_t consumed_next = -1;  // past the last message consumed (-1: none yet)
  std::deque<BufferedLog> queue;
  // Where a restart must resume: the first message not analysed.
  int64_t CommitOffset() const { return queue.empty() ? consumed_next : queue.front().offset; }
};

class Server {
 public:
  Server(const ShadowConfig& config, const std::atomic<bool>& stop, ServeMetrics* metrics,
         ServeSummary* summary)
      : config_(config),
        kafka_(config.kafka),
        serve_(config.serve),
        stop_(stop),
        metrics_(metrics),
        summary_(summary),
        aggregator_(config.analyzer.max_examples) {}

  Status Run();

 private:
  Status Setup();
  Status RollForward(const ChangelogState& changelog);
  Status RestoreEngine();
  Status OpenConsumers();
  Status CheckTopics();
  Status PollChanges();
  void OnLogMessage(KafkaMessage m);
  Status Deliver();
  void DeliverChangesUntil(int64_t time_us);
  void DeliverChange(BufferedChange& c);
  bool PartitionCaughtUp(int32_t partition, const OwnedPartition& owned) const;
  bool LogCaughtUp() const;
  // Messages behind each owned partition's end, as the report's input health shows them.
  std::string LagText() const;
  // The partition whose head is analysed next, or null when one must wait for more input.
  OwnedPartition* NextLog();
  void MaybeFlushIdle();
  void UpdateChangeCaughtUp();
  Status Commit();
  void Backpressure();
  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* parts, void* opaque);
  Status Assign(rd_kafka_topic_partition_list_t* parts);
  Status Revoke(rd_kafka_topic_partition_list_t* parts);
  void Reject(const RejectedRecord& r, const rd_kafka_message_t& m, const char* source);

  const ShadowConfig& config_;
  const KafkaConfig& kafka_;
  const ServeConfig& serve_;
  const std::atomic<bool>& stop_;
  ServeMetrics* metrics_;
  ServeSummary* summary_;

  std::string instance_;
  std::string run_;
  uint64_t seq_ = 0;
  PolicyCatalog catalog_;
  std::unique_ptr<Store> store_;
  FindingAggregator aggregator_;
  std::unique_ptr<ShadowEngine> engine_;
  bool changes_enabled_ = false;
  int log_partitions_ = 0;

  KafkaHandle producer_;
  DeliveryTracker changelog_delivery_;
  DeliveryTracker dead_letter_delivery_;
  std::unique_ptr<ChangelogWriter> changelog_;
  std::unique_ptr<DeadLetterSink> dead_letters_;
  KafkaHandle consumer_;         // the group: the log topic
  KafkaHandle change_consumer_;  // assigned: the whole change topic
  Status fatal_;                 // an error raised inside a librdkafka callback

  LogMessageDecoder log_decoder_;
  std::map<int32_t, OwnedPartition> owned_;
  std::unordered_map<std::string, int32_t> session_partition_;
  size_t buffered_logs_ = 0;  // over every partition's queue
  bool paused_ = false;
  bool assigned_ = false;  // the group has given this instance its partitions
  std::deque<BufferedChange> change_buffer_;
  int64_t change_consumed_next_ = 0;
  int64_t newest_change_us_ = INT64_MIN;
  bool change_caught_up_ = false;
  // Sessions taken over from the changelog, to be written to this instance's store; session
  // snapshots of a previous ownership that are stale now.
  std::set<std::string> adopted_sessions_;
  std::vector<std::string> stale_snapshots_;

  Clock::time_point last_input_ = Clock::now();
  bool idle_flushed_ = false;

  // This batch, for the input-health counters.
  InputStats batch_input_;
  uint64_t since_commit_ = 0;  // messages analysed or rejected since the last commit
};

Status Server::Setup() {
  instance_ = serve_.instance_id.empty() ? HostName() : serve_.instance_id;
  run_ = fmt::format("{}-{}",
                     std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count(),
                     getpid());
  if (kafka_.changelog_topic.empty()) {
    return Status::Error("serve needs kafka.changelog_topic (its exactly-once record)");
  }
  if (Status s = LoadCatalog(serve_.roles_path, serve_.schema_path, serve_.policies_path,
                             &catalog_);
      !s.ok()) {
    return s;
  }
  if (Status s = Store::Open(serve_.state_dir, &store_); !s.ok()) return s;
  if (Status s = store_->PutTables(catalog_.RlsTables()); !s.ok()) return s;

  KafkaConf conf;
  if (Status s = MakeProducerConf(kafka_, {{"message.max.bytes", "4194304"}}, &conf); !s.ok()) {
    return s;
  }
  EnableDeliveryReports(conf.get());
  if (Status s = NewKafkaClient(RD_KAFKA_PRODUCER, std::move(conf), &producer_); !s.ok()) {
    return s;
  }
  changelog_ = std::make_unique<ChangelogWriter>(producer_.get(), kafka_.changelog_topic,
                                                 &changelog_delivery_);
  dead_letters_ = std::make_unique<DeadLetterSink>(producer_.get(), kafka_.dead_letter_topic,
                                                   &dead_letter_delivery_);
  ChangelogState changelog;
  if (Status s = ReadChangelog(kafka_, &changelog); !s.ok()) return s;
  if (Status s = RollForward(changelog); !s.ok()) return s;
  return RestoreEngine();
}

// The changelog holds this instance's last batch; RocksDB may lack it if the process died
// between the two writes. Applying it again is harmless (it holds absolute values and the
// applied marker), so compare markers and apply when they differ.
Status Server::RollForward(const ChangelogState& changelog) {
  auto it = changelog.last_batch.find(instance_);
  if (it == changelog.last_batch.end()) return Status::Ok();
  const std::string committed = fmt::format("{}:{}", it->second.run, it->second.seq);
  std::optional<std::string> applied;
  if (Status s = store_->LoadSnapshot(kAppliedSnapshot, &applied); !s.ok()) return s;
  if (!applied) {
    // A new state directory under a name the changelog knows: the old one was lost. Its
    // partitions resume from the changelog (Assign); what it had counted is not recovered.
    spdlog::warn("instance {} committed batches before, but state directory {} is new: its "
                 "partitions resume from the changelog; the counters of the lost directory "
                 "are not recovered",
                 instance_, serve_.state_dir);
    return Status::Ok();
  }
  if (*applied == committed) return Status::Ok();
  spdlog::warn("state directory lacks batch {} of the changelog (a crash between the two "
               "writes): rolling it forward",
               committed);
  return store_->ApplyBatch(it->second.store_batch);
}

Status Server::RestoreEngine() {
  engine_ = std::make_unique<ShadowEngine>(catalog_, config_.analyzer, [this](const Finding& f) {
    aggregator_.Add(f);
    ++summary_->findings;
    metrics_->AddFindings(1, IsWouldBeDenial(f.effect) ? 1 : 0);
  });
  changes_enabled_ = !kafka_.change_topic.empty();
  if (!changes_enabled_) return Status::Ok();
  engine_->EnableChanges(config_.changes.join_window_us);
  Status restored = store_->ScanRows([&](const RowRecord& r) {
    return engine_->rows().Restore(r)
               ? Status::Ok()
               : Status::Error(fmt::format("a stored row of {} is unreadable", r.table));
  });
  if (!restored.ok()) return restored;
  std::optional<std::string> global;
  if (Status s = store_->LoadSnapshot(kGlobalSnapshot, &global); !s.ok()) return s;
  if (global && !engine_->RestoreGlobal(*global)) {
    return Status::Error(serve_.state_dir + ": the stored engine state is unreadable");
  }
  std::optional<SourceCheckpoint> cp;
  if (Status s = store_->LoadCheckpoint(OffsetCheckpoint(kafka_.change_topic, 0), &cp); !s.ok()) {
    return s;
  }
  change_consumed_next_ = cp ? static_cast<int64_t>(cp->offset) : 0;
  return Status::Ok();
}

Status Server::CheckTopics() {
  auto partitions = [&](const std::string& topic, int* count) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer_.get(), topic.c_str(), nullptr);
    rd_kafka_resp_err_t err = rd_kafka_metadata(producer_.get(), 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Error(fmt::format("topic {}: {}", topic, rd_kafka_err2str(err)));
    }
    *count = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR
                 ? md->topics[0].partition_cnt
                 : 0;
    rd_kafka_metadata_destroy(md);
    if (*count == 0) return Status::Error(fmt::format("topic {} does not exist", topic));
    return Status::Ok();
  };
  if (Status s = partitions(kafka_.log_topic, &log_partitions_); !s.ok()) return s;
  int n = 0;
  if (Status s = partitions(kafka_.changelog_topic, &n); !s.ok()) return s;
  if (n != 1) {
    return Status::Error(fmt::format(
        "the changelog topic {} has {} partitions; it must have one (its records are read in "
        "the order they were written)",
        kafka_.changelog_topic, n));
  }
  if (changes_enabled_) {
    if (Status s = partitions(kafka_.change_topic, &n); !s.ok()) return s;
    if (n != 1) {
      return Status::Error(fmt::format(
          "the change topic {} has {} partitions; it must have one: the row index needs the "
          "commit order, which only one partition keeps (README: Streaming service)",
          kafka_.change_topic, n));
    }
  }
  return Status::Ok();
}

Status Server::OpenConsumers() {
  // Offsets come from RocksDB, never from the group: no auto commit, and the group's committed
  // offsets are not read (Assign passes explicit offsets).
  const std::map<std::string, std::string> common = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"queued.max.messages.kbytes", "16384"},  // bounded prefetch, whatever the backlog
  };
  std::map<std::string, std::string> group = common;
  group["group.id"] = kafka_.group_id;
  // Range: partition i of co-partitioned topics goes to the same member.
  group["partition.assignment.strategy"] = "range";
  KafkaConf conf;
  if (Status s = MakeKafkaConf(kafka_, group, &conf); !s.ok()) return s;
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Server::RebalanceCallback);
  rd_kafka_conf_set_opaque(conf.get(), this);
  if (Status s = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf), &consumer_); !s.ok()) {
    return s;
  }
  rd_kafka_poll_set_consumer(consumer_.get());
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), kafka_.log_topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get()); err) {
    return Status::Error(fmt::format("subscribe {}: {}", kafka_.log_topic, rd_kafka_err2str(err)));
  }
  if (!changes_enabled_) return Status::Ok();
  std::map<std::string, std::string> global = common;
  global["group.id"] = kafka_.group_id + "-changes-" + instance_;  // never joined: assign only
  if (Status s = MakeKafkaConf(kafka_, global, &conf); !s.ok()) return s;
  if (Status s = NewKafkaClient(RD_KAFKA_CONSUMER, std::move(conf), &change_consumer_); !s.ok()) {
    return s;
  }
  rd_kafka_poll_set_consumer(change_consumer_.get());
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), kafka_.change_topic.c_str(), 0)->offset =
      change_consumed_next_;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(change_consumer_.get(), list.get()); err) {
    return Status::Error(
        fmt::format("assign {}: {}", kafka_.change_topic, rd_kafka_err2str(err)));
  }
  return Status::Ok();
}

void Server::RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<Server*>(opaque);
  Status s = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? self->Assign(parts)
                                                        : self->Revoke(parts);
  if (!s.ok() && self->fatal_.ok()) self->fatal_ = s;
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) rd_kafka_assign(rk, nullptr);
}

// Takes partitions over: each resumes from this instance's RocksDB, unless another instance
// processed it since (the changelog says who committed it last), in which case from the
// offset and sessions that instance left in the changelog.
Status Server::Assign(rd_kafka_topic_partition_list_t* parts) {
  ChangelogState changelog;
  if (Status s = ReadChangelog(kafka_, &changelog); !s.ok()) return s;
  for (int i = 0; i < parts->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = parts->elems[i];
    const int32_t p = tp.partition;
    const std::string prefix = SessionPrefix(kafka_.log_topic, p);
    std::optional<SourceCheckpoint> local;
    if (Status s = store_->LoadCheckpoint(OffsetCheckpoint(kafka_.log_topic, p), &local); !s.ok()) {
      return s;
    }
    std::map<std::string, std::string> local_sessions;
    Status scanned = store_->ScanSnapshots(prefix, [&](std::string_view name, std::string_view blob) {
      local_sessions.emplace(std::string(name.substr(prefix.size())), std::string(blob));
      return Status::Ok();
    });
    if (!scanned.ok()) return scanned;

    auto cl = changelog.partitions.find(PartitionName(kafka_.log_topic, p));
    // Another instance processed it since, or this instance's directory lost it.
    const bool from_changelog =
        cl != changelog.partitions.end() && (cl->second.writer != instance_ || !local);
    int64_t next = local ? static_cast<int64_t>(local->offset) : RD_KAFKA_OFFSET_BEGINNING;
    const std::map<std::string, std::string>* sessions = &local_sessions;
    if (from_changelog) {
      next = cl->second.next_offset;
      sessions = &cl->second.sessions;
      for (const auto& [id, blob] : local_sessions) {
        if (!cl->second.sessions.contains(id)) stale_snapshots_.push_back(prefix + id);
      }
    } else if (cl != changelog.partitions.end() && local &&
               cl->second.next_offset != static_cast<int64_t>(local->offset)) {
      spdlog::warn("{}[{}]: the changelog says offset {}, RocksDB {}: resuming from RocksDB",
                   kafka_.log_topic, p, cl->second.next_offset, local->offset);
    }
    for (const auto& [id, blob] : *sessions) {
      if (!engine_->RestoreSession(id, blob)) {
        return Status::Error(
            fmt::format("{}[{}]: the state of session {} is unreadable", kafka_.log_topic, p, id));
      }
      session_partition_[id] = p;
      if (from_changelog) adopted_sessions_.insert(id);
    }
    owned_[p].consumed_next = next;
    tp.offset = next;
    spdlog::info("assigned {}[{}]: resuming at {} with {} sessions (from {})", kafka_.log_topic, p,
                 next == RD_KAFKA_OFFSET_BEGINNING ? std::string("the beginning")
                                                   : std::to_string(next),
                 sessions->size(),
                 from_changelog ? "the changelog, written by " + cl->second.writer : "RocksDB");
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer_.get(), parts); err) {
    return Status::Error(fmt::format("assign: {}", rd_kafka_err2str(err)));
  }
  paused_ = false;
  assigned_ = true;
  return Status::Ok();
}

// Gives partitions up: analyses what can be, commits, then forgets their sessions (their next
// owner takes them from the changelog) and their buffered messages (it reads them again).
Status Server::Revoke(rd_kafka_topic_partition_list_t* parts) {
  if (Status s = Deliver(); !s.ok()) return s;
  if (Status s = Commit(); !s.ok()) return s;
  assigned_ = false;
  std::set<int32_t> revoked;
  for (int i = 0; i < parts->cnt; ++i) revoked.insert(parts->elems[i].partition);
  for (auto it = session_partition_.begin(); it != session_partition_.end();) {
    if (revoked.contains(it->second)) {
      engine_->DropSession(it->first);
      adopted_sessions_.erase(it->first);
      it = session_partition_.erase(it);
    } else {
      ++it;
    }
  }
  for (int32_t p : revoked) {
    if (auto it = owned_.find(p); it != owned_.end()) {
      buffered_logs_ -= it->second.queue.size();
      owned_.erase(it);
    }
    metrics_->ForgetPartition(kafka_.log_topic, p);
    spdlog::info("revoked {}[{}]", kafka_.log_topic, p);
  }
  return Status::Ok();
}

void Server::Reject(const RejectedRecord& r, const rd_kafka_message_t& m, const char* source) {
  ++summary_->dead_letters;
  const std::string reason = std::string(source) == "change" ? "cdc_" + r.reason : r.reason;
  ++batch_input_.lines_rejected;
  ++batch_input_.rejected_by_reason[reason];
  metrics_->AddDecodeError(source, r.reason);
  if (Status s = dead_letters_->Send(m, reason, r.message); !s.ok() && fatal_.ok()) fatal_ = s;
}

void Server::OnLogMessage(KafkaMessage m) {
  auto owned = owned_.find(m->partition);
  if (owned == owned_.end()) return;  // a straggler from a partition just revoked
  BufferedLog b;
  b.partition = m->partition;
  b.offset = m->offset;
  RejectedRecord rejected;
  const std::string_view value(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
  const std::string_view key(static_cast<const char*>(m->key), m->key ? m->key_len : 0);
  if (!log_decoder_.Decode(value, &b.event, &rejected)) {
    b.rejected = rejected;
  } else if (!b.event.session_id.empty() && key != b.event.session_id &&
             !(m->key == nullptr && log_partitions_ == 1)) {
    // Keyed otherwise, the session's lines may be spread over partitions and analysed out of
    // order: refuse rather than mis-analyse.
    b.rejected = RejectedRecord{{}, "wrong_key",
                                fmt::format("keyed '{}', not by its session_id '{}'", key,
                                            b.event.session_id)};
  } else if (auto it = session_partition_.find(b.event.session_id);
             it != session_partition_.end() && it->second != m->partition) {
    b.rejected = RejectedRecord{
        {}, "session_on_two_partitions",
        fmt::format("session {} is on partition {} already (was the topic repartitioned?)",
                    b.event.session_id, it->second)};
  }
  b.event.position.source = kafka_.log_topic;
  b.event.position.offset = static_cast<uint64_t>(m->offset);
  owned->second.consumed_next = m->offset + 1;
  if (b.rejected) b.raw = std::move(m);
  owned->second.queue.push_back(std::move(b));
  ++buffered_logs_;
}

Status Server::PollChanges() {
  if (!changes_enabled_) return Status::Ok();
  std::vector<ChangeEvent> events;
  for (size_t n = 0; n < serve_.batch_size && change_buffer_.size() < serve_.max_buffered_messages;
       ++n) {
    KafkaMessage m(rd_kafka_consumer_poll(change_consumer_.get(), 0));
    if (!m) break;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("{}: {}", kafka_.change_topic, rd_kafka_message_errstr(m.get()));
      }
      continue;
    }
    ++summary_->change_messages;
    last_input_ = Clock::now();
    idle_flushed_ = false;
    change_consumed_next_ = m->offset + 1;
    const std::string_view value(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
    RejectedRecord rejected;
    events.clear();
    if (!DecodeChangeMessage(value, CdcFormat::kAuto, &events, &rejected)) {
      BufferedChange c;
      c.offset = m->offset;
      c.rejected = rejected;
      c.raw = std::move(m);
      change_buffer_.push_back(std::move(c));
      continue;
    }
    for (ChangeEvent& e : events) {
      e.position.source = kafka_.change_topic;
      e.position.offset = static_cast<uint64_t>(m->offset);
      newest_change_us_ = std::max(newest_change_us_, e.time_us);
      change_buffer_.push_back({m->offset, std::move(e)});
    }
  }
  UpdateChangeCaughtUp();
  return Status::Ok();
}

void Server::UpdateChangeCaughtUp() {
  int64_t low = 0, high = -1;
  if (rd_kafka_get_watermark_offsets(change_consumer_.get(), kafka_.change_topic.c_str(), 0, &low,
                                     &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    change_caught_up_ = false;
    return;
  }
  change_caught_up_ = change_consumed_next_ >= high;
}

bool Server::PartitionCaughtUp(int32_t partition, const OwnedPartition& owned) const {
  int64_t low = 0, high = -1;
  if (rd_kafka_get_watermark_offsets(consumer_.get(), kafka_.log_topic.c_str(), partition, &low,
                                     &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return false;  // not fetched yet: unknown
  }
  // Nothing consumed yet: the partition's start is where it stands.
  return std::max(owned.consumed_next, low) >= high;
}

std::string Server::LagText() const {
  std::string text;
  for (const auto& [p, owned] : owned_) {
    int64_t low = 0, high = -1;
    if (rd_kafka_get_watermark_offsets(consumer_.get(), kafka_.log_topic.c_str(), p, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    const int64_t lag = high - std::max(owned.CommitOffset(), low);
    metrics_->SetLag(kafka_.log_topic, p, lag);
    text += fmt::format("{}[{}]={}\n", kafka_.log_topic, p, lag);
  }
  return text;
}

bool Server::LogCaughtUp() const {
  // Before the group has given this instance its share (or between a revoke and the next
  // assignment) the log's position is unknown, even with no partitions owned.
  if (!assigned_ || buffered_logs_ > 0) return false;
  for (const auto& [p, owned] : owned_) {
    if (!PartitionCaughtUp(p, owned)) return false;
  }
  return true;
}

void Server::DeliverChange(BufferedChange& c) {
  if (c.rejected) {
    Reject(*c.rejected, *c.raw, "change");
  } else {
    engine_->OnChange(c.event);
    metrics_->AddEvents("change", 1);
  }
  ++since_commit_;
}

void Server::DeliverChangesUntil(int64_t time_us) {
  while (!change_buffer_.empty() && (change_buffer_.front().rejected ||
                                     change_buffer_.front().event.time_us <= time_us)) {
    DeliverChange(change_buffer_.front());
    change_buffer_.pop_front();
  }
}

// The partitions' lines are merged by time, as one log file has them: the earliest head goes
// first (ties by partition, then offset, so a replay takes the same order), but only once every
// partition has a head or is read to its end — a partition with nothing buffered may still
// hold earlier lines. A full buffer stops the wait until it has drained to half (late lines
// are then analysed late).
OwnedPartition* Server::NextLog() {
  // Paused, the empty partitions will not fill: drain (down to where consumption resumes).
  const bool full = paused_ || buffered_logs_ >= serve_.max_buffered_messages;
  OwnedPartition* best = nullptr;
  bool waiting = false;
  for (auto& [p, owned] : owned_) {
    if (owned.queue.empty()) {
      if (!full && !PartitionCaughtUp(p, owned)) waiting = true;
      continue;
    }
    const BufferedLog& head = owned.queue.front();
    if (head.rejected) return &owned;  // no time to wait for: it only needs counting
    if (best == nullptr || head.event.time_us < best->queue.front().event.time_us) best = &owned;
  }
  return waiting ? nullptr : best;
}

// Analyses buffered log messages in time order, each once the change stream has passed its
// time: changes at time T before any log line after T, as file mode interleaves them.
Status Server::Deliver() {
  while (OwnedPartition* next = NextLog()) {
    BufferedLog& b = next->queue.front();
    if (b.rejected) {
      Reject(*b.rejected, *b.raw, "log");
    } else {
      if (changes_enabled_) {
        DeliverChangesUntil(b.event.time_us);
        if (newest_change_us_ <= b.event.time_us && !change_caught_up_) break;
      }
      if (!b.event.session_id.empty()) session_partition_.emplace(b.event.session_id, b.partition);
      engine_->OnEvent(b.event);
      ++batch_input_.events_analyzed;
      metrics_->AddEvents("log", 1);
    }
    ++batch_input_.lines_read;
    ++summary_->log_messages;
    ++since_commit_;
    next->queue.pop_front();
    --buffered_logs_;
  }
  // With the log read to its end, the change stream needs no log line to move on.
  if (changes_enabled_ && LogCaughtUp()) {
    while (!change_buffer_.empty()) {
      DeliverChange(change_buffer_.front());
      change_buffer_.pop_front();
    }
  }
  return fatal_;
}

// Everything read and quiet: what waits for a next line that may never come is completed,
// as at the end of an analyze run. Only then, so a replay after a crash (which is never idle
// before it has caught up) takes the same steps.
void Server::MaybeFlushIdle() {
  if (idle_flushed_ || !LogCaughtUp()) return;
  if (changes_enabled_ && (!change_caught_up_ || !change_buffer_.empty())) return;
  if (Clock::now() - last_input_ < std::chrono::seconds(serve_.idle_flush_seconds)) return;
  engine_->Finish();
  idle_flushed_ = true;
  ++since_commit_;
  spdlog::info("serve: inputs idle for {}s: pending statements and writes completed",
               serve_.idle_flush_seconds);
  if (const JoinStats* j = engine_->join_stats()) {
    spdlog::info(
        "serve: change stream: {} row changes in {} transactions: {} linked ({} ambiguous), {} "
        "unlinked; {} row-dependent writes decided by their rows, {} left undecided",
        j->changes, j->transactions, j->linked, j->ambiguous, j->unlinked, j->writes_decided,
        j->writes_unlinked);
  }
}

void Server::Backpressure() {
  const bool full = buffered_logs_ >= serve_.max_buffered_messages;
  const bool drained = buffered_logs_ < serve_.max_buffered_messages / 2;
  if (full == paused_ || (!full && !drained)) return;
  KafkaPartitionList list;
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  list.reset(assigned);
  if (full) {
    rd_kafka_pause_partitions(consumer_.get(), list.get());
  } else {
    rd_kafka_resume_partitions(consumer_.get(), list.get());
  }
  paused_ = full;
}

// One batch: the changelog first, then RocksDB, from the same prepared WriteBatch.
Status Server::Commit() {
  if (since_commit_ == 0 && adopted_sessions_.empty() && stale_snapshots_.empty()) {
    return Status::Ok();
  }
  const auto started = Clock::now();
  ++seq_;
  ChangelogBatch batch;
  batch.group = kafka_.group_id;
  batch.writer = instance_;
  batch.run = run_;
  batch.seq = seq_;
  std::map<std::string, std::optional<std::string>> snapshots;
  std::vector<std::string> touched = engine_->TakeTouchedSessions();
  touched.insert(touched.end(), adopted_sessions_.begin(), adopted_sessions_.end());
  adopted_sessions_.clear();
  for (const std::string& id : touched) {
    auto it = session_partition_.find(id);
    if (it == session_partition_.end()) continue;
    const int32_t p = it->second;
    std::optional<std::string> state = engine_->SaveSession(id);
    snapshots[SessionPrefix(kafka_.log_topic, p) + id] = state;
    batch.sessions[PartitionName(kafka_.log_topic, p) + "/" + id] = state;
    if (!state) session_partition_.erase(it);  // it ended
  }
  for (std::string& name : stale_snapshots_) snapshots.try_emplace(std::move(name), std::nullopt);
  stale_snapshots_.clear();
  snapshots[kAppliedSnapshot] = fmt::format("{}:{}", run_, seq_);
  snapshots[kConsumerLagSnapshot] = LagText();
  std::vector<SourceCheckpoint> checkpoints;
  for (const auto& [p, owned] : owned_) {
    const int64_t next = owned.CommitOffset();
    if (next < 0) continue;  // nothing read yet: keep resuming where it was assigned
    checkpoints.push_back(
        {OffsetCheckpoint(kafka_.log_topic, p), static_cast<uint64_t>(next), 0, ""});
    batch.next_offsets[PartitionName(kafka_.log_topic, p)] = next;
  }
  std::vector<RowRecord> rows;
  if (changes_enabled_) {
    snapshots[kGlobalSnapshot] = engine_->SaveGlobal();
    // Resume at the first change not delivered to the engine.
    const int64_t next =
        change_buffer_.empty() ? change_consumed_next_ : change_buffer_.front().offset;
    checkpoints.push_back(
        {OffsetCheckpoint(kafka_.change_topic, 0), static_cast<uint64_t>(next), 0, ""});
    rows = engine_->rows().TakeChanges();
  }
  aggregator_.AddInputStats(batch_input_);
  if (Status s = store_->PrepareCommit(aggregator_, checkpoints, snapshots, rows,
                                       &batch.store_batch);
      !s.ok()) {
    return s;
  }
  if (Status s = changelog_->Write(batch); !s.ok()) return s;
  const auto logged = Clock::now();
  if (Status s = store_->ApplyBatch(batch.store_batch); !s.ok()) return s;
  aggregator_.Clear();
  batch_input_ = InputStats{};
  since_commit_ = 0;
  ++summary_->batches;
  metrics_->ObserveCommit(Seconds(Clock::now() - logged), Seconds(logged - started),
                          batch.store_batch.size());
  return Status::Ok();
}

Status Server::Run() {
  if (Status s = Setup(); !s.ok()) return s;
  if (Status s = CheckTopics(); !s.ok()) return s;
  if (Status s = OpenConsumers(); !s.ok()) return s;
  spdlog::info("serve: instance {} (run {}) consuming {}{} in group {}", instance_, run_,
               kafka_.log_topic, changes_enabled_ ? " and " + kafka_.change_topic : "",
               kafka_.group_id);
  auto last_stats = Clock::now();
  while (!stop_.load()) {
    const auto batch_start = Clock::now();
    const auto linger = std::chrono::milliseconds(serve_.batch_linger_ms);
    size_t consumed = 0;
    while (consumed < serve_.batch_size && !stop_.load()) {
      const auto left = linger - (Clock::now() - batch_start);
      if (left <= Clock::duration::zero()) break;
      if (Status s = PollChanges(); !s.ok()) return s;
      const int wait_ms = static_cast<int>(
          std::min<int64_t>(50, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
      KafkaMessage m(rd_kafka_consumer_poll(consumer_.get(), wait_ms));
      if (!fatal_.ok()) return fatal_;
      if (!m) continue;
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          spdlog::warn("{}: {}", kafka_.log_topic, rd_kafka_message_errstr(m.get()));
        }
        continue;
      }
      OnLogMessage(std::move(m));
      ++consumed;
      last_input_ = Clock::now();
      idle_flushed_ = false;
      Backpressure();
    }
    if (Status s = PollChanges(); !s.ok()) return s;
    if (Status s = Deliver(); !s.ok()) return s;
    Backpressure();
    MaybeFlushIdle();
    if (Status s = Commit(); !s.ok()) return s;
    if (serve_.until_idle && idle_flushed_) break;
    metrics_->SetBuffered(buffered_logs_ + change_buffer_.size());
    if (Clock::now() - last_stats >= std::chrono::seconds(serve_.stats_interval_seconds)) {
      LagText();  // refreshes the metrics' lag
      spdlog::info("serve: {}", metrics_->TakeLogLine(Seconds(Clock::now() - last_stats)));
      last_stats = Clock::now();
    }
  }
  spdlog::info("serve: stopping: finishing the batch in hand");
  if (Status s = Deliver(); !s.ok()) return s;
  if (Status s = Commit(); !s.ok()) return s;
  // Leaving the group runs the revoke callback (one more, empty, commit) and tells the group
  // at once, so the partitions move without waiting for the session timeout.
  rd_kafka_consumer_close(consumer_.get());
  if (change_consumer_) rd_kafka_consumer_close(change_consumer_.get());
  if (!fatal_.ok()) return fatal_;
  return FlushProducer(producer_.get(), 30000);
}

}  // namespace

Status RunServe(const ShadowConfig& config, const std::atomic<bool>& stop, ServeMetrics* metrics,
                ServeSummary* summary) {
  Server server(config, stop, metrics, summary);
  return server.Run();
}

}  // namespace rls_shadow
