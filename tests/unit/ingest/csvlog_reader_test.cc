// Tests for ReadLog on csvlog: PostgreSQL's quoting (doubled quotes, newlines inside fields), the
// column counts of different versions, and agreement with jsonlog on the same server run.
#include <gtest/gtest.h>

#include "read_helpers.h"

namespace rls_shadow {
namespace {

using testing_ingest::DataPath;
using testing_ingest::ReadAll;
using testing_ingest::WriteTempFile;

// A PG 15 csvlog record (26 columns) with the given severity, message, detail and query fields,
// each already in CSV form (quoted or empty).
std::string CsvRecord(const std::string& message, const std::string& detail = "",
                      const std::string& query = "", const std::string& severity = "LOG",
                      const std::string& pid = "4775") {
  return "2026-11-22 17:29:56.348 UTC,\"app_role\",\"postgres\"," + pid +
         ",\"[local]\",6b032694.12a7,4,\"idle\",2026-11-22 17:29:56 UTC,3/10,0," + severity +
         ",00000," + message + "," + detail + ",,,,," + query +
         ",,,\"fixture\",\"client backend\",,0\n";
}

TEST(CsvlogReaderTest, AgreesWithJsonlogFromTheSameServerRun) {
  auto json = ReadAll(DataPath("pg15_real.json"));
  auto csv = ReadAll(DataPath("pg15_real.csv"));
  ASSERT_TRUE(csv.status.ok()) << csv.status.message();
  EXPECT_EQ(csv.summary.records_rejected, 0u);
  ASSERT_EQ(csv.events.size(), json.events.size());
  for (size_t i = 0; i < csv.events.size(); ++i) {
    const LogEvent& c = csv.events[i];
    const LogEvent& j = json.events[i];
    SCOPED_TRACE("record " + std::to_string(i) + ": " + j.message);
    EXPECT_EQ(c.kind, j.kind);
    EXPECT_EQ(c.time_us, j.time_us);
    EXPECT_EQ(c.user, j.user);
    EXPECT_EQ(c.dbname, j.dbname);
    EXPECT_EQ(c.pid, j.pid);
    EXPECT_EQ(c.session_id, j.session_id);
    EXPECT_EQ(c.line_num, j.line_num);
    EXPECT_EQ(c.txid, j.txid);
    EXPECT_EQ(c.severity, j.severity);
    EXPECT_EQ(c.state_code, j.state_code);
    EXPECT_EQ(c.message, j.message);
    EXPECT_EQ(c.detail, j.detail);
    EXPECT_EQ(c.application_name, j.application_name);
    EXPECT_EQ(c.sql, j.sql);
    EXPECT_EQ(c.extended_protocol, j.extended_protocol);
    EXPECT_EQ(c.prepared_name, j.prepared_name);
    EXPECT_EQ(c.params, j.params);
  }
  EXPECT_EQ(csv.summary.statements_from_duration_lines, 2u);
}

TEST(CsvlogReaderTest, QuotedFieldsKeepNewlinesAndQuotes) {
  std::string first =
      CsvRecord("\"statement: INSERT INTO t VALUES ('it''s\nmulti-line, \"\"q\"\"');\"");
  std::string second = CsvRecord("\"statement: SELECT 2\"");
  std::string content = first + second;
  auto result = ReadAll(WriteTempFile("quoted.csv", content));
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.summary.records_rejected, 0u);
  ASSERT_EQ(result.events.size(), 2u);
  EXPECT_EQ(result.events[0].kind, LogEventKind::kStatement);
  EXPECT_EQ(result.events[0].sql, "INSERT INTO t VALUES ('it''s\nmulti-line, \"q\"');");
  EXPECT_EQ(result.events[0].position.line, 1u);
  EXPECT_EQ(result.events[1].position.line, 3u);  // the first record spans two lines
  EXPECT_EQ(result.events[1].position.offset, first.size());
  EXPECT_EQ(result.summary.end_line, 3u);
  EXPECT_EQ(result.summary.end_offset, content.size());
  EXPECT_EQ(result.events[0].state_code, "");  // csvlog's "00000" means none, as in jsonlog
  EXPECT_EQ(result.events[0].application_name, "fixture");
}

TEST(CsvlogReaderTest, ExecuteLineWithParametersAndErrorWithQuery) {
  std::string content =
      CsvRecord("\"execute S_1: SELECT $1, $2\"", "\"parameters: $1 = 'a,b', $2 = NULL\"") +
      CsvRecord("\"new row violates row-level security policy for table \"\"t\"\"\"", "",
                "\"INSERT INTO t VALUES (1)\"", "ERROR");
  auto result = ReadAll(WriteTempFile("execute.csv", content));
  ASSERT_EQ(result.events.size(), 2u);
  EXPECT_TRUE(result.events[0].extended_protocol);
  EXPECT_EQ(result.events[0].prepared_name, "S_1");
  using Params = std::vector<std::optional<std::string>>;
  EXPECT_EQ(result.events[0].params, (Params{"a,b", std::nullopt}));
  EXPECT_EQ(result.events[1].kind, LogEventKind::kError);
  EXPECT_EQ(result.events[1].message, "new row violates row-level security policy for table \"t\"");
  EXPECT_EQ(result.events[1].sql, "INSERT INTO t VALUES (1)");
}

TEST(CsvlogReaderTest, AcceptsTheTwentyThreeColumnsOfOlderServers) {
  // PG 12: no backend_type, leader_pid, query_id.
  std::string pg12 =
      "2026-11-22 17:29:56.348 UTC,\"app\",\"db\",1,\"[local]\",6b.1,1,\"idle\","
      "2026-11-22 17:29:56 UTC,3/10,0,LOG,00000,\"statement: SELECT 1\",,,,,,,,,\"psql\"\n";
  auto result = ReadAll(WriteTempFile("pg12.csv", pg12));
  EXPECT_EQ(result.summary.records_rejected, 0u);
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.events[0].sql, "SELECT 1");
  EXPECT_EQ(result.events[0].application_name, "psql");
}

