// CompareWithPrevious: "what changed since the last report" for the nightly artifact. The
// previous report is read back from its JSON rendering (the artifact the last run published),
// so no state needs to be kept between runs; denials are matched on their whole key.

#include <simdjson.h>

#include <map>
#include <string>

#include "report/iso_time.h"
#include "rls_shadow/report.h"

namespace rls_shadow {
namespace {

Status Bad(const std::string& what) {
  return Status::Error("--previous: not a report written by rls-shadow report --format json (" +
                       what + ")");
}

std::string Field(simdjson::dom::object o, const char* name) {
  std::string_view v;
  if (o[name].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

Status ReadDenial(simdjson::dom::object o, DenialEntry* d) {
  DenialKey& k = d->key;
  k.table = Field(o, "table");
  k.policy = Field(o, "policy");
  k.tenant = Field(o, "tenant");
  k.code_path = Field(o, "code_path");
  k.lane = Field(o, "lane");
  const std::string cause = Field(o, "cause");
  if (!ParseCommand(Field(o, "command"), &k.command) || !ParseEffect(Field(o, "effect"), &k.effect) ||
      (!cause.empty() && !ParseCause(cause, &k.cause))) {
    return Bad("a denial with an unknown command, effect or cause");
  }
  uint64_t count = 0;
  if (o["count"].get_uint64().get(count) != simdjson::SUCCESS) return Bad("a denial without count");
  d->value.count = count;
  d->value.first_seen_us = ParseIsoUtc(Field(o, "first_seen")).value_or(0);
  d->value.last_seen_us = ParseIsoUtc(Field(o, "last_seen")).value_or(0);
  simdjson::dom::array examples;
  if (o["examples"].get_array().get(examples) == simdjson::SUCCESS) {
    for (auto e : examples) {
      std::string_view s;
      if (e.get_string().get(s) == simdjson::SUCCESS) d->examples.emplace_back(s);
    }
  }
  return Status::Ok();
}

}  // namespace

Status CompareWithPrevious(std::string_view previous_json, Report* report) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(previous_json);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return Bad("invalid JSON");
  simdjson::dom::object root, window, overall;
  simdjson::dom::array denials;
  if (doc.get_object().get(root) != simdjson::SUCCESS ||
      root["window"].get_object().get(window) != simdjson::SUCCESS ||
      root["overall"].get_object().get(overall) != simdjson::SUCCESS ||
      root["denials"].get_array().get(denials) != simdjson::SUCCESS) {
    return Bad("no window, overall or denials");
  }
  ReportChanges changes;
  changes.previous_since_us = ParseIsoUtc(Field(window, "since")).value_or(0);
  changes.previous_until_us = ParseIsoUtc(Field(window, "until")).value_or(0);
  bool ready = false;
  if (overall["ready"].get_bool().get(ready) != simdjson::SUCCESS) return Bad("no overall.ready");
  changes.previous_ready = ready;

  std::map<DenialKey, DenialEntry> before;
  for (auto item : denials) {
    simdjson::dom::object o;
    if (item.get_object().get(o) != simdjson::SUCCESS) return Bad("a denial that is not an object");
    DenialEntry d;
    if (Status s = ReadDenial(o, &d); !s.ok()) return s;
    before[d.key] = std::move(d);
  }
  for (const auto& d : report->denials) {
    if (before.erase(d.key) == 0) changes.added.push_back(d);
  }
  for (auto& [key, d] : before) changes.resolved.push_back(std::move(d));
  report->changes = std::move(changes);
  return Status::Ok();
}

}  // namespace rls_shadow
