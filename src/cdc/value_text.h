// Conversions of the encodings CDC sources use into PostgreSQL's text output form (what
// `SELECT col::text` prints with DateStyle ISO and TimeZone UTC), and of LSNs into numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rls_shadow::cdc {

// "16/B374D848" -> 0x16B374D848. False unless the text is two hexadecimal parts of at most 8
// digits each.
bool ParseLsn(std::string_view text, uint64_t* lsn);

// Standard base64 (RFC 4648, with or without '=' padding; no line breaks). False on any other
// character or a length that cannot be base64.
bool DecodeBase64(std::string_view text, std::string* bytes);

// A decimal from its unscaled value (big-endian two's complement, as Java's
// BigInteger.toByteArray() and Kafka Connect's Decimal write it) and its scale: bytes {0x04,
// 0xE2} with scale 2 -> "12.50". False when `bytes` is empty or the scale is negative or absurd
// (> 1000).
bool DecimalText(std::string_view bytes, int64_t scale, std::string* text);

// Microseconds since the epoch -> "2026-11-22 10:00:00.123456" (timestamp) or, with_zone,
// "2026-11-22 10:00:00.123456+00" (timestamptz in UTC). The fraction is omitted when zero and
// printed without trailing zeros, as PostgreSQL does.
std::string TimestampText(int64_t micros, bool with_zone);

// Days since the epoch -> "2026-11-22".
std::string DateText(int64_t days);

// ISO-8601 date-time with an offset ("2026-11-22T09:00:00.5Z", "2026-11-22T11:00:00+02:00",
// Debezium's ZonedTimestamp) -> microseconds since the epoch. False when it is not one.
bool ParseIsoTimestamp(std::string_view text, int64_t* micros);

}  // namespace rls_shadow::cdc
