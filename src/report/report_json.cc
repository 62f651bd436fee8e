// RenderReportJson: the machine-readable report (DESIGN.md "Outputs"). Times are ISO-8601 UTC
// strings; absent values are null, never "" or 0, so consumers can tell "none" from "zero".

#include "report/iso_time.h"
#include "common/json_writer.h"
#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

void StringArray(JsonWriter& w, const std::vector<std::string>& values) {
  w.BeginArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
}

void WriteTable(JsonWriter& w, const TableReadiness& t) {
  w.BeginObject();
  w.Key("table").String(t.table);
  w.Key("ready").Bool(t.ready);
  w.Key("reasons");
  StringArray(w, t.reasons);
  w.Key("accesses").Uint(t.accesses);
  w.Key("would_be_denials").Uint(t.would_be_denials);
  w.Key("by_effect").BeginObject();
  for (const auto& [effect, n] : t.by_effect) w.Key(effect).Uint(n);
  w.EndObject();
  w.Key("lanes_seen");
  StringArray(w, t.lanes_seen);
  w.Key("code_paths");
  StringArray(w, t.code_paths);
  w.Key("in_catalog").Bool(t.in_catalog);
  w.Key("rls_enabled").Bool(t.rls_enabled);
  w.Key("forced").Bool(t.forced);
  w.Key("policies");
  StringArray(w, t.policies);
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
  w.EndObject();
}

void WriteDenial(JsonWriter& w, const DenialEntry& d) {
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
  StringArray(w, d.examples);
  w.EndObject();
}

}  // namespace

std::string RenderReportJson(const Report& r) {
  JsonWriter w;
  w.BeginObject();

  w.Key("overall").BeginObject();
  w.Key("ready").Bool(r.ready);
  w.Key("blocking");
  StringArray(w, r.blocking);
  w.Key("reasons");
  StringArray(w, r.overall_reasons);
  w.EndObject();

  w.Key("window").BeginObject();
  w.Key("since").String(FormatIsoUtc(r.since_us));
  w.Key("until").String(FormatIsoUtc(r.until_us));
  w.EndObject();

  w.Key("tables").BeginArray();
  for (const auto& t : r.tables) WriteTable(w, t);
  w.EndArray();

  w.Key("denials").BeginArray();
  for (const auto& d : r.denials) WriteDenial(w, d);
  w.EndArray();
  w.Key("denial_rows_total").Uint(r.denial_rows_total);

  w.Key("policies").BeginArray();
  for (const auto& p : r.policies) {
    w.BeginObject();
    w.Key("table").String(p.table);
    w.Key("policy").String(p.policy);
    w.Key("declared").Bool(p.declared);
    w.Key("allowed").Uint(p.allowed);
    w.Key("would_deny").Uint(p.would_deny);
    w.Key("evaluated").Bool(p.allowed + p.would_deny > 0);
    w.EndObject();
  }
  w.EndArray();

  w.Key("lanes").BeginArray();
  for (const auto& l : r.lanes) {
    w.BeginObject();
    w.Key("lane").String(l.lane);
    w.Key("required").Bool(l.required);
    w.Key("seen").Bool(l.seen);
    w.Key("accesses").Uint(l.accesses);
    w.Key("denials").Uint(l.would_be_denials);
    w.EndObject();
  }
  w.EndArray();

  w.Key("inputs").BeginObject();
  w.Key("lines_read").Uint(r.inputs.lines_read);
  w.Key("events_analyzed").Uint(r.inputs.events_analyzed);
  w.Key("lines_rejected").Uint(r.inputs.lines_rejected);
  w.Key("rejected_by_reason").BeginObject();
  for (const auto& [reason, n] : r.inputs.rejected_by_reason) w.Key(reason).Uint(n);
  w.EndObject();
  w.Key("statements_unparsed").Uint(r.inputs.statements_unparsed);
  w.EndObject();

  w.EndObject();
  std::string out = w.str();
  out.push_back('\n');
  return out;
}

}  // namespace rls_shadow
