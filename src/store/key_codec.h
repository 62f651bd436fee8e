// Key encoding of the state directory: one short prefix per record type, then the key fields
// in an order-preserving encoding, so that byte order (RocksDB's default comparator) equals
// field order and range scans by hour are prefix/range scans.
//
//   d/ <hour> <table> <command> <policy> <tenant> <code_path> <lane> <effect> <cause>  denials
//   a/ <hour> <table> <code_path> <lane> <effect>                                      accesses
//   t/ <table>                                                            table metadata
//   c/ <source_id>                                                        source checkpoints
//   s/ <name>                                                             session snapshots
//   r/ <table> <primary key>                                              row index
//   i/totals                                                              input health
//   m/format                                                              format marker
//
// <hour> is a signed 64-bit hour number, sign bit flipped and big-endian, so negative hours sort
// first. Strings are escaped (0x00 -> 0x00 0xFF) and terminated by 0x00 0x01: a string never
// contains its own terminator, so separators, NUL bytes or UTF-8 inside values cannot make two
// different keys encode to the same bytes, and "a" < "a\0" < "ab" holds in encoded form too.
// Enums are one byte each.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rls_shadow/store.h"

namespace rls_shadow::store {

inline constexpr std::string_view kDenialPrefix = "d/";
inline constexpr std::string_view kAccessPrefix = "a/";
inline constexpr std::string_view kTablePrefix = "t/";
inline constexpr std::string_view kCheckpointPrefix = "c/";
inline constexpr std::string_view kSnapshotPrefix = "s/";
inline constexpr std::string_view kRowPrefix = "r/";
inline constexpr std::string_view kInputStatsKey = "i/totals";
inline constexpr std::string_view kFormatKey = "m/format";

// The hour bucket of a time in microseconds since the epoch: floor(time_us / 3600e6).
int64_t HourOf(int64_t time_us);

// The word an hour is written as, big-endian (AppendHour): its sign bit flipped, so the bytes
// order as the hours do, negative ones first. store/key_order.h compares hours by it.
inline uint64_t HourWord(int64_t hour) { return static_cast<uint64_t>(hour) ^ (uint64_t{1} << 63); }

// Low-level pieces, exposed for tests.
void AppendHour(int64_t hour, std::string* out);
void AppendString(std::string_view s, std::string* out);
// Each Consume* reads one field from the front of `*in` and advances it; false when malformed.
bool ConsumeHour(std::string_view* in, int64_t* hour);
bool ConsumeString(std::string_view* in, std::string* out);

// "<prefix><hour>": the first key of an hour's records (a scan bound).
std::string HourBound(std::string_view prefix, int64_t hour);

// A DenialKey / AccessKey whose strings are borrowed (the aggregator's interned ones).
struct DenialKeyView {
  std::string_view table;
  Command command = Command::kSelect;
  std::string_view policy;
  std::string_view tenant;
  std::string_view code_path;
  std::string_view lane;
  Effect effect = Effect::kAllow;
  Cause cause = Cause::kNone;
};
struct AccessKeyView {
  std::string_view table;
  std::string_view code_path;
  std::string_view lane;
  Effect effect = Effect::kAllow;
};

std::string EncodeDenialKey(const DenialKeyView& key, int64_t hour);
std::string EncodeDenialKey(const DenialKey& key, int64_t hour);
bool DecodeDenialKey(std::string_view encoded, DenialKey* key, int64_t* hour);

std::string EncodeAccessKey(const AccessKeyView& key, int64_t hour);
std::string EncodeAccessKey(const AccessKey& key, int64_t hour);
bool DecodeAccessKey(std::string_view encoded, AccessKey* key, int64_t* hour);

// For t/, c/ and s/ records: "<prefix><escaped name>".
std::string EncodeNamedKey(std::string_view prefix, std::string_view name);
bool DecodeNamedKey(std::string_view prefix, std::string_view encoded, std::string* name);

// r/ records: "r/<escaped table><escaped key>"; RowTablePrefix is every key of one table.
std::string EncodeRowKey(std::string_view table, std::string_view key);
std::string RowTablePrefix(std::string_view table);
bool DecodeRowKey(std::string_view encoded, std::string* table, std::string* key);

}  // namespace rls_shadow::store
