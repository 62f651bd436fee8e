#!/usr/bin/env bash
# Captures real logical-decoding samples for the CDC readers (tests/data/cdc/):
#
#   capture_cdc.sh OUT_DIR
#
# Starts a private PostgreSQL 15 cluster (scripts/pg/pg_cluster.sh, which configures
# wal_level = logical), loads a few tenant tables, dumps their contents with pg_dump --data-only
# (OUT_DIR/seed.sql, COPY blocks) and pg_dump --data-only --column-inserts
# (OUT_DIR/seed_inserts.sql), creates a wal2json logical slot, runs a small deterministic workload
# and records what the slot decodes with pg_recvlogical (format-version 2, with xids, commit
# timestamps, LSNs and type OIDs) into OUT_DIR/wal2json.jsonl.
#
# It then derives OUT_DIR/debezium.jsonl and OUT_DIR/debezium_wrapped.jsonl from that capture
# with scripts/pg/wal2json_to_debezium.py. Those two files are CONVERSIONS following the Debezium
# PostgreSQL connector's documented event format, not output of Debezium itself (Debezium needs
# Kafka Connect, which does not run here).
#
# Values (uuids, amounts, timestamps) are fixed; xids, LSNs and commit times are whatever the
# server assigns, so the output differs between runs in those fields only. Needs the Debian
# packages postgresql-15 and postgresql-15-wal2json, and python3 for the Debezium conversion.
set -euo pipefail

