// Code a statement runs besides its own text: functions it calls and triggers its writes fire.
// PostgreSQL applies the policies of the tables they touch (checked on 15.18: a trigger
// inserting into a table without an INSERT policy fails the statement; a SQL function inserting
// another tenant's row fails it, "SQL function "place" statement 1"). A LANGUAGE sql function
// called once with known arguments is run (its statements evaluated with them); every other
// table they reach is an `indeterminate` finding naming the way in, never silence.
#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::SemanticsCatalogSql;

const std::string T1 = kT1;

const char* kCode = R"sql(
CREATE FUNCTION app.place(t uuid) RETURNS int LANGUAGE sql
    AS $$ INSERT INTO public.t (id, tenant_id) VALUES (1, t) RETURNING id $$;
CREATE FUNCTION app.place2(int, uuid) RETURNS int LANGUAGE sql STRICT
    AS $$ INSERT INTO public.t (id, tenant_id) VALUES ($1, $2) RETURNING id $$;
CREATE FUNCTION app.close_mine(p_id int, p_tenant uuid) RETURNS void LANGUAGE sql
    AS $$ DELETE FROM public.t WHERE id = p_id AND tenant_id = p_tenant $$;
CREATE FUNCTION app.close_val(val uuid) RETURNS void LANGUAGE sql
    AS $$ DELETE FROM public.t WHERE tenant_id = val $$;
CREATE FUNCTION app.place_as_owner(t uuid) RETURNS int LANGUAGE sql SECURITY DEFINER
    AS $$ INSERT INTO public.t (id, tenant_id) VALUES (1, t) RETURNING id $$;
CREATE FUNCTION app.outer_fn(t uuid) RETURNS int LANGUAGE sql
    AS $$ SELECT app.inner_fn(t) $$;
CREATE FUNCTION app.inner_fn(t uuid) RETURNS int LANGUAGE plpgsql
    AS $$ BEGIN UPDATE public.t SET val = 'x' WHERE tenant_id = t; RETURN 1; END $$;
CREATE FUNCTION app.harmless() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE PROCEDURE app.close(o int) LANGUAGE sql AS $$ DELETE FROM public.t WHERE id = o $$;
CREATE FUNCTION app.audit() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN INSERT INTO public.t (id, tenant_id) VALUES (NEW.id, NEW.val::uuid); RETURN NEW; END $$;
CREATE TRIGGER plain_audit AFTER INSERT OR DELETE ON public.plain
    FOR EACH ROW EXECUTE FUNCTION app.audit();
)sql";

std::vector<Finding> FindingsOf(EngineHarness& h, const std::string& sql,
                                const std::string& user = "app_role") {
  // A session per user: its login user is the one it opened with.
  h.Exec("SET app.current_tenant_id = '" + T1 + "'", {}, user, user);
  return h.At(h.Exec(sql, {}, user, user), user);
}

TEST(UnfollowedCode, ASqlFunctionCalledOnceIsRunWithItsArguments) {
  EngineHarness h(SemanticsCatalogSql() + kCode);
  const std::string T2 = testing_analyze::kT2;
  for (const std::string& call : {"app.place('" + T2 + "')", "app.place2(1, '" + T2 + "')"}) {
    std::vector<Finding> f = FindingsOf(h, "SELECT " + call);
    ASSERT_EQ(f.size(), 1u) << call;
    EXPECT_EQ(f[0].table, "public.t");
    EXPECT_EQ(f[0].command, Command::kInsert);
    EXPECT_EQ(f[0].effect, Effect::kError) << call;
    EXPECT_EQ(f[0].cause, Cause::kWrongTenant) << call;
    EXPECT_NE(f[0].detail.find("inside app.place"), std::string::npos) << f[0].detail;
    EXPECT_EQ(FindingsOf(h, "SELECT " + call, "postgres")[0].effect, Effect::kAllow);
  }
  std::vector<Finding> own = FindingsOf(h, "SELECT app.place('" + T1 + "')");
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].effect, Effect::kAllow);
  // Named arguments in its WHERE are filters: another tenant's rows are filtered out, its own
  // deleted. A name that is also a column is the column (PostgreSQL resolves a column first):
  // `tenant_id = val` compares two columns, which pins nothing.
  EXPECT_EQ(FindingsOf(h, "SELECT app.close_mine(1, '" + T2 + "')")[0].effect, Effect::kFiltered);
  EXPECT_EQ(FindingsOf(h, "SELECT app.close_mine(1, '" + T1 + "')")[0].effect, Effect::kAllow);
  EXPECT_EQ(FindingsOf(h, "SELECT app.close_val('" + T1 + "')")[0].effect, Effect::kRowDependent);
  // A STRICT function given a NULL is not run.
  EXPECT_TRUE(FindingsOf(h, "SELECT app.place2(NULL, '" + T2 + "')").empty());
  // Not run: a call that runs per row or maybe not at all, one whose argument is not known, a
  // SECURITY DEFINER function (it runs as its owner).
  for (const std::string& sql : std::vector<std::string>{
           "SELECT app.place(tenant_id) FROM public.plain",
           "SELECT CASE WHEN $1 THEN app.place('" + T2 + "') END",
           "SELECT app.place(current_setting('app.unset_here')::uuid)",
           "SELECT app.place_as_owner('" + T2 + "')",
           "SELECT app.place('" + T2 + "') WHERE false",
       }) {
    std::vector<Finding> f = FindingsOf(h, sql);
    ASSERT_FALSE(f.empty()) << sql;
    EXPECT_EQ(f.back().effect, Effect::kIndeterminate) << sql;
    EXPECT_NE(f.back().detail.find("which rls-shadow does not follow"), std::string::npos)
        << sql << ": " << f.back().detail;
  }
}

