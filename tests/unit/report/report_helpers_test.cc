// The report's small pure helpers: ISO time, FORCE statement quoting, literal masking.

#include <gtest/gtest.h>

#include "report/iso_time.h"
#include "report/literal_mask.h"
#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

TEST(IsoTime, FormatsUtcSeconds) {
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1'795'349'288'000'000), "2026-11-22T12:08:08Z");
  EXPECT_EQ(FormatIsoUtc(1'795'349'288'999'999), "2026-11-22T12:08:08Z");  // rounds down
  EXPECT_EQ(FormatIsoUtc(951'782'400'000'000), "2000-02-29T00:00:00Z");    // leap day
  EXPECT_EQ(FormatIsoUtc(-1), "1969-12-31T23:59:59Z");
}

TEST(ForceSql, QuotesOnlyWhenPostgresNeedsIt) {
  EXPECT_EQ(ForceRowLevelSecuritySql("public.orders"),
            "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;");
  EXPECT_EQ(ForceRowLevelSecuritySql("public.Order"),
            "ALTER TABLE public.\"Order\" FORCE ROW LEVEL SECURITY;");
  EXPECT_EQ(ForceRowLevelSecuritySql("public.user"),
            "ALTER TABLE public.\"user\" FORCE ROW LEVEL SECURITY;");
  EXPECT_EQ(ForceRowLevelSecuritySql("my-schema.a\"b"),
            "ALTER TABLE \"my-schema\".\"a\"\"b\" FORCE ROW LEVEL SECURITY;");
  EXPECT_EQ(ForceRowLevelSecuritySql("public.\"Mixed.Name\""),
            "ALTER TABLE public.\"Mixed.Name\" FORCE ROW LEVEL SECURITY;");
  EXPECT_EQ(ForceRowLevelSecuritySql("orders"), "ALTER TABLE orders FORCE ROW LEVEL SECURITY;");
}

TEST(LiteralMask, MasksStringsAndNumbersKeepsIdentifiersParamsComments) {
  EXPECT_EQ(MaskSqlLiterals("SELECT * FROM t1 WHERE id = 42 AND name = 'O''Brien'"),
            "SELECT * FROM t1 WHERE id = ? AND name = '?'");
  EXPECT_EQ(MaskSqlLiterals("UPDATE \"T 1\" SET a = $1, b = E'x\\'y' WHERE c = -1.5e-3"),
            "UPDATE \"T 1\" SET a = $1, b = E'?' WHERE c = -?");
  EXPECT_EQ(MaskSqlLiterals("SELECT $fn$ secret $fn$, $$x$$"), "SELECT '?', '?'");
  EXPECT_EQ(MaskSqlLiterals("SELECT 1 /*code_path='jobs%2Fdigest',lane='n'*/"),
            "SELECT ? /*code_path='jobs%2Fdigest',lane='n'*/");
  EXPECT_EQ(MaskSqlLiterals("SELECT 'unterminated"), "SELECT '?'");
  EXPECT_EQ(MaskSqlLiterals("SELECT set_config('app.tenant', '3f2a', false)"),
            "SELECT set_config('?', '?', false)");
}

}  // namespace
}  // namespace rls_shadow
