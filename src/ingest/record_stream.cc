// RecordStream: chunked, zero-copy record framing for jsonlog lines and csvlog records.
#include "ingest/record_stream.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rls_shadow::ingest {
namespace {

constexpr size_t kInitialCapacity = size_t{1} << 20;
// Bytes asked of one read(2). Enough to keep the syscall cost per record negligible (a jsonlog
// line is ~500 bytes); few enough that the bytes read are still in the core's cache when they
// are parsed, and that a read does not evict the analyzer's own tables (a 1 MiB read did both).
constexpr size_t kReadBytes = size_t{64} << 10;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

RecordStream::RecordStream(int fd, RecordFraming framing, uint64_t start_offset,
                           uint64_t start_line, size_t max_record_bytes)
    : fd_(fd),
      framing_(framing),
      max_record_bytes_(std::max<size_t>(max_record_bytes, 1)),
      offset_(start_offset),
      line_(start_line + 1) {
  // The buffer never needs to hold more than one maximal record plus the byte that proves it
  // too long; growing lazily keeps small inputs cheap.
  capacity_ = std::min(kInitialCapacity, max_record_bytes_ + 1);
  // Value-initialised: simdjson may read the padding, so it must not be indeterminate.
  buffer_ = std::make_unique<char[]>(capacity_ + kRecordPadding);
}

const char* RecordStream::FindRecordEnd() {
  const char* data = buffer_.get();
  if (framing_ == RecordFraming::kLines) {
    const void* nl = std::memchr(data + scan_, '\n', end_ - scan_);
    if (nl == nullptr) {
      scan_ = end_;
      return nullptr;
    }
    scan_ = static_cast<size_t>(static_cast<const char*>(nl) - data);
    return static_cast<const char*>(nl);
  }
  // csvlog: a '"' toggles the quoted state (a doubled "" toggles twice, so it needs no special
  // case); only a newline outside quotes ends the record.
  for (size_t i = scan_; i < end_; ++i) {
    char c = data[i];
    if (c == '"') {
      in_quotes_ = !in_quotes_;
    } else if (c == '\n') {
      if (!in_quotes_) {
        scan_ = i;
        return data + i;
      }
      ++newlines_in_record_;
    }
  }
  scan_ = end_;
  return nullptr;
}

bool RecordStream::Fill() {
  char* data = buffer_.get();
  if (begin_ > 0) {
    std::memmove(data, data + begin_, end_ - begin_);
    end_ -= begin_;
    scan_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {
    size_t grown = std::min(capacity_ * 2, max_record_bytes_ + 1);
    auto bigger = std::make_unique<char[]>(grown + kRecordPadding);
    std::memcpy(bigger.get(), data, end_);
    buffer_ = std::move(bigger);
    capacity_ = grown;
    data = buffer_.get();
  }
  for (;;) {
    ssize_t n = ::read(fd_, data + end_, std::min(capacity_ - end_, kReadBytes));
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno != EINTR) {
      error_ = std::string("read failed: ") + std::strerror(errno);
      return false;
    }
  }
}

StreamStatus RecordStream::Next(RawRecord* record) {
  for (;;) {
    if (const char* nl = FindRecordEnd()) {
      const char* start = buffer_.get() + begin_;
      size_t length = static_cast<size_t>(nl - start);
      if (length > max_record_bytes_) return SkipTooLong(record);
      record->text = std::string_view(start, length);
      record->padded_size = capacity_ + kRecordPadding - begin_;
      record->offset = offset_;
      record->first_line = line_;
      record->line_count = 1 + newlines_in_record_;
      record->byte_count = length + 1;
      record->terminated = true;
      begin_ += length + 1;
      offset_ += length + 1;
      line_ += record->line_count;
      ResetScan();
      return StreamStatus::kRecord;
    }
    if (end_ - begin_ > max_record_bytes_) return SkipTooLong(record);
    if (eof_) {
      if (begin_ == end_) return StreamStatus::kEnd;
      // The source ended inside a record: hand it out unterminated; the caller decides whether
      // it is complete (a last JSON line without '\n') or truncated.
      size_t length = end_ - begin_;
      record->text = std::string_view(buffer_.get() + begin_, length);
      record->padded_size = capacity_ + kRecordPadding - begin_;
      record->offset = offset_;
      record->first_line = line_;
      record->line_count = 1 + newlines_in_record_;
      record->byte_count = length;
      record->terminated = false;
      begin_ = end_;
      offset_ += length;
      line_ += record->line_count;
      ResetScan();
      return StreamStatus::kRecord;
    }
    if (!Fill() && !error_.empty()) return StreamStatus::kIoError;
  }
}

StreamStatus RecordStream::SkipTooLong(RawRecord* record) {
  const char* data = buffer_.get();
  too_long_prefix_.assign(data + begin_, std::min(kTooLongPrefixBytes, end_ - begin_));
  const uint64_t record_offset = offset_;
  const uint64_t record_line = line_;
  uint64_t bytes = 0;
  bool terminated = false;
  // The record may have been found complete but too long: its end is at scan_.
  if (scan_ < end_) {
    bytes = scan_ - begin_ + 1;
    begin_ = scan_ + 1;
    terminated = true;
  }
  while (!terminated) {
    // Everything buffered belongs to the record (the scan found no end in it): drop it and keep
    // the scan state, so the csvlog quote tracking continues across chunks.
    bytes += end_ - begin_;
    begin_ = end_ = scan_ = 0;
    if (eof_) break;
    if (!Fill()) {
      if (!error_.empty()) return StreamStatus::kIoError;
      continue;  // eof_ is now set
    }
    if (const char* nl = FindRecordEnd()) {
      size_t length = static_cast<size_t>(nl - buffer_.get());
      bytes += length + 1;
      begin_ = length + 1;
      terminated = true;
    }
  }
  record->text = too_long_prefix_;
  record->padded_size = too_long_prefix_.size();  // not for parsing
  record->offset = record_offset;
  record->first_line = record_line;
  record->line_count = 1 + newlines_in_record_;
  record->byte_count = bytes;
  record->terminated = terminated;
  offset_ += bytes;
  line_ += record->line_count;
  ResetScan();
  return StreamStatus::kTooLong;
}

int RecordStream::PeekFirstNonBlank() {
  size_t checked = 0;  // relative to begin_, which Fill() may move
  for (;;) {
    const char* data = buffer_.get() + begin_;
    for (; checked < end_ - begin_; ++checked) {
      if (!IsBlank(data[checked])) return static_cast<unsigned char>(data[checked]);
    }
    if (eof_ || end_ - begin_ == capacity_) return -1;
    if (!Fill()) return -1;
  }
}

}  // namespace rls_shadow::ingest
