#include "workload.h"

#include <utility>

namespace rls_shadow::differential {
namespace {

constexpr const char* kT1 = "11111111-1111-1111-1111-111111111111";
constexpr const char* kT2 = "22222222-2222-2222-2222-222222222222";

// Replaces every "T1" / "T2" token in a statement template by the tenant uuid, so scenarios stay
// readable.
std::string Tenants(std::string sql) {
  for (auto [token, value] : {std::pair{"T1", kT1}, std::pair{"T2", kT2}}) {
    for (size_t pos = 0; (pos = sql.find(token, pos)) != std::string::npos;) {
      sql.replace(pos, 2, value);
      pos += 36;
    }
  }
  return sql;
}

// A trailing sqlcommenter comment, as an instrumented Rails/Sidekiq app would append.
std::string Commenter(const std::string& code_path, const std::string& lane) {
  std::string encoded;
  for (char c : code_path) encoded += (c == '/') ? std::string("%2F") : std::string(1, c);
  std::string comment = " /*code_path='" + encoded + "'";
  if (!lane.empty()) comment += ",lane='" + lane + "'";
  return comment + "*/";
}

// Builds one scenario's steps with a fluent, table-like syntax.
class ScenarioBuilder {
 public:
  ScenarioBuilder(std::string name, std::string purpose) {
    scenario_.name = std::move(name);
    scenario_.purpose = std::move(purpose);
  }
  ScenarioBuilder& Connect(std::string name, std::string role, std::string application_name) {
    scenario_.connections.push_back(
        {std::move(name), std::move(role), std::move(application_name)});
    return *this;
  }
  // Attribution appended to the following statements (until changed); empty for none.
  ScenarioBuilder& Attribute(const std::string& code_path, const std::string& lane) {
    comment_ = code_path.empty() ? "" : Commenter(code_path, lane);
    return *this;
  }
  // Simple protocol. Control statements (BEGIN, SET ...) carry no comment, as ORMs send them.
  ScenarioBuilder& Simple(const std::string& conn, const std::string& sql) {
    return Add(conn, Protocol::kSimple, Tenants(sql), {}, "");
  }
  ScenarioBuilder& SimpleC(const std::string& conn, const std::string& sql) {
    return Add(conn, Protocol::kSimple, Tenants(sql) + comment_, {}, "");
  }
  // Extended protocol, unnamed statement; "T1"/"T2" in parameters become tenant uuids too.
  ScenarioBuilder& Extended(const std::string& conn, const std::string& sql,
                            std::vector<std::optional<std::string>> params = {}) {
    for (auto& p : params) {
      if (p) p = Tenants(*p);
    }
    return Add(conn, Protocol::kExtended, Tenants(sql) + comment_, std::move(params), "");
  }
  ScenarioBuilder& Prepared(const std::string& conn, const std::string& name,
                            const std::string& sql,
                            std::vector<std::optional<std::string>> params) {
    for (auto& p : params) {
      if (p) p = Tenants(*p);
    }
    return Add(conn, Protocol::kPrepared, Tenants(sql) + comment_, std::move(params), name);
  }
  Scenario Build() { return std::move(scenario_); }

 private:
  ScenarioBuilder& Add(const std::string& conn, Protocol protocol, std::string sql,
                       std::vector<std::optional<std::string>> params, std::string name) {
    scenario_.steps.push_back({conn, protocol, std::move(sql), std::move(params), std::move(name)});
    return *this;
  }

