#include "common/text_hash.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace rls_shadow::common {
namespace {

TEST(HashText, EqualTextsHashAlikeWhereverTheyLie) {
  const std::string a = "SELECT id FROM public.orders WHERE tenant_id = $1 AND id = $2";
  const std::string b = "xx" + a;
  EXPECT_EQ(HashText(a), HashText(std::string_view(b).substr(2)));
}

TEST(HashText, EveryOneByteChangeChangesTheHash) {
  // Each position is covered: the sixteen-byte steps and every way the tail is read (bytes,
  // two overlapping 4-byte words, two 8-byte words, the last sixteen bytes of a long text).
  for (size_t length : {0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 33, 36, 300}) {
    const std::string base(length, 'a');
    std::set<uint64_t> seen{HashText(base)};
    for (size_t i = 0; i < length; ++i) {
      std::string changed = base;
      changed[i] = 'b';
      EXPECT_TRUE(seen.insert(HashText(changed)).second) << "length " << length << " at " << i;
    }
  }
}

TEST(HashText, LengthCountsEvenForZeroBytes) {
  EXPECT_NE(HashText(std::string_view("a")), HashText(std::string_view("a\0", 2)));
  EXPECT_NE(HashText(std::string_view("")), HashText(std::string_view("\0", 1)));
}

TEST(HashText, SpreadsSimilarStatementsOverTheLowBits) {
  // DenseIndex picks the slot from the low bits: statements differing in a number must not
  // crowd into a few of them.
  std::set<uint64_t> slots;
  for (int i = 0; i < 4096; ++i) {
    slots.insert(HashText("SELECT * FROM t WHERE id = " + std::to_string(i) + " LIMIT 10") & 1023);
  }
  EXPECT_GT(slots.size(), 1000u);  // 4096 keys over 1024 slots leave ~19 empty on average
}

}  // namespace
}  // namespace rls_shadow::common
