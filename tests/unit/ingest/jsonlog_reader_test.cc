// Tests for ReadLog on well-formed jsonlog: the verbatim lines of PG_SEMANTICS.md §C and a log
// written by a real PostgreSQL 15.
#include <gtest/gtest.h>

#include <algorithm>

#include "read_helpers.h"

namespace rls_shadow {
namespace {

using testing_ingest::DataPath;
using testing_ingest::JsonLine;
using testing_ingest::ReadAll;
using testing_ingest::WriteTempFile;

TEST(JsonlogReaderTest, DecodesTheVerbatimRlsErrorLine) {
  auto result = ReadAll(DataPath("pg_semantics_c.json"));
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  ASSERT_EQ(result.events.size(), 3u);
  EXPECT_EQ(result.summary.records_rejected, 0u);

  const LogEvent& error = result.events[0];
  EXPECT_EQ(error.kind, LogEventKind::kError);
  EXPECT_EQ(error.time_us, 1795349288403000);  // 2026-11-22 12:08:08.403 UTC
  EXPECT_EQ(error.user, "app_role");
  EXPECT_EQ(error.dbname, "postgres");
  EXPECT_EQ(error.pid, 8092);
  EXPECT_EQ(error.session_id, "6b02db28.1f9c");
  EXPECT_EQ(error.line_num, 9);
  EXPECT_EQ(error.txid, 0);
  EXPECT_EQ(error.severity, "ERROR");
  EXPECT_EQ(error.state_code, "42501");
  EXPECT_EQ(error.message, "new row violates row-level security policy for table \"t\"");
  EXPECT_EQ(error.sql,
            "INSERT INTO t VALUES (502,'22222222-2222-2222-2222-222222222222','c1-bad');");
  EXPECT_EQ(error.application_name, "c1_txid");
  EXPECT_EQ(error.position.line, 1u);
  EXPECT_EQ(error.position.offset, 0u);
  EXPECT_EQ(error.position.source, DataPath("pg_semantics_c.json"));
}

// The reader reuses one event: each record's fields are its own, whatever the record before held
// (longer, shorter, absent), and a key given twice keeps its last value, as assignment would.
TEST(JsonlogReaderTest, ReusedEventHoldsOnlyEachRecordsFields) {
  const std::string path = WriteTempFile(
      "reused_fields.json",
      JsonLine("statement: SELECT 1", 1,
               ",\"application_name\":\"a-rather-long-application-name\"") +
          JsonLine("statement: SELECT 22", 2, ",\"application_name\":\"ab\"") +
          JsonLine("statement: SELECT 3", 3) +
          JsonLine("statement: SELECT 4", 4,
                   ",\"application_name\":\"first\",\"application_name\":\"second\""));
  auto result = ReadAll(path);
  ASSERT_EQ(result.events.size(), 4u);
  EXPECT_EQ(result.events[0].application_name, "a-rather-long-application-name");
  EXPECT_EQ(result.events[1].application_name, "ab");
  EXPECT_EQ(result.events[1].sql, "SELECT 22");
  EXPECT_EQ(result.events[2].application_name, "");
  EXPECT_EQ(result.events[2].sql, "SELECT 3");
  EXPECT_EQ(result.events[3].application_name, "second");
}

// The parameter list is kept from one record to the next for its strings' capacity: each
// event still has exactly its own parameters, and none unless it is an execute line with them.
TEST(JsonlogReaderTest, ReusedEventHoldsOnlyEachRecordsParameters) {
  auto params = [](const std::string& detail) { return ",\"detail\":\"" + detail + "\""; };
  const std::string path = WriteTempFile(
      "reused_params.json",
      JsonLine("execute <unnamed>: SELECT $1, $2, $3", 1,
               params("parameters: $1 = 'a-long-first-value-past-sso', $2 = 'b', $3 = 'c'")) +
          JsonLine("execute <unnamed>: SELECT $1", 2, params("parameters: $1 = 'x'")) +
          JsonLine("statement: SELECT 1", 3) + JsonLine("execute <unnamed>: SELECT 2", 4) +
          JsonLine("execute <unnamed>: SELECT $1, $2", 5,
                   params("parameters: $1 = NULL, $2 = 'it''s'")) +
          JsonLine("some failure", 6,
                   ",\"error_severity\":\"ERROR\"" + params("parameters: $1 = 'e'")) +
          JsonLine("execute <unnamed>: SELECT $1, $2", 7,
                   params("parameters: $1 = 'p', $2 = 'q'")));
  auto result = ReadAll(path);
  ASSERT_EQ(result.events.size(), 7u);
  using Params = std::vector<std::optional<std::string>>;
  EXPECT_EQ(result.events[0].params, (Params{"a-long-first-value-past-sso", "b", "c"}));
  EXPECT_EQ(result.events[1].params, (Params{"x"}));
  EXPECT_EQ(result.events[2].params, Params{});
  EXPECT_EQ(result.events[3].params, Params{});
  EXPECT_EQ(result.events[4].params, (Params{std::nullopt, "it's"}));
  EXPECT_EQ(result.events[5].kind, LogEventKind::kError);
  EXPECT_EQ(result.events[5].params, Params{});
  EXPECT_EQ(result.events[6].params, (Params{"p", "q"}));
}

TEST(JsonlogReaderTest, DecodesTheVerbatimWarningAndExecuteLines) {
  auto result = ReadAll(DataPath("pg_semantics_c.json"));
  ASSERT_EQ(result.events.size(), 3u);

  const LogEvent& warning = result.events[1];
  EXPECT_EQ(warning.kind, LogEventKind::kWarning);
  EXPECT_EQ(warning.state_code, "25P01");
  EXPECT_EQ(warning.sql, "");  // no "statement" key on this line
  EXPECT_EQ(warning.position.line, 2u);

  const LogEvent& execute = result.events[2];
  EXPECT_EQ(execute.kind, LogEventKind::kStatement);
  EXPECT_TRUE(execute.extended_protocol);
  EXPECT_EQ(execute.prepared_name, "<unnamed>");
  EXPECT_EQ(execute.sql, "INSERT INTO t VALUES ($1, $2::uuid, $3)");
  EXPECT_EQ(execute.state_code, "");
  EXPECT_EQ(execute.pid, 8205);
  using Params = std::vector<std::optional<std::string>>;
  EXPECT_EQ(execute.params, (Params{"600", "11111111-1111-1111-1111-111111111111", "ext"}));
  EXPECT_EQ(execute.position.line, 3u);
  EXPECT_EQ(result.summary.end_line, 3u);
}

// The real log: psql, pgbench -M prepared / extended, then duration-only logging.
class RealJsonlogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    result_ = ReadAll(DataPath("pg15_real.json"));
    ASSERT_TRUE(result_.status.ok()) << result_.status.message();
  }
  std::vector<const LogEvent*> Find(LogEventKind kind) const {
    std::vector<const LogEvent*> found;
    for (const LogEvent& event : result_.events) {
      if (event.kind == kind) found.push_back(&event);
    }
    return found;
  }
  testing_ingest::ReadResult result_;
};

