// ParseLogTimestamp: a hand-written parser, because strptime/std::chrono::parse are locale- and
// allocation-heavy for a field parsed on every record.
#include "ingest/log_timestamp.h"

#include <cstring>

#include "common/civil_time.h"

namespace rls_shadow::ingest {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the zone suffix into seconds east of UTC.
bool ParseZone(std::string_view zone, int64_t* offset_seconds) {
  *offset_seconds = 0;
  if (zone.empty()) return true;
  if (zone[0] != '+' && zone[0] != '-') {
    for (char c : zone) {
      bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      if (!letter && c != '/' && c != '_') return false;
    }
    return true;  // an abbreviation: read as UTC (see the header)
  }
  size_t pos = 1;
  int hours = 0;
  int minutes = 0;
  if (!ReadDigits(zone, &pos, 2, &hours)) return false;
  if (pos < zone.size()) {
    if (zone[pos] == ':') ++pos;
    if (!ReadDigits(zone, &pos, 2, &minutes)) return false;
  }
  if (pos != zone.size() || hours > 15 || minutes > 59) return false;
  int64_t seconds = hours * 3600 + minutes * 60;
  *offset_seconds = zone[0] == '-' ? -seconds : seconds;
  return true;
}

// "YYYY-MM-DD HH:MM" into the minute's start in seconds since the epoch, as local time.
bool ParseMinute(std::string_view text, int64_t* seconds) {
  size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day) || !Expect(text, &pos, ' ') ||
      !ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return false;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  *seconds = days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60;
  return true;
}

// What follows the minute: ":SS[.fraction][ ]ZONE", the zone left unparsed in *zone.
bool ParseSecondsAndZone(std::string_view text, int* second, int64_t* micros,
                         std::string_view* zone) {
  size_t pos = 0;
  if (!Expect(text, &pos, ':') || !ReadDigits(text, &pos, 2, second) || *second > 60) return false;
  *micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (digits < 6) *micros = *micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 6; ++i) *micros *= 10;
  }
  if (pos < text.size() && text[pos] == ' ') ++pos;
  *zone = text.substr(pos);
  return true;
}

}  // namespace

bool LogTimestampParser::Parse(std::string_view text, int64_t* time_us) {
  if (text.size() < kMinuteChars) return false;
  const std::string_view minute = text.substr(0, kMinuteChars);
  int second = 0;
  int64_t micros = 0;
  std::string_view zone;
  if (!ParseSecondsAndZone(text.substr(kMinuteChars), &second, &micros, &zone)) return false;
  if (!cached_ || std::memcmp(minute.data(), minute_text_.data(), kMinuteChars) != 0 ||
      zone != zone_text_) {
    int64_t local_seconds = 0;
    int64_t offset_seconds = 0;
    if (!ParseMinute(minute, &local_seconds) || !ParseZone(zone, &offset_seconds)) return false;
    cached_ = true;
    std::memcpy(minute_text_.data(), minute.data(), kMinuteChars);
    zone_text_.assign(zone);
    minute_seconds_ = local_seconds - offset_seconds;
  }
  *time_us = (minute_seconds_ + second) * 1000000 + micros;
  return true;
}

bool ParseLogTimestamp(std::string_view text, int64_t* time_us) {
  return LogTimestampParser().Parse(text, time_us);
}

}  // namespace rls_shadow::ingest
