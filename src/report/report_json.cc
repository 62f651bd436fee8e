// RenderReportJson: the machine-readable report (DESIGN.md "Outputs"). Times are ISO-8601 UTC
// strings; absent values are null, never "" or 0, so consumers can tell "none" from "zero".

#include "report/report_json.h"

#include "report/iso_time.h"

namespace rls_shadow {
namespace {

void WriteChanges(JsonWriter& w, const ReportChanges& c) {
  w.BeginObject();
  w.Key("previous_window");
  WriteWindowJson(w, c.previous_since_us, c.previous_until_us);
  w.Key("previous_ready").Bool(c.previous_ready);
  w.Key("new").BeginArray();
  for (const auto& d : c.added) WriteDenialJson(w, d);
  w.EndArray();
  w.Key("resolved").BeginArray();
  for (const auto& d : c.resolved) WriteDenialJson(w, d);
  w.EndArray();
  w.EndObject();
}

}  // namespace

void WriteStringArrayJson(JsonWriter& w, const std::vector<std::string>& values) {
  w.BeginArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
}

void WriteTableJson(JsonWriter& w, const TableReadiness& t) {
  w.BeginObject();
  w.Key("table").String(t.table);
  w.Key("ready").Bool(t.ready);
  w.Key("reasons");
  WriteStringArrayJson(w, t.reasons);
  w.Key("accesses").Uint(t.accesses);
  w.Key("would_be_denials").Uint(t.would_be_denials);
  w.Key("by_effect").BeginObject();
  for (const auto& [effect, n] : t.by_effect) w.Key(effect).Uint(n);
  w.EndObject();
  w.Key("lanes_seen");
  WriteStringArrayJson(w, t.lanes_seen);
  w.Key("code_paths");
  WriteStringArrayJson(w, t.code_paths);
  w.Key("in_catalog").Bool(t.in_catalog);
  w.Key("rls_enabled").Bool(t.rls_enabled);
  w.Key("forced").Bool(t.forced);
  w.Key("policies");
  WriteStringArrayJson(w, t.policies);
  w.Key("owner_bypass").Uint(t.owner_bypass);
  w.Key("last_denial");
  if (t.last_denial_us) {
    w.String(FormatIsoUtc(*t.last_denial_us));
  } else {
    w.Null();
  }
  w.Key("force_sql");
  if (t.ready) {
    w.String(t.force_sql);
  } else {
    w.Null();
  }
  w.Key("top_code_paths").BeginArray();
  for (const auto& c : t.top_code_paths) {
    w.BeginObject();
    w.Key("code_path").String(c.code_path);
    w.Key("would_be_denials").Uint(c.count);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteDenialJson(JsonWriter& w, const DenialEntry& d) {
  const DenialKey& k = d.key;
  w.BeginObject();
  w.Key("table").String(k.table);
  w.Key("command").String(CommandName(k.command));
  w.Key("policy").String(k.policy);
  w.Key("tenant").String(k.tenant);
  w.Key("code_path").String(k.code_path);
  w.Key("lane").String(k.lane);
  w.Key("effect").String(EffectName(k.effect));
  w.Key("cause");
  if (k.cause == Cause::kNone) {
    w.Null();
  } else {
    w.String(CauseName(k.cause));
  }
  w.Key("count").Uint(d.value.count);
  w.Key("first_seen").String(FormatIsoUtc(d.value.first_seen_us));
  w.Key("last_seen").String(FormatIsoUtc(d.value.last_seen_us));
  w.Key("example");
  if (d.examples.empty()) {
    w.Null();
  } else {
    w.String(d.examples.front());
  }
  w.Key("examples");
  WriteStringArrayJson(w, d.examples);
  w.EndObject();
}

void WritePolicyJson(JsonWriter& w, const PolicyCounters& p, bool with_table) {
  w.BeginObject();
  if (with_table) w.Key("table").String(p.table);
  w.Key("policy").String(p.policy);
  w.Key("declared").Bool(p.declared);
  w.Key("allowed").Uint(p.allowed);
  w.Key("would_deny").Uint(p.would_deny);
  w.Key("evaluated").Bool(p.allowed + p.would_deny > 0);
  w.EndObject();
}

void WriteWindowJson(JsonWriter& w, int64_t since_us, int64_t until_us) {
  w.BeginObject();
  w.Key("since").String(FormatIsoUtc(since_us));
  w.Key("until").String(FormatIsoUtc(until_us));
  w.EndObject();
}

void WriteLaneJson(JsonWriter& w, const LaneCoverage& l) {
  w.BeginObject();
  w.Key("lane").String(l.lane);
  w.Key("required").Bool(l.required);
  w.Key("seen").Bool(l.seen);
  w.Key("accesses").Uint(l.accesses);
  w.Key("denials").Uint(l.would_be_denials);
  w.EndObject();
}

void WriteInputsJson(JsonWriter& w, const InputStats& in) {
  w.BeginObject();
  w.Key("lines_read").Uint(in.lines_read);
  w.Key("events_analyzed").Uint(in.events_analyzed);
  w.Key("lines_rejected").Uint(in.lines_rejected);
  w.Key("rejected_by_reason").BeginObject();
  for (const auto& [reason, n] : in.rejected_by_reason) w.Key(reason).Uint(n);
  w.EndObject();
  w.Key("statements_unparsed").Uint(in.statements_unparsed);
  w.Key("consumer_lag").BeginObject();
  for (const auto& [partition, n] : in.consumer_lag) w.Key(partition).Int(n);
  w.EndObject();
  w.EndObject();
}

void WriteHourlyJson(JsonWriter& w, const std::vector<HourlyCount>& hourly) {
  w.BeginArray();
  for (const auto& h : hourly) {
    w.BeginObject();
    w.Key("hour").String(FormatIsoUtc(h.hour_start_us));
    w.Key("accesses").Uint(h.accesses);
    w.Key("would_be_denials").Uint(h.would_be_denials);
    w.EndObject();
  }
  w.EndArray();
}

void WriteOverallJson(JsonWriter& w, const Report& r) {
  w.BeginObject();
  w.Key("ready").Bool(r.ready);
  w.Key("blocking");
  WriteStringArrayJson(w, r.blocking);
  w.Key("reasons");
  WriteStringArrayJson(w, r.overall_reasons);
  w.EndObject();
}

std::string RenderReportJson(const Report& r) {
  JsonWriter w;
  w.BeginObject();

  w.Key("overall");
  WriteOverallJson(w, r);

  w.Key("window");
  WriteWindowJson(w, r.since_us, r.until_us);

  w.Key("tables").BeginArray();
  for (const auto& t : r.tables) WriteTableJson(w, t);
  w.EndArray();

  w.Key("denials").BeginArray();
  for (const auto& d : r.denials) WriteDenialJson(w, d);
  w.EndArray();
  w.Key("denial_rows_total").Uint(r.denial_rows_total);

  w.Key("policies").BeginArray();
  for (const auto& p : r.policies) WritePolicyJson(w, p, /*with_table=*/true);
  w.EndArray();

  w.Key("lanes").BeginArray();
  for (const auto& l : r.lanes) WriteLaneJson(w, l);
  w.EndArray();

  w.Key("inputs");
  WriteInputsJson(w, r.inputs);
  w.Key("hourly");
  WriteHourlyJson(w, r.hourly);
  w.Key("changes");
  if (r.changes) {
    WriteChanges(w, *r.changes);
  } else {
    w.Null();
  }

  w.EndObject();
  std::string out = w.str();
  out.push_back('\n');
  return out;
}

}  // namespace rls_shadow
