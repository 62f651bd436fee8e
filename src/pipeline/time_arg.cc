#include "pipeline/time_arg.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace rls_shadow {

std::optional<int64_t> ParseTimeArg(std::string_view text, int64_t now_us) {
  std::string s(text);
  if (s.empty()) return std::nullopt;
  // Relative: a number and a unit.
  char unit = s.back();
  if (unit == 'd' || unit == 'h' || unit == 'm' || unit == 's') {
    std::string number = s.substr(0, s.size() - 1);
    if (!number.empty() && number.find_first_not_of("0123456789") == std::string::npos) {
      int64_t n = std::stoll(number);
      int64_t seconds = unit == 'd' ? n * 86400 : unit == 'h' ? n * 3600 : unit == 'm' ? n * 60 : n;
      return now_us - seconds * 1000000;
    }
  }
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  char sep = 0;
  int fields = std::sscanf(s.c_str(), "%d-%d-%d%c%d:%d:%lf", &year, &month, &day, &sep, &hour,
                           &minute, &second);
  if (fields != 3 && fields < 6) return std::nullopt;
  if (fields >= 4 && sep != 'T' && sep != ' ') return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = static_cast<int>(second);
  return static_cast<int64_t>(timegm(&tm)) * 1000000 +
         static_cast<int64_t>((second - tm.tm_sec) * 1e6);
}

}  // namespace rls_shadow
