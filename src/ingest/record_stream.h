// RecordStream: cuts a byte stream (a log file or stdin) into records without copying them.
// It reads in large chunks into one buffer and hands out views of whole records: a jsonlog record
// is one physical line, a csvlog record ends at the first newline outside double quotes (a quoted
// csvlog field may span lines). Every view is followed by at least kRecordPadding readable bytes,
// so simdjson can parse it in place. A record longer than the limit is skipped while streaming:
// memory stays bounded by the limit, whatever the input.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rls_shadow::ingest {

// Readable bytes guaranteed after the end of every record view (what simdjson requires).
inline constexpr size_t kRecordPadding = simdjson::SIMDJSON_PADDING;

enum class RecordFraming {
  kLines,       // jsonlog: a record is a physical line
  kCsvRecords,  // csvlog: newlines inside "quoted" fields belong to the record
};

struct RawRecord {
  // The record without its terminating '\n'. For a too-long record: its first bytes only (at
  // most kTooLongPrefixBytes), copied aside because the rest was discarded while skipping.
  std::string_view text;
  size_t padded_size = 0;   // bytes readable from text.data(): >= text.size() + kRecordPadding
  uint64_t offset = 0;      // byte offset of the record's first byte in the source
  uint64_t first_line = 0;  // 1-based physical line the record starts on
  uint64_t line_count = 0;  // physical lines the record occupies (> 1 only for csvlog)
  uint64_t byte_count = 0;  // bytes the record occupies, including its '\n' when terminated
  bool terminated = false;  // false: the source ended before the record's '\n'
};

enum class StreamStatus {
  kRecord,   // *record holds the next record
  kTooLong,  // the next record exceeded the limit and was skipped; *record describes it
  kEnd,      // the source is exhausted
  kIoError,  // read(2) failed; see error()
};

class RecordStream {
 public:
  static constexpr size_t kTooLongPrefixBytes = 4096;

  // Reads from `fd` (not owned; already positioned at `start_offset`). Records longer than
  // `max_record_bytes` (without the '\n') are skipped and reported as kTooLong.
  RecordStream(int fd, RecordFraming framing, uint64_t start_offset, uint64_t start_line,
               size_t max_record_bytes);
  RecordStream(const RecordStream&) = delete;
  RecordStream& operator=(const RecordStream&) = delete;

  // Advances to the next record. The view stays valid until the next call.
  StreamStatus Next(RawRecord* record);

  // The first byte that is not ASCII whitespace, without consuming anything; -1 at end of input
  // (or on a read error, which the next Next() reports).
  int PeekFirstNonBlank();

  // Changes the framing; only before the first Next() (the format may be decided by peeking).
  void SetFraming(RecordFraming framing) {
    framing_ = framing;
    ResetScan();
  }

  const std::string& error() const { return error_; }

 private:
  // Scans [scan_, end_) for the end of the current record; returns its '\n' or nullptr.
  const char* FindRecordEnd();
  // Reads more input after compacting/growing the buffer. Returns false on EOF or error.
  bool Fill();
  StreamStatus SkipTooLong(RawRecord* record);
  void ResetScan() {
    scan_ = begin_;
    in_quotes_ = false;
    newlines_in_record_ = 0;
  }

  int fd_;
  RecordFraming framing_;
  size_t max_record_bytes_;

  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;              // usable bytes; kRecordPadding more are allocated behind them
  size_t begin_ = 0;                 // first byte of the current record
  size_t end_ = 0;                   // end of the bytes read so far
  size_t scan_ = 0;                  // bytes in [begin_, scan_) are known not to end the record
  bool in_quotes_ = false;           // csvlog scan state at scan_
  uint64_t newlines_in_record_ = 0;  // csvlog: quoted newlines in [begin_, scan_)
  bool eof_ = false;

  uint64_t offset_;  // source offset of buffer_[begin_]
  uint64_t line_;    // 1-based line number of the record starting at begin_
  std::string too_long_prefix_;
  std::string error_;
};

}  // namespace rls_shadow::ingest
