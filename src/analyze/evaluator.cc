#include "analyze/evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "analyze/numeric_text.h"
#include "analyze/unknown_setting.h"
#include "common/ascii_lower.h"
#include "common/text_trim.h"

namespace rls_shadow {

using namespace std::string_view_literals;  // "..."sv: compared size first, inline

namespace {

// Error and indeterminate values absorb the operators they reach: the first one wins, as the
// first error raised aborts PostgreSQL's evaluation.
const Value* FirstAbsorbing(const Value& a, const Value& b) {
  if (a.is_error()) return &a;
  if (b.is_error()) return &b;
  if (a.is_indeterminate()) return &a;
  if (b.is_indeterminate()) return &b;
  return nullptr;
}

uint8_t TruthOf(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return kMaybeNull;
    case Value::Kind::kKnown:
      return v.text == "t"sv ? kMaybeTrue : kMaybeFalse;
    case Value::Kind::kUnknown:
      return v.possible;
    default:
      return 0;
  }
}

Value FromTruth(uint8_t mask) {
  if (mask == kMaybeTrue) return Value::Bool(true);
  if (mask == kMaybeFalse) return Value::Bool(false);
  if (mask == kMaybeNull) return Value::Null();
  return Value::Unknown("bool", mask);
}

uint8_t NotTruth(uint8_t a) {
  uint8_t out = a & kMaybeNull;
  if (a & kMaybeTrue) out |= kMaybeFalse;
  if (a & kMaybeFalse) out |= kMaybeTrue;
  return out;
}

std::string_view SqlTypeName(std::string_view type) {
  if (type == "int4") return "integer";
  if (type == "int8") return "bigint";
  if (type == "int2") return "smallint";
  if (type == "bool") return "boolean";
  return type;
}

Value InvalidInput(std::string_view type, std::string_view text) {
  // Appended rather than formatted: a policy that casts an empty context raises this on every
  // access the context reaches.
  const std::string_view name = SqlTypeName(type);
  std::string message;
  message.reserve(34 + name.size() + text.size());
  message.append("invalid input syntax for type ").append(name).append(": \"").append(text);
  message.push_back('"');
  return Value::Error("22P02", std::move(message));
}

Value CastInteger(std::string_view text, std::string_view type) {
  std::string_view t = common::TrimAsciiSpace(text);
  int64_t n = 0;
  const char* begin = t.data();
  // from_chars takes a '-' but not a '+': after a '+' only digits ("+-1" is not a number).
  if (!t.empty() && t.front() == '+') {
    ++begin;
    if (begin == t.data() + t.size() || *begin < '0' || *begin > '9') {
      return InvalidInput(type, text);
    }
  }
  auto [ptr, ec] = std::from_chars(begin, t.data() + t.size(), n);
  if (t.empty() || ptr != t.data() + t.size()) return InvalidInput(type, text);
  int64_t lo = type == "int2" ? -32768 : type == "int4" ? INT32_MIN : INT64_MIN;
  int64_t hi = type == "int2" ? 32767 : type == "int4" ? INT32_MAX : INT64_MAX;
  if (ec == std::errc::result_out_of_range || n < lo || n > hi) {
    return Value::Error(
        "22003", fmt::format("value \"{}\" is out of range for type {}", text, SqlTypeName(type)));
  }
  return Value::Known(std::to_string(n), std::string(type));
}

Value CastNumeric(std::string_view text) {
  NumericParse parsed = ParseNumeric(text);
  if (!parsed.value) return Value::Error(std::move(parsed.sqlstate), std::move(parsed.message));
  return Value::Known(FormatNumeric(*parsed.value), "numeric");
}

Value CastBool(std::string_view text) {
  const std::string t = AsciiLower(common::TrimAsciiSpace(text));
  // PostgreSQL accepts any unique prefix of true/false/yes/no, on/off, and 1/0.
  auto prefix_of = [&](std::string_view word) {
    return !t.empty() && word.substr(0, t.size()) == t;
  };
  if (t == "1" || prefix_of("true") || prefix_of("yes") || t == "on") return Value::Bool(true);
  if (t == "0" || prefix_of("false") || prefix_of("no") || t == "off" || t == "of") {
    return Value::Bool(false);
  }
  return InvalidInput("bool", text);
}

bool IsIntegerType(std::string_view t) { return t == "int2" || t == "int4" || t == "int8"; }
bool IsNumericType(std::string_view t) { return IsIntegerType(t) || t == "numeric"; }

// Brings two known values to one comparable type, the way PostgreSQL resolves an untyped
// literal against a typed operand.
bool Unify(Value* a, Value* b, Value* error) {
  if (a->type == b->type) return true;
  auto cast_to = [&](Value* v, const std::string& type) {
    Value c = Evaluator::Cast(*v, type);
    if (c.is_error() || c.is_indeterminate()) {
      *error = c;
      return false;
    }
    *v = c;
    return true;
  };
  if (a->type.empty()) return cast_to(a, b->type);
  if (b->type.empty()) return cast_to(b, a->type);
  if (IsNumericType(a->type) && IsNumericType(b->type)) return true;
  if (a->type == "text"sv || b->type == "text"sv) return true;  // compare as text
  *error = Value::Indeterminate(fmt::format("comparison of {} with {}", a->type, b->type));
  return false;
}

int CompareKnown(const Value& a, const Value& b) {
  if (IsNumericType(a.type) && IsNumericType(b.type)) {
    // Exactly, as numbers: both texts come from casts, integer arithmetic or SQL literals.
    // Plain integers (the usual keys) without building a NumericText.
    int64_t i = 0;
    int64_t j = 0;
    auto whole = [](const std::string& t, int64_t* n) {
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), *n);
      return ec == std::errc() && ptr == t.data() + t.size();
    };
    if (whole(a.text, &i) && whole(b.text, &j)) return i < j ? -1 : (i > j ? 1 : 0);
    NumericParse x = ParseNumeric(a.text);
    NumericParse y = ParseNumeric(b.text);
    if (x.value && y.value) return CompareNumeric(*x.value, *y.value);
  }
  return a.text.compare(b.text) < 0 ? -1 : (a.text == b.text ? 0 : 1);
}

}  // namespace

