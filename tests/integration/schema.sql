-- The application schema as it runs today ("shadow"): RLS is ENABLED on every tenant table, but
-- the only policy is a permissive USING (true) and nothing is FORCEd, so nobody is filtered yet.
-- Applied by the superuser; the tables are then handed to owner_role.

CREATE TABLE public.orders (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  status text NOT NULL,
  total numeric NOT NULL DEFAULT 0
);

CREATE TABLE public.order_items (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  order_id bigint NOT NULL REFERENCES public.orders (id) ON DELETE CASCADE,
  sku text NOT NULL,
  qty integer NOT NULL DEFAULT 1
);

-- Per-command policies in the migration (separate SELECT / INSERT / UPDATE / DELETE).
CREATE TABLE public.invoices (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  order_id bigint,
  amount numeric NOT NULL
);

-- Job queue, claimed with SELECT ... FOR UPDATE SKIP LOCKED. The migration gives it a
-- permissive policy TO app_role plus a RESTRICTIVE tenant policy.
CREATE TABLE public.jobs (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  lane text NOT NULL,
  state text NOT NULL DEFAULT 'pending',
  claimed_by text
);

-- Kept empty: a bad context value must still fail here (the cast happens at plan time).
CREATE TABLE public.refunds (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  order_id bigint,
  amount numeric NOT NULL
);

-- Keyed by a text tenant: an empty context is just another (non-matching) value here.
CREATE TABLE public.catalog_items (
  tenant text NOT NULL,
  sku text NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (tenant, sku)
);

-- Notes: the migration guards its policies against an empty context (NULLIF, COALESCE) and
-- compares the tenant as text on insert, as teams write them to avoid 22P02.
CREATE TABLE public.notes (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  body text NOT NULL
);

-- Shipments are written by the carrier integration only: the migration lets the application
-- read them (a SELECT policy) but gives it no UPDATE policy, so a locking read of them is denied.
CREATE TABLE public.shipments (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  order_id bigint NOT NULL,
  carrier text NOT NULL
);
ALTER TABLE public.shipments ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.shipments FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.shipments OWNER TO owner_role;

-- Helper functions the migration's tickets policies are written with: SQL functions PostgreSQL
-- evaluates as their one expression, and a plpgsql one that casts the text it returns.
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO PUBLIC;
CREATE FUNCTION app.current_tenant() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.current_tenant_id', true), '')::uuid $$;
CREATE FUNCTION app.is_current_tenant(t uuid) RETURNS boolean LANGUAGE sql STABLE STRICT
  RETURN t = app.current_tenant();
CREATE FUNCTION app.tenant_strict() RETURNS uuid LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN current_setting('app.current_tenant_id', true); END $$;
CREATE TABLE public.tickets (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  subject text NOT NULL
);
ALTER TABLE public.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.tickets FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.tickets OWNER TO owner_role;

-- Audit entries: the migration lets a job read only its tenant's, but purge or touch any.
CREATE TABLE public.audit_log (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  note text NOT NULL
);
ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.audit_log FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.audit_log OWNER TO owner_role;

-- Code rls-shadow does not follow: a trigger on ticket_comments (no RLS) records each comment
-- in ticket_events, which the migration lets the application read but not write; and a function
-- that opens a ticket.
CREATE TABLE public.ticket_events (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  kind text NOT NULL
);
ALTER TABLE public.ticket_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.ticket_events FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.ticket_events OWNER TO owner_role;
CREATE TABLE public.ticket_comments (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  body text NOT NULL
);
ALTER TABLE public.ticket_comments OWNER TO owner_role;
CREATE FUNCTION app.record_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.ticket_events (id, tenant_id, kind) VALUES (NEW.id, NEW.tenant_id, 'comment');
  RETURN NEW;
END $$;
CREATE TRIGGER ticket_comments_record AFTER INSERT ON public.ticket_comments
  FOR EACH ROW EXECUTE FUNCTION app.record_comment();
CREATE FUNCTION app.open_ticket(bigint, uuid, text) RETURNS bigint LANGUAGE sql
  AS $$ INSERT INTO public.tickets VALUES ($1, $2, $3) RETURNING id $$;

-- A BEFORE INSERT trigger that fills the tenant from the context, over what the statement gave:
-- PostgreSQL checks the row the trigger returns.
CREATE TABLE public.parcels (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  label text NOT NULL
);
ALTER TABLE public.parcels ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.parcels FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.parcels OWNER TO owner_role;
CREATE FUNCTION app.fill_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.tenant_id := current_setting('app.current_tenant_id')::uuid;
  RETURN NEW;
END $$;
CREATE TRIGGER parcels_fill_tenant BEFORE INSERT ON public.parcels
  FOR EACH ROW EXECUTE FUNCTION app.fill_tenant();

