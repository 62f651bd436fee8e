#include "http/dashboard_page.h"

namespace rls_shadow::http {
namespace {

// clang-format off
constexpr std::string_view kPage = R"PAGE(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rls-shadow dashboard</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{margin:0 0 .3em}h2{margin-top:1.5em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;background:#fff;margin:.4em 0}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top;font-size:.9em}
td.n{text-align:right}.ready{color:#1e7e34;font-weight:bold}.notready{color:#c0392b;font-weight:bold}
#verdict{font-size:1.6em;padding:.3em .6em;display:inline-block;border-radius:4px;background:#fff;border:2px solid}
code{font-size:.85em}form input,form select{margin-right:.4em}#error{color:#c0392b}
</style></head><body>
<h1>rls-shadow</h1>
<div id="verdict">loading…</div> <span id="window"></span>
<p id="error"></p>
<h2>Would-be denials per hour</h2><div id="chart"></div>
<h2>Tables</h2>
<table id="tables"><thead><tr><th>Table</th><th>Status</th><th>Would-be denials</th><th>Reasons</th><th>Force</th></tr></thead><tbody></tbody></table>
<h2>Denials</h2>
<form id="filters">
<input name="table" placeholder="table"><input name="tenant" placeholder="tenant">
<input name="code_path" placeholder="code path"><input name="lane" placeholder="lane">
<select name="effect"><option value="">any effect</option><option>error</option><option>filtered</option><option>row_dependent</option><option>indeterminate</option></select>
<select name="cause"><option value="">any cause</option><option>missing_context</option><option>empty_context</option><option>invalid_context</option><option>stale_context</option><option>wrong_tenant</option><option>no_permissive_policy</option><option>owner_bypass_lost</option><option>context_lost_autocommit</option><option>row_security_off</option><option>copy_from_rls</option><option>unsupported</option></select>
<button type="submit">Filter</button></form>
<table id="denials"><thead><tr><th>Count</th><th>Table</th><th>Command</th><th>Policy</th><th>Tenant</th><th>Code path</th><th>Lane</th><th>Effect</th><th>Cause</th><th>Last seen</th><th>Example</th></tr></thead><tbody></tbody></table>
<button id="more" hidden>More</button>
<h2>Code paths</h2>
<table id="code-paths"><thead><tr><th>Directory</th><th>Code path</th><th>Would-be denials</th><th>Causes</th><th>Tables</th><th>Example</th></tr></thead><tbody></tbody></table>
<h2>Lanes</h2>
<table id="lanes"><thead><tr><th>Lane</th><th>Required</th><th>Seen</th><th>Accesses</th><th>Would-be denials</th></tr></thead><tbody></tbody></table>
<script>
"use strict";
const params = new URLSearchParams(location.search);
if (params.has("access_token")) {
  sessionStorage.setItem("rls-shadow-token", params.get("access_token"));
  params.delete("access_token");
  history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
}
const token = sessionStorage.getItem("rls-shadow-token") || "";
async function api(path) {
  const res = await fetch(path, {headers: token ? {"Authorization": "Bearer " + token} : {}});
  const body = await res.json();
  if (!res.ok) throw new Error(path + ": " + (body.error ? body.error.message : res.status));
  return body;
}
function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}
function rows(id) { const tb = document.querySelector("#" + id + " tbody"); return tb; }
function chart(hourly) {
  const ns = "http://www.w3.org/2000/svg", w = 720, h = 160, left = 40, plotH = h - 30;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("id", "hourly");
  const max = Math.max(1, ...hourly.map(x => x.would_be_denials));
  const bw = (w - left - 8) / Math.max(1, hourly.length);
  hourly.forEach((x, i) => {
    const r = document.createElementNS(ns, "rect"), bh = plotH * x.would_be_denials / max;
    r.setAttribute("x", left + i * bw); r.setAttribute("y", 8 + plotH - bh);
    r.setAttribute("width", Math.max(1, bw - 1)); r.setAttribute("height", bh);
    r.setAttribute("fill", "#c0392b");
    const t = document.createElementNS(ns, "title");
    t.textContent = x.hour + ": " + x.would_be_denials + " of " + x.accesses;
    r.appendChild(t); svg.appendChild(r);
  });
  const label = (x, y, s, anchor) => { const t = document.createElementNS(ns, "text");
    t.setAttribute("x", x); t.setAttribute("y", y); t.setAttribute("font-size", "11");
    if (anchor) t.setAttribute("text-anchor", anchor); t.textContent = s; svg.appendChild(t); };
  label(2, 18, String(max)); label(2, 8 + plotH, "0");
  if (hourly.length) { label(left, h - 6, hourly[0].hour); label(w - 8, h - 6, hourly[hourly.length - 1].hour, "end"); }
  const box = document.getElementById("chart"); box.replaceChildren(svg);
}
async function loadReadiness() {
  const r = await api("/api/v1/readiness");
  const v = document.getElementById("verdict");
  v.textContent = r.overall.ready ? "READY" : "NOT READY";
  v.className = r.overall.ready ? "ready" : "notready";
  document.getElementById("window").textContent = "window " + r.window.since + " – " + r.window.until;
  const tb = rows("tables"); tb.replaceChildren();
  for (const t of r.tables) {
    const tr = document.createElement("tr"); tr.dataset.table = t.table;
    cell(tr, t.table); cell(tr, t.ready ? "ready" : "not ready", t.ready ? "ready" : "notready");
    cell(tr, t.would_be_denials, "n"); cell(tr, t.reasons.join("; ")); cell(tr, t.force_sql);
    tb.appendChild(tr);
  }
  chart(r.hourly);
}
let cursor = null;
async function loadDenials(append) {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(document.getElementById("filters"))) if (v) q.set(k, v);
  q.set("limit", "50");
  if (append && cursor) q.set("cursor", cursor);
  const r = await api("/api/v1/denials?" + q);
  const tb = rows("denials"); if (!append) tb.replaceChildren();
  for (const d of r.denials) {
    const tr = document.createElement("tr");
    cell(tr, d.count, "n"); cell(tr, d.table); cell(tr, d.command); cell(tr, d.policy || "(no permissive policy)");
    cell(tr, d.tenant); cell(tr, d.code_path); cell(tr, d.lane); cell(tr, d.effect); cell(tr, d.cause);
    cell(tr, d.last_seen); const ex = cell(tr, ""); const c = document.createElement("code");
    c.textContent = d.example || ""; ex.replaceChildren(c); tb.appendChild(tr);
  }
  cursor = r.next_cursor; document.getElementById("more").hidden = !cursor;
}
async function loadCodePaths() {
  const r = await api("/api/v1/code-paths"); const tb = rows("code-paths"); tb.replaceChildren();
  for (const dir of r.directories) for (const p of dir.code_paths) {
    const tr = document.createElement("tr");
    cell(tr, dir.directory || "(none)"); cell(tr, p.code_path); cell(tr, p.would_be_denials, "n");
    cell(tr, Object.entries(p.causes).map(([k, n]) => k + " " + n).join(", "));
    cell(tr, p.tables.join(", ")); cell(tr, p.example); tb.appendChild(tr);
  }
}
async function loadLanes() {
  const r = await api("/api/v1/lanes"); const tb = rows("lanes"); tb.replaceChildren();
  for (const l of r.lanes) {
    const tr = document.createElement("tr");
    cell(tr, l.lane || "(unattributed)"); cell(tr, l.required ? "yes" : "no");
    cell(tr, l.seen ? "yes" : "no", l.seen ? "ready" : "notready");
    cell(tr, l.accesses, "n"); cell(tr, l.denials, "n"); tb.appendChild(tr);
  }
}
function fail(e) { document.getElementById("error").textContent = e.message; }
document.getElementById("filters").addEventListener("submit", ev => { ev.preventDefault(); loadDenials(false).catch(fail); });
document.getElementById("more").addEventListener("click", () => loadDenials(true).catch(fail));
Promise.all([loadReadiness(), loadDenials(false), loadCodePaths(), loadLanes()])
  .then(() => { document.body.dataset.loaded = "1"; }).catch(fail);
</script>
</body></html>
)PAGE";
// clang-format on

}  // namespace

std::string_view DashboardPage() { return kPage; }

}  // namespace rls_shadow::http
