// The RocksDB-backed state of rls-shadow: would-be-denial counters per key and hour, access
// counters for coverage, bounded examples, table metadata, per-source read checkpoints and
// opaque session snapshots. Findings are aggregated in memory by a FindingAggregator (the hot
// path) and written with Store::Commit in one WriteBatch together with the checkpoints that
// produced them, so a re-run never double-counts.
//
// A Store is not safe for concurrent writers; readers may run concurrently with one writer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rls_shadow/finding.h"
#include "rls_shadow/status.h"

namespace rls_shadow::store {
class RecordSink;
}

namespace rls_shadow {

// The aggregation key of a would-be denial (or of an allowed access, for allow counters).
struct DenialKey {
  std::string table;
  Command command = Command::kSelect;
  std::string policy;
  std::string tenant;
  std::string code_path;
  std::string lane;
  Effect effect = Effect::kAllow;
  Cause cause = Cause::kNone;
  auto operator<=>(const DenialKey&) const = default;
};

// Coverage: how many accesses a (table, code path, lane) made, by effect.
struct AccessKey {
  std::string table;
  std::string code_path;
  std::string lane;
  Effect effect = Effect::kAllow;
  auto operator<=>(const AccessKey&) const = default;
};

struct CounterValue {
  uint64_t count = 0;
  int64_t first_seen_us = 0;
  int64_t last_seen_us = 0;
};

struct DenialRow {
  DenialKey key;
  CounterValue value;                 // summed over the hours in the queried window
  std::vector<std::string> examples;  // bounded, redacted
};

struct AccessRow {
  AccessKey key;
  CounterValue value;
};

// What the migration says of a table, stored so `report` needs only the state directory.
struct TableMeta {
  std::string table;  // "public.orders"
  std::string owner;
  bool rls_enabled = false;
  bool rls_forced = false;
  std::vector<std::string> policies;
};

// Input health: what was read and what was rejected, by reason.
struct InputStats {
  uint64_t lines_read = 0;
  uint64_t events_analyzed = 0;
  uint64_t lines_rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  uint64_t statements_unparsed = 0;  // statements libpg_query rejected
  // `serve` only: messages behind each partition's end ("topic[partition]"), as of its last
  // commit. Not a total: read from the snapshot kConsumerLagSnapshot, never merged.
  std::map<std::string, int64_t> consumer_lag;
};
// serve writes its consumer lag here at every commit, one "topic[partition]=messages" a line.
inline constexpr char kConsumerLagSnapshot[] = "serve/lag";

// How far a source has been read. `source_id` names it (the log's path); `fingerprint` tells
// whether the file is still the one that was read.
struct SourceCheckpoint {
  std::string source_id;
  uint64_t offset = 0;  // bytes fully processed
  uint64_t line = 0;    // lines fully processed
  // A digest of the source's first bytes (up to 4 KiB, never past offset), so a file replaced
  // under the same name is told apart from one that has grown.
  std::string fingerprint;
};

// One change to the row index (rls-shadow's copy of the rows that policies read, see
// analyze/row_index.h). The store keeps it opaque: a table, an encoded primary key and a blob.
struct RowRecord {
  std::string table;                // "public.orders"
  std::string key;                  // the encoded primary key
  std::optional<std::string> blob;  // the encoded row; nullopt: the row was deleted
  bool whole_table = false;         // with !blob: every row of `table` is gone (TRUNCATE)
};

// Accumulates findings in memory; the analyzer's hot path calls Add once per finding.
//
// Every finding is counted twice: under its DenialKey (allowed findings too, so allow counters
// exist per policy) and under its AccessKey (coverage). Totals are always exact; only examples
// are bounded. A key's strings are interned, so Add copies a string only the first time it is
// seen, and a (key, hour) is found by one probe of a flat table (store/aggregator_tables.h).
//
// A FindingAggregator is not thread-safe: use one per analyzer thread (or external locking).
class FindingAggregator {
 public:
  explicit FindingAggregator(size_t max_examples_per_key = 3);
  ~FindingAggregator();
  FindingAggregator(const FindingAggregator&) = delete;
  FindingAggregator& operator=(const FindingAggregator&) = delete;
  // A moved-from aggregator is empty and may be used again.
  FindingAggregator(FindingAggregator&& other) noexcept;
  FindingAggregator& operator=(FindingAggregator&& other) noexcept;

  // Counts `f` under its DenialKey and AccessKey in the hour bucket of f.time_us
  // (floor(time_us / 3600e6), also for times before 1970), keeping f.example if the key has
  // fewer than max_examples_per_key examples. Empty and duplicate examples are not kept.
  void Add(const Finding& f);
  // Adds to the input-health counters that Commit writes.
  void AddInputStats(const InputStats& delta);

  bool empty() const;
  size_t size() const;  // distinct (key, hour) entries held
  void Clear();
  size_t max_examples_per_key() const { return max_examples_; }

 private:
  friend class Store;
  struct Tables;  // store/aggregator_tables.h

