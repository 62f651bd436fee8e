#include "pipeline/analyze_job.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "pipeline/time_arg.h"
#include "rls_shadow/store.h"

namespace rls_shadow {
namespace {

namespace fs = std::filesystem;

const std::string kExamples = std::string(RLS_SHADOW_SOURCE_DIR) + "/examples";

class AnalyzeJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rls-shadow-analyze-job-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  AnalyzeOptions Options(const std::vector<std::string>& logs) const {
    AnalyzeOptions o;
    o.policies_path = kExamples + "/migration.sql";
    o.schema_path = kExamples + "/schema.sql";
    o.roles_path = kExamples + "/roles.sql";
    o.log_paths = logs;
    o.db_dir = (dir_ / "db").string();
    return o;
  }

  // Total would-be denials and accesses stored, over all time.
  std::pair<uint64_t, uint64_t> Totals() const {
    std::unique_ptr<Store> store;
    EXPECT_TRUE(Store::OpenReadOnly((dir_ / "db").string(), &store).ok());
    std::vector<DenialRow> denials;
    std::vector<AccessRow> accesses;
    EXPECT_TRUE(store->ReadDenials(0, std::numeric_limits<int64_t>::max(), &denials).ok());
    EXPECT_TRUE(store->ReadAccesses(0, std::numeric_limits<int64_t>::max(), &accesses).ok());
    uint64_t d = 0, a = 0;
    for (const auto& r : denials) {
      if (IsWouldBeDenial(r.key.effect)) d += r.value.count;
    }
    for (const auto& r : accesses) a += r.value.count;
    return {d, a};
  }

