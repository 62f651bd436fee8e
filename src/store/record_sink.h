// RecordSink: where the records of one commit go. Store::BuildBatch emits them in key order, so
// the same records can fill a WriteBatch (small commits, and serve's changelog) or an SST file
// that is ingested into the database whole (the large commit at the end of `analyze`: it skips
// the write-ahead log and the memtable, which copied tens of MB twice, and leaves the state in
// an SST that `report` reads directly instead of replaying a log).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "rls_shadow/status.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace rls_shadow::store {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Point records, in strictly increasing key order.
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Deletes the stored keys in [begin, end): those of earlier commits, never a point record of
  // the same commit (an SST file's range deletion spares its own keys; a batch gets the range
  // before the points), so both sinks agree on what survives.
  virtual Status DeleteRange(std::string_view begin, std::string_view end) = 0;
};

// Appends to a WriteBatch the caller writes.
class BatchSink : public RecordSink {
 public:
  explicit BatchSink(rocksdb::WriteBatch* batch) : batch_(batch) {}
  Status Put(std::string_view key, std::string_view value) override;
  Status Delete(std::string_view key) override;
  Status DeleteRange(std::string_view begin, std::string_view end) override;

 private:
  rocksdb::WriteBatch* batch_;
};

// Writes an SST file at `path` (in the state directory) and, on Ingest, moves it into `db`
// atomically: every record of the commit becomes visible at once, or none does.
class IngestSink : public RecordSink {
 public:
  IngestSink(rocksdb::DB* db, std::string path);
  ~IngestSink() override;  // removes the file if it was not ingested
  Status Put(std::string_view key, std::string_view value) override;
  Status Delete(std::string_view key) override;
  Status DeleteRange(std::string_view begin, std::string_view end) override;
  // Finishes the file and ingests it (synced). A sink that received nothing ingests nothing.
  Status Ingest();

 private:
  Status Opened();

  struct Writer;
  rocksdb::DB* db_;
  std::string path_;
  std::unique_ptr<Writer> writer_;  // opened by the first record
  bool ingested_ = false;
};

}  // namespace rls_shadow::store
