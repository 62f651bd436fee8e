// Parsing of the timestamps PostgreSQL writes in jsonlog and csvlog ("2026-11-22 12:08:08.403
// UTC").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rls_shadow::ingest {

// Parses "YYYY-MM-DD HH:MM:SS[.fraction] ZONE" into microseconds since the Unix epoch.
// ZONE is what log_timezone prints: a numeric offset ("+02", "-05:30", "+0530") is applied;
// "UTC", "GMT", "Z" and any other abbreviation ("CET", "EST") are read as UTC, because mapping
// abbreviations needs the tz database and is ambiguous — run the server with log_timezone = 'UTC'
// (or a numeric-offset zone) for exact times. Returns false when the text is not a timestamp.
bool ParseLogTimestamp(std::string_view text, int64_t* time_us);

// ParseLogTimestamp for a stream of records. A log is written in time order, so a record
// almost always shares its date, hour, minute and zone with the one before: their part of the
// time is computed once and reused while the text's first 16 characters ("2026-11-22 12:08")
// and its zone are unchanged. Gives exactly what ParseLogTimestamp gives.
class LogTimestampParser {
 public:
  bool Parse(std::string_view text, int64_t* time_us);

 private:
  static constexpr size_t kMinuteChars = 16;  // "YYYY-MM-DD HH:MM"
  bool cached_ = false;
  std::array<char, kMinuteChars> minute_text_{};
  std::string zone_text_;
  int64_t minute_seconds_ = 0;  // the cached minute's start, seconds since the epoch, in UTC
};

}  // namespace rls_shadow::ingest
