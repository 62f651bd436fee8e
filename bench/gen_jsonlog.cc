// gen_jsonlog: command-line front end of the jsonlog generator (jsonlog_generator.h).
//
// Usage: gen_jsonlog [--lines N] [--sessions S] [--seed X] [--out FILE] [--changes FILE]
// Prints one summary line (lines, bytes, sessions, shapes, speed) on stderr.

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "jsonlog_generator.h"

namespace {

bool ParseU64(const char* text, uint64_t* value) {
  const char* end = text + std::strlen(text);
  auto r = std::from_chars(text, end, *value);
  return r.ec == std::errc() && r.ptr == end;
}

void PrintUsage(std::FILE* to, const char* argv0) {
  std::fprintf(to,
               "usage: %s [--lines N] [--sessions S] [--seed X] [--out FILE] [--changes FILE]\n"
               "  Writes a deterministic PostgreSQL 15 jsonlog of a multi-tenant application.\n"
               "  --lines N     lines to write (default 1000000)\n"
               "  --sessions S  sessions to spread them over (default 3000)\n"
               "  --seed X      PRNG seed (default 1); same options, same bytes\n"
               "  --out FILE    output file (default: stdout)\n"
               "  --changes FILE  also write the writes' row changes as wal2json v2 lines\n",
               argv0);
}

}  // namespace

int main(int argc, char** argv) {
  rls_shadow::bench::JsonLogOptions options;
  std::string out_path = "-";
  std::string changes_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintUsage(stdout, argv[0]);
      return 0;
    }
    if (i + 1 >= argc) {
      PrintUsage(stderr, argv[0]);
      return 2;
    }
    const char* value = argv[++i];
    bool ok = true;
    if (arg == "--lines") {
      ok = ParseU64(value, &options.lines);
    } else if (arg == "--sessions") {
      ok = ParseU64(value, &options.sessions) && options.sessions > 0;
    } else if (arg == "--seed") {
      ok = ParseU64(value, &options.seed);
    } else if (arg == "--out") {
      out_path = value;
    } else if (arg == "--changes") {
      changes_path = value;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "%s: bad option %s %s\n", argv[0], argv[i - 1], value);
      PrintUsage(stderr, argv[0]);
      return 2;
    }
  }

  std::FILE* out = stdout;
  if (out_path != "-") {
    out = std::fopen(out_path.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], out_path.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  if (!changes_path.empty()) {
    options.changes = std::fopen(changes_path.c_str(), "wb");
    if (options.changes == nullptr) {
      std::fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], changes_path.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  const auto started = std::chrono::steady_clock::now();
  rls_shadow::bench::JsonLogStats stats;
  bool ok = rls_shadow::bench::GenerateJsonLog(options, out, &stats);
  if (options.changes != nullptr) ok = std::fclose(options.changes) == 0 && ok;
  if (out != stdout)
    ok = std::fclose(out) == 0 && ok;
  else
    ok = std::fflush(out) == 0 && ok;
  if (!ok) {
    std::fprintf(stderr, "%s: write error on %s\n", argv[0], out_path.c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "gen_jsonlog: %llu lines, %.1f MB, %llu sessions, %llu statement shapes (%llu "
               "used) in %.2f s (%.0f lines/s)\n",
               static_cast<unsigned long long>(stats.lines), static_cast<double>(stats.bytes) / 1e6,
               static_cast<unsigned long long>(stats.sessions),
               static_cast<unsigned long long>(stats.shapes),
               static_cast<unsigned long long>(stats.shapes_used), seconds,
               static_cast<double>(stats.lines) / seconds);
  if (!changes_path.empty()) {
    std::fprintf(stderr, "gen_jsonlog: %llu wal2json lines in %s\n",
                 static_cast<unsigned long long>(stats.change_lines), changes_path.c_str());
  }
  return 0;
}
