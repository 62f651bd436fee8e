// /api/v1/denials paging: every row exactly once, with and without filters, and still so when
// new denials are written between two pages.
#include <set>
#include <thread>

#include "unit/http/server_fixture.h"

namespace rls_shadow::testing {
namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1'000'000;
constexpr int64_t kT0 = 490'000 * kHourUs;

class PaginationTest : public ServerFixture {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Store::Open(dir_.Sub("db"), &writer_).ok());
    for (int i = 0; i < 240; ++i) Add(i, kT0 + (i % 5) * kHourUs);
    Commit();
    StartServer(dir_.Sub("db"));
  }

  void Add(int i, int64_t time_us) {
    Finding f;
    f.table = i % 3 == 0 ? "public.orders" : "public.invoices";
    f.policy = "tenant_isolation";
    f.tenant = "tenant-" + std::to_string(i % 17);
    f.code_path = "app/jobs/job_" + std::to_string(i % 11) + ".rb";
    f.lane = i % 2 ? "order_upload" : "notification_digest";
    f.effect = i % 4 == 0 ? Effect::kFiltered : Effect::kError;
    f.cause = i % 4 == 0 ? Cause::kMissingContext : Cause::kEmptyContext;
    f.command = static_cast<Command>(i % 4);
    f.time_us = time_us;
    f.example = "SELECT * FROM orders WHERE id = 'secret-" + std::to_string(i) + "'";
    agg_.Add(f);
  }
  void Commit() { ASSERT_TRUE(writer_->Commit(agg_, {}).ok()); }

  // Pages through `query` with `limit`, returning every row's identity, in order.
  std::vector<std::string> Page(const std::string& query, int limit, int* pages,
                                const std::function<void()>& between = {}) {
    std::vector<std::string> seen;
    std::string cursor;
    *pages = 0;
    while (true) {
      std::string target = "/api/v1/denials?limit=" + std::to_string(limit) + query +
                           (cursor.empty() ? "" : "&cursor=" + cursor);
      HttpReply r = Fetch(target);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      ++*pages;
      simdjson::dom::element doc = Json(r);
      simdjson::dom::array denials;
      if (doc["denials"].get_array().get(denials) != simdjson::SUCCESS) break;
      for (simdjson::dom::element row : denials) {
        std::string id;
        for (const char* f : {"table", "command", "policy", "tenant", "code_path", "lane",
                              "effect", "cause"}) {
          std::string_view v;
          if (row[f].get_string().get(v) == simdjson::SUCCESS) id += std::string(v);
          id += "|";
        }
        seen.push_back(id);
        EXPECT_EQ(row["example"].get_string().value().find("secret"), std::string_view::npos)
            << "examples are redacted";
      }
      std::string_view next;
      if (doc["next_cursor"].get_string().get(next) != simdjson::SUCCESS) break;
      cursor = std::string(next);
      if (between && *pages == 1) between();
    }
    return seen;
  }

  std::unique_ptr<Store> writer_;
  FindingAggregator agg_;
};

TEST_F(PaginationTest, EveryRowExactlyOnce) {
  int pages = 0;
  std::vector<std::string> rows = Page("", 7, &pages);
  EXPECT_EQ(rows.size(), 240u);
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()).size(), rows.size());
  EXPECT_EQ(pages, (240 + 6) / 7);
}

TEST_F(PaginationTest, FiltersPageToo) {
  int pages = 0;
  std::vector<std::string> rows = Page("&table=public.orders&lane=notification_digest", 3, &pages);
  EXPECT_EQ(rows.size(), 40u);  // i % 3 == 0 and i even: i % 6 == 0
  EXPECT_EQ(std::set<std::string>(rows.begin(), rows.end()).size(), rows.size());
  for (const auto& r : rows) EXPECT_EQ(r.rfind("public.orders|", 0), 0u);
  rows = Page("&cause=missing_context&tenant=tenant-4", 2, &pages);
  EXPECT_FALSE(rows.empty());
}

TEST_F(PaginationTest, NoRepeatsOrSkipsWhenDataChangesBetweenPages) {
  int pages = 0;
  std::vector<std::string> before = Page("", 1000, &pages);
  std::vector<std::string> rows = Page("", 25, &pages, [&] {
    for (int i = 0; i < 240; ++i) Add(i, kT0 + 2 * kHourUs);  // more of the same keys
    for (int i = 240; i < 260; ++i) Add(i, kT0);              // and new keys
    Commit();
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // past refresh_seconds
  });
  std::set<std::string> unique(rows.begin(), rows.end());
  EXPECT_EQ(unique.size(), rows.size()) << "a row was repeated";
  for (const auto& b : before) EXPECT_TRUE(unique.contains(b)) << "skipped " << b;
}

TEST_F(PaginationTest, SinceAndUntilSelectTheWindow) {
  HttpReply r = Fetch("/api/v1/denials?limit=1000&since=2025-11-24T16:00:00Z&until=2025-11-24T17:00:00Z");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = Json(r);
  EXPECT_EQ(doc["window"]["since"].get_string().value(), "2025-11-24T16:00:00Z");
  EXPECT_EQ(doc["denials"].get_array().size(), 48u);  // i % 5 == 0
}

}  // namespace
}  // namespace rls_shadow::testing
