// PolicyCatalog: replaying pg_dump --schema-only, pg_dumpall --roles-only and the migration.
#include "analyze/policy_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analyze/expr.h"

namespace rls_shadow {
namespace {

// The shapes pg_dump 15 writes (with the \restrict lines of recent minor releases).
const char kSchemaDump[] = R"(--
-- PostgreSQL database dump
--

\restrict 3oQyW0XjcCh9pm2bTxl3
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
SET default_tablespace = '';

CREATE TABLE public.orders (
    id bigint NOT NULL,
    tenant_id uuid DEFAULT (current_setting('app.current_tenant_id'::text, true))::uuid NOT NULL,
    status character varying(20) DEFAULT 'new'::character varying,
    total numeric(10,2)
);

ALTER TABLE public.orders OWNER TO owner_role;

CREATE SEQUENCE public.orders_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);
ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY open ON public.orders USING (true);

\unrestrict 3oQyW0XjcCh9pm2bTxl3
)";

const char kRolesDump[] = R"(\restrict abc
SET default_transaction_read_only = off;
CREATE ROLE app_role;
ALTER ROLE app_role WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE bypass_role;
ALTER ROLE bypass_role WITH NOSUPERUSER INHERIT LOGIN BYPASSRLS;
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
CREATE ROLE lonely;
ALTER ROLE lonely WITH NOINHERIT LOGIN;
GRANT app_role TO lonely GRANTED BY postgres;
GRANT bypass_role TO postgres;
\unrestrict abc
)";

const char kMigration[] = R"(
DROP POLICY open ON public.orders;
ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON public.orders AS PERMISSIVE FOR ALL TO app_role
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY tenant_r ON orders AS RESTRICTIVE FOR UPDATE
  USING (true) WITH CHECK (status <> 'locked');
ALTER POLICY tenant_r ON public.orders WITH CHECK (status <> 'frozen');
ALTER POLICY tenant ON public.orders TO app_role, bypass_role;
)";

PolicyCatalog Load() {
  PolicyCatalog c;
  Status s = c.Apply(kSchemaDump, "schema.sql");
  EXPECT_TRUE(s.ok()) << s.message();
  s = c.Apply(kRolesDump, "roles.sql");
  EXPECT_TRUE(s.ok()) << s.message();
  s = c.Apply(kMigration, "migration.sql");
  EXPECT_TRUE(s.ok()) << s.message();
  return c;
}

TEST(PolicyCatalog, PgDumpTablesColumnsAndOwner) {
  PolicyCatalog c = Load();
  const TableInfo* t = c.FindTable("", "orders");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t, c.FindTable("public", "orders"));
  EXPECT_EQ(t->name, "public.orders");
  EXPECT_EQ(t->owner, "owner_role");
  EXPECT_TRUE(t->rls_enabled);
  EXPECT_TRUE(t->rls_forced);
  EXPECT_EQ(t->column_order, (std::vector<std::string>{"id", "tenant_id", "status", "total"}));
  EXPECT_EQ(t->columns.at("id").type, "int8");
  EXPECT_TRUE(t->columns.at("id").not_null);
  EXPECT_EQ(t->columns.at("tenant_id").type, "uuid");
  EXPECT_TRUE(t->columns.at("tenant_id").not_null);
  EXPECT_EQ(t->columns.at("status").type, "text");
  EXPECT_FALSE(t->columns.at("status").not_null);
  EXPECT_EQ(t->columns.at("total").type, "numeric");
}

TEST(PolicyCatalog, ColumnDefaults) {
  PolicyCatalog c = Load();
  const TableInfo* t = c.FindTable("public", "orders");
  ASSERT_NE(t, nullptr);
  ASSERT_TRUE(t->columns.at("tenant_id").default_expr);
  std::vector<std::string> settings;
  CollectSettingNames(*t->columns.at("tenant_id").default_expr, &settings);
  EXPECT_EQ(settings, std::vector<std::string>{"app.current_tenant_id"});
  ASSERT_TRUE(t->columns.at("status").default_expr);
  EXPECT_EQ(ExprToString(*t->columns.at("status").default_expr), "'new'::text");
  ASSERT_TRUE(t->columns.at("id").default_expr);  // ALTER COLUMN ... SET DEFAULT nextval(...)
  EXPECT_EQ(t->columns.at("id").default_expr->kind, Expr::Kind::kFunc);
  EXPECT_EQ(t->columns.at("id").default_expr->name, "nextval");
  EXPECT_FALSE(t->columns.at("total").default_expr);
}

