#!/usr/bin/env bash
# Regenerates the bundled example inputs of rls-shadow from a real PostgreSQL 15:
#
#   examples/postgres.json  the jsonlog of a small multi-tenant shop app running in shadow mode
#                           (RLS enabled, permissive USING (true) policies, nothing forced)
#   examples/schema.sql     pg_dump --schema-only of its database
#   examples/roles.sql      pg_dumpall --roles-only
#   examples/migration.sql  the restrictive migration the team wants to apply
#
# Then try:  rls-shadow analyze --policies examples/migration.sql --schema examples/schema.sql \
#              --roles examples/roles.sql --log examples/postgres.json --db /tmp/state
#
# The workload mixes correct jobs with the usual broken ones: a digest job that never sets the
# tenant context, a job using SET LOCAL outside a transaction, a pooled connection still carrying
# the previous request's tenant, an owner-run maintenance task, a BYPASSRLS reporting role.
# Everything below is real output; nothing is edited afterwards.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cluster_sh=$repo/scripts/pg/pg_cluster.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-example.XXXXXX")
chmod 0755 "$work"
cluster=$work/cluster
trap 'bash "$cluster_sh" stop "$cluster" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

T1=0b7e5c4a-3f1d-4c2e-9a6b-1d2e3f405161   # tenant "northwind"
T2=5f0c2d19-8e7a-4b3c-a1d2-e3f405162738   # tenant "contoso"

start() {
  bash "$cluster_sh" start "$cluster" --log-name "$1"
  # shellcheck disable=SC1091
  source "$cluster/cluster.env"
}
# psql as `role` with application_name `app`, reading SQL from stdin; errors are part of the
# workload, so they do not stop the script.
psql_as() {
  local role=$1 app=$2
  PGAPPNAME=$app "$PG_BINDIR/psql" -X -q -h "$PGHOST" -p "$PGPORT" -U "$role" -d shop \
    -v ON_ERROR_STOP=0 -o /dev/null 2>/dev/null || true
}
cat_migration() {
  cat <<'EOF'
-- Restrictive tenant isolation for the shop database: replaces the permissive shadow policies
-- and forces RLS on the table owner too. Tenant context: app.current_tenant_id.
DROP POLICY shadow_permissive ON public.orders;
CREATE POLICY tenant_isolation ON public.orders
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

DROP POLICY shadow_permissive ON public.invoices;
CREATE POLICY tenant_isolation ON public.invoices
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

DROP POLICY shadow_permissive ON public.jobs;
CREATE POLICY tenant_isolation ON public.jobs
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

DROP POLICY shadow_permissive ON public.catalog_items;
CREATE POLICY tenant_isolation ON public.catalog_items
  USING (tenant = current_setting('app.current_tenant_id', true));

-- Members may be listed by their organisation only; only shop_app may change memberships.
DROP POLICY shadow_permissive ON public.org_members;
CREATE POLICY members_read ON public.org_members FOR SELECT
  USING (org_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY members_write ON public.org_members FOR INSERT TO shop_app
  WITH CHECK (org_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY members_delete ON public.org_members FOR DELETE TO shop_app
  USING (org_id = current_setting('app.current_tenant_id', true)::uuid);

ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;
ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;
ALTER TABLE public.jobs FORCE ROW LEVEL SECURITY;
ALTER TABLE public.catalog_items FORCE ROW LEVEL SECURITY;
ALTER TABLE public.org_members FORCE ROW LEVEL SECURITY;
EOF
}

# --- Setup: roles, schema in shadow mode, seed data (logged to a separate file) -------------
start setup
PGAPPNAME=setup "$PG_BINDIR/psql" -X -q -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
  -v ON_ERROR_STOP=1 <<EOF
CREATE ROLE shop_owner LOGIN;
CREATE ROLE shop_app LOGIN NOBYPASSRLS;
CREATE ROLE shop_reporting LOGIN BYPASSRLS;
CREATE DATABASE shop OWNER shop_owner;
\connect shop
SET ROLE shop_owner;
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'new',
  total numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  order_id bigint NOT NULL REFERENCES orders (id),
  amount numeric(12,2) NOT NULL);
CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  lane text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  claimed_by text,
  payload jsonb NOT NULL DEFAULT '{}');
CREATE TABLE catalog_items (
  tenant text NOT NULL,
  sku text NOT NULL,
  name text NOT NULL,
  price numeric(12,2) NOT NULL,
  PRIMARY KEY (tenant, sku));