  size_t max_examples_;
  std::unique_ptr<Tables> tables_;
};

struct StoreOptions {
  // A Commit whose records take at least this many bytes is written as an SST file and ingested
  // (no write-ahead log, no memtable: see store/record_sink.h); a smaller one as a WriteBatch.
  size_t ingest_from_bytes = size_t{4} << 20;
};

// The state directory: a RocksDB database (one per serve instance / partition set).
//
// Thread-safety: one writer (Commit, PutTables) at a time; any number of readers may run
// concurrently with it and with each other, each read seeing a consistent snapshot.
class Store {
 public:
  // Opens (creating if needed) the state directory `dir`. Fails with "cannot open state
  // directory <dir>: <reason>" when RocksDB cannot open it (e.g. another writer holds the lock)
  // or when it holds a database that is not an rls-shadow state directory.
  static Status Open(const std::string& dir, std::unique_ptr<Store>* out,
                     const StoreOptions& options = {});
  // Opens read-only (for report/dashboard while another process may write). Sees the state as
  // of the open. Never creates anything; fails when `dir` is not a state directory.
  static Status OpenReadOnly(const std::string& dir, std::unique_ptr<Store>* out);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Writes everything `agg` holds, the checkpoints and the snapshots atomically (synced: in one
  // WriteBatch, or one ingested SST file when large), then clears `agg`. Counters are added to what
  // is stored (count summed, first_seen min, last_seen max); examples are appended up to agg's
  // bound. On error nothing is written and `agg` is left intact, so the caller may retry. Not
  // allowed on a read-only store. `rows` are applied in order (a table's removal drops the
  // changes to it before it, not those after).
  // A snapshot mapped to nullopt is deleted.
  Status Commit(FindingAggregator& agg, const std::vector<SourceCheckpoint>& checkpoints,
                const std::map<std::string, std::optional<std::string>>& snapshots = {},
                const std::vector<RowRecord>& rows = {});
  // Commit in two steps, for a caller that must record the batch elsewhere before it takes
  // effect (serve's changelog, so a crash between the two can be rolled forward).
  // PrepareCommit builds the WriteBatch Commit would write and returns its bytes in *batch
  // (agg is not changed); ApplyBatch writes such bytes (synced). Counters are written as
  // absolute values read at prepare time, so applying a prepared batch twice in a row gives
  // the same state — but it must not be applied after a later batch.
  Status PrepareCommit(const FindingAggregator& agg,
                       const std::vector<SourceCheckpoint>& checkpoints,
                       const std::map<std::string, std::optional<std::string>>& snapshots,
                       const std::vector<RowRecord>& rows, std::string* batch) const;
  Status ApplyBatch(std::string_view batch);

  // Replaces the stored table metadata by `tables` (tables absent from it are removed), in one
  // WriteBatch.
  Status PutTables(const std::vector<TableMeta>& tables);
  // Returns the stored tables, sorted by name.
  Status ReadTables(std::vector<TableMeta>* out) const;

  // Returns the stored checkpoint of `source_id`, or nullopt when it was never read.
  // Also nullopt on an I/O error: callers that resume from it should use LoadCheckpoint.
  std::optional<SourceCheckpoint> GetCheckpoint(const std::string& source_id) const;
  // Opaque blobs (e.g. session state), written by Commit's `snapshots`.
  // Also nullopt on an I/O error: see LoadSnapshot.
  std::optional<std::string> GetSnapshot(const std::string& name) const;
  // Like GetCheckpoint/GetSnapshot, but an unreadable or corrupt record is an error instead of
  // looking like "never read" (which would replay the source and double-count). `*out` is
  // nullopt when the record does not exist.
  Status LoadCheckpoint(const std::string& source_id, std::optional<SourceCheckpoint>* out) const;
  Status LoadSnapshot(const std::string& name, std::optional<std::string>* out) const;

  // Every snapshot whose name starts with `prefix`, by name.
  Status ScanSnapshots(
      std::string_view prefix,
      const std::function<Status(std::string_view name, std::string_view blob)>& fn) const;

  // Every stored row of the row index, by table then key (blob always set).
  Status ScanRows(const std::function<Status(const RowRecord&)>& fn) const;

  // Rows whose hour bucket overlaps [since_us, until_us); counts summed over those hours,
  // first_seen/last_seen the min/max over them (so they may lie up to an hour outside the
  // window). Sorted by key. ReadDenials returns allowed rows too (effect kAllow: the allow
  // counters per policy); filter with IsWouldBeDenial. Examples: the oldest ones first, at most
  // as many as the fullest hour bucket holds (the bound the writer used). An empty window
  // (until_us <= since_us) yields no rows.
  Status ReadDenials(int64_t since_us, int64_t until_us, std::vector<DenialRow>* out) const;
  Status ReadAccesses(int64_t since_us, int64_t until_us, std::vector<AccessRow>* out) const;
  // Cumulative input health since the state directory was created (not windowed).
  Status ReadInputStats(InputStats* out) const;
  // RocksDB's latest sequence number: it grows with every write, so readers can cache what they
  // computed from the store until it changes. For a read-only store, as of the open.
  uint64_t SequenceNumber() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  // The records of a commit, in key order, put into `sink`.
  Status BuildBatch(const FindingAggregator& agg, const std::vector<SourceCheckpoint>& checkpoints,
                    const std::map<std::string, std::optional<std::string>>& snapshots,
                    const std::vector<RowRecord>& rows, store::RecordSink* sink) const;
  // Room to reserve for agg's batch, so that building it does not copy it again and again.
  static size_t EstimatedBatchBytes(const FindingAggregator& agg);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rls_shadow
