// A strict, small JSON parser for the report tests (RFC 8259, including UTF-8 validation of
// strings). report_tests links only rls_shadow_report, which does not bring simdjson, and a
// test that checks our writer with our writer's own assumptions would prove nothing.
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rls_shadow::testing {

struct Json {
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json>;
  std::variant<std::nullptr_t, bool, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      v = nullptr;

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
  bool boolean() const { return std::get<bool>(v); }
  double number() const { return std::get<double>(v); }
  const std::string& str() const { return std::get<std::string>(v); }
  const Array& array() const { return *std::get<std::shared_ptr<Array>>(v); }
  const Object& object() const { return *std::get<std::shared_ptr<Object>>(v); }
  const Json& operator[](const std::string& key) const { return object().at(key); }
  const Json& operator[](size_t i) const { return array().at(i); }
  bool has(const std::string& key) const { return object().contains(key); }
};

class JsonParser {
 public:
  // Parses `text` as exactly one JSON value (whitespace around it allowed). Returns false and
  // sets `error` when it is not valid JSON.
  static bool Parse(std::string_view text, Json* out, std::string* error) {
    JsonParser p(text);
    p.SkipWs();
    if (!p.Value(out, 0)) {
      *error = p.error_ + " at offset " + std::to_string(p.pos_);
      return false;
    }
    p.SkipWs();
    if (p.pos_ != text.size()) {
      *error = "trailing characters at offset " + std::to_string(p.pos_);
      return false;
    }
    return true;
  }

 private:
  explicit JsonParser(std::string_view s) : s_(s) {}

  bool Fail(const char* why) {
    error_ = why;
    return false;
  }
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Fail("bad literal");
    pos_ += word.size();
    return true;
  }

  bool Value(Json* out, int depth) {
    if (depth > 64) return Fail("too deep");
    if (pos_ >= s_.size()) return Fail("unexpected end");
    const char c = s_[pos_];
    if (c == '{') return ObjectValue(out, depth);
    if (c == '[') return ArrayValue(out, depth);
    if (c == '"') {
      std::string str;
      if (!String(&str)) return false;
      out->v = std::move(str);
      return true;
    }
    if (c == 't') return Literal("true") && (out->v = true, true);
    if (c == 'f') return Literal("false") && (out->v = false, true);
    if (c == 'n') return Literal("null") && (out->v = nullptr, true);
    return Number(out);
  }

  bool ObjectValue(Json* out, int depth) {
    auto obj = std::make_shared<Json::Object>();
    ++pos_;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      out->v = obj;
      return true;
    }
    while (true) {
      SkipWs();
      std::string key;
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected key");
      if (!String(&key)) return false;
      if (obj->contains(key)) return Fail("duplicate key");
      SkipWs();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      SkipWs();
      if (!Value(&(*obj)[key], depth + 1)) return false;
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        out->v = obj;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  bool ArrayValue(Json* out, int depth) {
    auto arr = std::make_shared<Json::Array>();
    ++pos_;
    SkipWs();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      out->v = arr;
      return true;
    }
    while (true) {
      SkipWs();
      arr->emplace_back();
      if (!Value(&arr->back(), depth + 1)) return false;
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        out->v = arr;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }

  bool Number(Json* out) {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t b = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > b;
    };
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return Fail("bad number");
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return Fail("bad fraction");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return Fail("bad exponent");
    }
    out->v = std::strtod(std::string(s_.substr(start, pos_ - start)).c_str(), nullptr);
    return true;
  }

  static void AppendUtf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool Hex4(unsigned* cp) {
    if (pos_ + 4 > s_.size()) return Fail("short \\u escape");
    *cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      *cp <<= 4;
      if (h >= '0' && h <= '9') {
        *cp |= static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        *cp |= static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        *cp |= static_cast<unsigned>(h - 'A' + 10);
      } else {
        return Fail("bad hex digit");
      }
    }
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("raw control character in string");
      if (c == '\\') {
        if (++pos_ >= s_.size()) return Fail("unterminated escape");
        const char e = s_[pos_++];
        switch (e) {
          case '"':
            out->push_back('"');
            break;
          case '\\':
            out->push_back('\\');
            break;
          case '/':
            out->push_back('/');
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'u': {
            unsigned cp = 0;
            if (!Hex4(&cp)) return false;
            if (cp >= 0xd800 && cp <= 0xdbff) {
              unsigned lo = 0;
              if (s_.substr(pos_, 2) != "\\u") return Fail("lone high surrogate");
              pos_ += 2;
              if (!Hex4(&lo) || lo < 0xdc00 || lo > 0xdfff) return Fail("bad low surrogate");
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
              return Fail("lone low surrogate");
            }
            AppendUtf8(cp, out);
            break;
          }
          default:
            return Fail("bad escape");
        }
        continue;
      }
      // Raw UTF-8: validate the sequence.
      size_t n = 0;
      unsigned lo = 0x80, hi = 0xbf;
      if (c < 0x80) {
        n = 1;
      } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
      } else {
        return Fail("invalid UTF-8 lead byte");
      }
      if (pos_ + n > s_.size()) return Fail("truncated UTF-8");
      for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s_[pos_ + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return Fail("invalid UTF-8");
      }
      out->append(s_.substr(pos_, n));
      pos_ += n;
    }
    return Fail("unterminated string");
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace rls_shadow::testing
