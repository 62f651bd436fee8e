#include <gtest/gtest.h>

#include "unit/report/json_dom.h"
#include "unit/report/report_fixture.h"

namespace rls_shadow {
namespace {

using testing::Access;
using testing::Json;
using testing::kHourUs;
using testing::kSince;

class ReportRenderTest : public testing::ReportFixture {
 protected:
  // Two tables: orders blocked by a denial from a required lane, invoices ready.
  Report Mixed() {
    OrdersAndInvoicesAllowed();
    Record(Access{.effect = Effect::kError,
                  .cause = Cause::kEmptyContext,
                  .lane = "notification_digest",
                  .code_path = "Digest|Job",
                  .tenant = "\"quoted\" \xff tenant",
                  .example = "SELECT `x` FROM orders\nWHERE a = 1",
                  .time_us = kSince + 2 * kHourUs + 8'000'000},
           3);
    ReadinessRules rules;
    rules.required_lanes = {"web", "notification_digest"};
    return Build(rules);
  }

};

TEST_F(ReportRenderTest, JsonIsValidAndFollowsTheSchema) {
  const Json doc = Parse(RenderReportJson(Mixed()));
  EXPECT_FALSE(doc["overall"]["ready"].boolean());
  ASSERT_EQ(doc["overall"]["blocking"].array().size(), 1u);
  EXPECT_EQ(doc["overall"]["blocking"][0].str(), "public.orders");
  EXPECT_EQ(doc["window"]["since"].str(), "2025-11-24T16:00:00Z");
  EXPECT_EQ(doc["window"]["until"].str(), "2025-11-25T16:00:00Z");

  const Json& tables = doc["tables"];
  ASSERT_EQ(tables.array().size(), 2u);
  const Json& invoices = tables[0];
  EXPECT_EQ(invoices["table"].str(), "public.invoices");
  EXPECT_TRUE(invoices["ready"].boolean());
  EXPECT_TRUE(invoices["forced"].boolean());
  EXPECT_EQ(invoices["force_sql"].str(), "ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;");
  const Json& orders = tables[1];
  EXPECT_FALSE(orders["ready"].boolean());
  EXPECT_TRUE(orders["force_sql"].is_null());
  EXPECT_EQ(orders["reasons"][0].str(), "3 would-be denials (error 3) from 1 code path");
  EXPECT_EQ(orders["accesses"].number(), 7);
  EXPECT_EQ(orders["would_be_denials"].number(), 3);
  EXPECT_EQ(orders["by_effect"]["error"].number(), 3);
  EXPECT_EQ(orders["by_effect"]["filtered"].number(), 0);
  EXPECT_EQ(orders["lanes_seen"].array().size(), 2u);
  EXPECT_EQ(orders["code_paths"].array().size(), 2u);
  EXPECT_EQ(orders["policies"][0].str(), "tenant_isolation");
  EXPECT_EQ(orders["last_denial"].str(), "2025-11-24T18:00:08Z");

  ASSERT_EQ(doc["denials"].array().size(), 1u);
  const Json& d = doc["denials"][0];
  EXPECT_EQ(d["table"].str(), "public.orders");
  EXPECT_EQ(d["command"].str(), "select");
  EXPECT_EQ(d["policy"].str(), "tenant_isolation");
  EXPECT_EQ(d["tenant"].str(), "\"quoted\" \xef\xbf\xbd tenant");  // invalid byte -> U+FFFD
  EXPECT_EQ(d["code_path"].str(), "Digest|Job");
  EXPECT_EQ(d["lane"].str(), "notification_digest");
  EXPECT_EQ(d["effect"].str(), "error");
  EXPECT_EQ(d["cause"].str(), "empty_context");
  EXPECT_EQ(d["count"].number(), 3);
  EXPECT_EQ(d["first_seen"].str(), "2025-11-24T18:00:08Z");
  EXPECT_EQ(d["last_seen"].str(), "2025-11-24T18:00:08Z");
  EXPECT_EQ(d["example"].str(), "SELECT `x` FROM orders\nWHERE a = ?");

  bool saw_zero_policy = false;
  for (const Json& p : doc["policies"].array()) {
    if (p["policy"].str() == "admin_all") {
      saw_zero_policy = true;
      EXPECT_EQ(p["allowed"].number(), 0);
      EXPECT_EQ(p["would_deny"].number(), 0);
      EXPECT_FALSE(p["evaluated"].boolean());
    }
  }
  EXPECT_TRUE(saw_zero_policy);

  ASSERT_EQ(doc["lanes"].array().size(), 2u);
  EXPECT_EQ(doc["lanes"][0]["lane"].str(), "notification_digest");
  EXPECT_EQ(doc["lanes"][0]["denials"].number(), 3);
  EXPECT_TRUE(doc["lanes"][0]["required"].boolean());
  EXPECT_TRUE(doc["inputs"].has("lines_read"));
  EXPECT_TRUE(doc["inputs"].has("rejected_by_reason"));
  EXPECT_TRUE(doc["inputs"].has("statements_unparsed"));
}

TEST_F(ReportRenderTest, JsonOfAnEmptyReportIsValid) {
  const Json doc = Parse(RenderReportJson(Build()));
  EXPECT_FALSE(doc["overall"]["ready"].boolean());
  EXPECT_TRUE(doc["tables"].array().empty());
  EXPECT_TRUE(doc["denials"].array().empty());
}

TEST_F(ReportRenderTest, MarkdownHasVerdictRowsAndExamples) {
  const std::string md = RenderReportMarkdown(Mixed());
  EXPECT_NE(md.find("**Verdict: NOT READY** — 1 of 2 tables blocking: `public.orders`."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `public.orders` | no | 7 | 3 | 3 would-be denials (error 3) from 1 code "
                    "path |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| `public.invoices` | yes | 2 | 0 | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;"), std::string::npos);
  EXPECT_NE(md.find("Digest\\|Job"), std::string::npos) << md;  // '|' cannot split a cell
  // The example's backticks and newline survive inside a longer code span on one line.
  EXPECT_NE(md.find("``SELECT `x` FROM orders WHERE a = ?``"), std::string::npos) << md;
  EXPECT_NE(md.find("| notification_digest | yes | yes | 3 | 3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("## Input health"), std::string::npos);
}

TEST_F(ReportRenderTest, MarkdownSaysReadyWhenAllTablesAre) {
  Catalog({Orders()});
  Record(Access{}, 1);
  const std::string md = RenderReportMarkdown(Build());
  EXPECT_NE(md.find("**Verdict: READY** — all 1 tables can be forced."), std::string::npos) << md;
  EXPECT_NE(md.find("None in the window."), std::string::npos);
}

}  // namespace
}  // namespace rls_shadow
