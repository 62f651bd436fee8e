// WITH CHECK runs at execution, in PostgreSQL's order, and stops at the first policy (or AND /
// OR operand) that decides; a scan's USING quals are estimated whole while planning, so a
// context that does not cast fails a read whatever else the policies say. Checked on 15.18 with
// app.current_tenant_id = '' and app.admin = 'on' (tables as below, FORCE, app_role):
//   - permissive admin + tenant:      SELECT 22P02, INSERT 22P02 (tenant is OR-ed first);
//   - permissive a_tenant + z_admin:  INSERT passes (z_admin first: descending name order);
//   - one policy `admin OR tenant`:   SELECT 22P02, INSERT passes;
//   - one policy `admin <> 'on' AND tenant`: SELECT 22P02, INSERT 42501 (not 22P02);
//   - USING (true) + restrictive a_never (fails) and b_tenant: INSERT 42501 naming a_never;
//     restrictive a_tenant and b_never: 22P02 (restrictive ones by ascending name).
// A failure's cause is read from the setting compared with the tenant column, not the flag.
#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

constexpr const char* kTenant = "tenant_id = current_setting('app.current_tenant_id', true)::uuid";
constexpr const char* kAdmin = "current_setting('app.admin', true) = 'on'";

std::string Table(const std::string& name, const std::vector<std::string>& policies) {
  std::string sql = "CREATE TABLE " + name + " (id int PRIMARY KEY, tenant_id uuid, val text);\n" +
                    "ALTER TABLE " + name + " OWNER TO owner_role;\n" + "ALTER TABLE " + name +
                    " ENABLE ROW LEVEL SECURITY;\n" + "ALTER TABLE " + name +
                    " FORCE ROW LEVEL SECURITY;\n";
  for (const std::string& p : policies) sql += "CREATE POLICY " + p + ";\n";
  return sql;
}

std::string CheckOrderCatalogSql() {
  const std::string tenant = kTenant;
  const std::string admin = kAdmin;
  return SemanticsCatalogSql() +
         Table("admin_tenant", {"admin ON admin_tenant USING (" + admin + ")",
                                "tenant ON admin_tenant USING (" + tenant + ")"}) +
         Table("tenant_admin", {"z_admin ON tenant_admin USING (" + admin + ")",
                                "a_tenant ON tenant_admin USING (" + tenant + ")"}) +
         Table("one_or", {"p ON one_or USING (" + admin + " OR " + tenant + ")"}) +
         Table("one_and", {"p ON one_and USING (NOT (" + admin + ") AND " + tenant + ")"}) +
         Table("never_first",
               {"open ON never_first USING (true)",
                "b_tenant ON never_first AS RESTRICTIVE USING (" + tenant + ")",
                "a_never ON never_first AS RESTRICTIVE USING (NOT (" + admin + "))"}) +
         Table("tenant_first",
               {"open ON tenant_first USING (true)",
                "a_tenant ON tenant_first AS RESTRICTIVE USING (" + tenant + ")",
                "b_never ON tenant_first AS RESTRICTIVE USING (NOT (" + admin + "))"});
}

struct Expected {
  const char* table;
  Effect select;
  Effect insert;
  const char* insert_sqlstate;
  const char* insert_policy;
};

TEST(CheckOrder, ANewRowIsCheckedInPostgresOrderAndReadsArePlannedWhole) {
  EngineHarness h(CheckOrderCatalogSql());
  h.Exec("SET app.current_tenant_id = ''");
  h.Exec("SET app.admin = 'on'");
  const Expected cases[] = {
      {"admin_tenant", Effect::kError, Effect::kError, "22P02", "tenant"},
      {"tenant_admin", Effect::kError, Effect::kAllow, "", "z_admin"},
      {"one_or", Effect::kError, Effect::kAllow, "", "p"},
      {"one_and", Effect::kError, Effect::kError, "42501", "p"},
      {"never_first", Effect::kError, Effect::kError, "42501", "a_never"},
      {"tenant_first", Effect::kError, Effect::kError, "22P02", "a_tenant"},
  };
  for (const Expected& c : cases) {
    const std::string table = c.table;
    Finding read = h.Verdict("SELECT * FROM " + table, "public." + table);
    EXPECT_EQ(read.effect, c.select) << table;
    EXPECT_EQ(read.sqlstate, "22P02") << table;
    // The tenant's setting, not the admin flag read before it, says why.
    EXPECT_EQ(read.cause, Cause::kEmptyContext) << table;
    Finding insert =
        h.Verdict("INSERT INTO " + table + " VALUES (1, NULL, 'a')", "public." + table);
    EXPECT_EQ(insert.effect, c.insert) << table;
    EXPECT_EQ(insert.sqlstate, c.insert_sqlstate) << table;
    EXPECT_EQ(insert.policy, c.insert_policy) << table;
  }
}

// A policy whose USING and WITH CHECK read different settings: a finding's tenant is the one
// the expression that decided reads.
TEST(CheckOrder, TheTenantIsReadFromTheExpressionThatDecided) {
  EngineHarness h(
      SemanticsCatalogSql() +
      Table("split", {"p ON split USING (tenant_id = current_setting('app.read_tenant', "
                      "true)::uuid) WITH CHECK (tenant_id = "
                      "current_setting('app.write_tenant', true)::uuid)"}));
  h.Exec("SET app.read_tenant = '" + std::string(kT1) + "'");
  h.Exec("SET app.write_tenant = '" + std::string(kT2) + "'");
  Finding insert =
      h.Verdict("INSERT INTO split VALUES (1, '" + std::string(kT1) + "', 'a')", "public.split");
  EXPECT_EQ(insert.effect, Effect::kError);
  EXPECT_EQ(insert.tenant, kT2);
  Finding read =
      h.Verdict("SELECT * FROM split WHERE tenant_id = '" + std::string(kT2) + "'", "public.split");
  EXPECT_EQ(read.effect, Effect::kFiltered);
  EXPECT_EQ(read.tenant, kT1);
}

// ON CONFLICT DO UPDATE checks the existing row with the UPDATE and SELECT policies' USING at
// execution (15.18, one_or, context '' and app.admin = 'on': the upsert of an existing row
// passes; with app.admin = 'off' the new row's check already raises 22P02).
TEST(CheckOrder, AnUpsertChecksTheExistingRowAtExecution) {
  EngineHarness h(CheckOrderCatalogSql());
  h.Exec("SET app.current_tenant_id = ''");
  h.Exec("SET app.admin = 'on'");
  const std::string upsert = "INSERT INTO one_or VALUES (1, '" + std::string(kT1) +
                             "', 'y') ON CONFLICT (id) DO UPDATE SET val = 'upd'";
  EXPECT_EQ(h.Verdict(upsert, "public.one_or").effect, Effect::kAllow);
  EXPECT_EQ(h.Verdict(upsert + " RETURNING id", "public.one_or").effect, Effect::kAllow);
  h.Exec("SET app.admin = 'off'");
  Finding fails = h.Verdict(upsert, "public.one_or");
  EXPECT_EQ(fails.effect, Effect::kError);
  EXPECT_EQ(fails.sqlstate, "22P02");
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
