#include "common/dense_index.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace rls_shadow::common {
namespace {

struct IntKey {
  int value = 0;
  // A poor hash on purpose: many keys share slots and tags, so probing and comparing are tested.
  uint64_t Hash() const { return static_cast<uint64_t>(value % 7) * 0x100000001ULL; }
  bool operator==(const IntKey&) const = default;
  bool operator==(int v) const { return value == v; }
};

TEST(DenseIndex, NumbersKeysInInsertionOrderAcrossGrowth) {
  DenseIndex<IntKey> index;
  EXPECT_EQ(index.Find(3, IntKey{3}.Hash()), DenseIndex<IntKey>::kNone);  // empty
  constexpr int kKeys = 5000;  // several times the first table size
  for (int i = 0; i < kKeys; ++i) {
    bool inserted = false;
    EXPECT_EQ(index.FindOrInsert(IntKey{i * 3}, &inserted), static_cast<uint32_t>(i));
    EXPECT_TRUE(inserted);
  }
  ASSERT_EQ(index.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    bool inserted = true;
    EXPECT_EQ(index.FindOrInsert(IntKey{i * 3}, &inserted), static_cast<uint32_t>(i));
    EXPECT_FALSE(inserted);
    EXPECT_EQ(index.Find(i * 3, IntKey{i * 3}.Hash()), static_cast<uint32_t>(i));  // by probe
    EXPECT_EQ(index.Find(i * 3 + 1, IntKey{i * 3 + 1}.Hash()), DenseIndex<IntKey>::kNone);
    EXPECT_EQ(index.key(i).value, i * 3);
  }
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.Find(0, IntKey{0}.Hash()), DenseIndex<IntKey>::kNone);
  bool inserted = false;
  EXPECT_EQ(index.FindOrInsert(IntKey{42}, &inserted), 0u);
  EXPECT_TRUE(inserted);
}

}  // namespace
}  // namespace rls_shadow::common
