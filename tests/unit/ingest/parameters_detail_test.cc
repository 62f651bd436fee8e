// Tests for ParseParametersDetail: the "parameters: $1 = '...'" detail of execute lines.
#include <gtest/gtest.h>

#include "rls_shadow/log_reader.h"

namespace rls_shadow {
namespace {

using Params = std::vector<std::optional<std::string>>;

TEST(ParametersDetailTest, ParsesTheVerbatimPostgresDetail) {
  Params params;
  ASSERT_TRUE(ParseParametersDetail(
      "parameters: $1 = '600', $2 = '11111111-1111-1111-1111-111111111111', $3 = 'ext'", &params));
  EXPECT_EQ(params, (Params{"600", "11111111-1111-1111-1111-111111111111", "ext"}));
}

TEST(ParametersDetailTest, UndoublesQuotesAndKeepsNull) {
  Params params;
  ASSERT_TRUE(ParseParametersDetail("parameters: $1 = NULL, $2 = 'it''s', $3 = ''''", &params));
  ASSERT_EQ(params.size(), 3u);
  EXPECT_FALSE(params[0].has_value());
  EXPECT_EQ(params[1], "it's");
  EXPECT_EQ(params[2], "'");
}

TEST(ParametersDetailTest, QuotedValuesMayContainSeparatorsAndNewlines) {
  Params params;
  ASSERT_TRUE(ParseParametersDetail(
      "parameters: $1 = '{600,601}', $2 = 'a, $3 = ''b''\nc', $3 = 'NULL', $4 = ''", &params));
  EXPECT_EQ(params, (Params{"{600,601}", "a, $3 = 'b'\nc", "NULL", ""}));
}

TEST(ParametersDetailTest, ReusesTheOutputAndShrinksIt) {
  Params params{std::string("old1"), std::nullopt, std::string("old3")};
  ASSERT_TRUE(ParseParametersDetail("parameters: $1 = NULL, $2 = 'x'", &params));
  EXPECT_EQ(params, (Params{std::nullopt, "x"}));
}

TEST(ParametersDetailTest, RejectsMalformedDetails) {
  Params params;
  for (std::string_view bad : {
           "", "prepare: PREPARE p AS SELECT 1", "parameters: ",
           "parameters: $1 = '600",            // unterminated quote
           "parameters: $1 = 600",             // unquoted value
           "parameters: $2 = '600'",           // numbering does not start at 1
           "parameters: $1 = '1', $3 = '3'",   // numbering skips
           "parameters: $1 = '1',$2 = '2'",    // wrong separator
           "parameters: $1 = '1' trailing",    //
           "parameters: $1 = 'a'', $2 = 'b'",  // quote structure broken: ends inside a value
           "parameters: $1 = nul",             //
           "parameters: $x = '1'",             //
       }) {
    params = Params{std::string("stale")};
    EXPECT_FALSE(ParseParametersDetail(bad, &params)) << bad;
    EXPECT_TRUE(params.empty()) << bad;
  }
}

}  // namespace
}  // namespace rls_shadow
