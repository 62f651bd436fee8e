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

// An integer constant that fits in int4 is held by its value (PostgreSQL 15.18: SET x = 007
// shows 7, 007::text is '7'); a larger one, a fraction or an exponent is kept as written.
TEST(SqlShape, IntegerLiteralsAreLiftedAsTheirValue) {
  SqlShape s = Shape("SET app.x = 007");
  EXPECT_EQ(s.text, "SET app.x = $1");
  EXPECT_EQ(s.literals, (Strings{"7"}));
  EXPECT_EQ(Shape("SELECT 0, 000, 2147483647, 02147483647, 2147483648, 0001.50, 007e1").literals,
            (Strings{"0", "0", "2147483647", "2147483647", "2147483648", "0001.50", "007e1"}));
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
  EXPECT_EQ(a.text, "SELECT $1");
  EXPECT_EQ(a.literals, Strings{"1"});  // nothing from the comment
  EXPECT_EQ(b.text, "SELECT $1");
  EXPECT_EQ(c.text, "SELECT   $1");
  EXPECT_EQ(Shape("SELECT 1 /* a */").text, Shape("SELECT 9 /* b */").text);
}

// A comment at either end (sqlcommenter's tags, a tracing prefix), a trailing semicolon and
// blanks around the statement are not part of it: every such spelling of one statement has
// one shape, so one parse.
TEST(SqlShape, TextsDifferingOnlyAtTheirEndsShareAShape) {
  const std::string plain = Shape("DELETE FROM t WHERE id = 5").text;
  EXPECT_EQ(plain, "DELETE FROM t WHERE id = $1");
  for (const char* variant : {
           "DELETE FROM t WHERE id = 6;",
           "DELETE FROM t WHERE id = 7 /*code_path='a',lane='b'*/",
           "DELETE FROM t WHERE id = 8 /*code_path='a'*/;",
           "DELETE FROM t WHERE id = 9; -- retried\n",
           "/* trace=abc */ DELETE FROM t WHERE id = 10",
           "\n\t DELETE FROM t WHERE id = 11 ;\r\n",
           "DELETE FROM t WHERE id = 12;;",
       }) {
    EXPECT_EQ(Shape(variant).text, plain) << variant;
  }
  // Inside the statement nothing changes: blanks between tokens, and what a quoted
  // identifier, a dollar quote or an unterminated literal holds at the end.
  EXPECT_EQ(Shape("SELECT  1 ").text, "SELECT  $1");
  EXPECT_EQ(Shape("SELECT 1 AS \"x ;\"").text, "SELECT $1 AS \"x ;\"");
  EXPECT_EQ(Shape("DO $$ BEGIN END; $$").text, "DO $$ BEGIN END; $$");
  EXPECT_EQ(Shape("SELECT 'abc ;").text, "SELECT 'abc");  // unterminated: no statement either way
  // An unterminated comment makes the text invalid: kept, so it shares no shape with the
  // statement without it.
  EXPECT_EQ(Shape("SELECT a FROM t /* x").text, "SELECT a FROM t /* x");
  EXPECT_EQ(Shape("SELECT a FROM t /* x /* y */").text, "SELECT a FROM t /* x /* y */");
  // A leading semicolon begins an empty statement: kept.
  EXPECT_EQ(Shape("; SELECT 1").text, "; SELECT $1");
  EXPECT_EQ(Shape("").text, "");
  EXPECT_EQ(Shape(" ;\n").text, "");
}

// Block comments, nested as PostgreSQL nests them, over texts of "x", " ", "*" and "/" only
// (so comments are the only thing to shape), checked against a scan of one byte at a time:
// the shaper skips a comment's body sixteen bytes at a time, and the marks may fall anywhere
// in those blocks.
std::string ShapeByBytes(std::string_view sql) {
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    if (sql.substr(i, 2) != "/*") {
      out += sql[i++];
      continue;
    }
    const size_t start = i;
    int depth = 0;
    while (i < sql.size()) {
      if (sql.substr(i, 2) == "/*") {
        ++depth;
        i += 2;
      } else if (sql.substr(i, 2) == "*/") {
        i += 2;
        if (--depth == 0) break;
      } else {
        ++i;
      }
    }
    out += depth > 0 ? std::string(sql.substr(start)) : " ";
  }
  const size_t end = out.find_last_not_of(" ;");
  if (end == std::string::npos) return "";
  const size_t begin = out.find_first_not_of(' ');
  return out.substr(begin, end + 1 - begin);
}

TEST(SqlShape, BlockCommentsEndWhereAScanOfOneByteAtATimeEndsThem) {
  uint32_t seed = 12345;
  auto next = [&seed](uint32_t bound) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % bound;
  };
  const char alphabet[] = {'x', ' ', '*', '/'};
  for (int round = 0; round < 5000; ++round) {
    std::string sql = "x";
    const uint32_t length = next(80);
    for (uint32_t k = 0; k < length; ++k) sql += alphabet[next(4)];
    if (next(2) == 0) sql += "*/ x";
    EXPECT_EQ(Shape(sql).text, ShapeByBytes(sql)) << sql;
  }
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
