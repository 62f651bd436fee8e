// Store on RocksDB. Counters are combined by read-modify-write inside Commit rather than by a
// RocksDB MergeOperator: the Store has one writer, so reads inside Commit cannot race, and
// plain values keep every reader (including OpenForReadOnly in another process, which would
// otherwise need the same operator registered) free of unmerged operands.
//
// Crash consistency is by construction: Commit puts every counter, example, input counter,
// checkpoint and snapshot into ONE rocksdb::WriteBatch written with one DB::Write, or, when it
// is large, into ONE SST file ingested with one IngestExternalFile; RocksDB applies either
// atomically (all or nothing after recovery), so a crash leaves either the old counts with the
// old checkpoints or the new counts with the new checkpoints, and replay from the stored
// checkpoint reproduces exactly the same totals.

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "rls_shadow/store.h"
#include "store/aggregator_tables.h"
#include "store/counter_merge.h"
#include "store/key_codec.h"
#include "store/key_order.h"
#include "store/record_sink.h"
#include "store/value_codec.h"

namespace rls_shadow {
namespace {

// Written on creation and checked on every open, so that `report --state /some/other/rocksdb`
// fails clearly instead of reading foreign keys as corrupt records.
constexpr std::string_view kFormatMarker = "rls-shadow state v1";

// The SST file a large commit is written to before it is ingested (and moved into RocksDB's own
// files). Not a name RocksDB uses, so an unfinished one left by a crash is ignored by it, and
// overwritten by the next large commit.
constexpr std::string_view kIngestFile = "commit-ingest.sst.tmp";

Status OpenError(const std::string& dir, const std::string& why) {
  return Status::Error("cannot open state directory " + dir + ": " + why);
}

Status RocksError(std::string_view what, const rocksdb::Status& s) {
  return Status::Error(std::string(what) + ": " + s.ToString());
}

Status Corrupt(std::string_view what, std::string_view key) {
  std::string printable;
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      printable.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      printable += "\\x";
      printable.push_back(kHex[u >> 4]);
      printable.push_back(kHex[u & 0xf]);
    }
  }
  return Status::Error("corrupt " + std::string(what) + " record in state directory (key \"" +
                       printable + "\")");
}

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// The exclusive upper bound of the keys starting with `prefix`, whose last byte is below 0xff
// ("x/", or a row table's prefix ending in 0x00 0x01): that byte bumped.
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

// The hour range [first, last) whose buckets overlap [since_us, until_us). Returns false when
// the window is empty.
bool HourRange(int64_t since_us, int64_t until_us, int64_t* first, int64_t* last) {
  if (until_us <= since_us) return false;
  *first = store::HourOf(since_us);
  *last = store::HourOf(until_us - 1) + 1;
  return true;
}

}  // namespace

struct Store::Impl {
  std::string dir;
  bool read_only = false;
  size_t ingest_from_bytes = StoreOptions().ingest_from_bytes;
  std::unique_ptr<rocksdb::DB> db;

