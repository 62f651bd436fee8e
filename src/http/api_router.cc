#include "http/api_router.h"

#include <map>

#include "common/ascii_lower.h"
#include "common/json_writer.h"
#include "http/dashboard_page.h"
#include "http/denial_query.h"
#include "http/query_params.h"
#include "report/report_json.h"

namespace rls_shadow::http {
namespace {

constexpr std::string_view kTablePrefix = "/api/v1/tables/";

Route RouteOf(const std::string& path) {
  if (path == "/api/v1/readiness") return Route::kReadiness;
  if (path == "/api/v1/tables") return Route::kTables;
  if (path.starts_with(kTablePrefix) && path.size() > kTablePrefix.size()) return Route::kTable;
  if (path == "/api/v1/denials") return Route::kDenials;
  if (path == "/api/v1/code-paths") return Route::kCodePaths;
  if (path == "/api/v1/lanes") return Route::kLanes;
  if (path == "/healthz") return Route::kHealthz;
  if (path == "/readyz") return Route::kReadyz;
  if (path == "/metrics") return Route::kMetrics;
  if (path == "/" || path == "/index.html") return Route::kPage;
  return Route::kOther;
}

// Compares in time independent of where the strings differ (the length is not hidden).
bool SameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

Response Json(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

}  // namespace

Response ErrorResponse(unsigned status, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject();
  w.Key("status").Uint(status);
  w.Key("message").String(message);
  w.EndObject().EndObject();
  Response r;
  r.status = status;
  r.body = w.str() + "\n";
  return r;
}

ApiRouter::ApiRouter(const HttpConfig& config, std::vector<std::string> tokens, ViewCache* views,
                     const RequestMetrics* request_metrics, std::vector<MetricsHook> hooks)
    : config_(config),
      tokens_(std::move(tokens)),
      views_(views),
      request_metrics_(request_metrics),
      hooks_(std::move(hooks)) {}

bool ApiRouter::Authorized(std::string_view authorization, std::string_view query_token) const {
  std::string_view token = query_token;
  if (!authorization.empty()) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization.size() <= kScheme.size() ||
        !StartsWithAsciiNoCase(authorization, kScheme)) {
      return false;
    }
    token = authorization.substr(kScheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  }
  if (token.empty()) return false;
  bool ok = false;
  for (const auto& t : tokens_) ok |= SameToken(token, t);
  return ok;
}

Response ApiRouter::Handle(const Request& request) const {
  Target target;
  Status parsed = ParseTarget(request.target, &target);
  const Route route = parsed.ok() ? RouteOf(target.path) : Route::kOther;
  Response r;
  if (!parsed.ok()) {
    r = ErrorResponse(400, parsed.message());
  } else if (request.method != "GET") {
    r = ErrorResponse(405, "only GET is supported");
  } else if (route == Route::kOther) {
    r = ErrorResponse(404, "no such endpoint");
  } else {
    const bool needs_token =
        config_.require_token && route != Route::kHealthz && route != Route::kReadyz &&
        !(route == Route::kMetrics && !config_.metrics_require_token);
    // The page is opened by a browser, which cannot send a header on navigation: it may carry
    // the token as ?access_token= (RFC 6750 2.3); the page then sends it as a header.
    std::string query_token;
    if (route == Route::kPage) {
      if (auto it = target.params.find("access_token"); it != target.params.end()) {
        query_token = it->second;
        target.params.erase(it);
      }
    }
    if (needs_token && !Authorized(request.authorization, query_token)) {
      r = ErrorResponse(401, "a valid bearer token is required (Authorization: Bearer <token>)");
      r.challenge = true;
    } else {
      r = Dispatch(target.path, target.params, route);
    }
  }
  r.route = route;
  return r;
}

Response ApiRouter::Dispatch(const std::string& path,
                             const std::map<std::string, std::string>& params, Route route) const {
  if (route == Route::kDenials) return Denials(params);
  if (!params.empty()) {
    return ErrorResponse(400, "unknown parameter '" + params.begin()->first + "'");
  }
  if (route == Route::kHealthz) {
    Response r = Json("{\"status\": \"ok\"}\n");
    return r;
  }
  if (route == Route::kPage) {
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(DashboardPage());
    return r;
  }
  Status error;
  std::shared_ptr<const ApiView> view = views_->Current(&error);
  if (route == Route::kReadyz) {
    if (!view) return ErrorResponse(503, "not ready: " + error.message());
    return Json("{\"status\": \"ready\"}\n");
  }
  if (route == Route::kMetrics) return Metrics();
  if (!view) return ErrorResponse(503, error.message());
  switch (route) {
    case Route::kReadiness: return Json(view->readiness_json);
    case Route::kTables: return Json(view->tables_json);
    case Route::kCodePaths: return Json(view->code_paths_json);
    case Route::kLanes: return Json(view->lanes_json);
    case Route::kTable: {
      auto it = view->table_json.find(path.substr(kTablePrefix.size()));
      if (it == view->table_json.end()) return ErrorResponse(404, "unknown table");
      return Json(it->second);
    }
    default: return ErrorResponse(404, "no such endpoint");
  }
}

Response ApiRouter::Denials(const std::map<std::string, std::string>& params) const {
  DenialQuery q;
  if (Status s = ParseDenialQuery(params, &q); !s.ok()) return ErrorResponse(400, s.message());
  Status error;
  std::shared_ptr<const ApiView> view = views_->Current(&error);
  if (!view) return ErrorResponse(503, error.message());
  if (q.since_us || q.until_us) {
    const int64_t since = q.since_us.value_or(view->report.since_us);
    const int64_t until = q.until_us.value_or(view->report.until_us);
    if (since >= until) return ErrorResponse(400, "parameter 'since' must be before 'until'");
    view = views_->Window(since, until, &error);
    if (!view) return ErrorResponse(503, error.message());
  }
  const DenialPage page = SelectDenials(view->denials_by_key, q);
  JsonWriter w;
  w.BeginObject();
  w.Key("window");
  WriteWindowJson(w, view->report.since_us, view->report.until_us);
  w.Key("denials").BeginArray();
  for (const DenialEntry* d : page.rows) WriteDenialJson(w, *d);
  w.EndArray();
  w.Key("next_cursor");
  page.next_cursor ? w.String(*page.next_cursor) : w.Null();
  w.EndObject();
  return Json(w.str() + "\n");
}

Response ApiRouter::Metrics() const {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  Status error;
  std::shared_ptr<const ApiView> view = views_->Current(&error);
  if (view) r.body = view->metrics_text;
  r.body +=
      "# HELP rls_shadow_store_up 1 when the state directory could be read.\n"
      "# TYPE rls_shadow_store_up gauge\nrls_shadow_store_up " +
      std::string(view ? "1" : "0") + "\n";
  request_metrics_->Append(&r.body);
  for (const auto& hook : hooks_) hook(&r.body);
  return r;
}

}  // namespace rls_shadow::http
