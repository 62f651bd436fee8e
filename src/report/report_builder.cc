// BuildReport: turns the Store's counters for a window into per-table verdicts. Every rule that
// can make a table "not ready" adds one reason sentence with its counts, so the report explains
// itself; a table is ready only when it has none. The rules lean towards "not ready": a missed
// denial is an outage, a missed go-ahead only a delay.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/civil_time.h"
#include "report/literal_mask.h"
#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

constexpr Effect kAllEffects[] = {Effect::kAllow, Effect::kError, Effect::kFiltered,
                                  Effect::kRowDependent, Effect::kIndeterminate};

// error and filtered break the application; row_dependent was not verified, and a denial we
// could not rule out is treated as one. indeterminate is judged by its share instead.
bool Blocks(Effect e) {
  return e == Effect::kError || e == Effect::kFiltered || e == Effect::kRowDependent;
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "3.1%", with enough digits that a non-zero share never prints as "0%".
std::string Percent(double fraction) {
  const double pct = fraction * 100.0;
  char buf[32];
  if (pct == 0.0 || pct >= 0.1) {
    std::snprintf(buf, sizeof buf, "%.1f", pct);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", pct);
  }
  std::string s = buf;
  // "0.0" -> "0", "5.0" -> "5": the rule is usually a round number.
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s + "%";
}

// Per-table tallies gathered from the rows before the verdict is decided.
struct Tally {
  TableReadiness* table = nullptr;
  std::map<Effect, uint64_t> blocking_by_effect;
  std::map<std::string, uint64_t> blocking_code_paths;  // code path -> blocking denials
  uint64_t owner_bypass_allowed = 0;  // cause owner_bypass (effect allow)
  uint64_t owner_bypass_lost = 0;     // cause owner_bypass_lost (a would-be denial)
};

std::string DenialReason(const Tally& t) {
  uint64_t total = 0;
  std::string parts;
  for (const auto& [effect, n] : t.blocking_by_effect) {
    total += n;
    if (!parts.empty()) parts += ", ";
    parts += std::string(EffectName(effect)) + " " + std::to_string(n);
  }
  return Plural(total, "would-be denial", "would-be denials") + " (" + parts + ") from " +
         Plural(t.blocking_code_paths.size(), "code path", "code paths");
}

std::vector<CodePathCount> TopCodePaths(const std::map<std::string, uint64_t>& counts) {
  std::vector<CodePathCount> top;
  for (const auto& [path, n] : counts) top.push_back({path, n});
  std::stable_sort(top.begin(), top.end(), [](const CodePathCount& a, const CodePathCount& b) {
    return a.count > b.count;
  });
  if (top.size() > TableReadiness::kTopCodePaths) top.resize(TableReadiness::kTopCodePaths);
  return top;
}

// One HourlyCount per hour from the first to the last hour of the window with accesses, read
// hour by hour (the store sums hours away; reading each one keeps them apart).
Status ReadHourly(const Store& store, int64_t since_us, int64_t until_us,
                  const std::vector<AccessRow>& window_rows, std::vector<HourlyCount>* out) {
  constexpr int64_t kHourUs = int64_t{3600} * 1'000'000;
  if (window_rows.empty()) return Status::Ok();
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& r : window_rows) {
    first = std::min(first, r.value.first_seen_us);
    last = std::max(last, r.value.last_seen_us);
  }
  first = std::max(first, since_us);
  last = std::min(last, until_us - 1);
  std::vector<AccessRow> rows;
  for (int64_t hour = FloorDiv(first, kHourUs); hour <= FloorDiv(last, kHourUs); ++hour) {
    if (Status s = store.ReadAccesses(hour * kHourUs, (hour + 1) * kHourUs, &rows); !s.ok()) {
      return s;
    }
    HourlyCount h{hour * kHourUs, 0, 0};
    for (const auto& r : rows) {
      h.accesses += r.value.count;
      if (IsWouldBeDenial(r.key.effect)) h.would_be_denials += r.value.count;
    }
    out->push_back(h);
  }
  return Status::Ok();
}

}  // namespace

int64_t LatestDataEndUs(const Store& store, int64_t now_us) {
  std::vector<AccessRow> rows;
  if (!store.ReadAccesses(INT64_MIN, INT64_MAX, &rows).ok()) return now_us;
  int64_t latest = INT64_MIN;
  for (const auto& r : rows) latest = std::max(latest, r.value.last_seen_us);
  return latest == INT64_MIN ? now_us : latest + 1;
}