TEST(PolicyCatalog, PrimaryKeyConstraintMakesKeysNotNull) {
  PolicyCatalog c;
  ASSERT_TRUE(c.Apply("CREATE TABLE public.k (a integer, b integer, c text);\n"
                      "ALTER TABLE ONLY public.k ADD CONSTRAINT k_pkey PRIMARY KEY (a, b);\n",
                      "schema.sql")
                  .ok());
  const TableInfo* t = c.FindTable("public", "k");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->columns.at("a").not_null);
  EXPECT_TRUE(t->columns.at("b").not_null);
  EXPECT_FALSE(t->columns.at("c").not_null);
}

TEST(PolicyCatalog, DropAndAlterPolicyInTheMigration) {
  PolicyCatalog c = Load();
  const TableInfo* t = c.FindTable("public", "orders");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->policies.size(), 2u);  // "open" dropped
  const Policy& tenant = t->policies[0];
  EXPECT_EQ(tenant.name, "tenant");
  EXPECT_TRUE(tenant.permissive);
  EXPECT_EQ(tenant.command, PolicyCommand::kAll);
  EXPECT_EQ(tenant.roles, (std::vector<std::string>{"app_role", "bypass_role"}));  // altered
  ASSERT_TRUE(tenant.using_expr);
  EXPECT_FALSE(tenant.check_expr);
  const Policy& r = t->policies[1];
  EXPECT_EQ(r.name, "tenant_r");
  EXPECT_FALSE(r.permissive);
  EXPECT_EQ(r.command, PolicyCommand::kUpdate);
  EXPECT_EQ(r.roles, std::vector<std::string>{"public"});
  ASSERT_TRUE(r.check_expr);
  EXPECT_EQ(ExprToString(*r.check_expr), "status <> 'frozen'");  // altered
  EXPECT_EQ(ExprToString(*r.using_expr), "true");                // kept
  EXPECT_EQ(c.policy_count(), 2u);
}

TEST(PolicyCatalog, RolesFromPgDumpall) {
  PolicyCatalog c = Load();
  ASSERT_NE(c.FindRole("postgres"), nullptr);
  EXPECT_TRUE(c.FindRole("postgres")->superuser);
  EXPECT_FALSE(c.FindRole("app_role")->bypassrls);
  EXPECT_FALSE(c.FindRole("app_role")->superuser);
  EXPECT_TRUE(c.FindRole("bypass_role")->bypassrls);
  EXPECT_FALSE(c.FindRole("lonely")->inherit);
  EXPECT_TRUE(c.HasPrivsOfRole("lonely", "lonely"));
  EXPECT_FALSE(c.HasPrivsOfRole("lonely", "app_role"));  // NOINHERIT member
  EXPECT_TRUE(c.HasPrivsOfRole("postgres", "bypass_role"));
  EXPECT_TRUE(c.HasPrivsOfRole("anyone", "public"));
  EXPECT_EQ(c.FindRole("nobody"), nullptr);
}

// pg_dumpall writes a role's setting defaults as ALTER ROLE ... SET (verified with 15.18's:
// `ALTER ROLE svc_role SET "app.current_tenant_id" TO '...'`).
TEST(PolicyCatalog, RoleSettingsFromAlterRoleSet) {
  PolicyCatalog c;
  EXPECT_FALSE(c.has_role_settings());
  ASSERT_TRUE(c.Apply("CREATE ROLE svc;\n"
                      "ALTER ROLE svc SET \"App.Current_Tenant_Id\" TO 'abc';\n"
                      "ALTER ROLE svc SET app.lane = 'batch';\n"
                      "ALTER ROLE svc SET app.gone TO 'x';\n"
                      "ALTER ROLE svc RESET app.gone;\n"
                      "ALTER ROLE svc IN DATABASE shop SET app.lane TO 'shop_batch';\n"
                      "ALTER ROLE ALL SET app.region TO 'eu';\n"
                      "ALTER ROLE ALL IN DATABASE shop SET app.max_rows = 5;\n"
                      "ALTER ROLE other SET app.x TO 'y';\n"
                      "ALTER ROLE other RESET ALL;\n",
                      "roles.sql")
                  .ok());
  EXPECT_TRUE(c.has_role_settings());
  using Defaults = SettingDefaults;
  ASSERT_NE(c.RoleSettings("svc", ""), nullptr);
  EXPECT_EQ(*c.RoleSettings("svc", ""),
            (Defaults{{"app.current_tenant_id", "abc"}, {"app.lane", "batch"}}));
  EXPECT_EQ(*c.RoleSettings("svc", "shop"), (Defaults{{"app.lane", "shop_batch"}}));
  EXPECT_EQ(*c.RoleSettings("", ""), (Defaults{{"app.region", "eu"}}));
  EXPECT_EQ(*c.RoleSettings("", "shop"), (Defaults{{"app.max_rows", "5"}}));
  EXPECT_EQ(c.RoleSettings("other", ""), nullptr);
  EXPECT_EQ(c.RoleSettings("svc", "other_db"), nullptr);
}

