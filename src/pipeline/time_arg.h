// Parsing of the --since / --until arguments: ISO-8601 UTC ("2026-11-22T08:00:00Z",
// "2026-11-22 08:00", "2026-11-22") or a relative age ("7d", "12h", "30m" before now).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rls_shadow {

// Returns microseconds since the Unix epoch, or nullopt when `text` is not a time.
std::optional<int64_t> ParseTimeArg(std::string_view text, int64_t now_us);

}  // namespace rls_shadow
