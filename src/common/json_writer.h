// JsonWriter: builds one JSON document into a string, inserting commas itself. Strings are
// escaped per RFC 8259 (quote, backslash, control characters; U+2028/U+2029 too, so the output
// is also a valid JavaScript literal) and invalid UTF-8 is replaced by U+FFFD, so the output is
// always valid UTF-8 JSON whatever bytes the log contained. Non-finite doubles become null.
//
// Not thread-safe; one writer per document. Misuse (a value where a key is due) is the caller's
// bug and is not diagnosed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rls_shadow {

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view s, std::string* out);

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // The document so far; complete once every Begin has its End.
  const std::string& str() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> has_member_;  // per open container: whether a comma is due
  bool after_key_ = false;
};

}  // namespace rls_shadow
