// LogMessageDecoder: one jsonlog record from a message, decoded and classified as ReadLog does.
#include <simdjson.h>

#include "ingest/jsonlog_decoder.h"
#include "ingest/statement_classifier.h"
#include "rls_shadow/log_reader.h"

namespace rls_shadow {
namespace {
constexpr size_t kMaxRecordBytes = ReadOptions{}.max_record_bytes;
}  // namespace

struct LogMessageDecoder::Impl {
  ingest::JsonlogDecoder json;
  ingest::RecordExtras extras;
  ingest::DecodeFailure failure;
  std::string buffer;  // the message followed by simdjson's padding
};

LogMessageDecoder::LogMessageDecoder() : impl_(std::make_unique<Impl>()) {}
LogMessageDecoder::~LogMessageDecoder() = default;

bool LogMessageDecoder::Decode(std::string_view message, LogEvent* event,
                               RejectedRecord* rejected) {
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
    message.remove_suffix(1);
  }
  if (message.size() > kMaxRecordBytes) {
    rejected->reason = "line_too_long";
    rejected->message = "the record is longer than 8 MiB";
    return false;
  }
  Impl& m = *impl_;
  m.buffer.assign(message);
  m.buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  if (!m.json.Decode(std::string_view(m.buffer.data(), message.size()), m.buffer.size(), event,
                     &m.extras, &m.failure)) {
    rejected->reason = m.failure.reason;
    rejected->message = m.failure.message;
    return false;
  }
  ingest::StatementOrigin origin;
  if (!ingest::ClassifyEvent(m.extras, event, &origin, &m.failure)) {
    rejected->reason = m.failure.reason;
    rejected->message = m.failure.message;
    return false;
  }
  return true;
}

}  // namespace rls_shadow
