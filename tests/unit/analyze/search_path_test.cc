// search_path (analyze/search_path.h): the setting's text as PostgreSQL 15.18 keeps it (SHOW
// after SET), how a lookup splits it, and which schema an unqualified table name then means.
#include "analyze/search_path.h"

#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::SemanticsCatalogSql;

using Schemas = std::vector<std::string>;

TEST(SearchPath, SetKeepsEachNameQuotedWhereItMustBe) {
  // SET search_path = app, public / "$user", public / 'My Schema', App: SHOW gave these.
  EXPECT_EQ(SetValueText("search_path", {"app", "public"}), "app, public");
  EXPECT_EQ(SetValueText("search_path", {"$user", "public"}), "\"$user\", public");
  EXPECT_EQ(SetValueText("search_path", {"My Schema", "app"}), "\"My Schema\", app");
  EXPECT_EQ(SetValueText("search_path", {""}), "\"\"");
  EXPECT_EQ(SearchPathElement("a\"b"), "\"a\"\"b\"");
  // Other list settings are joined as given.
  EXPECT_EQ(SetValueText("app.list", {"A b", "c"}), "A b, c");
}

TEST(SearchPath, ALookupSplitsTheTextAsPostgreSQLDoes) {
  EXPECT_EQ(ParseSearchPath("app, public", "u"), (Schemas{"app", "public"}));
  EXPECT_EQ(ParseSearchPath(kDefaultSearchPath, "u"), (Schemas{"u", "public"}));
  EXPECT_EQ(ParseSearchPath("$user", "u"), (Schemas{"u"}));
  // set_config('search_path', 'Billing, "X y"', false): unquoted names are lower-cased.
  EXPECT_EQ(ParseSearchPath("Billing, \"X y\"", "u"), (Schemas{"billing", "X y"}));
  EXPECT_EQ(ParseSearchPath("  a ,b\t", "u"), (Schemas{"a", "b"}));
  EXPECT_EQ(ParseSearchPath("\"a\"\"b\"", "u"), (Schemas{"a\"b"}));
  EXPECT_EQ(ParseSearchPath("\"\"", "u"), (Schemas{""}));
  EXPECT_EQ(ParseSearchPath("", "u"), Schemas{});
  // Round trip of what SET keeps.
  EXPECT_EQ(ParseSearchPath(SetValueText("search_path", {"My Schema", "$user", "x\"y"}), "u"),
            (Schemas{"My Schema", "u", "x\"y"}));
}

// t2 exists twice: app.t2 under policy P (forced), public.t2 without RLS.
std::string TwoSchemasSql() {
  return SemanticsCatalogSql() +
         "CREATE SCHEMA app;\n"
         "CREATE TABLE app.t2 (id int, tenant_id uuid NOT NULL);\n"
         "ALTER TABLE app.t2 OWNER TO owner_role;\n"
         "ALTER TABLE app.t2 ENABLE ROW LEVEL SECURITY;\n"
         "ALTER TABLE app.t2 FORCE ROW LEVEL SECURITY;\n"
         "CREATE POLICY p ON app.t2 USING "
         "(tenant_id = current_setting('app.current_tenant_id', true)::uuid);\n"
         "CREATE TABLE public.t2 (id int, tenant_id uuid NOT NULL);\n";
}

const std::string kSelectT2 = "SELECT * FROM t2 WHERE tenant_id = '" + std::string(kT1) + "'";

TEST(SearchPath, AnUnqualifiedNameIsTheFirstSchemaOnThePathThatHasIt) {
  EngineHarness h(TwoSchemasSql());
  EXPECT_TRUE(h.At(h.Exec(kSelectT2)).empty());  // public.t2: no RLS
  for (const std::string set : {"SET search_path = app, public", "SET search_path TO 'app'",
                                "SELECT set_config('search_path', 'App, public', false)"}) {
    EngineHarness s(TwoSchemasSql());
    s.Exec(set);
    Finding f = s.On(s.Exec(kSelectT2), "app.t2");
    EXPECT_EQ(f.effect, Effect::kFiltered) << set;
    EXPECT_EQ(f.cause, Cause::kMissingContext) << set;
    s.Exec("RESET search_path");
    EXPECT_TRUE(s.At(s.Exec(kSelectT2)).empty()) << set;
  }
  // A schema named after the current user comes first ("$user").
  EngineHarness user(TwoSchemasSql() +
                     "CREATE SCHEMA app_role;\n"
                     "CREATE TABLE app_role.t2 (id int, tenant_id uuid);\n"
                     "ALTER TABLE app_role.t2 ENABLE ROW LEVEL SECURITY;\n");
  EXPECT_EQ(user.On(user.Exec(kSelectT2), "app_role.t2").cause, Cause::kNoPermissivePolicy);
}

TEST(SearchPath, ALoginDefaultPathAppliesAndTheSameStatementFollowsEachSession) {
  EngineHarness h(TwoSchemasSql() +
                  "CREATE ROLE svc_role;\n"
                  "ALTER ROLE svc_role SET search_path TO 'app', 'public';\n");
  // The same statement, one session each: the verdict memo must not lend one the other's table.
  EXPECT_TRUE(h.At(h.Exec(kSelectT2, {}, "a", "app_role"), "a").empty());
  Finding f = h.On(h.Exec(kSelectT2, {}, "b", "svc_role"), "app.t2", "b");
  EXPECT_EQ(f.effect, Effect::kFiltered);
  EXPECT_TRUE(h.At(h.Exec(kSelectT2, {}, "a", "app_role"), "a").empty());
}

}  // namespace
}  // namespace rls_shadow