  Scenario scenario_;
  std::string comment_;
};

}  // namespace

std::vector<Scenario> BuildWorkload() {
  std::vector<Scenario> w;

  w.push_back(ScenarioBuilder("correct_set_local_txn",
                              "job sets its tenant with SET LOCAL inside BEGIN...COMMIT")
                  .Connect("w", "app_role", "worker-ship_upload-1")
                  .Attribute("app/jobs/ship.rb", "ship_upload")
                  .Simple("w", "BEGIN")
                  .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
                  .SimpleC("w",
                           "SELECT id, status FROM public.orders WHERE tenant_id = 'T1' "
                           "AND status = 'new' ORDER BY id")
                  .SimpleC("w", "SELECT id, amount FROM public.refunds WHERE tenant_id = 'T1'")
                  .SimpleC("w",
                           "UPDATE public.orders SET status = 'shipped' "
                           "WHERE tenant_id = 'T1' AND id = 1 RETURNING id")
                  .SimpleC("w",
                           "INSERT INTO public.order_items (id, tenant_id, order_id, sku) "
                           "VALUES (10, 'T1', 1, 'a3')")
                  .Simple("w", "COMMIT")
                  .Build());

  w.push_back(
      ScenarioBuilder("correct_set_config_extended",
                      "set_config(...,true) in a transaction over the extended protocol; "
                      "afterwards the context reads back as '' (22P02 even on an empty table)")
          .Connect("w", "app_role", "worker-order_upload-1")
          .Attribute("app/jobs/order_import.rb", "order_upload")
          .Extended("w", "BEGIN")
          .Extended("w", "SELECT set_config('app.current_tenant_id', $1, true)", {"T2"})
          .Extended("w", "SELECT id, total FROM public.orders WHERE tenant_id = $1 ORDER BY id",
                    {"T2"})
          .Extended("w",
                    "INSERT INTO public.orders (id, tenant_id, status, total) "
                    "VALUES ($1, $2, 'new', $3)",
                    {"20", "T2", "99"})
          .Extended("w", "DELETE FROM public.order_items WHERE tenant_id = $1 AND id = $2",
                    {"T2", "3"})
          .Extended("w", "COMMIT")
          .Extended("w", "SELECT id FROM public.orders WHERE tenant_id = $1", {"T2"})
          .SimpleC("w", "SELECT id, amount FROM public.refunds")
          .Build());

  w.push_back(ScenarioBuilder("set_config_local_autocommit",
                              "set_config(...,true) as its own autocommit statement: the value "
                              "ends with that statement")
                  .Connect("w", "app_role", "worker-order_upload-2")
                  .Attribute("app/jobs/order_sync.rb", "order_upload")
                  .Simple("w", "SELECT set_config('app.current_tenant_id', 'T1', true)")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .SimpleC("w",
                           "UPDATE public.jobs SET state = 'running' "
                           "WHERE tenant_id = 'T1' AND id = 1")
                  .Build());

  w.push_back(ScenarioBuilder("set_local_autocommit",
                              "SET LOCAL outside a transaction block (WARNING 25P01) leaves ''")
                  .Connect("w", "app_role", "worker-ship_upload-2")
                  .Attribute("app/jobs/ship_label.rb", "ship_upload")
                  .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
                  .SimpleC("w",
                           "INSERT INTO public.orders (id, tenant_id, status) "
                           "VALUES (21, 'T1', 'new')")
                  .SimpleC("w", "SELECT sku FROM public.catalog_items WHERE tenant = 'acme'")
                  .Build());

  w.push_back(
      ScenarioBuilder("stale_pooled_context",
                      "job A sets session-level context for T1; job B on the same pooled "
                      "connection works on T2 without setting its own")
          .Connect("pool", "app_role", "web-pool-1")
          .Attribute("app/jobs/order_import.rb", "order_upload")
          .Simple("pool", "SET app.current_tenant_id = 'T1'")
          .SimpleC("pool", "SELECT id FROM public.orders WHERE tenant_id = 'T1' ORDER BY id")
          .SimpleC("pool",
                   "UPDATE public.orders SET status = 'packed' "
                   "WHERE tenant_id = 'T1' AND id = 2")
          .Attribute("app/jobs/ship.rb", "ship_upload")
          .SimpleC("pool",
                   "SELECT id, status FROM public.orders "
                   "WHERE tenant_id = 'T2' ORDER BY id")
          .SimpleC("pool",
                   "UPDATE public.jobs SET state = 'running', claimed_by = 'pool' "
                   "WHERE tenant_id = 'T2' AND lane = 'ship_upload'")
          .SimpleC("pool",
                   "INSERT INTO public.orders (id, tenant_id, status) "
                   "VALUES (30, 'T2', 'new')")
          .Build());

  w.push_back(
      ScenarioBuilder("global_job_no_context",
                      "a cross-tenant digest job that never sets context (NULL: reads see "
                      "nothing, inserts fail)")
          .Connect("w", "app_role", "worker-notification_digest-1")
          .Attribute("app/jobs/digest.rb", "notification_digest")
          .SimpleC("w",
                   "SELECT tenant_id, count(*) FROM public.orders GROUP BY tenant_id ORDER BY 1")
          .SimpleC("w",
                   "SELECT o.id, i.amount FROM public.orders o "
                   "JOIN public.invoices i ON i.order_id = o.id WHERE o.status = 'paid'")
          .SimpleC("w", "SELECT sku FROM public.catalog_items ORDER BY sku")
          .SimpleC("w", "SELECT code FROM public.countries ORDER BY code")
          .SimpleC("w",
                   "INSERT INTO public.jobs (id, tenant_id, lane) "
                   "VALUES (40, 'T1', 'notification_digest')")
          .SimpleC("w", "DELETE FROM public.invoices WHERE id = 3")
          .Build());

  w.push_back(
      ScenarioBuilder("owner_maintenance",
                      "the table owner: exempt while not forced, filtered under FORCE")
          .Connect("m", "owner_role", "maintenance-1")
          .Attribute("lib/tasks/maintenance.rake", "")
          .SimpleC("m", "SELECT id FROM public.orders WHERE status = 'new' ORDER BY id")
          .SimpleC("m", "UPDATE public.orders SET status = 'archived' WHERE status = 'paid'")
          .SimpleC("m", "SELECT id FROM public.jobs ORDER BY id")
          .SimpleC("m", "UPDATE public.countries SET name = 'Deutschland' WHERE code = 'DE'")
          .Simple("m", "SET app.current_tenant_id = 'T1'")
          .SimpleC("m", "SELECT id FROM public.orders WHERE tenant_id = 'T1' ORDER BY id")
          .Simple("m", "SET row_security = off")
          .SimpleC("m", "SELECT id FROM public.order_items WHERE tenant_id = 'T1'")
          .Build());

  w.push_back(
      ScenarioBuilder("bypassrls_role", "a BYPASSRLS role is never filtered")
          .Connect("r", "bypass_role", "ops-report-1")
          .Attribute("app/reports/revenue.rb", "")
          .SimpleC("r", "SELECT tenant_id, count(*) FROM public.orders GROUP BY 1 ORDER BY 1")
          .SimpleC("r", "INSERT INTO public.invoices VALUES (50, 'T2', 4, 40)")
          .Simple("r", "SET row_security = off")
          .SimpleC("r", "SELECT id FROM public.jobs ORDER BY id")
          .SimpleC("r", "UPDATE public.orders SET tenant_id = 'T2' WHERE id = 3")
          .Build());

  w.push_back(
      ScenarioBuilder("wrong_tenant_write",
                      "writes of another tenant's rows, uuid and text keys; a text tenant as "
                      "context for a uuid policy")
          .Connect("w", "app_role", "worker-order_upload-4")
          .Connect("c", "app_role", "worker-catalog-1")
          .Attribute("app/jobs/order_import.rb", "order_upload")
          .Simple("w", "BEGIN")
          .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
          .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1' ORDER BY id")
          .SimpleC("w",
                   "INSERT INTO public.orders (id, tenant_id, status) VALUES (41, 'T2', 'new')")
          .SimpleC("w",
                   "INSERT INTO public.order_items (id, tenant_id, order_id, sku) "
                   "VALUES (41, 'T1', 1, 'a4')")
          .Simple("w", "COMMIT")
          .Attribute("app/jobs/catalog_sync.rb", "order_upload")
          .Simple("c", "SET app.current_tenant_id = 'acme'")
          .SimpleC("c", "INSERT INTO public.catalog_items VALUES ('globex', 'g9', 'Widget')")
          .SimpleC("c", "INSERT INTO public.catalog_items VALUES ('acme', 'a9', 'Widget')")
          .SimpleC("c", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
          .Build());

  w.push_back(ScenarioBuilder("move_rows_between_tenants",
                              "UPDATE SET tenant_id = other tenant (WITH CHECK), and updates of "
                              "invisible rows")
                  .Connect("w", "app_role", "worker-order_upload-5")
                  .Attribute("app/services/merge_accounts.rb", "order_upload")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "UPDATE public.orders SET tenant_id = 'T2' WHERE id = 3")
                  .SimpleC("w", "UPDATE public.invoices SET tenant_id = 'T2' WHERE id = 1")
                  .SimpleC("w",
                           "UPDATE public.order_items SET tenant_id = 'T2' WHERE id = 1 "
                           "RETURNING id")
                  .SimpleC("w", "UPDATE public.orders SET status = 'moved' WHERE id = 4")
                  .Build());

  w.push_back(
      ScenarioBuilder("returning_cte_join", "data-modifying CTE with RETURNING, joins")
          .Connect("w", "app_role", "worker-order_upload-6")
          .Connect("d", "app_role", "worker-notification_digest-2")
          .Attribute("app/jobs/billing.rb", "order_upload")
          .Simple("w", "BEGIN")
          .Simple("w", "SELECT set_config('app.current_tenant_id', 'T1', true)")
          .SimpleC("w",
                   "WITH billed AS (UPDATE public.orders SET status = 'billed' "
                   "WHERE tenant_id = 'T1' AND status = 'paid' RETURNING id, tenant_id, total) "
                   "INSERT INTO public.invoices (id, tenant_id, order_id, amount) "
                   "SELECT id + 100, tenant_id, id, total FROM billed RETURNING id")
          .SimpleC("w",
                   "SELECT o.id, i.sku, i.qty FROM public.orders o "
                   "JOIN public.order_items i ON i.order_id = o.id "
                   "WHERE o.tenant_id = 'T1' ORDER BY o.id")
          .SimpleC("w",
                   "SELECT o.id, c.name FROM public.orders o CROSS JOIN public.countries c "
                   "WHERE o.tenant_id = 'T1' AND o.id = 1")
          .SimpleC("w",
                   "DELETE FROM public.invoices WHERE tenant_id = 'T1' AND id = 1 "
                   "RETURNING id, amount")
          .Simple("w", "COMMIT")
          .Attribute("app/jobs/digest.rb", "notification_digest")
          .SimpleC("d",
                   "WITH t AS (SELECT tenant_id, sum(total) AS s FROM public.orders "
                   "GROUP BY tenant_id) SELECT tenant_id, s FROM t ORDER BY 1")
          .Build());

  w.push_back(ScenarioBuilder("on_conflict", "upserts onto own, invisible and moved rows")
                  .Connect("w", "app_role", "worker-order_upload-7")
                  .Attribute("app/jobs/order_import.rb", "order_upload")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w",
                           "INSERT INTO public.orders VALUES (1, 'T1', 'new', 11) "
                           "ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total")
                  .SimpleC("w",
                           "INSERT INTO public.orders VALUES (5, 'T1', 'new', 55) "
                           "ON CONFLICT (id) DO NOTHING")
                  .SimpleC("w",
                           "INSERT INTO public.orders VALUES (6, 'T1', 'new', 60) "
                           "ON CONFLICT (id) DO NOTHING RETURNING id")
                  .SimpleC("w",
                           "INSERT INTO public.orders VALUES (4, 'T1', 'new', 44) "
                           "ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total")
                  .SimpleC("w",
                           "INSERT INTO public.orders VALUES (2, 'T1', 'new', 22) "
                           "ON CONFLICT (id) DO UPDATE SET tenant_id = 'T2'")
                  .Build());