bool HasCanonicalText(std::string_view type) {
  return type == "uuid" || type == "text" || type == "int2" || type == "int4" || type == "int8" ||
         type == "bool";
}

namespace {

// Three-valued AND / OR of two sets of possible truth values: every pair of possibilities.
constexpr uint8_t CombineTruthSets(uint8_t a, uint8_t b, bool is_and) {
  uint8_t out = 0;
  for (uint8_t x : {kMaybeTrue, kMaybeFalse, kMaybeNull}) {
    if (!(a & x)) continue;
    for (uint8_t y : {kMaybeTrue, kMaybeFalse, kMaybeNull}) {
      if (!(b & y)) continue;
      if (is_and) {
        if (x == kMaybeFalse || y == kMaybeFalse)
          out |= kMaybeFalse;
        else if (x == kMaybeNull || y == kMaybeNull)
          out |= kMaybeNull;
        else
          out |= kMaybeTrue;
      } else {
        if (x == kMaybeTrue || y == kMaybeTrue)
          out |= kMaybeTrue;
        else if (x == kMaybeNull || y == kMaybeNull)
          out |= kMaybeNull;
        else
          out |= kMaybeFalse;
      }
    }
  }
  return out;
}

// Every answer of CombineTruthSets, computed at compile time: truth sets are combined for each
// policy of each access, and the pairs loop cost more than the rest of combining a policy.
constexpr auto kCombinedTruth = [] {
  std::array<std::array<std::array<uint8_t, kAnyTruth + 1>, kAnyTruth + 1>, 2> table{};
  for (int op = 0; op < 2; ++op) {
    for (uint8_t a = 0; a <= kAnyTruth; ++a) {
      for (uint8_t b = 0; b <= kAnyTruth; ++b) table[op][a][b] = CombineTruthSets(a, b, op == 1);
    }
  }
  return table;
}();
static_assert(kCombinedTruth[1][kMaybeTrue][kMaybeNull] == kMaybeNull);   // TRUE AND NULL
static_assert(kCombinedTruth[1][kMaybeFalse][kAnyTruth] == kMaybeFalse);  // FALSE AND x
static_assert(kCombinedTruth[0][kMaybeTrue][kAnyTruth] == kMaybeTrue);    // TRUE OR x
static_assert(kCombinedTruth[0][kMaybeFalse][kMaybeNull] == kMaybeNull);  // FALSE OR NULL

}  // namespace

uint8_t CombineTruth(uint8_t a, uint8_t b, bool is_and) {
  // Bits other than the three truth values were never read: masked, as the pairs loop ignores
  // them.
  return kCombinedTruth[is_and ? 1 : 0][a & kAnyTruth][b & kAnyTruth];
}

