// RenderReportMarkdown: the human-readable report, for a PR comment or a wiki page. The verdict
// comes first; then what blocks each table, the denials to fix (with examples in code spans),
// policy and lane coverage, and input health (a report over a broken input is no evidence).

#include <algorithm>
#include <string>
#include <string_view>

#include "report/iso_time.h"
#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

constexpr size_t kTopDenials = 20;

// Text inside a table cell: '|' would end the cell, newlines the row.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A code span that shows `s` verbatim: delimited by more backticks than any run inside it,
// padded when it starts or ends with a backtick (CommonMark 6.1).
std::string Code(std::string_view s, bool in_table) {
  size_t longest = 0, run = 0;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = s.empty() || s.front() == '`' || s.back() == '`';
  std::string body = in_table ? Cell(s) : std::string(s);
  if (!in_table) std::replace(body.begin(), body.end(), '\n', ' ');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string OrDash(std::string_view s) { return s.empty() ? "—" : std::string(s); }

}  // namespace

std::string RenderReportMarkdown(const Report& r) {
  std::string md = "# RLS readiness report\n\n";

  if (r.ready) {
    md += "**Verdict: READY** — all " + std::to_string(r.tables.size()) +
          " tables can be forced.\n\n";
  } else {
    md += "**Verdict: NOT READY** — " + std::to_string(r.blocking.size()) + " of " +
          std::to_string(r.tables.size()) + " tables blocking";
    if (!r.blocking.empty()) {
      md += ": ";
      for (size_t i = 0; i < r.blocking.size(); ++i) {
        md += (i ? ", " : "") + Code(r.blocking[i], false);
      }
    }
    md += ".\n\n";
    for (const auto& reason : r.overall_reasons) md += "- " + reason + "\n";
    if (!r.overall_reasons.empty()) md += "\n";
  }
  md += "Window: " + FormatIsoUtc(r.since_us) + " to " + FormatIsoUtc(r.until_us) + ".\n\n";

  md += "## Tables\n\n| Table | Ready | Accesses | Would-be denials | Reasons |\n";
  md += "|---|---|---:|---:|---|\n";
  for (const auto& t : r.tables) {
    std::string reasons;
    for (const auto& reason : t.reasons) reasons += (reasons.empty() ? "" : "; ") + reason;
    md += "| " + Code(t.table, true) + " | " + (t.ready ? "yes" : "no") + " | " +
          std::to_string(t.accesses) + " | " + std::to_string(t.would_be_denials) + " | " +
          Cell(OrDash(reasons)) + " |\n";
  }
  md += "\n";

  bool any_ready = false;
  for (const auto& t : r.tables) any_ready = any_ready || t.ready;
  if (any_ready) {
    md += "### Ready to force\n\n```sql\n";
    for (const auto& t : r.tables) {
      if (t.ready) md += t.force_sql + "\n";
    }
    md += "```\n\n";
  }

  for (const auto& t : r.tables) {
    if (t.top_code_paths.empty()) continue;
    md += "Top code paths on " + Code(t.table, false) + ":";
    for (const auto& c : t.top_code_paths) {
      md += " " + OrDash(c.code_path) + " (" + std::to_string(c.count) + ")";
    }
    md += "\n\n";
  }

  if (r.changes) {
    const ReportChanges& c = *r.changes;
    md += "## Changed since the previous report\n\n";
    md += "Previous window " + FormatIsoUtc(c.previous_since_us) + " to " +
          FormatIsoUtc(c.previous_until_us) + " (" + (c.previous_ready ? "ready" : "not ready") +
          "): " + std::to_string(c.added.size()) + " new, " + std::to_string(c.resolved.size()) +
          " resolved.\n\n";
    for (const auto* list : {&c.added, &c.resolved}) {
      for (const auto& d : *list) {
        md += std::string(list == &c.added ? "- new: " : "- resolved: ") + Code(d.key.table, false) +
              " " + std::string(EffectName(d.key.effect)) + " (" +
              OrDash(CauseName(d.key.cause)) + ") from " + OrDash(d.key.code_path) + ", lane " +
              OrDash(d.key.lane) + ": " + std::to_string(d.value.count) + "\n";
      }
    }
    md += "\n";
  }

  md += "## Top would-be denials\n\n";
  if (r.denials.empty()) {
    md += "None in the window.\n\n";
  } else {
    const size_t shown = std::min(kTopDenials, r.denials.size());
    md += "Showing " + std::to_string(shown) + " of " + std::to_string(r.denial_rows_total) +
          " rows.\n\n";
    md +=
        "| Count | Table | Command | Policy | Tenant | Code path | Lane | Effect | Cause | "
        "Last seen |\n|---:|---|---|---|---|---|---|---|---|---|\n";
    for (size_t i = 0; i < shown; ++i) {
      const DenialEntry& d = r.denials[i];
      const DenialKey& k = d.key;
      md += "| " + std::to_string(d.value.count) + " | " + Code(k.table, true) + " | " +
            std::string(CommandName(k.command)) + " | " +
            Cell(k.policy.empty() ? "(no permissive policy)" : k.policy) + " | " +
            Cell(OrDash(k.tenant)) + " | " + Cell(OrDash(k.code_path)) + " | " +
            Cell(OrDash(k.lane)) + " | " + std::string(EffectName(k.effect)) + " | " +
            std::string(OrDash(CauseName(k.cause))) + " | " + FormatIsoUtc(d.value.last_seen_us) +
            " |\n";
    }
    md += "\nExamples:\n\n";
    for (size_t i = 0; i < shown; ++i) {
      const DenialEntry& d = r.denials[i];
      if (d.examples.empty()) continue;
      md += std::to_string(i + 1) + ". " + Code(d.key.table, false) + " " +
            std::string(EffectName(d.key.effect)) + " from " + OrDash(d.key.code_path) + ": " +
            Code(d.examples.front(), false) + "\n";
    }
    md += "\n";
  }

  md += "## Policies\n\n| Table | Policy | Allowed | Would deny |\n|---|---|---:|---:|\n";
  for (const auto& p : r.policies) {
    md += "| " + Code(p.table, true) + " | " +
          Cell(p.policy.empty() ? "(no permissive policy)" : p.policy) + " | " +
          std::to_string(p.allowed) + " | " + std::to_string(p.would_deny) + " |\n";
  }
  md += "\n";

  md += "## Lanes\n\n| Lane | Required | Seen | Accesses | Would-be denials |\n";
  md += "|---|---|---|---:|---:|\n";
  for (const auto& l : r.lanes) {
    md += "| " + Cell(l.lane.empty() ? "(unattributed)" : l.lane) + " | " +
          (l.required ? "yes" : "no") + " | " + (l.seen ? "yes" : "**no**") + " | " +
          std::to_string(l.accesses) + " | " + std::to_string(l.would_be_denials) + " |\n";
  }
  md += "\n";

  md += "## Input health\n\n";
  md += "- Lines read: " + std::to_string(r.inputs.lines_read) + "\n";
  md += "- Events analyzed: " + std::to_string(r.inputs.events_analyzed) + "\n";
  md += "- Lines rejected: " + std::to_string(r.inputs.lines_rejected) + "\n";
  for (const auto& [reason, n] : r.inputs.rejected_by_reason) {
    md += "  - " + Cell(reason) + ": " + std::to_string(n) + "\n";
  }
  md += "- Statements not parsed: " + std::to_string(r.inputs.statements_unparsed) + "\n";
  for (const auto& [partition, n] : r.inputs.consumer_lag) {
    md += "- Consumer lag " + Cell(partition) + ": " + std::to_string(n) + " messages\n";
  }
  return md;
}

}  // namespace rls_shadow