  w.push_back(
      ScenarioBuilder("skip_locked_queue",
                      "queue claims with FOR UPDATE SKIP LOCKED by correct workers and by a "
                      "claimer without context")
          .Connect("w1", "app_role", "worker-ship_upload-3")
          .Connect("w2", "app_role", "worker-ship_upload-4")
          .Connect("w3", "app_role", "worker-notification_digest-3")
          .Attribute("app/jobs/queue.rb", "ship_upload")
          .Simple("w1", "BEGIN")
          .Simple("w1", "SET LOCAL app.current_tenant_id = 'T1'")
          .SimpleC("w1",
                   "SELECT id FROM public.jobs WHERE tenant_id = 'T1' AND state = 'pending' "
                   "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
          .Simple("w2", "BEGIN")
          .Simple("w2", "SET LOCAL app.current_tenant_id = 'T1'")
          .SimpleC("w2",
                   "SELECT id FROM public.jobs WHERE tenant_id = 'T1' AND state = 'pending' "
                   "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
          .Attribute("app/jobs/queue.rb", "notification_digest")
          .Simple("w3", "BEGIN")
          .SimpleC("w3",
                   "SELECT id FROM public.jobs WHERE state = 'pending' "
                   "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
          .Attribute("app/jobs/queue.rb", "ship_upload")
          .SimpleC("w2", "UPDATE public.jobs SET state = 'running', claimed_by = 'w2' WHERE id = 2")
          .Simple("w2", "COMMIT")
          .SimpleC("w1", "UPDATE public.jobs SET state = 'running', claimed_by = 'w1' WHERE id = 1")
          .Simple("w1", "COMMIT")
          .Simple("w3", "COMMIT")
          .Extended("w1", "BEGIN")
          .Extended("w1", "SELECT set_config('app.current_tenant_id', $1, true)", {"T2"})
          .Extended("w1",
                    "SELECT id FROM public.jobs WHERE lane = $1 AND state = 'pending' "
                    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    {"ship_upload"})
          .Extended("w1", "COMMIT")
          .Build());

  w.push_back(
      ScenarioBuilder("savepoint_context",
                      "ROLLBACK TO SAVEPOINT restores the earlier context, or '' when the first "
                      "value was set inside the savepoint")
          .Connect("w", "app_role", "worker-order_upload-8")
          .Connect("v", "app_role", "worker-order_upload-9")
          .Attribute("app/jobs/reconcile.rb", "order_upload")
          .Simple("w", "BEGIN")
          .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
          .Simple("w", "SAVEPOINT job_step")
          .Simple("w", "SELECT set_config('app.current_tenant_id', 'T2', true)")
          .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T2' ORDER BY id")
          .Simple("w", "ROLLBACK TO SAVEPOINT job_step")
          .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T2' ORDER BY id")
          .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1' ORDER BY id")
          .Simple("w", "COMMIT")
          .Simple("v", "BEGIN")
          .Simple("v", "SAVEPOINT a")
          .Simple("v", "SET LOCAL app.current_tenant_id = 'T1'")
          .Simple("v", "ROLLBACK TO SAVEPOINT a")
          .SimpleC("v", "SELECT id FROM public.invoices WHERE tenant_id = 'T1'")
          .Simple("v", "ROLLBACK")
          .Build());

  w.push_back(
      ScenarioBuilder("text_tenant", "text tenant key: an empty context filters instead of failing")
          .Connect("w", "app_role", "worker-catalog-2")
          .Attribute("app/jobs/catalog_sync.rb", "order_upload")
          .Simple("w", "BEGIN")
          .Simple("w", "SET LOCAL app.current_tenant_id = 'acme'")
          .SimpleC("w",
                   "SELECT sku, name FROM public.catalog_items WHERE tenant = 'acme' "
                   "ORDER BY sku")
          .SimpleC("w", "INSERT INTO public.catalog_items VALUES ('acme', 'a3', 'Magnet')")
          .SimpleC("w",
                   "UPDATE public.catalog_items SET name = upper(name) "
                   "WHERE tenant = 'acme'")
          .Simple("w", "COMMIT")
          .SimpleC("w", "SELECT sku FROM public.catalog_items WHERE tenant = 'globex'")
          .SimpleC("w", "SELECT sku FROM public.catalog_items")
          .Build());

  w.push_back(
      ScenarioBuilder("per_command_policies",
                      "separate SELECT/INSERT/UPDATE/DELETE policies on invoices")
          .Connect("w", "app_role", "worker-billing-1")
          .Attribute("app/jobs/billing.rb", "order_upload")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "SELECT id, amount FROM public.invoices ORDER BY id")
          .SimpleC("w",
                   "UPDATE public.invoices SET amount = amount + 1 "
                   "WHERE tenant_id = 'T1'")
          .SimpleC("w", "UPDATE public.invoices SET amount = 0 WHERE id = 3")
          .SimpleC("w", "DELETE FROM public.invoices WHERE id = 3")
          .SimpleC("w", "INSERT INTO public.invoices VALUES (60, 'T2', NULL, 1)")
          .SimpleC("w", "INSERT INTO public.invoices VALUES (61, 'T1', NULL, 1) RETURNING id")
          .Build());

  w.push_back(
      ScenarioBuilder("prepared_statements",
                      "named prepared statements; one reads and writes another tenant's rows")
          .Connect("w", "app_role", "api-pool-1")
          .Attribute("app/controllers/orders_controller.rb", "")
          .Prepared("w", "set_tenant", "SELECT set_config('app.current_tenant_id', $1, false)",
                    {"T1"})
          .Prepared("w", "orders_by_tenant",
                    "SELECT id, status FROM public.orders WHERE tenant_id = $1 ORDER BY id", {"T1"})
          .Prepared("w", "orders_by_tenant",
                    "SELECT id, status FROM public.orders WHERE tenant_id = $1 ORDER BY id", {"T2"})
          .Prepared("w", "add_item",
                    "INSERT INTO public.order_items (id, tenant_id, order_id, sku) "
                    "VALUES ($1, $2, $3, $4)",
                    {"11", "T1", "2", "a5"})
          .Prepared("w", "add_item",
                    "INSERT INTO public.order_items (id, tenant_id, order_id, sku) "
                    "VALUES ($1, $2, $3, $4)",
                    {"12", "T2", "4", "g2"})
          .Build());

  w.push_back(ScenarioBuilder("reset_and_discard",
                              "RESET, DISCARD ALL and RESET ALL leave '' behind, not NULL")
                  .Connect("w", "app_role", "worker-order_upload-10")
                  .Attribute("app/jobs/order_sync.rb", "order_upload")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("w", "RESET app.current_tenant_id")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("w", "SET app.current_tenant_id = 'T2'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .Simple("w", "DISCARD ALL")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .Simple("w", "RESET ALL")
                  .SimpleC("w", "SELECT id FROM public.refunds")
                  .Build());

  w.push_back(ScenarioBuilder("set_role_from_superuser",
                              "superuser, SET ROLE app_role / owner_role, SET SESSION "
                              "AUTHORIZATION to a member of app_role")
                  .Connect("a", "postgres", "admin-console-1")
                  .Attribute("bin/console", "")
                  .SimpleC("a", "SELECT id FROM public.orders ORDER BY id")
                  .Simple("a", "SET ROLE app_role")
                  .SimpleC("a", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("a", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("a", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("a", "SET ROLE owner_role")
                  .SimpleC("a", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .Simple("a", "RESET ROLE")
                  .SimpleC("a", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .Simple("a", "SET SESSION AUTHORIZATION member_role")
                  .SimpleC("a", "SELECT id FROM public.jobs WHERE tenant_id = 'T1'")
                  .Simple("a", "RESET SESSION AUTHORIZATION")
                  .Build());

  w.push_back(ScenarioBuilder("reset_all_keeps_the_role",
                              "RESET ALL resets the tenant context but not SET ROLE; DISCARD ALL "
                              "resets both")
                  .Connect("r", "postgres", "admin-console-2")
                  .Attribute("bin/console", "")
                  .Simple("r", "SET ROLE app_role")
                  .Simple("r", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("r", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("r", "RESET ALL")
                  .SimpleC("r", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("r", "DISCARD ALL")
                  .SimpleC("r", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Build());

  w.push_back(ScenarioBuilder("member_role_and_row_security",
                              "a member of app_role under a policy TO app_role; row_security=off "
                              "for app_role")
                  .Connect("m", "member_role", "worker-ship_upload-9")
                  .Connect("w", "app_role", "worker-ship_upload-10")
                  .Attribute("app/jobs/ship.rb", "ship_upload")
                  .SimpleC("m", "SELECT id FROM public.jobs WHERE tenant_id = 'T2'")
                  .Simple("m", "BEGIN")
                  .Simple("m", "SET LOCAL app.current_tenant_id = 'T2'")
                  .SimpleC("m", "SELECT id FROM public.jobs WHERE tenant_id = 'T2'")
                  .Simple("m", "COMMIT")
                  .Simple("w", "SET row_security = off")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Build());

  w.push_back(ScenarioBuilder("multi_statement_and_copy",
                              "SET LOCAL inside a multi-statement simple query (implicit block); "
                              "COPY ... TO STDOUT")
                  .Connect("w", "app_role", "worker-export-1")
                  .Connect("x", "app_role", "worker-export-2")
                  .Attribute("app/jobs/export.rb", "notification_digest")
                  .SimpleC("w",
                           "SET LOCAL app.current_tenant_id = 'T1'; "
                           "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .SimpleC("x", "COPY public.orders TO STDOUT")
                  .SimpleC("x",
                           "COPY (SELECT id FROM public.invoices WHERE tenant_id = 'T1') "
                           "TO STDOUT")
                  .Simple("x", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("x",
                           "COPY (SELECT id FROM public.invoices WHERE tenant_id = 'T1') "
                           "TO STDOUT")
                  .Build());

  w.push_back(ScenarioBuilder("transaction_ends_inside_a_string",
                              "COMMIT / ROLLBACK inside a multi-statement simple query: the rest "
                              "of the string is a new implicit block from there (SET LOCAL lasts "
                              "to its end; a later BEGIN and ROLLBACK return to there)")
                  .Connect("w", "app_role", "worker-batch-1")
                  .Attribute("app/jobs/batch.rb", "batch")
                  .SimpleC("w",
                           "BEGIN; SET LOCAL app.current_tenant_id = 'T1'; COMMIT; "
                           "SET LOCAL app.current_tenant_id = 'T2'; "
                           "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w",
                           "BEGIN; SET app.current_tenant_id = 'T2'; COMMIT; BEGIN; "
                           "SET app.current_tenant_id = 'T1'; ROLLBACK; "
                           "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .Build());

  w.push_back(ScenarioBuilder("context_set_from_an_expression",
                              "set_config() of a value rls-shadow cannot evaluate (a column of "
                              "the rows it reads, a function it does not model): the session "
                              "holds that value, not ''")
                  .Connect("w", "app_role", "api-pool-7")
                  .Attribute("app/middleware/tenant.rb", "")
                  .SimpleC("w",
                           "SELECT set_config('app.current_tenant_id', v.t, false) "
                           "FROM (VALUES ('T1')) AS v(t)")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .SimpleC("w", "SELECT set_config('app.current_tenant_id', lower('T2'), false)")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Build());

  w.push_back(ScenarioBuilder("guarded_policies",
                              "policies guarded with NULLIF / COALESCE against an empty context, "
                              "and an insert check comparing the tenant's text form with a "
                              "context written in upper case")
                  .Connect("w", "app_role", "worker-notes-1")
                  .Attribute("app/jobs/notes.rb", "notes")
                  .SimpleC("w", "SELECT id FROM public.notes ORDER BY id")
                  .Simple("w", "SET app.current_tenant_id = 'ABCDEF00-0000-0000-0000-000000000001'")
                  .SimpleC("w",
                           "SELECT id FROM public.notes "
                           "WHERE tenant_id = 'abcdef00-0000-0000-0000-000000000001'")
                  .SimpleC("w",
                           "INSERT INTO public.notes "
                           "VALUES (10, 'abcdef00-0000-0000-0000-000000000001', 'x')")
                  .SimpleC("w", "UPDATE public.notes SET body = 'y' WHERE id = 2")
                  .Simple("w", "SET app.current_tenant_id = 'abcdef00-0000-0000-0000-000000000001'")
                  .SimpleC("w",
                           "INSERT INTO public.notes "
                           "VALUES (11, 'abcdef00-0000-0000-0000-000000000001', 'x')")
                  .Simple("w", "RESET app.current_tenant_id")
                  .SimpleC("w", "SELECT id FROM public.notes ORDER BY id")
                  .SimpleC("w", "DELETE FROM public.notes WHERE id = 1")
                  .SimpleC("w", "UPDATE public.notes SET body = 'z'")
                  .Build());

  w.push_back(ScenarioBuilder("role_default_context",
                              "a service role whose tenant is a login default (ALTER ROLE "
                              "svc_role SET app.current_tenant_id): no SET, and RESET returns "
                              "to it")
                  .Connect("s", "svc_role", "reporting-svc-1")
                  .Attribute("app/services/report.rb", "reporting")
                  .SimpleC("s", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .SimpleC("s", "SELECT id FROM public.orders ORDER BY id")
                  .Simple("s", "SET app.current_tenant_id = 'T2'")
                  .SimpleC("s", "SELECT id FROM public.orders WHERE tenant_id = 'T2'")
                  .SimpleC("s", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("s", "RESET app.current_tenant_id")
                  .SimpleC("s", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Build());

  w.push_back(ScenarioBuilder("search_path",
                              "unqualified names reaching a table outside public through the "
                              "session's search_path")
                  .Connect("w", "app_role", "worker-billing-2")
                  .Attribute("app/jobs/ledger.rb", "billing")
                  .Simple("w", "SET search_path = billing, public")
                  .SimpleC("w", "SELECT id FROM ledger ORDER BY id")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM ledger WHERE tenant_id = 'T1'")
                  .SimpleC("w", "INSERT INTO ledger VALUES (10, 'T2', 5)")
                  .SimpleC("w",
                           "SELECT l.id FROM ledger l JOIN orders o ON o.id = l.id "
                           "WHERE o.tenant_id = 'T1' AND l.tenant_id = 'T1'")
                  .Build());

  w.push_back(ScenarioBuilder("views",
                              "an owner's view (policies checked as the owner, with the caller's "
                              "context) and a security_invoker view")
                  .Connect("w", "app_role", "worker-report-1")
                  .Connect("g", "app_role", "worker-digest-9")
                  .Attribute("app/reports/orders.rb", "notification_digest")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM public.orders_owner_v ORDER BY id")
                  .SimpleC("w", "SELECT id FROM public.orders_owner_v WHERE tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM public.orders_invoker_v WHERE tenant_id = 'T1'")
                  .SimpleC("w", "SELECT id FROM public.orders_invoker_v WHERE tenant_id = 'T2'")
                  .SimpleC("w",
                           "INSERT INTO public.orders_owner_v (id, tenant_id, status, total) "
                           "VALUES (70, 'T2', 'new', 1)")
                  .SimpleC("w",
                           "INSERT INTO public.orders_invoker_v (id, tenant_id, status, total) "
                           "VALUES (71, 'T1', 'new', 1)")
                  .SimpleC("g", "SELECT id FROM public.orders_owner_v ORDER BY id")
                  .SimpleC("g", "SELECT id FROM public.orders_invoker_v ORDER BY id")
                  .Build());

  // Only row data can decide these: which tenant a row addressed by key belongs to, which rows
  // an UPDATE without a key changed, who is a member of an organisation.
  w.push_back(
      ScenarioBuilder("row_data_writes",
                      "updates and deletes by key of another tenant's rows, a stale context "
                      "on a pooled connection, queue claims of other tenants' jobs, updates "
                      "that touch several tenants")
          .Connect("w", "app_role", "worker-order_upload-9")
          .Attribute("app/jobs/cleanup.rb", "order_upload")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "DELETE FROM public.order_items WHERE id = 3")
          .Extended("w", "UPDATE public.orders SET status = 'archived' WHERE id = $1", {"5"})
          .Extended("w", "DELETE FROM public.invoices WHERE id = $1", {"1"})
          .Extended("w", "SELECT status FROM public.orders WHERE id = $1", {"4"})
          .Extended("w", "SELECT status FROM public.orders WHERE id = $1", {"2"})
          // The next job on the pooled connection forgets to set its own tenant.
          .Attribute("app/jobs/refund.rb", "ship_upload")
          .SimpleC("w", "UPDATE public.orders SET total = total + 1 WHERE id = 4")
          .Attribute("app/jobs/queue.rb", "ship_upload")
          .SimpleC("w",
                   "UPDATE public.jobs SET state = 'running', claimed_by = 'w9' WHERE id = "
                   "(SELECT min(id) FROM public.jobs WHERE state = 'pending' "
                   "AND lane = 'notification_digest') RETURNING id")
          .Simple("w", "BEGIN")
          .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
          .SimpleC("w", "UPDATE public.orders SET status = 'seen' WHERE status = 'new'")
          .SimpleC("w", "UPDATE public.jobs SET claimed_by = 'sweeper' WHERE lane = 'ship_upload'")
          .Simple("w", "COMMIT")
          .Build());

  w.push_back(ScenarioBuilder("membership_reads",
                              "a policy subquery on org_members: reads and writes of members and "
                              "non-members")
                  .Connect("m", "app_role", "web-projects-1")
                  .Connect("n", "app_role", "web-projects-2")
                  .Attribute("app/controllers/projects_controller.rb", "web")
                  .Simple("m", "SET app.current_user_id = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'")
                  .SimpleC("m", "SELECT name FROM public.projects WHERE id = 1")
                  .SimpleC("m", "SELECT name FROM public.projects WHERE id = 2")
                  .Extended("m", "SELECT name FROM public.projects WHERE id = $1", {"1"})
                  .SimpleC("m", "UPDATE public.projects SET name = 'gamma' WHERE id = 2")
                  .SimpleC("m",
                           "INSERT INTO public.projects VALUES "
                           "(3, '0b000000-0000-0000-0000-000000000000', 'delta')")
                  .SimpleC("m",
                           "INSERT INTO public.projects VALUES "
                           "(4, '0a000000-0000-0000-0000-000000000000', 'epsilon')")
                  .Simple("n", "SET app.current_user_id = 'cccccccc-cccc-cccc-cccc-cccccccccccc'")
                  .SimpleC("n", "SELECT name FROM public.projects WHERE id = 1")
                  .Build());

  // Which tables a locking read locks: their UPDATE policies apply too, and shipments has none.
  w.push_back(
      ScenarioBuilder("locking_clauses",
                      "FOR UPDATE / SHARE of a read-only table, of a subquery over it, and "
                      "FOR UPDATE OF another table of the join")
          .Connect("w", "app_role", "worker-ship_upload-3")
          .Attribute("app/jobs/ship.rb", "ship_upload")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "SELECT id FROM public.shipments WHERE tenant_id = 'T1' ORDER BY id")
          .SimpleC("w", "SELECT id FROM public.shipments WHERE tenant_id = 'T1' FOR UPDATE")
          .SimpleC("w",
                   "SELECT o.id, s.carrier FROM public.orders o JOIN public.shipments s "
                   "ON s.order_id = o.id WHERE o.tenant_id = 'T1' AND s.tenant_id = 'T1' "
                   "ORDER BY o.id FOR UPDATE OF o")
          .SimpleC("w",
                   "SELECT x.id FROM (SELECT id FROM public.shipments WHERE tenant_id = 'T1') x "
                   "ORDER BY x.id FOR SHARE")
          .SimpleC("w",
                   "SELECT o.id FROM public.orders o JOIN (SELECT order_id FROM public.shipments "
                   "WHERE tenant_id = 'T1') s ON s.order_id = o.id WHERE o.tenant_id = 'T1' "
                   "ORDER BY o.id FOR NO KEY UPDATE OF s")
          .Extended("w",
                    "SELECT o.id FROM public.orders o, public.shipments s WHERE s.order_id = o.id "
                    "AND o.tenant_id = $1 AND s.tenant_id = $1 ORDER BY o.id "
                    "FOR UPDATE OF o SKIP LOCKED",
                    {"T1"})
          .Build());

  // A context SET as a number: PostgreSQL keeps an integer constant's value (007 is '7', -5 is
  // '-5'), a text tenant key compares with that.
  w.push_back(ScenarioBuilder("numeric_context_values",
                              "SET of a text tenant written as an integer, with leading zeros "
                              "and with a minus sign")
                  .Connect("w", "app_role", "worker-catalog-2")
                  .Attribute("app/jobs/catalog.rb", "catalog_sync")
                  .Simple("w", "SET app.current_tenant_id = 007")
                  .SimpleC("w", "SELECT sku FROM public.catalog_items WHERE tenant = '7'")
                  .Simple("w", "SET app.current_tenant_id = -5")
                  .SimpleC("w", "SELECT sku FROM public.catalog_items WHERE tenant = '-5'")
                  .Build());

  // Policies written with SQL helper functions (app.current_tenant() and friends).
  w.push_back(ScenarioBuilder("helper_function_policies",
                              "policies that call SQL helper functions: reads with and without "
                              "context, inserts for the right and the wrong tenant, an update "
                              "with an empty context")
                  .Connect("w", "app_role", "web-support-1")
                  .Connect("n", "app_role", "web-support-2")
                  .Attribute("app/controllers/tickets_controller.rb", "web")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "SELECT subject FROM public.tickets WHERE tenant_id = 'T1'")
                  .SimpleC("w", "SELECT subject FROM public.tickets WHERE tenant_id = 'T2'")
                  .SimpleC("w", "INSERT INTO public.tickets VALUES (3, 'T1', 'refund')")
                  .SimpleC("w", "INSERT INTO public.tickets VALUES (4, 'T2', 'refund')")
                  .Extended("w", "UPDATE public.tickets SET subject = $1 WHERE tenant_id = $2",
                            {"resolved", "T1"})
                  .SimpleC("n", "SELECT subject FROM public.tickets WHERE tenant_id = 'T1'")
                  .Simple("n", "SET app.current_tenant_id = ''")
                  .SimpleC("n", "SELECT subject FROM public.tickets WHERE tenant_id = 'T1'")
                  .SimpleC("n", "UPDATE public.tickets SET subject = 'x' WHERE tenant_id = 'T1'")
                  .Build());

  // UPDATE / DELETE that read no column of their table: only its UPDATE / DELETE policies apply.
  w.push_back(ScenarioBuilder("writes_reading_no_column",
                              "a purge and a touch whose WHERE and RETURNING read no column, "
                              "beside ones that do")
                  .Connect("w", "app_role", "worker-audit_purge-1")
                  .Attribute("app/jobs/audit_purge.rb", "audit_purge")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "UPDATE public.audit_log SET note = 'seen' WHERE true RETURNING 1")
                  .SimpleC("w", "UPDATE public.audit_log SET note = 'kept' WHERE id = 2")
                  .SimpleC("w", "DELETE FROM public.audit_log WHERE now() > '2000-01-01'")
                  .Build());

  // set_config() in a SELECT with FROM and WHERE runs once per row: for no row, never.
  w.push_back(ScenarioBuilder("set_config_per_row",
                              "set_config() of a constant in a SELECT whose WHERE matches no row, "
                              "then one that matches a row")
                  .Connect("w", "app_role", "worker-ship_upload-4")
                  .Attribute("app/jobs/ship.rb", "ship_upload")
                  .Simple("w",
                          "SELECT set_config('app.current_tenant_id', 'T1', false) "
                          "FROM public.countries WHERE code = 'XX'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Simple("w",
                          "SELECT set_config('app.current_tenant_id', 'T1', false) "
                          "FROM public.countries WHERE code = 'DE'")
                  .SimpleC("w", "SELECT id FROM public.orders WHERE tenant_id = 'T1'")
                  .Build());

  // A trigger and a function write RLS tables rls-shadow does not see the statement name.
  w.push_back(ScenarioBuilder("unfollowed_code",
                              "a comment whose trigger writes a table without an INSERT policy, "
                              "a function that opens a ticket for another tenant, a DO block")
                  .Connect("w", "app_role", "web-support-3")
                  .Attribute("app/controllers/comments_controller.rb", "web")
                  .Simple("w", "SET app.current_tenant_id = 'T1'")
                  .SimpleC("w", "INSERT INTO public.ticket_comments VALUES (1, 'T1', 'thanks')")
                  .SimpleC("w", "SELECT app.open_ticket(20, 'T2', 'opened for T2')")
                  .SimpleC("w",
                           "DO $$ BEGIN INSERT INTO public.ticket_events VALUES "
                           "(30, 'T1', 'escalated'); END $$")
                  .Build());

  w.push_back(
      ScenarioBuilder("before_trigger_fills_tenant",
                      "inserts that leave the tenant, or give another, to a BEFORE INSERT "
                      "trigger filling it from the context")
          .Connect("w", "app_role", "web-ship-2")
          .Attribute("app/controllers/parcels_controller.rb", "web")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "INSERT INTO public.parcels (id, label) VALUES (1, 'box')")
          .SimpleC("w", "INSERT INTO public.parcels VALUES (2, 'T2', 'crate')")
          .Extended("w", "INSERT INTO public.parcels (id, label) VALUES ($1, $2)", {"3", "bag"})
          .Build());

  w.push_back(
      ScenarioBuilder("before_trigger_fills_missing_tenant",
                      "a BEFORE INSERT trigger that fills only a missing tenant from a variable "
                      "(another one given stays, and fails; without a context it raises, in "
                      "both runs), and one on UPDATE OF label that stamps the context's tenant "
                      "(a move that sets no label is not stamped)")
          .Connect("w", "app_role", "web-crates-1")
          .Attribute("app/controllers/crates_controller.rb", "web")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "INSERT INTO public.crates (id, label) VALUES (1, 'apples')")
          .SimpleC("w", "INSERT INTO public.crates VALUES (2, 'T2', 'pears')")
          .Extended("w", "INSERT INTO public.crates VALUES ($1, $2, $3)", {"3", "T1", "plums"})
          .SimpleC("w",
                   "UPDATE public.crates SET tenant_id = 'T2' WHERE id = 1 AND tenant_id = 'T1'")
          .SimpleC("w",
                   "UPDATE public.crates SET tenant_id = 'T2', label = 'figs' "
                   "WHERE id = 3 AND tenant_id = 'T1'")
          .Simple("w", "RESET app.current_tenant_id")
          .SimpleC("w", "INSERT INTO public.crates (id, label) VALUES (4, 'kiwis')")
          .Build());

  w.push_back(
      ScenarioBuilder("check_stops_at_admin_flag",
                      "an admin flag OR-ed before the tenant: a new row, and an upsert's existing "
                      "row, pass on the flag while the context is '', a read fails while "
                      "planning")
          .Connect("a", "app_role", "admin-tools-1")
          .Connect("w", "app_role", "web-bulletins-1")
          .Attribute("app/admin/bulletins.rb", "admin")
          .Simple("a", "BEGIN")
          .Simple("a", "SET LOCAL app.current_tenant_id = 'T1'")
          .Simple("a", "COMMIT")
          .Simple("a", "SET app.is_admin = 'on'")
          .SimpleC("a", "INSERT INTO public.bulletins VALUES (2, 'T2', 'notice')")
          .Extended("a", "INSERT INTO public.bulletins VALUES ($1, $2, $3)", {"3", "T1", "memo"})
          .SimpleC("a",
                   "INSERT INTO public.bulletins VALUES (1, 'T2', 'edited') "
                   "ON CONFLICT (id) DO UPDATE SET body = excluded.body")
          .SimpleC("a", "SELECT body FROM public.bulletins WHERE id = 1")
          .Attribute("app/controllers/bulletins_controller.rb", "web")
          .Simple("w", "BEGIN")
          .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
          .Simple("w", "COMMIT")
          .SimpleC("w", "INSERT INTO public.bulletins VALUES (4, 'T1', 'mine')")
          .Build());

  w.push_back(
      ScenarioBuilder("initplan_policy",
                      "a policy reading the context in a scalar subquery: verdicts as the plain "
                      "form's, and '' failing only for a row the policy sees")
          .Connect("w", "app_role", "web-memos-1")
          .Attribute("app/controllers/memos_controller.rb", "web")
          .Simple("w", "BEGIN")
          .Simple("w", "SET LOCAL app.current_tenant_id = 'T1'")
          .SimpleC("w", "SELECT id, body FROM public.memos")
          .SimpleC("w", "SELECT body FROM public.memos WHERE tenant_id = 'T2'")
          .SimpleC("w", "UPDATE public.memos SET body = 'edited' WHERE id = 1")
          .Simple("w", "COMMIT")
          // The local value ended: the context reads ''.
          .SimpleC("w", "SELECT body FROM public.memos WHERE id = 999")
          .SimpleC("w", "EXPLAIN SELECT body FROM public.memos")
          .SimpleC("w", "SELECT id, body FROM public.memos")
          .SimpleC("w", "INSERT INTO public.memos VALUES (12, 'T1', 'late')")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .Extended("w", "INSERT INTO public.memos VALUES ($1, $2, $3)", {"10", "T1", "mine"})
          .SimpleC("w", "INSERT INTO public.memos VALUES (11, 'T2', 'theirs')")
          .Build());

  w.push_back(
      ScenarioBuilder("partitioned_table",
                      "a partitioned table: the parent's policies for statements naming it, "
                      "rows routed to or moved between partitions included; a partition's own "
                      "(or none) for statements naming the partition")
          .Connect("w", "app_role", "web-events-1")
          .Attribute("app/models/event.rb", "web")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "SELECT id, body FROM public.events ORDER BY id")
          .SimpleC("w", "SELECT id FROM public.events WHERE tenant_id = 'T1' AND kind = 'job'")
          .SimpleC("w", "SELECT id FROM public.events_web ORDER BY id")
          .SimpleC("w", "SELECT id FROM public.events_job WHERE tenant_id = 'T1'")
          .SimpleC("w", "INSERT INTO public.events VALUES (5, 'T1', 'job', 'j3')")
          .SimpleC("w", "INSERT INTO public.events VALUES (6, 'T2', 'web', 'w3')")
          .Extended("w", "INSERT INTO public.events_web VALUES ($1, $2, $3, $4)",
                    {"7", "T2", "web", "w4"})
          .SimpleC("w", "UPDATE public.events SET kind = 'job' WHERE id = 1")
          .SimpleC("w", "UPDATE public.events SET kind = 'web' WHERE id = 4")
          .Simple("w", "SET app.lane = 'jobs'")
          .SimpleC("w", "INSERT INTO public.events_job VALUES (8, 'T2', 'job', 'j4')")
          .SimpleC("w", "DELETE FROM public.events_job WHERE id = 4")
          .SimpleC("w", "SELECT id FROM public.events_job ORDER BY id")
          .Build());

  w.push_back(
      ScenarioBuilder("materialized_view_refresh",
                      "REFRESH MATERIALIZED VIEW runs the view's query as its owner: a nightly "
                      "refresh by the tables' owner, allowed while orders is not forced, fails "
                      "on the empty context once it is")
          .Connect("o", "owner_role", "reports-1")
          .Attribute("app/jobs/refresh_totals.rb", "reports")
          .Simple("o", "SET app.current_tenant_id = ''")
          .SimpleC("o", "REFRESH MATERIALIZED VIEW public.order_totals")
          .Build());

  w.push_back(
      ScenarioBuilder("merge",
                      "MERGE: the SELECT policies filter the target while the join is planned, "
                      "each action checks the row it writes when a row takes it; and UPDATE ... "
                      "FROM assigns the other relation's column, not the target's")
          .Connect("w", "app_role", "web-invoices-1")
          .Attribute("app/models/invoice.rb", "web")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w",
                   "MERGE INTO public.invoices USING (VALUES (1, 15)) s(id, amount) "
                   "ON invoices.id = s.id WHEN MATCHED THEN UPDATE SET amount = s.amount")
          .SimpleC("w",
                   "MERGE INTO public.invoices USING (VALUES (3, 55)) s(id, amount) "
                   "ON invoices.id = s.id WHEN MATCHED THEN UPDATE SET amount = s.amount")
          .Extended("w",
                    "MERGE INTO public.invoices AS i USING (SELECT $1::bigint AS id, "
                    "$2::uuid AS tenant_id) s ON i.id = s.id "
                    "WHEN NOT MATCHED THEN INSERT (id, tenant_id, amount) "
                    "VALUES (s.id, s.tenant_id, 0)",
                    {"20", "T2"})
          .SimpleC("w",
                   "UPDATE public.invoices SET tenant_id = v.tenant_id "
                   "FROM (VALUES ('T2'::uuid)) v(tenant_id) "
                   "WHERE invoices.id = 2 AND invoices.tenant_id = 'T1'")
          .Simple("w", "RESET app.current_tenant_id")
          .SimpleC("w",
                   "MERGE INTO public.invoices USING (VALUES (2, 35)) s(id, amount) "
                   "ON invoices.id = s.id WHEN MATCHED THEN UPDATE SET amount = s.amount")
          .Simple("w", "SET app.current_tenant_id = ''")
          .SimpleC("w",
                   "MERGE INTO public.invoices USING (VALUES (2, 36)) s(id, amount) "
                   "ON invoices.id = s.id WHEN MATCHED THEN DELETE")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .Simple("w", "SET app.is_admin = 'on'")
          .SimpleC("w",
                   "MERGE INTO public.bulletins USING (VALUES (5, 'news')) s(id, body) "
                   "ON bulletins.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'T2', "
                   "s.body)")
          .Build());

  w.push_back(
      ScenarioBuilder("insert_select_row",
                      "INSERT ... SELECT without FROM: the row it spells out is checked; under "
                      "a WHERE it may insert nothing, and then raises nothing either")
          .Connect("w", "app_role", "web-orders-9")
          .Attribute("app/models/order.rb", "web")
          .Simple("w", "SET app.current_tenant_id = 'T1'")
          .SimpleC("w", "INSERT INTO public.orders (id, tenant_id, status) SELECT 60, 'T1', 'new'")
          .SimpleC("w", "INSERT INTO public.orders (id, tenant_id, status) SELECT 61, 'T2', 'new'")
          .Extended("w",
                    "INSERT INTO public.orders (id, tenant_id, status) "
                    "SELECT $1::bigint, $2::uuid, 'new' "
                    "WHERE NOT EXISTS (SELECT 1 FROM public.orders WHERE id = $1::bigint)",
                    {"4", "T2"})
          .Simple("w", "SET app.current_tenant_id = ''")
          .SimpleC("w",
                   "INSERT INTO public.orders (id, tenant_id, status) "
                   "SELECT 62, 'T1', 'new' WHERE false")
          .Build());

  return w;
}

}  // namespace rls_shadow::differential
