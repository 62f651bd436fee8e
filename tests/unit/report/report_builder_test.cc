#include <gtest/gtest.h>

#include <algorithm>

#include "unit/report/report_fixture.h"

namespace rls_shadow {
namespace {

using testing::Access;
using testing::kHourUs;
using testing::kSince;
using testing::kUntil;

class ReportBuilderTest : public testing::ReportFixture {};

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_F(ReportBuilderTest, CleanTableIsReadyWithTheForceStatement) {
  Catalog({Orders()});
  Record(Access{}, 5);
  Report r = Build();
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.blocking.empty());
  ASSERT_EQ(r.tables.size(), 1u);
  const TableReadiness& t = r.tables[0];
  EXPECT_TRUE(t.ready) << (t.reasons.empty() ? "" : t.reasons[0]);
  EXPECT_EQ(t.accesses, 5u);
  EXPECT_EQ(t.would_be_denials, 0u);
  EXPECT_EQ(t.by_effect.at("allow"), 5u);
  EXPECT_EQ(t.by_effect.at("indeterminate"), 0u);  // every effect published, zeros included
  EXPECT_EQ(t.force_sql, "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;");
  EXPECT_EQ(t.lanes_seen, std::vector<std::string>{"web"});
  EXPECT_EQ(t.code_paths, std::vector<std::string>{"OrdersController#index"});
  EXPECT_FALSE(t.last_denial_us.has_value());
}

TEST_F(ReportBuilderTest, ErrorAndFilteredDenialsBlockWithCounts) {
  Catalog({Orders()});
  Record(Access{}, 10);
  Record(Access{.effect = Effect::kError,
                .cause = Cause::kEmptyContext,
                .lane = "jobs",
                .code_path = "DigestJob"},
         2);
  Record(Access{.effect = Effect::kFiltered,
                .cause = Cause::kMissingContext,
                .lane = "jobs",
                .code_path = "ExportJob",
                .time_us = kSince + 3 * kHourUs});
  Report r = Build();
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.blocking, std::vector<std::string>{"public.orders"});
  const TableReadiness& t = r.tables[0];
  EXPECT_FALSE(t.ready);
  EXPECT_EQ(t.reasons,
            std::vector<std::string>{"3 would-be denials (error 2, filtered 1) from 2 code paths"});
  EXPECT_EQ(t.accesses, 13u);
  EXPECT_EQ(t.would_be_denials, 3u);
  EXPECT_EQ(t.force_sql, "");
  EXPECT_EQ(t.last_denial_us, kSince + 3 * kHourUs);
  EXPECT_EQ(t.lanes_seen, (std::vector<std::string>{"jobs", "web"}));
}

TEST_F(ReportBuilderTest, RowDependentBlocksBecauseItIsUnverified) {
  Catalog({Orders()});
  Record(Access{}, 3);
  Record(Access{.effect = Effect::kRowDependent, .cause = Cause::kWrongTenant});
  const Report r = Build();
  const TableReadiness& t = r.tables[0];
  EXPECT_FALSE(t.ready);
  EXPECT_EQ(t.reasons,
            std::vector<std::string>{"1 would-be denial (row_dependent 1) from 1 code path"});
}

TEST_F(ReportBuilderTest, IndeterminateBlocksOnlyAboveTheConfiguredShare) {
  Catalog({Orders()});
  Record(Access{}, 3);
  Record(Access{.effect = Effect::kIndeterminate, .cause = Cause::kUnsupported});
  Report strict = Build();
  ASSERT_EQ(strict.tables[0].reasons.size(), 1u);
  EXPECT_EQ(strict.tables[0].reasons[0], "indeterminate share 25% above 0% (1 of 4 accesses)");
  EXPECT_EQ(strict.tables[0].would_be_denials, 1u);

  ReadinessRules lenient;
  lenient.max_indeterminate_share = 0.25;  // at the limit is not above it
  EXPECT_TRUE(Build(lenient).tables[0].ready);
  lenient.max_indeterminate_share = 0.031;
  EXPECT_EQ(Build(lenient).tables[0].reasons[0],
            "indeterminate share 25% above 3.1% (1 of 4 accesses)");
}

TEST_F(ReportBuilderTest, RequiredLanesMustBeSeenAnywhereEnough) {
  Catalog({Orders(), {"public.invoices", "app_owner", true, false, {"tenant_isolation"}}});
  Record(Access{}, 2);
  Record(Access{.table = "public.invoices", .lane = "billing"}, 2);
  ReadinessRules rules;
  rules.required_lanes = {"web", "billing", "notification_digest"};
  Report r = Build(rules);
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.blocking.size(), 2u);
  for (const auto& t : r.tables) {
    // billing never touched public.orders, but it ran: that is coverage. digest never ran.
    EXPECT_EQ(t.reasons, std::vector<std::string>{"lane notification_digest never seen"})
        << t.table;
  }
  EXPECT_TRUE(Contains(r.overall_reasons, "lane notification_digest never seen"));

  rules.required_lanes = {"web"};
  rules.min_lane_accesses = 5;
  EXPECT_EQ(Build(rules).tables[0].reasons,
            std::vector<std::string>{"lane web seen 2 times, below the minimum of 5"});

  rules.min_lane_accesses = 2;
  EXPECT_TRUE(Build(rules).ready);
}

