// Store round trips. Atomicity of Commit (counters + checkpoints + snapshots) is by construction:
// Store::Commit writes ONE rocksdb::WriteBatch with one DB::Write, or ONE SST file with one
// IngestExternalFile, which RocksDB applies all-or-nothing (see rocksdb_store.cc). The tests here
// check what a crash-free run and a reopen (the recovery path) produce, for both ways of
// writing: each StoreTest runs once with every commit a batch and once with every commit
// ingested.

#include "rls_shadow/store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>

#include "unit/store/scratch_dir.h"

namespace rls_shadow {
namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
constexpr int64_t kT0 = 490'000 * kHourUs;

Finding MakeFinding(int64_t time_us, std::string tenant = "t1", std::string example = "") {
  Finding f;
  f.table = "public.orders";
  f.command = Command::kInsert;
  f.policy = "tenant_isolation";
  f.tenant = std::move(tenant);
  f.code_path = "InvoiceJob";
  f.lane = "billing";
  f.effect = Effect::kError;
  f.cause = Cause::kEmptyContext;
  f.time_us = time_us;
  f.example = std::move(example);
  return f;
}

// The parameter: whether commits are ingested as SST files (else written as WriteBatches).
class StoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.ingest_from_bytes = GetParam() ? 0 : SIZE_MAX;
    Status s = Store::Open(path_, &store_, options);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::vector<RowRecord> Rows() {
    std::vector<RowRecord> rows;
    Status s = store_->ScanRows([&](const RowRecord& r) {
      rows.push_back(r);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return rows;
  }

  std::vector<DenialRow> Denials(int64_t since, int64_t until) {
    std::vector<DenialRow> rows;
    Status s = store_->ReadDenials(since, until, &rows);
    EXPECT_TRUE(s.ok()) << s.message();
    return rows;
  }

  testing::ScratchDir dir_;
  std::string path_ = dir_.Sub("state");
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, CountersAddUpAcrossCommits) {
  FindingAggregator agg;
  agg.Add(MakeFinding(kT0 + 100));
  agg.Add(MakeFinding(kT0 + 200));
  ASSERT_TRUE(store_->Commit(agg, {}).ok());
  EXPECT_TRUE(agg.empty());  // Commit clears what it wrote

  agg.Add(MakeFinding(kT0 + 50));   // earlier than anything stored: new first_seen
  agg.Add(MakeFinding(kT0 + 900));  // new last_seen
  ASSERT_TRUE(store_->Commit(agg, {}).ok());

  auto rows = Denials(kT0, kT0 + kHourUs);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.count, 4u);
  EXPECT_EQ(rows[0].value.first_seen_us, kT0 + 50);
  EXPECT_EQ(rows[0].value.last_seen_us, kT0 + 900);
  EXPECT_EQ(rows[0].key.policy, "tenant_isolation");
  EXPECT_EQ(rows[0].key.cause, Cause::kEmptyContext);

  std::vector<AccessRow> acc;
  ASSERT_TRUE(store_->ReadAccesses(kT0, kT0 + kHourUs, &acc).ok());
  ASSERT_EQ(acc.size(), 1u);
  EXPECT_EQ(acc[0].value.count, 4u);
  EXPECT_EQ(acc[0].key.lane, "billing");
}

TEST_P(StoreTest, WindowsSelectOverlappingHourBuckets) {
  FindingAggregator agg;
  agg.Add(MakeFinding(kT0 + 10));                // hour 0
  agg.Add(MakeFinding(kT0 + kHourUs + 10));      // hour 1
  agg.Add(MakeFinding(kT0 + kHourUs + 20));      // hour 1
  agg.Add(MakeFinding(kT0 + 5 * kHourUs + 10));  // hour 5
  ASSERT_TRUE(store_->Commit(agg, {}).ok());

  auto count = [&](int64_t since, int64_t until) {
    uint64_t n = 0;
    for (const auto& r : Denials(since, until)) n += r.value.count;
    return n;
  };
  EXPECT_EQ(count(kT0, kT0 + 6 * kHourUs), 4u);
  EXPECT_EQ(count(kT0, kT0 + kHourUs), 1u);                    // until is exclusive
  EXPECT_EQ(count(kT0 + kHourUs - 1, kT0 + kHourUs + 1), 3u);  // overlaps hours 0 and 1
  EXPECT_EQ(count(kT0 + 2 * kHourUs, kT0 + 5 * kHourUs), 0u);
  EXPECT_EQ(count(kT0 + 5 * kHourUs + 30, kT0 + 5 * kHourUs + 31), 1u);  // bucket overlap
  EXPECT_EQ(count(kT0 + 6 * kHourUs, kT0 + 6 * kHourUs), 0u);            // empty window
  EXPECT_EQ(count(kT0 + 6 * kHourUs, kT0), 0u);                          // inverted window
  EXPECT_EQ(count(INT64_MIN, INT64_MAX), 4u);

  auto rows = Denials(kT0, kT0 + 2 * kHourUs);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value.first_seen_us, kT0 + 10);
  EXPECT_EQ(rows[0].value.last_seen_us, kT0 + kHourUs + 20);
}

