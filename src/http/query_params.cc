#include "http/query_params.h"

#include "common/hex_digit.h"

namespace rls_shadow::http {
namespace {

bool Decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexDigitValue(in[i + 1]), lo = HexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out->push_back(c);
  }
  return true;
}

}  // namespace

Status ParseTarget(std::string_view target, Target* out) {
  *out = Target{};
  const size_t q = target.find('?');
  if (!Decode(target.substr(0, q), false, &out->path)) {
    return Status::Error("malformed percent-encoding in the path");
  }
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!Decode(pair.substr(0, eq), true, &key) ||
        (eq != std::string_view::npos && !Decode(pair.substr(eq + 1), true, &value))) {
      return Status::Error("malformed percent-encoding in the query");
    }
    if (out->params.contains(key)) return Status::Error("parameter '" + key + "' given twice");
    out->params.emplace(std::move(key), std::move(value));
  }
  return Status::Ok();
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

}  // namespace rls_shadow::http
