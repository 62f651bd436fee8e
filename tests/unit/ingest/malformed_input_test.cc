// Corruption tests: malformed jsonlog records are rejected with a reason and their position, and
// reading always goes on with the next record.
#include <gtest/gtest.h>

#include "read_helpers.h"

namespace rls_shadow {
namespace {

using testing_ingest::JsonLine;
using testing_ingest::ReadAll;
using testing_ingest::ReadResult;
using testing_ingest::Reject;
using testing_ingest::WriteTempFile;

// Reads `bad` between two good lines and expects exactly one reject with `reason`.
ReadResult ExpectOneReject(const std::string& name, const std::string& bad,
                           const std::string& reason) {
  std::string good1 = JsonLine("statement: SELECT 1", 1);
  std::string good2 = JsonLine("statement: SELECT 2", 3);
  auto result = ReadAll(WriteTempFile(name + ".json", good1 + bad + good2));
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.events.size(), 2u) << name;
  EXPECT_EQ(result.summary.records_rejected, 1u) << name;
  EXPECT_EQ(result.summary.rejected_by_reason[reason], 1u) << name;
  if (result.rejects.size() == 1) {
    const Reject& reject = result.rejects[0];
    EXPECT_EQ(reject.record.reason, reason) << name;
    EXPECT_FALSE(reject.record.message.empty());
    EXPECT_EQ(reject.record.position.line, 2u);
    EXPECT_EQ(reject.record.position.offset, good1.size());
    std::string bad_text = bad.substr(0, bad.find('\n'));
    EXPECT_EQ(reject.raw, bad_text.substr(0, 4096)) << name;
  } else {
    ADD_FAILURE() << name << ": " << result.rejects.size() << " rejects";
  }
  if (result.events.size() == 2) {
    EXPECT_EQ(result.events[1].sql, "SELECT 2");  // the reader resynchronised on the next line
    EXPECT_EQ(result.events[1].position.line, 3u);
  }
  return result;
}

TEST(MalformedInputTest, InvalidJson) {
  ExpectOneReject("invalid", "{\"timestamp\": oops}\n", "invalid_json");
  ExpectOneReject("not_object", "[1,2,3]\n", "invalid_json");
  ExpectOneReject("plain_text", "LOG:  statement: SELECT 1\n", "invalid_json");
}

TEST(MalformedInputTest, TrailingGarbageAfterTheObject) {
  std::string line = JsonLine("statement: SELECT 9");
  line.pop_back();
  ExpectOneReject("trailing_text", line + " xyz\n", "invalid_json");
  ExpectOneReject("trailing_brace", line + "}\n", "invalid_json");
}

TEST(MalformedInputTest, TruncatedLineInTheMiddleIsInvalidJson) {
  // A line cut short but followed by a newline: the writer moved on, it will never be complete.
  std::string line = JsonLine("statement: SELECT 9");
  ExpectOneReject("cut", line.substr(0, 60) + "\n", "invalid_json");
}

TEST(MalformedInputTest, WrongTypes) {
  std::string line = JsonLine("statement: SELECT 9");
  std::string pid_as_string = line;
  pid_as_string.replace(pid_as_string.find("\"pid\":8092"), 10, "\"pid\":\"abc\"");
  auto result = ExpectOneReject("pid_string", pid_as_string, "wrong_type");
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_NE(result.rejects[0].record.message.find("pid"), std::string::npos);

  std::string txid_as_string = line;
  txid_as_string.replace(txid_as_string.find("\"txid\":0"), 8, "\"txid\":\"x\"");
  ExpectOneReject("txid_string", txid_as_string, "wrong_type");

  std::string message_as_number = line;
  size_t message = message_as_number.find("\"message\":");
  size_t end = message_as_number.find('"', message + 11);
  message_as_number.replace(message, end + 1 - message, "\"message\":42");
  ExpectOneReject("message_number", message_as_number, "wrong_type");
}

TEST(MalformedInputTest, MissingFields) {
  ExpectOneReject("no_session",
                  "{\"timestamp\":\"2026-11-22 12:08:08.403 UTC\",\"message\":\"statement: x\"}\n",
                  "missing_field");
  ExpectOneReject("no_message",
                  "{\"timestamp\":\"2026-11-22 12:08:08.403 UTC\",\"session_id\":\"a.b\"}\n",
                  "missing_field");
  ExpectOneReject("empty_object", "{}\n", "missing_field");
}

TEST(MalformedInputTest, BadTimestamp) {
  std::string line = JsonLine("statement: SELECT 9");
  line.replace(line.find("2026-11-22 12:08"), 16, "yesterday, noon!");
  ExpectOneReject("bad_time", line, "bad_timestamp");
}

TEST(MalformedInputTest, NotUtf8) {
  ExpectOneReject("latin1", JsonLine("statement: SELECT 'caf\xe9'"), "not_utf8");
  ExpectOneReject("overlong", JsonLine("statement: SELECT '\xc0\xaf'"), "not_utf8");
  // Valid multi-byte UTF-8 is of course fine.
  auto result = ReadAll(WriteTempFile("utf8.json", JsonLine("statement: SELECT 'café 执行'")));
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.events[0].sql, "SELECT 'café 执行'");
}

