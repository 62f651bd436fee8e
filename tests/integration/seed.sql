-- Data every scenario starts from, loaded by the superuser "setup" session (its statements are
-- not compared). Tenant T1 = 1111..., T2 = 2222...; text tenants acme and globex.
TRUNCATE public.orders, public.order_items, public.invoices, public.jobs, public.refunds,
  public.catalog_items, public.notes, public.countries, public.org_members, public.projects,
  billing.ledger, public.shipments, public.tickets, public.audit_log, public.ticket_events,
  public.ticket_comments, public.parcels, public.memos, public.bulletins, public.crates, public.events;
INSERT INTO public.orders VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'new', 10),
  (2, '11111111-1111-1111-1111-111111111111', 'new', 20),
  (3, '11111111-1111-1111-1111-111111111111', 'paid', 30),
  (4, '22222222-2222-2222-2222-222222222222', 'new', 40),
  (5, '22222222-2222-2222-2222-222222222222', 'paid', 50);
INSERT INTO public.order_items VALUES
  (1, '11111111-1111-1111-1111-111111111111', 1, 'a1', 1),
  (2, '11111111-1111-1111-1111-111111111111', 2, 'a2', 2),
  (3, '22222222-2222-2222-2222-222222222222', 4, 'g1', 3);
INSERT INTO public.invoices VALUES
  (1, '11111111-1111-1111-1111-111111111111', 1, 10),
  (2, '11111111-1111-1111-1111-111111111111', 3, 30),
  (3, '22222222-2222-2222-2222-222222222222', 5, 50);
INSERT INTO public.jobs VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'ship_upload', 'pending', NULL),
  (2, '11111111-1111-1111-1111-111111111111', 'ship_upload', 'pending', NULL),
  (3, '22222222-2222-2222-2222-222222222222', 'ship_upload', 'pending', NULL),
  (4, '22222222-2222-2222-2222-222222222222', 'notification_digest', 'pending', NULL);
INSERT INTO billing.ledger VALUES
  (1, '11111111-1111-1111-1111-111111111111', 10),
  (2, '11111111-1111-1111-1111-111111111111', 20),
  (3, '22222222-2222-2222-2222-222222222222', 30);
-- Tenant TA (abcdef00-...) has letters in its uuid: its text form is lower-case.
INSERT INTO public.notes VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'n1'),
  (2, 'abcdef00-0000-0000-0000-000000000001', 'n2'),
  (3, 'abcdef00-0000-0000-0000-000000000001', 'n3');
INSERT INTO public.catalog_items VALUES
  ('acme', 'a1', 'Anvil'), ('acme', 'a2', 'Rocket'), ('globex', 'g1', 'Doomsday device'),
  ('7', 's1', 'Seventh heaven'), ('-5', 'm1', 'Below zero');
INSERT INTO public.shipments VALUES
  (1, '11111111-1111-1111-1111-111111111111', 1, 'dhl'),
  (2, '11111111-1111-1111-1111-111111111111', 2, 'ups'),
  (3, '22222222-2222-2222-2222-222222222222', 4, 'dhl');
INSERT INTO public.tickets VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'late delivery'),
  (2, '22222222-2222-2222-2222-222222222222', 'wrong item');
INSERT INTO public.audit_log VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'login'),
  (2, '22222222-2222-2222-2222-222222222222', 'login'),
  (3, '22222222-2222-2222-2222-222222222222', 'export');
INSERT INTO public.memos VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'm1'),
  (2, '22222222-2222-2222-2222-222222222222', 'm2');
INSERT INTO public.bulletins VALUES (1, '22222222-2222-2222-2222-222222222222', 'b1');
INSERT INTO public.countries VALUES ('DE', 'Germany'), ('FR', 'France');
-- Organisations A (0a...) and B (0b...); user U1 (aa...) is a member of A only, U2 (bb...) of B.
INSERT INTO public.org_members VALUES
  ('0a000000-0000-0000-0000-000000000000', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'),
  ('0b000000-0000-0000-0000-000000000000', 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb');
INSERT INTO public.projects VALUES
  (1, '0a000000-0000-0000-0000-000000000000', 'alpha'),
  (2, '0b000000-0000-0000-0000-000000000000', 'beta');
INSERT INTO public.events VALUES
  (1, '11111111-1111-1111-1111-111111111111', 'web', 'w1'),
  (2, '22222222-2222-2222-2222-222222222222', 'web', 'w2'),
  (3, '11111111-1111-1111-1111-111111111111', 'job', 'j1'),
  (4, '22222222-2222-2222-2222-222222222222', 'job', 'j2');
