// Golden structure of the three report formats (fields and sections, not timestamps), the
// comparison with a previous report, and the readiness rules added for the dashboard.
#include <gtest/gtest.h>

#include "unit/report/json_dom.h"
#include "unit/report/report_fixture.h"

namespace rls_shadow {
namespace {

using testing::Access;
using testing::Json;
using testing::kHourUs;
using testing::kSince;

class ReportFormatsTest : public testing::ReportFixture {
 protected:
  Report Blocked() {
    OrdersAndInvoicesAllowed();
    Record(Access{.effect = Effect::kError, .cause = Cause::kEmptyContext,
                  .lane = "notification_digest", .code_path = "app/jobs/digest.rb",
                  .example = "SELECT * FROM orders WHERE tenant_id = 'abc'",
                  .time_us = kSince + 2 * kHourUs},
           3);
    Record(Access{.effect = Effect::kFiltered, .cause = Cause::kMissingContext,
                  .code_path = "app/jobs/ship.rb", .time_us = kSince + 3 * kHourUs});
    return Build();
  }


  static std::vector<std::string> Keys(const Json& o) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : o.object()) keys.push_back(k);
    return keys;
  }
};

TEST_F(ReportFormatsTest, JsonHasTheDocumentedFields) {
  Json doc = Parse(RenderReportJson(Blocked()));
  EXPECT_EQ(Keys(doc), (std::vector<std::string>{"changes", "denial_rows_total", "denials",
                                                 "hourly", "inputs", "lanes", "overall",
                                                 "policies", "tables", "window"}));
  EXPECT_EQ(Keys(doc["tables"][0]),
            (std::vector<std::string>{"accesses", "by_effect", "code_paths", "force_sql",
                                      "forced", "in_catalog", "lanes_seen", "last_denial",
                                      "owner_bypass", "policies", "ready", "reasons",
                                      "rls_enabled", "table", "top_code_paths",
                                      "would_be_denials"}));
  EXPECT_EQ(Keys(doc["hourly"][0]),
            (std::vector<std::string>{"accesses", "hour", "would_be_denials"}));
  EXPECT_TRUE(doc["changes"].is_null());
}

TEST_F(ReportFormatsTest, HourlyCoversTheHoursWithData) {
  Report r = Blocked();
  ASSERT_EQ(r.hourly.size(), 3u);  // hours 1..3 of the window
  EXPECT_EQ(r.hourly[0].hour_start_us, kSince + kHourUs);
  EXPECT_EQ(r.hourly[0].would_be_denials, 0u);
  EXPECT_EQ(r.hourly[1].would_be_denials, 3u);
  EXPECT_EQ(r.hourly[2].would_be_denials, 1u);
}

TEST_F(ReportFormatsTest, TopCodePathsOfABlockedTable) {
  Report r = Blocked();
  const TableReadiness& orders = TableOf(r, "public.orders");
  ASSERT_EQ(orders.top_code_paths.size(), 2u);
  EXPECT_EQ(orders.top_code_paths[0].code_path, "app/jobs/digest.rb");
  EXPECT_EQ(orders.top_code_paths[0].count, 3u);
  EXPECT_TRUE(TableOf(r, "public.invoices").top_code_paths.empty());
}

TEST_F(ReportFormatsTest, MarkdownSections) {
  const std::string md = RenderReportMarkdown(Blocked());
  for (const char* s : {"# RLS readiness report", "**Verdict: NOT READY**", "## Tables",
                        "### Ready to force", "ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;",
                        "Top code paths on `public.orders`: app/jobs/digest.rb (3)",
                        "## Top would-be denials", "## Lanes", "## Input health"}) {
    EXPECT_NE(md.find(s), std::string::npos) << s;
  }
}

TEST_F(ReportFormatsTest, HtmlIsSelfContainedWithAnInlineChart) {
  const std::string html = RenderReportHtml(Blocked());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("class=\"bar\""), std::string::npos);
  EXPECT_NE(html.find("Verdict: NOT READY"), std::string::npos);
  EXPECT_NE(html.find("ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("'abc'"), std::string::npos) << "examples are redacted";
  EXPECT_NE(html.find("Input health"), std::string::npos);
}

TEST_F(ReportFormatsTest, ChangesSincePrevious) {
  const std::string previous = RenderReportJson(Blocked());
  Record(Access{.effect = Effect::kError, .cause = Cause::kWrongTenant,
                .code_path = "app/web/new.rb", .time_us = kSince + 4 * kHourUs});
  Report now = Build({}, kSince + 3 * kHourUs, kSince + 5 * kHourUs);  // digest.rb drops out
  ASSERT_TRUE(CompareWithPrevious(previous, &now).ok());
  ASSERT_TRUE(now.changes.has_value());
  ASSERT_EQ(now.changes->added.size(), 1u);
  EXPECT_EQ(now.changes->added[0].key.code_path, "app/web/new.rb");
  ASSERT_EQ(now.changes->resolved.size(), 1u);
  EXPECT_EQ(now.changes->resolved[0].key.code_path, "app/jobs/digest.rb");
  EXPECT_EQ(now.changes->resolved[0].value.count, 3u);
  EXPECT_FALSE(now.changes->previous_ready);
  Json doc = Parse(RenderReportJson(now));
  EXPECT_EQ(doc["changes"]["new"].array().size(), 1u);
  EXPECT_NE(RenderReportMarkdown(now).find("## Changed since the previous report"),
            std::string::npos);
  EXPECT_NE(RenderReportHtml(now).find("Changed since the previous report"), std::string::npos);
}

TEST_F(ReportFormatsTest, PreviousThatIsNotAReportIsAnError) {
  Report r = Blocked();
  EXPECT_FALSE(CompareWithPrevious("not json", &r).ok());
  EXPECT_FALSE(CompareWithPrevious("{\"tables\": []}", &r).ok());
}

TEST_F(ReportFormatsTest, BypassAllowedLanes) {
  Catalog({Orders()});
  Record(Access{});
  Record(Access{.cause = Cause::kOwnerBypass, .lane = "nightly_rollup"}, 4);
  EXPECT_FALSE(Build().tables[0].ready);
  ReadinessRules rules;
  rules.bypass_allowed_lanes = {"nightly_rollup"};
  EXPECT_TRUE(Build(rules).tables[0].ready) << Build(rules).tables[0].reasons[0];
}

}  // namespace
}  // namespace rls_shadow
