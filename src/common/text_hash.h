// HashText: a fast 64-bit hash of a text (and MixHash, its mixing step, for fixed-size keys),
// for hash tables looked up for every log line. It reads sixteen bytes per step in two independent
// multiply-xorshift lanes, which costs about a third of std::hash (murmur) on a 300-byte
// statement. Not for anything an adversary chooses collisions for: the tables it serves compare
// keys in full, so a collision costs a comparison, never a wrong answer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

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

}  // namespace text_hash_detail

inline uint64_t HashText(std::string_view text) {
  using text_hash_detail::Load64;
  constexpr uint64_t k1 = 0x9E3779B97F4A7C15ULL;
  constexpr uint64_t k2 = 0xBF58476D1CE4E5B9ULL;
  const char* p = text.data();
  size_t n = text.size();
  uint64_t a = 0x243F6A8885A308D3ULL ^ n;
  uint64_t b = 0x13198A2E03707344ULL;
  for (; n >= 16; p += 16, n -= 16) {
    a = MixHash(a, Load64(p), k1);
    b = MixHash(b, Load64(p + 8), k2);
  }
  if (n >= 8) {
    a = MixHash(a, Load64(p), k1);
    p += 8;
    n -= 8;
  }
  // The last 0-7 bytes, each in its own byte of the word (so "a" and "a\0" differ by length,
  // which is in the seed).
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i)
    tail |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  b = MixHash(b, tail, k2);
  return MixHash(a ^ (b * k2), b >> 17, k1) ^ (a >> 32);
}

}  // namespace rls_shadow::common
