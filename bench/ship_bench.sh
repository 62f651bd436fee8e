#!/usr/bin/env bash
# ship_bench.sh: throughput of `rls-shadow ship --log` into librdkafka's mock cluster (the
# mock_kafka process, topic pg-log with PARTITIONS partitions): the time from starting ship on a
# generated LINES-line jsonlog until every line is produced and acknowledged (acks=all, the
# checkpoint written), as lines/s. Builds nothing; build first:
#
#   cmake --build build --target rls-shadow mock_kafka gen_jsonlog -j1
#   bench/ship_bench.sh build
#
# Environment: LINES (1000000), SESSIONS (3000), SEED (1), PARTITIONS (8), RLS_SHADOW (binary).
# The mock cluster keeps only ~5 MiB a partition: older messages vanish, which does not slow the
# producer. Exit status: 0 on success, 1 on failure, 2 on usage errors.
set -euo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
[[ -d $1 ]] || { echo "ship_bench.sh: no build directory $1" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
LINES=${LINES:-1000000}
SESSIONS=${SESSIONS:-3000}
SEED=${SEED:-1}
PARTITIONS=${PARTITIONS:-8}
RLS=${RLS_SHADOW:-$BUILD/rls-shadow}
DATA=$BUILD/bench-data
LOG=$DATA/jsonlog-$LINES-$SESSIONS-$SEED.json
mkdir -p "$DATA"
[[ -s $LOG ]] || "$BUILD/bench/gen_jsonlog" --lines "$LINES" --sessions "$SESSIONS" --seed "$SEED" --out "$LOG"

work=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-ship-bench.XXXXXX")
mock_pid=
ship_pid=
cleanup() {
  [[ -n $ship_pid ]] && kill "$ship_pid" 2>/dev/null && wait "$ship_pid" 2>/dev/null
  [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$BUILD/mock_kafka" --topic "pg-log:$PARTITIONS" --bootstrap-file "$work/bootstrap" >/dev/null &
mock_pid=$!
for _ in $(seq 100); do [[ -s $work/bootstrap ]] && break; sleep 0.1; done
printf '[kafka]\nbrokers = "%s"\n[ship]\ncheckpoint = "%s"\n' \
  "$(cat "$work/bootstrap")" "$work/checkpoint" >"$work/config.toml"

start=$(date +%s.%N)
"$RLS" --config "$work/config.toml" --log-level debug ship --log "$LOG" 2>"$work/stderr" &
ship_pid=$!
until grep -q "caught up: $LINES lines produced" "$work/stderr"; do
  kill -0 "$ship_pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
  sleep 0.02
done
end=$(date +%s.%N)
# CPU seconds of ship itself (utime + stime): less sensitive to a shared machine than wall time.
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$ship_pid/stat")
kill -TERM "$ship_pid"
wait "$ship_pid"
ship_pid=
bytes=$(stat -c %s "$LOG")
awk -v s="$start" -v e="$end" -v n="$LINES" -v b="$bytes" -v p="$PARTITIONS" -v c="$cpu" 'BEGIN {
  t = e - s
  printf "ship --log: %d lines (%.0f MB) into %d partitions in %.2f s: %.0f lines/s, %.0f MB/s; " \
         "ship used %.2f CPU s (%.0f lines per CPU-second)\n", n, b / 1e6, p, t, n / t, b / 1e6 / t, c, n / c
}'
