// DenseIndex: keys numbered 0, 1, ... by first insertion, found through a flat open-addressing
// table. For hot-path lookups in tables of thousands to hundreds of thousands of keys, where
// std::unordered_map's chained nodes cost a cache miss per node passed: a probe here reads an
// 8-byte slot (with a hash tag that ends most mismatches) and then the one candidate key.
// For keys that are texts, FlatTextMap (flat_text_map.h) reads one cache line fewer: its slots
// point at the text itself.
//
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rls_shadow::common {

// Keys numbered 0, 1, ... in the order they were first inserted, found in an open-addressing
// table with linear probing. A Key has Hash() (the hash it was inserted with); the caller keeps
// the values in its own arrays, indexed by those numbers, or in the key beside what Hash() and
// == read.
template <class Key>
class DenseIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The number of the key equal to `probe` (key == probe), whose hash is `hash`; kNone if none.
  template <class Probe>
  uint32_t Find(const Probe& probe, uint64_t hash) const {
    if (slots_.empty()) return kNone;
    const uint32_t tag = static_cast<uint32_t>(hash >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.index_plus_one == 0) return kNone;
      if (slot.tag == tag && keys_[slot.index_plus_one - 1] == probe) {
        return slot.index_plus_one - 1;
      }
    }
  }
  // Adds `key`, which is not there yet; returns its number.
  uint32_t Insert(Key key) {
    if ((keys_.size() + 1) * 2 > slots_.size()) Grow();
    const auto n = static_cast<uint32_t>(keys_.size());
    Place(n, key.Hash());
    keys_.push_back(std::move(key));
    return n;
  }
  // The number of `key`, inserting it when new (then *inserted is set to true).
  uint32_t FindOrInsert(const Key& key, bool* inserted) {
    const uint32_t n = Find(key, key.Hash());
    *inserted = (n == kNone);
    return *inserted ? Insert(key) : n;
  }
  size_t size() const { return keys_.size(); }
  const Key& key(uint32_t n) const { return keys_[n]; }
  void Clear() {
    keys_.clear();
    slots_.clear();
  }

 private:
  struct Slot {
    uint32_t index_plus_one = 0;  // 0: empty
    uint32_t tag = 0;             // the hash's upper half: most mismatches end here
  };
  void Place(uint32_t n, uint64_t hash) {
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
    slots_[i] = Slot{n + 1, static_cast<uint32_t>(hash >> 32)};
  }
  // Doubles the table (kept at most half full) and places every key again.
  void Grow() {
    slots_.assign(slots_.empty() ? 1024 : slots_.size() * 2, Slot{});
    for (uint32_t n = 0; n < keys_.size(); ++n) Place(n, keys_[n].Hash());
  }

  std::vector<Slot> slots_;  // a power of two in size
  std::vector<Key> keys_;
};

}  // namespace rls_shadow::common
