// Parsing of the timestamps PostgreSQL writes in jsonlog and csvlog ("2026-11-22 12:08:08.403
// UTC").
#pragma once

#include <cstdint>
#include <string_view>

namespace rls_shadow::ingest {

// Parses "YYYY-MM-DD HH:MM:SS[.fraction] ZONE" into microseconds since the Unix epoch.
// ZONE is what log_timezone prints: a numeric offset ("+02", "-05:30", "+0530") is applied;
// "UTC", "GMT", "Z" and any other abbreviation ("CET", "EST") are read as UTC, because mapping
// abbreviations needs the tz database and is ambiguous — run the server with log_timezone = 'UTC'
// (or a numeric-offset zone) for exact times. Returns false when the text is not a timestamp.
bool ParseLogTimestamp(std::string_view text, int64_t* time_us);

}  // namespace rls_shadow::ingest
