#include "report/iso_time.h"

#include <cstdio>

#include "common/civil_time.h"

namespace rls_shadow {

std::string FormatIsoUtc(int64_t time_us) {
  const int64_t secs = FloorDiv(time_us, 1'000'000);
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

std::optional<int64_t> ParseIsoUtc(std::string_view text) {
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(text, &pos, 4, &y) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &mo) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &d) || !Expect(text, &pos, 'T') ||
      !ReadDigits(text, &pos, 2, &h) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &mi) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &sec) || !Expect(text, &pos, 'Z') || pos != text.size()) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400) + h * 3600 + mi * 60 + sec) * 1'000'000;
}

}  // namespace rls_shadow
