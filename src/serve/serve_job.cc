#include "serve/serve_job.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "pipeline/analyze_job.h"
#include "serve/server.h"

namespace rls_shadow {
namespace serve {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "rls-shadow";
  return name;
}

}  // namespace

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
  if (Status s =
          LoadCatalog(serve_.roles_path, serve_.schema_path, serve_.policies_path, &catalog_);
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
    spdlog::warn(
        "instance {} committed batches before, but state directory {} is new: its "
        "partitions resume from the changelog; the counters of the lost directory "
        "are not recovered",
        instance_, serve_.state_dir);
    return Status::Ok();
  }
  if (*applied == committed) return Status::Ok();
  spdlog::warn(
      "state directory lacks batch {} of the changelog (a crash between the two "
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
    return TopicPartitionCount(producer_.get(), topic, 10000, count);
  };
  if (Status s = partitions(kafka_.log_topic, &log_partitions_); !s.ok()) return s;
  // `why` completes "the <kind> topic T has N partitions; it must have one".
  auto single_partition = [&](std::string_view kind, const std::string& topic,
                              std::string_view why) {
    int n = 0;
    if (Status s = partitions(topic, &n); !s.ok()) return s;
    if (n == 1) return Status::Ok();
    return Status::Error(
        fmt::format("the {} topic {} has {} partitions; it must have one{}", kind, topic, n, why));
  };
  if (Status s = single_partition("changelog", kafka_.changelog_topic,
                                  " (its records are read in the order they were written)");
      !s.ok()) {
    return s;
  }
  if (!changes_enabled_) return Status::Ok();
  return single_partition("change", kafka_.change_topic,
                          ": the row index needs the commit order, which only one partition "
                          "keeps (README: Streaming service)");
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
  rd_kafka_topic_partition_list_add(topics.get(), kafka_.log_topic.c_str(), RD_KAFKA_PARTITION_UA);
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
    return Status::Error(fmt::format("assign {}: {}", kafka_.change_topic, rd_kafka_err2str(err)));
  }
  return Status::Ok();
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
  snapshots[kConsumerLagSnapshot] = RefreshLag();
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
  if (Status s =
          store_->PrepareCommit(aggregator_, checkpoints, snapshots, rows, &batch.store_batch);
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
      const int wait_ms = static_cast<int>(std::min<int64_t>(
          50, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
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
      RefreshLag();
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

}  // namespace serve

Status RunServe(const ShadowConfig& config, const std::atomic<bool>& stop, ServeMetrics* metrics,
                ServeSummary* summary) {
  serve::Server server(config, stop, metrics, summary);
  return server.Run();
}

}  // namespace rls_shadow
