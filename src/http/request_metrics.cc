#include "http/request_metrics.h"

#include <cstdio>

namespace rls_shadow::http {

std::string_view RouteName(Route r) {
  switch (r) {
    case Route::kReadiness: return "/api/v1/readiness";
    case Route::kTables: return "/api/v1/tables";
    case Route::kTable: return "/api/v1/tables/{table}";
    case Route::kDenials: return "/api/v1/denials";
    case Route::kCodePaths: return "/api/v1/code-paths";
    case Route::kLanes: return "/api/v1/lanes";
    case Route::kHealthz: return "/healthz";
    case Route::kReadyz: return "/readyz";
    case Route::kMetrics: return "/metrics";
    case Route::kPage: return "/";
    case Route::kOther:
    case Route::kCount: break;
  }
  return "other";
}

void RequestMetrics::Record(Route route, unsigned status, double seconds) {
  PerRoute& r = routes_[static_cast<size_t>(route)];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      r.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  r.count.fetch_add(1, std::memory_order_relaxed);
  r.sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  r.by_class[std::min<unsigned>(status / 100, 5)].fetch_add(1, std::memory_order_relaxed);
}

void RequestMetrics::Append(std::string* out) const {
  *out +=
      "# HELP rls_shadow_http_request_duration_seconds Time to answer a request, by route.\n"
      "# TYPE rls_shadow_http_request_duration_seconds histogram\n";
  char buf[64];
  for (size_t i = 0; i < routes_.size(); ++i) {
    const PerRoute& r = routes_[i];
    const uint64_t count = r.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    const std::string route = "route=\"" + std::string(RouteName(static_cast<Route>(i))) + "\"";
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
      std::snprintf(buf, sizeof buf, "%g", kBuckets[b]);
      *out += "rls_shadow_http_request_duration_seconds_bucket{" + route + ",le=\"" + buf +
              "\"} " + std::to_string(cumulative) + "\n";
    }
    *out += "rls_shadow_http_request_duration_seconds_bucket{" + route + ",le=\"+Inf\"} " +
            std::to_string(count) + "\n";
    std::snprintf(buf, sizeof buf, "%.6f",
                  static_cast<double>(r.sum_us.load(std::memory_order_relaxed)) / 1e6);
    *out += "rls_shadow_http_request_duration_seconds_sum{" + route + "} " + buf + "\n";
    *out += "rls_shadow_http_request_duration_seconds_count{" + route + "} " +
            std::to_string(count) + "\n";
  }
  *out +=
      "# HELP rls_shadow_http_requests_total Requests answered, by route and status class.\n"
      "# TYPE rls_shadow_http_requests_total counter\n";
  for (size_t i = 0; i < routes_.size(); ++i) {
    for (size_t c = 1; c < 6; ++c) {
      const uint64_t n = routes_[i].by_class[c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      *out += "rls_shadow_http_requests_total{route=\"" +
              std::string(RouteName(static_cast<Route>(i))) + "\",code=\"" + std::to_string(c) +
              "xx\"} " + std::to_string(n) + "\n";
    }
  }
}

}  // namespace rls_shadow::http
