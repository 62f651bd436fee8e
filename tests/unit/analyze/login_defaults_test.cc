// Setting defaults a session starts with (ShadowEngine::SetLoginDefaults): ALTER ROLE ... SET in
// the roles dump, over the configured database defaults, as PostgreSQL 15.18 applied them at
// login: a service role with `ALTER ROLE svc_role SET "app.current_tenant_id" TO '<T1>'` sees T1's
// rows without setting anything, and RESET / RESET ALL return to that value.
#include <gtest/gtest.h>

#include "analyze/analyzer_config.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::kT2;
using testing_analyze::SemanticsCatalogSql;

const std::string T1 = kT1;
const std::string T2 = kT2;
const std::string kSelectT1 = "SELECT * FROM t WHERE tenant_id = '" + T1 + "'";

std::string RolesSql() {
  return "CREATE ROLE svc_role;\n"
         "ALTER ROLE svc_role SET \"app.current_tenant_id\" TO '" +
         T1 +
         "';\n"
         "ALTER ROLE svc_role IN DATABASE other_db SET app.current_tenant_id TO '" +
         T2 +
         "';\n"
         "ALTER ROLE ALL SET app.lane TO 'everyone';\n";
}

Finding VerdictAs(EngineHarness& h, const std::string& user, const std::string& sql,
                  const std::string& session = "svc") {
  return h.Verdict(sql, "public.t", {}, session, user);
}

TEST(LoginDefaults, ARoleDefaultIsTheSessionsContextUntilSetAndAfterReset) {
  EngineHarness h(SemanticsCatalogSql() + RolesSql());
  EXPECT_EQ(VerdictAs(h, "svc_role", kSelectT1).effect, Effect::kAllow);
  h.Exec("SET app.current_tenant_id = '" + T2 + "'", {}, "svc", "svc_role");
  EXPECT_EQ(VerdictAs(h, "svc_role", kSelectT1).effect, Effect::kFiltered);
  h.Exec("RESET app.current_tenant_id", {}, "svc", "svc_role");
  EXPECT_EQ(VerdictAs(h, "svc_role", kSelectT1).effect, Effect::kAllow);
  h.Exec("SET app.current_tenant_id = '" + T2 + "'", {}, "svc", "svc_role");
  h.Exec("RESET ALL", {}, "svc", "svc_role");
  EXPECT_EQ(VerdictAs(h, "svc_role", kSelectT1).effect, Effect::kAllow);
  // Another login user has no such default: the context was never set.
  Finding app = VerdictAs(h, "app_role", kSelectT1, "app");
  EXPECT_EQ(app.effect, Effect::kFiltered);
  EXPECT_EQ(app.cause, Cause::kMissingContext);
}

TEST(LoginDefaults, TheLoginUserDecidesNotSetRole) {
  EngineHarness h(SemanticsCatalogSql() + RolesSql() + "GRANT app_role TO svc_role;\n");
  // The defaults were applied at login; SET ROLE changes whose policies apply, not the settings.
  h.Exec("SET ROLE app_role", {}, "svc", "svc_role");
  Finding f = VerdictAs(h, "svc_role", kSelectT1);
  EXPECT_EQ(f.role, "app_role");
  EXPECT_EQ(f.effect, Effect::kAllow);
}

TEST(LoginDefaults, ADatabaseSpecificRoleSettingWinsInItsDatabase) {
  AnalyzerConfig config;
  config.database_defaults["app.lane"] = "database";
  EngineHarness h(SemanticsCatalogSql() + RolesSql(), config);
  LogEvent e = h.lines().Statement(kSelectT1, {}, "other", "svc_role");
  e.dbname = "other_db";
  h.engine().OnEvent(e);
  Finding f = h.On(e.line_num, "public.t", "other");
  EXPECT_EQ(f.effect, Effect::kFiltered);  // T2 in other_db
  EXPECT_EQ(f.cause, Cause::kWrongTenant);
  // The configured database default is over ALTER ROLE ALL ... SET.
  EXPECT_EQ(f.lane, "database");
}

TEST(LoginDefaults, ASessionOpenedByItsConnectionLineTakesTheUserOfItsNextLine) {
  // With log_connections = on a session's first line names no user: the role, its exemptions
  // and its defaults come from the lines after it (PostgreSQL 15.18: the owner of a table
  // without FORCE read all rows; the role default was the context).
  EngineHarness h(SemanticsCatalogSql() + RolesSql());
  h.engine().OnEvent(h.lines().ConnectionReceived("owner"));
  Finding owner = h.Verdict("SELECT * FROM t_nf", "public.t_nf", {}, "owner", "owner_role");
  EXPECT_EQ(owner.role, "owner_role");
  EXPECT_EQ(owner.cause, Cause::kOwnerBypass);
  h.engine().OnEvent(h.lines().ConnectionReceived("svc"));
  Finding svc = VerdictAs(h, "svc_role", kSelectT1);
  EXPECT_EQ(svc.role, "svc_role");
  EXPECT_EQ(svc.effect, Effect::kAllow);
}

}  // namespace
}  // namespace rls_shadow
