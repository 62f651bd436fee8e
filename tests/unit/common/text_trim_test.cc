// IsAsciiSpace is isspace() of the "C" locale; TrimAsciiSpace and TrimStatementEnds drop what
// they say and nothing else.
#include "common/text_trim.h"

#include <gtest/gtest.h>

#include <cctype>
#include <clocale>
#include <string>

namespace rls_shadow::common {
namespace {

TEST(TextTrim, IsAsciiSpaceIsIsspaceOfTheCLocaleForEveryByte) {
  ASSERT_NE(std::setlocale(LC_CTYPE, "C"), nullptr);
  for (int c = 0; c < 256; ++c) {
    EXPECT_EQ(IsAsciiSpace(static_cast<char>(c)), std::isspace(c) != 0) << c;
  }
}

TEST(TextTrim, TrimAsciiSpaceDropsWhiteSpaceAtTheEndsOnly) {
  EXPECT_EQ(TrimAsciiSpace(" \t\v\f\r\n a b \n"), "a b");
  EXPECT_EQ(TrimAsciiSpace("a"), "a");
  EXPECT_EQ(TrimAsciiSpace(" ;a; "), ";a;");
  EXPECT_EQ(TrimAsciiSpace(" \n "), "");
  EXPECT_EQ(TrimAsciiSpace(""), "");
}

TEST(TextTrim, TrimStatementEndsDropsTrailingSemicolonsAmongWhiteSpace) {
  EXPECT_EQ(TrimStatementEnds(" SELECT 1 ; ;\n;"), "SELECT 1");
  EXPECT_EQ(TrimStatementEnds("SELECT ';'"), "SELECT ';'");
  EXPECT_EQ(TrimStatementEnds("; SELECT 1;"), "; SELECT 1");  // a leading ';' stays
  EXPECT_EQ(TrimStatementEnds("BEGIN; COMMIT"), "BEGIN; COMMIT");
  EXPECT_EQ(TrimStatementEnds(" ; "), "");
  EXPECT_EQ(TrimStatementEnds(""), "");
}

}  // namespace
}  // namespace rls_shadow::common
