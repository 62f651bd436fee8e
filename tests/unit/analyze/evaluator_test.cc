// Evaluator: PostgreSQL expression semantics over Values — three-valued logic, unknown rows as
// sets of possible truth values, PostgreSQL's input functions (uuid, integers, boolean) with
// their SQLSTATEs and messages, IN / ANY over array literals, DISTINCT, COALESCE, NULLIF, CASE,
// current_user / session_user, and "indeterminate" naming what could not be decided.
#include "analyze/evaluator.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::ParseExpr;

const std::string T1 = testing_analyze::kT1;
const std::string T2 = testing_analyze::kT2;

// What an expression may read: settings, parameters, the row's known columns and the table's
// column types (every other column is unknown: the row was not observed).
struct Env {
  std::map<std::string, std::string, std::less<>> settings;
  std::vector<std::optional<std::string>> params;
  std::map<std::string, Value> columns;
  std::map<std::string, std::pair<std::string, bool>, std::less<>> types{
      {"tenant_id", {"uuid", true}}, {"val", {"text", false}}, {"id", {"int4", true}}};
  std::string current_user = "app_role";
  std::string session_user = "postgres";
};

Value Eval(const std::string& text, const Env& env = Env{}) {
  EvalInputs in;
  in.setting = [&](std::string_view name) -> std::optional<std::string_view> {
    auto it = env.settings.find(name);
    if (it == env.settings.end()) return std::nullopt;
    return it->second;
  };
  in.current_user = env.current_user;
  in.session_user = env.session_user;
  in.params = &env.params;
  in.column = [&](const Expr& c) -> std::optional<Value> {
    auto it = env.columns.find(c.name);
    if (it == env.columns.end()) return std::nullopt;
    return it->second;
  };
  in.column_type = [&](std::string_view col) -> std::pair<std::string, bool> {
    auto it = env.types.find(col);
    return it == env.types.end() ? std::pair<std::string, bool>{"", false} : it->second;
  };
  ExprPtr e = ParseExpr(text);
  if (!e) return Value::Indeterminate("parse");
  return Evaluator(in).Eval(*e);
}

::testing::AssertionResult IsBool(const Value& v, bool want) {
  if (v.is_known() && v.type == "bool" && v.text == (want ? "t" : "f")) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "kind " << static_cast<int>(v.kind) << " text '" << v.text
                                       << "' message '" << v.message << "'";
}

::testing::AssertionResult IsUnknownBool(const Value& v, uint8_t possible) {
  if (v.is_unknown() && v.possible == possible) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "kind " << static_cast<int>(v.kind) << " possible " << static_cast<int>(v.possible)
         << " message '" << v.message << "'";
}

::testing::AssertionResult IsError(const Value& v, const std::string& sqlstate,
                                   const std::string& message) {
  if (v.is_error() && v.text == sqlstate && v.message == message) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "kind " << static_cast<int>(v.kind) << " '" << v.text << "' '" << v.message << "'";
}

// --- three-valued logic
// ---------------------------------------------------------------------------

TEST(Evaluator, ThreeValuedLogic) {
  EXPECT_TRUE(IsBool(Eval("NULL AND false"), false));
  EXPECT_TRUE(Eval("NULL AND true").is_null());
  EXPECT_TRUE(IsBool(Eval("NULL OR true"), true));
  EXPECT_TRUE(Eval("NULL OR false").is_null());
  EXPECT_TRUE(Eval("NOT NULL").is_null());
  EXPECT_TRUE(IsBool(Eval("NOT false"), true));
  EXPECT_TRUE(Eval("'a' = NULL").is_null());
  EXPECT_TRUE(IsBool(Eval("NULL IS NULL"), true));
  EXPECT_TRUE(IsBool(Eval("(NULL AND true) IS NOT TRUE"), true));
  EXPECT_TRUE(IsBool(Eval("(1 = 1) IS TRUE"), true));
  EXPECT_TRUE(IsBool(Eval("(1 = 2) IS FALSE"), true));
}

