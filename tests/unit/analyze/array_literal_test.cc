// Array literals cast to text[], uuid[] and int4[] as PostgreSQL 15 reads them (array_in), the
// form a tenant list in a setting takes (tenant_id = ANY(current_setting('app.tenants')::uuid[])).
// Every row is what PostgreSQL 15.18 answered on this project's machine, through
//
//   CREATE FUNCTION arr_elems(t text, v text) RETURNS text LANGUAGE plpgsql AS $$
//   DECLARE r text;
//   BEGIN
//     EXECUTE format('SELECT string_agg(coalesce(''<'' || x::text || ''>'', ''NULL''), ''|''
//                     ORDER BY o) FROM unnest(%L::%s) WITH ORDINALITY AS u(x, o)', v, t) INTO r;
//     RETURN 'OK:' || coalesce(r, '');
//   EXCEPTION WHEN others THEN RETURN 'ERR:' || SQLSTATE || ':' || SQLERRM;
//   END $$;
//
// One input PostgreSQL 15 gets wrong is left out: '{{{a}},{b}}', sub-arrays of different depths,
// which it accepts as an array with no elements (PostgreSQL 17 rejects it); rls-shadow reads its
// two elements.
#include <gtest/gtest.h>

#include <string>

#include "analyze/evaluator.h"

