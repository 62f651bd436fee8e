#!/usr/bin/env bash
# serve_bench.sh: `rls-shadow serve` end to end through Kafka (librdkafka's mock cluster, in the
# mock_kafka process) against `rls-shadow analyze` on the same file, side by side in one run;
# then serve's peak memory while it drains a backlog of BACKLOG messages.
#
#   cmake --build build --target rls-shadow gen_jsonlog mock_kafka produce_lines -j2
#   bench/serve_bench.sh build
#
# Throughput: the generated log (LINES lines) is produced to PARTITIONS partitions first (not
# timed), then `serve --until-idle` drains it; its time runs from the group's assignment (the
# join itself waits ~3 s in the mock, like a broker's group.initial.rebalance.delay.ms) to the
# idle flush minus the idle wait (idle_flush_seconds = 1). Analyze reads the same file. Both pinned to one core (taskset
# -c 0); the mock broker runs on the other. The mock keeps at most ~5 MiB and 100k messages per
# partition, so partitions are sized to hold the whole backlog.
# Environment: LINES (200000), PARTITIONS (64), BACKLOG (5000000), BACKLOG_PARTITIONS (640),
# RLS_SHADOW (the binary). Exit status: 0 when every run succeeded; 1 otherwise; 2 on usage.
set -euo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
[[ -d $1 ]] || { echo "serve_bench.sh: no build directory $1" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POLICIES=$HERE/policies
LINES=${LINES:-200000}
PARTITIONS=${PARTITIONS:-64}
BACKLOG=${BACKLOG:-5000000}
BACKLOG_PARTITIONS=${BACKLOG_PARTITIONS:-640}
RLS=${RLS_SHADOW:-$BUILD/rls-shadow}
GEN=$BUILD/bench/gen_jsonlog
for tool in "$RLS" "$GEN" "$BUILD/mock_kafka" "$BUILD/produce_lines"; do
  [[ -x $tool ]] || { echo "serve_bench.sh: build $(basename "$tool") in $BUILD" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-serve-bench.XXXXXX")
MOCK_PID=
cleanup() {
  [[ -n $MOCK_PID ]] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

start_mock() {  # start_mock PARTITIONS: a fresh cluster; sets BROKERS
  [[ -n $MOCK_PID ]] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
  rm -f "$WORK/bootstrap"
  taskset -c 1 "$BUILD/mock_kafka" --topic "pg-log:$1" --topic rls-shadow-changelog:1 \
    --topic rls-shadow-dead-letters:1 --bootstrap-file "$WORK/bootstrap" >/dev/null &
  MOCK_PID=$!
  for _ in $(seq 100); do [[ -s $WORK/bootstrap ]] && break; sleep 0.1; done
  BROKERS=$(cat "$WORK/bootstrap")
}

write_config() {  # write_config FILE STATE_DIR
  cat >"$1" <<TOML
[kafka]
brokers = "$BROKERS"
[kafka.properties]
"fetch.wait.max.ms" = 10
"log_level" = 3
[serve]
state_dir = "$2"
instance_id = "bench"
policies = "$POLICIES/migration.sql"
schema = "$POLICIES/schema.sql"
roles = "$POLICIES/roles.sql"
idle_flush_seconds = 1
http = false
TOML
}

peak_kib() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
# From serve's log: its first assignment to its idle flush, minus the idle wait.
drain_seconds() {
  local start end
  start=$(grep -m1 ' assigned ' "$1" | cut -d' ' -f1)
  end=$(grep -m1 'inputs idle' "$1" | cut -d' ' -f1)
  echo "$(date -d "$end" +%s.%N) - $(date -d "$start" +%s.%N) - 1" | bc -l
}

LOG=$WORK/log.json
"$GEN" --lines "$LINES" --seed 1 --out "$LOG" >/dev/null
echo "log: $LINES generated lines, $PARTITIONS partitions"

# File mode.
t0=$(date +%s.%N)
/usr/bin/time -v taskset -c 0 "$RLS" analyze --policies "$POLICIES/migration.sql" \
  --schema "$POLICIES/schema.sql" --roles "$POLICIES/roles.sql" --log "$LOG" \
  --db "$WORK/file-db" 2>"$WORK/analyze.err" >/dev/null
t1=$(date +%s.%N)
file_s=$(echo "$t1 - $t0" | bc -l)

# Kafka mode.
start_mock "$PARTITIONS"
"$BUILD/produce_lines" --brokers "$BROKERS" --topic pg-log --key session_id "$LOG" >/dev/null
write_config "$WORK/serve.toml" "$WORK/serve-db"
/usr/bin/time -v taskset -c 0 "$RLS" --config "$WORK/serve.toml" serve --until-idle \
  2>"$WORK/serve.err" >/dev/null || { tail -5 "$WORK/serve.err" >&2; exit 1; }
serve_s=$(drain_seconds "$WORK/serve.err")

printf '%-8s %12s %12s %14s\n' mode seconds lines/s "peak RSS MiB"
printf '%-8s %12.2f %12.0f %14.0f\n' analyze "$file_s" "$(echo "$LINES / $file_s" | bc -l)" \
  "$(echo "$(peak_kib "$WORK/analyze.err") / 1024" | bc -l)"
printf '%-8s %12.2f %12.0f %14.0f\n' serve "$serve_s" "$(echo "$LINES / $serve_s" | bc -l)" \
  "$(echo "$(peak_kib "$WORK/serve.err") / 1024" | bc -l)"
printf 'serve / analyze throughput: %.2f\n' "$(echo "$file_s / $serve_s" | bc -l)"

# Backlog: BACKLOG messages waiting before serve starts; its peak memory must not grow with them.
if [[ $BACKLOG -gt 0 ]]; then
  start_mock "$BACKLOG_PARTITIONS"
  BIG=$WORK/backlog.json
  "$GEN" --lines "$BACKLOG" --seed 2 --out "$BIG" >/dev/null
  "$BUILD/produce_lines" --brokers "$BROKERS" --topic pg-log --key session_id "$BIG" >/dev/null
  rm -f "$BIG"
  write_config "$WORK/backlog.toml" "$WORK/backlog-db"
  /usr/bin/time -v "$RLS" --config "$WORK/backlog.toml" serve --until-idle \
    2>"$WORK/backlog.err" >/dev/null || { tail -5 "$WORK/backlog.err" >&2; exit 1; }
  printf 'backlog: %d messages on %d partitions drained in %.1f s; serve peak RSS %.0f MiB\n' \
    "$BACKLOG" "$BACKLOG_PARTITIONS" "$(drain_seconds "$WORK/backlog.err")" \
    "$(echo "$(peak_kib "$WORK/backlog.err") / 1024" | bc -l)"
fi
