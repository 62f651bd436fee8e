#include "http/api_view.h"

#include <algorithm>
#include <memory>
#include <set>

#include "common/json_writer.h"
#include "http/store_metrics.h"
#include "report/iso_time.h"
#include "report/report_json.h"

namespace rls_shadow::http {
namespace {

constexpr size_t kTableDenials = 50;  // denials shown with one table, largest first

void WriteWindow(JsonWriter& w, const Report& r) {
  w.Key("window");
  WriteWindowJson(w, r.since_us, r.until_us);
}

std::string Finish(JsonWriter& w) {
  std::string s = w.str();
  s.push_back('\n');
  return s;
}

std::string ReadinessJson(const Report& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("overall");
  WriteOverallJson(w, r);
  WriteWindow(w, r);
  w.Key("tables").BeginArray();
  for (const auto& t : r.tables) {
    w.BeginObject();
    w.Key("table").String(t.table);
    w.Key("ready").Bool(t.ready);
    w.Key("reasons");
    WriteStringArrayJson(w, t.reasons);
    w.Key("would_be_denials").Uint(t.would_be_denials);
    w.Key("force_sql");
    t.ready ? w.String(t.force_sql) : w.Null();
    w.EndObject();
  }
  w.EndArray();
  w.Key("hourly");
  WriteHourlyJson(w, r.hourly);
  w.Key("inputs");
  WriteInputsJson(w, r.inputs);
  w.EndObject();
  return Finish(w);
}

// {"window": ..., "<key>": [every item, written by write_item]}
template <typename Items, typename WriteItem>
std::string WindowedListJson(const Report& r, std::string_view key, const Items& items,
                             WriteItem write_item) {
  JsonWriter w;
  w.BeginObject();
  WriteWindow(w, r);
  w.Key(key).BeginArray();
  for (const auto& item : items) write_item(w, item);
  w.EndArray();
  w.EndObject();
  return Finish(w);
}

std::string TablesJson(const Report& r) {
  return WindowedListJson(r, "tables", r.tables, WriteTableJson);
}

std::map<std::string, std::string> PerTableJson(const Report& r) {
  std::map<std::string, std::vector<const DenialEntry*>> denials;  // largest first, bounded
  std::map<std::string, uint64_t> denial_rows;
  for (const auto& d : r.denials) {
    ++denial_rows[d.key.table];
    auto& list = denials[d.key.table];
    if (list.size() < kTableDenials) list.push_back(&d);
  }
  std::map<std::string, std::string> out;
  for (const auto& t : r.tables) {
    JsonWriter w;
    w.BeginObject();
    WriteWindow(w, r);
    w.Key("table");
    WriteTableJson(w, t);
    w.Key("policies").BeginArray();
    for (const auto& p : r.policies) {
      if (p.table == t.table) WritePolicyJson(w, p, /*with_table=*/false);
    }
    w.EndArray();
    w.Key("denial_rows").Uint(denial_rows[t.table]);
    w.Key("denials").BeginArray();
    for (const DenialEntry* d : denials[t.table]) WriteDenialJson(w, *d);
    w.EndArray();
    w.EndObject();
    out[t.table] = Finish(w);
  }
  return out;
}

struct CodePathEntry {
  uint64_t count = 0;
  std::set<std::string> tables, lanes;
  std::map<std::string, uint64_t> causes, effects;
  const DenialEntry* example = nullptr;  // the largest row with an example
  int64_t last_seen_us = 0;
};

std::string CodePathsJson(const Report& r) {
  std::map<std::string, std::map<std::string, CodePathEntry>> dirs;
  for (const auto& d : r.denials) {  // largest first: the first example is the biggest row's
    CodePathEntry& e = dirs[CodePathDirectory(d.key.code_path)][d.key.code_path];
    e.count += d.value.count;
    e.tables.insert(d.key.table);
    if (!d.key.lane.empty()) e.lanes.insert(d.key.lane);
    const std::string_view cause = CauseName(d.key.cause);
    e.causes[std::string(cause.empty() ? "none" : cause)] += d.value.count;
    e.effects[std::string(EffectName(d.key.effect))] += d.value.count;
    if (e.example == nullptr && !d.examples.empty()) e.example = &d;
    e.last_seen_us = std::max(e.last_seen_us, d.value.last_seen_us);
  }
  struct Dir {
    const std::string* name;
    uint64_t count = 0;
    std::vector<std::pair<const std::string*, const CodePathEntry*>> paths;
  };
  std::vector<Dir> sorted;
  for (const auto& [dir, paths] : dirs) {
    Dir d{&dir};
    for (const auto& [path, e] : paths) {
      d.count += e.count;
      d.paths.emplace_back(&path, &e);
    }
    std::stable_sort(d.paths.begin(), d.paths.end(),
                     [](const auto& a, const auto& b) { return a.second->count > b.second->count; });
    sorted.push_back(std::move(d));
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Dir& a, const Dir& b) { return a.count > b.count; });

  JsonWriter w;
  w.BeginObject();
  WriteWindow(w, r);
  w.Key("directories").BeginArray();
  for (const Dir& d : sorted) {
    w.BeginObject();
    w.Key("directory").String(*d.name);
    w.Key("would_be_denials").Uint(d.count);
    w.Key("code_paths").BeginArray();
    for (const auto& [path, e] : d.paths) {
      w.BeginObject();
      w.Key("code_path").String(*path);
      w.Key("would_be_denials").Uint(e->count);
      w.Key("tables");
      WriteStringArrayJson(w, {e->tables.begin(), e->tables.end()});
      w.Key("lanes");
      WriteStringArrayJson(w, {e->lanes.begin(), e->lanes.end()});
      w.Key("causes").BeginObject();
      for (const auto& [c, n] : e->causes) w.Key(c).Uint(n);
      w.EndObject();
      w.Key("effects").BeginObject();
      for (const auto& [c, n] : e->effects) w.Key(c).Uint(n);
      w.EndObject();
      w.Key("last_seen").String(FormatIsoUtc(e->last_seen_us));
      w.Key("example");
      e->example ? w.String(e->example->examples.front()) : w.Null();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Finish(w);
}

std::string LanesJson(const Report& r) {
  return WindowedListJson(r, "lanes", r.lanes, WriteLaneJson);
}

}  // namespace

std::string CodePathDirectory(std::string_view code_path) {
  const size_t slash = code_path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(code_path.substr(0, slash));
}

std::unique_ptr<ApiView> BuildApiView(Report report, uint64_t generation) {
  auto v = std::make_unique<ApiView>();
  v->generation = generation;
  v->report = std::move(report);
  const Report& r = v->report;
  v->denials_by_key.reserve(r.denials.size());
  for (const auto& d : r.denials) v->denials_by_key.push_back(&d);
  std::sort(v->denials_by_key.begin(), v->denials_by_key.end(),
            [](const DenialEntry* a, const DenialEntry* b) { return a->key < b->key; });
  v->readiness_json = ReadinessJson(r);
  v->tables_json = TablesJson(r);
  v->table_json = PerTableJson(r);
  v->code_paths_json = CodePathsJson(r);
  v->lanes_json = LanesJson(r);
  AppendStoreMetrics(r, &v->metrics_text);
  return v;
}

}  // namespace rls_shadow::http
