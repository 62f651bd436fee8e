// Tests for ParseLogTimestamp.
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

}  // namespace
}  // namespace rls_shadow::ingest
