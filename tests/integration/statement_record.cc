#include "statement_record.h"

#include <simdjson.h>

#include "common/json_writer.h"
#include "json_lines.h"

namespace rls_shadow::differential {

std::string_view ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kSimple:
      return "simple";
    case Protocol::kExtended:
      return "extended";
    case Protocol::kPrepared:
      return "prepared";
  }
  return "unknown";
}

bool ParseProtocol(std::string_view name, Protocol* out) {
  for (Protocol p : {Protocol::kSimple, Protocol::kExtended, Protocol::kPrepared}) {
    if (ProtocolName(p) == name) {
      *out = p;
      return true;
    }
  }
  return false;
}

std::string ToJsonLine(const StatementRecord& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("scenario").String(r.scenario);
  w.Key("connection").String(r.connection);
  w.Key("application_name").String(r.application_name);
  w.Key("backend_pid").Int(r.backend_pid);
  w.Key("index").Int(r.index_on_connection);
  w.Key("protocol").String(ProtocolName(r.protocol));
  w.Key("statement_name").String(r.statement_name);
  w.Key("sql").String(r.sql);
  w.Key("params").BeginArray();
  for (const std::optional<std::string>& p : r.params) {
    if (p) {
      w.String(*p);
    } else {
      w.Null();
    }
  }
  w.EndArray();
  w.Key("after_failed_statement").Bool(r.after_failed_statement);
  w.Key("ok").Bool(r.outcome.ok);
  w.Key("tag").String(r.outcome.tag);
  w.Key("rows").Int(r.outcome.rows);
  w.Key("sqlstate").String(r.outcome.sqlstate);
  w.Key("message").String(r.outcome.message);
  w.EndObject();
  return w.str();
}

namespace {

bool GetString(simdjson::dom::element doc, const char* key, std::string* out) {
  std::string_view v;
  if (doc[key].get_string().get(v)) return false;
  out->assign(v);
  return true;
}

bool GetInt(simdjson::dom::element doc, const char* key, long* out) {
  int64_t v = 0;
  if (doc[key].get_int64().get(v)) return false;
  *out = static_cast<long>(v);
  return true;
}

bool GetBool(simdjson::dom::element doc, const char* key, bool* out) {
  return !doc[key].get_bool().get(*out);
}

bool ParseRecord(simdjson::dom::element doc, StatementRecord* r) {
  long pid = 0, index = 0;
  std::string protocol;
  simdjson::dom::array params;
  bool ok =
      GetString(doc, "scenario", &r->scenario) && GetString(doc, "connection", &r->connection) &&
      GetString(doc, "application_name", &r->application_name) &&
      GetInt(doc, "backend_pid", &pid) && GetInt(doc, "index", &index) &&
      GetString(doc, "protocol", &protocol) && ParseProtocol(protocol, &r->protocol) &&
      GetString(doc, "statement_name", &r->statement_name) && GetString(doc, "sql", &r->sql) &&
      !doc["params"].get_array().get(params) &&
      GetBool(doc, "after_failed_statement", &r->after_failed_statement) &&
      GetBool(doc, "ok", &r->outcome.ok) && GetString(doc, "tag", &r->outcome.tag) &&
      GetInt(doc, "rows", &r->outcome.rows) && GetString(doc, "sqlstate", &r->outcome.sqlstate) &&
      GetString(doc, "message", &r->outcome.message);
  if (!ok) return false;
  r->backend_pid = static_cast<int>(pid);
  r->index_on_connection = static_cast<int>(index);
  for (simdjson::dom::element p : params) {
    std::string_view v;
    if (p.is_null()) {
      r->params.emplace_back(std::nullopt);
    } else if (!p.get_string().get(v)) {
      r->params.emplace_back(std::string(v));
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ReadStatementRecords(const std::string& path, std::vector<StatementRecord>* out,
                          std::string* error) {
  return ReadJsonLines(
      path, "malformed statement record",
      [out](simdjson::dom::element doc) {
        StatementRecord record;
        if (!ParseRecord(doc, &record)) return false;
        out->push_back(std::move(record));
        return true;
      },
      error);
}

}  // namespace rls_shadow::differential
