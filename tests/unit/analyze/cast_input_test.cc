// Casts of text to uuid, integers, numeric and boolean (and back to text), as PostgreSQL 15
// does them: every row is what PostgreSQL 15.18 answered on this project's machine, through
//
//   CREATE FUNCTION try_cast(t text, v text) RETURNS text LANGUAGE plpgsql AS $$
//   DECLARE r text;
//   BEGIN
//     EXECUTE format('SELECT (%L::text::%s)::text', v, t) INTO r;
//     RETURN 'OK:' || coalesce(r, '<null>');
//   EXCEPTION WHEN others THEN RETURN 'ERR:' || SQLSTATE || ':' || SQLERRM;
//   END $$;
//
// (SELECT try_cast('numeric', '1e3') and so on). A policy casts the session's context with
// these (current_setting(...)::uuid): accepting what PostgreSQL rejects is a missed denial,
// rejecting what it accepts a false one.
#include <gtest/gtest.h>

#include <string>

#include "analyze/evaluator.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

struct CastCase {
  const char* type;
  const char* input;
  const char* postgres;  // "OK:<the value as text>" or "ERR:<SQLSTATE>:<message>"
};

constexpr CastCase kCases[] = {
    {"uuid", "", "ERR:22P02:invalid input syntax for type uuid: \"\""},
    {"uuid", " ", "ERR:22P02:invalid input syntax for type uuid: \" \""},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERR:22P02:invalid input syntax for type uuid: \" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 \""},
    {"uuid", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\""},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111\""},
    {"uuid", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERR:22P02:invalid input syntax for type uuid: \"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g\""},
    {"uuid", "-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERR:22P02:invalid input syntax for type uuid: \"-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"uuid", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-\""},
    {"uuid", "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"uuid", "a-0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERR:22P02:invalid input syntax for type uuid: \"a-0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}\""},
    {"uuid", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}x",
     "ERR:22P02:invalid input syntax for type uuid: \"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}x\""},
    {"int4", "", "ERR:22P02:invalid input syntax for type integer: \"\""},
    {"int4", " ", "ERR:22P02:invalid input syntax for type integer: \" \""},
    {"int4", " 1", "OK:1"},
    {"int4", "1 ", "OK:1"},
    {"int4", " 1 ", "OK:1"},
    {"int4", "+1", "OK:1"},
    {"int4", "-1", "OK:-1"},
    {"int4", "-0", "OK:0"},
    {"int4", "0x1F", "ERR:22P02:invalid input syntax for type integer: \"0x1F\""},
    {"int4", "1_000", "ERR:22P02:invalid input syntax for type integer: \"1_000\""},
    {"int4", "2147483647", "OK:2147483647"},
    {"int4", "2147483648", "ERR:22003:value \"2147483648\" is out of range for type integer"},
    {"int4", "-2147483648", "OK:-2147483648"},
    {"int4", "-2147483649", "ERR:22003:value \"-2147483649\" is out of range for type integer"},
    {"int4", "1.0", "ERR:22P02:invalid input syntax for type integer: \"1.0\""},
    {"int4", "1e3", "ERR:22P02:invalid input syntax for type integer: \"1e3\""},
    {"int4", "00012", "OK:12"},
    {"int4", "abc", "ERR:22P02:invalid input syntax for type integer: \"abc\""},
    {"int4", "--1", "ERR:22P02:invalid input syntax for type integer: \"--1\""},
    {"int4", "+-1", "ERR:22P02:invalid input syntax for type integer: \"+-1\""},
    {"int4", "1 2", "ERR:22P02:invalid input syntax for type integer: \"1 2\""},
    {"int4", "\t7", "OK:7"},
    {"int4", "7\t", "OK:7"},
    {"int4", "99999999999999999999",
     "ERR:22003:value \"99999999999999999999\" is out of range for type integer"},
    {"int2", "32767", "OK:32767"},
    {"int2", "32768", "ERR:22003:value \"32768\" is out of range for type smallint"},
    {"int2", "-32768", "OK:-32768"},
    {"int2", "-32769", "ERR:22003:value \"-32769\" is out of range for type smallint"},
    {"int2", " 12 ", "OK:12"},
    {"int8", "9223372036854775807", "OK:9223372036854775807"},
    {"int8", "9223372036854775808",
     "ERR:22003:value \"9223372036854775808\" is out of range for type bigint"},
    {"int8", "-9223372036854775808", "OK:-9223372036854775808"},
    {"int8", "-9223372036854775809",
     "ERR:22003:value \"-9223372036854775809\" is out of range for type bigint"},
    {"int8", "0b101", "ERR:22P02:invalid input syntax for type bigint: \"0b101\""},
    {"int8", "0o17", "ERR:22P02:invalid input syntax for type bigint: \"0o17\""},
    {"int8", "+0", "OK:0"},
    {"numeric", "1.0", "OK:1.0"},
    {"numeric", "1.50", "OK:1.50"},
    {"numeric", " 1.5 ", "OK:1.5"},
    {"numeric", "NaN", "OK:NaN"},
    {"numeric", "nan", "OK:NaN"},
    {"numeric", "Infinity", "OK:Infinity"},
    {"numeric", "-inf", "OK:-Infinity"},
    {"numeric", "1e3", "OK:1000"},
    {"numeric", "1E-2", "OK:0.01"},
    {"numeric", ".5", "OK:0.5"},
    {"numeric", "5.", "OK:5"},
    {"numeric", "+.5", "OK:0.5"},
    {"numeric", "abc", "ERR:22P02:invalid input syntax for type numeric: \"abc\""},
    {"numeric", "", "ERR:22P02:invalid input syntax for type numeric: \"\""},
    {"numeric", "1_000.5", "ERR:22P02:invalid input syntax for type numeric: \"1_000.5\""},
    {"numeric", "0x10", "ERR:22P02:invalid input syntax for type numeric: \"0x10\""},
    {"numeric", "-0", "OK:0"},
    {"numeric", "-0.0", "OK:0.0"},
    {"numeric", "00.100", "OK:0.100"},
    {"numeric", "1e", "ERR:22P02:invalid input syntax for type numeric: \"1e\""},
    {"numeric", "e5", "ERR:22P02:invalid input syntax for type numeric: \"e5\""},
    {"numeric", "1.2.3", "ERR:22P02:invalid input syntax for type numeric: \"1.2.3\""},
    {"bool", "t", "OK:true"},
    {"bool", "true", "OK:true"},
    {"bool", "TRUE", "OK:true"},
    {"bool", " yes ", "OK:true"},
    {"bool", "y", "OK:true"},
    {"bool", "on", "OK:true"},
    {"bool", "of", "OK:false"},
    {"bool", "off", "OK:false"},
    {"bool", "1", "OK:true"},
    {"bool", "0", "OK:false"},
    {"bool", "2", "ERR:22P02:invalid input syntax for type boolean: \"2\""},
    {"bool", "", "ERR:22P02:invalid input syntax for type boolean: \"\""},
    {"bool", "tr", "OK:true"},
    {"bool", "f", "OK:false"},
    {"bool", "n", "OK:false"},
    {"bool", "no", "OK:false"},
    {"bool", "nope", "ERR:22P02:invalid input syntax for type boolean: \"nope\""},
    {"bool", "o", "ERR:22P02:invalid input syntax for type boolean: \"o\""},
    {"bool", "yEs", "OK:true"},
    {"bool", "truex", "ERR:22P02:invalid input syntax for type boolean: \"truex\""},
    {"bool", "\ttrue", "OK:true"},
    {"numeric", "-nan", "ERR:22P02:invalid input syntax for type numeric: \"-nan\""},
    {"numeric", "+nan", "ERR:22P02:invalid input syntax for type numeric: \"+nan\""},
    {"numeric", " NaN ", "OK:NaN"},
    {"numeric", "+inf", "OK:Infinity"},
    {"numeric", "INF", "OK:Infinity"},
    {"numeric", "infinity", "OK:Infinity"},
    {"numeric", "+Infinity", "OK:Infinity"},
    {"numeric", "-Infinity", "OK:-Infinity"},
    {"numeric", "infinit", "ERR:22P02:invalid input syntax for type numeric: \"infinit\""},
    {"numeric", "1e+3", "OK:1000"},
    {"numeric", "1e-3", "OK:0.001"},
    {"numeric", "1.e3", "OK:1000"},
    {"numeric", ".e3", "ERR:22P02:invalid input syntax for type numeric: \".e3\""},
    {"numeric", "1e3.5", "ERR:22P02:invalid input syntax for type numeric: \"1e3.5\""},
    {"numeric", "1e100000000", "ERR:22003:value overflows numeric format"},
    {"numeric", "1.50e1", "OK:15.0"},
    {"numeric", "1.55e1", "OK:15.5"},
    {"numeric", "0.000", "OK:0.000"},
    {"numeric", "-0.000e5", "OK:0"},
    {"numeric", "12345678901234567890123.5", "OK:12345678901234567890123.5"},
    {"numeric", "1e-5", "OK:0.00001"},
    {"numeric", "123.456e-2", "OK:1.23456"},
    {"numeric", "  -12  ", "OK:-12"},
    {"numeric", "+", "ERR:22P02:invalid input syntax for type numeric: \"+\""},
    {"numeric", "-", "ERR:22P02:invalid input syntax for type numeric: \"-\""},
    {"numeric", ".", "ERR:22P02:invalid input syntax for type numeric: \".\""},
    {"numeric", "1 e3", "ERR:22P02:invalid input syntax for type numeric: \"1 e3\""},
    {"numeric", "1e 3", "OK:1000"},
    {"numeric", "0001.2300", "OK:1.2300"},
    {"numeric", "5e-16384", "ERR:22003:value overflows numeric format"},
    {"numeric", "1.5E+2", "OK:150"},
    {"numeric", "-.5", "OK:-0.5"},
    {"numeric", "1.5e-2", "OK:0.015"},
    {"numeric", "1e+", "ERR:22P02:invalid input syntax for type numeric: \"1e+\""},
    {"numeric", "1e-", "ERR:22P02:invalid input syntax for type numeric: \"1e-\""},
    {"numeric", "NaNx", "ERR:22P02:invalid input syntax for type numeric: \"NaNx\""},
    {"numeric", "nanx", "ERR:22P02:invalid input syntax for type numeric: \"nanx\""},
    {"numeric", "-0e0", "OK:0"},
    {"numeric", "1e0000000000000000000005", "OK:100000"},
    {"int8", "+0", "OK:0"},
    {"int8", "-0", "OK:0"},
    {"int8", "+", "ERR:22P02:invalid input syntax for type bigint: \"+\""},
    {"int8", "-", "ERR:22P02:invalid input syntax for type bigint: \"-\""},
    {"int8", " +5 ", "OK:5"},
    {"int8", "0005", "OK:5"},
    {"int8", "1e2", "ERR:22P02:invalid input syntax for type bigint: \"1e2\""},
    {"int8", "12a", "ERR:22P02:invalid input syntax for type bigint: \"12a\""},
    {"int8", "9223372036854775807 ", "OK:9223372036854775807"},
    {"bool", "true", "OK:true"},
    {"bool", "false", "OK:false"},
    {"bool", "t", "OK:true"},
    {"bool", "f", "OK:false"},
    {"uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}", "OK:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\t",
     "ERR:22P02:invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\t\""},
};

