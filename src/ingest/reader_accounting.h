// The bookkeeping every reader (log, change stream, seed) does per record, shared so the three
// keep one rule: a rejected record is counted under its reason and handed to the reject sink
// with at most 4 KiB of its text, and the resumption point moves past each consumed record.
// `Summary` is a reader's summary (ReadSummary, ChangeReadSummary): records_rejected,
// rejected_by_reason, end_offset, end_line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/record_stream.h"
#include "rls_shadow/log_reader.h"

namespace rls_shadow::ingest {

inline constexpr size_t kRejectRawBytes = 4096;

// At most kRejectRawBytes of `text`, cut on a UTF-8 character boundary.
inline std::string_view RawForReject(std::string_view text) {
  if (text.size() <= kRejectRawBytes) return text;
  size_t end = kRejectRawBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// Counts a record that could not be decoded and reports it. `scratch` is reused between calls
// (its position.source set by the caller).
template <typename Summary>
void ReportReject(Summary* summary, const RejectSink& on_reject, RejectedRecord* scratch,
                  uint64_t line, uint64_t offset, std::string_view reason, std::string message,
                  std::string_view raw) {
  ++summary->records_rejected;
  ++summary->rejected_by_reason[std::string(reason)];
  if (!on_reject) return;
  scratch->position.line = line;
  scratch->position.offset = offset;
  scratch->reason.assign(reason);
  scratch->message = std::move(message);
  on_reject(*scratch, RawForReject(raw));
}

// The resumption point is now just past `record`.
template <typename Summary>
void ConsumeRecord(Summary* summary, const RawRecord& record) {
  summary->end_offset = record.offset + record.byte_count;
  summary->end_line = record.first_line - 1 + record.line_count;
}

}  // namespace rls_shadow::ingest