TEST(UnfollowedCode, AFunctionTheStatementCallsReportsTheTablesItReaches) {
  EngineHarness h(SemanticsCatalogSql() + kCode);
  std::vector<Finding> f;
  // Through a SQL function into a plpgsql one.
  f = FindingsOf(h, "SELECT app.outer_fn('" + T1 + "')");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].command, Command::kUpdate);
  EXPECT_NE(f[0].detail.find("app.outer_fn() -> app.inner_fn()"), std::string::npos) << f[0].detail;
  // Functions that reach no RLS table, and built-ins, report nothing.
  EXPECT_TRUE(FindingsOf(h, "SELECT app.harmless(), now()").empty());
  // RLS never applies to a superuser.
  EXPECT_TRUE(FindingsOf(h, "SELECT app.outer_fn('" + T1 + "')", "postgres").empty());
}

TEST(UnfollowedCode, AProcedureCalledAndADoBlockReportTheirTables) {
  EngineHarness h(SemanticsCatalogSql() + kCode);
  std::vector<Finding> f = FindingsOf(h, "CALL app.close(1)");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].command, Command::kDelete);
  EXPECT_NE(f[0].detail.find("app.close()"), std::string::npos) << f[0].detail;
  f = FindingsOf(h, "DO $$ BEGIN UPDATE public.t SET val = 'x'; PERFORM app.place(NULL); END $$");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].command, Command::kUpdate);
  EXPECT_NE(f[0].detail.find("a DO block"), std::string::npos) << f[0].detail;
  EXPECT_EQ(f[1].command, Command::kInsert);  // through the function the block calls
  EXPECT_TRUE(FindingsOf(h, "DO $$ BEGIN PERFORM 1; END $$").empty());
  // A block that only runs its statements, in order, runs them as the statement's own.
  const std::string T2 = testing_analyze::kT2;
  f = FindingsOf(h, "DO $$ BEGIN INSERT INTO public.t (id, tenant_id) VALUES (7, '" + T2 +
                        "'); UPDATE public.t SET val = 'x' WHERE tenant_id = '" + T1 +
                        "'; RETURN; END $$");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].effect, Effect::kError);
  EXPECT_EQ(f[0].cause, Cause::kWrongTenant);
  EXPECT_EQ(f[1].command, Command::kUpdate);
  EXPECT_EQ(f[1].effect, Effect::kAllow);
  // Not with a variable, a SET, or control flow: reported.
  for (const std::string& block : std::vector<std::string>{
           "DECLARE v int := 7; BEGIN INSERT INTO public.t (id, tenant_id) VALUES (v, '" + T1 +
               "'); END",
           "BEGIN SET app.current_tenant_id = '" + T2 +
               "'; INSERT INTO public.t (id, tenant_id) "
               "VALUES (7, '" +
               T2 + "'); END",
           "BEGIN IF now() > '2020-01-01' THEN INSERT INTO public.t (id, tenant_id) VALUES (7, '" +
               T1 + "'); END IF; END",
       }) {
    f = FindingsOf(h, "DO $$ " + block + " $$");
    ASSERT_EQ(f.size(), 1u) << block;
    EXPECT_EQ(f[0].effect, Effect::kIndeterminate) << block;
    EXPECT_NE(f[0].detail.find("a DO block"), std::string::npos) << f[0].detail;
  }
  EXPECT_TRUE(FindingsOf(h, "DO LANGUAGE plperl $$ 1; $$").empty());  // not plpgsql: not read
}

TEST(UnfollowedCode, ATriggerAWriteFiresReportsTheTablesItsFunctionReaches) {
  EngineHarness h(SemanticsCatalogSql() + kCode);
  std::vector<Finding> f = FindingsOf(h, "INSERT INTO plain VALUES (5, '" + T1 + "')");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].table, "public.t");
  EXPECT_EQ(f[0].command, Command::kInsert);
  EXPECT_EQ(f[0].effect, Effect::kIndeterminate);
  EXPECT_NE(f[0].detail.find("trigger plain_audit on public.plain"), std::string::npos)
      << f[0].detail;
  EXPECT_EQ(FindingsOf(h, "DELETE FROM plain WHERE id = 5").size(), 1u);
  // Not an event it fires on.
  EXPECT_TRUE(FindingsOf(h, "UPDATE plain SET val = 'x'").empty());
}

TEST(UnfollowedCode, ADisabledOrDroppedTriggerFiresNothing) {
  EngineHarness disabled(SemanticsCatalogSql() + kCode +
                         "ALTER TABLE public.plain DISABLE TRIGGER plain_audit;\n");
  EXPECT_TRUE(FindingsOf(disabled, "INSERT INTO plain VALUES (5, 'x')").empty());
  EngineHarness dropped(SemanticsCatalogSql() + kCode +
                        "DROP TRIGGER plain_audit ON public.plain;\n");
  EXPECT_TRUE(FindingsOf(dropped, "INSERT INTO plain VALUES (5, 'x')").empty());
  EngineHarness enabled(SemanticsCatalogSql() + kCode +
                        "ALTER TABLE public.plain DISABLE TRIGGER ALL;\n"
                        "ALTER TABLE public.plain ENABLE TRIGGER plain_audit;\n");
  EXPECT_EQ(FindingsOf(enabled, "INSERT INTO plain VALUES (5, 'x')").size(), 1u);
}

}  // namespace
}  // namespace rls_shadow