#if defined(__SSE2__)
namespace {

// Bit i set where byte i of `chunk` is a lower-case hex digit / a hyphen.
void HexAndHyphens(__m128i chunk, unsigned* hex, unsigned* hyphens) {
  // Signed compares suffice: a byte >= 0x80 is negative, below every bound.
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(chunk, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(chunk, _mm_set1_epi8('9' + 1)));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(chunk, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(chunk, _mm_set1_epi8('f' + 1)));
  *hex = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(digit, letter)));
  *hyphens = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('-'))));
}

}  // namespace
#endif

bool IsCanonicalUuid(std::string_view text) {
  if (text.size() != 36) return false;
#if defined(__SSE2__)
  // Five groups of lower-case hex digits with hyphens at 8, 13, 18 and 23, sixteen bytes at a
  // time (a tenant policy checks a uuid on every access): bytes 0-15, 16-31 and 20-35.
  static constexpr unsigned kAll = 0xFFFF;
  static constexpr unsigned kHyphens[3] = {(1u << 8) | (1u << 13), (1u << 2) | (1u << 7), 1u << 3};
  static constexpr size_t kOffsets[3] = {0, 16, 20};
  for (size_t i = 0; i < 3; ++i) {
    unsigned hex = 0;
    unsigned hyphens = 0;
    HexAndHyphens(_mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + kOffsets[i])),
                  &hex, &hyphens);
    if (hyphens != kHyphens[i] || (hex | hyphens) != kAll) return false;
  }
  return true;
#else
  for (size_t i = 0; i < 36; ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
#endif
}

std::optional<std::string> CanonicalUuid(std::string_view text) {
  // Fast path: already canonical, as almost every logged uuid is.
  if (IsCanonicalUuid(text)) return std::string(text);
  std::string_view s = text;
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  std::string hex;
  hex.reserve(32);
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += AsciiLower(c);
    } else if (c == '-' && !hex.empty() && hex.size() % 4 == 0 && hex.size() < 32 &&
               i + 1 < s.size() && s[i + 1] != '-') {
      continue;  // uuid_in allows a hyphen after any group of four digits
    } else {
      return std::nullopt;
    }
  }
  if (hex.size() != 32) return std::nullopt;
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

bool Evaluator::CastDecides(std::string_view type) {
  return type == "text" || type == "uuid" || IsIntegerType(type) || type == "numeric" ||
         type == "bool";
}

Value Evaluator::Cast(Value v, std::string_view type) {
  if (v.is_null() || v.is_error() || v.is_indeterminate()) return v;
  if (v.is_unknown()) {
    v.type = std::string(type);
    return v;
  }
  // Known from here on. Text to text, bool::bool and a canonical uuid keep their text as it is:
  // it is moved into the result, not copied.
  if (type == "text" && v.type == "bool"sv) {
    return Value::Known(v.text == "t"sv ? "true" : "false", "text");  // boolout's, not "t"
  }
  if (type == "text" ||
      (type == "bool" && v.type == "bool"sv && (v.text == "t"sv || v.text == "f"sv))) {
    v.type = std::string(type);
    v.message.clear();
    v.possible = kAnyTruth;
    return v;
  }
  if (type == "uuid") {
    if (IsCanonicalUuid(v.text)) {
      v.type = "uuid";
      v.message.clear();
      v.possible = kAnyTruth;
      return v;
    }
    auto canon = CanonicalUuid(v.text);
    if (!canon) return InvalidInput("uuid", v.text);
    return Value::Known(*canon, "uuid");
  }
  if (IsIntegerType(type)) return CastInteger(v.text, type);
  if (type == "numeric") return CastNumeric(v.text);
  if (type == "bool") return CastBool(v.text);
  if (type.size() > 2 && type.ends_with("[]")) {
    // '{a,b}'::uuid[] (e.g. tenant_id = ANY($1::uuid[])): array_in runs the element type's
    // input function on every element, so a bad element raises that type's error. Without
    // this the cast was indeterminate and EvalAny's typed-array path was unreachable.
    Value error;
    auto items = ParseArrayLiteral(v.text, &error);
    if (!items) return error;
    std::string_view element = type.substr(0, type.size() - 2);
    for (const auto& item : *items) {
      if (!item) continue;
      Value c = Cast(Value::Known(*item, ""), element);
      if (c.is_error() || c.is_indeterminate()) return c;
    }
    return Value::Known(v.text, std::string(type));
  }
  return Value::Indeterminate(fmt::format("cast to {}", type));
}

