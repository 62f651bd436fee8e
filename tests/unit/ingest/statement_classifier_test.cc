// Tests for ClassifyEvent: which log lines are executions, and what is extracted from them.
#include "ingest/statement_classifier.h"

#include <gtest/gtest.h>

namespace rls_shadow::ingest {
namespace {

struct Classified {
  bool ok;
  LogEvent event;
  StatementOrigin origin;
  DecodeFailure failure;
};

Classified Classify(std::string_view message, std::string_view detail = "",
                    std::string_view severity = "LOG", std::string_view statement = "") {
  Classified c{};
  c.event.severity = severity;
  c.event.message = message;
  c.event.detail = detail;
  RecordExtras extras;
  extras.statement = statement;
  c.ok = ClassifyEvent(extras, &c.event, &c.origin, &c.failure);
  return c;
}

TEST(StatementClassifierTest, SimpleProtocolStatement) {
  auto c = Classify("statement: SELECT 3 ; SELECT 4;");
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.event.kind, LogEventKind::kStatement);
  EXPECT_EQ(c.event.sql, "SELECT 3 ; SELECT 4;");
  EXPECT_FALSE(c.event.extended_protocol);
  EXPECT_EQ(c.origin, StatementOrigin::kStatementLog);
}

TEST(StatementClassifierTest, ExtendedProtocolExecuteWithNamedPortal) {
  auto c = Classify("execute S_1/C_2: SELECT $1", "parameters: $1 = '7'");
  EXPECT_EQ(c.event.kind, LogEventKind::kStatement);
  EXPECT_TRUE(c.event.extended_protocol);
  EXPECT_EQ(c.event.prepared_name, "S_1");
  EXPECT_EQ(c.event.sql, "SELECT $1");
  ASSERT_EQ(c.event.params.size(), 1u);
  EXPECT_EQ(c.event.params[0], "7");
}

TEST(StatementClassifierTest, ExecuteWithoutParametersDetail) {
  auto c = Classify("execute named_sel: SELECT 1");
  EXPECT_EQ(c.event.kind, LogEventKind::kStatement);
  EXPECT_EQ(c.event.prepared_name, "named_sel");
  EXPECT_TRUE(c.event.params.empty());
}

TEST(StatementClassifierTest, FetchFromASuspendedPortalIsNotANewExecution) {
  EXPECT_EQ(Classify("execute fetch from S_1/C_2: SELECT 1").event.kind, LogEventKind::kOther);
}

TEST(StatementClassifierTest, DurationLinesWithTextAreExecutions) {
  auto simple = Classify("duration: 0.701 ms  statement: SELECT count(*) FROM t");
  EXPECT_EQ(simple.event.kind, LogEventKind::kStatement);
  EXPECT_EQ(simple.event.sql, "SELECT count(*) FROM t");
  EXPECT_EQ(simple.origin, StatementOrigin::kDurationLog);

  auto extended =
      Classify("duration: 0.131 ms  execute <unnamed>: SELECT $1", "parameters: $1 = NULL");
  EXPECT_EQ(extended.event.kind, LogEventKind::kStatement);
  EXPECT_TRUE(extended.event.extended_protocol);
  EXPECT_EQ(extended.event.prepared_name, "<unnamed>");
  ASSERT_EQ(extended.event.params.size(), 1u);
  EXPECT_FALSE(extended.event.params[0].has_value());
  EXPECT_EQ(extended.origin, StatementOrigin::kDurationLog);
}

TEST(StatementClassifierTest, ProtocolStepsAndBareDurationsAreNotExecutions) {
  for (std::string_view message : {"duration: 0.292 ms  parse <unnamed>: SELECT $1",
                                   "duration: 0.090 ms  bind <unnamed>: SELECT $1",
                                   "duration: 0.5 ms", "duration: 0.178 ms"}) {
    auto c = Classify(message, "parameters: $1 = '1'");
    EXPECT_EQ(c.event.kind, LogEventKind::kOther) << message;
    EXPECT_EQ(c.origin, StatementOrigin::kNone) << message;
    EXPECT_TRUE(c.event.sql.empty()) << message;
  }
}

TEST(StatementClassifierTest, ErrorsAndWarningsCarryTheFailedStatement) {
  for (std::string_view severity : {"ERROR", "FATAL", "PANIC"}) {
    auto c = Classify("new row violates row-level security policy", "", severity, "INSERT 1");
    EXPECT_EQ(c.event.kind, LogEventKind::kError) << severity;
    EXPECT_EQ(c.event.sql, "INSERT 1");
  }
  auto warning = Classify("SET LOCAL can only be used in transaction blocks", "", "WARNING");
  EXPECT_EQ(warning.event.kind, LogEventKind::kWarning);
  // An ERROR whose message happens to start like a statement line is still an error.
  EXPECT_EQ(Classify("statement: x", "", "ERROR").event.kind, LogEventKind::kError);
}

TEST(StatementClassifierTest, ConnectionsAndOtherLines) {
  EXPECT_EQ(Classify("connection received: host=[local]").event.kind, LogEventKind::kConnect);
  EXPECT_EQ(Classify("connection authorized: user=app database=app").event.kind,
            LogEventKind::kConnect);
  EXPECT_EQ(Classify("disconnection: session time: 0:00:00.019 user=app").event.kind,
            LogEventKind::kDisconnect);
  EXPECT_EQ(Classify("checkpoint starting: time").event.kind, LogEventKind::kOther);
  EXPECT_EQ(Classify("Anweisung: SELECT 1").event.kind, LogEventKind::kOther);
  EXPECT_EQ(Classify("execute without colon").event.kind, LogEventKind::kOther);
}

TEST(StatementClassifierTest, MalformedParametersOnExecuteFail) {
  auto c = Classify("execute <unnamed>: SELECT $1", "parameters: $1 = 'open");
  EXPECT_FALSE(c.ok);
  EXPECT_STREQ(c.failure.reason, "bad_parameters");
}

}  // namespace
}  // namespace rls_shadow::ingest
