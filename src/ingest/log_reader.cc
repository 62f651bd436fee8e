// ReadLog: opens a server log, picks the decoder for its format, and drives the record loop:
// frame -> decode -> classify -> hand to the sink, or reject with a reason. Also keeps the
// resumption point (end_offset/end_line) and the language check.
#include "rls_shadow/log_reader.h"

#include <string>

#include "ingest/csvlog_decoder.h"
#include "ingest/jsonlog_decoder.h"
#include "ingest/message_language_check.h"
#include "ingest/reader_accounting.h"
#include "ingest/record_stream.h"
#include "ingest/source_file.h"
#include "ingest/statement_classifier.h"

namespace rls_shadow {
namespace {

using ingest::CsvlogDecoder;
using ingest::DecodeFailure;
using ingest::JsonlogDecoder;
using ingest::RawRecord;
using ingest::RecordExtras;
using ingest::RecordFraming;
using ingest::RecordStream;
using ingest::SourceFile;
using ingest::StatementOrigin;
using ingest::StreamStatus;

LogFormat FormatFromExtension(const std::string& path) {
  if (path.ends_with(".json")) return LogFormat::kJsonLog;
  if (path.ends_with(".csv")) return LogFormat::kCsvLog;
  return LogFormat::kAuto;
}

bool IsBlankRecord(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// The per-call state of the record loop.
class LogReadLoop {
 public:
  LogReadLoop(const std::string& path, LogFormat format, bool regular_file,
              const EventSink& on_event, const RejectSink& on_reject, ReadSummary* summary)
      : format_(format),
        regular_file_(regular_file),
        on_event_(on_event),
        on_reject_(on_reject),
        summary_(summary) {
    event_.position.source = path;
    rejected_.position.source = path;
  }

  Status Run(RecordStream* stream) {
    RawRecord record;
    for (;;) {
      switch (stream->Next(&record)) {
        case StreamStatus::kEnd:
          summary_->language_warning = language_check_.Warning();
          return Status::Ok();
        case StreamStatus::kIoError:
          return Status::Error(event_.position.source + ": " + stream->error());
        case StreamStatus::kTooLong:
          Reject(record, "line_too_long",
                 "record longer than max_record_bytes (" + std::to_string(record.byte_count) +
                     " bytes)");
          MaybeConsume(record);
          break;
        case StreamStatus::kRecord:
          HandleRecord(record);
          break;
      }
    }
  }

 private:
  void HandleRecord(const RawRecord& record) {
    if (IsBlankRecord(record.text)) {
      MaybeConsume(record);
      return;
    }
    bool decoded =
        format_ == LogFormat::kCsvLog
            ? csv_.Decode(record.text, &event_, &extras_, &failure_)
            : json_.Decode(record.text, record.padded_size, &event_, &extras_, &failure_);
    if (!decoded) {
      std::string_view reason = failure_.reason;
      // A record cut off by the end of the input fails to parse; say so rather than blame its
      // syntax. A complete last record without '\n' decodes fine and is kept.
      if (!record.terminated &&
          (reason == "invalid_json" || reason == "not_utf8" || reason == "bad_csv")) {
        Reject(record, "truncated", "the input ends inside this record (" + failure_.message + ")");
      } else {
        Reject(record, failure_.reason, failure_.message);
      }
      MaybeConsume(record);
      return;
    }
    StatementOrigin origin;
    if (!ingest::ClassifyEvent(extras_, &event_, &origin, &failure_)) {
      Reject(record, failure_.reason, failure_.message);
      Consume(record);
      return;
    }
    language_check_.Observe(event_, extras_.backend_type);
    if (origin == StatementOrigin::kDurationLog) ++summary_->statements_from_duration_lines;
    event_.position.line = record.first_line;
    event_.position.offset = record.offset;
    Consume(record);
    ++summary_->records_read;
    if (on_event_) on_event_(event_);
  }

  void Reject(const RawRecord& record, std::string_view reason, std::string message) {
    ingest::ReportReject(summary_, on_reject_, &rejected_, record.first_line, record.offset, reason,
                         std::move(message), record.text);
  }

  // A record cut off at the end of a regular file is left unconsumed: the writer may still be
  // appending to it, and a run resuming at end_offset reads it again once it is complete.
  // From a pipe nothing can be re-read, so everything is consumed.
  void MaybeConsume(const RawRecord& record) {
    if (!record.terminated && regular_file_) return;
    Consume(record);
  }

  void Consume(const RawRecord& record) { ingest::ConsumeRecord(summary_, record); }

  LogFormat format_;
  bool regular_file_;
  const EventSink& on_event_;
  const RejectSink& on_reject_;
  ReadSummary* summary_;

  JsonlogDecoder json_;
  CsvlogDecoder csv_;
  ingest::MessageLanguageCheck language_check_;
  LogEvent event_;  // reused for every record: its strings keep their capacity
  RecordExtras extras_;
  DecodeFailure failure_;
  RejectedRecord rejected_;
};

}  // namespace

Status ReadLog(const std::string& path, const ReadOptions& options, const EventSink& on_event,
               const RejectSink& on_reject, ReadSummary* summary) {
  ReadSummary local_summary;
  if (summary == nullptr) summary = &local_summary;
  *summary = ReadSummary{};
  summary->end_offset = options.start_offset;
  summary->end_line = options.start_line;

  SourceFile source;
  if (Status status = source.Open(path); !status.ok()) return status;
  if (Status status = source.SkipTo(options.start_offset, path); !status.ok()) return status;

  LogFormat format = options.format;
  if (format == LogFormat::kAuto) format = FormatFromExtension(path);
  RecordStream stream(
      source.fd(),
      format == LogFormat::kCsvLog ? RecordFraming::kCsvRecords : RecordFraming::kLines,
      options.start_offset, options.start_line, options.max_record_bytes);
  if (format == LogFormat::kAuto) {
    // A jsonlog record is an object; a csvlog record starts with its log_time.
    if (stream.PeekFirstNonBlank() == '{') {
      format = LogFormat::kJsonLog;
    } else {
      format = LogFormat::kCsvLog;
      stream.SetFraming(RecordFraming::kCsvRecords);
    }
  }

  LogReadLoop loop(path, format, source.regular(), on_event, on_reject, summary);
  return loop.Run(&stream);
}

}  // namespace rls_shadow
