// ChangeFeed: reads change-stream files (wal2json or Debezium) on a thread of its own and hands
// their events to the analyzer interleaved with the log by time: before the log event at time
// T the analyzer takes every change committed at or before T. Memory is bounded by a queue of
// kMaxQueued events; the reader waits while it is full.
//
// Events without a timestamp (time 0: wal2json without include-timestamp) cannot be placed in
// time and are handed over at once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rls_shadow/change_reader.h"
#include "rls_shadow/status.h"

namespace rls_shadow {

struct ChangeSource {
  std::string path;
  ChangeReadOptions options;
};

class ChangeFeed {
 public:
  static constexpr size_t kMaxQueued = 1 << 16;  // events in queue_ (and as many in taken_)

  // Starts reading `sources` in order. `on_reject` is called from the reader thread.
  ChangeFeed(std::vector<ChangeSource> sources, RejectSink on_reject);
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // Hands `sink` every event with time_us <= `time_us` (in stream order), waiting for the
  // reader as needed. On the calling thread.
  void DeliverUntil(int64_t time_us, const ChangeSink& sink);
  // Hands over everything left, then waits for the reader to finish. Returns the first
  // source's error if one could not be read; `summaries` gets one per source read.
  Status DeliverRest(const ChangeSink& sink, std::vector<ChangeReadSummary>* summaries);

 private:
  void Read();

  std::vector<ChangeSource> sources_;
  RejectSink on_reject_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<ChangeEvent> queue_;  // filled by the reader
  std::deque<ChangeEvent> taken_;  // the consumer's: swapped out of queue_ in one go, so the
                                   // lock is taken once per batch, not per log line
  bool done_ = false;
  bool stop_ = false;
  Status status_ = Status::Ok();
  std::vector<ChangeReadSummary> summaries_;
  std::thread reader_;
};

}  // namespace rls_shadow
