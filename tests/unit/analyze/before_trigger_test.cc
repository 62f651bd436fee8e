// BEFORE ROW triggers on an RLS table: PostgreSQL checks the row the triggers return, so a
// trigger that fills tenant_id from the context makes an INSERT that names no tenant (or the
// wrong one) pass (checked on 15.18: `NEW.tenant_id := current_setting(...)::uuid` in a BEFORE
// INSERT trigger, INSERT without tenant_id and with another tenant's id both succeed under FORCE).
// A plpgsql trigger function of assignments to NEW and IFs is run on the new row
// (TriggerProgram); for any other, the columns it may change are unknown in the new row, so such
// a write is `row_dependent` (decided by the captured row with --cdc), never a false `error`.
#include <gtest/gtest.h>

#include <algorithm>

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

// Trigger functions that may change more than the columns they assign, or that are not plpgsql.
const char* kOtherTriggerFunctions = R"sql(
CREATE FUNCTION app.skip() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN IF NEW.val = 'x' THEN RETURN NULL; END IF; RETURN NEW; END $$;
CREATE FUNCTION app.whole() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW := OLD; RETURN NEW; END $$;
CREATE FUNCTION app.into_new() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN SELECT 'y' INTO NEW.val; RETURN NEW; END $$;
CREATE FUNCTION app.perl() RETURNS trigger LANGUAGE plperl AS $$ return; $$;
)sql";

Finding InsertVerdict(EngineHarness& h, const std::string& sql) {
  h.Exec("SET app.current_tenant_id = '" + T1 + "'");
  return h.Verdict(sql, "public.t");
}

TEST(BeforeTrigger, AFillingTriggerIsRunOnTheNewRow) {
  const std::string wrong_tenant = "INSERT INTO t (id, tenant_id) VALUES (1, '" + T2 + "')";
  EngineHarness none(SemanticsCatalogSql() + kFillTenant);
  EXPECT_EQ(InsertVerdict(none, wrong_tenant).effect, Effect::kError);

  EngineHarness before(SemanticsCatalogSql() + kFillTenant +
                       "CREATE TRIGGER t_fill BEFORE INSERT ON public.t FOR EACH ROW "
                       "EXECUTE FUNCTION app.fill_tenant();\n");
  EXPECT_EQ(InsertVerdict(before, wrong_tenant).effect, Effect::kAllow);
  EXPECT_EQ(InsertVerdict(before, "INSERT INTO t (id) VALUES (2)").effect, Effect::kAllow);
  EXPECT_EQ(InsertVerdict(before, "INSERT INTO t (id) SELECT 3").effect, Effect::kAllow);
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
  // (The old row's tenant is pinned, so that its USING passes.)
  const std::string own_move =
      "UPDATE t SET tenant_id = '" + T2 + "' WHERE id = 1 AND tenant_id = '" + T1 + "'";
  EXPECT_EQ(none.Verdict(own_move, "public.t").effect, Effect::kError);
  EXPECT_EQ(on_update.Verdict(own_move, "public.t").effect, Effect::kAllow);
}

