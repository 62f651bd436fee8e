// The [http] section and readiness.bypass_allowed_lanes of the TOML configuration.
#include <gtest/gtest.h>

#include "pipeline/config_file.h"

namespace rls_shadow {
namespace {

TEST(HttpConfigFile, ReadsEveryKey) {
  ShadowConfig c;
  Status s = LoadConfigText(R"(
[readiness]
bypass_allowed_lanes = ["nightly_rollup"]
[http]
listen = "0.0.0.0:9090"
tokens = ["a", "b"]
token_env = "MY_TOKEN"
require_token = false
metrics_require_token = false
max_header_bytes = 1000
max_body_bytes = 10
request_timeout_ms = 250
max_connections = 3
threads = 4
refresh_seconds = 2
)",
                            "test.toml", &c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(c.readiness.bypass_allowed_lanes, std::vector<std::string>{"nightly_rollup"});
  EXPECT_EQ(c.http.listen, "0.0.0.0:9090");
  EXPECT_EQ(c.http.tokens, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.http.token_env, "MY_TOKEN");
  EXPECT_FALSE(c.http.require_token);
  EXPECT_FALSE(c.http.metrics_require_token);
  EXPECT_EQ(c.http.max_header_bytes, 1000u);
  EXPECT_EQ(c.http.max_body_bytes, 10u);
  EXPECT_EQ(c.http.request_timeout_ms, 250u);
  EXPECT_EQ(c.http.max_connections, 3u);
  EXPECT_EQ(c.http.threads, 4u);
  EXPECT_EQ(c.http.refresh_seconds, 2u);
}

TEST(HttpConfigFile, DefaultsAreSafe) {
  ShadowConfig c;
  EXPECT_EQ(c.http.listen.rfind("127.0.0.1:", 0), 0u);
  EXPECT_TRUE(c.http.require_token);
}

TEST(HttpConfigFile, RejectsUnknownKeysAndNonPositiveLimits) {
  ShadowConfig c;
  EXPECT_FALSE(LoadConfigText("[http]\nlisten_on = \"x\"\n", "t", &c).ok());
  EXPECT_FALSE(LoadConfigText("[http]\nmax_connections = 0\n", "t", &c).ok());
  EXPECT_FALSE(LoadConfigText("[http]\nthreads = -1\n", "t", &c).ok());
}

TEST(HttpConfigFile, TheExampleConfigLoads) {
  ShadowConfig c;
  Status s = LoadConfigFile(std::string(RLS_SHADOW_SOURCE_DIR) + "/config/rls-shadow.toml", &c);
  EXPECT_TRUE(s.ok()) << s.message();
}

}  // namespace
}  // namespace rls_shadow
