// Value conversions: hand-written because they run per column and are small, exact integer
// arithmetic (no floating point, no locale).
#include "cdc/value_text.h"

#include <fmt/format.h>

#include <vector>

#include "common/civil_time.h"

namespace rls_shadow::cdc {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// PostgreSQL prints years before 1 as "0001-01-01 BC"; CDC timestamps that old are not worth
// the special case, and a 5-digit year prints as is.
std::string YearMonthDay(int64_t days) {
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, &y, &m, &d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

}  // namespace

bool ParseLsn(std::string_view text, uint64_t* lsn) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 8 || slash + 1 == text.size() ||
      text.size() - slash - 1 > 8) {
    return false;
  }
  uint64_t hi = 0;
  uint64_t lo = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == slash) continue;
    int digit = HexDigit(text[i]);
    if (digit < 0) return false;
    uint64_t& part = i < slash ? hi : lo;
    part = part * 16 + static_cast<uint64_t>(digit);
  }
  *lsn = (hi << 32) | lo;
  return true;
}

bool DecodeBase64(std::string_view text, std::string* bytes) {
  bytes->clear();
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  bytes->reserve(text.size() * 3 / 4);
  uint32_t accumulator = 0;
  int bits = 0;
  for (char c : text) {
    int digit = Base64Digit(c);
    if (digit < 0) return false;
    accumulator = (accumulator << 6) | static_cast<uint32_t>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes->push_back(static_cast<char>((accumulator >> bits) & 0xFF));
    }
  }
  return true;
}

bool DecimalText(std::string_view bytes, int64_t scale, std::string* text) {
  if (bytes.empty() || scale < 0 || scale > 1000) return false;
  // Magnitude as base-1e9 limbs (least significant first), from the two's complement bytes.
  const bool negative = (static_cast<unsigned char>(bytes[0]) & 0x80) != 0;
  std::vector<uint8_t> magnitude(bytes.begin(), bytes.end());
  if (negative) {  // negate: invert and add one
    for (uint8_t& b : magnitude) b = static_cast<uint8_t>(~b);
    for (size_t i = magnitude.size(); i-- > 0;) {
      if (++magnitude[i] != 0) break;
    }
  }
  std::vector<uint32_t> limbs;  // base 1e9
  for (uint8_t byte : magnitude) {
    uint64_t carry = byte;
    for (uint32_t& limb : limbs) {
      uint64_t v = uint64_t{limb} * 256 + carry;
      limb = static_cast<uint32_t>(v % 1000000000);
      carry = v / 1000000000;
    }
    while (carry > 0) {
      limbs.push_back(static_cast<uint32_t>(carry % 1000000000));
      carry /= 1000000000;
    }
  }
  std::string digits;
  if (limbs.empty()) {
    digits = "0";
  } else {
    digits = fmt::format("{}", limbs.back());
    for (size_t i = limbs.size() - 1; i-- > 0;) digits += fmt::format("{:09}", limbs[i]);
  }
  const size_t s = static_cast<size_t>(scale);
  if (digits.size() <= s) digits.insert(0, s - digits.size() + 1, '0');
  text->clear();
  if (negative) *text += '-';
  text->append(digits, 0, digits.size() - s);
  if (s > 0) {
    *text += '.';
    text->append(digits, digits.size() - s, s);
  }
  return true;
}

std::string TimestampText(int64_t micros, bool with_zone) {
  const int64_t days = FloorDiv(micros, 86400000000);
  int64_t rest = micros - days * 86400000000;
  const int64_t fraction = rest % 1000000;
  rest /= 1000000;
  std::string out = fmt::format("{} {:02}:{:02}:{:02}", YearMonthDay(days), rest / 3600,
                                rest / 60 % 60, rest % 60);
  if (fraction != 0) {
    std::string f = fmt::format("{:06}", fraction);
    while (f.back() == '0') f.pop_back();
    out += '.';
    out += f;
  }
  if (with_zone) out += "+00";
  return out;
}

std::string DateText(int64_t days) { return YearMonthDay(days); }

bool ParseIsoTimestamp(std::string_view text, int64_t* micros) {
  size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day) || pos >= text.size() ||
      (text[pos] != 'T' && text[pos] != ' ')) {
    return false;
  }
  ++pos;
  if (!ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute)) {
    return false;
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadDigits(text, &pos, 2, &second)) return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) {
    return false;
  }
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) fraction = fraction * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 6; ++i) fraction *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool west = text[pos] == '-';
    ++pos;
    int oh = 0;
    int om = 0;
    int os = 0;
    if (!ReadDigits(text, &pos, 2, &oh)) return false;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (pos < text.size() && !ReadDigits(text, &pos, 2, &om)) return false;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, &pos, 2, &os)) return false;
    }
    offset_seconds = int64_t{oh} * 3600 + om * 60 + os;
    if (west) offset_seconds = -offset_seconds;
  } else {
    return false;  // a ZonedTimestamp always carries its offset
  }
  if (pos != text.size()) return false;
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds =
      days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offset_seconds;
  *micros = seconds * 1000000 + fraction;
  return true;
}

}  // namespace rls_shadow::cdc
