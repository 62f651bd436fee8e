// A setting whose value rls-shadow cannot know: set_config() of a table's column
// (`SELECT set_config('app.tenant', u.tenant_id::text, false) FROM users u WHERE ...`), of a
// parameter the log left out (log_parameter_max_length = 0), or of a function it does not model.
// PostgreSQL then holds some real value, so reading the setting is indeterminate, not '' and not
// NULL (which would predict 22P02 errors or silent filtering that PostgreSQL would not show).
//
// The mark travels inside the value: PostgreSQL's settings are C strings, so no real value
// starts with a NUL byte. Kept in the value, it follows SET LOCAL, savepoints, ROLLBACK and RESET
// exactly as a known value does.
#pragma once

#include <string>
#include <string_view>

namespace rls_shadow {

inline constexpr char kUnknownSettingMark = '\0';

// The value to keep for a setting set from `source`, which says what it was set from.
inline std::string UnknownSettingValue(std::string_view source) {
  std::string value(1, kUnknownSettingMark);
  value.append(source);
  return value;
}

inline bool IsUnknownSettingValue(std::string_view value) {
  return !value.empty() && value.front() == kUnknownSettingMark;
}

// What an unknown value was set from (UnknownSettingValue's `source`).
inline std::string_view UnknownSettingSource(std::string_view value) { return value.substr(1); }

}  // namespace rls_shadow
