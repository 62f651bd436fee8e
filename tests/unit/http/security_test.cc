// Authentication, parameter errors and the server's limits, over a real socket.
#include <chrono>
#include <thread>

#include "unit/http/server_fixture.h"

namespace rls_shadow::testing {
namespace {

using std::chrono::milliseconds;

class SecurityTest : public ServerFixture {
 protected:
  void SetUp() override { ServeAnalyzedExample(); }
};

TEST_F(SecurityTest, ProtectedEndpointsNeedAValidToken) {
  for (const char* path : {"/api/v1/readiness", "/api/v1/tables", "/api/v1/denials",
                           "/api/v1/code-paths", "/api/v1/lanes", "/metrics", "/"}) {
    HttpReply none = Fetch(path, "");
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_NE(none.headers.find("WWW-Authenticate: Bearer"), std::string::npos) << path;
    EXPECT_EQ(Fetch(path, "wrong-token").status, 401) << path;
    EXPECT_EQ(Fetch(path, std::string(kToken) + "x").status, 401) << path;
    EXPECT_EQ(Fetch(path).status, 200) << path;
  }
  EXPECT_EQ(Fetch("/healthz", "").status, 200);
}

TEST_F(SecurityTest, ThePageAcceptsTheTokenInItsQueryOnly) {
  EXPECT_EQ(Fetch(std::string("/?access_token=") + kToken, "").status, 200);
  EXPECT_EQ(Fetch("/?access_token=nope", "").status, 401);
  EXPECT_EQ(Fetch(std::string("/api/v1/readiness?access_token=") + kToken, "").status, 401);
}

TEST_F(SecurityTest, BadParametersAre400WithAMessage) {
  for (const char* target :
       {"/api/v1/denials?limit=0", "/api/v1/denials?limit=abc", "/api/v1/denials?limit=1001",
        "/api/v1/denials?effect=allow", "/api/v1/denials?cause=sunspots",
        "/api/v1/denials?cursor=!!!", "/api/v1/denials?cursor=AAAA",
        "/api/v1/denials?since=yesterday", "/api/v1/denials?bogus=1",
        "/api/v1/denials?table=a&table=b", "/api/v1/denials?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
        "/api/v1/readiness?x=1", "/api/v1/denials?table=%zz"}) {
    HttpReply r = Fetch(target);
    EXPECT_EQ(r.status, 400) << target;
    auto doc = Json(r);
    EXPECT_FALSE(doc["error"]["message"].get_string().value().empty()) << target;
  }
}

TEST_F(SecurityTest, OnlyGetIsAllowed) {
  Connection c(server_->port());
  c.Send("POST /api/v1/readiness HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
         std::string(kToken) + "\r\nContent-Length: 2\r\n\r\n{}");
  HttpReply r = c.Receive();
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.headers.find("Allow: GET"), std::string::npos);
}

TEST_F(SecurityTest, OversizedHeadersAre431AndClose) {
  Connection c(server_->port());
  c.Send(Get("/api/v1/readiness", kToken, "X-Padding: " + std::string(8000, 'a') + "\r\n"));
  EXPECT_EQ(c.Receive().status, 431);
  EXPECT_TRUE(c.ClosedWithin(milliseconds(2000)));
}

TEST_F(SecurityTest, OversizedBodiesAre413AndClose) {
  Connection c(server_->port());
  c.Send("GET /api/v1/readiness HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
         std::string(2000, 'b'));
  EXPECT_EQ(c.Receive().status, 413);
  EXPECT_TRUE(c.ClosedWithin(milliseconds(2000)));
}

TEST_F(SecurityTest, ASlowClientIsCutOff) {
  Connection c(server_->port());
  const auto start = std::chrono::steady_clock::now();
  // Trickle a request, one header line every 100 ms: never complete within the 500 ms budget.
  c.Send("GET /api/v1/readiness HTTP/1.1\r\n");
  bool cut = false;
  for (int i = 0; i < 30 && !cut; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    cut = !c.Send("X-Slow-" + std::to_string(i) + ": 1\r\n") || c.ClosedWithin(milliseconds(1));
  }
  EXPECT_TRUE(cut || c.ClosedWithin(milliseconds(1000)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2500));
}

TEST_F(SecurityTest, AnIdleKeepAliveConnectionIsClosed) {
  Connection c(server_->port());
  c.Send(Get("/healthz"));
  EXPECT_EQ(c.Receive().status, 200);
  EXPECT_TRUE(c.ClosedWithin(milliseconds(2000)));
}

TEST_F(SecurityTest, ConnectionsBeyondTheLimitAre503) {
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < 8; ++i) {
    held.push_back(std::make_unique<Connection>(server_->port()));
    held.back()->Send("GET /healthz HTTP/1.1\r\n");  // incomplete: holds its slot
  }
  std::this_thread::sleep_for(milliseconds(100));
  Connection extra(server_->port());
  HttpReply r = extra.Receive(milliseconds(2000));
  EXPECT_EQ(r.status, 503);
}

}  // namespace
}  // namespace rls_shadow::testing
