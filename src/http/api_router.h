// ApiRouter: one request in, one response out — authentication, routing, parameter checks and
// the JSON error bodies. Knows nothing of sockets (http_server.cc carries the bytes), so every
// endpoint is testable as a function call as well as over a socket.
//
// Thread-safe: Handle may run on every server thread at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request_metrics.h"
#include "http/view_cache.h"
#include "rls_shadow/http_server.h"

namespace rls_shadow::http {

struct Request {
  std::string_view method;
  std::string_view target;         // path and query, as sent
  std::string_view authorization;  // the Authorization header, "" when absent
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool challenge = false;  // add WWW-Authenticate: Bearer (401)
  Route route = Route::kOther;
};

// A JSON error body: {"error": {"status": 400, "message": "..."}}.
Response ErrorResponse(unsigned status, std::string_view message);

class ApiRouter {
 public:
  // `tokens` are the accepted bearer tokens (config and environment together).
  ApiRouter(const HttpConfig& config, std::vector<std::string> tokens, ViewCache* views,
            const RequestMetrics* request_metrics, std::vector<MetricsHook> hooks);

  Response Handle(const Request& request) const;

 private:
  bool Authorized(std::string_view authorization, std::string_view query_token) const;
  Response Dispatch(const std::string& path, const std::map<std::string, std::string>& params,
                    Route route) const;
  Response Denials(const std::map<std::string, std::string>& params) const;
  Response Metrics() const;

  HttpConfig config_;
  std::vector<std::string> tokens_;
  ViewCache* views_;
  const RequestMetrics* request_metrics_;
  std::vector<MetricsHook> hooks_;
};

}  // namespace rls_shadow::http