Predicate Evaluator::ToPredicate(const Value& v) {
  if (v.is_error()) return Predicate::kError;
  if (v.is_indeterminate()) return Predicate::kIndeterminate;
  if (v.is_known() && v.type != "bool"sv && !v.type.empty()) return Predicate::kIndeterminate;
  uint8_t t = TruthOf(v);
  if (t == kMaybeTrue) return Predicate::kPass;
  if (!(t & kMaybeTrue)) return Predicate::kFail;
  return Predicate::kRowDependent;
}

Value Evaluator::Eval(const Expr& e) const {
  switch (e.kind) {
    case Expr::Kind::kNull:
      return Value::Null();
    case Expr::Kind::kBool:
      return Value::Bool(e.text == "t"sv);
    case Expr::Kind::kConst:
      return Value::Known(e.text, e.is_string ? "" : "numeric");
    case Expr::Kind::kParam:
      return EvalParam(e);
    case Expr::Kind::kColumn:
      return EvalColumn(e);
    case Expr::Kind::kFunc:
      return EvalFunc(e);
    case Expr::Kind::kCast: {
      Value in = Eval(*e.args[0]);
      const bool per_row = in.per_row;  // `(SELECT ...)::uuid` fails at execution too
      std::string_view type = e.name;
      if (in_.domains != nullptr) {
        if (auto domain = in_.domains->find(type); domain != in_.domains->end()) {
          type = domain->second;
        }
      }
      Value out = Cast(std::move(in), type);
      out.per_row = per_row;
      return out;
    }
    case Expr::Kind::kOp:
      if (row_ != nullptr && e.args[0]->kind == Expr::Kind::kColumn &&
          (e.name == "="sv || e.name == "<>"sv)) {
        if (const Value* column = (*row_)(*e.args[0])) {
          return EvalCompareWithRowValue(e, *column, *e.args[1]);
        }
        // A column the row does not know compared with the session's context (read in place,
        // as above): what EvalCompare gives for an unknown operand and a typed known one, an
        // unknown boolean that may be NULL when the column may be, without building either.
        if (SettingCastText(*e.args[1])) {
          const bool not_null = in_.column_type && in_.column_type(e.args[0]->name).second;
          return Value::Unknown("bool", not_null ? (kMaybeTrue | kMaybeFalse) : kAnyTruth);
        }
      }
      return EvalCompare(e.name, Eval(*e.args[0]), Eval(*e.args[1]));
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr:
    case Expr::Kind::kNot:
      return EvalLogic(e);
    case Expr::Kind::kIsNull: {
      Value v = Eval(*e.args[0]);
      if (v.is_error() || v.is_indeterminate()) return v;
      uint8_t t;
      if (v.is_null())
        t = kMaybeTrue;
      else if (v.is_known())
        t = kMaybeFalse;
      else
        t = (v.possible & kMaybeNull) ? (kMaybeTrue | kMaybeFalse) : kMaybeFalse;
      return FromTruth(e.negated ? NotTruth(t) & ~kMaybeNull : t);
    }
    case Expr::Kind::kIsTrue: {
      Value v = Eval(*e.args[0]);
      if (v.is_error() || v.is_indeterminate()) return v;
      uint8_t want = e.name == "true"sv ? kMaybeTrue : kMaybeFalse;
      uint8_t t = TruthOf(v);
      uint8_t out = 0;
      if (t & want) out |= kMaybeTrue;
      if (t & ~want) out |= kMaybeFalse;
      return FromTruth(e.negated ? NotTruth(out) : out);
    }
    case Expr::Kind::kDistinct: {
      Value a = Eval(*e.args[0]);
      Value b = Eval(*e.args[1]);
      if (const Value* x = FirstAbsorbing(a, b)) return *x;
      uint8_t t;
      if (a.is_null() && b.is_null()) {
        t = kMaybeFalse;
      } else if (a.is_null() || b.is_null()) {
        const Value& other = a.is_null() ? b : a;
        t = other.is_known()
                ? kMaybeTrue
                : ((other.possible & kMaybeNull) ? kMaybeTrue | kMaybeFalse : kMaybeTrue);
      } else {
        Value ne = EvalCompare("<>", a, b);
        if (ne.is_error() || ne.is_indeterminate()) return ne;
        t = TruthOf(ne);
        if (t & kMaybeNull) t = (t & ~kMaybeNull) | kMaybeTrue | kMaybeFalse;
      }
      return FromTruth(e.negated ? NotTruth(t) : t);
    }
    case Expr::Kind::kIn:
      return EvalIn(e);
    case Expr::Kind::kAnyArray:
      return EvalAny(e);
    case Expr::Kind::kArray:
      return Value::Indeterminate("array value outside ANY()");
    case Expr::Kind::kCoalesce:
      return EvalCoalesce(e);
    case Expr::Kind::kNullIf: {
      Value a = Eval(*e.args[0]);
      Value eq = EvalCompare("=", a, Eval(*e.args[1]));
      if (eq.is_error() || eq.is_indeterminate()) return eq;
      uint8_t t = TruthOf(eq);
      if (t == kMaybeTrue) return Value::Null();
      if (!(t & kMaybeTrue)) return a;
      return Value::Unknown(a.type, kAnyTruth);
    }
    case Expr::Kind::kCase:
      return EvalCase(e);
    case Expr::Kind::kCurrentUser:
      return Value::Known(std::string(in_.current_user), "text");
    case Expr::Kind::kSessionUser:
      return Value::Known(std::string(in_.session_user), "text");
    case Expr::Kind::kSubquery:
      return EvalSubquery(e);
    case Expr::Kind::kUnsupported:
      return Value::Indeterminate(e.text);
    case Expr::Kind::kInitPlan: {
      Value v = Eval(*e.args[0]);
      v.per_row = true;
      return v;
    }
  }
  return Value::Indeterminate("expression");
}

