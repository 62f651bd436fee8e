#include "store/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace rls_shadow::store {
namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;

TEST(KeyCodec, HourOfIsFloorDivision) {
  EXPECT_EQ(HourOf(0), 0);
  EXPECT_EQ(HourOf(kHourUs - 1), 0);
  EXPECT_EQ(HourOf(kHourUs), 1);
  EXPECT_EQ(HourOf(-1), -1);  // truncation would say 0
  EXPECT_EQ(HourOf(-kHourUs), -1);
  EXPECT_EQ(HourOf(-kHourUs - 1), -2);
}

TEST(KeyCodec, HoursSortNumericallyIncludingNegative) {
  std::vector<int64_t> hours = {-5, -1, 0, 1, 255, 256, 1 << 20, INT64_MIN, INT64_MAX};
  std::vector<std::string> encoded;
  for (int64_t h : hours) encoded.push_back(HourBound(kDenialPrefix, h));
  std::sort(hours.begin(), hours.end());
  std::sort(encoded.begin(), encoded.end());
  for (size_t i = 0; i < hours.size(); ++i) {
    std::string_view in = encoded[i];
    in.remove_prefix(kDenialPrefix.size());
    int64_t back = 0;
    ASSERT_TRUE(ConsumeHour(&in, &back));
    EXPECT_EQ(back, hours[i]);
  }
}

TEST(KeyCodec, StringsPreserveOrderWithNulAndSeparators) {
  const std::vector<std::string> sorted = {"",
                                           std::string("\0", 1),
                                           std::string("\0\0", 2),
                                           "/",
                                           "a",
                                           std::string("a\0", 2),
                                           std::string("a\0b", 3),
                                           "a/",
                                           "ab",
                                           "\xc3\xa9t\xc3\xa9",
                                           "\xff"};
  std::vector<std::string> encoded;
  for (const auto& s : sorted) {
    std::string e;
    AppendString(s, &e);
    encoded.push_back(e);
  }
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
  for (size_t i = 0; i < sorted.size(); ++i) {
    std::string_view in = encoded[i];
    std::string back;
    ASSERT_TRUE(ConsumeString(&in, &back));
    EXPECT_EQ(back, sorted[i]);
    EXPECT_TRUE(in.empty());
  }
}

TEST(KeyCodec, FieldBoundariesCannotCollide) {
  // Without escaping, ("a\0\1", "b") and ("a", "\1b") style splits could encode alike.
  DenialKey x{"public.t", Command::kSelect, std::string("p\0\x01", 3), "b"};
  DenialKey y{"public.t", Command::kSelect, "p",
              std::string("\x01\0\x01"
                          "b",
                          4)};
  DenialKey z{"public.t", Command::kSelect, "p/", "b"};
  DenialKey w{"public.t", Command::kSelect, "p", "/b"};
  EXPECT_NE(EncodeDenialKey(x, 1), EncodeDenialKey(y, 1));
  EXPECT_NE(EncodeDenialKey(z, 1), EncodeDenialKey(w, 1));
}

TEST(KeyCodec, DenialKeyRoundTrips) {
  DenialKey k{std::string("public.\"we/ird\0\"", 16),
              Command::kMerge,
              "tenant \xe2\x80\x94 isolation",
              std::string("\0", 1),
              "app/jobs/x.rb:12",
              "notification_digest",
              Effect::kRowDependent,
              Cause::kOwnerBypass};
  const std::string e = EncodeDenialKey(k, -42);
  DenialKey back;
  int64_t hour = 0;
  ASSERT_TRUE(DecodeDenialKey(e, &back, &hour));
  EXPECT_EQ(back, k);
  EXPECT_EQ(hour, -42);
  // Truncated or extended keys are rejected, not misread.
  EXPECT_FALSE(DecodeDenialKey(e.substr(0, e.size() - 1), &back, &hour));
  EXPECT_FALSE(DecodeDenialKey(e + "x", &back, &hour));
}

TEST(KeyCodec, OutOfRangeEnumByteIsRejected) {
  AccessKey k{"t", "c", "l", Effect::kError};
  std::string e = EncodeAccessKey(k, 7);
  e.back() = '\x7f';
  AccessKey back;
  int64_t hour = 0;
  EXPECT_FALSE(DecodeAccessKey(e, &back, &hour));
}

TEST(KeyCodec, AccessKeysOfAnHourSortBeforeTheNextHour) {
  AccessKey big{"\xff\xff", "\xff", "\xff", Effect::kIndeterminate};
  AccessKey small{"", "", "", Effect::kAllow};
  EXPECT_LT(EncodeAccessKey(big, 3), HourBound(kAccessPrefix, 4));
  EXPECT_LT(EncodeAccessKey(big, 3), EncodeAccessKey(small, 4));
  EXPECT_GE(EncodeAccessKey(small, 3), HourBound(kAccessPrefix, 3));
}

TEST(KeyCodec, NamedKeysRoundTrip) {
  std::string name;
  const std::string source = std::string("file:/var/log/pg.json\0#inode=12", 31);
  ASSERT_TRUE(DecodeNamedKey(kCheckpointPrefix, EncodeNamedKey(kCheckpointPrefix, source), &name));
  EXPECT_EQ(name, source);
  EXPECT_FALSE(DecodeNamedKey(kSnapshotPrefix, EncodeNamedKey(kCheckpointPrefix, source), &name));
}

}  // namespace
}  // namespace rls_shadow::store