// The same inserts and updates PostgreSQL 15.18 ran under FORCE with the triggers below (table tr,
// policy USING (tenant_id = current_setting('app.tid', true)::uuid), app.tid = T1): the verdict
// is what it did.
TEST(BeforeTrigger, TriggerProgramsAsPostgresRunsThem) {
  const std::string functions = std::string(kFillTenant) + R"sql(
CREATE FUNCTION app.fill_if_null() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tenant_id IS NULL THEN NEW.tenant_id := current_setting('app.current_tenant_id')::uuid; END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION app.set_t2() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.tenant_id = '22222222-2222-2222-2222-222222222222'; RETURN NEW; END $$;
CREATE FUNCTION app.fill_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN NEW.tenant_id := current_setting('app.current_tenant_id')::uuid;
  ELSE NEW.val := 'updated'; END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION app.fill_from_variable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ctx text := current_setting('app.current_tenant_id', true); tid uuid;
BEGIN
  IF NEW.tenant_id IS NULL THEN
    IF ctx IS NULL OR ctx = '' THEN RAISE EXCEPTION 'no tenant context'; END IF;
    RAISE NOTICE 'filling %', ctx;
    tid := ctx;
    NEW.tenant_id := tid;
  END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION app.coalesce_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.tenant_id := coalesce(NEW.tenant_id, current_setting('app.current_tenant_id')::uuid); RETURN NEW; END $$;
)sql";
  const std::string trigger = " ON public.t FOR EACH ROW EXECUTE FUNCTION ";
  const std::string given_t2 = "INSERT INTO t (id, tenant_id) VALUES (1, '" + T2 + "')";
  const std::string given_none = "INSERT INTO t (id) VALUES (2)";
  // (The old row's tenant is pinned: its USING passes, as it did for row 2, T1's.)
  const std::string move =
      "UPDATE t SET tenant_id = '" + T2 + "' WHERE id = 2 AND tenant_id = '" + T1 + "'";
  const std::string move_and_val =
      "UPDATE t SET tenant_id = '" + T2 + "', val = 'v' WHERE id = 2 AND tenant_id = '" + T1 + "'";
  struct Probe {
    std::string triggers;
    std::string statement;
    Effect effect;
  };
  const std::vector<Probe> probes = {
      // Fills only a missing tenant: the given T2 stays and fails.
      {"CREATE TRIGGER a_fill BEFORE INSERT" + trigger + "app.fill_if_null();", given_t2,
       Effect::kError},
      {"CREATE TRIGGER a_fill BEFORE INSERT" + trigger + "app.fill_if_null();", given_none,
       Effect::kAllow},
      {"CREATE TRIGGER a_fill BEFORE INSERT" + trigger + "app.coalesce_tenant();", given_t2,
       Effect::kError},
      {"CREATE TRIGGER a_fill BEFORE INSERT" + trigger + "app.coalesce_tenant();", given_none,
       Effect::kAllow},
      // Variables (text, assigned to a uuid one), RAISE NOTICE and a RAISE EXCEPTION not reached.
      {"CREATE TRIGGER v_fill BEFORE INSERT" + trigger + "app.fill_from_variable();", given_t2,
       Effect::kError},
      {"CREATE TRIGGER v_fill BEFORE INSERT" + trigger + "app.fill_from_variable();", given_none,
       Effect::kAllow},
      // Triggers fire by name: a_fill, then b_set makes it T2; a_set, then z_fill makes it T1.
      {"CREATE TRIGGER a_fill BEFORE INSERT" + trigger + "app.fill_if_null();" +
           "CREATE TRIGGER b_set BEFORE INSERT" + trigger + "app.set_t2();",
       given_none, Effect::kError},
      {"CREATE TRIGGER z_fill BEFORE INSERT" + trigger + "app.fill_tenant();" +
           "CREATE TRIGGER a_set BEFORE INSERT" + trigger + "app.set_t2();",
       given_t2, Effect::kAllow},
      // WHEN (NEW.tenant_id IS NULL) around an unconditional fill.
      {"CREATE TRIGGER w_fill BEFORE INSERT ON public.t FOR EACH ROW WHEN (NEW.tenant_id IS NULL) "
       "EXECUTE FUNCTION app.fill_tenant();",
       given_t2, Effect::kError},
      {"CREATE TRIGGER w_fill BEFORE INSERT ON public.t FOR EACH ROW WHEN (NEW.tenant_id IS NULL) "
       "EXECUTE FUNCTION app.fill_tenant();",
       given_none, Effect::kAllow},
      // UPDATE OF val fires only when val is set.
      {"CREATE TRIGGER u_fill BEFORE UPDATE OF val" + trigger + "app.fill_tenant();", move,
       Effect::kError},
      {"CREATE TRIGGER u_fill BEFORE UPDATE OF val" + trigger + "app.fill_tenant();", move_and_val,
       Effect::kAllow},
      // TG_OP.
      {"CREATE TRIGGER o_fill BEFORE INSERT OR UPDATE" + trigger + "app.fill_on_insert();",
       given_t2, Effect::kAllow},
      {"CREATE TRIGGER o_fill BEFORE INSERT OR UPDATE" + trigger + "app.fill_on_insert();", move,
       Effect::kError},
  };
  for (const Probe& probe : probes) {
    EngineHarness h(SemanticsCatalogSql() + functions + probe.triggers + "\n");
    h.Exec("SET app.current_tenant_id = '" + T1 + "'");
    EXPECT_EQ(h.Verdict(probe.statement, "public.t").effect, probe.effect) << probe.triggers << "\n"
                                                                           << probe.statement;
  }
}