TEST_P(StoreTest, ExamplesStayBoundedAcrossCommitsAndHours) {
  FindingAggregator agg(2);
  agg.Add(MakeFinding(kT0, "t1", "SELECT 1"));
  ASSERT_TRUE(store_->Commit(agg, {}).ok());
  agg.Add(MakeFinding(kT0, "t1", "SELECT 1"));  // already stored
  agg.Add(MakeFinding(kT0, "t1", "SELECT 2"));
  agg.Add(MakeFinding(kT0, "t1", "SELECT 3"));  // over the bound
  ASSERT_TRUE(store_->Commit(agg, {}).ok());
  agg.Add(MakeFinding(kT0 + kHourUs, "t1", "SELECT 4"));
  agg.Add(MakeFinding(kT0 + kHourUs, "t1", "SELECT 5"));
  ASSERT_TRUE(store_->Commit(agg, {}).ok());

  auto hour0 = Denials(kT0, kT0 + 1);
  ASSERT_EQ(hour0.size(), 1u);
  EXPECT_EQ(hour0[0].value.count, 4u);
  EXPECT_EQ(hour0[0].examples, (std::vector<std::string>{"SELECT 1", "SELECT 2"}));
  auto both = Denials(kT0, kT0 + 2 * kHourUs);
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0].value.count, 6u);
  EXPECT_EQ(both[0].examples, (std::vector<std::string>{"SELECT 1", "SELECT 2"}));  // oldest
}

TEST_P(StoreTest, CheckpointsSnapshotsAndInputStatsCommitTogether) {
  FindingAggregator agg;
  agg.Add(MakeFinding(kT0));
  agg.AddInputStats(InputStats{100, 90, 10, {{"not_json", 7}, {"localized", 3}}, 2});
  ASSERT_TRUE(store_
                  ->Commit(agg, {{"pg.log/0", 4096, 100}, {"file:a#ino=1", 10, 1}},
                           {{"sessions/0", std::string("blob\0with nul", 13)}})
                  .ok());
  agg.AddInputStats(InputStats{5, 5, 1, {{"not_json", 1}}, 0});
  ASSERT_TRUE(store_->Commit(agg, {{"pg.log/0", 8192, 105}}).ok());

  auto cp = store_->GetCheckpoint("pg.log/0");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->source_id, "pg.log/0");
  EXPECT_EQ(cp->offset, 8192u);
  EXPECT_EQ(cp->line, 105u);
  EXPECT_EQ(store_->GetCheckpoint("file:a#ino=1")->offset, 10u);
  EXPECT_FALSE(store_->GetCheckpoint("never-read").has_value());
  std::optional<SourceCheckpoint> loaded;
  ASSERT_TRUE(store_->LoadCheckpoint("never-read", &loaded).ok());
  EXPECT_FALSE(loaded.has_value());

  EXPECT_EQ(store_->GetSnapshot("sessions/0"), std::string("blob\0with nul", 13));
  EXPECT_FALSE(store_->GetSnapshot("sessions/1").has_value());

  InputStats in;
  ASSERT_TRUE(store_->ReadInputStats(&in).ok());
  EXPECT_EQ(in.lines_read, 105u);
  EXPECT_EQ(in.events_analyzed, 95u);
  EXPECT_EQ(in.lines_rejected, 11u);
  EXPECT_EQ(in.statements_unparsed, 2u);
  EXPECT_EQ(in.rejected_by_reason["not_json"], 8u);
  EXPECT_EQ(in.rejected_by_reason["localized"], 3u);
}