namespace {

// The lag `serve` recorded at its last commit (nothing for a store only `analyze` wrote).
Status ReadConsumerLag(const Store& store, std::map<std::string, int64_t>* out) {
  std::optional<std::string> text;
  if (Status s = store.LoadSnapshot(kConsumerLagSnapshot, &text); !s.ok() || !text) return s;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.rfind('=');
    if (eq == std::string::npos) continue;
    int64_t n = 0;
    const char* end = line.data() + line.size();
    if (std::from_chars(line.data() + eq + 1, end, n).ptr == end) (*out)[line.substr(0, eq)] = n;
  }
  return Status::Ok();
}

}  // namespace

Status BuildReport(const Store& store, const ReadinessRules& rules, int64_t since_us,
                   int64_t until_us, Report* out) {
  *out = Report{};
  out->since_us = since_us;
  out->until_us = until_us;

  std::vector<TableMeta> metas;
  std::vector<DenialRow> denial_rows;
  std::vector<AccessRow> access_rows;
  Status s = store.ReadTables(&metas);
  if (s.ok()) s = store.ReadDenials(since_us, until_us, &denial_rows);
  if (s.ok()) s = store.ReadAccesses(since_us, until_us, &access_rows);
  if (s.ok()) s = store.ReadInputStats(&out->inputs);
  if (s.ok()) s = ReadConsumerLag(store, &out->inputs.consumer_lag);
  if (s.ok()) s = ReadHourly(store, since_us, until_us, access_rows, &out->hourly);
  if (!s.ok()) return s;

  // Every table the catalog names or the window saw.
  std::map<std::string, TableReadiness> tables;
  for (const auto& m : metas) {
    TableReadiness& t = tables[m.table];
    t.in_catalog = true;
    t.rls_enabled = m.rls_enabled;
    t.forced = m.rls_forced;
    t.policies = m.policies;
  }
  for (const auto& r : access_rows) tables[r.key.table];
  for (const auto& r : denial_rows) tables[r.key.table];
  std::map<std::string, Tally> tallies;
  for (auto& [name, t] : tables) {
    t.table = name;
    for (Effect e : kAllEffects) t.by_effect[std::string(EffectName(e))] = 0;
    tallies[name].table = &t;
  }

  // Coverage, from the access counters.
  std::map<std::string, LaneCoverage> lanes;
  for (const auto& lane : rules.required_lanes) lanes[lane].required = true;
  std::map<std::string, std::set<std::string>> lanes_seen, code_paths;
  for (const auto& r : access_rows) {
    TableReadiness& t = tables[r.key.table];
    t.accesses += r.value.count;
    t.by_effect[std::string(EffectName(r.key.effect))] += r.value.count;
    if (IsWouldBeDenial(r.key.effect)) t.would_be_denials += r.value.count;
    if (!r.key.lane.empty()) lanes_seen[r.key.table].insert(r.key.lane);
    code_paths[r.key.table].insert(r.key.code_path);
    LaneCoverage& lane = lanes[r.key.lane];
    lane.accesses += r.value.count;
    if (IsWouldBeDenial(r.key.effect)) lane.would_be_denials += r.value.count;
  }
  for (auto& [name, lane] : lanes) {
    lane.lane = name;
    lane.seen = lane.accesses > 0;
    out->lanes.push_back(lane);
  }

  // Denials and per-policy counters, from the denial counters.
  std::map<std::pair<std::string, std::string>, PolicyCounters> policies;
  for (const auto& m : metas) {
    for (const auto& p : m.policies) {
      PolicyCounters& pc = policies[{m.table, p}];
      pc.declared = true;
    }
  }
  const std::set<std::string> bypass_lanes(rules.bypass_allowed_lanes.begin(),
                                           rules.bypass_allowed_lanes.end());
  for (const auto& r : denial_rows) {
    const DenialKey& k = r.key;
    const uint64_t n = r.value.count;
    Tally& tally = tallies[k.table];
    PolicyCounters& pc = policies[{k.table, k.policy}];
    if (k.effect == Effect::kAllow) {
      pc.allowed += n;
      if (k.cause == Cause::kOwnerBypass && !bypass_lanes.contains(k.lane)) {
        tally.owner_bypass_allowed += n;
      }
      continue;
    }
    pc.would_deny += n;
    if (k.cause == Cause::kOwnerBypassLost) tally.owner_bypass_lost += n;
    if (Blocks(k.effect)) {
      tally.blocking_by_effect[k.effect] += n;
      tally.blocking_code_paths[k.code_path] += n;
      auto& last = tally.table->last_denial_us;
      last = std::max(last.value_or(r.value.last_seen_us), r.value.last_seen_us);
    }
    DenialEntry d{k, r.value, r.examples};
    if (rules.redact) {
      for (auto& e : d.examples) e = MaskSqlLiterals(e);
    }
    out->denials.push_back(std::move(d));
  }
  for (auto& [key, pc] : policies) {
    pc.table = key.first;
    pc.policy = key.second;
    out->policies.push_back(pc);
  }

  std::stable_sort(
      out->denials.begin(), out->denials.end(),
      [](const DenialEntry& a, const DenialEntry& b) { return a.value.count > b.value.count; });
  out->denial_rows_total = out->denials.size();
  if (rules.max_denial_rows > 0 && out->denials.size() > rules.max_denial_rows) {
    out->denials.resize(rules.max_denial_rows);
  }

  // Lane coverage is global: a required lane that did not run (enough) in the window means the
  // window is no evidence for any table, since we cannot know which tables that job touches.
  std::vector<std::string> lane_reasons;
  for (const auto& name : rules.required_lanes) {
    const LaneCoverage& lane = lanes[name];
    if (lane.accesses == 0) {
      lane_reasons.push_back("lane " + name + " never seen");
    } else if (lane.accesses < rules.min_lane_accesses) {
      lane_reasons.push_back("lane " + name + " seen " + Plural(lane.accesses, "time", "times") +
                             ", below the minimum of " + std::to_string(rules.min_lane_accesses));
    }
  }
  const std::set<std::string> bypass_allowed(rules.bypass_allowed_tables.begin(),
                                             rules.bypass_allowed_tables.end());

  for (auto& [name, t] : tables) {
    const Tally& tally = tallies[name];
    t.lanes_seen.assign(lanes_seen[name].begin(), lanes_seen[name].end());
    t.code_paths.assign(code_paths[name].begin(), code_paths[name].end());
    t.owner_bypass = tally.owner_bypass_allowed + tally.owner_bypass_lost;
    t.top_code_paths = TopCodePaths(tally.blocking_code_paths);

    if (!t.in_catalog) {
      t.reasons.push_back("not in the policy catalog (no restrictive policies known for it)");
    } else if (!t.rls_enabled) {
      t.reasons.push_back("row level security is not enabled on it by the migration");
    }
    if (t.accesses == 0) t.reasons.push_back("never accessed in the window: no evidence");
    if (!tally.blocking_by_effect.empty()) t.reasons.push_back(DenialReason(tally));
    const uint64_t indeterminate = t.by_effect["indeterminate"];
    if (indeterminate > 0 && t.accesses > 0) {
      const double share = static_cast<double>(indeterminate) / static_cast<double>(t.accesses);
      if (share > rules.max_indeterminate_share) {
        t.reasons.push_back("indeterminate share " + Percent(share) + " above " +
                            Percent(rules.max_indeterminate_share) + " (" +
                            std::to_string(indeterminate) + " of " +
                            Plural(t.accesses, "access", "accesses") + ")");
      }
    }
    if (t.owner_bypass > 0 && !bypass_allowed.contains(name)) {
      t.reasons.push_back("owner bypass relied on " + Plural(t.owner_bypass, "time", "times"));
    }
    t.reasons.insert(t.reasons.end(), lane_reasons.begin(), lane_reasons.end());

    t.ready = t.reasons.empty();
    if (t.ready) {
      t.force_sql = ForceRowLevelSecuritySql(name);
    } else {
      out->blocking.push_back(name);
    }
    out->tables.push_back(std::move(t));
  }

  if (out->tables.empty()) {
    out->overall_reasons.push_back("no tables: the state holds no catalog and no accesses");
  }
  out->overall_reasons.insert(out->overall_reasons.end(), lane_reasons.begin(), lane_reasons.end());
  out->ready = out->blocking.empty() && out->overall_reasons.empty();
  return Status::Ok();
}

}  // namespace rls_shadow