TEST(BeforeTrigger, WhatATriggerCannotDecideIsUnknown) {
  const std::string functions = std::string(kFillTenant) + R"sql(
CREATE FUNCTION app.fill_if_val() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.val = 'mine' THEN NEW.tenant_id := current_setting('app.current_tenant_id')::uuid; END IF;
  RETURN NEW;
END $$;
CREATE FUNCTION app.in_a_loop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..1 LOOP NEW.tenant_id := current_setting('app.current_tenant_id')::uuid; END LOOP;
  RETURN NEW;
END $$;
CREATE FUNCTION app.from_default() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.tenant_id := current_setting('app.default_tenant')::uuid; RETURN NEW; END $$;
)sql";
  const std::string trigger = " BEFORE INSERT OR UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION ";
  const std::string given_t2 = "INSERT INTO t (id, tenant_id, val) VALUES (1, '" + T2 + "', $1)";
  // The condition reads val, known in an INSERT: decided either way.
  EngineHarness on_val(SemanticsCatalogSql() + functions + "CREATE TRIGGER f" + trigger +
                       "app.fill_if_val();\n");
  on_val.Exec("SET app.current_tenant_id = '" + T1 + "'");
  EXPECT_EQ(on_val.Verdict(given_t2, "public.t", {"mine"}).effect, Effect::kAllow);
  EXPECT_EQ(on_val.Verdict(given_t2, "public.t", {"yours"}).effect, Effect::kError);
  // Not in an UPDATE that does not set it: the branch may run or not.
  EXPECT_EQ(on_val
                .Verdict("UPDATE t SET tenant_id = '" + T2 + "' WHERE id = 1 AND tenant_id = '" +
                             T1 + "'",
                         "public.t")
                .effect,
            Effect::kRowDependent);
  // A loop: the function is not run, the columns it assigns are unknown.
  EngineHarness loop(SemanticsCatalogSql() + functions + "CREATE TRIGGER f" + trigger +
                     "app.in_a_loop();\n");
  loop.Exec("SET app.current_tenant_id = '" + T1 + "'");
  EXPECT_EQ(loop.Verdict(given_t2, "public.t", {"x"}).effect, Effect::kRowDependent);
  // The trigger raises (a setting never defined, read without missing_ok: 42704), which fails
  // the statement in the shadow run too: its row is not known.
  EngineHarness raises(SemanticsCatalogSql() + functions + "CREATE TRIGGER f" + trigger +
                       "app.from_default();\n");
  raises.Exec("SET app.current_tenant_id = '" + T1 + "'");
  EXPECT_EQ(raises.Verdict(given_t2, "public.t", {"x"}).effect, Effect::kRowDependent);
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
  ASSERT_TRUE(catalog.Apply(std::string(kFillTenant) + kOtherTriggerFunctions, "test").ok());
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

TEST(BeforeTrigger, WhichTriggerFunctionsAreRun) {
  std::string sql = SemanticsCatalogSql() + kFillTenant + kOtherTriggerFunctions + R"sql(
CREATE FUNCTION app.raises() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN IF NEW.val IS NULL THEN RAISE EXCEPTION 'no val'; END IF; RETURN NEW; END $$;
CREATE FUNCTION app.declares() RETURNS trigger LANGUAGE plpgsql
    AS $$ DECLARE v text := 'x'; BEGIN NEW.val := v; RETURN NEW; END $$;
CREATE FUNCTION app.record_variable() RETURNS trigger LANGUAGE plpgsql
    AS $$ DECLARE r record; BEGIN r := NEW; NEW.val := r.val; RETURN NEW; END $$;
CREATE FUNCTION app.loops() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN WHILE NEW.val IS NULL LOOP NEW.val := 'x'; END LOOP; RETURN NEW; END $$;
CREATE FUNCTION app.subscript() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.tags[1] := 'x'; RETURN NEW; END $$;
CREATE FUNCTION app.returns_old() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN NEW.val := 'x'; RETURN OLD; END $$;
)sql";
  const std::vector<std::pair<std::string, bool>> functions = {
      {"fill_tenant", true},  {"touch_val", true}, {"skip", false},    {"whole", false},
      {"into_new", false},    {"raises", true},    {"declares", true}, {"subscript", false},
      {"returns_old", false}, {"perl", false},     {"unknown", false}, {"record_variable", false},
      {"loops", false}};
  for (const auto& [name, run] : functions) {
    sql += "CREATE TRIGGER tr_" + name +
           " BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION app." + name + "();\n";
  }
  sql +=
      "CREATE TRIGGER tr_when BEFORE INSERT ON public.t FOR EACH ROW WHEN (NEW.val IS NULL) "
      "EXECUTE FUNCTION app.fill_tenant();\n";
  PolicyCatalog catalog;
  ASSERT_TRUE(catalog.Apply(sql, "test").ok());
  const TableInfo* t = catalog.FindQualified("public.t");
  ASSERT_NE(t, nullptr);
  for (const auto& [name, run] : functions) {
    auto it = std::find_if(t->triggers.begin(), t->triggers.end(),
                           [&](const TableInfo::Trigger& x) { return x.name == "tr_" + name; });
    ASSERT_NE(it, t->triggers.end()) << name;
    EXPECT_EQ(it->program != nullptr, run) << name;
  }
  auto when = std::find_if(t->triggers.begin(), t->triggers.end(),
                           [](const TableInfo::Trigger& x) { return x.name == "tr_when"; });
  ASSERT_TRUE(when != t->triggers.end() && when->program != nullptr);
  ASSERT_EQ(when->program->steps.size(), 1u);  // IF NEW.val IS NULL THEN <the function> END IF
  EXPECT_EQ(when->program->steps[0].kind, TriggerStep::Kind::kIf);
  // What the programs read and assign is computed in every new row, as the policies' columns.
  for (const char* column : {"tenant_id", "val"}) {
    EXPECT_NE(std::find(t->policy_columns.begin(), t->policy_columns.end(), column),
              t->policy_columns.end())
        << column;
  }
}

}  // namespace
}  // namespace rls_shadow
