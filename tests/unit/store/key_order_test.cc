// DenialKeysInOrder / AccessKeysInOrder against what they stand for: sorting the encoded keys
// as bytes, over texts chosen to break a careless rank (prefixes, NULs, bytes above 0x7f, "").
#include "store/key_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "store/key_codec.h"

namespace rls_shadow::store {
namespace {

using namespace std::string_literals;

// Texts in first-insertion order unlike their byte order.
const std::vector<std::string> kTexts = {"public.orders",
                                         "a"s,
                                         "a\0"s,
                                         "a\0b"s,
                                         "ab",
                                         "\xff"s,
                                         "",
                                         "a\x01"s,
                                         "A",
                                         "\xc3\xa9t\xc3\xa9",
                                         "public.order",
                                         "public.orders_archive",
                                         "a\0\0"s,
                                         "b",
                                         "\x7f"s,
                                         "\x80"s};

// Numbers sorted by the bytes of the key `encode` gives each.
template <typename Encode>
std::vector<uint32_t> ByEncodedBytes(size_t n, Encode encode) {
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < n; ++i) keys.push_back(encode(i));
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  return order;
}

TEST(KeyOrder, RanksAreTheTextsByteOrder) {
  StringPool pool;
  for (const std::string& text : kTexts) pool.Intern(text);
  const std::vector<uint32_t> rank = ByteOrderRanks(pool);
  ASSERT_EQ(rank.size(), pool.size());
  for (uint32_t a = 0; a < pool.size(); ++a) {
    for (uint32_t b = 0; b < pool.size(); ++b) {
      EXPECT_EQ(rank[a] < rank[b], pool[a] < pool[b]) << a << " " << b;
    }
  }
}

TEST(KeyOrder, KeysInOrderAreTheEncodedKeysSortedAsBytes) {
  StringPool pool;
  std::vector<uint32_t> ids;
  for (const std::string& text : kTexts) ids.push_back(pool.Intern(text));
  std::mt19937 random(7);
  auto id = [&] { return ids[random() % ids.size()]; };
  auto hour = [&] { return static_cast<int64_t>(random() % 5) - 2; };  // negative hours too
  DenseIndex<DenialIds> denials;
  DenseIndex<AccessIds> accesses;
  for (int i = 0; i < 3000; ++i) {
    DenialIds d{id(),
                id(),
                id(),
                id(),
                id(),
                static_cast<uint8_t>(random() % 3),
                static_cast<uint8_t>(random() % 3),
                static_cast<uint8_t>(random() % 3),
                hour()};
    bool inserted = false;
    denials.FindOrInsert(d, &inserted);
    AccessIds a{id(), id(), id(), static_cast<uint8_t>(random() % 3), hour()};
    accesses.FindOrInsert(a, &inserted);
  }
  const std::vector<uint32_t> rank = ByteOrderRanks(pool);

  EXPECT_EQ(DenialKeysInOrder(denials, rank), ByEncodedBytes(denials.size(), [&](uint32_t n) {
              const DenialIds& k = denials.key(n);
              return EncodeDenialKey(
                  DenialKeyView{pool[k.table], static_cast<Command>(k.command), pool[k.policy],
                                pool[k.tenant], pool[k.code_path], pool[k.lane],
                                static_cast<Effect>(k.effect), static_cast<Cause>(k.cause)},
                  k.hour);
            }));
  EXPECT_EQ(AccessKeysInOrder(accesses, rank), ByEncodedBytes(accesses.size(), [&](uint32_t n) {
              const AccessIds& k = accesses.key(n);
              return EncodeAccessKey(AccessKeyView{pool[k.table], pool[k.code_path], pool[k.lane],
                                                   static_cast<Effect>(k.effect)},
                                     k.hour);
            }));
}

}  // namespace
}  // namespace rls_shadow::store
