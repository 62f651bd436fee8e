#include "json_lines.h"

#include <fstream>

namespace rls_shadow::differential {

bool ReadJsonLines(const std::string& path, std::string_view what,
                   const std::function<bool(simdjson::dom::element)>& on_line, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  simdjson::dom::parser parser;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) || !on_line(doc)) {
      *error = path + ":" + std::to_string(line_no) + ": " + std::string(what);
      return false;
    }
  }
  return true;
}

}  // namespace rls_shadow::differential