TEST_F(RealJsonlogTest, ReadsEveryRecordAndConsumesTheFile) {
  EXPECT_EQ(result_.summary.records_rejected, 0u);
  EXPECT_EQ(result_.summary.records_read, 72u);
  EXPECT_EQ(result_.summary.end_line, 72u);
  EXPECT_EQ(result_.summary.end_offset, 26743u);  // the file's size
  EXPECT_TRUE(result_.summary.language_warning.empty());
}

TEST_F(RealJsonlogTest, KeepsMultiLineStatementText) {
  auto statements = Find(LogEventKind::kStatement);
  auto it = std::find_if(statements.begin(), statements.end(), [](const LogEvent* e) {
    return e->sql.starts_with("INSERT INTO t VALUES (1,");
  });
  ASSERT_NE(it, statements.end());
  EXPECT_EQ((*it)->sql,
            "INSERT INTO t VALUES (1, '11111111-1111-1111-1111-111111111111', 'it''s\n"
            "multi-line, \"quoted\"');");
  EXPECT_FALSE((*it)->extended_protocol);
  EXPECT_EQ((*it)->application_name, "fixture");
}

TEST_F(RealJsonlogTest, ClassifiesExecutionsErrorsAndSessions) {
  auto statements = Find(LogEventKind::kStatement);
  size_t named = 0, unnamed = 0, simple = 0;
  for (const LogEvent* e : statements) {
    if (!e->extended_protocol) {
      ++simple;
      continue;
    }
    EXPECT_EQ(e->sql, "SELECT count(*) FROM t WHERE id = $1 AND note <> 'x';");
    ASSERT_EQ(e->params.size(), 1u);
    ASSERT_TRUE(e->params[0].has_value());
    EXPECT_GE(*e->params[0], "1");
    EXPECT_LE(*e->params[0], "5");
    (e->prepared_name == "P_0" ? named : unnamed)++;
  }
  EXPECT_EQ(named, 2u);    // pgbench -M prepared -t 2
  EXPECT_EQ(unnamed, 3u);  // -M extended -t 2, then one "duration: ... execute <unnamed>"
  EXPECT_EQ(result_.summary.statements_from_duration_lines, 2u);  // + "duration: ... statement:"

  auto errors = Find(LogEventKind::kError);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0]->state_code, "42501");
  EXPECT_EQ(errors[0]->sql,
            "INSERT INTO t VALUES (502,'22222222-2222-2222-2222-222222222222','c1-bad');");
  EXPECT_EQ(errors[1]->state_code, "42601");
  EXPECT_EQ(errors[1]->sql, "SELEC broken;");
  ASSERT_EQ(Find(LogEventKind::kWarning).size(), 1u);

  // Each of the 10 client sessions logs "connection received" and "connection authorized".
  EXPECT_EQ(Find(LogEventKind::kConnect).size(), 20u);
  EXPECT_EQ(Find(LogEventKind::kDisconnect).size(), 10u);
}

TEST_F(RealJsonlogTest, ParseAndBindDurationLinesAreNotExecutions) {
  size_t protocol_steps = 0;
  for (const LogEvent& e : result_.events) {
    if (e.message.find("  parse ") != std::string::npos ||
        e.message.find("  bind ") != std::string::npos) {
      ++protocol_steps;
      EXPECT_EQ(e.kind, LogEventKind::kOther) << e.message;
      EXPECT_TRUE(e.sql.empty());
    }
  }
  EXPECT_EQ(protocol_steps, 2u);
}

}  // namespace
}  // namespace rls_shadow
