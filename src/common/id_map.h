// IdMap: a 32-bit value for each nonzero 64-bit id (a number a counter hands out, such as an
// AccessId), in one flat open-addressing table whose slots hold the id beside its value. A
// lookup reads one slot (rarely the next few), where std::unordered_map reads a bucket and then
// a node elsewhere in memory: with a hundred thousand ids, a cache miss each.
//
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rls_shadow::common {

class IdMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The value set for `id`, kNone when none.
  uint32_t Find(uint64_t id) const {
    if (slots_.empty()) return kNone;
    for (size_t i = Home(id);; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == id) return slot.value;
      if (slot.id == 0) return kNone;
    }
  }
  // Sets the value of `id`, which must not be 0 (the mark of an empty slot).
  void Set(uint64_t id, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Home(id);
    while (slots_[i].id != 0 && slots_[i].id != id) i = (i + 1) & mask_;
    if (slots_[i].id == 0) ++size_;
    slots_[i] = Slot{id, value};
  }
  size_t size() const { return size_; }
  void Clear() {
    slots_.clear();
    size_ = 0;
    mask_ = 0;
    shift_ = 64;
  }

 private:
  struct Slot {
    uint64_t id = 0;  // 0: empty
    uint32_t value = 0;
  };
  // Fibonacci hashing: the top bits of id * 2^64/phi, so that consecutive ids (the usual
  // case) land far apart instead of in one run of slots.
  size_t Home(uint64_t id) const {
    return static_cast<size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  // Doubles the table (kept at most half full) and places every id again.
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    const size_t size = old.empty() ? 1024 : old.size() * 2;
    slots_.assign(size, Slot{});
    mask_ = size - 1;
    shift_ = 64 - __builtin_ctzll(size);
    size_ = 0;
    for (const Slot& slot : old) {
      if (slot.id != 0) Set(slot.id, slot.value);
    }
  }

  std::vector<Slot> slots_;  // a power of two in size
  size_t size_ = 0;
  size_t mask_ = 0;
  int shift_ = 64;
};

}  // namespace rls_shadow::common
