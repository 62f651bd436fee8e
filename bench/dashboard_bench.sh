#!/usr/bin/env bash
# The dashboard API under load: a state directory with 1M would-be-denial counters (gen_counters),
# `rls-shadow dashboard` over it, then wrk (Debian package) against /api/v1/readiness and a
# filtered /api/v1/denials. Prints requests/s and p99 latency of each.
#   bench/dashboard_bench.sh [build dir] [counters]   (defaults: build, 1000000)
# Environment: DURATION (default 15s), CONNECTIONS (default 32), THREADS (default 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
counters=${2:-1000000}
duration=${DURATION:-15s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-dashboard-bench.XXXXXX")
server=
trap '[[ -n $server ]] && kill $server 2>/dev/null; rm -rf "$work"' EXIT

start=$(date +%s.%N)
"$build/bench/gen_counters" --db "$work/db" --counters "$counters"
echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s"

token=bench-$RANDOM$RANDOM
RLS_SHADOW_HTTP_TOKEN=$token "$build/rls-shadow" dashboard --db "$work/db" \
  --listen 127.0.0.1:0 2>"$work/server.err" &
server=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/server.err")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/server.err"; exit 1; }
base=http://127.0.0.1:$port
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $token" "$base/api/v1/readiness" >/dev/null
echo "first readiness (builds the view over $counters counters): $(echo "$(date +%s.%N) - $start" | bc) s"
echo "server RSS: $(ps -o rss= -p $server) KiB"

run() {  # run NAME PATH
  echo "== $1: GET $2 ($connections connections, $threads threads, $duration)"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency \
    -H "Authorization: Bearer $token" "$base$2" | tee "$work/wrk.out" |
    grep -E "Requests/sec|Non-2xx" || true
  grep -E "^ +99%" "$work/wrk.out" | sed 's/^ */p99 /'
}
run readiness /api/v1/readiness
run denials "/api/v1/denials?table=public.table_7&cause=stale_context&lane=lane_7&limit=50"