std::string Outcome(const Value& v) {
  if (v.is_known()) return "OK:" + v.text;
  if (v.is_error()) return "ERR:" + v.text + ":" + v.message;
  if (v.is_null()) return "OK:<null>";
  return "not decided: " + v.message;
}

TEST(CastInput, AgreesWithPostgresOnEveryRecordedInput) {
  for (const CastCase& c : kCases) {
    const Value cast = Evaluator::Cast(Value::Known(c.input, "text"), c.type);
    EXPECT_EQ(Outcome(Evaluator::Cast(cast, "text")), c.postgres)
        << "'" << c.input << "'::" << c.type;
  }
}

// Numeric values compare as numbers, exactly: by value whatever their scale or notation, with
// more digits than a long double holds, and NaN equal to itself and above every other value
// (PostgreSQL's numeric ordering; each line checked with SELECT on PostgreSQL 15.18).
TEST(CastInput, NumericComparesExactly) {
  const char* const kTrue[] = {
      "'1e3'::numeric = 1000.00",
      "'-0'::numeric = 0",
      "'12345678901234567890123'::numeric < '12345678901234567890124'::numeric",
      "'0.1'::numeric > '0.09999999999999999999999'::numeric",
      "'-2'::numeric > '-10'::numeric",
      "'NaN'::numeric = 'nan'::numeric",
      "'NaN'::numeric > 'Infinity'::numeric",
      "'-Infinity'::numeric < '-1e300'::numeric",
      "'5'::numeric < '5.5'::numeric",
      "'9223372036854775807'::int8 < '9223372036854775808'::numeric",
  };
  EvalInputs in;
  for (const char* text : kTrue) {
    ExprPtr e = testing_analyze::ParseExpr(text);
    ASSERT_NE(e, nullptr) << text;
    const Value v = Evaluator(in).Eval(*e);
    EXPECT_TRUE(v.is_known() && v.type == "bool" && v.text == "t") << text << ": " << Outcome(v);
  }
}

}  // namespace
}  // namespace rls_shadow
