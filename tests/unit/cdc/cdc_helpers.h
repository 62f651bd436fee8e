// Test helpers for the CDC readers: run ReadChanges / ReadSeed and collect what they report,
// find events and columns, and write generated inputs to temporary files.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "rls_shadow/change_reader.h"

namespace rls_shadow::testing_cdc {

struct Reject {
  RejectedRecord record;
  std::string raw;
};

struct ChangeResult {
  Status status;
  std::vector<ChangeEvent> events;
  std::vector<Reject> rejects;
  ChangeReadSummary summary;
};

inline ChangeResult ReadAllChanges(const std::string& path, const ChangeReadOptions& options = {}) {
  ChangeResult result;
  result.status = ReadChanges(
      path, options, [&](const ChangeEvent& event) { result.events.push_back(event); },
      [&](const RejectedRecord& record, std::string_view raw) {
        result.rejects.push_back({record, std::string(raw)});
      },
      &result.summary);
  return result;
}

inline ChangeResult ReadAllSeed(const std::string& path) {
  ChangeResult result;
  result.status = ReadSeed(
      path, [&](const ChangeEvent& event) { result.events.push_back(event); },
      [&](const RejectedRecord& record, std::string_view raw) {
        result.rejects.push_back({record, std::string(raw)});
      },
      &result.summary);
  return result;
}

inline std::string WriteTempFile(const std::string& name, const std::string& content) {
  std::string path = ::testing::TempDir() + "/rls_shadow_cdc_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return path;
}

inline std::string DataPath(const std::string& name) {
  return std::string(RLS_SHADOW_TEST_DATA) + "/cdc/" + name;
}

// The column named `name`, or nullptr.
inline const ColumnValue* Column(const std::vector<ColumnValue>& columns, const std::string& name) {
  for (const ColumnValue& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The text of column `name` ("<absent>" when there is no such column, "<null>" for NULL,
// "<unavailable>" for an unchanged TOASTed value).
inline std::string Text(const std::vector<ColumnValue>& columns, const std::string& name) {
  const ColumnValue* c = Column(columns, name);
  if (c == nullptr) return "<absent>";
  if (c->unavailable) return "<unavailable>";
  return c->text ? *c->text : "<null>";
}

inline std::vector<const ChangeEvent*> Filter(const std::vector<ChangeEvent>& events,
                                              ChangeAction action, const std::string& table = "") {
  std::vector<const ChangeEvent*> out;
  for (const ChangeEvent& e : events) {
    if (e.action == action && (table.empty() || e.QualifiedTable() == table)) out.push_back(&e);
  }
  return out;
}

}  // namespace rls_shadow::testing_cdc
