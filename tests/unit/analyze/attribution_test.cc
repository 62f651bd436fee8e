// Attribution: code path and lane from sqlcommenter comments, Rails' legacy comment form, the
// lane setting and application_name.
#include "analyze/attribution.h"

#include <gtest/gtest.h>

namespace rls_shadow {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ParseSqlComment, SqlcommenterIsUrlDecoded) {
  EXPECT_EQ(ParseSqlComment("SELECT 1 /*code_path='app%2Fjobs%2Fship.rb',lane='ship%20upload'*/"),
            (Pairs{{"code_path", "app/jobs/ship.rb"}, {"lane", "ship upload"}}));
}

TEST(ParseSqlComment, EscapedQuotesAndTrailingSemicolon) {
  EXPECT_EQ(ParseSqlComment("SELECT 1 /*route='it\\'s',job='x'*/ ;"),
            (Pairs{{"route", "it's"}, {"job", "x"}}));
  EXPECT_EQ(ParseSqlComment("SELECT 1 /*file='a.rb'*/;\n"), (Pairs{{"file", "a.rb"}}));
}

TEST(ParseSqlComment, OnlyTheTrailingComment) {
  EXPECT_TRUE(ParseSqlComment("SELECT 1").empty());
  EXPECT_TRUE(ParseSqlComment("/*code_path='a'*/ SELECT 1").empty());
  EXPECT_EQ(ParseSqlComment("SELECT /*x='1'*/ 1 /*y='2'*/"), (Pairs{{"y", "2"}}));
  EXPECT_TRUE(ParseSqlComment("SELECT 1 /* */").empty());
}

TEST(ParseSqlComment, RailsLegacyForm) {
  EXPECT_EQ(ParseSqlComment("SELECT 1 /*application:Shop,controller:orders,action:index*/"),
            (Pairs{{"application", "Shop"}, {"controller", "orders"}, {"action", "index"}}));
}

TEST(Attributor, CodePathKeysInOrderOfPreference) {
  AttributionConfig config;
  Attributor a(config);
  Attribution both =
      a.Attribute("SELECT 1 /*route='%2Forders',code_path='jobs%2Fship.rb'*/", "web", "");
  EXPECT_EQ(both.code_path, "jobs/ship.rb");  // code_path before route
  EXPECT_TRUE(both.code_path_from_comment);
  EXPECT_EQ(a.Attribute("SELECT 1 /*route='%2Forders',file='x.rb'*/", "web", "").code_path, "x.rb");
  EXPECT_EQ(a.Attribute("SELECT 1 /*route='%2Forders'*/", "web", "").code_path, "/orders");
}

TEST(Attributor, ControllerAndAction) {
  AttributionConfig config;
  Attributor a(config);
  EXPECT_EQ(a.Attribute("SELECT 1 /*controller='orders',action='index'*/", "web", "").code_path,
            "orders#index");
  EXPECT_EQ(a.Attribute("SELECT 1 /*controller='orders'*/", "web", "").code_path, "orders");
  EXPECT_EQ(a.Attribute("SELECT 1 /*application:Shop,controller:orders,action:show*/", "web", "")
                .code_path,
            "orders#show");
}

// The comment is found from its end back to the "/*" before it, past other slashes.
TEST(Attributor, TrailingCommentAmongOtherSlashes) {
  AttributionConfig config;
  Attributor a(config);
  EXPECT_EQ(a.Attribute("SELECT a / b FROM t /*code_path='x.rb'*/", "web", "").code_path, "x.rb");
  EXPECT_EQ(a.Attribute("SELECT '/*' || c /*code_path='y.rb'*/", "web", "").code_path, "y.rb");
  // Comments are cached by their text: one cut short at the inner slash would share "/b.rb'*/".
  EXPECT_EQ(a.Attribute("SELECT 1 /*code_path='a/b.rb'*/", "web", "").code_path, "a/b.rb");
  EXPECT_EQ(a.Attribute("SELECT 1 /*code_path='c/b.rb'*/", "web", "").code_path, "c/b.rb");
  EXPECT_EQ(a.Attribute("/*code_path='z.rb'*/", "web", "").code_path, "z.rb");
  for (std::string_view no_comment : {"SELECT 1 /*/", "SELECT 1 */", "/", "*/", ""}) {
    Attribution at = a.Attribute(no_comment, "web", "");
    EXPECT_EQ(at.code_path, "web") << no_comment;
    EXPECT_FALSE(at.code_path_from_comment) << no_comment;
  }
}

TEST(Attributor, ApplicationNameFallback) {
  AttributionConfig config;
  Attributor a(config);
  Attribution at = a.Attribute("SELECT 1", "billing-worker", "");
  EXPECT_EQ(at.code_path, "billing-worker");
  EXPECT_FALSE(at.code_path_from_comment);
  // A comment without a code-path key falls back too.
  Attribution lane_only = a.Attribute("SELECT 1 /*lane='x'*/", "billing-worker", "");
  EXPECT_EQ(lane_only.code_path, "billing-worker");
  EXPECT_FALSE(lane_only.code_path_from_comment);
}

TEST(Attributor, LaneFromCommentThenSettingThenApplicationName) {
  AttributionConfig config;
  config.application_name_lanes = {{"^sidekiq-(.*)$", "background"}, {"worker", "workers"}};
  Attributor a(config);
  EXPECT_EQ(a.Attribute("SELECT 1 /*lane='ship'*/", "sidekiq-1", "from_setting").lane, "ship");
  EXPECT_EQ(a.Attribute("SELECT 1 /*job='nightly'*/", "sidekiq-1", "from_setting").lane, "nightly");
  EXPECT_EQ(a.Attribute("SELECT 1", "sidekiq-1", "from_setting").lane, "from_setting");
  EXPECT_EQ(a.Attribute("SELECT 1", "sidekiq-1", "").lane, "background");
  EXPECT_EQ(a.Attribute("SELECT 1", "billing-worker", "").lane, "workers");  // first match
  EXPECT_EQ(a.Attribute("SELECT 1", "web", "").lane, "");
  // Cached per application_name, same answer the second time.
  EXPECT_EQ(a.Attribute("SELECT 1", "sidekiq-1", "").lane, "background");
}

TEST(Attributor, ConfiguredKeys) {
  AttributionConfig config;
  config.code_path_keys = {"endpoint"};
  config.lane_keys = {"queue"};
  Attributor a(config);
  Attribution at = a.Attribute("SELECT 1 /*endpoint='e',queue='q',code_path='c'*/", "web", "");
  EXPECT_EQ(at.code_path, "e");
  EXPECT_EQ(at.lane, "q");
}

}  // namespace
}  // namespace rls_shadow
