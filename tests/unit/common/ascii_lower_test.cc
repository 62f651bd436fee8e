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

}  // namespace
}  // namespace rls_shadow
