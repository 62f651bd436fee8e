#!/usr/bin/env bash
# cdc_bench.sh: throughput of `rls-shadow analyze` with the change stream (--cdc) as a ratio to
# the same analysis of the log alone, side by side in one run. The log and its wal2json stream
# come from `gen_jsonlog --changes` (every committed INSERT / UPDATE / DELETE of the log as a
# row change in the transaction id the log shows; the log is the same bytes as without it) and
# are cached in BUILD_DIR/bench-data/. Builds nothing; build first:
#
#   cmake --build build-bench --target rls-shadow gen_jsonlog -j2
#   bench/cdc_bench.sh build-bench
#
# Each variant runs ROUNDS times (default 2), alternating, pinned to one core (taskset -c 0);
# the table shows every run and the ratio of the medians (median of two = their mean).
# Environment: LINES (1000000), SESSIONS (3000), SEED (1), ROUNDS (2), RLS_SHADOW (the binary).
# Exit status: 0 when every run succeeded; 1 otherwise; 2 on usage errors.
set -euo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
[[ -d $1 ]] || { echo "cdc_bench.sh: no build directory $1" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POLICIES=$HERE/policies
LINES=${LINES:-1000000}
SESSIONS=${SESSIONS:-3000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-2}
RLS=${RLS_SHADOW:-$BUILD/rls-shadow}
GEN=$BUILD/bench/gen_jsonlog
[[ -x $GEN ]] || GEN=$BUILD/gen_jsonlog
[[ -x $GEN && -x $RLS ]] || { echo "cdc_bench.sh: build rls-shadow and gen_jsonlog in $BUILD" >&2; exit 2; }

DATA=$BUILD/bench-data
mkdir -p "$DATA"
LOG=$DATA/cdc-l$LINES-s$SESSIONS-seed$SEED.json
CDC=$DATA/cdc-l$LINES-s$SESSIONS-seed$SEED.wal2json
if [[ ! -s $LOG || ! -s $CDC || $GEN -nt $LOG ]]; then
  "$GEN" --lines "$LINES" --sessions "$SESSIONS" --seed "$SEED" --out "$LOG" --changes "$CDC"
fi
cat "$LOG" "$CDC" >/dev/null  # from the page cache for every run
CDC_LINES=$(wc -l <"$CDC")
echo "log: $LOG ($LINES lines); change stream: $CDC ($CDC_LINES wal2json lines)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-cdc-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
declare -A SECONDS_OF
status=0
run() {  # run NAME ROUND [extra args]
  local name=$1 round=$2 t0 t1
  shift 2
  rm -rf "$WORK/db"
  t0=$(date +%s.%N)
  if ! taskset -c 0 "$RLS" analyze --policies "$POLICIES/migration.sql" \
      --schema "$POLICIES/schema.sql" --roles "$POLICIES/roles.sql" --log "$LOG" \
      --db "$WORK/db" "$@" 2>"$WORK/$name.err" >/dev/null; then
    echo "cdc_bench.sh: $name failed:" >&2
    tail -n 5 "$WORK/$name.err" >&2
    status=1
    return
  fi
  t1=$(date +%s.%N)
  SECONDS_OF[$name.$round]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  printf '  %-22s round %d: %6ss  %9.0f log lines/s\n' "$name" "$round" \
    "${SECONDS_OF[$name.$round]}" "$(awk -v n="$LINES" -v s="${SECONDS_OF[$name.$round]}" \
      'BEGIN { print n / s }')"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
for ((r = 1; r <= ROUNDS; r++)); do
  run log-only "$r"
  run with-cdc "$r" --cdc "$CDC"
done
grep -h "change stream:" "$WORK/with-cdc.err" | sed 's/^.*info /  /' || true
median() {  # median NAME
  local name=$1 r values=()
  for ((r = 1; r <= ROUNDS; r++)); do values+=("${SECONDS_OF[$name.$r]:-0}"); done
  printf '%s\n' "${values[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
LOG_S=$(median log-only)
CDC_S=$(median with-cdc)
awk -v a="$LOG_S" -v b="$CDC_S" -v n="$LINES" 'BEGIN {
  printf "median: log only %.2fs (%.0f lines/s), with --cdc %.2fs (%.0f lines/s): %.2fx the time, throughput ratio %.2f\n",
    a, n / a, b, n / b, b / a, a / b }'
exit "$status"