namespace rls_shadow {
namespace {

struct ArrayCase {
  const char* type;
  const char* input;
  const char* postgres;  // "OK:<element>|NULL|..." or "ERR:<SQLSTATE>:<message>"
};

constexpr ArrayCase kCases[] = {
    {"text[]", "{a,b}", "OK:<a>|<b>"},
    {"text[]", "{a, b}", "OK:<a>|<b>"},
    {"text[]", " {a,b} ", "OK:<a>|<b>"},
    {"text[]", "{}", "OK:"},
    {"text[]", "{ }", "OK:"},
    {"text[]", "{NULL}", "OK:NULL"},
    {"text[]", "{null}", "OK:NULL"},
    {"text[]", "{NuLl}", "OK:NULL"},
    {"text[]", "{\"NULL\"}", "OK:<NULL>"},
    {"text[]", "{a,}", "ERR:22P02:malformed array literal: \"{a,}\""},
    {"text[]", "{,a}", "ERR:22P02:malformed array literal: \"{,a}\""},
    {"text[]", "{a,,b}", "ERR:22P02:malformed array literal: \"{a,,b}\""},
    {"text[]", "{a b}", "OK:<a b>"},
    {"text[]", "{ a b }", "OK:<a b>"},
    {"text[]", "{\"a,b\"}", "OK:<a,b>"},
    {"text[]", "{\"a\\\"b\"}", "OK:<a\"b>"},
    {"text[]", "{a\\,b}", "OK:<a,b>"},
    {"text[]", "{a\\\\b}", "OK:<a\\b>"},
    {"text[]", "{\"a\\\\b\"}", "OK:<a\\b>"},
    {"text[]", "{{a,b},{c,d}}", "OK:<a>|<b>|<c>|<d>"},
    {"text[]", "{{a},{b,c}}", "ERR:22P02:malformed array literal: \"{{a},{b,c}}\""},
    {"text[]", "{a}}", "ERR:22P02:malformed array literal: \"{a}}\""},
    {"text[]", "{{a}", "ERR:22P02:malformed array literal: \"{{a}\""},
    {"text[]", "{a} x", "ERR:22P02:malformed array literal: \"{a} x\""},
    {"text[]", "[1:2]={a,b}", "OK:<a>|<b>"},
    {"text[]", "[0:1]={a,b}", "OK:<a>|<b>"},
    {"text[]", "{\"a\"b}", "ERR:22P02:malformed array literal: \"{\"a\"b}\""},
    {"text[]", "{a\"b\"}", "ERR:22P02:malformed array literal: \"{a\"b\"}\""},
    {"text[]", "{\"\"}", "OK:<>"},
    {"text[]", "{\"\",\"\"}", "OK:<>|<>"},
    {"text[]", "a,b", "ERR:22P02:malformed array literal: \"a,b\""},
    {"text[]", "{a,{b}}", "ERR:22P02:malformed array literal: \"{a,{b}}\""},
    {"text[]", "{\ta\t}", "OK:<a>"},
    {"text[]", "{\"a\" , \"b\"}", "OK:<a>|<b>"},
    {"text[]", "{a\\}", "ERR:22P02:malformed array literal: \"{a\\}\""},
    {"text[]", "{\\}", "ERR:22P02:malformed array literal: \"{\\}\""},
    {"text[]", "{NULLx}", "OK:<NULLx>"},
    {"text[]", "{xNULL}", "OK:<xNULL>"},
    {"text[]", "{\"a\"  \"b\"}", "ERR:22P02:malformed array literal: \"{\"a\"  \"b\"}\""},
    {"uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
     "OK:<a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11>"},
    {"uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,}",
     "ERR:22P02:malformed array literal: \"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,}\""},
    {"uuid[]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, NULL}",
     "OK:<a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11>|NULL"},
    {"uuid[]", "{bad}", "ERR:22P02:invalid input syntax for type uuid: \"bad\""},
    {"uuid[]", "{\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}",
     "OK:<a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11>"},
    {"int4[]", "{1,2,3}", "OK:<1>|<2>|<3>"},
    {"int4[]", "{1, x}", "ERR:22P02:invalid input syntax for type integer: \"x\""},
    {"int4[]", "{ 1 , 2 }", "OK:<1>|<2>"},
    {"int4[]", "{{1,2},{3,4}}", "OK:<1>|<2>|<3>|<4>"},
    {"text[]", "{{a},{{b}}}", "OK:<a>|<b>"},
    {"text[]", "{ \"a\" }", "OK:<a>"},
    {"text[]", "{a\\ }", "OK:<a >"},
    {"text[]", "{ \\ a}", "OK:< a>"},
    {"text[]", "{\"a\"\\\"}", "ERR:22P02:malformed array literal: \"{\"a\"\\\"}\""},
    {"text[]", "{{},{}}", "ERR:22P02:malformed array literal: \"{{},{}}\""},
    {"text[]", "[1:2][1:1]={{a},{b}}", "OK:<a>|<b>"},
    {"text[]", "[1:3]={a,b}", "ERR:22P02:malformed array literal: \"[1:3]={a,b}\""},
    {"text[]", " [1:2] = {a,b}", "OK:<a>|<b>"},
    {"text[]", "[2:1]={}", "ERR:2202E:upper bound cannot be less than lower bound"},
    {"text[]", "[1:1]={}", "ERR:22P02:malformed array literal: \"[1:1]={}\""},
    {"text[]", "{a,b}}", "ERR:22P02:malformed array literal: \"{a,b}}\""},
    {"text[]", "[1:2]{a,b}", "ERR:22P02:malformed array literal: \"[1:2]{a,b}\""},
    {"text[]", "[x]={a}", "ERR:22P02:malformed array literal: \"[x]={a}\""},
    {"text[]", "[1:]={a}", "ERR:22P02:malformed array literal: \"[1:]={a}\""},
    {"text[]", "[2]={a,b}", "OK:<a>|<b>"},
    {"text[]", "{{a,b},{c,d},{e,f}}", "OK:<a>|<b>|<c>|<d>|<e>|<f>"},
    {"text[]", "{{\"a\",b},{c,\"d\"}}", "OK:<a>|<b>|<c>|<d>"},
    {"text[]", "{\"\\\\\"}", "OK:<\\>"},
    {"text[]", "{\"}", "ERR:22P02:malformed array literal: \"{\"}\""},
    {"text[]", "{a,\"b}", "ERR:22P02:malformed array literal: \"{a,\"b}\""},
    {"text[]", "{{{{{{{a}}}}}}}",
     "ERR:54000:number of array dimensions (7) exceeds the maximum allowed (6)"},
    {"text[]", "{{{{{{a}}}}}}", "OK:<a>"},
    {"text[]", "{NULL ,null}", "OK:NULL|NULL"},
    {"text[]", "{ NULL }", "OK:NULL"},
    {"text[]", "{\"a\",NULL}", "OK:<a>|NULL"},
    {"text[]", "{N\\ULL}", "OK:<NULL>"},
    {"text[]", "{\"\"NULL}", "ERR:22P02:malformed array literal: \"{\"\"NULL}\""},
};

// What the evaluator makes of `input` as `type`: the cast's error, or each element cast to the
// element type and back to text.
std::string Outcome(const std::string& type, const std::string& input) {
  const Value cast = Evaluator::Cast(Value::Known(input, "text"), type);
  if (cast.is_error()) return "ERR:" + cast.text + ":" + cast.message;
  if (!cast.is_known()) return "not decided: " + cast.message;
  const auto items = ParseArrayLiteral(input);
  if (!items) return "cast accepted what ParseArrayLiteral rejects";
  const std::string element = type.substr(0, type.size() - 2);
  std::string out = "OK:";
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out += "|";
    const auto& item = (*items)[i];
    if (!item) {
      out += "NULL";
      continue;
    }
    out +=
        "<" + Evaluator::Cast(Evaluator::Cast(Value::Known(*item, ""), element), "text").text + ">";
  }
  return out;
}

TEST(ArrayLiteral, AgreesWithPostgresOnEveryRecordedInput) {
  for (const ArrayCase& c : kCases) {
    EXPECT_EQ(Outcome(c.type, c.input), c.postgres) << "'" << c.input << "'::" << c.type;
  }
}

}  // namespace
}  // namespace rls_shadow
