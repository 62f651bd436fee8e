// SQL-language helper functions in policies (SqlFunctions): inlined as PostgreSQL evaluates
// them, so a policy written with a helper gives exactly the verdicts of the policy written out.
// The helpers and their verdicts were checked on PostgreSQL 15.18 (pg_dump writes them as below).
#include "analyze/sql_functions.h"

#include <gtest/gtest.h>

#include "analyze/policy_catalog.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::kT2;

const std::string T1 = kT1;
const std::string T2 = kT2;

const char* kHelpers = R"sql(
CREATE FUNCTION app.current_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.current_tenant_id', true), '')::uuid $$;
CREATE FUNCTION app.is_tenant(t uuid) RETURNS boolean
    LANGUAGE sql STABLE STRICT
    AS $$ SELECT t = app.current_tenant() $$;
CREATE FUNCTION app.is_tenant_pos(uuid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT $1 = app.current_tenant() $$;
CREATE FUNCTION app.tenant_std() RETURNS uuid
    LANGUAGE sql STABLE
    RETURN (current_setting('app.current_tenant_id'::text, true))::uuid;
CREATE FUNCTION app.tenant_atomic() RETURNS uuid
    LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT current_setting('app.current_tenant_id', true)::uuid; END;
CREATE FUNCTION app.tenant_pl() RETURNS uuid
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN RETURN current_setting('app.current_tenant_id', true); END $$;
CREATE FUNCTION app.tenant_pl_var() RETURNS uuid
    LANGUAGE plpgsql STABLE
    AS $$ DECLARE t uuid := current_setting('app.current_tenant_id', true); BEGIN RETURN t; END $$;
CREATE FUNCTION app.tenant_c() RETURNS uuid
    LANGUAGE c STABLE
    AS 'tenant', 'tenant';
CREATE FUNCTION app.tenant_definer() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT current_setting('app.current_tenant_id', true)::uuid $$;
CREATE FUNCTION app.tenant_set() RETURNS uuid
    LANGUAGE sql STABLE SET search_path = public
    AS $$ SELECT current_setting('app.current_tenant_id', true)::uuid $$;
CREATE FUNCTION app.tenant_lookup() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT tenant_id FROM public.tenants LIMIT 1 $$;
CREATE FUNCTION public.current_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS 'SELECT current_setting(''app.current_tenant_id'', true)::uuid';
)sql";

// The policy of `table` as the catalog evaluates it.
std::string UsingOf(const PolicyCatalog& catalog, const std::string& table) {
  const TableInfo* t = catalog.FindQualified(table);
  if (t == nullptr || t->policies.empty() || !t->policies[0].using_expr) return "<none>";
  return ExprToString(*t->policies[0].using_expr);
}

std::string CatalogWith(const std::string& policy_expr) {
  return std::string(kHelpers) +
         "CREATE TABLE t (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
         "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON t USING (" +
         policy_expr + ");\n";
}

TEST(SqlFunctions, EveryBodyFormIsInlinedWithItsArguments) {
  auto inlined = [](const std::string& expr) {
    PolicyCatalog catalog;
    Status s = catalog.Apply(CatalogWith(expr), "catalog.sql");
    EXPECT_TRUE(s.ok()) << s.message();
    return UsingOf(catalog, "public.t");
  };
  const std::string current = "NULLIF(current_setting('app.current_tenant_id', true), '')::uuid";
  EXPECT_EQ(inlined("tenant_id = app.current_tenant()"), "tenant_id = " + current);
  EXPECT_EQ(inlined("tenant_id = app.tenant_std()"),
            "tenant_id = current_setting('app.current_tenant_id'::text, true)::uuid");
  EXPECT_EQ(inlined("tenant_id = app.tenant_atomic()"),
            "tenant_id = current_setting('app.current_tenant_id', true)::uuid");
  // Unqualified: public's, as the default search_path finds it.
  EXPECT_EQ(inlined("tenant_id = current_tenant_id()"),
            "tenant_id = current_setting('app.current_tenant_id', true)::uuid");
  // plpgsql that only returns: what it returns, cast to the declared type as plpgsql casts it.
  EXPECT_EQ(inlined("tenant_id = app.tenant_pl()"),
            "tenant_id = current_setting('app.current_tenant_id', true)::uuid");
  // Arguments by name and by number, cast to their declared type; STRICT guards NULL.
  // (ExprToString abbreviates CASE; VerdictsAreThoseOfThePolicyWrittenOut evaluates it.)
  EXPECT_EQ(inlined("app.is_tenant(tenant_id)"), "CASE ... END");
  EXPECT_EQ(inlined("app.is_tenant_pos(tenant_id)"), "tenant_id::uuid = " + current);
}

