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
