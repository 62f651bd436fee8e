// RenderReportHtml: the nightly report as one self-contained HTML page — inline CSS, the hourly
// chart as inline SVG, no scripts and no external resources, so it can be published as a CI
// artifact or mailed as it is. Same sections as the Markdown rendering.

#include <algorithm>
#include <string>
#include <string_view>

#include "report/hourly_svg.h"
#include "report/iso_time.h"
#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

constexpr size_t kTopDenials = 20;

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string Td(std::string_view s) { return "<td>" + Esc(s.empty() ? "—" : s) + "</td>"; }
std::string TdNum(uint64_t n) { return "<td class=\"n\">" + std::to_string(n) + "</td>"; }

std::string DenialRows(const std::vector<DenialEntry>& denials, size_t limit) {
  std::string h =
      "<table><tr><th>Count</th><th>Table</th><th>Command</th><th>Policy</th><th>Tenant</th>"
      "<th>Code path</th><th>Lane</th><th>Effect</th><th>Cause</th><th>Last seen</th>"
      "<th>Example</th></tr>";
  for (size_t i = 0; i < std::min(limit, denials.size()); ++i) {
    const DenialEntry& d = denials[i];
    const DenialKey& k = d.key;
    h += "<tr>" + TdNum(d.value.count) + Td(k.table) + Td(CommandName(k.command)) +
         Td(k.policy.empty() ? "(no permissive policy)" : k.policy) + Td(k.tenant) +
         Td(k.code_path) + Td(k.lane) + Td(EffectName(k.effect)) + Td(CauseName(k.cause)) +
         Td(FormatIsoUtc(d.value.last_seen_us)) + "<td><code>" +
         Esc(d.examples.empty() ? "" : d.examples.front()) + "</code></td></tr>";
  }
  return h + "</table>";
}

}  // namespace

std::string RenderReportHtml(const Report& r) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>RLS readiness report</title><style>"
      "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
      "padding:.25em .5em;text-align:left;vertical-align:top}td.n{text-align:right}"
      ".ready{color:#1e7e34}.notready{color:#c0392b}code{font-size:.9em}"
      "</style></head><body>\n<h1>RLS readiness report</h1>\n";
  h += r.ready ? "<p id=\"verdict\" class=\"ready\"><strong>Verdict: READY</strong></p>\n"
               : "<p id=\"verdict\" class=\"notready\"><strong>Verdict: NOT READY</strong> — " +
                     std::to_string(r.blocking.size()) + " of " +
                     std::to_string(r.tables.size()) + " tables blocking</p>\n";
  if (!r.overall_reasons.empty()) {
    h += "<ul>";
    for (const auto& reason : r.overall_reasons) h += "<li>" + Esc(reason) + "</li>";
    h += "</ul>\n";
  }
  h += "<p>Window: " + FormatIsoUtc(r.since_us) + " to " + FormatIsoUtc(r.until_us) + "</p>\n";

  h += "<h2>Would-be denials per hour</h2>\n" + RenderHourlySvg(r.hourly) + "\n";

  h += "<h2>Tables</h2>\n<table><tr><th>Table</th><th>Ready</th><th>Accesses</th>"
       "<th>Would-be denials</th><th>Reasons</th><th>Top code paths</th></tr>";
  for (const auto& t : r.tables) {
    std::string reasons, top;
    for (const auto& reason : t.reasons) reasons += "<li>" + Esc(reason) + "</li>";
    for (const auto& c : t.top_code_paths) {
      top += "<li>" + Esc(c.code_path.empty() ? "(unattributed)" : c.code_path) + " (" +
             std::to_string(c.count) + ")</li>";
    }
    h += "<tr><td><code>" + Esc(t.table) + "</code></td><td class=\"" +
         (t.ready ? "ready\">yes" : "notready\">no") + "</td>" + TdNum(t.accesses) +
         TdNum(t.would_be_denials) + "<td><ul>" + reasons + "</ul></td><td><ul>" + top +
         "</ul></td></tr>";
  }
  h += "</table>\n";
  std::string force;
  for (const auto& t : r.tables) {
    if (t.ready) force += Esc(t.force_sql) + "\n";
  }
  if (!force.empty()) h += "<h3>Ready to force</h3>\n<pre>" + force + "</pre>\n";

  if (r.changes) {
    h += "<h2>Changed since the previous report</h2>\n<p>Previous window " +
         FormatIsoUtc(r.changes->previous_since_us) + " to " +
         FormatIsoUtc(r.changes->previous_until_us) + " (" +
         (r.changes->previous_ready ? "ready" : "not ready") + "): " +
         std::to_string(r.changes->added.size()) + " new, " +
         std::to_string(r.changes->resolved.size()) + " resolved.</p>\n";
    h += "<h3>New</h3>\n" + DenialRows(r.changes->added, kTopDenials) + "\n";
    h += "<h3>Resolved</h3>\n" + DenialRows(r.changes->resolved, kTopDenials) + "\n";
  }

  h += "<h2>Top would-be denials</h2>\n<p>Showing " +
       std::to_string(std::min(kTopDenials, r.denials.size())) + " of " +
       std::to_string(r.denial_rows_total) + " rows.</p>\n" + DenialRows(r.denials, kTopDenials) +
       "\n";

  h += "<h2>Lanes</h2>\n<table><tr><th>Lane</th><th>Required</th><th>Seen</th>"
       "<th>Accesses</th><th>Would-be denials</th></tr>";
  for (const auto& l : r.lanes) {
    h += "<tr>" + Td(l.lane.empty() ? "(unattributed)" : l.lane) + Td(l.required ? "yes" : "no") +
         "<td class=\"" + (l.seen ? "ready\">yes" : "notready\">no") + "</td>" +
         TdNum(l.accesses) + TdNum(l.would_be_denials) + "</tr>";
  }
  h += "</table>\n";

  h += "<h2>Input health</h2>\n<ul><li>Lines read: " + std::to_string(r.inputs.lines_read) +
       "</li><li>Events analyzed: " + std::to_string(r.inputs.events_analyzed) +
       "</li><li>Lines rejected: " + std::to_string(r.inputs.lines_rejected) + "<ul>";
  for (const auto& [reason, n] : r.inputs.rejected_by_reason) {
    h += "<li>" + Esc(reason) + ": " + std::to_string(n) + "</li>";
  }
  h += "</ul></li><li>Statements not parsed: " + std::to_string(r.inputs.statements_unparsed) +
       "</li>";
  for (const auto& [partition, n] : r.inputs.consumer_lag) {
    h += "<li>Consumer lag " + Esc(partition) + ": " + std::to_string(n) + " messages</li>";
  }
  h += "</ul>\n</body></html>\n";
  return h;
}

}  // namespace rls_shadow
