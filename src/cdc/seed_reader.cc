// ReadSeed: walks a pg_dump --data-only plain file line by line. Outside COPY data, lines are
// gathered into statements (a statement is tried with libpg_query when a line ends in ';', and
// more lines are read while the parser says a quoted string or comment is unterminated); a
// COPY ... FROM stdin switches to data lines until "\.".
#include <set>
#include <string>

#include "cdc/copy_text.h"
#include "cdc/seed_statement.h"
#include "ingest/reader_accounting.h"
#include "ingest/record_stream.h"
#include "ingest/source_file.h"
#include "rls_shadow/change_reader.h"

namespace rls_shadow {
namespace {

using cdc::SeedParse;
using cdc::SeedStatement;
using ingest::RawRecord;
using ingest::RecordFraming;
using ingest::RecordStream;
using ingest::StreamStatus;

constexpr size_t kMaxRecordBytes = size_t{64} << 20;

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::string_view TrimLeft(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

class SeedReadLoop {
 public:
  SeedReadLoop(const std::string& path, const ChangeSink& on_event, const RejectSink& on_reject,
               ChangeReadSummary* summary)
      : on_event_(on_event), on_reject_(on_reject), summary_(summary) {
    event_.position.source = path;
    rejected_.position.source = path;
    event_.action = ChangeAction::kSnapshot;
  }

  Status Run(RecordStream* stream) {
    RawRecord record;
    for (;;) {
      switch (stream->Next(&record)) {
        case StreamStatus::kEnd:
          FinishStatement();
          return Status::Ok();
        case StreamStatus::kIoError:
          return Status::Error(event_.position.source + ": " + stream->error());
        case StreamStatus::kTooLong:
          Reject(record.first_line, record.offset, "line_too_long",
                 "line longer than 64 MiB (" + std::to_string(record.byte_count) + " bytes)",
                 record.text);
          Consume(record);
          break;
        case StreamStatus::kRecord:
          if (in_copy_) {
            HandleCopyLine(record);
          } else {
            HandleSqlLine(record);
          }
          Consume(record);
          break;
      }
    }
  }

 private:
  void HandleCopyLine(const RawRecord& record) {
    std::string_view line = record.text;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "\\.") {
      in_copy_ = false;
      return;
    }
    if (copy_.columns.empty()) {
      RowsMissing(copy_);
      Reject(record.first_line, record.offset, "missing_field",
             "COPY " + copy_.table + " has no column list: column names unknown", record.text);
      return;
    }
    std::string error;
    if (!cdc::DecodeCopyTextRow(line, &fields_, &error)) {
      RowsMissing(copy_);
      Reject(record.first_line, record.offset, "bad_value", error, record.text);
      return;
    }
    if (fields_.size() != copy_.columns.size()) {
      RowsMissing(copy_);
      Reject(record.first_line, record.offset, "bad_value",
             std::to_string(fields_.size()) + " fields for " +
                 std::to_string(copy_.columns.size()) + " columns of " + copy_.table,
             record.text);
      return;
    }
    Emit(copy_, fields_, record.first_line, record.offset);
  }

  void HandleSqlLine(const RawRecord& record) {
    std::string_view line = record.text;
    if (statement_.empty()) {
      std::string_view trimmed = TrimLeft(TrimRight(line));
      // Blank lines, comments, and psql meta-commands (\restrict KEY, \unrestrict KEY, \connect).
      if (trimmed.empty() || trimmed.starts_with("--") || trimmed.starts_with("\\")) return;
      statement_line_ = record.first_line;
      statement_offset_ = record.offset;
    }
    if (statement_.size() + line.size() > kMaxRecordBytes) {
      Reject(statement_line_, statement_offset_, "line_too_long", "statement longer than 64 MiB",
             statement_);
      statement_.clear();
      return;
    }
    statement_.append(line);
    statement_ += '\n';
    if (TrimRight(line).ends_with(';')) TryStatement(false);
  }

  // Parses the gathered text; at the end of the input an unterminated statement is an error.
  void TryStatement(bool at_end) {
    std::string error;
    SeedParse outcome = parser_.Parse(statement_, &statements_, &error);
    if (outcome == SeedParse::kIncomplete && !at_end) return;
    if (outcome != SeedParse::kOk) {
      Reject(statement_line_, statement_offset_, "invalid_sql", error, statement_);
      statement_.clear();
      return;
    }
    for (const SeedStatement& statement : statements_) {
      if (statement.kind == SeedStatement::Kind::kCopyFromStdin) {
        // Data lines follow the statement that ends the gathered text.
        copy_ = statement;
        in_copy_ = true;
        if (!statement.columns.empty()) StartTable(statement, statement_line_, statement_offset_);
      } else if (statement.kind == SeedStatement::Kind::kInsert) {
        if (!statement.reject_reason.empty()) {
          RowsMissing(statement);
          Reject(statement_line_, statement_offset_, statement.reject_reason,
                 statement.reject_message, statement_);
          continue;
        }
        StartTable(statement, statement_line_, statement_offset_);
        for (const auto& row : statement.rows) {
          Emit(statement, row, statement_line_, statement_offset_);
        }
      }
    }
    statement_.clear();
  }

  void FinishStatement() {
    if (statement_.empty()) return;
    if (TrimLeft(TrimRight(statement_)).empty()) return;
    TryStatement(true);
  }

  // A table's data starts: what follows is all of it (pg_dump writes each table's rows in one
  // COPY block, or in INSERTs one after another), so a TRUNCATE event goes first: the row
  // index then knows its copy of the table is complete.
  void StartTable(const SeedStatement& statement, uint64_t line, uint64_t offset) {
    std::string table = QualifiedName(statement);
    if (!tables_started_.insert(table).second) return;
    ChangeEvent truncate;
    truncate.action = ChangeAction::kTruncate;
    truncate.position = event_.position;
    truncate.position.line = line;
    truncate.position.offset = offset;
    truncate.truncated.push_back(std::move(table));
    ++summary_->events;
    if (on_event_) on_event_(truncate);
  }

  // Some of the table's rows could not be read: its copy is not complete after all.
  void RowsMissing(const SeedStatement& statement) {
    ChangeEvent missing;
    missing.action = ChangeAction::kRowsMissing;
    missing.position = event_.position;
    missing.truncated.push_back(QualifiedName(statement));
    ++summary_->events;
    if (on_event_) on_event_(missing);
  }

  static std::string QualifiedName(const SeedStatement& statement) {
    return (statement.schema.empty() ? "public" : statement.schema) + "." + statement.table;
  }

  void Emit(const SeedStatement& statement, const std::vector<std::optional<std::string>>& values,
            uint64_t line, uint64_t offset) {
    event_.schema = statement.schema.empty() ? "public" : statement.schema;
    event_.table = statement.table;
    event_.columns.resize(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      ColumnValue& column = event_.columns[i];
      column.name = statement.columns[i];
      column.type.clear();
      column.text = values[i];
      column.unavailable = false;
    }
    event_.position.line = line;
    event_.position.offset = offset;
    ++summary_->records_read;
    ++summary_->events;
    if (on_event_) on_event_(event_);
  }

  void Reject(uint64_t line, uint64_t offset, std::string_view reason, std::string message,
              std::string_view raw) {
    ingest::ReportReject(summary_, on_reject_, &rejected_, line, offset, reason, std::move(message),
                         raw);
  }

  void Consume(const RawRecord& record) { ingest::ConsumeRecord(summary_, record); }

  const ChangeSink& on_event_;
  const RejectSink& on_reject_;
  ChangeReadSummary* summary_;

  cdc::SeedStatementParser parser_;
  std::vector<SeedStatement> statements_;
  std::string statement_;  // SQL gathered so far
  uint64_t statement_line_ = 0;
  uint64_t statement_offset_ = 0;
  bool in_copy_ = false;
  SeedStatement copy_;  // the COPY whose data lines are being read
  std::set<std::string> tables_started_;
  std::vector<std::optional<std::string>> fields_;
  ChangeEvent event_;
  RejectedRecord rejected_;
};

}  // namespace

Status ReadSeed(const std::string& path, const ChangeSink& on_event, const RejectSink& on_reject,
                ChangeReadSummary* summary) {
  ChangeReadSummary local_summary;
  if (summary == nullptr) summary = &local_summary;
  *summary = ChangeReadSummary{};

  ingest::SourceFile source;
  if (Status status = source.Open(path); !status.ok()) return status;
  RecordStream stream(source.fd(), RecordFraming::kLines, 0, 0, kMaxRecordBytes);
  SeedReadLoop loop(path, on_event, on_reject, summary);
  return loop.Run(&stream);
}

}  // namespace rls_shadow
