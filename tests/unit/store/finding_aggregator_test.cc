#include <gtest/gtest.h>

#include "rls_shadow/store.h"
#include "unit/store/scratch_dir.h"

namespace rls_shadow {
namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
constexpr int64_t kT0 = 490'000 * kHourUs;  // 2025-11-24T16:00:00Z, an hour boundary

Finding MakeFinding(int64_t time_us, Effect effect = Effect::kError,
                    Cause cause = Cause::kMissingContext, std::string example = "SELECT 1") {
  Finding f;
  f.table = "public.orders";
  f.command = Command::kSelect;
  f.policy = "tenant_isolation";
  f.tenant = "";
  f.code_path = "app/jobs/digest.rb";
  f.lane = "notification_digest";
  f.effect = effect;
  f.cause = cause;
  f.time_us = time_us;
  f.example = std::move(example);
  return f;
}

// The aggregator's contents are private to the Store, so these tests read them back through a
// Commit: which is also what the pipeline does.
struct Committed {
  std::vector<DenialRow> denials;
  std::vector<AccessRow> accesses;
};

Committed CommitAndRead(FindingAggregator& agg, int64_t since, int64_t until) {
  testing::ScratchDir dir;
  std::unique_ptr<Store> store;
  Committed c;
  EXPECT_TRUE(Store::Open(dir.Sub("state"), &store).ok());
  EXPECT_TRUE(store->Commit(agg, {}).ok());
  EXPECT_TRUE(store->ReadDenials(since, until, &c.denials).ok());
  EXPECT_TRUE(store->ReadAccesses(since, until, &c.accesses).ok());
  return c;
}

TEST(FindingAggregator, CountsEveryFindingUnderBothKeys) {
  FindingAggregator agg;
  EXPECT_TRUE(agg.empty());
  agg.Add(MakeFinding(kT0 + 10));
  agg.Add(MakeFinding(kT0 + 5));
  agg.Add(MakeFinding(kT0 + 20, Effect::kAllow, Cause::kNone));
  EXPECT_FALSE(agg.empty());
  EXPECT_EQ(agg.size(), 4u);  // 2 denial keys + 2 access keys, one hour

  Committed c = CommitAndRead(agg, kT0, kT0 + kHourUs);
  ASSERT_EQ(c.denials.size(), 2u);  // allow rows are stored too (allow counters per policy)
  const DenialRow& allow = c.denials[0];
  const DenialRow& error = c.denials[1];
  EXPECT_EQ(allow.key.effect, Effect::kAllow);
  EXPECT_EQ(allow.value.count, 1u);
  EXPECT_EQ(error.key.effect, Effect::kError);
  EXPECT_EQ(error.value.count, 2u);
  EXPECT_EQ(error.value.first_seen_us, kT0 + 5);
  EXPECT_EQ(error.value.last_seen_us, kT0 + 10);
  ASSERT_EQ(c.accesses.size(), 2u);
  EXPECT_EQ(c.accesses[0].key.effect, Effect::kAllow);
  EXPECT_EQ(c.accesses[1].value.count, 2u);
}

TEST(FindingAggregator, SeparatesHourBuckets) {
  FindingAggregator agg;
  agg.Add(MakeFinding(kT0));
  agg.Add(MakeFinding(kT0 + kHourUs - 1));
  agg.Add(MakeFinding(kT0 + kHourUs));
  EXPECT_EQ(agg.size(), 4u);  // (key, hour 0), (key, hour 1), for denials and accesses
}

TEST(FindingAggregator, KeepsAtMostTheBoundOfDistinctExamples) {
  FindingAggregator agg(2);
  agg.Add(MakeFinding(kT0, Effect::kError, Cause::kMissingContext, "SELECT a"));
  agg.Add(MakeFinding(kT0, Effect::kError, Cause::kMissingContext, "SELECT a"));  // duplicate
  agg.Add(MakeFinding(kT0, Effect::kError, Cause::kMissingContext, ""));          // no example
  agg.Add(MakeFinding(kT0, Effect::kError, Cause::kMissingContext, "SELECT b"));
  agg.Add(MakeFinding(kT0, Effect::kError, Cause::kMissingContext, "SELECT c"));
  Committed c = CommitAndRead(agg, kT0, kT0 + 1);
  ASSERT_EQ(c.denials.size(), 1u);
  EXPECT_EQ(c.denials[0].value.count, 5u);  // exact totals, never examples instead of totals
  EXPECT_EQ(c.denials[0].examples, (std::vector<std::string>{"SELECT a", "SELECT b"}));
}

TEST(FindingAggregator, EveryKeyFieldDistinguishes) {
  FindingAggregator agg;
  Finding base = MakeFinding(kT0);
  agg.Add(base);
  Finding f = base;
  f.table = "public.other";
  agg.Add(f);
  f = base;
  f.command = Command::kUpdate;
  agg.Add(f);
  f = base;
  f.policy = "other";
  agg.Add(f);
  f = base;
  f.tenant = "t2";
  agg.Add(f);
  f = base;
  f.code_path = "other";
  agg.Add(f);
  f = base;
  f.lane = "other";
  agg.Add(f);
  f = base;
  f.effect = Effect::kFiltered;
  agg.Add(f);
  f = base;
  f.cause = Cause::kEmptyContext;
  agg.Add(f);
  f = base;
  f.role = "someone_else";  // not a key field
  f.session_id = "s2";
  agg.Add(f);
  Committed c = CommitAndRead(agg, kT0, kT0 + 1);
  EXPECT_EQ(c.denials.size(), 9u);
  EXPECT_EQ(c.accesses.size(), 5u);  // table, code_path, lane, effect vary; the rest do not
}

// Many more keys than the index starts with (it grows while keys are added), interleaved, with
// one string serving as different fields of different keys: every key keeps its own count.
TEST(FindingAggregator, ThousandsOfKeysKeepTheirOwnCounts) {
  FindingAggregator agg;
  constexpr int kTenants = 3000;
  for (int round = 0; round < 5; ++round) {
    for (int t = 0; t < kTenants; ++t) {
      if (round > t % 5) continue;  // tenant t is seen (t % 5) + 1 times per hour
      for (int hour = 0; hour < 2; ++hour) {
        Finding f = MakeFinding(kT0 + hour * kHourUs + round);
        f.tenant = "t" + std::to_string(t);
        f.code_path = (t % 2 == 0) ? "t1" : "app/jobs/digest.rb";  // "t1" is a tenant too
        agg.Add(f);
      }
    }
  }
  EXPECT_EQ(agg.size(), 2u * kTenants + 2u * 2u);  // denial keys + (code path, hour) accesses
  Committed c = CommitAndRead(agg, kT0, kT0 + 2 * kHourUs);
  ASSERT_EQ(c.denials.size(), static_cast<size_t>(kTenants));  // the two hours summed
  for (const DenialRow& row : c.denials) {
    const int t = std::stoi(row.key.tenant.substr(1));
    EXPECT_EQ(row.value.count, 2u * (t % 5 + 1)) << row.key.tenant;
    EXPECT_EQ(row.key.code_path, (t % 2 == 0) ? "t1" : "app/jobs/digest.rb") << row.key.tenant;
  }
  uint64_t accesses = 0;
  for (const AccessRow& row : c.accesses) accesses += row.value.count;
  EXPECT_EQ(accesses, 2u * 3u * kTenants);  // every finding, once: (1 + ... + 5) / 5 = 3 each
}

TEST(FindingAggregator, MovedFromIsEmptyAndUsable) {
  FindingAggregator a;
  a.Add(MakeFinding(kT0));
  FindingAggregator b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented to be empty
  a.Add(MakeFinding(kT0 + 1));
  EXPECT_EQ(a.size(), 2u);
  FindingAggregator c;
  c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  Committed committed = CommitAndRead(c, kT0, kT0 + 1);
  ASSERT_EQ(committed.denials.size(), 1u);
  EXPECT_EQ(committed.denials[0].value.count, 1u);
  EXPECT_EQ(committed.denials[0].value.first_seen_us, kT0);
}

TEST(FindingAggregator, ClearEmptiesEverythingIncludingInputStats) {
  FindingAggregator agg;
  agg.AddInputStats(InputStats{1, 1, 0, {}, 0});
  EXPECT_FALSE(agg.empty());
  EXPECT_EQ(agg.size(), 0u);
  agg.Add(MakeFinding(kT0));
  agg.Clear();
  EXPECT_TRUE(agg.empty());
  EXPECT_EQ(agg.size(), 0u);
}

}  // namespace
}  // namespace rls_shadow