  Status Get(std::string_view key, std::optional<std::string>* value) const {
    std::string v;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), &v);
    if (s.IsNotFound()) {
      value->reset();
      return Status::Ok();
    }
    if (!s.ok()) return RocksError("cannot read state directory " + dir, s);
    *value = std::move(v);
    return Status::Ok();
  }

  // Whether any record's key starts with `prefix` ("x/").
  Status HasAny(std::string_view prefix, bool* any) const {
    const std::string upper = PrefixEnd(prefix);
    rocksdb::Slice upper_slice(upper);
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
    it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
    *any = it->Valid();
    if (!it->status().ok()) return RocksError("cannot read state directory " + dir, it->status());
    return Status::Ok();
  }

  Status CheckWritable() const {
    if (read_only) return Status::Error("state directory " + dir + " is open read-only");
    return Status::Ok();
  }

  // The one write that makes a commit visible, atomically. Synced, so a commit that returned
  // Ok survives a power loss (the checkpoints in it are a promise not to re-read that input).
  Status Write(rocksdb::WriteBatch* batch) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status ws = db->Write(wo, batch);
    if (!ws.ok()) return RocksError("cannot commit to state directory " + dir, ws);
    return Status::Ok();
  }

  // Calls fn(key, value) for every record in [lower, upper); stops at fn's first error.
  template <typename Fn>
  Status Scan(const std::string& lower, const std::string& upper, Fn&& fn) const {
    rocksdb::ReadOptions options;
    rocksdb::Slice upper_slice(upper);
    options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(options));
    for (it->Seek(lower); it->Valid(); it->Next()) {
      Status s = fn(View(it->key()), View(it->value()));
      if (!s.ok()) return s;
    }
    if (!it->status().ok()) return RocksError("cannot read state directory " + dir, it->status());
    return Status::Ok();
  }

  // Every record whose key starts with `prefix` (prefixes are "x/": the next byte bounds them).
  template <typename Fn>
  Status ScanPrefix(std::string_view prefix, Fn&& fn) const {
    return Scan(std::string(prefix), PrefixEnd(prefix), std::forward<Fn>(fn));
  }

  Status CheckFormat(bool may_initialize) {
    std::optional<std::string> marker;
    Status s = Get(store::kFormatKey, &marker);
    if (!s.ok()) return s;
    if (marker) {
      if (*marker != kFormatMarker) {
        return Status::Error("unsupported state format \"" + *marker + "\"");
      }
      return Status::Ok();
    }
    // No marker: acceptable only for a database that is still empty (just created).
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) return Status::Error("not an rls-shadow state directory");
    if (!it->status().ok()) return RocksError("cannot read", it->status());
    if (!may_initialize) return Status::Error("state directory was never written");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status ws = db->Put(wo, std::string(store::kFormatKey), std::string(kFormatMarker));
    if (!ws.ok()) return RocksError("cannot initialize", ws);
    return Status::Ok();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  if (impl_ && impl_->db) {
    // Close() reports errors that the destructor would swallow; there is nobody to tell here,
    // and the WAL has every committed batch already.
    (void)impl_->db->Close();
  }
}

Status Store::Open(const std::string& dir, std::unique_ptr<Store>* out,
                   const StoreOptions& store_options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->ingest_from_bytes = store_options.ingest_from_bytes;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.keep_log_file_num = 5;  // RocksDB's info LOG files, not the WAL
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return OpenError(dir, s.ToString());
  impl->db.reset(raw);
  Status f = impl->CheckFormat(/*may_initialize=*/true);
  if (!f.ok()) return OpenError(dir, f.message());
  out->reset(new Store(std::move(impl)));
  return Status::Ok();
}

Status Store::OpenReadOnly(const std::string& dir, std::unique_ptr<Store>* out) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->read_only = true;
  rocksdb::Options options;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(options, dir, &raw);
  if (!s.ok()) return OpenError(dir, s.ToString());
  impl->db.reset(raw);
  Status f = impl->CheckFormat(/*may_initialize=*/false);
  if (!f.ok()) return OpenError(dir, f.message());
  out->reset(new Store(std::move(impl)));
  return Status::Ok();
}

Status Store::Commit(FindingAggregator& agg, const std::vector<SourceCheckpoint>& checkpoints,
                     const std::map<std::string, std::optional<std::string>>& snapshots,
                     const std::vector<RowRecord>& rows) {
  if (Status s = impl_->CheckWritable(); !s.ok()) return s;
  const size_t bytes = EstimatedBatchBytes(agg);
  if (bytes >= impl_->ingest_from_bytes) {
    // A large commit is written as an SST file and ingested: see store/record_sink.h.
    store::IngestSink sink(impl_->db.get(), impl_->dir + "/" + std::string(kIngestFile));
    if (Status s = BuildBatch(agg, checkpoints, snapshots, rows, &sink); !s.ok()) return s;
    if (Status s = sink.Ingest(); !s.ok()) return s;
  } else {
    // Built and written in place: a batch can be MBs, and each copy costs more than encoding.
    rocksdb::WriteBatch batch(bytes);
    store::BatchSink sink(&batch);
    if (Status s = BuildBatch(agg, checkpoints, snapshots, rows, &sink); !s.ok()) return s;
    if (Status s = impl_->Write(&batch); !s.ok()) return s;
  }
  agg.Clear();
  return Status::Ok();
}

Status Store::ApplyBatch(std::string_view bytes) {
  if (Status s = impl_->CheckWritable(); !s.ok()) return s;
  rocksdb::WriteBatch batch{std::string(bytes)};
  return impl_->Write(&batch);
}

