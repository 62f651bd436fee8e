#include "http/store_metrics.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace rls_shadow::http {
namespace {

// The `limit` names with the largest totals; others map to "other".
std::set<std::string> Keep(const std::map<std::string, uint64_t>& totals, size_t limit) {
  std::vector<std::pair<uint64_t, std::string>> v;
  for (const auto& [name, n] : totals) v.emplace_back(n, name);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::set<std::string> keep;
  for (size_t i = 0; i < std::min(limit, v.size()); ++i) keep.insert(v[i].second);
  return keep;
}

std::string Bounded(const std::set<std::string>& keep, const std::string& name) {
  return keep.contains(name) ? name : "other";
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Sample(std::string* out, const std::string& name, const std::string& labels, uint64_t v) {
  *out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(v) + "\n";
}

}  // namespace

std::string LabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void AppendStoreMetrics(const Report& r, std::string* out) {
  const InputStats& in = r.inputs;
  Header(out, "rls_shadow_events_total", "counter",
         "Input records by source and outcome, since the state directory was created.");
  uint64_t cdc_rejected = 0;
  for (const auto& [reason, n] : in.rejected_by_reason) {
    if (reason.starts_with("cdc_")) cdc_rejected += n;
  }
  Sample(out, "rls_shadow_events_total", "source=\"log\",outcome=\"read\"", in.lines_read);
  Sample(out, "rls_shadow_events_total", "source=\"log\",outcome=\"analyzed\"",
         in.events_analyzed);
  Sample(out, "rls_shadow_events_total", "source=\"log\",outcome=\"rejected\"",
         in.lines_rejected - std::min(in.lines_rejected, cdc_rejected));
  Sample(out, "rls_shadow_events_total", "source=\"cdc\",outcome=\"rejected\"", cdc_rejected);
  Sample(out, "rls_shadow_events_total", "source=\"log\",outcome=\"unparsed\"",
         in.statements_unparsed);

  Header(out, "rls_shadow_decode_errors_total", "counter", "Rejected input records by reason.");
  for (const auto& [reason, n] : in.rejected_by_reason) {
    Sample(out, "rls_shadow_decode_errors_total", "reason=\"" + LabelValue(reason) + "\"", n);
  }

  std::map<std::string, uint64_t> table_totals, lane_totals;
  for (const auto& d : r.denials) {
    table_totals[d.key.table] += d.value.count;
    lane_totals[d.key.lane] += d.value.count;
  }
  for (const auto& l : r.lanes) lane_totals[l.lane] += 0;
  const auto tables = Keep(table_totals, kMaxLabelValues);
  const auto lanes = Keep(lane_totals, kMaxLabelValues);

  std::map<std::string, uint64_t> denials, missing;
  for (const auto& d : r.denials) {
    const std::string lane = LabelValue(Bounded(lanes, d.key.lane));
    denials["table=\"" + LabelValue(Bounded(tables, d.key.table)) + "\",cause=\"" +
            std::string(CauseName(d.key.cause)) + "\",lane=\"" + lane + "\""] += d.value.count;
    if (d.key.cause == Cause::kMissingContext || d.key.cause == Cause::kEmptyContext ||
        d.key.cause == Cause::kContextLostAutocommit) {
      missing["lane=\"" + lane + "\""] += d.value.count;
    }
  }
  Header(out, "rls_shadow_would_be_denials", "gauge",
         "Would-be denials in the readiness window by table, cause and lane.");
  for (const auto& [labels, n] : denials) Sample(out, "rls_shadow_would_be_denials", labels, n);
  Header(out, "rls_shadow_context_missing_accesses", "gauge",
         "Accesses without (usable) tenant context in the readiness window, by lane.");
  for (const auto& [labels, n] : missing) {
    Sample(out, "rls_shadow_context_missing_accesses", labels, n);
  }

  Header(out, "rls_shadow_accesses", "gauge", "Accesses in the readiness window by effect.");
  std::map<std::string, uint64_t> by_effect;
  for (const auto& t : r.tables) {
    for (const auto& [effect, n] : t.by_effect) by_effect[effect] += n;
  }
  for (const auto& [effect, n] : by_effect) {
    Sample(out, "rls_shadow_accesses", "effect=\"" + effect + "\"", n);
  }

  Header(out, "rls_shadow_table_ready", "gauge", "1 when the table may be forced.");
  size_t shown = 0;
  for (const auto& t : r.tables) {
    if (shown++ == kMaxLabelValues) break;
    Sample(out, "rls_shadow_table_ready", "table=\"" + LabelValue(t.table) + "\"", t.ready);
  }
  Header(out, "rls_shadow_ready", "gauge", "1 when every table may be forced (go).");
  Sample(out, "rls_shadow_ready", "", r.ready);
}

}  // namespace rls_shadow::http
