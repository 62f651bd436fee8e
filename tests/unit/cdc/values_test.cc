// The value conversions and canonical type names the CDC decoders use.
#include <gtest/gtest.h>

#include "cdc/pg_type_name.h"
#include "cdc/value_text.h"

namespace rls_shadow::cdc {
namespace {

TEST(CanonicalTypeNameTest, Wal2jsonSpellings) {
  EXPECT_EQ(CanonicalTypeName("character varying(20)"), "varchar");
  EXPECT_EQ(CanonicalTypeName("integer"), "int4");
  EXPECT_EQ(CanonicalTypeName("bigint"), "int8");
  EXPECT_EQ(CanonicalTypeName("smallint"), "int2");
  EXPECT_EQ(CanonicalTypeName("boolean"), "bool");
  EXPECT_EQ(CanonicalTypeName("timestamp with time zone"), "timestamptz");
  EXPECT_EQ(CanonicalTypeName("timestamp(3) with time zone"), "timestamptz");
  EXPECT_EQ(CanonicalTypeName("timestamp without time zone"), "timestamp");
  EXPECT_EQ(CanonicalTypeName("numeric(10,2)"), "numeric");
  EXPECT_EQ(CanonicalTypeName("uuid"), "uuid");
  EXPECT_EQ(CanonicalTypeName("text"), "text");
  EXPECT_EQ(CanonicalTypeName("jsonb"), "jsonb");
  EXPECT_EQ(CanonicalTypeName("double precision"), "float8");
  EXPECT_EQ(CanonicalTypeName("character(1)"), "bpchar");
  EXPECT_EQ(CanonicalTypeName("public.tenant_kind"), "tenant_kind");
  EXPECT_EQ(CanonicalTypeName("integer[]"), "int4[]");
  EXPECT_EQ(CanonicalTypeName("\"Weird.Type\""), "Weird.Type");
  EXPECT_EQ(CanonicalTypeName("VARCHAR"), "varchar");
}

TEST(ValueTextTest, Lsn) {
  uint64_t lsn = 0;
  ASSERT_TRUE(ParseLsn("16/B374D848", &lsn));
  EXPECT_EQ(lsn, 0x16B374D848u);
  ASSERT_TRUE(ParseLsn("0/0", &lsn));
  EXPECT_EQ(lsn, 0u);
  EXPECT_FALSE(ParseLsn("16B374D848", &lsn));
  EXPECT_FALSE(ParseLsn("1/G", &lsn));
  EXPECT_FALSE(ParseLsn("1/123456789", &lsn));
}

TEST(ValueTextTest, Decimals) {
  std::string bytes;
  std::string text;
  ASSERT_TRUE(DecodeBase64("BOI=", &bytes));
  ASSERT_TRUE(DecimalText(bytes, 2, &text));
  EXPECT_EQ(text, "12.50");
  ASSERT_TRUE(DecodeBase64("/w==", &bytes));  // -1
  ASSERT_TRUE(DecimalText(bytes, 2, &text));
  EXPECT_EQ(text, "-0.01");
  ASSERT_TRUE(DecodeBase64("AA==", &bytes));
  ASSERT_TRUE(DecimalText(bytes, 0, &text));
  EXPECT_EQ(text, "0");
  ASSERT_TRUE(DecodeBase64("AlQL4/8=", &bytes));  // 9999999999
  ASSERT_TRUE(DecimalText(bytes, 2, &text));
  EXPECT_EQ(text, "99999999.99");
  // 2^80 = 1208925819614629174706176, beyond 64 bits.
  ASSERT_TRUE(DecimalText(std::string("\x01\0\0\0\0\0\0\0\0\0\0", 11), 3, &text));
  EXPECT_EQ(text, "1208925819614629174706.176");
  ASSERT_TRUE(DecimalText(std::string("\x80", 1), 0, &text));
  EXPECT_EQ(text, "-128");
  EXPECT_FALSE(DecodeBase64("not base64!", &bytes));
  EXPECT_FALSE(DecodeBase64("A", &bytes));
  EXPECT_FALSE(DecimalText("", 0, &text));
}

TEST(ValueTextTest, Timestamps) {
  EXPECT_EQ(TimestampText(0, false), "1970-01-01 00:00:00");
  EXPECT_EQ(TimestampText(1795377986312304, true), "2026-11-22 20:06:26.312304+00");
  EXPECT_EQ(TimestampText(1795338000500000, true), "2026-11-22 09:00:00.5+00");
  EXPECT_EQ(TimestampText(-1, false), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(DateText(10599), "1999-01-08");
  EXPECT_EQ(DateText(-1), "1969-12-31");
  int64_t us = 0;
  ASSERT_TRUE(ParseIsoTimestamp("2026-11-22T09:00:00.5Z", &us));
  EXPECT_EQ(us, 1795338000500000);
  ASSERT_TRUE(ParseIsoTimestamp("2026-11-22T11:00:00.5+02:00", &us));
  EXPECT_EQ(us, 1795338000500000);
  ASSERT_TRUE(ParseIsoTimestamp("2026-11-22T04:00:00.5-05", &us));
  EXPECT_EQ(us, 1795338000500000);
  EXPECT_FALSE(ParseIsoTimestamp("2026-11-22T09:00:00", &us));  // no offset
  EXPECT_FALSE(ParseIsoTimestamp("yesterday", &us));
}

}  // namespace
}  // namespace rls_shadow::cdc