TEST_F(ReportBuilderTest, OwnerBypassBlocksUnlessAllowedButLostBypassAlwaysBlocks) {
  Catalog({Orders()});
  Record(Access{.cause = Cause::kOwnerBypass, .lane = "migrations", .code_path = "rake"}, 4);
  Report r = Build();
  EXPECT_EQ(r.tables[0].reasons, std::vector<std::string>{"owner bypass relied on 4 times"});
  EXPECT_EQ(r.tables[0].owner_bypass, 4u);

  ReadinessRules rules;
  rules.bypass_allowed_tables = {"public.orders"};
  EXPECT_TRUE(Build(rules).tables[0].ready);

  Record(Access{.effect = Effect::kError,
                .cause = Cause::kOwnerBypassLost,
                .lane = "migrations",
                .code_path = "rake"});
  const Report with_lost = Build(rules);
  const TableReadiness& t = with_lost.tables[0];
  EXPECT_FALSE(t.ready);  // a statement that would fail once forced is never waived
  EXPECT_EQ(t.reasons, std::vector<std::string>{"1 would-be denial (error 1) from 1 code path"});
  EXPECT_EQ(Build().tables[0].reasons,
            (std::vector<std::string>{"1 would-be denial (error 1) from 1 code path",
                                      "owner bypass relied on 5 times"}));
}

TEST_F(ReportBuilderTest, TablesWithoutEvidenceOrRlsAreNotReady) {
  Catalog({Orders(), {"public.audit", "app_owner", false, false, {}}});
  Record(Access{.table = "public.audit"});
  Record(Access{.table = "public.unknown"});
  // A denial before the window does not count, and neither does its access.
  Record(Access{
      .effect = Effect::kError, .cause = Cause::kMissingContext, .time_us = kSince - 2 * kHourUs});
  Report r = Build();
  EXPECT_EQ(r.blocking,
            (std::vector<std::string>{"public.audit", "public.orders", "public.unknown"}));
  EXPECT_EQ(TableOf(r, "public.orders").reasons,
            std::vector<std::string>{"never accessed in the window: no evidence"});
  EXPECT_EQ(TableOf(r, "public.audit").reasons,
            std::vector<std::string>{"row level security is not enabled on it by the migration"});
  EXPECT_EQ(
      TableOf(r, "public.unknown").reasons,
      std::vector<std::string>{"not in the policy catalog (no restrictive policies known for it)"});
  EXPECT_FALSE(TableOf(r, "public.unknown").in_catalog);

  // The same state, with the window moved back over the old denial.
  Report earlier = Build({}, kSince - 3 * kHourUs, kSince);
  EXPECT_EQ(TableOf(earlier, "public.orders").would_be_denials, 1u);
}

TEST_F(ReportBuilderTest, PolicyCountersArePublishedEvenAtZero) {
  Catalog({Orders()});
  Record(Access{}, 3);
  Record(Access{.effect = Effect::kError, .cause = Cause::kMissingContext}, 2);
  Record(Access{.effect = Effect::kFiltered, .cause = Cause::kNoPermissivePolicy, .policy = ""});
  Report r = Build();
  ASSERT_EQ(r.policies.size(), 3u);
  // Sorted by (table, policy): "" (default deny), admin_all, tenant_isolation.
  EXPECT_EQ(r.policies[0].policy, "");
  EXPECT_FALSE(r.policies[0].declared);
  EXPECT_EQ(r.policies[0].would_deny, 1u);
  EXPECT_EQ(r.policies[1].policy, "admin_all");
  EXPECT_TRUE(r.policies[1].declared);
  EXPECT_EQ(r.policies[1].allowed, 0u);  // never evaluated: 0 / 0, still listed
  EXPECT_EQ(r.policies[1].would_deny, 0u);
  EXPECT_EQ(r.policies[2].policy, "tenant_isolation");
  EXPECT_EQ(r.policies[2].allowed, 3u);
  EXPECT_EQ(r.policies[2].would_deny, 2u);
}

