// RequestMetrics: HTTP request durations per route as a Prometheus histogram, with requests by
// status class. Routes are the fixed route templates (never a raw path), so the label set is
// bounded.
//
// Thread-safe (atomics); Record is lock-free.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace rls_shadow::http {

// The route templates; kOther is every path no route matched.
enum class Route {
  kReadiness, kTables, kTable, kDenials, kCodePaths, kLanes, kHealthz, kReadyz, kMetrics,
  kPage, kOther, kCount
};
std::string_view RouteName(Route r);

class RequestMetrics {
 public:
  void Record(Route route, unsigned status, double seconds);
  void Append(std::string* out) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};
  struct PerRoute {
    std::array<std::atomic<uint64_t>, kBuckets.size()> buckets{};  // non-cumulative
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
    std::array<std::atomic<uint64_t>, 6> by_class{};  // 0xx..5xx
  };
  std::array<PerRoute, static_cast<size_t>(Route::kCount)> routes_;
};

}  // namespace rls_shadow::http
