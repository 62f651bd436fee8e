// The JSON pieces of the report, shared by RenderReportJson and the HTTP API (http/), so a table,
// a denial or a lane has the same fields wherever it is read. Field names are stable (README).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/json_writer.h"
#include "rls_shadow/report.h"

namespace rls_shadow {

void WriteStringArrayJson(JsonWriter& w, const std::vector<std::string>& values);
void WriteTableJson(JsonWriter& w, const TableReadiness& t);
void WriteDenialJson(JsonWriter& w, const DenialEntry& d);
// {"table"?, "policy", "declared", "allowed", "would_deny", "evaluated"}
void WritePolicyJson(JsonWriter& w, const PolicyCounters& p, bool with_table);
// {"since": "...Z", "until": "...Z"}
void WriteWindowJson(JsonWriter& w, int64_t since_us, int64_t until_us);
void WriteLaneJson(JsonWriter& w, const LaneCoverage& l);
// {"lines_read": ..., ...}: the input health object.
void WriteInputsJson(JsonWriter& w, const InputStats& in);
// [{"hour": "...Z", "accesses": n, "would_be_denials": n}, ...]
void WriteHourlyJson(JsonWriter& w, const std::vector<HourlyCount>& hourly);
// {"ready": b, "blocking": [...], "reasons": [...]}
void WriteOverallJson(JsonWriter& w, const Report& r);

}  // namespace rls_shadow
