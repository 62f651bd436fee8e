// DecodeCopyTextRow: the inverse of PostgreSQL's CopyAttributeOutText (src/backend/commands/
// copyto.c), following CopyReadAttributesText (copyfromparse.c) for what it accepts.
#include "cdc/copy_text.h"

namespace rls_shadow::cdc {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool DecodeCopyTextRow(std::string_view line, std::vector<std::optional<std::string>>* fields,
                       std::string* error) {
  fields->clear();
  size_t pos = 0;
  for (;;) {
    size_t start = pos;
    std::string value;
    bool escaped_any = false;
    while (pos < line.size() && line[pos] != '\t') {
      char c = line[pos++];
      if (c != '\\') {
        value += c;
        continue;
      }
      if (pos >= line.size()) {
        *error = "the line ends in a lone backslash";
        return false;
      }
      escaped_any = true;
      char e = line[pos++];
      switch (e) {
        case 'b':
          value += '\b';
          break;
        case 'f':
          value += '\f';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'v':
          value += '\v';
          break;
        case 'x': {
          int digit = pos < line.size() ? HexValue(line[pos]) : -1;
          if (digit < 0) {  // "\x" without hex digits is a plain 'x'
            value += 'x';
            break;
          }
          int byte = digit;
          ++pos;
          if (pos < line.size() && (digit = HexValue(line[pos])) >= 0) {
            byte = byte * 16 + digit;
            ++pos;
          }
          value += static_cast<char>(byte);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int byte = e - '0';
            for (int i = 0; i < 2 && pos < line.size() && line[pos] >= '0' && line[pos] <= '7';
                 ++i) {
              byte = byte * 8 + (line[pos++] - '0');
            }
            value += static_cast<char>(byte & 0xFF);
          } else {
            value += e;  // "\\" and any other escaped character stand for themselves
          }
          break;
      }
    }
    // \N is NULL only as the whole, raw field ("\\N" is the two characters \N).
    if (escaped_any && line.substr(start, pos - start) == "\\N") {
      fields->emplace_back(std::nullopt);
    } else {
      fields->emplace_back(std::move(value));
    }
    if (pos >= line.size()) return true;
    ++pos;  // the tab
  }
}

}  // namespace rls_shadow::cdc