TEST(PolicyCatalog, InheritanceIsTransitive) {
  PolicyCatalog c;
  ASSERT_TRUE(c.Apply("CREATE ROLE a; CREATE ROLE b; CREATE ROLE c NOINHERIT; CREATE ROLE d;"
                      "GRANT a TO b; GRANT b TO d; GRANT b TO c; REVOKE a FROM c;",
                      "roles.sql")
                  .ok());
  EXPECT_TRUE(c.HasPrivsOfRole("d", "a"));
  EXPECT_FALSE(c.HasPrivsOfRole("c", "a"));
  EXPECT_FALSE(c.HasPrivsOfRole("a", "d"));
}

TEST(PolicyCatalog, RlsTablesListsEnabledTablesOnly) {
  PolicyCatalog c = Load();
  ASSERT_TRUE(c.Apply("CREATE TABLE plain (id int);", "x.sql").ok());
  std::vector<TableMeta> tables = c.RlsTables();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].table, "public.orders");
  EXPECT_TRUE(tables[0].rls_forced);
  EXPECT_EQ(tables[0].policies, (std::vector<std::string>{"tenant", "tenant_r"}));
}

TEST(PolicyCatalog, RlsTablesComeInNameOrderAndEveryTableIsFound) {
  // Tables are kept hashed (FindTable runs for every access); the store's table list is still
  // in name order, whatever order the DDL created them in.
  PolicyCatalog c;
  std::string ddl;
  const std::vector<std::string> names = {"zeta", "alpha", "mid", "beta", "omega", "a_1", "b"};
  for (const std::string& name : names) {
    ddl += "CREATE SCHEMA IF NOT EXISTS s2; CREATE TABLE public." + name + " (id int); ";
    ddl += "CREATE TABLE s2." + name + " (id int); ";
    ddl += "ALTER TABLE public." + name + " ENABLE ROW LEVEL SECURITY; ";
    ddl += "ALTER TABLE s2." + name + " ENABLE ROW LEVEL SECURITY; ";
  }
  ASSERT_TRUE(c.Apply(ddl, "x.sql").ok());
  std::vector<std::string> listed;
  for (const TableMeta& t : c.RlsTables()) listed.push_back(t.table);
  std::vector<std::string> expected;
  for (const std::string& name : names) {
    expected.push_back("public." + name);
    expected.push_back("s2." + name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  for (const std::string& name : names) {
    const TableInfo* in_public = c.FindTable("", name);
    ASSERT_NE(in_public, nullptr) << name;
    EXPECT_EQ(in_public->name, "public." + name);
    EXPECT_EQ(in_public, c.FindTable("public", name));
    const TableInfo* in_s2 = c.FindTable("s2", name);
    ASSERT_NE(in_s2, nullptr) << name;
    EXPECT_EQ(in_s2->name, "s2." + name);
  }
  EXPECT_EQ(c.FindTable("public", "nope"), nullptr);
  EXPECT_EQ(c.FindTable("s3", "zeta"), nullptr);
}

TEST(PolicyCatalog, SyntaxErrorNamesFileLineColumnAndLine) {
  PolicyCatalog c;
  Status s = c.Apply(
      "CREATE TABLE t (id int);\n"
      "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
      "CREATE POLICY p ON t USIN (true);\n",
      "migration.sql");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("migration.sql:3:22: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("syntax error at or near \"USIN\""), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("in: CREATE POLICY p ON t USIN (true);"), std::string::npos)
      << s.message();
}

TEST(PolicyCatalog, SyntaxErrorPositionCountsBlankedMetaCommandLines) {
  PolicyCatalog c;
  Status s = c.Apply("\\restrict x\nCREATE TABLE t (id int);\nSELEC 1;\n", "schema.sql");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("schema.sql:3:1: ", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("in: SELEC 1;"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace rls_shadow
