// ISO-8601 UTC rendering of microsecond timestamps, independent of the process time zone and
// locale (no gmtime, no strftime).
//
// Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rls_shadow {

// "2026-11-22T12:08:08Z": whole seconds, rounded down (also before 1970).
std::string FormatIsoUtc(int64_t time_us);
// Reads back what FormatIsoUtc writes ("2026-11-22T12:08:08Z"); nullopt for anything else.
std::optional<int64_t> ParseIsoUtc(std::string_view text);

}  // namespace rls_shadow
