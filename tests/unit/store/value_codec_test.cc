#include "store/value_codec.h"

#include <gtest/gtest.h>

namespace rls_shadow::store {
namespace {

TEST(ValueCodec, DenialValueRoundTrips) {
  DenialValue v{{12, -5, 1'800'000'000'000'000}, {"SELECT 1", std::string("a\0b", 3), ""}};
  DenialValue back;
  ASSERT_TRUE(DecodeDenialValue(EncodeDenialValue(v), &back));
  EXPECT_EQ(back.counter.count, 12u);
  EXPECT_EQ(back.counter.first_seen_us, -5);
  EXPECT_EQ(back.counter.last_seen_us, 1'800'000'000'000'000);
  EXPECT_EQ(back.examples, v.examples);
}

TEST(ValueCodec, TruncatedValuesAreRejected) {
  const std::string e = EncodeDenialValue({{3, 1, 2}, {"SELECT * FROM t"}});
  DenialValue back;
  for (size_t n = 0; n < e.size(); ++n) {
    EXPECT_FALSE(DecodeDenialValue(e.substr(0, n), &back)) << n;
  }
  EXPECT_FALSE(DecodeDenialValue(e + std::string(1, '\0'), &back));  // trailing garbage
}

TEST(ValueCodec, HugeElementCountIsRejected) {
  std::string e = EncodeDenialValue({{1, 1, 1}, {}});
  e.back() = '\x7f';  // claims 127 examples with no bytes left
  DenialValue back;
  EXPECT_FALSE(DecodeDenialValue(e, &back));
}

TEST(ValueCodec, TableMetaCheckpointAndInputStatsRoundTrip) {
  TableMeta m{"", "app_owner", true, false, {"tenant_isolation", "admin_all"}};
  TableMeta mb;
  ASSERT_TRUE(DecodeTableMeta(EncodeTableMeta(m), &mb));
  EXPECT_EQ(mb.owner, "app_owner");
  EXPECT_TRUE(mb.rls_enabled);
  EXPECT_FALSE(mb.rls_forced);
  EXPECT_EQ(mb.policies, m.policies);

  SourceCheckpoint cp{"", 1ull << 40, 77};
  SourceCheckpoint cpb;
  ASSERT_TRUE(DecodeCheckpoint(EncodeCheckpoint(cp), &cpb));
  EXPECT_EQ(cpb.offset, 1ull << 40);
  EXPECT_EQ(cpb.line, 77u);

  InputStats s{10, 8, 2, {{"not_json", 1}, {"localized", 1}}, 3};
  InputStats sb;
  ASSERT_TRUE(DecodeInputStats(EncodeInputStats(s), &sb));
  EXPECT_EQ(sb.lines_read, 10u);
  EXPECT_EQ(sb.events_analyzed, 8u);
  EXPECT_EQ(sb.lines_rejected, 2u);
  EXPECT_EQ(sb.statements_unparsed, 3u);
  EXPECT_EQ(sb.rejected_by_reason, s.rejected_by_reason);
}

}  // namespace
}  // namespace rls_shadow::store