TEST(Evaluator, UnknownRowsCarryTheirPossibleTruthValues) {
  // tenant_id is NOT NULL: compared with a value it is true or false, never NULL.
  Value v = Eval("tenant_id = '" + T1 + "'::uuid");
  EXPECT_TRUE(IsUnknownBool(v, kMaybeTrue | kMaybeFalse));
  EXPECT_EQ(Evaluator::ToPredicate(v), Predicate::kRowDependent);
  // val may be NULL.
  EXPECT_TRUE(IsUnknownBool(Eval("val = 'x'"), kAnyTruth));
  // Compared with NULL: NULL for every row, so the policy fails for every row.
  Value null_cmp = Eval("tenant_id = current_setting('app.x', true)::uuid");
  EXPECT_TRUE(null_cmp.is_null());
  EXPECT_EQ(Evaluator::ToPredicate(null_cmp), Predicate::kFail);
  // Connectives: a definite operand can decide.
  EXPECT_TRUE(IsBool(Eval("tenant_id = '" + T1 + "'::uuid AND false"), false));
  EXPECT_TRUE(IsBool(Eval("tenant_id = '" + T1 + "'::uuid OR true"), true));
  EXPECT_TRUE(
      IsUnknownBool(Eval("NOT (tenant_id = '" + T1 + "'::uuid)"), kMaybeTrue | kMaybeFalse));
  EXPECT_TRUE(
      IsUnknownBool(Eval("tenant_id = '" + T1 + "'::uuid AND NULL"), kMaybeFalse | kMaybeNull));
  // IS NULL over an unknown row.
  EXPECT_TRUE(IsBool(Eval("tenant_id IS NULL"), false));
  EXPECT_TRUE(IsUnknownBool(Eval("val IS NULL"), kMaybeTrue | kMaybeFalse));
  // A known column is used as is.
  Env env;
  env.columns["tenant_id"] = Value::Known(T1, "uuid");
  EXPECT_TRUE(IsBool(Eval("tenant_id = '" + T1 + "'::uuid", env), true));
  EXPECT_EQ(Evaluator::ToPredicate(Eval("tenant_id = '" + T2 + "'::uuid", env)), Predicate::kFail);
}

TEST(Evaluator, ToPredicate) {
  EXPECT_EQ(Evaluator::ToPredicate(Value::Bool(true)), Predicate::kPass);
  EXPECT_EQ(Evaluator::ToPredicate(Value::Bool(false)), Predicate::kFail);
  EXPECT_EQ(Evaluator::ToPredicate(Value::Null()), Predicate::kFail);
  EXPECT_EQ(Evaluator::ToPredicate(Value::Unknown("bool", kMaybeFalse | kMaybeNull)),
            Predicate::kFail);
  EXPECT_EQ(Evaluator::ToPredicate(Value::Unknown("bool", kMaybeTrue | kMaybeNull)),
            Predicate::kRowDependent);
  EXPECT_EQ(Evaluator::ToPredicate(Value::Error("22P02", "x")), Predicate::kError);
  EXPECT_EQ(Evaluator::ToPredicate(Value::Indeterminate("x")), Predicate::kIndeterminate);
}

// --- current_setting
// ---------------------------------------------------------------------------------

TEST(Evaluator, CurrentSetting) {
  EXPECT_TRUE(Eval("current_setting('app.x', true)").is_null());
  EXPECT_TRUE(IsError(Eval("current_setting('app.x')"), "42704",
                      "unrecognized configuration parameter \"app.x\""));
  Env env;
  env.settings["app.x"] = "";
  Value empty = Eval("current_setting('app.x')", env);
  ASSERT_TRUE(empty.is_known());
  EXPECT_EQ(empty.text, "");
  EXPECT_TRUE(IsError(Eval("current_setting('app.x', true)::uuid", env), "22P02",
                      "invalid input syntax for type uuid: \"\""));
}

// --- casts
// --------------------------------------------------------------------------------------------