// OR over the replica's rows of (WHERE AND lhs = target): PostgreSQL's IN / EXISTS. A row the
// copy may lack could still make it true, so an incomplete copy decides only a definite TRUE.
Value Evaluator::EvalSubquery(const Expr& e) const {
  std::optional<ReplicaView> replica = in_.replica ? in_.replica(e.qualifier) : std::nullopt;
  if (!replica || replica->row_sets.empty()) return Value::Indeterminate("subquery");
  const bool is_any = e.name == "any"sv;
  Value lhs = is_any ? Eval(*e.args[0]) : Value::Null();
  if (lhs.is_error() || lhs.is_indeterminate()) return lhs;

  uint8_t any = kMaybeFalse;  // truth set of the OR so far
  for (const RowMap* set : replica->row_sets) {
    for (const auto& [key, row] : *set) {
      std::vector<std::pair<std::string_view, Value>> typed;
      typed.reserve(row.size());
      for (const auto& [col, text] : row) {
        typed.emplace_back(col,
                           text ? Value::Known(*text, replica->column_type(col)) : Value::Null());
      }
      Value outer;  // an outer column read through in_.column
      // Inside the subquery a column is the inner table's when qualified by its name or alias,
      // or unqualified and one of its columns; anything else is the outer row's. An inner column
      // the copy lacks (an unchanged TOASTed value) is unknown.
      const RowLookup inner = [&](const Expr& c) -> const Value* {
        const bool mine =
            c.qualifier == e.text || (c.qualifier.empty() && !replica->column_type(c.name).empty());
        if (!mine) {
          if (row_ != nullptr) return (*row_)(c);
          if (in_.column) {
            if (auto v = in_.column(c)) {
              outer = std::move(*v);
              return &outer;
            }
          }
          return nullptr;
        }
        for (const auto& [name, v] : typed) {
          if (name == c.name) return &v;
        }
        return nullptr;
      };
      Evaluator eval(in_, &inner);
      Value where = eval.Eval(*e.args[2]);
      if (where.is_error() || where.is_indeterminate()) return where;
      uint8_t t = TruthOf(where);
      if (is_any && (t & kMaybeTrue)) {
        Value eq = EvalCompare("=", lhs, eval.Eval(*e.args[1]));
        if (eq.is_error() || eq.is_indeterminate()) return eq;
        t = CombineTruth(t, TruthOf(eq), /*is_and=*/true);
      }
      any = CombineTruth(any, t, /*is_and=*/false);
      if (any == kMaybeTrue) return Value::Bool(true);
    }
  }
  if (!replica->complete) {
    return Value::Indeterminate(fmt::format(
        "subquery on {}: not every row of it is known (seed it with --seed)", e.qualifier));
  }
  return FromTruth(any);
}

const std::optional<std::string>* Evaluator::LoggedParam(const Expr& e) const {
  if (in_.params_read != nullptr) in_.params_read->push_back(e.param);
  if (in_.params == nullptr || e.param < 1 || static_cast<size_t>(e.param) > in_.params->size()) {
    return nullptr;
  }
  return &(*in_.params)[static_cast<size_t>(e.param) - 1];
}

Value Evaluator::EvalParam(const Expr& e) const {
  const std::optional<std::string>* p = LoggedParam(e);
  if (p == nullptr) {
    return Value::Indeterminate(fmt::format("parameter ${} was not logged", e.param));
  }
  if (!*p) return Value::Null();
  return Value::Known(**p, "");
}