  fs::path dir_;
};

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_F(AnalyzeJobTest, ReRunningTheSameFileDoesNotDoubleCount) {
  AnalyzeSummary first;
  ASSERT_TRUE(RunAnalyze(Options({kExamples + "/postgres.json"}), &first).ok());
  ASSERT_GT(first.would_be_denials, 0u);
  auto totals = Totals();
  EXPECT_EQ(totals.first, first.would_be_denials);
  EXPECT_EQ(totals.second, first.findings);

  AnalyzeSummary second;
  ASSERT_TRUE(RunAnalyze(Options({kExamples + "/postgres.json"}), &second).ok());
  EXPECT_EQ(second.sources_skipped, 1u);
  EXPECT_EQ(second.findings, 0u);
  EXPECT_EQ(Totals(), totals);
}

TEST_F(AnalyzeJobTest, AnAppendedFileResumesWhereItStopped) {
  // The same log analysed whole, and in two runs over a file that grows in between, must give
  // the same counts when the split falls between sessions' statements.
  std::vector<std::string> lines = Lines(kExamples + "/postgres.json");
  ASSERT_GT(lines.size(), 10u);
  const std::string growing = (dir_ / "growing.json").string();
  {
    std::ofstream out(growing);
    for (size_t i = 0; i < lines.size(); ++i) out << lines[i] << '\n';
  }
  AnalyzeSummary whole;
  ASSERT_TRUE(RunAnalyze(Options({growing}), &whole).ok());
  auto whole_totals = Totals();
  fs::remove_all(dir_ / "db");

  {
    std::ofstream out(growing, std::ios::trunc);
    for (size_t i = 0; i < lines.size() / 2; ++i) out << lines[i] << '\n';
  }
  AnalyzeSummary part1, part2;
  ASSERT_TRUE(RunAnalyze(Options({growing}), &part1).ok());
  {
    std::ofstream out(growing, std::ios::app);
    for (size_t i = lines.size() / 2; i < lines.size(); ++i) out << lines[i] << '\n';
  }
  ASSERT_TRUE(RunAnalyze(Options({growing}), &part2).ok());
  EXPECT_EQ(part1.lines_read + part2.lines_read, whole.lines_read);
  EXPECT_EQ(part2.sources_skipped, 0u);
  // Sessions open at the split carry their context into the second run: the counts are those
  // of the uninterrupted run.
  EXPECT_GT(whole_totals.first, 0u);
  EXPECT_EQ(Totals(), whole_totals);
}

// One jsonlog statement line of session "s1" as shop_app (the example's application role).
std::string StatementLine(int line_num, const std::string& sql) {
  std::string escaped;
  for (char c : sql) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "{\"timestamp\":\"2026-11-22 10:00:0" + std::to_string(line_num) +
         ".000 UTC\",\"user\":\"shop_app\",\"dbname\":\"shop\",\"pid\":7,"
         "\"session_id\":\"6b000000.7\",\"line_num\":" +
         std::to_string(line_num) +
         ",\"vxid\":\"3/1\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"statement: " +
         escaped + "\",\"application_name\":\"worker\",\"backend_type\":\"client backend\"}";
}

TEST_F(AnalyzeJobTest, ASessionKeepsItsContextAcrossRuns) {
  // The context is set before the split and used after it: without the stored session the
  // second run would see no context and report a denial PostgreSQL would not make.
  const std::string tenant = "0b7e5c4a-3f1d-4c2e-9a6b-1d2e3f405161";
  const std::string log = (dir_ / "split.json").string();
  {
    std::ofstream out(log);
    out << StatementLine(1, "SET app.current_tenant_id = '" + tenant + "'") << '\n';
  }
  AnalyzeSummary first, second;
  ASSERT_TRUE(RunAnalyze(Options({log}), &first).ok());
  {
    std::ofstream out(log, std::ios::app);
    out << StatementLine(2, "INSERT INTO orders (tenant_id, total) VALUES ('" + tenant + "', 1)")
        << '\n';
  }
  ASSERT_TRUE(RunAnalyze(Options({log}), &second).ok());
  EXPECT_EQ(second.lines_read, 1u);
  EXPECT_EQ(second.findings, 1u);
  EXPECT_EQ(second.would_be_denials, 0u);
}

TEST_F(AnalyzeJobTest, MalformedLinesAreCountedDeadLetteredAndSkipped) {
  std::vector<std::string> lines = Lines(kExamples + "/postgres.json");
  const std::string mixed = (dir_ / "mixed.json").string();
  {
    std::ofstream out(mixed);
    out << "{not json\n";
    for (const auto& l : lines) out << l << '\n';
    out << "{\"timestamp\":\"2026-11-22 12:00:00 UTC\",\"pid\":\"abc\"}\n";
  }
  AnalyzeOptions o = Options({mixed});
  o.dead_letter_path = (dir_ / "dead.jsonl").string();
  AnalyzeSummary s;
  ASSERT_TRUE(RunAnalyze(o, &s).ok());
  EXPECT_EQ(s.lines_rejected, 2u);
  EXPECT_EQ(s.lines_read, lines.size() + 2);
  std::vector<std::string> dead = Lines(o.dead_letter_path);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_NE(dead[0].find("\"line\":1"), std::string::npos) << dead[0];
  // The good lines were analysed exactly as without the bad ones.
  AnalyzeSummary clean;
  fs::remove_all(dir_ / "db2");
  AnalyzeOptions c = Options({kExamples + "/postgres.json"});
  c.db_dir = (dir_ / "db2").string();
  ASSERT_TRUE(RunAnalyze(c, &clean).ok());
  EXPECT_EQ(s.would_be_denials, clean.would_be_denials);
}

TEST_F(AnalyzeJobTest, UnreadableInputsAreErrorsNotCrashes) {
  AnalyzeOptions o = Options({(dir_ / "missing.json").string()});
  AnalyzeSummary s;
  EXPECT_FALSE(RunAnalyze(o, &s).ok());
  o = Options({kExamples + "/postgres.json"});
  o.policies_path = (dir_ / "missing.sql").string();
  Status st = RunAnalyze(o, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("missing.sql"), std::string::npos);
}

TEST(TimeArg, ParsesIsoDatesAndAges) {
  const int64_t now = 1'800'000'000LL * 1'000'000;
  EXPECT_EQ(ParseTimeArg("2026-11-22T00:00:00Z", now), 1795305600LL * 1000000);
  EXPECT_EQ(ParseTimeArg("2026-11-22", now), 1795305600LL * 1000000);
  EXPECT_EQ(ParseTimeArg("2026-11-22 01:00", now), (1795305600LL + 3600) * 1000000);
  EXPECT_EQ(ParseTimeArg("7d", now), now - 7 * 86400LL * 1000000);
  EXPECT_EQ(ParseTimeArg("90m", now), now - 90 * 60LL * 1000000);
  EXPECT_FALSE(ParseTimeArg("yesterday", now));
  EXPECT_FALSE(ParseTimeArg("2026-13-01", now));
}

}  // namespace
}  // namespace rls_shadow
