#!/usr/bin/env bash
# Differential test of rls-shadow against a real PostgreSQL 15 (see README.md).
#
#   run_differential.sh <differential_test binary> <rls-shadow binary>
#
# Starts a private cluster, runs the workload in shadow mode (its jsonlog is what rls-shadow
# analyses) and in enforced mode (schema + migration.sql: PostgreSQL's own verdict), runs
# `rls-shadow analyze` on the shadow log and compares. Artifacts go to a temporary directory
# whose path is printed; it is removed after a successful run unless KEEP_ARTIFACTS=1 (and kept
# after a failure). ARTIFACTS_DIR=dir uses that directory instead.
set -euo pipefail

(($# == 2)) || { echo "usage: $0 <differential_test> <rls-shadow>" >&2; exit 2; }
diff_bin=$(readlink -f "$1")
rls_bin=$(readlink -f "$2")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cluster_sh=$repo/scripts/pg/pg_cluster.sh

art=${ARTIFACTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-differential.XXXXXX")}
mkdir -p "$art"
chmod 0755 "$art"  # the cluster may run as another user and must reach art/cluster
cluster=$art/cluster
echo "differential: artifacts in $art"

status=2
# shellcheck disable=SC2317  # invoked by the EXIT trap
finish() {
  bash "$cluster_sh" stop "$cluster" >/dev/null 2>&1 || true
  rm -rf "$cluster/data"  # tens of MB and useless after the run; the logs stay
  if [[ $status -eq 0 && ${KEEP_ARTIFACTS:-0} != 1 && -z ${ARTIFACTS_DIR:-} ]]; then
    rm -rf "$art"
  else
    echo "differential: artifacts kept in $art"
  fi
}
trap finish EXIT

step() { echo "differential: $*"; }

start_cluster() {
  bash "$cluster_sh" start "$cluster" --log-name "$1"
  # shellcheck disable=SC1091
  source "$cluster/cluster.env"
}

# 1. Shadow run: only the workload and its setup session reach this log.
start_cluster shadow
step "shadow run on port $PGPORT"
"$diff_bin" run --port "$PGPORT" --db rls_shadow_shadow --mode shadow --sql-dir "$here" \
  --out "$art/shadow_outcomes.jsonl" --logical-slot rls_shadow
shadow_log=$PG_LOG_FILE
# The shadow run's row changes, decoded by wal2json through pg_recvlogical up to the current
# WAL position (what `rls-shadow analyze --cdc` reads): the insert position, as the cluster
# commits asynchronously (synchronous_commit = off) and the last commits may not be written yet.
end_lsn=$("$PG_BINDIR/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -d rls_shadow_shadow -Atc \
  "SELECT pg_current_wal_insert_lsn()")
"$PG_BINDIR/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d rls_shadow_shadow \
  --slot rls_shadow --start --endpos "$end_lsn" --no-loop -f "$art/shadow_cdc.jsonl" \
  -o format-version=2 -o include-xids=1 -o include-timestamp=1 -o include-lsn=1
step "captured $(wc -l <"$art/shadow_cdc.jsonl") wal2json lines up to $end_lsn"
bash "$cluster_sh" stop "$cluster"

# 2. Restart with another log file, dump the shadow database's schema and roles (rls-shadow's
#    --schema and --roles inputs), then the enforced run.
start_cluster enforced
"$PG_BINDIR/pg_dump" --schema-only -h "$PGHOST" -p "$PGPORT" -U postgres rls_shadow_shadow \
  >"$art/schema.sql"
"$PG_BINDIR/pg_dumpall" --roles-only -h "$PGHOST" -p "$PGPORT" -U postgres >"$art/roles.sql"
cp "$here/migration.sql" "$art/migration.sql"
step "enforced run on port $PGPORT"
"$diff_bin" run --port "$PGPORT" --db rls_shadow_enforced --mode enforced --sql-dir "$here" \
  --out "$art/enforced_outcomes.jsonl"
bash "$cluster_sh" stop "$cluster"
cp "$shadow_log" "$art/shadow_log.json"

# 3. rls-shadow on the shadow log: from the log alone, then with the change stream too.
analyze() {  # analyze <state dir> <verdicts file> <output file> [extra args...]
  local state=$1 verdicts=$2 out=$3
  shift 3
  if ! "$rls_bin" analyze --policies "$art/migration.sql" --schema "$art/schema.sql" \
      --roles "$art/roles.sql" --log "$art/shadow_log.json" --db "$state" \
      --verdicts "$verdicts" "$@" >"$out" 2>&1; then
    cat "$out" >&2
    echo "differential: rls-shadow analyze $* failed" >&2
    status=1
    exit 1
  fi
}
step "rls-shadow analyze (log only)"
analyze "$art/state" "$art/verdicts.jsonl" "$art/analyze.out"
step "rls-shadow analyze --cdc"
analyze "$art/state-cdc" "$art/verdicts-cdc.jsonl" "$art/analyze-cdc.out" \
  --cdc "$art/shadow_cdc.jsonl"
grep -o "change stream: .*" "$art/analyze-cdc.out" | sed 's/^/differential: /' || true

# 4. Compare statement by statement, both ways.
set +e
step "log only:"
"$diff_bin" compare --shadow "$art/shadow_outcomes.jsonl" \
  --enforced "$art/enforced_outcomes.jsonl" --log "$art/shadow_log.json" \
  --verdicts "$art/verdicts.jsonl" | tee "$art/compare.out"
compare_status=${PIPESTATUS[0]}
step "with --cdc:"
"$diff_bin" compare --shadow "$art/shadow_outcomes.jsonl" \
  --enforced "$art/enforced_outcomes.jsonl" --log "$art/shadow_log.json" \
  --verdicts "$art/verdicts-cdc.jsonl" | tee "$art/compare-cdc.out"
cdc_status=${PIPESTATUS[0]}
((compare_status != 0)) || compare_status=$cdc_status

# 5. The readiness report must parse and name the tables with would-be denials.
report_status=0
if "$rls_bin" report --db "$art/state" --format json >"$art/report.json" 2>"$art/report.err"; then
  "$diff_bin" check-report --report "$art/report.json" --verdicts "$art/verdicts.jsonl"
  report_status=$?
else
  cat "$art/report.err" >&2
  echo "differential: rls-shadow report failed" >&2
  report_status=1
fi
set -e

status=$compare_status
((status != 0)) || status=$report_status
exit "$status"