(($# == 1)) || { sed -n '3,4p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
[[ -f /usr/lib/postgresql/15/lib/wal2json.so ]] ||
  { echo "capture_cdc: wal2json is not installed (apt-get install postgresql-15-wal2json)" >&2; exit 1; }

# The cluster lives in a world-searchable temporary directory (pg_cluster.sh runs the server as
# an unprivileged user when we are root).
work=$(mktemp -d /tmp/rls_shadow_cdc.XXXXXX)
chmod 0755 "$work"
cluster=$work/cluster
cleanup() {
  bash "$here/pg_cluster.sh" stop "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$here/pg_cluster.sh" start "$cluster"
# shellcheck disable=SC1091
source "$cluster/cluster.env"
export PGHOST PGPORT PGUSER
psql() { "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

# --- schema and the rows that exist before capture starts (the seed) -------------------------
psql <<'SQL'
CREATE TYPE tenant_kind AS ENUM ('free', 'paid');
CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  kind tenant_kind NOT NULL DEFAULT 'free'
);
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  amount numeric(10,2),
  qty integer,
  total_cents bigint,
  priority smallint,
  paid boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  note character varying(20),
  doc text,
  meta jsonb
);
-- Stored out of line without compression, so a 3 kB value is TOASTed.
ALTER TABLE orders ALTER COLUMN doc SET STORAGE EXTERNAL;
CREATE TABLE audit_log (
  id bigint PRIMARY KEY,
  tenant_id uuid NOT NULL,
  action text NOT NULL,
  at timestamptz NOT NULL
);
ALTER TABLE audit_log REPLICA IDENTITY FULL;
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (
  id integer PRIMARY KEY,
  tenant_id uuid NOT NULL,
  label text,
  amount numeric,
  due_on date,
  issued_at timestamp
);

INSERT INTO tenants VALUES
  ('11111111-1111-4111-8111-111111111111', 'acme', 'paid'),
  ('22222222-2222-4222-8222-222222222222', 'globex', 'free');
INSERT INTO orders VALUES
  ('a0000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
   12.50, 3, 1250, 1, true, '2026-11-22 09:00:00.5+00', 'first', 'short doc',
   '{"source": "web", "tags": ["a", "b"]}'),
  ('a0000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111',
   -0.01, NULL, NULL, NULL, false, '2026-11-22 09:30:00+00', E'tab\there', NULL, NULL),
  ('a0000000-0000-4000-8000-000000000003', '22222222-2222-4222-8222-222222222222',
   99999999.99, 7, 9007199254740993, -32768, false, '2026-11-22 09:45:00.123456+00',
   E'line\nbreak \\ ''q''',
   (SELECT string_agg(lpad(i::text, 6, '0'), '-') FROM generate_series(1, 430) AS i),
   '{"k": null}');
INSERT INTO audit_log VALUES
  (1, '11111111-1111-4111-8111-111111111111', 'login', '2026-11-22 08:00:00+00');
INSERT INTO billing.invoices VALUES
  (1, '22222222-2222-4222-8222-222222222222', 'Q3', 1234.5, '2026-12-31', '2026-11-22 08:30:00.25');
SQL

# pg_dump 15.18 writes \restrict / \unrestrict lines; they are kept as they are (the reader
# ignores them).
as_dump() { "$PG_BINDIR/pg_dump" --data-only --no-owner -d postgres "$@"; }
as_dump -t tenants -t orders -t audit_log -t billing.invoices >"$out/seed.sql"
as_dump --column-inserts -t tenants -t orders -t audit_log -t billing.invoices \
  >"$out/seed_inserts.sql"

# --- capture --------------------------------------------------------------------------------
psql -c "SELECT 'init' FROM pg_create_logical_replication_slot('rls_shadow', 'wal2json')" >/dev/null

psql <<'SQL'
-- A transaction with inserts, a transactional message and an update that keeps the key.
BEGIN;
INSERT INTO tenants VALUES ('33333333-3333-4333-8333-333333333333', 'initech', 'free');
UPDATE tenants SET kind = 'paid' WHERE id = '22222222-2222-4222-8222-222222222222';
SELECT pg_logical_emit_message(true, 'rls-shadow', 'tenant=11111111-1111-4111-8111-111111111111');
INSERT INTO orders (id, tenant_id, amount, qty, total_cents, priority, paid, created_at, note, meta)
VALUES ('a0000000-0000-4000-8000-000000000004', '11111111-1111-4111-8111-111111111111',
        0.00, 1, 0, 2, false, '2026-11-22 10:00:00.123456+00', NULL, '[1, 2.5, "x"]');
UPDATE orders SET paid = true, amount = 15.75, note = 'café'
 WHERE id = 'a0000000-0000-4000-8000-000000000001';
COMMIT;
-- A non-transactional message, outside any transaction.
SELECT pg_logical_emit_message(false, 'rls-shadow', 'heartbeat');
-- An update leaving the TOASTed doc unchanged (wal2json omits it), then one that changes it.
UPDATE orders SET qty = 8 WHERE id = 'a0000000-0000-4000-8000-000000000003';
UPDATE orders SET doc = 'now short' WHERE id = 'a0000000-0000-4000-8000-000000000003';
-- A primary-key change: the identity carries the old key.
UPDATE orders SET id = 'a0000000-0000-4000-8000-000000000005'
 WHERE id = 'a0000000-0000-4000-8000-000000000002';
-- REPLICA IDENTITY FULL: the identity carries the whole old row.
INSERT INTO audit_log VALUES
  (2, '22222222-2222-4222-8222-222222222222', 'export', '2026-11-22 10:05:00+00');
UPDATE audit_log SET action = 'logout' WHERE id = 1;
DELETE FROM audit_log WHERE id = 2;
-- A delete under REPLICA IDENTITY DEFAULT: the identity is the primary key.
DELETE FROM orders WHERE id = 'a0000000-0000-4000-8000-000000000004';
-- Another schema, then TRUNCATE of two tables in one statement.
INSERT INTO billing.invoices VALUES
  (2, '11111111-1111-4111-8111-111111111111', NULL, -0.000123, '1999-01-08', '2026-11-22 10:10:00');
TRUNCATE billing.invoices, audit_log;
SQL

# The insert position: the cluster commits asynchronously, the last commits may not be written.
endpos=$(psql -At -c "SELECT pg_current_wal_insert_lsn()")
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u "${RLS_SHADOW_PG_USER:-rlsshadow_pg}" -- "$@"; else "$@"; fi
}
# pg_recvlogical writes one JSON object per line with format-version 2. It runs as the cluster's
# user only because that user owns the socket directory; the output goes through stdout.
as_pg "$PG_BINDIR/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
  --slot=rls_shadow --start --no-loop --endpos="$endpos" -f - \
  -o format-version=2 -o include-xids=1 -o include-timestamp=1 -o include-lsn=1 \
  -o include-type-oids=1 >"$out/wal2json.jsonl"

python3 "$here/wal2json_to_debezium.py" --seed-table=tenants "$out/seed.sql" \
  <"$out/wal2json.jsonl" >"$out/debezium.jsonl"
python3 "$here/wal2json_to_debezium.py" --wrapped --seed-table=tenants "$out/seed.sql" \
  <"$out/wal2json.jsonl" >"$out/debezium_wrapped.jsonl"

echo "capture_cdc: wrote $(wc -l <"$out/wal2json.jsonl") wal2json lines to $out" >&2
