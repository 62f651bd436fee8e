// Value encoding of the state directory's records. Every value starts with a one-byte format
// version, so a later format can be read side by side with this one. Integers are varints
// (counts, lengths) or fixed 8-byte little-endian (signed microsecond times); strings are
// length-prefixed, so any byte may appear in them.
//
// Pure functions; thread-safe. Decode* return false on a malformed value (never crash on it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rls_shadow/store.h"

namespace rls_shadow::store {

// A denial counter and its examples, as stored per (key, hour).
struct DenialValue {
  CounterValue counter;
  std::vector<std::string> examples;
};

std::string EncodeDenialValue(const DenialValue& v);
bool DecodeDenialValue(std::string_view in, DenialValue* v);

std::string EncodeCounter(const CounterValue& v);
bool DecodeCounter(std::string_view in, CounterValue* v);

// `meta.table` is not encoded: it is the record's key.
std::string EncodeTableMeta(const TableMeta& meta);
bool DecodeTableMeta(std::string_view in, TableMeta* meta);

std::string EncodeCheckpoint(const SourceCheckpoint& cp);  // source_id is the key
bool DecodeCheckpoint(std::string_view in, SourceCheckpoint* cp);

std::string EncodeInputStats(const InputStats& stats);
bool DecodeInputStats(std::string_view in, InputStats* stats);

}  // namespace rls_shadow::store
