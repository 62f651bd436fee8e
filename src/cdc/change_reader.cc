// ReadChanges / DecodeChangeMessage: picks the decoder for a CDC stream (given, or detected
// from the first decodable record) and drives the record loop: frame -> decode -> hand to the
// sink, or reject with a reason. Keeps the resumption point (end_offset/end_line).
#include "rls_shadow/change_reader.h"

#include <simdjson.h>

#include <string>

#include "cdc/debezium_decoder.h"
#include "cdc/wal2json_decoder.h"
#include "ingest/reader_accounting.h"
#include "ingest/record_stream.h"
#include "ingest/source_file.h"

namespace rls_shadow {
namespace {

using cdc::DebeziumDecoder;
using cdc::DecodeFailure;
using cdc::DecodeOutcome;
using cdc::Wal2jsonDecoder;
using ingest::RawRecord;
using ingest::RecordFraming;
using ingest::RecordStream;
using ingest::StreamStatus;

bool IsBlankRecord(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// Decides the format of one record: a wal2json v2 line has an "action" key; a Debezium value
// has "payload"/"schema" (wrapped) or "op"/"source"/"before"/"after" (bare), or is null (a
// tombstone). Returns kAuto with *failure set when the record is not JSON ("invalid_json",
// "not_utf8") or is JSON of neither format ("unknown_format").
CdcFormat DetectFormat(simdjson::ondemand::parser* parser, std::string_view json,
                       size_t padded_size, DecodeFailure* failure) {
  simdjson::ondemand::document doc;
  simdjson::error_code error = parser->iterate(json.data(), json.size(), padded_size).get(doc);
  if (error == simdjson::UTF8_ERROR) {
    cdc::Fail(failure, "not_utf8", "the record is not valid UTF-8");
    return CdcFormat::kAuto;
  }
  if (error) {
    cdc::Fail(failure, "invalid_json", simdjson::error_message(error));
    return CdcFormat::kAuto;
  }
  simdjson::ondemand::json_type type;
  if ((error = doc.type().get(type))) {
    cdc::Fail(failure, "invalid_json", simdjson::error_message(error));
    return CdcFormat::kAuto;
  }
  if (type == simdjson::ondemand::json_type::null) return CdcFormat::kDebezium;
  simdjson::ondemand::object object;
  if (type != simdjson::ondemand::json_type::object || doc.get_object().get(object)) {
    cdc::Fail(failure, "unknown_format", "neither a wal2json nor a Debezium record");
    return CdcFormat::kAuto;
  }
  for (auto item : object) {
    simdjson::ondemand::field field;
    if ((error = std::move(item).get(field))) {
      cdc::Fail(failure, error == simdjson::UTF8_ERROR ? "not_utf8" : "invalid_json",
                simdjson::error_message(error));
      return CdcFormat::kAuto;
    }
    std::string_view key = cdc::KeyText(field.key());
    if (key == "action") return CdcFormat::kWal2json;
    if (key == "payload" || key == "schema" || key == "op" || key == "source" || key == "before" ||
        key == "after") {
      return CdcFormat::kDebezium;
    }
  }
  cdc::Fail(failure, "unknown_format",
            "a JSON object with neither \"action\" (wal2json) nor \"payload\"/\"op\" (Debezium)");
  return CdcFormat::kAuto;
}

// Both decoders and the detection parser, for one source.
class ChangeDecoders {
 public:
  // Decodes one record in `*format`, deciding it first when it is kAuto.
  DecodeOutcome Decode(std::string_view json, size_t padded_size, CdcFormat* format,
                       ChangeEvent* event, DecodeFailure* failure) {
    if (*format == CdcFormat::kAuto) {
      CdcFormat detected = DetectFormat(&detector_, json, padded_size, failure);
      if (detected == CdcFormat::kAuto) return DecodeOutcome::kRejected;
      *format = detected;
    }
    if (*format == CdcFormat::kWal2json) {
      return wal2json_.Decode(json, padded_size, event, failure);
    }
    return debezium_.Decode(json, padded_size, event, failure);
  }

 private:
  simdjson::ondemand::parser detector_;
  Wal2jsonDecoder wal2json_;
  DebeziumDecoder debezium_;
};

// The per-call state of the record loop.
class ChangeReadLoop {
 public:
  ChangeReadLoop(const std::string& path, CdcFormat format, bool regular_file,
                 const ChangeSink& on_event, const RejectSink& on_reject,
                 ChangeReadSummary* summary)
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
          summary_->format = format_;
          return Status::Ok();
        case StreamStatus::kIoError:
          summary_->format = format_;
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
    DecodeOutcome outcome =
        decoders_.Decode(record.text, record.padded_size, &format_, &event_, &failure_);
    if (outcome == DecodeOutcome::kRejected) {
      std::string_view reason = failure_.reason;
      // A record cut off by the end of the input fails to parse; say so rather than blame its
      // syntax. A complete last record without '\n' decodes fine and is kept.
      if (!record.terminated && (reason == "invalid_json" || reason == "not_utf8")) {
        Reject(record, "truncated", "the input ends inside this record (" + failure_.message + ")");
      } else {
        Reject(record, failure_.reason, failure_.message);
      }
      MaybeConsume(record);
      return;
    }
    Consume(record);
    ++summary_->records_read;
    if (outcome == DecodeOutcome::kTombstone) {
      ++summary_->tombstones;
      return;
    }
    event_.position.line = record.first_line;
    event_.position.offset = record.offset;
    ++summary_->events;
    if (on_event_) on_event_(event_);
  }

  void Reject(const RawRecord& record, std::string_view reason, std::string message) {
    ingest::ReportReject(summary_, on_reject_, &rejected_, record.first_line, record.offset, reason,
                         std::move(message), record.text);
  }

  // A record cut off at the end of a regular file is left unconsumed: the writer may still be
  // appending to it. From a pipe nothing can be re-read, so everything is consumed.
  void MaybeConsume(const RawRecord& record) {
    if (!record.terminated && regular_file_) return;
    Consume(record);
  }

  void Consume(const RawRecord& record) { ingest::ConsumeRecord(summary_, record); }

  CdcFormat format_;
  bool regular_file_;
  const ChangeSink& on_event_;
  const RejectSink& on_reject_;
  ChangeReadSummary* summary_;

  ChangeDecoders decoders_;
  ChangeEvent event_;  // reused for every record: its vectors keep their capacity
  DecodeFailure failure_;
  RejectedRecord rejected_;
};

}  // namespace

bool ParseCdcFormat(std::string_view name, CdcFormat* out) {
  if (name == "auto") {
    *out = CdcFormat::kAuto;
  } else if (name == "wal2json") {
    *out = CdcFormat::kWal2json;
  } else if (name == "debezium") {
    *out = CdcFormat::kDebezium;
  } else {
    return false;
  }
  return true;
}

Status ReadChanges(const std::string& path, const ChangeReadOptions& options,
                   const ChangeSink& on_event, const RejectSink& on_reject,
                   ChangeReadSummary* summary) {
  ChangeReadSummary local_summary;
  if (summary == nullptr) summary = &local_summary;
  *summary = ChangeReadSummary{};
  summary->format = options.format;
  summary->end_offset = options.start_offset;
  summary->end_line = options.start_line;

  ingest::SourceFile source;
  if (Status status = source.Open(path); !status.ok()) return status;
  if (Status status = source.SkipTo(options.start_offset, path); !status.ok()) return status;

  RecordStream stream(source.fd(), RecordFraming::kLines, options.start_offset, options.start_line,
                      options.max_record_bytes);
  ChangeReadLoop loop(path, options.format, source.regular(), on_event, on_reject, summary);
  return loop.Run(&stream);
}

bool DecodeChangeMessage(std::string_view json, CdcFormat format, std::vector<ChangeEvent>* out,
                         RejectedRecord* rejected) {
  simdjson::padded_string padded(json);
  ChangeDecoders decoders;
  ChangeEvent event;
  DecodeFailure failure;
  DecodeOutcome outcome =
      decoders.Decode(std::string_view(padded.data(), padded.size()),
                      padded.size() + simdjson::SIMDJSON_PADDING, &format, &event, &failure);
  if (outcome == DecodeOutcome::kRejected) {
    rejected->reason = failure.reason;
    rejected->message = std::move(failure.message);
    return false;
  }
  if (outcome == DecodeOutcome::kEvent) out->push_back(std::move(event));
  return true;
}

}  // namespace rls_shadow