TEST(SqlFunctions, WhatIsNotOneExpressionOverItsArgumentsStaysACallAndSaysWhy) {
  PolicyCatalog catalog;
  ASSERT_TRUE(catalog.Apply(CatalogWith("tenant_id = app.current_tenant()"), "c.sql").ok());
  auto why = [&](const std::string& expr) {
    PolicyCatalog c;
    EXPECT_TRUE(c.Apply(CatalogWith(expr), "catalog.sql").ok());
    return UsingOf(c, "public.t");
  };
  EXPECT_NE(why("tenant_id = app.tenant_pl_var()").find("not just RETURN"), std::string::npos);
  EXPECT_NE(why("tenant_id = app.tenant_c()").find("LANGUAGE c"), std::string::npos);
  EXPECT_NE(why("tenant_id = app.tenant_definer()").find("SECURITY DEFINER"), std::string::npos);
  EXPECT_NE(why("tenant_id = app.tenant_set()").find("SET clause"), std::string::npos);
  EXPECT_NE(why("tenant_id = app.tenant_lookup()").find("not one expression"), std::string::npos);
  // A function nobody defined is left as written.
  EXPECT_EQ(why("tenant_id = app.unknown()"), "tenant_id = app.unknown()");
}

TEST(SqlFunctions, AFunctionReplacedOrDroppedLaterIsWhatThePolicyUses) {
  PolicyCatalog catalog;
  ASSERT_TRUE(catalog.Apply(CatalogWith("tenant_id = app.tenant_std()"), "schema.sql").ok());
  ASSERT_TRUE(catalog
                  .Apply("CREATE OR REPLACE FUNCTION app.tenant_std() RETURNS uuid LANGUAGE sql "
                         "STABLE RETURN current_setting('app.tenant', true)::uuid;",
                         "migration.sql")
                  .ok());
  EXPECT_EQ(UsingOf(catalog, "public.t"), "tenant_id = current_setting('app.tenant', true)::uuid");
  ASSERT_TRUE(catalog.Apply("DROP FUNCTION app.tenant_std();", "migration.sql").ok());
  EXPECT_EQ(UsingOf(catalog, "public.t"), "tenant_id = app.tenant_std()");
}

// The verdicts of a policy written with helpers are those of the same policy written out, for
// every kind of context (checked on 15.18 for the first four: T1's rows read; none without
// context or with ''; 22P02 from tenant_std() with '').
TEST(SqlFunctions, VerdictsAreThoseOfThePolicyWrittenOut) {
  const std::string roles = "CREATE ROLE app_role;\n";
  auto table = [](const std::string& name, const std::string& using_expr,
                  const std::string& check_expr) {
    return "CREATE TABLE " + name +
           " (id int PRIMARY KEY, tenant_id uuid NOT NULL, val text);\n"
           "ALTER TABLE " +
           name + " ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON " + name + " USING (" +
           using_expr + ") WITH CHECK (" + check_expr + ");\n";
  };
  const std::string written = "NULLIF(current_setting('app.current_tenant_id', true), '')::uuid";
  EngineHarness h(
      roles + kHelpers +
      table("helper", "tenant_id = app.current_tenant()", "app.is_tenant(tenant_id)") +
      table("plain", "tenant_id = " + written,
            "CASE WHEN tenant_id IS NULL THEN NULL ELSE tenant_id = " + written + " END") +
      table("helper_std", "tenant_id = app.tenant_std()", "true") +
      table("plain_std", "tenant_id = current_setting('app.current_tenant_id', true)::uuid",
            "true"));
  const std::vector<std::string> contexts = {
      "RESET app.current_tenant_id", "SET app.current_tenant_id = ''",
      "SET app.current_tenant_id = '" + T1 + "'", "SET app.current_tenant_id = 'not-a-uuid'"};
  const std::vector<std::string> statements = {
      "SELECT * FROM %s WHERE tenant_id = '" + T1 + "'",
      "SELECT * FROM %s",
      "INSERT INTO %s VALUES (1, '" + T1 + "', 'x')",
      "INSERT INTO %s VALUES (2, '" + T2 + "', 'x')",
      "UPDATE %s SET val = 'y' WHERE tenant_id = '" + T2 + "'",
  };
  int compared = 0;
  for (const std::string& context : contexts) {
    h.Exec(context);
    for (const std::string& pattern : statements) {
      for (auto [helper, plain] : {std::pair{"helper", "plain"}, {"helper_std", "plain_std"}}) {
        auto sql = [&](const std::string& name) {
          std::string s = pattern;
          return s.replace(s.find("%s"), 2, name);
        };
        Finding a = h.Verdict(sql(helper), std::string("public.") + helper);
        Finding b = h.Verdict(sql(plain), std::string("public.") + plain);
        EXPECT_EQ(a.effect, b.effect) << context << " / " << sql(helper);
        EXPECT_EQ(a.cause, b.cause) << context << " / " << sql(helper);
        EXPECT_EQ(a.sqlstate, b.sqlstate) << context << " / " << sql(helper);
        EXPECT_EQ(a.tenant, b.tenant) << context << " / " << sql(helper);
        ++compared;
      }
    }
  }
  EXPECT_EQ(compared, 40);
  // And the helper's verdicts are decided, not indeterminate.
  h.Exec("SET app.current_tenant_id = ''");
  EXPECT_EQ(h.Verdict("SELECT * FROM helper_std", "public.helper_std").sqlstate, "22P02");
  EXPECT_EQ(h.Verdict("SELECT * FROM helper", "public.helper").effect, Effect::kFiltered);
}

}  // namespace
}  // namespace rls_shadow
