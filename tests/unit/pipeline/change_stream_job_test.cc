// `analyze --cdc/--seed` end to end on the real captured fixtures (tests/data/cdc, made by
// scripts/pg/capture_cdc.sh): the seed and the change stream build the row index, reads by key
// are decided by it, both change formats decide alike, and the index outlives the run.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "pipeline/analyze_job.h"

namespace rls_shadow {
namespace {

namespace fs = std::filesystem;

const std::string kCdc = std::string(RLS_SHADOW_TEST_DATA) + "/cdc";
constexpr char kT2[] = "22222222-2222-4222-8222-222222222222";
constexpr char kOrder1[] = "a0000000-0000-4000-8000-000000000001";  // tenant T1 throughout
constexpr char kOrder4[] = "a0000000-0000-4000-8000-000000000004";  // inserted, then deleted

class ChangeStreamJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rls-shadow-cdc-job-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Write("roles.sql", "CREATE ROLE owner_role;\nCREATE ROLE app_user;\n");
    // The captured database's orders table, and the tenant policy the team will apply.
    Write("schema.sql",
          "CREATE TABLE public.orders (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,\n"
          "  amount numeric(10,2), qty integer, total_cents bigint, priority smallint,\n"
          "  paid boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL,\n"
          "  note character varying(20), doc text, meta jsonb);\n"
          "ALTER TABLE public.orders OWNER TO owner_role;\n");
    Write("migration.sql",
          "ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;\n"
          "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;\n"
          "CREATE POLICY tenant_isolation ON public.orders\n"
          "  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  // A log, after the captured commits, of one session reading orders by key as tenant T2.
  std::string Log(const std::string& name, int minute) {
    std::string out;
    int n = 0;
    auto line = [&](const std::string& sql) {
      ++n;
      out += "{\"timestamp\":\"2026-11-22 20:" + std::to_string(minute) + ":0" +
             std::to_string(n) +
             ".000 UTC\",\"user\":\"app_user\",\"dbname\":\"shop\",\"pid\":7,"
             "\"session_id\":\"6b000000.7\",\"line_num\":" +
             std::to_string(n) +
             ",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"statement: " + sql +
             "\",\"application_name\":\"worker\",\"backend_type\":\"client backend\"}\n";
    };
    line(std::string("SET app.current_tenant_id = '") + kT2 + "'");
    line(std::string("SELECT note FROM public.orders WHERE id = '") + kOrder1 + "'");
    line(std::string("SELECT note FROM public.orders WHERE id = '") + kOrder4 + "'");
    line("SELECT note FROM public.orders");
    return Write(name, out);
  }

  AnalyzeOptions Options(const std::string& log) const {
    AnalyzeOptions o;
    o.policies_path = (dir_ / "migration.sql").string();
    o.schema_path = (dir_ / "schema.sql").string();
    o.roles_path = (dir_ / "roles.sql").string();
    o.log_paths = {log};
    o.db_dir = (dir_ / "db").string();
    o.verdicts_path = (dir_ / "verdicts.jsonl").string();
    return o;
  }

  // The effect rls-shadow gave each logged line ("line:effect").
  std::map<int, std::string> Effects() const {
    std::map<int, std::string> out;
    std::ifstream in(dir_ / "verdicts.jsonl");
    for (std::string l; std::getline(in, l);) {
      auto field = [&](const std::string& key) {
        size_t at = l.find("\"" + key + "\":");
        if (at == std::string::npos) return std::string();
        at += key.size() + 3;
        if (l[at] == '"') return l.substr(at + 1, l.find('"', at + 1) - at - 1);
        return l.substr(at, l.find_first_of(",}", at) - at);
      };
      out[std::stoi(field("line_num"))] = field("effect");
    }
    return out;
  }

  fs::path dir_;
};

TEST_F(ChangeStreamJobTest, LogAloneCannotTellWhoseRowsTheyAre) {
  AnalyzeSummary s;
  ASSERT_TRUE(RunAnalyze(Options(Log("a.json", 10)), &s).ok());
  auto effects = Effects();
  EXPECT_EQ(effects[2], "row_dependent");
  EXPECT_EQ(effects[3], "row_dependent");
  EXPECT_EQ(effects[4], "row_dependent");
  EXPECT_FALSE(s.changes_enabled);
}

TEST_F(ChangeStreamJobTest, SeedAndWal2jsonDecideReadsByKey) {
  AnalyzeOptions o = Options(Log("a.json", 10));
  o.seed_paths = {kCdc + "/seed.sql"};
  o.cdc_paths = {kCdc + "/wal2json.jsonl"};
  AnalyzeSummary s;
  ASSERT_TRUE(RunAnalyze(o, &s).ok());
  auto effects = Effects();
  EXPECT_EQ(effects[2], "filtered");  // T1's order, read as T2
  EXPECT_EQ(effects[3], "allow");     // deleted: the seeded, complete copy says no such row
  EXPECT_EQ(effects[4], "filtered");  // every row is known: T1's are among them
  EXPECT_EQ(s.change_records_read, 36u);
  EXPECT_EQ(s.change_records_rejected, 0u);
  EXPECT_GT(s.seed_rows, 0u);
  EXPECT_GT(s.join.changes, 0u);
  EXPECT_EQ(s.join.linked, 0u);  // the log made none of these changes
  EXPECT_EQ(s.join.unlinked, s.join.changes);
}

TEST_F(ChangeStreamJobTest, DebeziumDecidesAsWal2jsonDoes) {
  for (const char* file : {"debezium.jsonl", "debezium_wrapped.jsonl"}) {
    SCOPED_TRACE(file);
    fs::remove_all(dir_ / "db");
    AnalyzeOptions o = Options(Log("a.json", 10));
    o.seed_paths = {kCdc + "/seed.sql"};
    o.cdc_paths = {kCdc + "/" + file};
    o.cdc_format = CdcFormat::kDebezium;
    AnalyzeSummary s;
    ASSERT_TRUE(RunAnalyze(o, &s).ok());
    auto effects = Effects();
    EXPECT_EQ(effects[2], "filtered");
    EXPECT_EQ(effects[3], "allow");
    EXPECT_EQ(effects[4], "filtered");
    EXPECT_EQ(s.change_records_rejected, 0u);
  }
}

TEST_F(ChangeStreamJobTest, TheRowIndexOutlivesTheRun) {
  AnalyzeOptions first = Options(Log("a.json", 10));
  first.seed_paths = {kCdc + "/seed.sql"};
  first.cdc_paths = {kCdc + "/wal2json.jsonl"};
  AnalyzeSummary s1;
  ASSERT_TRUE(RunAnalyze(first, &s1).ok());
  // A later run: the change stream was read already (skipped), the index comes from the store.
  AnalyzeOptions second = Options(Log("b.json", 20));
  second.cdc_paths = {kCdc + "/wal2json.jsonl"};
  AnalyzeSummary s2;
  ASSERT_TRUE(RunAnalyze(second, &s2).ok());
  EXPECT_EQ(s2.sources_skipped, 1u);
  EXPECT_EQ(s2.change_records_read, 0u);
  EXPECT_EQ(s2.indexed_rows, s1.indexed_rows);
  auto effects = Effects();
  EXPECT_EQ(effects[2], "filtered");
  EXPECT_EQ(effects[3], "allow");
  EXPECT_EQ(effects[4], "filtered");
}

}  // namespace
}  // namespace rls_shadow