TEST_P(StoreTest, StateSurvivesReopen) {
  FindingAggregator agg;
  agg.Add(MakeFinding(kT0));
  ASSERT_TRUE(store_->Commit(agg, {{"src", 1, 1}}, {{"snap", "x"}}).ok());
  ASSERT_TRUE(
      store_->PutTables({{"public.orders", "app", true, false, {"tenant_isolation"}}}).ok());
  Reopen();
  EXPECT_EQ(Denials(kT0, kT0 + 1).size(), 1u);
  EXPECT_EQ(store_->GetCheckpoint("src")->offset, 1u);
  EXPECT_EQ(store_->GetSnapshot("snap"), "x");
  std::vector<TableMeta> tables;
  ASSERT_TRUE(store_->ReadTables(&tables).ok());
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].owner, "app");
  // Counting continues from the stored totals after a reopen.
  agg.Add(MakeFinding(kT0 + 1));
  ASSERT_TRUE(store_->Commit(agg, {}).ok());
  EXPECT_EQ(Denials(kT0, kT0 + 2)[0].value.count, 2u);
}

TEST_P(StoreTest, KeyStringsWithSeparatorsNulAndUtf8StayDistinct) {
  FindingAggregator agg;
  const std::vector<std::string> tenants = {"a/b",
                                            "a",
                                            "/b",
                                            std::string("a\0b", 3),
                                            std::string("a\0", 2),
                                            "",
                                            "\xe5\xb7\xa5\xe5\x8e\x82",  // UTF-8
                                            std::string("\0\x01", 2),
                                            "d/\xff"};
  for (const auto& t : tenants) agg.Add(MakeFinding(kT0, t));
  agg.Add(MakeFinding(kT0, "a/b"));
  ASSERT_TRUE(store_->Commit(agg, {}).ok());
  auto rows = Denials(kT0, kT0 + 1);
  ASSERT_EQ(rows.size(), tenants.size());
  std::map<std::string, uint64_t> by_tenant;
  for (const auto& r : rows) by_tenant[r.key.tenant] = r.value.count;
  for (const auto& t : tenants) EXPECT_EQ(by_tenant[t], t == "a/b" ? 2u : 1u) << t;
}

TEST_P(StoreTest, PutTablesReplacesTheSet) {
  ASSERT_TRUE(store_
                  ->PutTables({{"public.b", "app", true, true, {"p1", "p2"}},
                               {"public.a", "app", false, false, {}}})
                  .ok());
  std::vector<TableMeta> tables;
  ASSERT_TRUE(store_->ReadTables(&tables).ok());
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].table, "public.a");  // sorted by name
  EXPECT_EQ(tables[1].policies, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_TRUE(tables[1].rls_forced);

  ASSERT_TRUE(store_->PutTables({{"public.c", "app", true, false, {}}}).ok());
  ASSERT_TRUE(store_->ReadTables(&tables).ok());
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].table, "public.c");
}

TEST_P(StoreTest, ReadOnlyOpenSeesCommittedStateAndRefusesWrites) {
  FindingAggregator agg;
  agg.Add(MakeFinding(kT0));
  ASSERT_TRUE(store_->Commit(agg, {{"src", 7, 1}}).ok());

  // A reader may open while the writer still holds the directory.
  std::unique_ptr<Store> reader;
  Status s = Store::OpenReadOnly(path_, &reader);
  ASSERT_TRUE(s.ok()) << s.message();
  std::vector<DenialRow> rows;
  ASSERT_TRUE(reader->ReadDenials(kT0, kT0 + 1, &rows).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(reader->GetCheckpoint("src")->offset, 7u);

  agg.Add(MakeFinding(kT0));
  Status w = reader->Commit(agg, {});
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.message().find("read-only"), std::string::npos) << w.message();
  EXPECT_FALSE(agg.empty());  // a failed Commit leaves the aggregator for a retry
  EXPECT_FALSE(reader->PutTables({}).ok());
}

