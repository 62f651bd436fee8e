// Domains: a column, or a cast, of a domain type holds (or makes) a value of its base type, read
// by the base type's input function (15.18: '' cast to a uuid domain fails with "invalid input
// syntax for type uuid", a domain over a domain included).

#include <gtest/gtest.h>

#include "unit/analyze/engine_harness.h"

namespace rls_shadow::testing_analyze {
namespace {

std::string DomainCatalogSql() {
  return SemanticsCatalogSql() +
         "CREATE DOMAIN public.tenant_key AS uuid;\n"
         "CREATE DOMAIN tk2 AS tenant_key;\n"
         "CREATE TABLE dom_t (id int PRIMARY KEY, tenant_id public.tenant_key NOT NULL);\n" +
         OwnedAndForcedSql("dom_t") +
         "CREATE POLICY p ON dom_t\n"
         "  USING (tenant_id = current_setting('app.current_tenant_id', true)::tenant_key);\n";
}

TEST(DomainType, ValuesOfADomainAreValuesOfItsBaseType) {
  EngineHarness h(DomainCatalogSql());
  h.Exec(SetTenant(kT1));
  const std::string t1 = Quoted(kT1);
  const std::string t2 = Quoted(kT2);
  // Before, every cast to the domain was indeterminate.
  EXPECT_EQ(h.Verdict("INSERT INTO dom_t VALUES (3, " + t1 + ")", "public.dom_t").effect,
            Effect::kAllow);
  Finding other = h.Verdict("INSERT INTO dom_t VALUES (4, " + t2 + ")", "public.dom_t");
  EXPECT_EQ(other.effect, Effect::kError);
  EXPECT_EQ(other.sqlstate, "42501");
  // A statement's cast to a domain over the domain pins the rows as the base type's would.
  EXPECT_EQ(
      h.Verdict("SELECT id FROM dom_t WHERE tenant_id = " + t1 + "::tk2", "public.dom_t").effect,
      Effect::kAllow);
  h.Exec("SET app.current_tenant_id = ''");
  Finding empty = h.Verdict("SELECT id FROM dom_t WHERE id = 1", "public.dom_t");
  EXPECT_EQ(empty.effect, Effect::kError);
  EXPECT_EQ(empty.sqlstate, "22P02");
  EXPECT_EQ(empty.detail, "invalid input syntax for type uuid: \"\"");
}

}  // namespace
}  // namespace rls_shadow::testing_analyze
