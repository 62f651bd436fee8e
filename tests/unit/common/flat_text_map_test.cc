#include "common/flat_text_map.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/text_hash.h"

namespace rls_shadow::common {
namespace {

// Texts of many lengths, long ones included (each gets a block of its own), an empty one, and
// texts that differ only in their last byte or their length.
std::vector<std::string> Texts() {
  std::vector<std::string> texts{"", "a", "ab", "abc", std::string(1, '\0'), std::string(2, '\0')};
  for (int i = 0; i < 20000; ++i) texts.push_back("tenant-" + std::to_string(i));
  for (int i = 0; i < 50; ++i) texts.push_back(std::string(20000 + i, 'x'));
  return texts;
}

TEST(FlatTextMap, AgreesWithAnUnorderedMapAcrossGrowthAndClears) {
  const std::vector<std::string> texts = Texts();
  FlatTextMap map;
  EXPECT_EQ(map.Find("a", HashText("a")), FlatTextMap::kNone);  // empty
  std::vector<std::string_view> copies;
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string& text = texts[i];
    ASSERT_EQ(map.Find(text, HashText(text)), FlatTextMap::kNone) << i;
    copies.push_back(map.Insert(text, HashText(text), static_cast<uint32_t>(i * 7)));
  }
  ASSERT_EQ(map.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    const std::string& text = texts[i];
    EXPECT_EQ(map.Find(text, HashText(text)), i * 7) << i;
    // The copies stayed where they were as the table grew and blocks were added.
    EXPECT_EQ(copies[i], text) << i;
    EXPECT_NE(copies[i].data(), text.data());
  }
  for (const char* absent : {"tenant-20000", "abcd", "tenant-1 ", "b"}) {
    EXPECT_EQ(map.Find(absent, HashText(absent)), FlatTextMap::kNone) << absent;
  }
  const std::string short_of_long(19999, 'x');
  EXPECT_EQ(map.Find(short_of_long, HashText(short_of_long)), FlatTextMap::kNone);

  map.Clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Find("a", HashText("a")), FlatTextMap::kNone);
  map.Insert("a", HashText("a"), 5);
  EXPECT_EQ(map.Find("a", HashText("a")), 5u);
}

TEST(FlatTextMap, TextsWhoseHashesCollideAreToldApartByTheirBytes) {
  // One hash for every text: every slot's tag matches, so each lookup compares texts.
  FlatTextMap map;
  constexpr uint64_t kSameHash = 0x1234567800000011ULL;
  for (uint32_t i = 0; i < 3000; ++i) map.Insert("t" + std::to_string(i), kSameHash, i);
  for (uint32_t i = 0; i < 3000; ++i) {
    EXPECT_EQ(map.Find("t" + std::to_string(i), kSameHash), i);
  }
  EXPECT_EQ(map.Find("t3000", kSameHash), FlatTextMap::kNone);
  // A text that starts another one met first on the way is not taken for it.
  map.Insert("prefix and more", kSameHash, 7000);
  map.Insert("prefix", kSameHash, 7001);
  EXPECT_EQ(map.Find("prefix", kSameHash), 7001u);
  EXPECT_EQ(map.Find("prefix and more", kSameHash), 7000u);
  // Another tag (the hash's upper half) ends the comparison before the bytes are read.
  EXPECT_EQ(map.Find("t1", kSameHash ^ (uint64_t{1} << 40)), FlatTextMap::kNone);
}

}  // namespace
}  // namespace rls_shadow::common
