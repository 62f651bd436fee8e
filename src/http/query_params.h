// Splitting a request target into its path and query parameters, percent-decoded
// (application/x-www-form-urlencoded: '+' is a space). Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "rls_shadow/status.h"

namespace rls_shadow::http {

struct Target {
  std::string path;  // decoded
  std::map<std::string, std::string> params;
};

// Fails on a malformed percent escape, a NUL byte, or a parameter given twice.
Status ParseTarget(std::string_view target, Target* out);

// Percent-encodes `s` for use in a path segment or a query value.
std::string PercentEncode(std::string_view s);

}  // namespace rls_shadow::http
