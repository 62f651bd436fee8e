// Test helpers for the ingest readers: run ReadLog and collect everything it reports, and write
// generated inputs to temporary files.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "rls_shadow/log_reader.h"

namespace rls_shadow::testing_ingest {

struct Reject {
  RejectedRecord record;
  std::string raw;
};

struct ReadResult {
  Status status;
  std::vector<LogEvent> events;
  std::vector<Reject> rejects;
  ReadSummary summary;
};

inline ReadResult ReadAll(const std::string& path, const ReadOptions& options = {}) {
  ReadResult result;
  result.status = ReadLog(
      path, options, [&](const LogEvent& event) { result.events.push_back(event); },
      [&](const RejectedRecord& record, std::string_view raw) {
        result.rejects.push_back({record, std::string(raw)});
      },
      &result.summary);
  return result;
}

// Writes `content` to a fresh file in the test's temporary directory and returns its path.
inline std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/rls_shadow_ingest_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

inline std::string DataPath(const std::string& name) {
  return std::string(RLS_SHADOW_TEST_DATA) + "/ingest/" + name;
}

// A minimal valid jsonlog line (with '\n') for session `session` and `message`.
inline std::string JsonLine(const std::string& message, int line_num = 1,
                            const std::string& extra = "") {
  return "{\"timestamp\":\"2026-11-22 12:08:08.403 "
         "UTC\",\"user\":\"app_role\",\"dbname\":\"postgres\","
         "\"pid\":8092,\"session_id\":\"6b02db28.1f9c\",\"line_num\":" +
         std::to_string(line_num) +
         ",\"vxid\":\"3/450\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"" + message +
         "\"" + extra + ",\"backend_type\":\"client backend\"}\n";
}

}  // namespace rls_shadow::testing_ingest
