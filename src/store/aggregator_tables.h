// What a FindingAggregator holds, private to the store: its keys are tuples of small ids for
// strings interned once, found through a flat open-addressing index, with the counters in dense
// arrays beside them.
//
// Why: Add runs once per finding, and the aggregator of a day's log holds ~10^5 keys. Keys of
// five separately allocated strings, in the nodes of an std::unordered_map, cost several cache
// misses per lookup (the node, then each string compared) and ~450 bytes a key; the aggregation
// alone took a third of `analyze`'s time. Here a lookup reads one 8-byte slot and one 40-byte key,
// and the strings it interns are few enough (tables, policies, tenants, code paths, lanes) to stay
// in cache.
//
// Not thread-safe, as the FindingAggregator.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rls_shadow/store.h"

namespace rls_shadow::store {

// Strings numbered by first appearance: equal strings get equal ids.
class StringPool {
 public:
  uint32_t Intern(std::string_view s);
  std::string_view operator[](uint32_t id) const { return texts_[id]; }
  void Clear();

 private:
  std::deque<std::string> texts_;  // a deque never moves its elements: ids_ views them
  std::unordered_map<std::string_view, uint32_t> ids_;
};

// Keys (each with a Hash()) numbered 0, 1, ... in the order they were first inserted, found in
// an open-addressing table with linear probing. The caller keeps the values in its own arrays,
// indexed by those numbers.
template <class Key>
class DenseIndex {
 public:
  // The number of `key`, inserting it when new (then *inserted is set to true).
  uint32_t FindOrInsert(const Key& key, bool* inserted) {
    if ((keys_.size() + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = key.Hash();
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.index_plus_one == 0) {
        keys_.push_back(key);
        slot = Slot{static_cast<uint32_t>(keys_.size()), tag};
        *inserted = true;
        return slot.index_plus_one - 1;
      }
      if (slot.tag == tag && keys_[slot.index_plus_one - 1] == key) {
        *inserted = false;
        return slot.index_plus_one - 1;
      }
    }
  }
  size_t size() const { return keys_.size(); }
  const Key& key(uint32_t index) const { return keys_[index]; }
  void Clear() {
    keys_.clear();
    slots_.clear();
  }

 private:
  struct Slot {
    uint32_t index_plus_one = 0;  // 0: empty
    uint32_t tag = 0;             // the hash's upper half: most mismatches end here
  };
  // Doubles the table (kept at most half full) and places every key again.
  void Grow() {
    std::vector<Slot> slots(slots_.empty() ? 1024 : slots_.size() * 2);
    const size_t mask = slots.size() - 1;
    for (uint32_t n = 0; n < keys_.size(); ++n) {
      const uint64_t h = keys_[n].Hash();
      size_t i = h & mask;
      while (slots[i].index_plus_one != 0) i = (i + 1) & mask;
      slots[i] = Slot{n + 1, static_cast<uint32_t>(h >> 32)};
    }
    slots_.swap(slots);
  }

  std::vector<Slot> slots_;  // a power of two in size
  std::vector<Key> keys_;
};

// Mixes one more word into a hash (a multiply-xorshift step: the table's low bits pick the slot,
// so every input bit must reach them).
inline uint64_t MixHash(uint64_t h, uint64_t v) {
  h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

// A DenialKey (see store.h) and its hour, by the ids of its strings in the aggregator's pool.
struct DenialIds {
  uint32_t table = 0;
  uint32_t policy = 0;
  uint32_t tenant = 0;
  uint32_t code_path = 0;
  uint32_t lane = 0;
  Command command = Command::kSelect;
  Effect effect = Effect::kAllow;
  Cause cause = Cause::kNone;
  int64_t hour = 0;
  bool operator==(const DenialIds&) const = default;
  uint64_t Hash() const {
    uint64_t h = MixHash(table, (uint64_t{policy} << 32) | tenant);
    h = MixHash(h, (uint64_t{code_path} << 32) | lane);
    h = MixHash(h, (static_cast<uint64_t>(command) << 16) | (static_cast<uint64_t>(effect) << 8) |
                       static_cast<uint64_t>(cause));
    return MixHash(h, static_cast<uint64_t>(hour));
  }
};

// An AccessKey and its hour, likewise.
struct AccessIds {
  uint32_t table = 0;
  uint32_t code_path = 0;
  uint32_t lane = 0;
  Effect effect = Effect::kAllow;
  int64_t hour = 0;
  bool operator==(const AccessIds&) const = default;
  uint64_t Hash() const {
    uint64_t h = MixHash(table, (uint64_t{code_path} << 32) | lane);
    h = MixHash(h, static_cast<uint64_t>(effect));
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
