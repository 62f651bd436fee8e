// Every endpoint over a real socket, against a store filled by analysing the bundled example.
#include <string>

#include "unit/http/server_fixture.h"

namespace rls_shadow::testing {
namespace {

class EndpointsTest : public ServerFixture {
 protected:
  void SetUp() override { ServeAnalyzedExample(); }
};

TEST_F(EndpointsTest, ReadinessGivesTheVerdictTablesAndHourlyChart) {
  HttpReply r = Fetch("/api/v1/readiness");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.headers.find("application/json"), std::string::npos);
  auto doc = Json(r);
  EXPECT_FALSE(doc["overall"]["ready"].get_bool().value());
  EXPECT_GT(doc["overall"]["blocking"].get_array().size(), 0u);
  EXPECT_GT(doc["tables"].get_array().size(), 0u);
  EXPECT_GT(doc["hourly"].get_array().size(), 0u);
  std::string_view since = doc["window"]["since"].get_string().value();
  EXPECT_EQ(since.size(), 20u);
  EXPECT_EQ(since.back(), 'Z');
}

TEST_F(EndpointsTest, TablesAndOneTable) {
  HttpReply r = Fetch("/api/v1/tables");
  ASSERT_EQ(r.status, 200);
  std::string name(Json(r)["tables"].at(0)["table"].get_string().value());
  HttpReply one = Fetch("/api/v1/tables/" + name);
  ASSERT_EQ(one.status, 200) << one.body;
  auto doc = Json(one);
  EXPECT_EQ(doc["table"]["table"].get_string().value(), name);
  EXPECT_TRUE(doc["policies"].is_array());
  EXPECT_TRUE(doc["denials"].is_array());
  EXPECT_TRUE(doc["table"]["top_code_paths"].is_array());
}

TEST_F(EndpointsTest, UnknownTableIs404) {
  HttpReply r = Fetch("/api/v1/tables/public.no_such_table");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json(r)["error"]["status"].get_uint64().value(), 404u);
  EXPECT_EQ(Fetch("/api/v2/nothing").status, 404);
}

TEST_F(EndpointsTest, DenialsCodePathsAndLanes) {
  HttpReply d = Fetch("/api/v1/denials?limit=5");
  ASSERT_EQ(d.status, 200) << d.body;
  auto denials = Json(d)["denials"].get_array().value();
  ASSERT_GT(denials.size(), 0u);
  for (auto row : denials) {
    EXPECT_NE(row["effect"].get_string().value(), "allow");
    EXPECT_EQ(row["last_seen"].get_string().value().back(), 'Z');
  }
  HttpReply c = Fetch("/api/v1/code-paths");
  ASSERT_EQ(c.status, 200);
  auto dirs = Json(c)["directories"].get_array().value();
  ASSERT_GT(dirs.size(), 0u);
  EXPECT_GT(dirs.at(0)["code_paths"].at(0)["would_be_denials"].get_uint64().value(), 0u);
  EXPECT_TRUE(dirs.at(0)["code_paths"].at(0)["causes"].is_object());
  HttpReply l = Fetch("/api/v1/lanes");
  ASSERT_EQ(l.status, 200);
  EXPECT_GT(Json(l)["lanes"].get_array().size(), 0u);
}

TEST_F(EndpointsTest, FiltersNarrowTheDenials) {
  HttpReply all = Fetch("/api/v1/denials?limit=1000");
  auto rows = Json(all)["denials"].get_array().value();
  ASSERT_GT(rows.size(), 0u);
  const std::string table(rows.at(0)["table"].get_string().value());
  const std::string effect(rows.at(0)["effect"].get_string().value());
  size_t expected = 0;
  for (auto row : rows) {
    expected += row["table"].get_string().value() == table &&
                row["effect"].get_string().value() == effect;
  }
  HttpReply f = Fetch("/api/v1/denials?limit=1000&table=" + table + "&effect=" + effect);
  ASSERT_EQ(f.status, 200);
  auto filtered = Json(f)["denials"].get_array().value();
  EXPECT_EQ(filtered.size(), expected);
  for (auto row : filtered) EXPECT_EQ(row["table"].get_string().value(), table);
}

TEST_F(EndpointsTest, HealthReadyMetricsAndPage) {
  EXPECT_EQ(Fetch("/healthz", "").status, 200);
  EXPECT_EQ(Fetch("/readyz", "").status, 200);
  Fetch("/api/v1/readiness");
  HttpReply m = Fetch("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.headers.find("text/plain; version=0.0.4"), std::string::npos);
  for (const char* name :
       {"rls_shadow_events_total{source=\"log\",outcome=\"read\"}", "rls_shadow_would_be_denials{",
        "rls_shadow_context_missing_accesses", "rls_shadow_decode_errors_total",
        "rls_shadow_http_request_duration_seconds_bucket{route=\"/api/v1/readiness\"",
        "rls_shadow_ready 0"}) {
    EXPECT_NE(m.body.find(name), std::string::npos) << name;
  }
  HttpReply page = Fetch("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.headers.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(page.headers.find("Content-Security-Policy"), std::string::npos);
}

TEST_F(EndpointsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Connection c(server_->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Get("/api/v1/lanes", kToken)));
    EXPECT_EQ(c.Receive().status, 200);
  }
}

TEST(HttpServerStart, RefusesToStartWithoutATokenWhenOneIsRequired) {
  HttpConfig c;
  c.listen = "127.0.0.1:0";
  c.token_env = "";
  HttpServer server(c, {}, [] { return StoreSnapshot{}; });
  Status s = server.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("token"), std::string::npos);
}

TEST(HttpServerStart, RejectsABadListenAddress) {
  HttpConfig c;
  c.listen = "localhost-ish";
  c.require_token = false;
  HttpServer server(c, {}, [] { return StoreSnapshot{}; });
  EXPECT_FALSE(server.Start().ok());
}

}  // namespace
}  // namespace rls_shadow::testing
