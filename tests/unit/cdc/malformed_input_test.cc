// Bad CDC input is counted per reason, reported with its position and raw text, and skipped;
// reading goes on. Also: stdin, resumption offsets, and format detection.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "cdc_helpers.h"

namespace rls_shadow {
namespace {

using testing_cdc::ChangeResult;
using testing_cdc::DataPath;
using testing_cdc::ReadAllChanges;
using testing_cdc::Text;
using testing_cdc::WriteTempFile;

const char* kGoodInsert =
    R"({"action":"I","xid":5,"lsn":"0/10","schema":"public","table":"t","columns":)"
    R"([{"name":"a","type":"integer","value":1}]})";

TEST(CdcMalformedInputTest, Wal2jsonRejectsArePerReasonAndReadingContinues) {
  std::string content;
  content += std::string(kGoodInsert) + "\n";                          // 1 ok
  content += "{\"action\":\"I\",\"table\":\n";                         // 2 invalid_json
  content += "{\"action\":\"X\",\"table\":\"t\"}\n";                   // 3 unknown_action
  content += "{\"action\":\"I\",\"xid\":\"five\",\"table\":\"t\"}\n";  // 4 wrong_type
  content += "{\"action\":\"I\",\"schema\":\"public\"}\n";             // 5 missing_field
  content += "{\"action\":\"I\",\"table\":\"t\",\"lsn\":\"zz\"}\n";    // 6 bad_value
  content += "{\"action\":\"I\",\"table\":\"t\",\"columns\":[{\"name\":\"a\",\"value\":{}}]}\n";
  //                                                                    7 wrong_type
  content += "{\"action\":\"M\",\"prefix\":\"p\",\"content\":\"\xff\xfe\"}\n";  // 8 not_utf8
  content += "{\"action\":\"I\",\"table\":\"t\",\"columns\":[{\"name\":\"a\",\"value\":12abc}]}\n";
  //                                                                    9 invalid_json
  content += std::string(200, 'x') + "\n";     // 10 line_too_long
  content += "\n";                             // 11 blank
  content += std::string(kGoodInsert) + "\n";  // 12 ok
  content += "{\"action\":\"C\",\"xid\":5";    // 13 truncated
  std::string path = WriteTempFile("malformed.jsonl", content);
  ChangeReadOptions options;
  options.format = CdcFormat::kWal2json;
  options.max_record_bytes = 150;
  ChangeResult result = ReadAllChanges(path, options);
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.events.size(), 2u);
  EXPECT_EQ(result.summary.records_rejected, 10u);
  auto& by = result.summary.rejected_by_reason;
  EXPECT_EQ(by["invalid_json"], 2u);
  EXPECT_EQ(by["unknown_action"], 1u);
  EXPECT_EQ(by["wrong_type"], 2u);
  EXPECT_EQ(by["missing_field"], 1u);
  EXPECT_EQ(by["bad_value"], 1u);
  EXPECT_EQ(by["not_utf8"], 1u);
  EXPECT_EQ(by["line_too_long"], 1u);
  EXPECT_EQ(by["truncated"], 1u);
  ASSERT_EQ(result.rejects.size(), 10u);
  EXPECT_EQ(result.rejects[0].record.position.line, 2u);
  EXPECT_EQ(result.rejects[0].raw, "{\"action\":\"I\",\"table\":");
  EXPECT_EQ(result.events[1].position.line, 12u);
  // The truncated last line is not consumed: a resumed read starts at it.
  EXPECT_EQ(result.summary.end_line, 12u);
  EXPECT_EQ(result.summary.end_offset,
            content.size() - std::string("{\"action\":\"C\",\"xid\":5").size());
}

TEST(CdcMalformedInputTest, DebeziumRejects) {
  std::string content;
  content += "null\n";  // tombstone
  content += R"({"op":"c","after":{"a":1},"source":{"table":"t","ts_ms":1}})"
             "\n";
  content += R"({"op":"z","source":{"table":"t"}})"
             "\n";  // unknown_action
  content += R"({"before":null,"source":{"table":"t"}})"
             "\n";  // missing_field (op)
  content += R"({"op":"c","after":{"a":1}})"
             "\n";  // missing_field (source)
  content += R"({"schema":{"type":"struct","fields":[{"type":"struct","field":"after","fields":)"
             R"([{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal",)"
             R"("parameters":{"scale":"2"},"field":"d"}]}]},"payload":{"op":"c","after":)"
             R"({"d":"**notbase64**"},"source":{"table":"t"}}})"
             "\n";  // bad_value
  content += R"({"schema":{"type":"struct","fields":[{"type":"struct","field":"after","fields":)"
             R"([{"type":"int32","field":"n"}]}]},"payload":{"op":"c","after":)"
             R"({"n":"seven"},"source":{"table":"t"}}})"
             "\n";  // wrong_type
  content += R"({"op":"c","source":{"table":"t","txId":"x"}})"
             "\n";  // wrong_type
  content += R"({"op":"m","source":{"ts_ms":1},"message":{"prefix":"p","content":"%%%"}})"
             "\n";
  //                                                                  bad_value
  content += "[1,2]\n";  // invalid_json
  std::string path = WriteTempFile("malformed_debezium.jsonl", content);
  ChangeResult result = ReadAllChanges(path);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.summary.format, CdcFormat::kDebezium);
  EXPECT_EQ(result.summary.tombstones, 1u);
  EXPECT_EQ(result.events.size(), 1u);
  auto& by = result.summary.rejected_by_reason;
  EXPECT_EQ(by["unknown_action"], 1u);
  EXPECT_EQ(by["missing_field"], 2u);
  EXPECT_EQ(by["bad_value"], 2u);
  EXPECT_EQ(by["wrong_type"], 2u);
  EXPECT_EQ(by["invalid_json"], 1u);
  EXPECT_EQ(result.summary.records_rejected, 8u);
}

