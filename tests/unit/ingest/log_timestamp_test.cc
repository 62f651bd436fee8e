// Tests for ParseLogTimestamp and LogTimestampParser.
#include "ingest/log_timestamp.h"

#include <gtest/gtest.h>

namespace rls_shadow::ingest {
namespace {

int64_t Parse(std::string_view text) {
  int64_t us = -1;
  EXPECT_TRUE(ParseLogTimestamp(text, &us)) << text;
  return us;
}

TEST(LogTimestampTest, ParsesPostgresUtcTimestamps) {
  EXPECT_EQ(Parse("2026-11-22 12:08:08.403 UTC"), 1795349288403000);
  EXPECT_EQ(Parse("1970-01-01 00:00:00 UTC"), 0);
  EXPECT_EQ(Parse("2000-02-29 23:59:59.999999 GMT"), 951868799999999);
  EXPECT_EQ(Parse("2026-11-22 12:08:08.4 UTC"), 1795349288400000);
}

TEST(LogTimestampTest, AppliesNumericOffsets) {
  const int64_t utc = Parse("2026-11-22 12:08:08.403 UTC");
  EXPECT_EQ(Parse("2026-11-22 14:08:08.403 +02"), utc);
  EXPECT_EQ(Parse("2026-11-22 06:38:08.403 -05:30"), utc);
  EXPECT_EQ(Parse("2026-11-22 17:38:08.403 +0530"), utc);
}

TEST(LogTimestampTest, ReadsZoneAbbreviationsAsUtc) {
  EXPECT_EQ(Parse("2026-11-22 12:08:08.403 CET"), Parse("2026-11-22 12:08:08.403 UTC"));
}

TEST(LogTimestampTest, RejectsNonTimestamps) {
  int64_t us;
  for (std::string_view bad : {"", "2026-11-22", "2026-13-22 12:08:08 UTC", "2026-11-22T12:08:08",
                               "2026-11-22 12:08:08. UTC", "2026-11-22 12:08:08 +2",
                               "2026-11-22 12:08:08 U-C", "yesterday, noon!"}) {
    EXPECT_FALSE(ParseLogTimestamp(bad, &us)) << bad;
  }
}

// The parser reuses the minute and zone of the record before: over a stream that changes
// second, minute, hour, day and zone, and mixes in texts that are not timestamps, it gives
// exactly what a fresh parse of each text gives.
TEST(LogTimestampTest, ParserReusingTheMinuteGivesWhatAFreshParseGives) {
  const std::string_view stream[] = {
      "2026-11-22 12:08:08.403 UTC",
      "2026-11-22 12:08:09.1 UTC",
      "2026-11-22 12:08:59.999999 UTC",
      "2026-11-22 12:09:00 UTC",
      "2026-11-22 12:09:00.000001 UTC",
      "2026-11-22 12:09:01.5 +02",
      "2026-11-22 12:09:01.5 -05:30",
      "2026-11-22 12:09:01.5 UTC",
      "2026-11-22 12:09:60 UTC",
      "2026-11-22 12:09:61 UTC",
      "2026-11-22 12:09:01. UTC",
      "2026-11-22 12:09:01 +2",
      "2026-11-22 12:09:02 UTC",
      "2026-11-22 12:09:02UTC",
      "2026-11-22 12:09:02",
      "2026-11-22 12:09:02 ",
      "2026-11-22 13:09:02 UTC",
      "2026-11-23 13:09:02 UTC",
      "2026-11-32 13:09:02 UTC",
      "2026-11-23 13:09:02 U-C",
      "2026-11-23 13:09:03 UTC",
      "2026-11-23 13:09",
      "2026-11-23 13:09:3 UTC",
      "2026-11-23 13:09:04.123 +0530",
      "2026-11-23 13:09:04.123 CET",
      "2026-12-31 23:59:59.999 UTC",
      "2027-01-01 00:00:00 UTC",
      "yesterday, noon!",
      "2027-01-01 00:00:00 UTC",
  };
  LogTimestampParser parser;
  for (std::string_view text : stream) {
    int64_t fresh = -1;
    int64_t reused = -1;
    const bool fresh_ok = ParseLogTimestamp(text, &fresh);
    EXPECT_EQ(parser.Parse(text, &reused), fresh_ok) << text;
    if (fresh_ok) {
      EXPECT_EQ(reused, fresh) << text;
    }
  }
  int64_t us = -1;
  EXPECT_TRUE(parser.Parse("2026-11-22 14:08:08.403 +02", &us));
  EXPECT_EQ(us, Parse("2026-11-22 12:08:08.403 UTC"));
}

}  // namespace
}  // namespace rls_shadow::ingest