Status Store::PrepareCommit(const FindingAggregator& agg,
                            const std::vector<SourceCheckpoint>& checkpoints,
                            const std::map<std::string, std::optional<std::string>>& snapshots,
                            const std::vector<RowRecord>& rows, std::string* out) const {
  if (Status s = impl_->CheckWritable(); !s.ok()) return s;
  rocksdb::WriteBatch batch(EstimatedBatchBytes(agg));
  store::BatchSink sink(&batch);
  if (Status s = BuildBatch(agg, checkpoints, snapshots, rows, &sink); !s.ok()) return s;
  *out = batch.Data();
  return Status::Ok();
}

Status Store::BuildBatch(const FindingAggregator& agg,
                         const std::vector<SourceCheckpoint>& checkpoints,
                         const std::map<std::string, std::optional<std::string>>& snapshots,
                         const std::vector<RowRecord>& rows, store::RecordSink* sink) const {
  Status s;

  // Read-modify-write: each (key, hour) the aggregator holds is unique, so one Get per entry.
  // Nothing is changed in `agg` until the records are written, so a failed Commit can be retried.
  //
  // Records go out in key order, record type by record type ("a/" < "c/" < "d/" < "i/" < "r/" <
  // "s/"): an SST file takes nothing else, and the memtable is a skip list that inserting keys
  // in the aggregator's hash order made search from the top every time. The counter keys are
  // put in that order from their ids (store/key_order.h) and encoded one at a time.
  const FindingAggregator::Tables& t = *agg.tables_;
  const std::vector<uint32_t> rank = store::ByteOrderRanks(t.fields);

  // A state directory without counters of a kind (the first commit into it) has none to read
  // back: one Get per key is spared.
  bool stored_accesses = false;
  bool stored_denials = false;
  if (s = impl_->HasAny(store::kAccessPrefix, &stored_accesses); !s.ok()) return s;
  if (s = impl_->HasAny(store::kDenialPrefix, &stored_denials); !s.ok()) return s;

  for (uint32_t i : store::AccessKeysInOrder(t.access_index, rank)) {
    const store::AccessIds& k = t.access_index.key(i);
    const std::string key = store::EncodeAccessKey(
        store::AccessKeyView{t.fields[k.table], t.fields[k.code_path], t.fields[k.lane],
                             static_cast<Effect>(k.effect)},
        k.hour);
    std::optional<std::string> old;
    if (stored_accesses && !(s = impl_->Get(key, &old)).ok()) return s;
    CounterValue value;
    if (old && !store::DecodeCounter(*old, &value)) return Corrupt("access", key);
    store::MergeCounter(t.accesses[i], &value);
    if (s = sink->Put(key, store::EncodeCounter(value)); !s.ok()) return s;
  }
  // A source listed twice keeps its last checkpoint, as a batch's later Put would.
  std::map<std::string, const SourceCheckpoint*> checkpoint_records;
  for (const auto& cp : checkpoints) {
    checkpoint_records[store::EncodeNamedKey(store::kCheckpointPrefix, cp.source_id)] = &cp;
  }
  for (const auto& [key, cp] : checkpoint_records) {
    if (s = sink->Put(key, store::EncodeCheckpoint(*cp)); !s.ok()) return s;
  }
  for (uint32_t i : store::DenialKeysInOrder(t.denial_index, rank)) {
    const store::DenialIds& k = t.denial_index.key(i);
    const std::string key = store::EncodeDenialKey(
        store::DenialKeyView{t.fields[k.table], static_cast<Command>(k.command),
                             t.fields[k.policy], t.fields[k.tenant], t.fields[k.code_path],
                             t.fields[k.lane], static_cast<Effect>(k.effect),
                             static_cast<Cause>(k.cause)},
        k.hour);
    std::optional<std::string> old;
    if (stored_denials && !(s = impl_->Get(key, &old)).ok()) return s;
    store::DenialValue value;
    if (old && !store::DecodeDenialValue(*old, &value)) return Corrupt("denial", key);
    const store::DenialCounts& bucket = t.denials[i];
    store::MergeCounter(bucket.value, &value.counter);
    for (uint32_t e : bucket.examples) {
      store::MergeExample(t.examples[e], agg.max_examples_, &value.examples);
    }
    if (s = sink->Put(key, store::EncodeDenialValue(value)); !s.ok()) return s;
  }
  if (t.has_input) {
    InputStats totals;
    std::optional<std::string> old;
    s = impl_->Get(store::kInputStatsKey, &old);
    if (!s.ok()) return s;
    if (old && !store::DecodeInputStats(*old, &totals)) {
      return Corrupt("input stats", store::kInputStatsKey);
    }
    store::MergeInputStats(t.input, &totals);
    if (s = sink->Put(store::kInputStatsKey, store::EncodeInputStats(totals)); !s.ok()) return s;
  }
  // Row changes apply in order: a whole table's removal drops the changes before it, and what
  // is left is one final state per key, after the removals.
  std::vector<std::string> removed_tables;
  std::map<std::string, std::optional<std::string>> row_records;
  for (const RowRecord& r : rows) {
    if (r.whole_table) {
      // The table's keys share RowTablePrefix, which ends in the terminator 0x00 0x01.
      std::string begin = store::RowTablePrefix(r.table);
      row_records.erase(row_records.lower_bound(begin), row_records.lower_bound(PrefixEnd(begin)));
      removed_tables.push_back(std::move(begin));
    } else {
      row_records[store::EncodeRowKey(r.table, r.key)] = r.blob;
    }
  }
  for (const std::string& begin : removed_tables) {
    if (s = sink->DeleteRange(begin, PrefixEnd(begin)); !s.ok()) return s;
  }
  for (const auto& [key, blob] : row_records) {
    s = blob ? sink->Put(key, *blob) : sink->Delete(key);
    if (!s.ok()) return s;
  }
  // By name is already key order: the encoding preserves the names' byte order (key_codec.h).
  for (const auto& [name, blob] : snapshots) {
    const std::string key = store::EncodeNamedKey(store::kSnapshotPrefix, name);
    s = blob ? sink->Put(key, *blob) : sink->Delete(key);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

size_t Store::EstimatedBatchBytes(const FindingAggregator& agg) {
  // Keys and counters are well under 128 bytes; examples are the bulk of a denial record.
  const FindingAggregator::Tables& t = *agg.tables_;
  size_t bytes = 128 * agg.size();
  for (const store::DenialCounts& d : t.denials) {
    for (uint32_t e : d.examples) bytes += t.examples[e].size() + 8;
  }
  return bytes;
}

Status Store::PutTables(const std::vector<TableMeta>& tables) {
  Status s = impl_->CheckWritable();
  if (!s.ok()) return s;
  rocksdb::WriteBatch batch;
  std::set<std::string> keep;
  for (const auto& t : tables) {
    std::string key = store::EncodeNamedKey(store::kTablePrefix, t.table);
    batch.Put(key, store::EncodeTableMeta(t));
    keep.insert(std::move(key));
  }
  s = impl_->ScanPrefix(store::kTablePrefix, [&](std::string_view key, std::string_view) {
    if (!keep.contains(std::string(key))) batch.Delete(rocksdb::Slice(key.data(), key.size()));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status ws = impl_->db->Write(wo, &batch);
  if (!ws.ok()) return RocksError("cannot write tables to state directory " + impl_->dir, ws);
  return Status::Ok();
}

Status Store::ReadTables(std::vector<TableMeta>* out) const {
  out->clear();
  return impl_->ScanPrefix(store::kTablePrefix, [&](std::string_view key, std::string_view value) {
    TableMeta meta;
    if (!store::DecodeNamedKey(store::kTablePrefix, key, &meta.table) ||
        !store::DecodeTableMeta(value, &meta)) {
      return Corrupt("table", key);
    }
    out->push_back(std::move(meta));
    return Status::Ok();
  });
}

Status Store::LoadCheckpoint(const std::string& source_id,
                             std::optional<SourceCheckpoint>* out) const {
  const std::string key = store::EncodeNamedKey(store::kCheckpointPrefix, source_id);
  std::optional<std::string> value;
  Status s = impl_->Get(key, &value);
  if (!s.ok()) return s;
  out->reset();
  if (!value) return Status::Ok();
  SourceCheckpoint cp;
  cp.source_id = source_id;
  if (!store::DecodeCheckpoint(*value, &cp)) return Corrupt("checkpoint", key);
  *out = std::move(cp);
  return Status::Ok();
}

Status Store::ScanRows(const std::function<Status(const RowRecord&)>& fn) const {
  return impl_->ScanPrefix(store::kRowPrefix, [&](std::string_view key, std::string_view value) {
    RowRecord r;
    if (!store::DecodeRowKey(key, &r.table, &r.key)) return Corrupt("row", key);
    r.blob = std::string(value);
    return fn(r);
  });
}

Status Store::ScanSnapshots(
    std::string_view prefix,
    const std::function<Status(std::string_view name, std::string_view blob)>& fn) const {
  // Names are escaped and terminated (key_codec.h): the escaped prefix without its terminator
  // starts exactly the names that start with `prefix`.
  std::string lower = store::EncodeNamedKey(store::kSnapshotPrefix, prefix);
  lower.resize(lower.size() - 2);
  if (lower.empty() || static_cast<unsigned char>(lower.back()) == 0xff) {
    return Status::Error("ScanSnapshots: unsupported prefix");
  }
  return impl_->ScanPrefix(lower, [&](std::string_view key, std::string_view value) {
    std::string name;
    if (!store::DecodeNamedKey(store::kSnapshotPrefix, key, &name)) return Corrupt("snapshot", key);
    return fn(name, value);
  });
}

Status Store::LoadSnapshot(const std::string& name, std::optional<std::string>* out) const {
  return impl_->Get(store::EncodeNamedKey(store::kSnapshotPrefix, name), out);
}

std::optional<SourceCheckpoint> Store::GetCheckpoint(const std::string& source_id) const {
  std::optional<SourceCheckpoint> cp;
  if (!LoadCheckpoint(source_id, &cp).ok()) return std::nullopt;
  return cp;
}

std::optional<std::string> Store::GetSnapshot(const std::string& name) const {
  std::optional<std::string> blob;
  if (!LoadSnapshot(name, &blob).ok()) return std::nullopt;
  return blob;
}

Status Store::ReadDenials(int64_t since_us, int64_t until_us, std::vector<DenialRow>* out) const {
  out->clear();
  int64_t first = 0, last = 0;
  if (!HourRange(since_us, until_us, &first, &last)) return Status::Ok();
  // Keys are hour-major, so the same DenialKey appears once per hour: sum them by key.
  std::map<DenialKey, DenialRow> rows;
  size_t bound = 0;  // the most examples any one bucket holds: the writer's bound
  Status s = impl_->Scan(
      store::HourBound(store::kDenialPrefix, first), store::HourBound(store::kDenialPrefix, last),
      [&](std::string_view key, std::string_view value) {
        DenialKey k;
        int64_t hour = 0;
        store::DenialValue v;
        if (!store::DecodeDenialKey(key, &k, &hour) || !store::DecodeDenialValue(value, &v)) {
          return Corrupt("denial", key);
        }
        bound = std::max(bound, v.examples.size());
        DenialRow& row = rows[k];
        store::MergeCounter(v.counter, &row.value);
        // Hours come oldest first; keep them all for now, cut to `bound` below.
        for (const std::string& e : v.examples) store::MergeExample(e, SIZE_MAX, &row.examples);
        return Status::Ok();
      });
  if (!s.ok()) return s;
  out->reserve(rows.size());
  for (auto& [key, row] : rows) {
    row.key = key;
    if (row.examples.size() > bound) row.examples.resize(bound);
    out->push_back(std::move(row));
  }
  return Status::Ok();
}

Status Store::ReadAccesses(int64_t since_us, int64_t until_us, std::vector<AccessRow>* out) const {
  out->clear();
  int64_t first = 0, last = 0;
  if (!HourRange(since_us, until_us, &first, &last)) return Status::Ok();
  std::map<AccessKey, CounterValue> rows;
  Status s = impl_->Scan(
      store::HourBound(store::kAccessPrefix, first), store::HourBound(store::kAccessPrefix, last),
      [&](std::string_view key, std::string_view value) {
        AccessKey k;
        int64_t hour = 0;
        CounterValue v;
        if (!store::DecodeAccessKey(key, &k, &hour) || !store::DecodeCounter(value, &v)) {
          return Corrupt("access", key);
        }
        store::MergeCounter(v, &rows[k]);
        return Status::Ok();
      });
  if (!s.ok()) return s;
  out->reserve(rows.size());
  for (auto& [key, value] : rows) out->push_back(AccessRow{key, value});
  return Status::Ok();
}

Status Store::ReadInputStats(InputStats* out) const {
  *out = InputStats{};
  std::optional<std::string> value;
  Status s = impl_->Get(store::kInputStatsKey, &value);
  if (!s.ok()) return s;
  if (value && !store::DecodeInputStats(*value, out)) {
    return Corrupt("input stats", store::kInputStatsKey);
  }
  return Status::Ok();
}

uint64_t Store::SequenceNumber() const { return impl_->db->GetLatestSequenceNumber(); }

}  // namespace rls_shadow
