// BEFORE ROW triggers on an RLS table: PostgreSQL checks the row the triggers return, so a
// trigger that fills tenant_id from the context makes an INSERT that names no tenant (or the
// wrong one) pass (checked on 15.18: `NEW.tenant_id := current_setting(...)::uuid` in a BEFORE
// INSERT trigger, INSERT without tenant_id and with another tenant's id both succeed under FORCE).
// rls-shadow does not run the trigger: the columns it may change are unknown in the new row, so
// such a write is `row_dependent` (decided by the captured row with --cdc), never a false `error`.
#include <gtest/gtest.h>

#include "analyze/policy_catalog.h"
#include "unit/analyze/engine_harness.h"

namespace rls_shadow {
namespace {

using testing_analyze::EngineHarness;
using testing_analyze::kT1;
using testing_analyze::kT2;
using testing_analyze::SemanticsCatalogSql;

const std::string T1 = kT1;
const std::string T2 = kT2;

const char* kFillTenant = R"sql(
CREATE FUNCTION app.fill_tenant() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.tenant_id := current_setting('app.current_tenant_id')::uuid; RETURN NEW; END $$;
CREATE FUNCTION app.touch_val() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN IF NEW.val IS NULL THEN NEW.val := 'x'; END IF; RETURN NEW; END $$;
)sql";

Finding InsertVerdict(EngineHarness& h, const std::string& sql) {
  h.Exec("SET app.current_tenant_id = '" + T1 + "'");
  return h.Verdict(sql, "public.t");
}

TEST(BeforeTrigger, ATriggerThatMayChangeAPolicyColumnMakesTheNewRowUnknown) {
  const std::string wrong_tenant = "INSERT INTO t (id, tenant_id) VALUES (1, '" + T2 + "')";
  EngineHarness none(SemanticsCatalogSql() + kFillTenant);
  EXPECT_EQ(InsertVerdict(none, wrong_tenant).effect, Effect::kError);

  EngineHarness before(SemanticsCatalogSql() + kFillTenant +
                       "CREATE TRIGGER t_fill BEFORE INSERT ON public.t FOR EACH ROW "
                       "EXECUTE FUNCTION app.fill_tenant();\n");
  EXPECT_EQ(InsertVerdict(before, wrong_tenant).effect, Effect::kRowDependent);
  EXPECT_EQ(InsertVerdict(before, "INSERT INTO t (id) VALUES (2)").effect, Effect::kRowDependent);
  // An UPDATE's new row is the trigger's only for a trigger on UPDATE: the row moved to T2 fails
  // its check as without the trigger.
  const std::string move = "UPDATE t SET tenant_id = '" + T2 + "' WHERE id = 1";
  Finding untouched = before.Verdict(move, "public.t");
  EXPECT_EQ(untouched.effect, none.Verdict(move, "public.t").effect);
  EXPECT_EQ(untouched.cause, Cause::kWrongTenant);
  EngineHarness on_update(SemanticsCatalogSql() + kFillTenant +
                          "CREATE TRIGGER t_fill BEFORE UPDATE ON public.t FOR EACH ROW "
                          "EXECUTE FUNCTION app.fill_tenant();\n");
  on_update.Exec("SET app.current_tenant_id = '" + T1 + "'");
  // T1's rows keep their tenant, and pass; unless the trigger may change it.
  const std::string own = "UPDATE t SET val = 'x' WHERE tenant_id = '" + T1 + "'";
  EXPECT_EQ(none.Verdict(own, "public.t").effect, Effect::kAllow);
  EXPECT_EQ(on_update.Verdict(own, "public.t").effect, Effect::kRowDependent);
}

TEST(BeforeTrigger, OnlyEnabledBeforeRowTriggersOfTheCommandThatChangeAPolicyColumnCount) {
  const std::string wrong_tenant = "INSERT INTO t (id, tenant_id) VALUES (1, '" + T2 + "')";
  const std::string fill = "EXECUTE FUNCTION app.fill_tenant();\n";
  for (const std::string& trigger : {
           "CREATE TRIGGER t_fill AFTER INSERT ON public.t FOR EACH ROW " + fill,
           "CREATE TRIGGER t_fill BEFORE INSERT ON public.t FOR EACH STATEMENT " + fill,
           "CREATE TRIGGER t_fill BEFORE DELETE ON public.t FOR EACH ROW " + fill,
           "CREATE TRIGGER t_fill BEFORE INSERT ON public.t FOR EACH ROW " + fill +
               "ALTER TABLE public.t DISABLE TRIGGER t_fill;\n",
           // It changes val, which no policy reads.
           std::string("CREATE TRIGGER t_val BEFORE INSERT ON public.t FOR EACH ROW "
                       "EXECUTE FUNCTION app.touch_val();\n"),
       }) {
    EngineHarness h(SemanticsCatalogSql() + kFillTenant + trigger);
    EXPECT_EQ(InsertVerdict(h, wrong_tenant).effect, Effect::kError) << trigger;
  }
}

TEST(BeforeTrigger, WhatATriggerFunctionMayChangeInNew) {
  PolicyCatalog catalog;
  ASSERT_TRUE(catalog
                  .Apply(std::string(kFillTenant) + R"sql(
CREATE FUNCTION app.skip() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN IF NEW.val = 'x' THEN RETURN NULL; END IF; RETURN NEW; END $$;
CREATE FUNCTION app.whole() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW := OLD; RETURN NEW; END $$;
CREATE FUNCTION app.into_new() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN SELECT 'y' INTO NEW.val; RETURN NEW; END $$;
CREATE FUNCTION app.perl() RETURNS trigger LANGUAGE plperl AS $$ return; $$;
)sql",
                         "test")
                  .ok());
  SqlFunctions::NewRowChanges fill = catalog.TriggerChanges("app.fill_tenant");
  EXPECT_FALSE(fill.all);
  EXPECT_EQ(fill.columns, std::vector<std::string>{"tenant_id"});
  SqlFunctions::NewRowChanges touch = catalog.TriggerChanges("app.touch_val");
  EXPECT_FALSE(touch.all);
  EXPECT_EQ(touch.columns, std::vector<std::string>{"val"});  // in a branch: may
  for (const char* all : {"app.skip", "app.whole", "app.into_new", "app.perl", "app.unknown"}) {
    EXPECT_TRUE(catalog.TriggerChanges(all).all) << all;
  }
}

}  // namespace
}  // namespace rls_shadow
