// ServerFixture: a state directory filled by a real `analyze` run over the bundled example
// (examples/: a PostgreSQL 15 jsonlog of a small multi-tenant app), and an HttpServer over it
// on an ephemeral loopback port, with a bearer token and short limits.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include "pipeline/analyze_job.h"
#include "rls_shadow/http_server.h"
#include "unit/http/http_client.h"
#include "unit/store/scratch_dir.h"

namespace rls_shadow::testing {

inline constexpr char kToken[] = "test-token-0123456789";

class ServerFixture : public ::testing::Test {
 protected:
  static void AnalyzeExample(const std::string& db) {
    const std::string ex = std::string(RLS_SHADOW_SOURCE_DIR) + "/examples";
    AnalyzeOptions o;
    o.policies_path = ex + "/migration.sql";
    o.schema_path = ex + "/schema.sql";
    o.roles_path = ex + "/roles.sql";
    o.log_paths = {ex + "/postgres.json"};
    o.db_dir = db;
    AnalyzeSummary summary;
    Status s = RunAnalyze(o, &summary);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  static HttpConfig TestConfig() {
    HttpConfig c;
    c.listen = "127.0.0.1:0";
    c.tokens = {kToken};
    c.token_env = "";
    c.max_header_bytes = 4096;
    c.max_body_bytes = 1024;
    c.request_timeout_ms = 500;
    c.max_connections = 8;
    c.refresh_seconds = 1;
    return c;
  }

  void StartServer(const std::string& db, HttpConfig config = TestConfig(),
                   ReadinessRules rules = {}) {
    server_ = std::make_unique<HttpServer>(config, rules, ReadOnlyStoreProvider(db, 1));
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // The usual setup: the example analysed into dir_/db, served with TestConfig().
  void ServeAnalyzedExample() {
    AnalyzeExample(dir_.Sub("db"));
    StartServer(dir_.Sub("db"));
  }

  HttpReply Fetch(const std::string& target, const std::string& token = kToken) {
    Connection c(server_->port());
    EXPECT_TRUE(c.connected());
    c.Send(Get(target, token, "Connection: close\r\n"));
    return c.Receive();
  }

  // Parses `body` as JSON into doc_ (kept alive by parser_).
  simdjson::dom::element Json(const HttpReply& r) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
    return doc;
  }

  ScratchDir dir_;
  std::unique_ptr<HttpServer> server_;
  simdjson::dom::parser parser_;
};

}  // namespace rls_shadow::testing