Value Evaluator::EvalColumn(const Expr& e) const {
  if (row_ != nullptr) {
    if (const Value* v = (*row_)(e)) return *v;
  } else if (in_.column) {
    if (auto v = in_.column(e)) return std::move(*v);
  }
  std::string type;
  bool not_null = false;
  if (in_.column_type) std::tie(type, not_null) = in_.column_type(e.name);
  uint8_t possible = not_null ? (kMaybeTrue | kMaybeFalse) : kAnyTruth;
  return Value::Unknown(type, possible);
}

Value Evaluator::EvalCompareWithRowValue(const Expr& e, const Value& column,
                                         const Expr& other) const {
  // column = current_setting('...')::uuid (or ::text), every tenant policy's form: compare the
  // setting's text in place. It is what Cast would keep (a canonical uuid, any text), so the
  // texts compare as below, without copying the setting into a Value.
  if (column.is_known() && column.type == other.name) {
    if (std::optional<std::string_view> text = SettingCastText(other)) {
      const bool equal = column.text == *text;
      return Value::Bool(e.name == "="sv ? equal : !equal);
    }
  }
  Value b = Eval(other);
  // What EvalCompare does for two known values of the same type that is not numeric: Unify
  // keeps them, = and <> are allowed on every type, and CompareKnown compares the texts.
  if (column.is_known() && b.is_known() && !column.type.empty() && column.type == b.type &&
      !IsNumericType(column.type)) {
    const bool equal = column.text == b.text;
    return Value::Bool(e.name == "="sv ? equal : !equal);
  }
  return EvalCompare(e.name, column, std::move(b));
}

std::optional<std::string_view> Evaluator::DefinedSettingText(const Expr& func) const {
  if (func.name != "current_setting"sv || func.args.empty() || func.args.size() > 2 ||
      !in_.setting) {
    return std::nullopt;
  }
  if (func.args.size() == 2 && func.args[1]->kind != Expr::Kind::kBool) return std::nullopt;
  // The name as written, or as a statement's shape lifted it: a logged, non-null $n (what
  // EvalFunc reads through EvalParam).
  const Expr& arg = *func.args[0];
  std::string_view name;
  if (arg.kind == Expr::Kind::kConst) {
    name = arg.text;
  } else if (arg.kind == Expr::Kind::kParam) {
    const std::optional<std::string>* p = LoggedParam(arg);
    // A name in upper case is EvalFunc's to lower-case (a constant already is: ConvertFuncCall).
    if (p == nullptr || !*p || HasAsciiUpper(**p)) return std::nullopt;
    name = **p;
  } else {
    return std::nullopt;
  }
  if (name.find('.') == std::string_view::npos) return std::nullopt;
  std::optional<std::string_view> text = in_.setting(name);
  if (text && IsUnknownSettingValue(*text)) return std::nullopt;  // EvalFunc says why
  return text;
}

namespace {

// Whether Cast to `type` keeps `text` as it is: any text to text, a canonical uuid to uuid
// (what Cast moves through unchanged). SettingCastText and KeptTextAs read it in place of Cast.
bool CastKeepsText(std::string_view type, std::string_view text) {
  return type == "text"sv || (type == "uuid"sv && IsCanonicalUuid(text));
}

}  // namespace

std::optional<std::string_view> Evaluator::SettingCastText(const Expr& e) const {
  if (e.kind != Expr::Kind::kCast || (e.name != "uuid"sv && e.name != "text"sv) ||
      e.args[0]->kind != Expr::Kind::kFunc) {
    return std::nullopt;
  }
  std::optional<std::string_view> text = DefinedSettingText(*e.args[0]);
  if (!text || !CastKeepsText(e.name, *text)) return std::nullopt;
  return text;
}

std::optional<Value> Evaluator::KeptTextAs(const Expr& e, std::string_view type) const {
  if (type != "uuid"sv && type != "text"sv) return std::nullopt;
  if (e.kind == Expr::Kind::kCast && e.name == type) {
    // EvalFunc's text value, kept by both casts (SettingCastText checks CastKeepsText).
    if (std::optional<std::string_view> text = SettingCastText(e)) {
      return Value::Known(std::string(*text), std::string(type));
    }
    return std::nullopt;
  }
  if (e.kind == Expr::Kind::kParam) {
    // EvalParam's untyped value, which Cast keeps when it is already in canonical form.
    const std::optional<std::string>* p = LoggedParam(e);
    if (p != nullptr && *p && CastKeepsText(type, **p)) {
      return Value::Known(**p, std::string(type));
    }
  }
  return std::nullopt;
}

