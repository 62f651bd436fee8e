// The readiness report: for each RLS table, whether it is safe to apply FORCE ROW LEVEL SECURITY
// (go / no-go, with every reason stated with its counts), built from a Store for a time window,
// and its renderings (JSON, Markdown). The report is produced even when the verdict is "not
// ready": that is when it is needed most.
//
// BuildReport only reads the Store; the renderers are pure functions. All are thread-safe as
// long as the Store is (see store.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rls_shadow/finding.h"
#include "rls_shadow/status.h"
#include "rls_shadow/store.h"

namespace rls_shadow {

// What "ready" means. A plain struct: the CLI fills it from the TOML config.
struct ReadinessRules {
  // The length of the window the caller should pass to BuildReport (until - since). BuildReport
  // itself takes the window explicitly; this is where the configured length lives.
  int64_t window_seconds = 7 * 86400;
  // Job lanes that must have been seen (on any table) with at least min_lane_accesses accesses
  // in the window; a lane that was not is a reason on every table: the window did not cover it.
  std::vector<std::string> required_lanes;
  uint64_t min_lane_accesses = 1;
  // indeterminate accesses / all accesses of a table above which the table is not ready
  // (a fraction: 0.05 = 5%). At 0.0, any indeterminate access blocks.
  double max_indeterminate_share = 0.0;
  // Tables on which accesses allowed only through the owner's bypass (cause owner_bypass) do not
  // block. Would-be denials (including cause owner_bypass_lost) block regardless: each of them
  // is a statement that would fail or lose rows once the table is forced.
  std::vector<std::string> bypass_allowed_tables;
  // Lanes (named global jobs) whose allowed-through-owner-bypass accesses do not block, on any
  // table. Would-be denials block regardless, as for bypass_allowed_tables.
  std::vector<std::string> bypass_allowed_lanes;
  // Mask the literals (quoted strings, dollar-quoted strings, numbers) of examples again in the
  // report, whatever the analyzer stored. false shows the examples as stored.
  bool redact = true;
  // At most this many denials[] rows, the largest counts first; 0 = all. Table totals stay exact.
  size_t max_denial_rows = 0;
};

// A code path and how many blocking would-be denials it caused.
struct CodePathCount {
  std::string code_path;
  uint64_t count = 0;
};

struct TableReadiness {
  std::string table;
  bool ready = false;
  // One sentence per blocking reason, with its counts, e.g. "12 would-be denials (error 10,
  // filtered 2) from 3 code paths", "lane notification_digest never seen".
  std::vector<std::string> reasons;
  uint64_t accesses = 0;
  uint64_t would_be_denials = 0;              // accesses whose effect is not allow
  std::map<std::string, uint64_t> by_effect;  // every effect name, zeros included
  std::vector<std::string> lanes_seen;        // sorted; unattributed ("") left out
  std::vector<std::string> code_paths;        // sorted
  bool in_catalog = false;                    // has a TableMeta
  bool rls_enabled = false;
  bool forced = false;                    // the migration itself forces the table
  std::vector<std::string> policies;      // from the catalog
  uint64_t owner_bypass = 0;              // accesses with cause owner_bypass / _lost
  std::optional<int64_t> last_denial_us;  // last blocking would-be denial in the window
  std::string force_sql;                  // "ALTER TABLE ... FORCE ...;" when ready, else ""
  // The code paths with the most blocking would-be denials on this table, largest first (at
  // most kTopCodePaths); empty when there are none.
  std::vector<CodePathCount> top_code_paths;
  static constexpr size_t kTopCodePaths = 5;
};

struct DenialEntry {
  DenialKey key;  // effect is never kAllow here
  CounterValue value;
  std::vector<std::string> examples;  // redacted when the rules say so
};

// Allow and would-deny counters of one policy on one table, published even at zero, so that
// "never evaluated" (0 / 0) is distinguishable from "always allowed".
struct PolicyCounters {
  std::string table;
  std::string policy;     // "" = the default deny (no permissive policy applied)
  bool declared = false;  // listed in the catalog (TableMeta.policies)
  uint64_t allowed = 0;
  uint64_t would_deny = 0;
};

struct LaneCoverage {
  std::string lane;  // "" = accesses with no lane attribution
  bool required = false;
  bool seen = false;
  uint64_t accesses = 0;
  uint64_t would_be_denials = 0;
};

// Accesses and would-be denials (every effect but allow) of one hour of the window.
struct HourlyCount {
  int64_t hour_start_us = 0;
  uint64_t accesses = 0;
  uint64_t would_be_denials = 0;
};

// What changed since a previous report: denial keys present now and not then (new), and then
// and not now (resolved). Keys are compared on every field of DenialKey.
struct ReportChanges {
  int64_t previous_since_us = 0;
  int64_t previous_until_us = 0;
  bool previous_ready = false;
  std::vector<DenialEntry> added;     // as in this report
  std::vector<DenialEntry> resolved;  // as in the previous report (count, examples from it)
};

struct Report {
  int64_t since_us = 0;
  int64_t until_us = 0;
  bool ready = false;
  std::vector<std::string> blocking;         // tables not ready, sorted
  std::vector<std::string> overall_reasons;  // e.g. "no tables ..."; empty when ready
  std::vector<TableReadiness> tables;        // sorted by name
  std::vector<DenialEntry> denials;          // largest count first
  uint64_t denial_rows_total = 0;            // before max_denial_rows
  std::vector<PolicyCounters> policies;      // sorted by table, policy
  std::vector<LaneCoverage> lanes;           // sorted by lane
  InputStats inputs;                         // cumulative, not windowed
  // Every hour of the window from the first to the last hour with accesses, zeros included.
  std::vector<HourlyCount> hourly;
  std::optional<ReportChanges> changes;  // set by CompareWithPrevious
};

// Builds the report of window [since_us, until_us) from `store` under `rules`. Counters are kept
// per hour, so the window is widened to whole hours. Returns the Store's read error, if any;
// `*out` is then unspecified.
Status BuildReport(const Store& store, const ReadinessRules& rules, int64_t since_us,
                   int64_t until_us, Report* out);

// The end of the default window: just after the latest access in `store`, so a report over an
// old log covers that log; `now_us` when the store holds no accesses (or cannot be read).
int64_t LatestDataEndUs(const Store& store, int64_t now_us);

// Fills report->changes from `previous_json`, a document written by RenderReportJson. Returns
// an error naming what is wrong when it is not such a document.
Status CompareWithPrevious(std::string_view previous_json, Report* report);

// The JSON document described in DESIGN.md "Outputs" (valid UTF-8 JSON, times ISO-8601 UTC).
std::string RenderReportJson(const Report& report);
// A Markdown document: verdict line, tables, top denials with examples, policies, lanes, inputs.
std::string RenderReportMarkdown(const Report& report);
// One self-contained HTML page (inline CSS, the hourly chart as inline SVG, no scripts).
std::string RenderReportHtml(const Report& report);

// "ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;", identifiers quoted where PostgreSQL
// needs it ("public.\"Order\"", "public.\"user\"").
std::string ForceRowLevelSecuritySql(const std::string& table);

}  // namespace rls_shadow