// Snapshots go out in name order, which must be key order for an ingested file: names that
// are prefixes of one another or hold NUL bytes included.
TEST_P(StoreTest, SnapshotsWithNamesSharingPrefixes) {
  FindingAggregator agg;
  const std::string nul_name("s\0x", 3);
  ASSERT_TRUE(
      store_->Commit(agg, {}, {{"s", "1"}, {nul_name, "2"}, {"s/0", "3"}, {"s0", "4"}, {"t", "5"}})
          .ok());
  ASSERT_TRUE(store_->Commit(agg, {}, {{"s/0", std::nullopt}, {"s0", "4'"}}).ok());
  Reopen();
  EXPECT_EQ(store_->GetSnapshot("s"), "1");
  EXPECT_EQ(store_->GetSnapshot(nul_name), "2");
  EXPECT_FALSE(store_->GetSnapshot("s/0").has_value());
  EXPECT_EQ(store_->GetSnapshot("s0"), "4'");
  EXPECT_EQ(store_->GetSnapshot("t"), "5");
}

// Row-index records apply in order, within a commit and across commits: a table's removal
// drops its earlier rows (stored or of the same commit) and spares the ones after it.
TEST_P(StoreTest, RowChangesApplyInOrder) {
  FindingAggregator agg;
  auto put = [](std::string table, std::string key, std::string blob) {
    return RowRecord{std::move(table), std::move(key), std::move(blob), false};
  };
  auto remove = [](std::string table, std::string key) {
    return RowRecord{std::move(table), std::move(key), std::nullopt, false};
  };
  auto remove_table = [](std::string table) { return RowRecord{std::move(table), "", {}, true}; };
  ASSERT_TRUE(store_
                  ->Commit(agg, {}, {},
                           {put("public.a", "1", "a1"), put("public.a", "2", "a2"),
                            put("public.b", "1", "b1"), put("public.b", "2", "b2")})
                  .ok());
  ASSERT_TRUE(store_
                  ->Commit(agg, {}, {},
                           {put("public.a", "3", "a3"), remove_table("public.a"),
                            put("public.a", "4", "a4"), remove("public.b", "1"),
                            put("public.b", "2", "b2'"), put("public.b", "3", "b3"),
                            remove("public.b", "3")})
                  .ok());
  Reopen();
  std::vector<std::string> seen;
  for (const RowRecord& r : Rows()) seen.push_back(r.table + "/" + r.key + "=" + r.blob.value());
  EXPECT_EQ(seen, (std::vector<std::string>{"public.a/4=a4", "public.b/2=b2'"}));
}

INSTANTIATE_TEST_SUITE_P(BatchAndIngest, StoreTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Ingested" : "Batched";
                         });

TEST(StoreOpen, ErrorsNameTheDirectory) {
  testing::ScratchDir dir;
  std::unique_ptr<Store> store;
  Status s = Store::OpenReadOnly(dir.Sub("missing"), &store);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot open state directory " + dir.Sub("missing")),
            std::string::npos)
      << s.message();
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("missing")));  // read-only creates nothing

  // A second writer is refused (RocksDB's LOCK), with a clear message.
  std::unique_ptr<Store> first, second;
  ASSERT_TRUE(Store::Open(dir.Sub("state"), &first).ok());
  s = Store::Open(dir.Sub("state"), &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot open state directory"), std::string::npos);

  // A plain file is not a state directory.
  std::ofstream(dir.Sub("file")) << "x";
  EXPECT_FALSE(Store::Open(dir.Sub("file"), &store).ok());
}

TEST(StoreOpen, RefusesAForeignRocksDb) {
  testing::ScratchDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.Sub("other"), &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "user:1", "x").ok());
    delete db;
  }
  std::unique_ptr<Store> store;
  Status s = Store::Open(dir.Sub("other"), &store);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not an rls-shadow state directory"), std::string::npos)
      << s.message();
  EXPECT_FALSE(Store::OpenReadOnly(dir.Sub("other"), &store).ok());
}

}  // namespace
}  // namespace rls_shadow
