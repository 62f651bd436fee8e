#include "http/denial_query.h"

#include <gtest/gtest.h>

#include "http/api_view.h"
#include "http/query_params.h"

namespace rls_shadow::http {
namespace {

TEST(DenialCursor, RoundTripsEveryField) {
  DenialKey k{"public.\"Order\"", Command::kUpdate, "p", "t\x01", "a/b.rb", "lane",
              Effect::kRowDependent, Cause::kStaleContext};
  DenialKey back;
  ASSERT_TRUE(DecodeCursor(EncodeCursor(k), &back));
  EXPECT_EQ(back, k);
}

TEST(DenialCursor, RejectsForgedCursors) {
  DenialKey k;
  EXPECT_FALSE(DecodeCursor("", &k));
  EXPECT_FALSE(DecodeCursor("a+b/", &k));
  std::string c = EncodeCursor(DenialKey{"t", Command::kSelect, "", "", "", "",
                                         Effect::kError, Cause::kWrongTenant});
  EXPECT_FALSE(DecodeCursor(c.substr(0, c.size() - 3), &k));
}

TEST(QueryParams, DecodesAndRejectsDuplicates) {
  Target t;
  ASSERT_TRUE(ParseTarget("/api/v1/tables/public.orders?a=x%20y&b=c+d&e", &t).ok());
  EXPECT_EQ(t.path, "/api/v1/tables/public.orders");
  EXPECT_EQ(t.params["a"], "x y");
  EXPECT_EQ(t.params["b"], "c d");
  EXPECT_EQ(t.params["e"], "");
  EXPECT_FALSE(ParseTarget("/x?a=1&a=2", &t).ok());
  EXPECT_FALSE(ParseTarget("/x?a=%4", &t).ok());
  EXPECT_FALSE(ParseTarget("/x%00", &t).ok());
}

TEST(CodePathDirectory, GroupsByDirectory) {
  EXPECT_EQ(CodePathDirectory("app/jobs/digest_job.rb"), "app/jobs");
  EXPECT_EQ(CodePathDirectory("OrdersController#index"), "");
}

}  // namespace
}  // namespace rls_shadow::http
