// The store's part of /metrics (Prometheus text format 0.0.4), from the readiness Report.
// Label cardinality is bounded: at most kMaxLabelValues tables and lanes each (the ones with the
// most would-be denials; the rest are summed under "other"); causes and effects are fixed sets;
// tenants and code paths are never labels.
//
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "rls_shadow/report.h"

namespace rls_shadow::http {

inline constexpr size_t kMaxLabelValues = 50;

void AppendStoreMetrics(const Report& report, std::string* out);

// `value` escaped for a label value (backslash, double quote, newline).
std::string LabelValue(std::string_view value);

}  // namespace rls_shadow::http
