// Building keys from parts, for in-memory lookup tables that compare keys as bytes: a word is
// its 8 bytes, a text its 4-byte length then its bytes, so consecutive parts cannot run into
// each other ("ab" + "c" never encodes as "a" + "bc").
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace rls_shadow::common {

inline void AppendKeyWord(std::string* out, uint64_t v) {
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out->append(bytes, sizeof v);
}

// Texts are at most a log line long (well under 4 GB).
inline void AppendKeyText(std::string* out, std::string_view text) {
  const auto size = static_cast<uint32_t>(text.size());
  char bytes[sizeof size];
  std::memcpy(bytes, &size, sizeof size);
  out->append(bytes, sizeof size);
  out->append(text);
}

}  // namespace rls_shadow::common
