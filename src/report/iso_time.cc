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

}  // namespace rls_shadow
