-- Cluster-wide roles of the differential test. Idempotent: both runs (shadow and enforced) share
-- one cluster, and roles are not per database.
DO $$
DECLARE
  spec text[];
BEGIN
  FOREACH spec SLICE 1 IN ARRAY ARRAY[
      ['owner_role',  'LOGIN'],             -- owns the tables: exempt from RLS unless FORCE
      ['app_role',    'LOGIN NOBYPASSRLS'], -- the application
      ['bypass_role', 'LOGIN BYPASSRLS'],   -- reporting / ops role
      ['member_role', 'LOGIN INHERIT'],     -- a member of app_role (policies TO app_role apply)
      ['svc_role',    'LOGIN NOBYPASSRLS']] -- a service with a default tenant (below)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = spec[1]) THEN
      EXECUTE format('CREATE ROLE %I %s', spec[1], spec[2]);
    END IF;
  END LOOP;
END
$$;
GRANT app_role TO member_role;
-- A login default, which pg_dumpall --roles-only writes as ALTER ROLE ... SET.
ALTER ROLE svc_role SET app.current_tenant_id TO '11111111-1111-1111-1111-111111111111';
