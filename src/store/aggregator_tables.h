// What a FindingAggregator holds, private to the store: its keys are tuples of small ids for
// strings interned once, found through a flat open-addressing index, with the counters in dense
// arrays beside them.
//
// Why: Add runs once per finding, and the aggregator of a day's log holds ~10^5 keys. Keys of
// five separately allocated strings, in the nodes of an std::unordered_map, cost several cache
// misses per lookup (the node, then each string compared) and ~450 bytes a key; the aggregation
// alone took a third of `analyze`'s time. Here a lookup reads one 8-byte slot and one 32-byte key,
// and the strings it interns are few enough (tables, policies, tenants, code paths, lanes) to stay
// in cache.
//
// Not thread-safe, as the FindingAggregator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/dense_index.h"
#include "common/flat_text_map.h"
#include "common/text_hash.h"
#include "rls_shadow/store.h"

namespace rls_shadow::store {

using common::DenseIndex;

// Strings numbered by first appearance: equal strings get equal ids; "" is id 0.
class StringPool {
 public:
  StringPool() { Clear(); }
  uint32_t Intern(std::string_view s);
  std::string_view operator[](uint32_t id) const { return texts_[id]; }
  size_t size() const { return texts_.size(); }
  void Clear();

 private:
  common::FlatTextMap index_;            // text → id
  std::vector<std::string_view> texts_;  // by id: index_'s copies, which never move
};

using common::MixHash;

// A DenialKey (see store.h) and its hour, by the ids of its strings in the aggregator's pool.
struct DenialIds {
  uint32_t table = 0;
  uint32_t policy = 0;
  uint32_t tenant = 0;
  uint32_t code_path = 0;
  uint32_t lane = 0;
  // The enums as bytes: a key is 32 bytes, two to a cache line.
  uint8_t command = 0;
  uint8_t effect = 0;
  uint8_t cause = 0;
  int64_t hour = 0;
  bool operator==(const DenialIds&) const = default;
  uint64_t Hash() const {
    uint64_t h = MixHash(table, (uint64_t{policy} << 32) | tenant);
    h = MixHash(h, (uint64_t{code_path} << 32) | lane);
    h = MixHash(h, (uint64_t{command} << 16) | (uint64_t{effect} << 8) | cause);
    return MixHash(h, static_cast<uint64_t>(hour));
  }
};

// An AccessKey and its hour, likewise.
struct AccessIds {
  uint32_t table = 0;
  uint32_t code_path = 0;
  uint32_t lane = 0;
  uint8_t effect = 0;
  int64_t hour = 0;
  bool operator==(const AccessIds&) const = default;
  uint64_t Hash() const {
    uint64_t h = MixHash(table, (uint64_t{code_path} << 32) | lane);
    h = MixHash(h, effect);
    return MixHash(h, static_cast<uint64_t>(hour));
  }
};

struct DenialCounts {
  CounterValue value;
  // The access counter of the same finding: its key is a projection of this one, so a finding
  // whose denial key is known needs no second lookup.
  uint32_t access = 0;
  std::vector<uint32_t> examples;  // ids in FindingAggregator::Tables::examples
};

}  // namespace rls_shadow::store

namespace rls_shadow {

struct FindingAggregator::Tables {
  store::StringPool fields;    // tables, policies, tenants, code paths, lanes
  store::StringPool examples;  // tens of thousands of keys share a few thousand statement shapes
  store::DenseIndex<store::DenialIds> denial_index;
  std::vector<store::DenialCounts> denials;  // by denial_index number
  store::DenseIndex<store::AccessIds> access_index;
  std::vector<CounterValue> accesses;  // by access_index number
  InputStats input;
  bool has_input = false;
};

}  // namespace rls_shadow
