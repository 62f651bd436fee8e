#ifndef RLS_SHADOW_TESTS_INTEGRATION_REPORT_CHECK_H_
#define RLS_SHADOW_TESTS_INTEGRATION_REPORT_CHECK_H_

// A light check of `rls-shadow report --format json`: it parses, has the documented top-level
// shape, and names every table rls-shadow found a would-be denial for.

#include <string>
#include <vector>

#include "engine_findings.h"

namespace rls_shadow::differential {

// Returns the problems found (empty: the report passes).
std::vector<std::string> CheckReport(const std::string& report_path,
                                     const FindingsBySession& findings);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_REPORT_CHECK_H_