-- Its BEFORE INSERT trigger fills only a missing tenant, and relabelling a crate (UPDATE OF
-- label) stamps it with the context's tenant.
CREATE TABLE public.crates (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  label text NOT NULL
);
ALTER TABLE public.crates ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.crates FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.crates OWNER TO owner_role;
CREATE FUNCTION app.fill_missing_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ctx text := current_setting('app.current_tenant_id', true);
BEGIN
  IF NEW.tenant_id IS NULL THEN
    IF ctx IS NULL OR ctx = '' THEN
      RAISE EXCEPTION 'no tenant context for %', TG_TABLE_NAME;
    END IF;
    NEW.tenant_id := ctx;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER crates_fill_missing_tenant BEFORE INSERT ON public.crates
  FOR EACH ROW EXECUTE FUNCTION app.fill_missing_tenant();
CREATE TRIGGER crates_relabel_stamps_tenant BEFORE UPDATE OF label ON public.crates
  FOR EACH ROW EXECUTE FUNCTION app.fill_tenant();

-- A table outside public, which the application reaches through its search_path.
CREATE SCHEMA billing;
CREATE TABLE billing.ledger (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  amount numeric NOT NULL
);
ALTER TABLE billing.ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON billing.ledger FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE billing.ledger OWNER TO owner_role;

-- Its restrictive policy reads the context in a scalar subquery (computed once, an InitPlan).
CREATE TABLE public.memos (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  body text NOT NULL
);
ALTER TABLE public.memos ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.memos FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.memos OWNER TO owner_role;

-- Its policy lets an admin flag through before it reads the tenant.
CREATE TABLE public.bulletins (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  body text NOT NULL
);
ALTER TABLE public.bulletins ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.bulletins FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.bulletins OWNER TO owner_role;

-- Not tenant data: no RLS at all.
CREATE TABLE public.countries (
  code text PRIMARY KEY,
  name text NOT NULL
);

ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.order_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.catalog_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;

CREATE POLICY shadow_all ON public.orders FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY shadow_all ON public.order_items FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY shadow_all ON public.invoices FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY shadow_all ON public.jobs FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY shadow_all ON public.refunds FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY shadow_all ON public.catalog_items FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY shadow_all ON public.notes FOR ALL TO PUBLIC USING (true) WITH CHECK (true);

ALTER TABLE public.orders OWNER TO owner_role;
ALTER TABLE public.order_items OWNER TO owner_role;
ALTER TABLE public.invoices OWNER TO owner_role;
ALTER TABLE public.jobs OWNER TO owner_role;
ALTER TABLE public.refunds OWNER TO owner_role;
ALTER TABLE public.catalog_items OWNER TO owner_role;
ALTER TABLE public.notes OWNER TO owner_role;
ALTER TABLE public.countries OWNER TO owner_role;

-- Membership: a project is visible to the members of its organisation. The migration's policy
-- reads org_members through a subquery; org_members itself has no RLS.
CREATE TABLE public.org_members (
  org_id uuid NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE TABLE public.projects (
  id bigint PRIMARY KEY,
  org_id uuid NOT NULL,
  name text NOT NULL
);
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.projects FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.org_members OWNER TO owner_role;
ALTER TABLE public.projects OWNER TO owner_role;

-- A partitioned table: a statement naming the parent is checked against the parent's policies
-- only, one naming a partition against that partition's own (events_web has no RLS at all).
CREATE TABLE public.events (
  id bigint NOT NULL,
  tenant_id uuid NOT NULL,
  kind text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (id, kind)
) PARTITION BY LIST (kind);
CREATE TABLE public.events_web PARTITION OF public.events FOR VALUES IN ('web');
CREATE TABLE public.events_job PARTITION OF public.events FOR VALUES IN ('job');
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.events FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.events_job ENABLE ROW LEVEL SECURITY;
CREATE POLICY shadow_all ON public.events_job FOR ALL TO PUBLIC USING (true) WITH CHECK (true);
ALTER TABLE public.events OWNER TO owner_role;
ALTER TABLE public.events_web OWNER TO owner_role;
ALTER TABLE public.events_job OWNER TO owner_role;

-- A materialized view over orders: REFRESH runs its query as the view's owner (15.18), so once
-- orders is forced the owner's refresh meets the tenant policy with the caller's context.
CREATE MATERIALIZED VIEW public.order_totals AS
  SELECT tenant_id, sum(total) AS total FROM public.orders GROUP BY tenant_id;
ALTER MATERIALIZED VIEW public.order_totals OWNER TO owner_role;

-- Views (PG_SEMANTICS B8): the owner's view checks orders' policies as owner_role (exempt while
-- orders is not forced); the security_invoker view checks them as the caller.
CREATE VIEW public.orders_owner_v AS SELECT id, tenant_id, status, total FROM public.orders;
ALTER VIEW public.orders_owner_v OWNER TO owner_role;
CREATE VIEW public.orders_invoker_v WITH (security_invoker = true) AS
  SELECT id, tenant_id, status, total FROM public.orders;
ALTER VIEW public.orders_invoker_v OWNER TO owner_role;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_role, bypass_role,
  svc_role;
GRANT USAGE ON SCHEMA billing TO app_role, bypass_role, svc_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA billing TO app_role, bypass_role,
  svc_role;