CREATE TABLE org_members (
  org_id uuid NOT NULL,
  user_email text NOT NULL,
  role text NOT NULL,
  PRIMARY KEY (org_id, user_email));
DO \$\$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['orders', 'invoices', 'jobs', 'catalog_items', 'org_members'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY shadow_permissive ON %I USING (true) WITH CHECK (true)', t);
  END LOOP;
END
\$\$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO shop_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO shop_reporting;
RESET ROLE;
INSERT INTO orders (tenant_id, status, total) VALUES
  ('$T1', 'new', 120.00), ('$T1', 'paid', 75.50), ('$T1', 'new', 18.00),
  ('$T2', 'new', 990.00), ('$T2', 'paid', 42.00);
INSERT INTO invoices (tenant_id, order_id, amount) VALUES ('$T1', 2, 75.50), ('$T2', 5, 42.00);
INSERT INTO jobs (tenant_id, lane, payload) VALUES
  ('$T1', 'ship_upload', '{"order": 1}'), ('$T1', 'ship_upload', '{"order": 3}'),
  ('$T2', 'ship_upload', '{"order": 4}'), ('$T1', 'notification_digest', '{}'),
  ('$T2', 'notification_digest', '{}');
INSERT INTO catalog_items VALUES
  ('northwind', 'NW-100', 'Chai', 18.00), ('northwind', 'NW-200', 'Chang', 19.00),
  ('contoso', 'CT-1', 'Surface Dock', 259.00);
INSERT INTO org_members VALUES
  ('$T1', 'ana@northwind.example', 'admin'), ('$T1', 'bo@northwind.example', 'clerk'),
  ('$T2', 'cy@contoso.example', 'admin');
EOF
"$PG_BINDIR/pg_dump" --schema-only -h "$PGHOST" -p "$PGPORT" -U postgres shop >"$work/schema.sql"
"$PG_BINDIR/pg_dumpall" --roles-only -h "$PGHOST" -p "$PGPORT" -U postgres >"$work/roles.sql"
bash "$cluster_sh" stop "$cluster"

# --- The app, in shadow mode: this is the log rls-shadow reads ------------------------------
start app

# Correct: each ship_upload job sets its tenant with SET LOCAL inside its transaction; the same
# worker connection then serves the next tenant correctly.
psql_as shop_app sidekiq-ship_upload-1 <<EOF
BEGIN;
SET LOCAL app.current_tenant_id = '$T1';
SELECT id, payload FROM jobs WHERE tenant_id = '$T1' AND lane = 'ship_upload' AND state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
UPDATE orders SET status = 'shipped' WHERE tenant_id = '$T1' AND id = 1 RETURNING id /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
UPDATE jobs SET state = 'done', claimed_by = 'sidekiq-1' WHERE tenant_id = '$T1' AND id = 1 /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
COMMIT;
BEGIN;
SET LOCAL app.current_tenant_id = '$T2';
SELECT id, payload FROM jobs WHERE tenant_id = '$T2' AND lane = 'ship_upload' AND state = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
UPDATE orders SET status = 'shipped' WHERE tenant_id = '$T2' AND id = 4 RETURNING id /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
UPDATE jobs SET state = 'done', claimed_by = 'sidekiq-1' WHERE tenant_id = '$T2' AND id = 3 /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
COMMIT;
EOF

# Correct, over the extended protocol with prepared statements (as an ORM sends them): the
# order import sets the tenant with set_config(..., true) inside the transaction.
cat >"$work/order_import.sql" <<'EOF'
BEGIN;
SELECT set_config('app.current_tenant_id', :tenant, true) /*code_path='app%2Fjobs%2Forder_import_job.rb',lane='order_upload'*/;
INSERT INTO orders (tenant_id, total) VALUES (:tenant::uuid, :total) RETURNING id /*code_path='app%2Fjobs%2Forder_import_job.rb',lane='order_upload'*/;
INSERT INTO invoices (tenant_id, order_id, amount) SELECT tenant_id, id, total FROM orders WHERE tenant_id = :tenant::uuid AND status = 'new' AND total = :total /*code_path='app%2Fjobs%2Forder_import_job.rb',lane='order_upload'*/;
COMMIT;
EOF
PGAPPNAME=sidekiq-order_upload-1 "$PG_BINDIR/pgbench" -n -M prepared -t 1 \
  -h "$PGHOST" -p "$PGPORT" -U shop_app -D tenant="$T2" -D total=310.25 \
  -f "$work/order_import.sql" shop >"$work/pgbench.out"

# Broken: SET LOCAL outside a transaction block only warns; the INSERT runs without context.
psql_as shop_app sidekiq-order_upload-2 <<EOF
SET LOCAL app.current_tenant_id = '$T1';
INSERT INTO orders (tenant_id, total) VALUES ('$T1', 55.00) /*code_path='app%2Fjobs%2Fcsv_order_upload_job.rb',lane='order_upload'*/;
EOF

# Correct: catalog sync keyed by the text tenant, upserting.
psql_as shop_app sidekiq-order_upload-3 <<EOF
BEGIN;
SET LOCAL app.current_tenant_id = 'northwind';
INSERT INTO catalog_items VALUES ('northwind', 'NW-300', 'Aniseed Syrup', 10.00) ON CONFLICT (tenant, sku) DO UPDATE SET price = EXCLUDED.price /*code_path='app%2Fjobs%2Fcatalog_sync_job.rb',lane='order_upload'*/;
UPDATE catalog_items SET price = price * 1.05 WHERE tenant = 'northwind' /*code_path='app%2Fjobs%2Fcatalog_sync_job.rb',lane='order_upload'*/;
COMMIT;
EOF

# Broken: the nightly digest is cross-tenant and never sets a context.
psql_as shop_app sidekiq-notification_digest-1 <<EOF
SELECT o.tenant_id, count(*), sum(i.amount) FROM orders o JOIN invoices i ON i.order_id = o.id GROUP BY o.tenant_id /*code_path='app%2Fjobs%2Fdigest_job.rb',lane='notification_digest'*/;
SELECT org_id, user_email FROM org_members WHERE role = 'admin' /*code_path='app%2Fjobs%2Fdigest_job.rb',lane='notification_digest'*/;
UPDATE jobs SET state = 'done' WHERE lane = 'notification_digest' AND state = 'pending' /*code_path='app%2Fjobs%2Fdigest_job.rb',lane='notification_digest'*/;
INSERT INTO jobs (tenant_id, lane) VALUES ('$T1', 'notification_digest') /*code_path='app%2Fjobs%2Fdigest_job.rb',lane='notification_digest'*/;
EOF

# Broken: a pooled web connection; the request for tenant 1 sets the context for the session,
# the next checkout (an inline ship job for tenant 2) does not set its own.
psql_as shop_app puma-pool-1 <<EOF
SET app.current_tenant_id = '$T1';
SELECT id, status, total FROM orders WHERE tenant_id = '$T1' ORDER BY created_at DESC LIMIT 20 /*controller='orders',action='index'*/;
DELETE FROM org_members WHERE org_id = '$T1' AND user_email = 'bo@northwind.example' /*controller='members',action='destroy'*/;
UPDATE orders SET status = 'shipped' WHERE tenant_id = '$T2' AND id = 5 /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
INSERT INTO invoices (tenant_id, order_id, amount) VALUES ('$T2', 5, 42.00) /*code_path='app%2Fjobs%2Fship_upload_job.rb',lane='ship_upload'*/;
EOF

# Owner-run maintenance: passes today only because the tables are not forced.
psql_as shop_owner maintenance-rake <<EOF
DELETE FROM jobs WHERE state = 'done' /*code_path='lib%2Ftasks%2Fcleanup.rake'*/;
UPDATE catalog_items SET name = trim(name) /*code_path='lib%2Ftasks%2Fcleanup.rake'*/;
EOF

# Reporting role with BYPASSRLS: never affected.
psql_as shop_reporting metabase <<EOF
SELECT tenant_id, sum(amount) FROM invoices GROUP BY tenant_id /*code_path='dashboards%2Frevenue'*/;
EOF

bash "$cluster_sh" stop "$cluster"

cp "$PG_LOG_FILE" "$here/postgres.json"
cp "$work/schema.sql" "$here/schema.sql"
cp "$work/roles.sql" "$here/roles.sql"
cat_migration >"$here/migration.sql"
chmod 0644 "$here/postgres.json" "$here/schema.sql" "$here/roles.sql" "$here/migration.sql"
echo "examples: wrote postgres.json schema.sql roles.sql migration.sql in $here"
