// HashText: a fast 64-bit hash of a text (and MixHash, its mixing step, for fixed-size keys),
// for hash tables looked up for every log line. It reads sixteen bytes per step in two independent
// multiply-xorshift lanes, which costs about a third of std::hash (murmur) on a 300-byte
// statement. Not for anything an adversary chooses collisions for: the tables it serves compare
// keys in full, so a collision costs a comparison, never a wrong answer. TextMap is the standard
// hash map over it, searched with a string_view.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rls_shadow::common {

// Mixes one more word into a hash: a multiply-xorshift step, so every input bit reaches the low
// bits (DenseIndex picks the slot from them). Also for hashes of fixed-size keys.
inline uint64_t MixHash(uint64_t h, uint64_t v, uint64_t k = 0x9E3779B97F4A7C15ULL) {
  h = (h ^ v) * k;
  return h ^ (h >> 29);
}

namespace text_hash_detail {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The last 1-15 bytes of a text of `size` bytes ending at p + n, as two words. They are read as
// whole words ending at the text's end, overlapping bytes already hashed when the text is long
// enough: a byte-by-byte loop here cost more than the rest of the hash for the short texts
// (names, uuids) the tables mostly hold.
struct Tail {
  uint64_t low = 0;
  uint64_t high = 0;
};

inline Tail ReadTail(const char* p, size_t n, size_t size) {
  const char* end = p + n;
  if (size >= 16) return {Load64(end - 16), Load64(end - 8)};
  if (n >= 8) return {Load64(p), Load64(end - 8)};
  if (n >= 4) return {Load32(p), Load32(end - 4)};
  // 1-3 bytes: the first, the middle and the last cover each of them.
  const auto byte = [](char c) { return static_cast<uint64_t>(static_cast<unsigned char>(c)); };
  return {byte(p[0]) | byte(p[n / 2]) << 8 | byte(p[n - 1]) << 16, 0};
}

}  // namespace text_hash_detail

inline uint64_t HashText(std::string_view text) {
  using text_hash_detail::Load64;
  constexpr uint64_t k1 = 0x9E3779B97F4A7C15ULL;
  constexpr uint64_t k2 = 0xBF58476D1CE4E5B9ULL;
  const char* p = text.data();
  size_t n = text.size();
  // The length is in the seed, so texts that differ only by trailing zero bytes (or that read
  // the same tail words) still differ.
  uint64_t a = 0x243F6A8885A308D3ULL ^ n;
  uint64_t b = 0x13198A2E03707344ULL;
  for (; n >= 16; p += 16, n -= 16) {
    a = MixHash(a, Load64(p), k1);
    b = MixHash(b, Load64(p + 8), k2);
  }
  if (n > 0) {
    const text_hash_detail::Tail tail = text_hash_detail::ReadTail(p, n, text.size());
    a = MixHash(a, tail.low, k1);
    b = MixHash(b, tail.high, k2);
  }
  return MixHash(a ^ (b * k2), b >> 17, k1) ^ (a >> 32);
}

// Hashes std::string and std::string_view alike, so a TextMap is searched with a view without
// first copying the key (C++20 heterogeneous lookup).
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return HashText(s); }
};
template <typename V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

}  // namespace rls_shadow::common
