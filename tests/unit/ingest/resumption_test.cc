// Recovery tests: a run resumed at a previous run's end_offset/end_line reads exactly the records
// that run did not, with the same absolute positions.
#include <gtest/gtest.h>

#include <fstream>

#include "read_helpers.h"

namespace rls_shadow {
namespace {

using testing_ingest::DataPath;
using testing_ingest::JsonLine;
using testing_ingest::ReadAll;
using testing_ingest::WriteTempFile;

void ExpectResumesAtEveryRecord(const std::string& path) {
  auto full = ReadAll(path);
  ASSERT_GT(full.events.size(), 10u);
  for (size_t i : {size_t{1}, full.events.size() / 2, full.events.size() - 1}) {
    const LogEvent& from = full.events[i];
    ReadOptions options;
    options.start_offset = from.position.offset;
    options.start_line = from.position.line - 1;
    auto tail = ReadAll(path, options);
    ASSERT_TRUE(tail.status.ok()) << tail.status.message();
    ASSERT_EQ(tail.events.size(), full.events.size() - i) << path;
    EXPECT_EQ(tail.events[0].message, from.message);
    EXPECT_EQ(tail.events[0].position.line, from.position.line);
    EXPECT_EQ(tail.events.back().position.offset, full.events.back().position.offset);
    EXPECT_EQ(tail.summary.end_offset, full.summary.end_offset);
    EXPECT_EQ(tail.summary.end_line, full.summary.end_line);
  }
}

TEST(ResumptionTest, ResumesJsonlogAtARecordBoundary) {
  ExpectResumesAtEveryRecord(DataPath("pg15_real.json"));
}

TEST(ResumptionTest, ResumesCsvlogAtARecordBoundary) {
  ExpectResumesAtEveryRecord(DataPath("pg15_real.csv"));
}

TEST(ResumptionTest, ResumingAtTheEndReadsNothing) {
  auto full = ReadAll(DataPath("pg15_real.json"));
  ReadOptions options;
  options.start_offset = full.summary.end_offset;
  options.start_line = full.summary.end_line;
  auto again = ReadAll(DataPath("pg15_real.json"), options);
  ASSERT_TRUE(again.status.ok());
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.summary.end_offset, full.summary.end_offset);
  EXPECT_EQ(again.summary.end_line, full.summary.end_line);
}

TEST(ResumptionTest, APartialLastLineIsReadOnceTheWriterCompletesIt) {
  std::string first = JsonLine("statement: SELECT 1", 1);
  std::string second = JsonLine("statement: SELECT 2", 2);
  std::string third = JsonLine("statement: SELECT 3", 3);
  std::string path = WriteTempFile("growing.json", first + second.substr(0, 50));

  auto run1 = ReadAll(path);
  ASSERT_EQ(run1.events.size(), 1u);
  EXPECT_EQ(run1.summary.end_offset, first.size());
  EXPECT_EQ(run1.summary.end_line, 1u);

  {  // the server finishes the line and writes another
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << second.substr(50) << third;
  }
  ReadOptions options;
  options.start_offset = run1.summary.end_offset;
  options.start_line = run1.summary.end_line;
  auto run2 = ReadAll(path, options);
  EXPECT_EQ(run2.summary.records_rejected, 0u);
  ASSERT_EQ(run2.events.size(), 2u);
  EXPECT_EQ(run2.events[0].sql, "SELECT 2");
  EXPECT_EQ(run2.events[0].position.line, 2u);
  EXPECT_EQ(run2.events[0].position.offset, first.size());
  EXPECT_EQ(run2.events[1].position.line, 3u);
  EXPECT_EQ(run2.summary.end_offset, first.size() + second.size() + third.size());
}

TEST(ResumptionTest, AnOffsetPastTheEndMeansTheFileWasRotated) {
  std::string path = WriteTempFile("rotated.json", JsonLine("statement: SELECT 1"));
  ReadOptions options;
  options.start_offset = 1u << 20;
  auto result = ReadAll(path, options);
  EXPECT_FALSE(result.status.ok());
  EXPECT_NE(result.status.message().find("rotated"), std::string::npos);
}

TEST(ResumptionTest, RecordsStraddlingReadChunksKeepExactPositions) {
  // ~3 MiB of lines of varying length, so records cross the reader's 1 MiB chunk boundaries.
  std::string content;
  std::vector<uint64_t> offsets;
  for (int i = 0; content.size() < (3u << 20); ++i) {
    offsets.push_back(content.size());
    content += JsonLine(
        "statement: SELECT '" + std::string(static_cast<size_t>(i * 37 % 5000), 'q') + "'", i);
  }
  auto result = ReadAll(WriteTempFile("chunks.json", content));
  EXPECT_EQ(result.summary.records_rejected, 0u);
  ASSERT_EQ(result.events.size(), offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i) {
    ASSERT_EQ(result.events[i].position.offset, offsets[i]) << i;
    ASSERT_EQ(result.events[i].position.line, i + 1);
    ASSERT_EQ(result.events[i].line_num, static_cast<int64_t>(i));
  }
  EXPECT_EQ(result.summary.end_offset, content.size());
}

}  // namespace
}  // namespace rls_shadow
