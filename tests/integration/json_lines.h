#ifndef RLS_SHADOW_TESTS_INTEGRATION_JSON_LINES_H_
#define RLS_SHADOW_TESTS_INTEGRATION_JSON_LINES_H_

// Reading a JSON-lines file (one JSON document per line) strictly: any bad line fails the read.

#include <simdjson.h>

#include <functional>
#include <string>
#include <string_view>

namespace rls_shadow::differential {

// Calls on_line with each non-blank line of the file at `path` (blank: only spaces, tabs or a
// carriage return), parsed; the element is valid only during the call. Returns true when every
// line parsed and on_line accepted it. Otherwise returns false and sets *error to
// "cannot open PATH" or to "PATH:LINE: WHAT" for the first line that is not JSON or that on_line
// rejected (returned false for).
bool ReadJsonLines(const std::string& path, std::string_view what,
                   const std::function<bool(simdjson::dom::element)>& on_line, std::string* error);

}  // namespace rls_shadow::differential

#endif  // RLS_SHADOW_TESTS_INTEGRATION_JSON_LINES_H_
