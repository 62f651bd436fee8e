// The dashboard: one HTML page with inline CSS and vanilla JavaScript, compiled into the binary
// (nothing is served from the file system, nothing needs building). It reads the JSON API with
// the bearer token it was opened with (?access_token=..., then kept in sessionStorage) and
// renders every value with textContent, never as HTML.
#pragma once

#include <string_view>

namespace rls_shadow::http {

std::string_view DashboardPage();

}  // namespace rls_shadow::http
