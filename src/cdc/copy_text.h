// Decoding of COPY text-format data lines (what pg_dump writes between "COPY ... FROM stdin;"
// and "\."). A data format, not SQL: fields are separated by tabs, \N is NULL, and backslash
// escapes stand for the bytes a field may not hold literally.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rls_shadow::cdc {

// Splits `line` (without its '\n') into fields and undoes the escapes: \b \f \n \r \t \v,
// \\ -> '\', \ddd (1-3 octal digits) and \xhh (1-2 hex digits) -> that byte, a backslash
// before any other character -> the character. A field that is exactly \N is NULL. Returns
// false with *error set when the line ends in a lone backslash.
bool DecodeCopyTextRow(std::string_view line, std::vector<std::optional<std::string>>* fields,
                       std::string* error);

}  // namespace rls_shadow::cdc
