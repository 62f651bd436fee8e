// SqlShape: the literal-lifting cache key. Literals become $n numbered after the text's own
// parameters, comments are dropped, and what is not a plain literal is kept as written.
#include "analyze/sql_shape.h"

#include <gtest/gtest.h>

namespace rls_shadow {
namespace {

SqlShape Shape(std::string_view sql) {
  SqlShape s;
  ShapeOf(sql, &s);
  return s;
}

using Strings = std::vector<std::string>;

TEST(SqlShape, LiftsStringAndNumericLiterals) {
  SqlShape s = Shape("SELECT * FROM t WHERE id = 42 AND val = 'x' AND f = 1.5e3");
  EXPECT_EQ(s.text, "SELECT * FROM t WHERE id = $1 AND val = $2 AND f = $3");
  EXPECT_EQ(s.literals, (Strings{"42", "x", "1.5e3"}));
  EXPECT_EQ(s.param_base, 0);
  EXPECT_TRUE(s.lifted_any);
}

TEST(SqlShape, NumbersAfterTheHighestExistingParameter) {
  SqlShape s = Shape("SELECT * FROM t WHERE a = $2 AND b = 'x' AND c = $1 AND d = 7");
  EXPECT_EQ(s.param_base, 2);
  EXPECT_EQ(s.text, "SELECT * FROM t WHERE a = $2 AND b = $3 AND c = $1 AND d = $4");
  EXPECT_EQ(s.literals, (Strings{"x", "7"}));
}

TEST(SqlShape, TextWithoutLiterals) {
  SqlShape s = Shape("SELECT * FROM t WHERE id = $1");
  EXPECT_FALSE(s.lifted_any);
  EXPECT_EQ(s.param_base, 1);
  EXPECT_EQ(s.text, "SELECT * FROM t WHERE id = $1");
}

TEST(SqlShape, QuotesAndEscapeStrings) {
  EXPECT_EQ(Shape("SELECT 'it''s'").literals, Strings{"it's"});
  SqlShape e = Shape("SELECT E'it\\'s\\\\'");
  EXPECT_EQ(e.text, "SELECT $1");  // the E prefix goes with the literal
  EXPECT_EQ(e.literals, Strings{"it's\\"});
  // A column named e before a plain literal is not an escape-string prefix.
  SqlShape col = Shape("SELECT e, 'a\\b' FROM t");
  EXPECT_EQ(col.text, "SELECT e, $1 FROM t");
  EXPECT_EQ(col.literals, Strings{"a\\b"});
}

TEST(SqlShape, PrefixedLiteralsAndIdentifiersAreKept) {
  SqlShape s = Shape("SELECT B'101', X'ff', \"col 1\", t1.c2 FROM t1");
  EXPECT_EQ(s.text, "SELECT B'101', X'ff', \"col 1\", t1.c2 FROM t1");
  EXPECT_FALSE(s.lifted_any);
}

TEST(SqlShape, DollarQuotesAreKeptAsWritten) {
  SqlShape s = Shape("DO $body$ BEGIN PERFORM 1; END $body$; SELECT $$x$$, 3");
  EXPECT_EQ(s.text, "DO $body$ BEGIN PERFORM 1; END $body$; SELECT $$x$$, $1");
  EXPECT_EQ(s.literals, Strings{"3"});
}

TEST(SqlShape, CommentsAreDropped) {
  SqlShape a = Shape("SELECT 1 /*code_path='a%2Fb',lane='x'*/");
  SqlShape b = Shape("SELECT 2 -- trailing\n");
  SqlShape c = Shape("SELECT /* nested /* inner */ still */ 3");
  EXPECT_EQ(a.text, "SELECT $1  ");
  EXPECT_EQ(a.literals, Strings{"1"});  // nothing from the comment
  EXPECT_EQ(b.text, "SELECT $1  \n");
  EXPECT_EQ(c.text, "SELECT   $1");
  EXPECT_EQ(Shape("SELECT 1 /* a */").text, Shape("SELECT 9 /* b */").text);
}

TEST(SqlShape, IdentifiersWithDigitsAreNotNumbers) {
  SqlShape s = Shape("SELECT col1, 1abc FROM t2");
  EXPECT_EQ(s.text, "SELECT col1, 1abc FROM t2");
  EXPECT_FALSE(s.lifted_any);
}

TEST(SqlShape, UnterminatedLiteralIsKept) {
  SqlShape s = Shape("SELECT 'abc");
  EXPECT_EQ(s.text, "SELECT 'abc");
  EXPECT_FALSE(s.lifted_any);
}

TEST(SqlShape, BufferIsReused) {
  SqlShape s;
  ShapeOf("SELECT 'a', $3", &s);
  EXPECT_EQ(s.param_base, 3);
  ShapeOf("SELECT 1", &s);
  EXPECT_EQ(s.param_base, 0);
  EXPECT_EQ(s.literals, Strings{"1"});
  EXPECT_EQ(s.text, "SELECT $1");
}

}  // namespace
}  // namespace rls_shadow
