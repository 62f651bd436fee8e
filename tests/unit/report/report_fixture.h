// ReportFixture: a Store in a scratch directory, filled with findings, for report tests.
#pragma once

#include <gtest/gtest.h>

#include "rls_shadow/report.h"
#include "unit/report/json_dom.h"
#include "rls_shadow/store.h"
#include "unit/store/scratch_dir.h"

namespace rls_shadow::testing {

inline constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
inline constexpr int64_t kSince = 490'000 * kHourUs;  // 2025-11-24T16:00:00Z
inline constexpr int64_t kUntil = kSince + 24 * kHourUs;

struct Access {
  std::string table = "public.orders";
  Effect effect = Effect::kAllow;
  Cause cause = Cause::kNone;
  std::string lane = "web";
  std::string code_path = "OrdersController#index";
  std::string policy = "tenant_isolation";
  std::string tenant = "t1";
  Command command = Command::kSelect;
  std::string example = "";
  int64_t time_us = kSince + kHourUs;
};

class ReportFixture : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(Store::Open(dir_.Sub("state"), &store_).ok()); }

  void Catalog(std::vector<TableMeta> tables) { ASSERT_TRUE(store_->PutTables(tables).ok()); }

  // Records `times` findings like `a`.
  void Record(const Access& a, int times = 1) {
    for (int i = 0; i < times; ++i) {
      Finding f;
      f.table = a.table;
      f.command = a.command;
      f.policy = a.policy;
      f.tenant = a.tenant;
      f.code_path = a.code_path;
      f.lane = a.lane;
      f.effect = a.effect;
      f.cause = a.cause;
      f.time_us = a.time_us + i;
      f.example = a.example;
      agg_.Add(f);
    }
    ASSERT_TRUE(store_->Commit(agg_, {}).ok());
  }

  Report Build(const ReadinessRules& rules = {}, int64_t since = kSince, int64_t until = kUntil) {
    Report r;
    Status s = BuildReport(*store_, rules, since, until, &r);
    EXPECT_TRUE(s.ok()) << s.message();
    return r;
  }

  static const TableReadiness& TableOf(const Report& r, const std::string& name) {
    for (const auto& t : r.tables) {
      if (t.table == name) return t;
    }
    ADD_FAILURE() << "no table " << name;
    return r.tables.front();
  }

  // Parses `text`, failing the test (with the parser's message) when it is not valid JSON.
  static Json Parse(const std::string& text) {
    Json doc;
    std::string error;
    EXPECT_TRUE(JsonParser::Parse(text, &doc, &error)) << error << "\n" << text;
    return doc;
  }

  // orders (RLS enabled) with 4 allowed accesses and invoices (enabled and forced) with 2: the
  // base of the two-table reports.
  void OrdersAndInvoicesAllowed() {
    Catalog({Orders(), {"public.invoices", "app_owner", true, true, {"tenant_isolation"}}});
    Record(Access{}, 4);
    Record(Access{.table = "public.invoices"}, 2);
  }

  static TableMeta Orders() {
    return {"public.orders", "app_owner", true, false, {"tenant_isolation", "admin_all"}};
  }

  ScratchDir dir_;
  std::unique_ptr<Store> store_;
  FindingAggregator agg_;
};

}  // namespace rls_shadow::testing
