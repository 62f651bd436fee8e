#include "pipeline/change_feed.h"

#include <limits>
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
          if (queue_.size() == 1) changed_.notify_all();  // the consumer may wait for one
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
  while (true) {
    while (!taken_.empty() && taken_.front().time_us <= time_us) {
      sink(taken_.front());
      taken_.pop_front();
    }
    if (!taken_.empty()) return;  // the next change is past time_us
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (queue_.empty()) return;  // the reader is done
    taken_.swap(queue_);
    changed_.notify_all();  // room for the reader again
  }
}

Status ChangeFeed::DeliverRest(const ChangeSink& sink, std::vector<ChangeReadSummary>* summaries) {
  DeliverUntil(std::numeric_limits<int64_t>::max(), sink);
  reader_.join();
  *summaries = summaries_;
  return status_;
}

}  // namespace rls_shadow