TEST(CsvlogReaderTest, RejectsBrokenRecordsAndGoesOn) {
  std::string good = CsvRecord("\"statement: SELECT 1\"");
  std::string too_few = "2026-11-22 17:29:56.348 UTC,\"app\",\"db\",1\n";
  std::string after_quote = CsvRecord("\"statement: x\"oops");
  std::string bad_pid = CsvRecord("\"statement: x\"", "", "", "LOG", "abc");
  std::string no_session = good;
  no_session.replace(no_session.find("6b032694.12a7"), 13, "");
  std::string latin1 = CsvRecord("\"statement: SELECT 'caf\xe9'\"");
  auto result = ReadAll(WriteTempFile(
      "broken.csv", too_few + good + after_quote + bad_pid + no_session + latin1 + good));
  EXPECT_EQ(result.events.size(), 2u);
  EXPECT_EQ(result.summary.rejected_by_reason["bad_csv"], 2u);
  EXPECT_EQ(result.summary.rejected_by_reason["wrong_type"], 1u);
  EXPECT_EQ(result.summary.rejected_by_reason["missing_field"], 1u);
  EXPECT_EQ(result.summary.rejected_by_reason["not_utf8"], 1u);
  ASSERT_EQ(result.rejects.size(), 5u);
  EXPECT_EQ(result.rejects[0].record.position.line, 1u);
  EXPECT_EQ(result.rejects[0].raw, too_few.substr(0, too_few.size() - 1));
  EXPECT_EQ(result.rejects[1].record.position.line, 3u);
}

TEST(CsvlogReaderTest, UnterminatedQuoteAtEndIsTruncatedAndNotConsumed) {
  std::string good = CsvRecord("\"statement: SELECT 1\"");
  std::string partial = CsvRecord("\"statement: SELECT 'a\nb'\"").substr(0, 120);
  auto result = ReadAll(WriteTempFile("truncated.csv", good + partial));
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.summary.rejected_by_reason["truncated"], 1u);
  EXPECT_EQ(result.summary.end_offset, good.size());
  EXPECT_EQ(result.summary.end_line, 1u);
}

TEST(CsvlogReaderTest, FormatIsDetectedFromContentWithoutAnExtension) {
  auto csv = ReadAll(WriteTempFile("postgresql-csv.log", CsvRecord("\"statement: SELECT 1\"")));
  ASSERT_EQ(csv.events.size(), 1u);
  EXPECT_EQ(csv.events[0].sql, "SELECT 1");
  auto json = ReadAll(WriteTempFile("postgresql-json.log",
                                    "\n  " + testing_ingest::JsonLine("statement: SELECT 2")));
  ASSERT_EQ(json.events.size(), 1u);
  EXPECT_EQ(json.events[0].sql, "SELECT 2");
}

TEST(CsvlogReaderTest, ExplicitFormatOverridesTheExtension) {
  ReadOptions options;
  options.format = LogFormat::kCsvLog;
  auto result =
      ReadAll(WriteTempFile("really_csv.json", CsvRecord("\"statement: SELECT 1\"")), options);
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.summary.records_rejected, 0u);
}

}  // namespace
}  // namespace rls_shadow
