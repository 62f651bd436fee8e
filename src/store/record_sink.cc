#include "store/record_sink.h"

#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <utility>

namespace rls_shadow::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

// The message is made only on failure: a commit puts every key through here.
Status Checked(const rocksdb::Status& s, std::string_view what, std::string_view path = {}) {
  if (s.ok()) return Status::Ok();
  std::string message(what);
  if (!path.empty()) message.append(" ").append(path);
  return Status::Error(message + ": " + s.ToString());
}

}  // namespace

Status BatchSink::Put(std::string_view key, std::string_view value) {
  return Checked(batch_->Put(ToSlice(key), ToSlice(value)), "cannot build commit");
}

Status BatchSink::Delete(std::string_view key) {
  return Checked(batch_->Delete(ToSlice(key)), "cannot build commit");
}

Status BatchSink::DeleteRange(std::string_view begin, std::string_view end) {
  return Checked(batch_->DeleteRange(ToSlice(begin), ToSlice(end)), "cannot build commit");
}

struct IngestSink::Writer {
  rocksdb::Options options;
  rocksdb::SstFileWriter sst{rocksdb::EnvOptions(), options};
  explicit Writer(const rocksdb::Options& db_options) : options(db_options) {}
};

IngestSink::IngestSink(rocksdb::DB* db, std::string path) : db_(db), path_(std::move(path)) {}

IngestSink::~IngestSink() {
  if (writer_ && !ingested_) std::remove(path_.c_str());
}

Status IngestSink::Opened() {
  if (writer_) return Status::Ok();
  // The database's own options: the file is built with its comparator and compression.
  writer_ = std::make_unique<Writer>(db_->GetOptions());
  return Checked(writer_->sst.Open(path_), "cannot write", path_);
}

Status IngestSink::Put(std::string_view key, std::string_view value) {
  if (Status s = Opened(); !s.ok()) return s;
  return Checked(writer_->sst.Put(ToSlice(key), ToSlice(value)), "cannot write", path_);
}

Status IngestSink::Delete(std::string_view key) {
  if (Status s = Opened(); !s.ok()) return s;
  return Checked(writer_->sst.Delete(ToSlice(key)), "cannot write", path_);
}

Status IngestSink::DeleteRange(std::string_view begin, std::string_view end) {
  if (Status s = Opened(); !s.ok()) return s;
  return Checked(writer_->sst.DeleteRange(ToSlice(begin), ToSlice(end)), "cannot write", path_);
}

Status IngestSink::Ingest() {
  if (!writer_) return Status::Ok();
  if (Status s = Checked(writer_->sst.Finish(), "cannot write", path_); !s.ok()) return s;
  rocksdb::IngestExternalFileOptions options;
  options.move_files = true;  // a hard link: the records are not copied again
  if (Status s = Checked(db_->IngestExternalFile({path_}, options), "cannot commit", path_);
      !s.ok()) {
    return s;
  }
  ingested_ = true;
  return Status::Ok();
}

}  // namespace rls_shadow::store
