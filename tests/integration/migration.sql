-- The restrictive migration the team wants to apply: real tenant policies instead of the
-- permissive shadow ones, and FORCE so the table owner is filtered too.
-- Tenant context: the custom GUC app.current_tenant_id (missing_ok, so "never set" is NULL).

DROP POLICY shadow_all ON public.orders;
CREATE POLICY tenant_isolation ON public.orders FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

DROP POLICY shadow_all ON public.order_items;
CREATE POLICY tenant_isolation ON public.order_items FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Setting names are case-insensitive: this reads the app.current_tenant_id the workload sets.
DROP POLICY shadow_all ON public.refunds;
CREATE POLICY tenant_isolation ON public.refunds FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('App.Current_Tenant_Id', true)::uuid);

-- One policy per command.
DROP POLICY shadow_all ON public.invoices;
CREATE POLICY invoices_select ON public.invoices FOR SELECT TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY invoices_insert ON public.invoices FOR INSERT TO PUBLIC
  WITH CHECK (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY invoices_update ON public.invoices FOR UPDATE TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid)
  WITH CHECK (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY invoices_delete ON public.invoices FOR DELETE TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Only app_role (and its members) may use the queue at all; the tenant rule is restrictive.
DROP POLICY shadow_all ON public.jobs;
CREATE POLICY jobs_app ON public.jobs AS PERMISSIVE FOR ALL TO app_role
  USING (true) WITH CHECK (true);
CREATE POLICY jobs_tenant ON public.jobs AS RESTRICTIVE FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Text tenant key: no cast, so an empty context filters instead of failing.
DROP POLICY shadow_all ON public.catalog_items;
CREATE POLICY tenant_isolation ON public.catalog_items FOR ALL TO PUBLIC
  USING (tenant = current_setting('app.current_tenant_id', true));

-- Guarded against an empty context: NULLIF / COALESCE turn '' into NULL or the zero uuid rather
-- than a 22P02; inserts compare the tenant's text form (lower-case) with the context as written.
DROP POLICY shadow_all ON public.notes;
CREATE POLICY notes_read ON public.notes FOR SELECT TO PUBLIC
  USING (tenant_id = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid);
CREATE POLICY notes_insert ON public.notes FOR INSERT TO PUBLIC
  WITH CHECK (tenant_id::text = current_setting('app.current_tenant_id', true));
CREATE POLICY notes_change ON public.notes FOR UPDATE TO PUBLIC
  USING (tenant_id = COALESCE(NULLIF(current_setting('app.current_tenant_id', true), ''),
                              '00000000-0000-0000-0000-000000000000')::uuid);
CREATE POLICY notes_delete ON public.notes FOR DELETE TO PUBLIC
  USING (tenant_id = COALESCE(NULLIF(current_setting('app.current_tenant_id', true), ''),
                              '00000000-0000-0000-0000-000000000000')::uuid);

-- Outside public (the workload reaches it through search_path).
DROP POLICY shadow_all ON billing.ledger;
CREATE POLICY tenant_isolation ON billing.ledger FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Membership through a subquery: the caller's user must be a member of the project's org.
DROP POLICY shadow_all ON public.projects;
CREATE POLICY org_members_only ON public.projects FOR ALL TO PUBLIC
  USING (org_id IN (SELECT org_id FROM public.org_members
                    WHERE user_id = current_setting('app.current_user_id', true)::uuid));

-- Written with helper functions (schema.sql): read with a NULLIF-guarded context, insert
-- checked by a STRICT function of the new row's tenant, update with an unguarded cast.
DROP POLICY shadow_all ON public.tickets;
CREATE POLICY tickets_read ON public.tickets FOR SELECT TO PUBLIC
  USING (tenant_id = app.current_tenant());
CREATE POLICY tickets_insert ON public.tickets FOR INSERT TO PUBLIC
  WITH CHECK (app.is_current_tenant(tenant_id));
CREATE POLICY tickets_update ON public.tickets FOR UPDATE TO PUBLIC
  USING (tenant_id = app.tenant_strict());

-- Reads are per tenant; an UPDATE or DELETE that reads no column gets no SELECT policy.
DROP POLICY shadow_all ON public.audit_log;
CREATE POLICY audit_read ON public.audit_log FOR SELECT TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
CREATE POLICY audit_touch ON public.audit_log FOR UPDATE TO PUBLIC USING (true) WITH CHECK (true);
CREATE POLICY audit_purge ON public.audit_log FOR DELETE TO PUBLIC USING (true);

-- Written only by a trigger the application's comments fire: no INSERT policy.
DROP POLICY shadow_all ON public.ticket_events;
CREATE POLICY ticket_events_read ON public.ticket_events FOR SELECT TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Read-only to the application: no UPDATE policy, so SELECT ... FOR UPDATE / SHARE finds nothing.
DROP POLICY shadow_all ON public.shipments;
CREATE POLICY shipments_read ON public.shipments FOR SELECT TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Filled by its BEFORE INSERT trigger.
DROP POLICY shadow_all ON public.parcels;
CREATE POLICY parcels_tenant ON public.parcels FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- Filled when missing by its BEFORE INSERT trigger; stamped by a relabelling UPDATE's.
DROP POLICY shadow_all ON public.crates;
CREATE POLICY crates_tenant ON public.crates FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- The context read once per statement, in a scalar subquery (an InitPlan): an invalid context
-- fails only when a row reaches the policy.
DROP POLICY shadow_all ON public.memos;
CREATE POLICY memos_tenant ON public.memos FOR ALL TO PUBLIC
  USING (tenant_id = (SELECT current_setting('app.current_tenant_id', true)::uuid));

-- An admin flag first: WITH CHECK stops there; a read's plan estimates the tenant comparison
-- too, so a context that does not cast fails it anyway.
DROP POLICY shadow_all ON public.bulletins;
CREATE POLICY bulletins_admin_or_tenant ON public.bulletins FOR ALL TO PUBLIC
  USING (current_setting('app.is_admin', true) = 'on'
         OR tenant_id = current_setting('app.current_tenant_id', true)::uuid);

-- The partitioned parent gets the tenant policy; its partition events_job one of its own, which
-- only statements naming events_job meet.
DROP POLICY shadow_all ON public.events;
CREATE POLICY events_tenant ON public.events FOR ALL TO PUBLIC
  USING (tenant_id = current_setting('app.current_tenant_id', true)::uuid);
DROP POLICY shadow_all ON public.events_job;
CREATE POLICY events_job_lane ON public.events_job FOR ALL TO PUBLIC
  USING (current_setting('app.lane', true) = 'jobs');

ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;
ALTER TABLE public.events FORCE ROW LEVEL SECURITY;
ALTER TABLE public.events_job FORCE ROW LEVEL SECURITY;
ALTER TABLE public.bulletins FORCE ROW LEVEL SECURITY;
ALTER TABLE public.memos FORCE ROW LEVEL SECURITY;
ALTER TABLE public.parcels FORCE ROW LEVEL SECURITY;
ALTER TABLE public.crates FORCE ROW LEVEL SECURITY;
ALTER TABLE public.shipments FORCE ROW LEVEL SECURITY;
ALTER TABLE public.tickets FORCE ROW LEVEL SECURITY;
ALTER TABLE public.audit_log FORCE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_events FORCE ROW LEVEL SECURITY;
ALTER TABLE public.projects FORCE ROW LEVEL SECURITY;
ALTER TABLE public.notes FORCE ROW LEVEL SECURITY;
ALTER TABLE billing.ledger FORCE ROW LEVEL SECURITY;
ALTER TABLE public.order_items FORCE ROW LEVEL SECURITY;
ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;
ALTER TABLE public.jobs FORCE ROW LEVEL SECURITY;
ALTER TABLE public.refunds FORCE ROW LEVEL SECURITY;
ALTER TABLE public.catalog_items FORCE ROW LEVEL SECURITY;
