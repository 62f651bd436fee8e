#include "statement_record.h"

#include <simdjson.h>

#include <cstdio>
#include <fstream>

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

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string ToJsonLine(const StatementRecord& r) {
  std::string params = "[";
  for (size_t i = 0; i < r.params.size(); ++i) {
    if (i) params += ',';
    params += r.params[i] ? JsonQuote(*r.params[i]) : "null";
  }
  params += ']';
  return "{\"scenario\":" + JsonQuote(r.scenario) + ",\"connection\":" + JsonQuote(r.connection) +
         ",\"application_name\":" + JsonQuote(r.application_name) +
         ",\"backend_pid\":" + std::to_string(r.backend_pid) +
         ",\"index\":" + std::to_string(r.index_on_connection) +
         ",\"protocol\":" + JsonQuote(ProtocolName(r.protocol)) +
         ",\"statement_name\":" + JsonQuote(r.statement_name) + ",\"sql\":" + JsonQuote(r.sql) +
         ",\"params\":" + params +
         ",\"after_failed_statement\":" + (r.after_failed_statement ? "true" : "false") +
         ",\"ok\":" + (r.outcome.ok ? "true" : "false") + ",\"tag\":" + JsonQuote(r.outcome.tag) +
         ",\"rows\":" + std::to_string(r.outcome.rows) +
         ",\"sqlstate\":" + JsonQuote(r.outcome.sqlstate) +
         ",\"message\":" + JsonQuote(r.outcome.message) + "}";
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
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  simdjson::dom::parser parser;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    simdjson::dom::element doc;
    StatementRecord record;
    if (parser.parse(line).get(doc) || !ParseRecord(doc, &record)) {
      *error = path + ":" + std::to_string(line_no) + ": malformed statement record";
      return false;
    }
    out->push_back(std::move(record));
  }
  return true;
}

}  // namespace rls_shadow::differential