TEST(Evaluator, UuidFormsPostgresAccepts) {
  const std::string canonical = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
  for (const char* form : {
           "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
           "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
           "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
           "a0eebc999c0b4ef8bb6d6bb9bd380a11",
           "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
           "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
       }) {
    Value v = Evaluator::Cast(Value::Known(form, ""), "uuid");
    ASSERT_TRUE(v.is_known()) << form << ": " << v.message;
    EXPECT_EQ(v.text, canonical) << form;
    EXPECT_EQ(v.type, "uuid");
  }
  EXPECT_TRUE(IsBool(
      Eval("'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid = '" + canonical + "'::uuid"), true));
}

TEST(Evaluator, IsCanonicalUuid) {
  const std::string canonical = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
  EXPECT_TRUE(IsCanonicalUuid(canonical));
  EXPECT_TRUE(IsCanonicalUuid("01234567-89ab-cdef-0123-456789abcdef"));
  EXPECT_FALSE(IsCanonicalUuid(""));
  EXPECT_FALSE(IsCanonicalUuid(canonical.substr(1)));
  EXPECT_FALSE(IsCanonicalUuid(canonical + "0"));
  // Each position spoiled on its own: a hyphen where a digit belongs and the reverse, an
  // upper-case digit, a byte past ASCII, a NUL, and the characters next to the hex ranges.
  for (size_t i = 0; i < canonical.size(); ++i) {
    const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    for (char c : {'-', 'A', 'g', '/', ':', '`', '\x80', '\xff', '\0', '0', 'f'}) {
      std::string spoiled = canonical;
      spoiled[i] = c;
      const bool want =
          hyphen ? c == '-' : (c != '-' && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
      EXPECT_EQ(IsCanonicalUuid(spoiled), want) << i << " " << static_cast<int>(c);
    }
  }
}

// A policy's column = current_setting(...)::uuid over a row: the row's value compared with the
// setting read in place gives what the general comparison gives.
TEST(Evaluator, RowColumnComparedWithSetting) {
  auto eval = [](const std::string& text, const std::map<std::string, Value>& row,
                 std::optional<std::string> setting) {
    EvalInputs in;
    in.setting = [&](std::string_view name) -> std::optional<std::string_view> {
      if (name != "app.x" || !setting) return std::nullopt;
      return *setting;
    };
    in.column_type = [](std::string_view col) -> std::pair<std::string, bool> {
      if (col == "tenant_id") return {"uuid", true};
      if (col == "val") return {"text", false};
      return {"", false};
    };
    const RowLookup lookup = [&](const Expr& c) -> const Value* {
      auto it = row.find(c.name);
      return it == row.end() ? nullptr : &it->second;
    };
    ExprPtr e = ParseExpr(text);
    if (!e) return Value::Indeterminate("parse");
    return Evaluator(in, &lookup).Eval(*e);
  };
  const std::map<std::string, Value> known{{"tenant_id", Value::Known(T1, "uuid")},
                                           {"val", Value::Known("x", "text")}};
  const std::map<std::string, Value> unknown;
  const std::string uuid_policy = "tenant_id = current_setting('app.x', true)::uuid";
  EXPECT_TRUE(IsBool(eval(uuid_policy, known, T1), true));
  EXPECT_TRUE(IsBool(eval(uuid_policy, known, T2), false));
  EXPECT_TRUE(IsBool(eval("tenant_id <> current_setting('app.x', true)::uuid", known, T2), true));
  std::string upper = T1;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(IsBool(eval(uuid_policy, known, upper), true));  // the cast canonicalises
  EXPECT_TRUE(
      IsError(eval(uuid_policy, known, ""), "22P02", "invalid input syntax for type uuid: \"\""));
  EXPECT_TRUE(eval(uuid_policy, known, std::nullopt).is_null());
  EXPECT_TRUE(IsBool(eval("val = current_setting('app.x')::text", known, "x"), true));
  EXPECT_TRUE(IsBool(eval("val = current_setting('app.x')::text", known, "y"), false));
  // Unknown columns: the comparison may be NULL only when the column may be.
  EXPECT_TRUE(IsUnknownBool(eval(uuid_policy, unknown, T1), kMaybeTrue | kMaybeFalse));
  EXPECT_TRUE(IsUnknownBool(eval("val = current_setting('app.x')::text", unknown, "x"),
                            kMaybeTrue | kMaybeFalse | kMaybeNull));
  EXPECT_TRUE(IsError(eval(uuid_policy, unknown, "nope"), "22P02",
                      "invalid input syntax for type uuid: \"nope\""));
  EXPECT_TRUE(eval(uuid_policy, unknown, std::nullopt).is_null());
}

// A statement's shape lifts the setting's name into a parameter: current_setting($1, true)
// reads the setting the logged $1 names, compared in place like the literal form.
TEST(Evaluator, SettingNamedByParameterComparesLikeTheLiteral) {
  const std::map<std::string, Value> known{{"tenant_id", Value::Known(T1, "uuid")}};
  const std::map<std::string, Value> unknown;
  for (const auto* row : {&known, &unknown}) {
    for (std::optional<std::string> setting :
         {std::optional<std::string>(T1), std::optional<std::string>(T2),
          std::optional<std::string>(""), std::optional<std::string>()}) {
      EvalInputs in;
      in.setting = [&](std::string_view name) -> std::optional<std::string_view> {
        if (name != "app.x" || !setting) return std::nullopt;
        return *setting;
      };
      in.column_type = [](std::string_view) { return std::pair<std::string, bool>{"uuid", true}; };
      const std::vector<std::optional<std::string>> params{"app.x"};
      in.params = &params;
      const RowLookup lookup = [&](const Expr& c) -> const Value* {
        auto it = row->find(c.name);
        return it == row->end() ? nullptr : &it->second;
      };
      const Evaluator eval(in, &lookup);
      const Value by_literal =
          eval.Eval(*ParseExpr("tenant_id = current_setting('app.x', true)::uuid"));
      const Value by_param = eval.Eval(*ParseExpr("tenant_id = current_setting($1, true)::uuid"));
      EXPECT_EQ(by_param.kind, by_literal.kind) << setting.value_or("NULL");
      EXPECT_EQ(by_param.text, by_literal.text);
      EXPECT_EQ(by_param.type, by_literal.type);
      EXPECT_EQ(by_param.possible, by_literal.possible);
      EXPECT_EQ(by_param.message, by_literal.message);
    }
  }
}

// KeptTextAs builds Cast(Eval(e), type) for $n and current_setting(...)::type directly; where
// it answers, the value is exactly the evaluated and cast one, and it answers for the canonical
// forms (a canonical uuid, any text) only.
// CombineTruth (a table computed at compile time) against SQL's three-valued AND and OR, taken
// over every pair of possibilities of every two sets of possible truth values.
TEST(Evaluator, CombineTruthIsThreeValuedLogicOverEveryPairOfPossibilities) {
  enum class T { kTrue, kFalse, kNull };
  auto sql_and = [](T x, T y) {
    if (x == T::kFalse || y == T::kFalse) return T::kFalse;
    return x == T::kNull || y == T::kNull ? T::kNull : T::kTrue;
  };
  auto sql_or = [](T x, T y) {
    if (x == T::kTrue || y == T::kTrue) return T::kTrue;
    return x == T::kNull || y == T::kNull ? T::kNull : T::kFalse;
  };
  auto bit = [](T x) {
    return x == T::kTrue ? kMaybeTrue : x == T::kFalse ? kMaybeFalse : kMaybeNull;
  };
  for (uint8_t a = 0; a <= kAnyTruth; ++a) {
    for (uint8_t b = 0; b <= kAnyTruth; ++b) {
      uint8_t want_and = 0;
      uint8_t want_or = 0;
      for (T x : {T::kTrue, T::kFalse, T::kNull}) {
        for (T y : {T::kTrue, T::kFalse, T::kNull}) {
          if ((a & bit(x)) && (b & bit(y))) {
            want_and |= bit(sql_and(x, y));
            want_or |= bit(sql_or(x, y));
          }
        }
      }
      EXPECT_EQ(CombineTruth(a, b, /*is_and=*/true), want_and) << int{a} << " AND " << int{b};
      EXPECT_EQ(CombineTruth(a, b, /*is_and=*/false), want_or) << int{a} << " OR " << int{b};
    }
  }
}

TEST(Evaluator, KeptTextAsIsTheCastOfTheEvaluatedValue) {
  const std::string upper = "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11";  // canonical in lower case
  const std::map<std::string, std::string, std::less<>> settings{
      {"app.x", T1}, {"app.up", upper}, {"app.empty", ""}};
  const std::vector<std::optional<std::string>> params{T1, upper, std::nullopt, "app.x", "t x"};
  EvalInputs in;
  in.setting = [&](std::string_view name) -> std::optional<std::string_view> {
    auto it = settings.find(name);
    if (it == settings.end()) return std::nullopt;
    return it->second;
  };
  in.params = &params;
  const Evaluator eval(in);
  struct Case {
    std::string expr;
    std::string type;
    bool kept;  // whether KeptTextAs answers
  };
  const std::vector<Case> cases{
      {"$1", "uuid", true},
      {"$1", "text", true},
      {"$2", "uuid", false},  // not canonical: Cast rewrites it
      {"$2", "text", true},
      {"$3", "uuid", false},  // NULL
      {"$5", "text", true},
      {"$9", "uuid", false},  // not logged
      {"$1", "int4", false},
      {"current_setting('app.x', true)::uuid", "uuid", true},
      {"current_setting('app.x')::text", "text", true},
      {"current_setting($4, true)::uuid", "uuid", true},
      {"current_setting('app.up', true)::uuid", "uuid", false},
      {"current_setting('app.empty', true)::uuid", "uuid", false},  // 22P02
      {"current_setting('app.none', true)::uuid", "uuid", false},   // NULL
      {"current_setting('app.x', true)::uuid", "text", false},
  };
  for (const Case& c : cases) {
    ExprPtr e = ParseExpr(c.expr);
    ASSERT_TRUE(e) << c.expr;
    std::optional<Value> kept = eval.KeptTextAs(*e, c.type);
    ASSERT_EQ(kept.has_value(), c.kept) << c.expr << " as " << c.type;
    if (!kept) continue;
    const Value cast = Evaluator::Cast(eval.Eval(*e), c.type);
    EXPECT_EQ(kept->kind, cast.kind) << c.expr;
    EXPECT_EQ(kept->text, cast.text) << c.expr;
    EXPECT_EQ(kept->type, cast.type) << c.expr;
    EXPECT_EQ(kept->possible, cast.possible) << c.expr;
    EXPECT_EQ(kept->message, cast.message) << c.expr;
  }
}

TEST(Evaluator, UuidFormsPostgresRejects) {
  for (const char* form : {
           "",
           "not-a-uuid",
           "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",    // 31 digits
           "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",  // 33 digits
           "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",  // two hyphens
           "-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",  // leading hyphen
           "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-",  // trailing hyphen
           "a0eeb-c99-9c0b-4ef8-bb6d-6bb9bd380a11",  // hyphen after 5 digits
           "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",  // unbalanced brace
           "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
           " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",  // uuid_in skips no blanks
           "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
       }) {
    EXPECT_TRUE(IsError(Evaluator::Cast(Value::Known(form, ""), "uuid"), "22P02",
                        std::string("invalid input syntax for type uuid: \"") + form + "\""))
        << form;
  }
}

TEST(Evaluator, IntegerCastsAndRanges) {
  auto cast = [](const char* text, const char* type) {
    return Evaluator::Cast(Value::Known(text, ""), type);
  };
  EXPECT_EQ(cast("2147483647", "int4").text, "2147483647");
  EXPECT_EQ(cast("-2147483648", "int4").text, "-2147483648");
  EXPECT_EQ(cast(" 42 ", "int4").text, "42");
  EXPECT_EQ(cast("+7", "int4").text, "7");
  EXPECT_TRUE(IsError(cast("2147483648", "int4"), "22003",
                      "value \"2147483648\" is out of range for type integer"));
  EXPECT_TRUE(
      IsError(cast("32768", "int2"), "22003", "value \"32768\" is out of range for type smallint"));
  EXPECT_TRUE(IsError(cast("9223372036854775808", "int8"), "22003",
                      "value \"9223372036854775808\" is out of range for type bigint"));
  EXPECT_TRUE(
      IsError(cast("abc", "int4"), "22P02", "invalid input syntax for type integer: \"abc\""));
  EXPECT_TRUE(
      IsError(cast("12.5", "int4"), "22P02", "invalid input syntax for type integer: \"12.5\""));
  EXPECT_TRUE(IsError(cast("", "int8"), "22P02", "invalid input syntax for type bigint: \"\""));
  // Through an expression: a comparison with an int column casts the untyped literal.
  Env env;
  env.columns["id"] = Value::Known("5", "int4");
  EXPECT_TRUE(IsBool(Eval("id = '5'", env), true));
  EXPECT_TRUE(
      IsError(Eval("id = '5x'", env), "22P02", "invalid input syntax for type integer: \"5x\""));
}

TEST(Evaluator, BooleanInputAcceptsUniquePrefixes) {
  for (const char* t :
       {"t", "tr", "tru", "true", "TRUE", "y", "ye", "yes", "on", "ON", "1", " yes "}) {
    EXPECT_TRUE(IsBool(Evaluator::Cast(Value::Known(t, ""), "bool"), true)) << t;
  }
  for (const char* f : {"f", "fa", "false", "n", "no", "of", "off", "0"}) {
    EXPECT_TRUE(IsBool(Evaluator::Cast(Value::Known(f, ""), "bool"), false)) << f;
  }
  for (const char* bad : {"o", "onx", "offx", "2", "maybe", ""}) {
    EXPECT_TRUE(IsError(Evaluator::Cast(Value::Known(bad, ""), "bool"), "22P02",
                        std::string("invalid input syntax for type boolean: \"") + bad + "\""))
        << bad;
  }
}

// --- IN, ANY
// -------------------------------------------------------------------------------------------

TEST(Evaluator, InList) {
  EXPECT_TRUE(IsBool(Eval("'b' IN ('a', 'b')"), true));
  EXPECT_TRUE(IsBool(Eval("'c' IN ('a', 'b')"), false));
  EXPECT_TRUE(IsBool(Eval("'a' IN ('a', NULL)"), true));
  EXPECT_TRUE(Eval("'c' IN ('a', NULL)").is_null());
  EXPECT_TRUE(Eval("'c' NOT IN ('a', NULL)").is_null());
  EXPECT_TRUE(IsBool(Eval("'c' NOT IN ('a', 'b')"), true));
  EXPECT_TRUE(Eval("NULL IN ('a')").is_null());
}

TEST(Evaluator, AnyOverArrayLiteralParameters) {
  Env env;
  env.params = {T1, "{" + T2 + "," + T1 + "}"};
  EXPECT_TRUE(IsBool(Eval("$1 = ANY($2)", env), true));
  env.params = {"x", "{a,x}"};
  EXPECT_TRUE(IsBool(Eval("$1 = ANY($2)", env), true));
  env.params = {"x", "{a,NULL}"};
  EXPECT_TRUE(Eval("$1 = ANY($2)", env).is_null());
  env.params = {"x", "{a,\"x\"}"};
  EXPECT_TRUE(IsBool(Eval("$1 = ANY($2)", env), true));
  env.params = {"x", "{}"};
  EXPECT_TRUE(IsBool(Eval("$1 = ANY($2)", env), false));
  env.params = {"x", "{a"};
  EXPECT_TRUE(IsError(Eval("$1 = ANY($2)", env), "22P02", "malformed array literal: \"{a\""));
  env.params = {"x", std::nullopt};
  EXPECT_TRUE(Eval("$1 = ANY($2)", env).is_null());
  // ARRAY[...] constructors.
  env.params = {T1, T2};
  EXPECT_TRUE(IsBool(Eval("'" + T2 + "'::uuid = ANY(ARRAY[$1::uuid, $2::uuid])", env), true));
}

TEST(Evaluator, AnyOverTypedArrayCastsEachElement) {
  // tenant_id = ANY($1::uuid[]): the elements are uuids, in any form uuid_in accepts.
  Env env;
  env.columns["tenant_id"] = Value::Known(T1, "uuid");
  env.params = {"{" + T2 + ",11111111111111111111111111111111}"};
  EXPECT_TRUE(IsBool(Eval("tenant_id = ANY($1::uuid[])", env), true));
  env.params = {"{" + T2 + "}"};
  EXPECT_TRUE(IsBool(Eval("tenant_id = ANY($1::uuid[])", env), false));
  env.params = {"{" + T2 + ",nope}"};
  EXPECT_TRUE(IsError(Eval("tenant_id = ANY($1::uuid[])", env), "22P02",
                      "invalid input syntax for type uuid: \"nope\""));
  // The policy pattern: tenant_id = ANY(string_to_array(...)) is a function: indeterminate.
  Value f =
      Eval("tenant_id = ANY(string_to_array(current_setting('app.x', true), ',')::uuid[])", env);
  EXPECT_TRUE(f.is_indeterminate());
}

// --- DISTINCT, COALESCE, NULLIF, CASE
// ---------------------------------------------------------------

TEST(Evaluator, IsDistinctFrom) {
  EXPECT_TRUE(IsBool(Eval("NULL IS DISTINCT FROM NULL"), false));
  EXPECT_TRUE(IsBool(Eval("'a' IS DISTINCT FROM NULL"), true));
  EXPECT_TRUE(IsBool(Eval("'a' IS DISTINCT FROM 'a'"), false));
  EXPECT_TRUE(IsBool(Eval("'a' IS DISTINCT FROM 'b'"), true));
  EXPECT_TRUE(IsBool(Eval("NULL IS NOT DISTINCT FROM NULL"), true));
  EXPECT_TRUE(IsBool(Eval("'a' IS NOT DISTINCT FROM NULL"), false));
  // Never NULL, even over unknown rows.
  EXPECT_TRUE(IsUnknownBool(Eval("val IS DISTINCT FROM NULL"), kMaybeTrue | kMaybeFalse));
  EXPECT_TRUE(IsBool(Eval("tenant_id IS DISTINCT FROM NULL"), true));
  EXPECT_TRUE(IsUnknownBool(Eval("val IS NOT DISTINCT FROM 'x'"), kMaybeTrue | kMaybeFalse));
  EXPECT_TRUE(IsBool(Eval("current_setting('app.x', true) IS DISTINCT FROM ''"), true));
}

TEST(Evaluator, Coalesce) {
  Value v = Eval("COALESCE(NULL, 'a')");
  ASSERT_TRUE(v.is_known());
  EXPECT_EQ(v.text, "a");
  Value none = Eval("COALESCE(current_setting('app.x', true), 'none')");
  ASSERT_TRUE(none.is_known());
  EXPECT_EQ(none.text, "none");
  EXPECT_TRUE(Eval("COALESCE(NULL, NULL)").is_null());
  EXPECT_TRUE(Eval("COALESCE(val, 'x')").is_unknown());
}

TEST(Evaluator, NullIfTurnsEmptyContextIntoNull) {
  Env env;
  env.settings["app.x"] = "";
  // The defensive policy pattern: '' no longer fails the cast.
  EXPECT_TRUE(Eval("NULLIF(current_setting('app.x', true), '')::uuid", env).is_null());
  env.settings["app.x"] = T1;
  Value v = Eval("NULLIF(current_setting('app.x', true), '')::uuid", env);
  ASSERT_TRUE(v.is_known());
  EXPECT_EQ(v.text, T1);
  EXPECT_EQ(v.type, "uuid");
}

TEST(Evaluator, Case) {
  Value simple = Eval("CASE 'b' WHEN 'a' THEN 'one' WHEN 'b' THEN 'two' ELSE 'three' END");
  ASSERT_TRUE(simple.is_known());
  EXPECT_EQ(simple.text, "two");
  Value fallthrough = Eval("CASE 'z' WHEN 'a' THEN 'one' ELSE 'three' END");
  EXPECT_EQ(fallthrough.text, "three");
  EXPECT_TRUE(Eval("CASE WHEN false THEN 'one' END").is_null());
  Env env;
  env.settings["app.x"] = "";
  EXPECT_TRUE(Eval("CASE WHEN current_setting('app.x', true) = '' THEN NULL "
                   "ELSE current_setting('app.x', true)::uuid END",
                   env)
                  .is_null());
  // A WHEN that depends on the row: the result depends on the row too.
  EXPECT_TRUE(Eval("CASE WHEN val = 'x' THEN true ELSE false END").is_unknown());
}

// --- roles, functions, subqueries ---------------------------------------------------------------

TEST(Evaluator, CurrentUserAndSessionUser) {
  EXPECT_TRUE(IsBool(Eval("current_user = 'app_role'"), true));
  EXPECT_TRUE(IsBool(Eval("current_role = 'app_role'"), true));
  EXPECT_TRUE(IsBool(Eval("session_user = 'postgres'"), true));
  EXPECT_TRUE(IsBool(Eval("session_user = 'app_role'"), false));
}

TEST(Evaluator, UnknownFunctionIsIndeterminateNamingIt) {
  Value v = Eval("tenant_id = my_tenant()");
  ASSERT_TRUE(v.is_indeterminate());
  EXPECT_EQ(v.message, "function my_tenant()");
  EXPECT_EQ(Evaluator::ToPredicate(v), Predicate::kIndeterminate);
  EXPECT_EQ(Eval("app.tenant_of(current_user)").message, "function app.tenant_of()");
}

TEST(Evaluator, SubqueryIsIndeterminate) {
  Value v = Eval("tenant_id IN (SELECT tenant_id FROM memberships)");
  ASSERT_TRUE(v.is_indeterminate());
  EXPECT_EQ(v.message, "subquery");
  EXPECT_EQ(Eval("EXISTS (SELECT 1 FROM memberships)").message, "subquery");
  // A definite operand still decides a connective.
  EXPECT_TRUE(IsBool(Eval("true OR EXISTS (SELECT 1 FROM memberships)"), true));
  EXPECT_TRUE(IsBool(Eval("false AND EXISTS (SELECT 1 FROM memberships)"), false));
  EXPECT_TRUE(Eval("true AND EXISTS (SELECT 1 FROM memberships)").is_indeterminate());
}

TEST(Evaluator, MissingParameterIsIndeterminate) {
  Value v = Eval("$3 = 'a'");
  ASSERT_TRUE(v.is_indeterminate());
  EXPECT_EQ(v.message, "parameter $3 was not logged");
}

TEST(Evaluator, ParseArrayLiteral) {
  auto items = ParseArrayLiteral("{a,\"b c\",NULL,\"NULL\", d }");
  ASSERT_TRUE(items.has_value());
  ASSERT_EQ(items->size(), 5u);
  EXPECT_EQ((*items)[0], "a");
  EXPECT_EQ((*items)[1], "b c");
  EXPECT_FALSE((*items)[2].has_value());
  EXPECT_EQ((*items)[3], "NULL");  // quoted: the string, not NULL
  EXPECT_EQ((*items)[4], "d");
  EXPECT_FALSE(ParseArrayLiteral("a,b").has_value());
  EXPECT_TRUE(ParseArrayLiteral("{}")->empty());
}

}  // namespace
}  // namespace rls_shadow
