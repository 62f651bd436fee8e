#include "common/id_map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>

namespace rls_shadow::common {
namespace {

TEST(IdMap, AgreesWithAnUnorderedMapAcrossGrowthOverwritesAndClears) {
  // Consecutive ids (as a counter hands them out), ids far apart, and ids that differ only in
  // their high bits (which Fibonacci hashing must still spread); some set twice.
  IdMap map;
  std::unordered_map<uint64_t, uint32_t> reference;
  EXPECT_EQ(map.Find(1), IdMap::kNone);  // empty
  std::mt19937_64 random(7);
  auto set = [&](uint64_t id, uint32_t value) {
    map.Set(id, value);
    reference[id] = value;
  };
  for (uint64_t id = 1; id <= 5000; ++id) set(id, static_cast<uint32_t>(id * 3));
  for (int i = 0; i < 5000; ++i) set(random() | 1, static_cast<uint32_t>(i));
  for (uint64_t high = 1; high <= 2000; ++high) set(high << 40, static_cast<uint32_t>(high));
  for (uint64_t id = 1; id <= 5000; id += 7) set(id, 42);  // overwritten, not added
  ASSERT_EQ(map.size(), reference.size());
  for (const auto& [id, value] : reference) EXPECT_EQ(map.Find(id), value) << id;
  for (uint64_t id = 5001; id <= 6000; ++id) EXPECT_EQ(map.Find(id), IdMap::kNone) << id;

  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Find(3), IdMap::kNone);
  map.Set(3, 9);
  EXPECT_EQ(map.Find(3), 9u);
  EXPECT_EQ(map.size(), 1u);
}

}  // namespace
}  // namespace rls_shadow::common
