#include "pipeline/change_feed.h"

#include <utility>

namespace rls_shadow {

ChangeFeed::ChangeFeed(std::vector<ChangeSource> sources, RejectSink on_reject)
    : sources_(std::move(sources)), on_reject_(std::move(on_reject)) {
  reader_ = std::thread([this] { Read(); });
}

ChangeFeed::~ChangeFeed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
}

void ChangeFeed::Read() {
  for (const ChangeSource& source : sources_) {
    ChangeReadSummary summary;
    Status s = ReadChanges(
        source.path, source.options,
        [&](const ChangeEvent& e) {
          std::unique_lock<std::mutex> lock(mu_);
          changed_.wait(lock, [&] { return queue_.size() < kMaxQueued || stop_; });
          if (stop_) return;
          queue_.push_back(e);
          changed_.notify_all();
        },
        on_reject_, &summary);
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok() && status_.ok()) status_ = s;
    summaries_.push_back(std::move(summary));
    if (stop_) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  changed_.notify_all();
}

void ChangeFeed::DeliverUntil(int64_t time_us, const ChangeSink& sink) {
  std::vector<ChangeEvent> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || done_; });
      while (!queue_.empty() && queue_.front().time_us <= time_us) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      const bool more = !queue_.empty() || done_;  // the next event is past time_us, or none
      changed_.notify_all();
      if (batch.empty() && more) return;
    }
    for (const ChangeEvent& e : batch) sink(e);
    batch.clear();
  }
}

Status ChangeFeed::DeliverRest(const ChangeSink& sink, std::vector<ChangeReadSummary>* summaries) {
  while (true) {
    std::deque<ChangeEvent> batch;
    bool finished;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] { return !queue_.empty() || done_; });
      batch.swap(queue_);
      finished = done_ && batch.empty();
      changed_.notify_all();
    }
    for (const ChangeEvent& e : batch) sink(e);
    if (finished) break;
  }
  reader_.join();
  *summaries = summaries_;
  return status_;
}

}  // namespace rls_shadow