Value Evaluator::EvalFunc(const Expr& e) const {
  if (e.name == "current_setting"sv) {
    if (e.args.empty() || e.args.size() > 2) return Value::Indeterminate("current_setting arity");
    // The name is almost always a literal: read it in place rather than through a Value.
    Value name;
    if (e.args[0]->kind == Expr::Kind::kConst) {
      name.kind = Value::Kind::kKnown;
    } else {
      name = Eval(*e.args[0]);
      if (!name.is_known()) {
        return name.is_error() ? name : Value::Indeterminate("current_setting of a non-constant");
      }
      // PostgreSQL finds a setting whatever the case of its name; sessions keep names
      // lower-cased (a constant name is lower-cased when converted: ConvertFuncCall).
      for (char& c : name.text) c = AsciiLower(c);
    }
    const std::string& name_text =
        e.args[0]->kind == Expr::Kind::kConst ? e.args[0]->text : name.text;
    bool missing_ok = false;
    if (e.args.size() == 2 && e.args[1]->kind == Expr::Kind::kBool) {
      missing_ok = (e.args[1]->text == "t");  // as written, almost always: read in place
    } else if (e.args.size() == 2) {
      Value m = Cast(Eval(*e.args[1]), "bool");
      if (!m.is_known()) return Value::Indeterminate("current_setting missing_ok not constant");
      missing_ok = (m.text == "t"sv);
    }
    if (name_text.find('.') == std::string::npos) {
      return Value::Indeterminate(
          fmt::format("current_setting('{}'): a built-in setting", name_text));
    }
    std::optional<std::string_view> v =
        in_.setting ? in_.setting(name_text) : std::optional<std::string_view>();
    if (!v) {
      if (missing_ok) return Value::Null();
      return Value::Error("42704",
                          fmt::format("unrecognized configuration parameter \"{}\"", name_text));
    }
    if (IsUnknownSettingValue(*v)) {
      return Value::Indeterminate(fmt::format("current_setting('{}'): the session set it by {}",
                                              name_text, UnknownSettingSource(*v)));
    }
    return Value::Known(std::string(*v), "text");
  }
  if (e.name == "nullif"sv && e.args.size() == 2) {
    Expr n;
    n.kind = Expr::Kind::kNullIf;
    n.args = e.args;
    return Eval(n);
  }
  if (e.name == "coalesce"sv) return EvalCoalesce(e);
  return Value::Indeterminate(fmt::format("function {}()", e.name));
}

Value Evaluator::EvalCompare(std::string_view op, Value a, Value b) const {
  if (const Value* x = FirstAbsorbing(a, b)) return *x;
  // Casting an untyped literal against a typed operand can fail even when the other side is
  // NULL or unknown, so resolve types first.
  if (a.is_known() && a.type.empty() && !b.type.empty() && !b.is_null()) {
    a = Cast(a, b.type);
    if (a.is_error() || a.is_indeterminate()) return a;
  }
  if (b.is_known() && b.type.empty() && !a.type.empty() && !a.is_null()) {
    b = Cast(b, a.type);
    if (b.is_error() || b.is_indeterminate()) return b;
  }
  if (a.is_null() || b.is_null()) return Value::Null();
  if (a.is_unknown() || b.is_unknown()) {
    uint8_t possible = kMaybeTrue | kMaybeFalse;
    if ((a.is_unknown() && (a.possible & kMaybeNull)) ||
        (b.is_unknown() && (b.possible & kMaybeNull))) {
      possible |= kMaybeNull;
    }
    return Value::Unknown("bool", possible);
  }
  Value error;
  if (!Unify(&a, &b, &error)) return error;
  bool ordered_ok = IsNumericType(a.type) || a.type == "uuid"sv || a.type == "bool"sv ||
                    (op == "=" || op == "<>");
  if (!ordered_ok) return Value::Indeterminate(fmt::format("{} on text (collation)", op));
  int c = CompareKnown(a, b);
  if (op == "=") return Value::Bool(c == 0);
  if (op == "<>") return Value::Bool(c != 0);
  if (op == "<") return Value::Bool(c < 0);
  if (op == "<=") return Value::Bool(c <= 0);
  if (op == ">") return Value::Bool(c > 0);
  if (op == ">=") return Value::Bool(c >= 0);
  return Value::Indeterminate(fmt::format("operator {}", op));
}

