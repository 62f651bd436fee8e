// Server: consuming the log and change topics, merging partitions by time, and handing
// messages to the engine in order (or to the dead-letter topic).

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "rls_shadow/change_reader.h"
#include "serve/server.h"

namespace rls_shadow::serve {

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
    b.rejected = RejectedRecord{
        {},
        "wrong_key",
        fmt::format("keyed '{}', not by its session_id '{}'", key, b.event.session_id)};
  } else if (auto it = session_partition_.find(b.event.session_id);
             it != session_partition_.end() && it->second != m->partition) {
    b.rejected = RejectedRecord{
        {},
        "session_on_two_partitions",
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
  const auto marks = CachedWatermarks(change_consumer_.get(), kafka_.change_topic, 0);
  change_caught_up_ = marks && change_consumed_next_ >= marks->high;
}

bool Server::PartitionCaughtUp(int32_t partition, const OwnedPartition& owned) const {
  const auto marks = CachedWatermarks(consumer_.get(), kafka_.log_topic, partition);
  if (!marks) return false;  // not fetched yet: unknown
  // Nothing consumed yet: the partition's start is where it stands.
  return std::max(owned.consumed_next, marks->low) >= marks->high;
}

std::string Server::RefreshLag() {
  std::string text;
  for (const auto& [p, owned] : owned_) {
    const auto marks = CachedWatermarks(consumer_.get(), kafka_.log_topic, p);
    if (!marks) continue;
    const int64_t lag = marks->high - std::max(owned.CommitOffset(), marks->low);
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
  while (!change_buffer_.empty() &&
         (change_buffer_.front().rejected || change_buffer_.front().event.time_us <= time_us)) {
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

}  // namespace rls_shadow::serve
