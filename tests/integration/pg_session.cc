#include "pg_session.h"

#include <cstdlib>

namespace rls_shadow::differential {
namespace {

// Quotes a libpq conninfo value.
std::string ConnValue(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// The WARNING of SET LOCAL outside a transaction is expected workload behaviour; keep stderr
// for the report.
void IgnoreNotice(void*, const char*) {}

Outcome ErrorOutcome(const PGresult* result, PGconn* conn) {
  Outcome o;
  o.ok = false;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* message = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  o.sqlstate = state ? state : "";
  o.message = message ? message : PQerrorMessage(conn);
  return o;
}

}  // namespace

PgSession::~PgSession() {
  if (conn_) PQfinish(conn_);
}

bool PgSession::Open(const ConnectionTarget& target, const std::string& user,
                     const std::string& application_name, std::string* error) {
  std::string conninfo =
      "host=" + ConnValue(target.host) + " port=" + ConnValue(target.port) +
      " dbname=" + ConnValue(target.dbname) + " user=" + ConnValue(user) +
      " application_name=" + ConnValue(application_name) +
      " connect_timeout=10 options=" + ConnValue("-c lock_timeout=5000 -c statement_timeout=60000");
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    *error = "connect as " + user + " to " + target.dbname + ": " + PQerrorMessage(conn_);
    return false;
  }
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  return true;
}

Outcome PgSession::Collect(PGresult* result) {
  Outcome o;
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  switch (status) {
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK: {
      o.ok = true;
      o.tag = PQcmdStatus(result);
      const char* affected = PQcmdTuples(result);
      if (status == PGRES_TUPLES_OK) {
        o.rows = PQntuples(result);
      } else if (affected && *affected) {
        o.rows = std::atol(affected);
      }
      break;
    }
    case PGRES_COPY_OUT: {
      // COPY ... TO STDOUT: one data message per row; the count is the row count.
      long rows = 0;
      char* buffer = nullptr;
      while (PQgetCopyData(conn_, &buffer, 0) > 0) {
        ++rows;
        PQfreemem(buffer);
      }
      PQclear(result);
      result = PQgetResult(conn_);
      if (PQresultStatus(result) == PGRES_COMMAND_OK) {
        o.ok = true;
        o.tag = PQcmdStatus(result);
        o.rows = rows;
      } else {
        o = ErrorOutcome(result, conn_);
      }
      // Drain to the end of the query.
      while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
      break;
    }
    default:
      o = ErrorOutcome(result, conn_);
  }
  PQclear(result);
  return o;
}

Outcome PgSession::Execute(Protocol protocol, const std::string& sql,
                           const std::vector<std::optional<std::string>>& params,
                           const std::string& statement_name) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const int n = static_cast<int>(values.size());
  switch (protocol) {
    case Protocol::kSimple: {
      Outcome o = Collect(PQexec(conn_, sql.c_str()));
      // DISCARD ALL deallocates the session's prepared statements too.
      if (o.ok && o.tag == "DISCARD ALL") prepared_.clear();
      return o;
    }
    case Protocol::kExtended:
      return Collect(
          PQexecParams(conn_, sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0));
    case Protocol::kPrepared:
      if (!prepared_.contains(statement_name)) {
        PGresult* prep = PQprepare(conn_, statement_name.c_str(), sql.c_str(), n, nullptr);
        Outcome prepared = Collect(prep);
        if (!prepared.ok) return prepared;
        prepared_.insert(statement_name);
      }
      return Collect(
          PQexecPrepared(conn_, statement_name.c_str(), n, values.data(), nullptr, nullptr, 0));
  }
  return Outcome{};
}

Outcome PgSession::RunScript(const std::string& sql) {
  if (!PQsendQuery(conn_, sql.c_str())) return ErrorOutcome(nullptr, conn_);
  Outcome first_error;
  first_error.ok = true;
  while (PGresult* result = PQgetResult(conn_)) {
    ExecStatusType status = PQresultStatus(result);
    if (first_error.ok && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      first_error = ErrorOutcome(result, conn_);
    }
    PQclear(result);
  }
  return first_error;
}

int PgSession::BackendPid() const { return PQbackendPID(conn_); }

bool PgSession::InFailedTransaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

bool PgSession::Idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

}  // namespace rls_shadow::differential