TEST_F(ReportBuilderTest, DenialsSortedByCountRedactedAndBoundedWithExactTotals) {
  Catalog({Orders()});
  Record(Access{.effect = Effect::kError,
                .cause = Cause::kEmptyContext,
                .tenant = "a",
                .example = "SELECT * FROM orders WHERE id = 42 AND note = 'secret'"});
  Record(Access{.effect = Effect::kFiltered, .cause = Cause::kWrongTenant, .tenant = "b"}, 3);
  Record(Access{.effect = Effect::kIndeterminate, .cause = Cause::kUnsupported, .tenant = "c"}, 2);
  Record(Access{}, 7);  // allowed: counted per policy, never a denial row
  Report r = Build();
  ASSERT_EQ(r.denials.size(), 3u);
  EXPECT_EQ(r.denial_rows_total, 3u);
  EXPECT_EQ(r.denials[0].value.count, 3u);
  EXPECT_EQ(r.denials[0].key.tenant, "b");
  EXPECT_EQ(r.denials[1].key.effect, Effect::kIndeterminate);  // listed: explicit, not hidden
  EXPECT_EQ(r.denials[2].examples,
            std::vector<std::string>{"SELECT * FROM orders WHERE id = ? AND note = '?'"});

  ReadinessRules raw;
  raw.redact = false;
  raw.max_denial_rows = 1;
  Report top = Build(raw);
  ASSERT_EQ(top.denials.size(), 1u);
  EXPECT_EQ(top.denial_rows_total, 3u);
  EXPECT_EQ(top.tables[0].would_be_denials, 6u);  // totals stay exact
  raw.max_denial_rows = 0;
  EXPECT_EQ(Build(raw).denials[2].examples[0],
            "SELECT * FROM orders WHERE id = 42 AND note = 'secret'");
}

TEST_F(ReportBuilderTest, LanesIncludeRequiredOnesNeverSeen) {
  Catalog({Orders()});
  Record(Access{}, 2);
  Record(Access{.effect = Effect::kError, .cause = Cause::kMissingContext, .lane = ""});
  ReadinessRules rules;
  rules.required_lanes = {"nightly"};
  Report r = Build(rules);
  ASSERT_EQ(r.lanes.size(), 3u);
  EXPECT_EQ(r.lanes[0].lane, "");  // unattributed accesses are shown, not dropped
  EXPECT_EQ(r.lanes[0].would_be_denials, 1u);
  EXPECT_EQ(r.lanes[1].lane, "nightly");
  EXPECT_TRUE(r.lanes[1].required);
  EXPECT_FALSE(r.lanes[1].seen);
  EXPECT_EQ(r.lanes[2].lane, "web");
  EXPECT_TRUE(r.lanes[2].seen);
  EXPECT_EQ(r.lanes[2].accesses, 2u);
}

TEST_F(ReportBuilderTest, InputsAndEmptyState) {
  Report empty = Build();
  EXPECT_FALSE(empty.ready);  // nothing known is not "ready"
  EXPECT_FALSE(empty.overall_reasons.empty());

  agg_.AddInputStats(InputStats{100, 95, 5, {{"not_json", 5}}, 1});
  ASSERT_TRUE(store_->Commit(agg_, {}).ok());
  Report r = Build();
  EXPECT_EQ(r.inputs.lines_read, 100u);
  EXPECT_EQ(r.inputs.rejected_by_reason.at("not_json"), 5u);
  EXPECT_EQ(r.since_us, kSince);
  EXPECT_EQ(r.until_us, kUntil);
}

// serve records its consumer lag at every commit; the report's input health shows the last.
TEST_F(ReportBuilderTest, ConsumerLagOfServeIsInTheInputHealth) {
  EXPECT_TRUE(Build().inputs.consumer_lag.empty());  // analyze's stores have none
  ASSERT_TRUE(store_->Commit(agg_, {}, {{kConsumerLagSnapshot, "pg-log[0]=12\npg-log[1]=0\n"}})
                  .ok());
  ASSERT_TRUE(store_->Commit(agg_, {}, {{kConsumerLagSnapshot, "pg-log[0]=3\npg-log[1]=0\n"}})
                  .ok());
  Report r = Build();
  EXPECT_EQ(r.inputs.consumer_lag, (std::map<std::string, int64_t>{{"pg-log[0]", 3},
                                                                   {"pg-log[1]", 0}}));
  EXPECT_NE(RenderReportMarkdown(r).find("Consumer lag pg-log[0]: 3 messages"), std::string::npos);
}

TEST_F(ReportBuilderTest, ReadOnlyStoreServesTheReport) {
  Catalog({Orders()});
  Record(Access{}, 1);
  std::unique_ptr<Store> reader;
  ASSERT_TRUE(Store::OpenReadOnly(dir_.Sub("state"), &reader).ok());
  Report r;
  ASSERT_TRUE(BuildReport(*reader, {}, kSince, kUntil, &r).ok());
  EXPECT_TRUE(r.ready);
}

}  // namespace
}  // namespace rls_shadow
