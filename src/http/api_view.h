// ApiView: everything the API serves for one store generation and window, computed once from
// the readiness Report (report/ decides readiness; this only shapes it for the API). The
// fixed responses are rendered to JSON up front, so serving them is a copy.
//
// Immutable once built; share it between threads through a shared_ptr<const ApiView>.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rls_shadow/report.h"

namespace rls_shadow::http {

struct ApiView {
  uint64_t generation = 0;
  Report report;
  std::vector<const DenialEntry*> denials_by_key;  // report.denials in DenialKey order
  std::string readiness_json;                      // /api/v1/readiness
  std::string tables_json;                         // /api/v1/tables
  std::map<std::string, std::string> table_json;   // /api/v1/tables/{table}
  std::string code_paths_json;                     // /api/v1/code-paths
  std::string lanes_json;                          // /api/v1/lanes
  std::string metrics_text;                        // the store's part of /metrics
};

// Takes `report` (built with max_denial_rows = 0, so every denial is there).
std::unique_ptr<ApiView> BuildApiView(Report report, uint64_t generation);

// "app/jobs/digest_job.rb" -> "app/jobs"; "OrdersController#index" -> "" (no directory).
std::string CodePathDirectory(std::string_view code_path);

}  // namespace rls_shadow::http