TEST(MalformedInputTest, BadParametersOnAnExecuteLine) {
  auto result = ExpectOneReject(
      "bad_params",
      JsonLine("execute <unnamed>: SELECT $1", 2, ",\"detail\":\"parameters: $1 = '600\""),
      "bad_parameters");
  // The same detail on a line that is not an execution is not parsed, so not rejected.
  auto bind = ReadAll(
      WriteTempFile("bind_params.json", JsonLine("duration: 0.1 ms  bind <unnamed>: SELECT $1", 2,
                                                 ",\"detail\":\"parameters: $1 = '600\"")));
  EXPECT_EQ(bind.summary.records_rejected, 0u);
  ASSERT_EQ(bind.events.size(), 1u);
  EXPECT_EQ(bind.events[0].kind, LogEventKind::kOther);
}

TEST(MalformedInputTest, BlankLinesAreSkippedSilently) {
  std::string content =
      "\n" + JsonLine("statement: SELECT 1") + "   \n\r\n\t\n" + JsonLine("statement: SELECT 2");
  auto result = ReadAll(WriteTempFile("blank.json", content));
  EXPECT_EQ(result.summary.records_rejected, 0u);
  ASSERT_EQ(result.events.size(), 2u);
  EXPECT_EQ(result.events[0].position.line, 2u);
  EXPECT_EQ(result.events[1].position.line, 6u);
  EXPECT_EQ(result.summary.end_line, 6u);
  EXPECT_EQ(result.summary.end_offset, content.size());
}

TEST(MalformedInputTest, TenMegabyteLineIsSkippedAndReadingGoesOn) {
  std::string huge = JsonLine("statement: SELECT '" + std::string(10u << 20, 'x') + "'");
  auto result = ExpectOneReject("huge", huge, "line_too_long");  // default limit: 8 MiB
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].raw.size(), 4096u);  // raw text is capped
}

TEST(MalformedInputTest, LineTooLongAgainstASmallLimit) {
  // Several overlong lines in a row, longer than the (small) buffer, across reads.
  std::string content;
  for (int i = 0; i < 3; ++i) content += JsonLine("statement: " + std::string(5000, 'a' + i), i);
  content += JsonLine("statement: SELECT 1", 9);
  ReadOptions options;
  options.max_record_bytes = 1000;
  auto result = ReadAll(WriteTempFile("small_limit.json", content), options);
  EXPECT_EQ(result.summary.rejected_by_reason["line_too_long"], 3u);
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.events[0].sql, "SELECT 1");
  EXPECT_EQ(result.events[0].position.line, 4u);
  EXPECT_EQ(result.events[0].position.offset,
            content.size() - JsonLine("statement: SELECT 1", 9).size());
  ASSERT_EQ(result.rejects.size(), 3u);
  EXPECT_EQ(result.rejects[1].record.position.line, 2u);
  EXPECT_EQ(result.rejects[1].raw.substr(0, 15), "{\"timestamp\":\"2");
}

TEST(MalformedInputTest, TruncatedLastLineIsRejectedAndNotConsumed) {
  std::string good = JsonLine("statement: SELECT 1");
  std::string partial = JsonLine("statement: SELECT 2").substr(0, 80);
  auto result = ReadAll(WriteTempFile("truncated.json", good + partial));
  ASSERT_EQ(result.events.size(), 1u);
  EXPECT_EQ(result.summary.rejected_by_reason["truncated"], 1u);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].record.position.line, 2u);
  EXPECT_EQ(result.rejects[0].raw, partial);
  EXPECT_EQ(result.summary.end_offset, good.size());
  EXPECT_EQ(result.summary.end_line, 1u);
}

TEST(MalformedInputTest, CompleteLastLineWithoutNewlineIsRead) {
  std::string last = JsonLine("statement: SELECT 2");
  last.pop_back();
  std::string content = JsonLine("statement: SELECT 1") + last;
  auto result = ReadAll(WriteTempFile("no_final_newline.json", content));
  EXPECT_EQ(result.summary.records_rejected, 0u);
  ASSERT_EQ(result.events.size(), 2u);
  EXPECT_EQ(result.events[1].sql, "SELECT 2");
  EXPECT_EQ(result.summary.end_offset, content.size());
  EXPECT_EQ(result.summary.end_line, 2u);
}

TEST(MalformedInputTest, MissingFileIsAnError) {
  auto result = ReadAll("/nonexistent/dir/pg.json");
  EXPECT_FALSE(result.status.ok());
  EXPECT_NE(result.status.message().find("/nonexistent/dir/pg.json"), std::string::npos);
}

}  // namespace
}  // namespace rls_shadow
