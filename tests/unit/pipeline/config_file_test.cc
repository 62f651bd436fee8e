#include "pipeline/config_file.h"

#include <gtest/gtest.h>

namespace rls_shadow {
namespace {

TEST(ConfigFile, TheDocumentedExampleLoads) {
  ShadowConfig config;
  Status s =
      LoadConfigFile(std::string(RLS_SHADOW_SOURCE_DIR) + "/config/rls-shadow.toml", &config);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(config.analyzer.context_settings, std::vector<std::string>{"app.current_tenant_id"});
  ASSERT_EQ(config.analyzer.attribution.application_name_lanes.size(), 2u);
  EXPECT_EQ(config.analyzer.attribution.application_name_lanes[0].second, "ship_upload");
  EXPECT_EQ(config.readiness.window_seconds, 7 * 86400);
}

TEST(ConfigFile, ValuesOverrideDefaults) {
  ShadowConfig config;
  Status s = LoadConfigText(R"(
[context]
settings = ["app.org_id", "app.user_id"]
database_defaults = { "app.org_id" = "dbval", "App.Region" = "eu" }
[examples]
redact = false
max_per_key = 5
[readiness]
window_days = 1.5
required_lanes = ["ship_upload", "notification_digest"]
min_lane_accesses = 10
max_indeterminate_share = 0.05
)",
                            "test.toml", &config);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(config.analyzer.context_settings.front(), "app.org_id");
  EXPECT_EQ(config.analyzer.database_defaults.at("app.org_id"), "dbval");
  // Setting names are case-insensitive: kept lower-cased, as the session looks them up.
  EXPECT_EQ(config.analyzer.database_defaults.at("app.region"), "eu");
  EXPECT_FALSE(config.analyzer.redact_examples);
  EXPECT_FALSE(config.readiness.redact);
  EXPECT_EQ(config.analyzer.max_examples, 5u);
  EXPECT_EQ(config.readiness.window_seconds, 129600);
  EXPECT_EQ(config.readiness.required_lanes.size(), 2u);
  EXPECT_EQ(config.readiness.min_lane_accesses, 10u);
  EXPECT_DOUBLE_EQ(config.readiness.max_indeterminate_share, 0.05);
}

TEST(ConfigFile, UnknownKeysAreErrorsNamingTheKey) {
  ShadowConfig config;
  Status s = LoadConfigText("[readiness]\nwindow_dayz = 3\n", "t.toml", &config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("window_dayz"), std::string::npos) << s.message();
  s = LoadConfigText("[nope]\n", "t.toml", &config);
  EXPECT_FALSE(s.ok());
}

TEST(ConfigFile, SyntaxErrorsNameLineAndColumn) {
  ShadowConfig config;
  Status s = LoadConfigText("[context]\nsettings = [\"a\"\n", "broken.toml", &config);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("broken.toml:", 0), 0u) << s.message();
}

TEST(ConfigFile, BadLanePatternIsReported) {
  ShadowConfig config;
  Status s =
      LoadConfigText("[[attribution.application_name_lanes]]\npattern = \"([\"\nlane = \"x\"\n",
                     "t.toml", &config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bad pattern"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rls_shadow
