// FlatTextMap: a 32-bit value for each of up to a few hundred thousand texts, for hot-path lookups
// by text. The texts are copied into blocks that never move, and the table's slots (flat, open
// addressing) hold where each text is beside its value. A lookup reads a slot and then the text
// itself: two cache misses, where a table of std::string keys reads a third (the key object
// between the slot and the text), and a TextMap (std::unordered_map) more.
//
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace rls_shadow::common {

class FlatTextMap {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // The value of `text`, whose hash is `hash` (the same function for every call); kNone if
  // `text` is not in the map.
  uint32_t Find(std::string_view text, uint64_t hash) const {
    if (slots_.empty()) return kNone;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.data == nullptr) return kNone;
      if (slot.tag == tag && slot.size == text.size() &&
          std::memcmp(slot.data, text.data(), text.size()) == 0) {
        return slot.value;
      }
    }
  }
  // Adds `text`, which is not in the map yet, with `value`; returns the map's copy of it, which
  // stays where it is until Clear.
  std::string_view Insert(std::string_view text, uint64_t hash, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const char* copy = Store(text);
    Place(Slot{copy, static_cast<uint32_t>(text.size()), static_cast<uint32_t>(hash >> 32), value,
               static_cast<uint32_t>(hash)});
    ++size_;
    return std::string_view(copy, text.size());
  }
  size_t size() const { return size_; }
  void Clear() {
    slots_.clear();
    blocks_.clear();
    block_left_ = 0;
    size_ = 0;
    mask_ = 0;
  }

 private:
  struct Slot {
    const char* data = nullptr;  // null: empty
    uint32_t size = 0;
    uint32_t tag = 0;  // the hash's upper half: most mismatches end here
    uint32_t value = 0;
    // The hash's lower half: with the tag, where the text goes as the table grows.
    uint32_t low = 0;
    uint64_t Hash() const { return uint64_t{tag} << 32 | low; }
  };
  static constexpr size_t kBlockBytes = size_t{64} << 10;

  void Place(const Slot& slot) {
    size_t i = slot.Hash() & mask_;
    while (slots_[i].data != nullptr) i = (i + 1) & mask_;
    slots_[i] = slot;
  }
  // Doubles the table (kept at most half full) and places every text again.
  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.data != nullptr) Place(slot);
    }
  }
  // A copy of `text` that never moves; never null, even for an empty text.
  const char* Store(std::string_view text) {
    if (text.size() > kBlockBytes / 4) {  // a long text gets a block of its own
      blocks_.push_back(std::make_unique<char[]>(text.size() + 1));
      std::memcpy(blocks_.back().get(), text.data(), text.size());
      return blocks_.back().get();
    }
    if (text.size() + 1 > block_left_) {
      blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
      block_next_ = blocks_.back().get();
      block_left_ = kBlockBytes;
    }
    char* copy = block_next_;
    std::memcpy(copy, text.data(), text.size());
    block_next_ += text.size() + 1;  // + 1: an empty text still gets an address of its own
    block_left_ -= text.size() + 1;
    return copy;
  }

  std::vector<Slot> slots_;  // a power of two in size
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_next_ = nullptr;
  size_t block_left_ = 0;
  size_t size_ = 0;
  size_t mask_ = 0;
};

}  // namespace rls_shadow::common
