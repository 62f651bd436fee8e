// ondemand_floor: how fast simdjson On-Demand alone reads a jsonlog on this machine now, the
// yardstick the issue set its target against ("simdjson On-Demand reads these lines at ~4M/s";
// 500,000 lines/s for the whole of `analyze`). The machine is shared and its speed changes from
// hour to hour by up to 1.5x, so analyze_bench.sh runs this next to `analyze` and prints both:
// a figure for `analyze` means little without the state of the host it was measured in.
//
// Usage: ondemand_floor LOG [--lines N] [--passes P]
// Reads the first N lines (default 300000) into memory, then P times (default 5) iterates each
// line as a document, walking its keys in order and reading two string values (session_id and
// message), as the analyzer's decoder does at least. Prints the median pass in lines/s.

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

int Usage() {
  std::fprintf(stderr, "usage: ondemand_floor LOG [--lines N] [--passes P]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  size_t max_lines = 300000;
  int passes = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) {
      max_lines = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--passes") == 0) {
      passes = std::atoi(argv[i + 1]);
    } else {
      return Usage();
    }
  }
  if (argc % 2 != 0 || max_lines == 0 || passes < 1) return Usage();

  // One buffer, the lines back to back: each line's padding is the lines after it (and real
  // padding after the last), as in the analyzer's reader.
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ondemand_floor: cannot read %s\n", argv[1]);
    return 1;
  }
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> lines;  // offset, length
  for (std::string line; lines.size() < max_lines && std::getline(in, line);) {
    lines.emplace_back(buffer.size(), line.size());
    buffer += line;
    buffer += '\n';
  }
  buffer.append(simdjson::SIMDJSON_PADDING, '\0');

  simdjson::ondemand::parser parser;
  std::vector<double> seconds;
  size_t bytes_read = 0;  // keeps the reads from being optimised away
  size_t failures = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    for (const auto& [offset, length] : lines) {
      simdjson::ondemand::document doc;
      if (parser.iterate(buffer.data() + offset, length, buffer.size() - offset).get(doc)) {
        ++failures;
        continue;
      }
      simdjson::ondemand::object object;
      if (doc.get_object().get(object)) {
        ++failures;
        continue;
      }
      for (auto field : object) {
        std::string_view key;
        if (field.unescaped_key().get(key)) break;
        if (key != "session_id" && key != "message") continue;
        std::string_view value;
        if (field.value().get_string().get(value) == simdjson::SUCCESS) bytes_read += value.size();
      }
    }
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::printf("simdjson On-Demand (%s): %zu lines, median of %d passes %.3f s: %.0f lines/s\n",
              simdjson::get_active_implementation()->name().c_str(), lines.size(), passes, median,
              static_cast<double>(lines.size()) / median);
  if (failures != 0) std::printf("  %zu lines did not parse\n", failures);
  return bytes_read == 0 ? 1 : 0;
}
