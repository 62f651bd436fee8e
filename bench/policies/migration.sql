-- The restrictive migration rls-shadow evaluates in shadow mode: tenant isolation on every
-- tenant table, and FORCE so that the table owner is no longer exempt. The permissive
-- USING (true) policies of schema.sql stay; a restrictive policy is AND-ed with them.
-- Tables match bench/jsonlog_generator.cc (the benchmark's log generator).

BEGIN;

CREATE POLICY audit_log_tenant_isolation ON public.audit_log
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY catalog_items_tenant_isolation ON public.catalog_items
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.catalog_items FORCE ROW LEVEL SECURITY;

CREATE POLICY invoices_tenant_isolation ON public.invoices
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;

CREATE POLICY jobs_tenant_isolation ON public.jobs
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.jobs FORCE ROW LEVEL SECURITY;

CREATE POLICY order_items_tenant_isolation ON public.order_items
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.order_items FORCE ROW LEVEL SECURITY;

CREATE POLICY orders_tenant_isolation ON public.orders
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;

CREATE POLICY org_members_tenant_isolation ON public.org_members
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.org_members FORCE ROW LEVEL SECURITY;

CREATE POLICY shipments_tenant_isolation ON public.shipments
    AS RESTRICTIVE
    FOR ALL
    TO PUBLIC
    USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
ALTER TABLE public.shipments FORCE ROW LEVEL SECURITY;

COMMIT;
