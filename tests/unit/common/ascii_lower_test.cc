#include "common/ascii_lower.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace rls_shadow {
namespace {

// What std::tolower gives in the "C" locale this program runs in, for every byte: A-Z folded,
// everything else (UTF-8 bytes included) as it is.
TEST(AsciiLower, IsTolowerOfTheCLocaleForEveryByte) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    EXPECT_EQ(AsciiLower(ch), static_cast<char>(std::tolower(c))) << c;
  }
}

TEST(AsciiLower, FoldsOnlyAsciiLettersOfAText) {
  EXPECT_EQ(AsciiLower("App.Current_Tenant_ID"), "app.current_tenant_id");
  EXPECT_EQ(AsciiLower("\xc3\x89T\xc3\x89"), "\xc3\x89t\xc3\x89");  // ÉTÉ: only the T
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(AsciiLower, StartsWithAsciiNoCaseMatchesAPrefixInAnyCase) {
  EXPECT_TRUE(StartsWithAsciiNoCase("NaN", "nan"));
  EXPECT_TRUE(StartsWithAsciiNoCase("Bearer abc", "bearer "));
  EXPECT_TRUE(StartsWithAsciiNoCase("PREPARE p AS", "prepare"));
  EXPECT_TRUE(StartsWithAsciiNoCase("anything", ""));
  EXPECT_FALSE(StartsWithAsciiNoCase("na", "nan"));            // shorter than the word
  EXPECT_FALSE(StartsWithAsciiNoCase("Nul1", "null"));         // a digit is not a letter
  EXPECT_FALSE(StartsWithAsciiNoCase("\xce\xbdull", "null"));  // only ASCII folds
}

}  // namespace
}  // namespace rls_shadow
