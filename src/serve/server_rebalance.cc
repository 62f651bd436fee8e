// Server: taking partitions over (from RocksDB or the changelog) and giving them up.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "serve/server.h"

namespace rls_shadow::serve {

void Server::RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<Server*>(opaque);
  Status s =
      err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? self->Assign(parts) : self->Revoke(parts);
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
    Status scanned =
        store_->ScanSnapshots(prefix, [&](std::string_view name, std::string_view blob) {
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
    spdlog::info(
        "assigned {}[{}]: resuming at {} with {} sessions (from {})", kafka_.log_topic, p,
        next == RD_KAFKA_OFFSET_BEGINNING ? std::string("the beginning") : std::to_string(next),
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

}  // namespace rls_shadow::serve
