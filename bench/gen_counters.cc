// gen_counters: fills a state directory with N distinct would-be-denial counters (default
// 1,000,000) through the Store API, for the dashboard benchmark (dashboard_bench.sh).
// Deterministic: 40 tables, 2,000 code paths in 50 directories, 12 lanes, 5,000 tenants,
// spread over the 7 days before a fixed time, plus the allowed accesses that make coverage.
//   gen_counters --db DIR [--counters N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "rls_shadow/store.h"

int main(int argc, char** argv) {
  std::string db;
  long counters = 1'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--db") == 0) db = argv[i + 1];
    if (std::strcmp(argv[i], "--counters") == 0) counters = std::atol(argv[i + 1]);
  }
  if (db.empty() || counters <= 0) {
    std::fprintf(stderr, "usage: gen_counters --db DIR [--counters N]\n");
    return 2;
  }
  using namespace rls_shadow;
  std::unique_ptr<Store> store;
  if (Status s = Store::Open(db, &store); !s.ok()) {
    std::fprintf(stderr, "gen_counters: %s\n", s.message().c_str());
    return 1;
  }
  std::vector<TableMeta> tables;
  for (int t = 0; t < 40; ++t) {
    tables.push_back({"public.table_" + std::to_string(t), "app_owner", true, false,
                      {"tenant_isolation"}});
  }
  if (Status s = store->PutTables(tables); !s.ok()) return 1;

  constexpr int64_t kHourUs = int64_t{3600} * 1'000'000;
  const int64_t end = int64_t{1'795'000'000} * 1'000'000;  // 2026-11-18
  constexpr Effect kEffects[] = {Effect::kError, Effect::kFiltered, Effect::kRowDependent};
  constexpr Cause kCauses[] = {Cause::kMissingContext, Cause::kEmptyContext, Cause::kStaleContext,
                               Cause::kWrongTenant, Cause::kContextLostAutocommit};
  FindingAggregator agg(1);
  for (long i = 0; i < counters; ++i) {
    Finding f;
    // Distinct keys: tenant (5,000) x code path (2,000) decide uniqueness for i < 10M.
    f.tenant = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i % 5000);
    f.code_path = "app/dir_" + std::to_string(i / 5000 % 50) + "/job_" +
                  std::to_string(i / 5000 % 2000) + ".rb";
    f.table = tables[static_cast<size_t>(i % 40)].table;
    f.lane = "lane_" + std::to_string(i % 12);
    f.policy = "tenant_isolation";
    f.effect = kEffects[i % 3];
    f.cause = kCauses[i % 5];
    f.command = static_cast<Command>(i % 4);
    f.time_us = end - (i % 168) * kHourUs - 1;
    if (i % 100 == 0) f.example = "SELECT * FROM t WHERE tenant_id = $1 /*code_path='x'*/";
    agg.Add(f);
    Finding ok = f;
    ok.effect = Effect::kAllow;
    ok.cause = Cause::kNone;
    ok.tenant = "t";
    ok.example.clear();
    agg.Add(ok);
    if (agg.size() >= 400'000) {
      if (Status s = store->Commit(agg, {}); !s.ok()) return 1;
    }
  }
  if (Status s = store->Commit(agg, {}); !s.ok()) return 1;
  std::printf("gen_counters: %ld would-be-denial counters in %s\n", counters, db.c_str());
  return 0;
}