Value Evaluator::EvalLogic(const Expr& e) const {
  if (e.kind == Expr::Kind::kNot) {
    Value v = Eval(*e.args[0]);
    if (v.is_error() || v.is_indeterminate()) return v;
    return FromTruth(NotTruth(TruthOf(v)));
  }
  bool is_and = (e.kind == Expr::Kind::kAnd);
  uint8_t acc = is_and ? kMaybeTrue : kMaybeFalse;
  std::optional<Value> indeterminate;
  const uint8_t decided = is_and ? kMaybeFalse : kMaybeTrue;
  for (const auto& arg : e.args) {
    Value v = Eval(*arg);
    // A row-independent error is raised when PostgreSQL folds the expression at plan time,
    // whatever the other operands are: it dominates. In order, it is reached only when no
    // earlier operand decided (below).
    if (v.is_error()) return v;
    if (v.is_indeterminate()) {
      if (!indeterminate) indeterminate = v;
      continue;
    }
    acc = CombineTruth(acc, TruthOf(v), is_and);
    if (in_order_ && acc == decided) return FromTruth(acc);
  }
  if (indeterminate) {
    // A definite FALSE (AND) or TRUE (OR) decides whatever the undecidable operand is.
    if (is_and && acc == kMaybeFalse) return Value::Bool(false);
    if (!is_and && acc == kMaybeTrue) return Value::Bool(true);
    return *indeterminate;
  }
  return FromTruth(acc);
}

Value Evaluator::EvalIn(const Expr& e) const {
  Value lhs = Eval(*e.args[0]);
  uint8_t acc = kMaybeFalse;
  for (size_t i = 1; i < e.args.size(); ++i) {
    Value eq = EvalCompare("=", lhs, Eval(*e.args[i]));
    if (eq.is_error() || eq.is_indeterminate()) return eq;
    acc = CombineTruth(acc, TruthOf(eq), /*is_and=*/false);
  }
  return FromTruth(e.negated ? NotTruth(acc) : acc);
}

Value Evaluator::EvalAny(const Expr& e) const {
  Value lhs = Eval(*e.args[0]);
  const Expr& rhs = *e.args[1];
  std::vector<Value> items;
  if (rhs.kind == Expr::Kind::kArray) {
    for (const auto& a : rhs.args) items.push_back(Eval(*a));
  } else {
    Value arr = Eval(rhs);
    if (arr.is_error() || arr.is_indeterminate()) return arr;
    if (arr.is_null()) return Value::Null();
    if (arr.is_unknown()) return Value::Unknown("bool", kAnyTruth);
    Value error;
    auto parsed = ParseArrayLiteral(arr.text, &error);
    if (!parsed) return error;
    std::string element_type = arr.type;
    if (element_type.size() > 2 && element_type.ends_with("[]")) {
      element_type.resize(element_type.size() - 2);
    } else {
      element_type.clear();
    }
    for (auto& item : *parsed) {
      Value v = item ? Value::Known(*item, "") : Value::Null();
      items.push_back(element_type.empty() ? v : Cast(v, element_type));
    }
  }
  uint8_t acc = kMaybeFalse;
  for (const Value& item : items) {
    Value c = EvalCompare(e.name, lhs, item);
    if (c.is_error() || c.is_indeterminate()) return c;
    acc = CombineTruth(acc, TruthOf(c), /*is_and=*/false);
  }
  return FromTruth(acc);
}

Value Evaluator::EvalCase(const Expr& e) const {
  size_t i = 0;
  std::optional<Value> test;
  if (e.has_case_test) test = Eval(*e.args[i++]);
  // Each WHEN is tried in order; an undecidable WHEN makes the result undecidable.
  for (; i + 1 < e.args.size(); i += 2) {  // WHEN/THEN pairs; the last arg is ELSE
    Value cond = test ? EvalCompare("=", *test, Eval(*e.args[i])) : Eval(*e.args[i]);
    if (cond.is_error() || cond.is_indeterminate()) return cond;
    uint8_t t = TruthOf(cond);
    if (t == kMaybeTrue) return Eval(*e.args[i + 1]);
    if (t & kMaybeTrue) {
      Value r = Eval(*e.args[i + 1]);
      if (r.is_error() || r.is_indeterminate()) return r;
      return Value::Unknown(r.type, kAnyTruth);
    }
  }
  return Eval(*e.args.back());
}

Value Evaluator::EvalCoalesce(const Expr& e) const {
  for (const auto& arg : e.args) {
    Value v = Eval(*arg);
    if (v.is_null()) continue;
    if (v.is_unknown() && (v.possible & kMaybeNull)) return Value::Unknown(v.type, kAnyTruth);
    return v;
  }
  return Value::Null();
}

}  // namespace rls_shadow