TEST(CdcMalformedInputTest, AutoDetectionSkipsUndecidableRecords) {
  std::string content = "garbage\n{\"hello\":1}\n" + std::string(kGoodInsert) + "\n";
  ChangeResult result = ReadAllChanges(WriteTempFile("detect.jsonl", content));
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.summary.format, CdcFormat::kWal2json);
  EXPECT_EQ(result.summary.rejected_by_reason["invalid_json"], 1u);
  EXPECT_EQ(result.summary.rejected_by_reason["unknown_format"], 1u);
  EXPECT_EQ(result.events.size(), 1u);

  CdcFormat format = CdcFormat::kAuto;
  EXPECT_TRUE(ParseCdcFormat("debezium", &format));
  EXPECT_EQ(format, CdcFormat::kDebezium);
  EXPECT_TRUE(ParseCdcFormat("wal2json", &format));
  EXPECT_EQ(format, CdcFormat::kWal2json);
  EXPECT_FALSE(ParseCdcFormat("maxwell", &format));
}

TEST(CdcReaderTest, ResumesAtAnOffset) {
  ChangeResult all = ReadAllChanges(DataPath("wal2json.jsonl"));
  ASSERT_TRUE(all.status.ok());
  ASSERT_GT(all.events.size(), 10u);
  ChangeReadOptions options;
  options.start_offset = all.events[10].position.offset;
  options.start_line = 10;
  ChangeResult rest = ReadAllChanges(DataPath("wal2json.jsonl"), options);
  ASSERT_TRUE(rest.status.ok());
  ASSERT_EQ(rest.events.size(), all.events.size() - 10);
  EXPECT_EQ(rest.events[0].position.line, 11u);
  EXPECT_EQ(rest.events[0].lsn, all.events[10].lsn);
  EXPECT_EQ(rest.summary.end_offset, all.summary.end_offset);

  options.start_offset = all.summary.end_offset + 1;
  EXPECT_FALSE(ReadAllChanges(DataPath("wal2json.jsonl"), options).status.ok());
  EXPECT_FALSE(ReadAllChanges(DataPath("no-such-file.jsonl")).status.ok());
}

TEST(CdcReaderTest, ReadsStdin) {
  std::string content = "null\n" + std::string(R"({"op":"d","before":{"id":3},)") +
                        R"("source":{"schema":"public","table":"t","txId":9,"lsn":77}})";
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  ASSERT_EQ(::write(pipe_fds[1], content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  ::close(pipe_fds[1]);
  int saved_stdin = ::dup(STDIN_FILENO);
  ::dup2(pipe_fds[0], STDIN_FILENO);
  ::close(pipe_fds[0]);
  ChangeResult result = ReadAllChanges("-");
  ::dup2(saved_stdin, STDIN_FILENO);
  ::close(saved_stdin);
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_EQ(result.summary.format, CdcFormat::kDebezium);
  EXPECT_EQ(result.summary.tombstones, 1u);
  ASSERT_EQ(result.events.size(), 1u);  // the last line has no '\n' but is complete
  EXPECT_EQ(result.events[0].action, ChangeAction::kDelete);
  EXPECT_EQ(result.events[0].position.source, "-");
  EXPECT_EQ(result.events[0].xid, 9);
  EXPECT_EQ(Text(result.events[0].identity, "id"), "3");
  EXPECT_EQ(result.summary.end_offset, content.size());
}

}  // namespace
}  // namespace rls_shadow
