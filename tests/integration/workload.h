#ifndef RLS_SHADOW_TESTS_INTEGRATION_WORKLOAD_H_
#define RLS_SHADOW_TESTS_INTEGRATION_WORKLOAD_H_

// The differential workload as data: scenarios of statements on named connections. Each
// scenario starts from freshly seeded tables and fresh connections, so what one scenario does
// (including writes that fail only under enforcement) cannot change what a later one sees.
//
// Nothing here says what PostgreSQL should answer: the expectation is always PostgreSQL's own
// answer in the enforced run.

#include <optional>
#include <string>
#include <vector>

#include "statement_record.h"

namespace rls_shadow::differential {

struct ConnectionSpec {
  std::string name;              // used by steps
  std::string role;              // login role
  std::string application_name;  // made unique per run by the runner
};

struct Step {
  std::string connection;
  Protocol protocol = Protocol::kSimple;
  std::string sql;
  std::vector<std::optional<std::string>> params;
  std::string statement_name;  // kPrepared only
};

struct Scenario {
  std::string name;
  std::string purpose;  // one line: which behaviour it exercises
  std::vector<ConnectionSpec> connections;
  std::vector<Step> steps;
};

// The full workload, in execution order.
std::vector<Scenario> BuildWorkload();

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_WORKLOAD_H_
