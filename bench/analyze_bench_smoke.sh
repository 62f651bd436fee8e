#!/usr/bin/env bash
# analyze_bench_smoke.sh BUILD_DIR: runs analyze_bench.sh on a 20,000-line log without pgBadger
# and checks that it measured what it reports: two pinned runs and their median, and the host's
# simdjson floor before and after them. (ctest: analyze_bench_smoke.)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(LINES=20000 SESSIONS=200 ROUNDS=2 SKIP_PGBADGER=1 "$here/analyze_bench.sh" "$1" 2>&1) || {
  printf '%s\n' "$out"
  echo "analyze_bench_smoke: analyze_bench.sh failed" >&2
  exit 1
}
fail=0
expect() {  # PATTERN WHAT
  grep -Eq "$1" <<<"$out" || { echo "analyze_bench_smoke: no $2 in the output" >&2; fail=1; }
}
expect '^host before: simdjson On-Demand \([a-z0-9_]+\): 20000 lines, .*: [0-9]+ lines/s$' \
  "floor before the pinned runs"
expect '^host after: simdjson On-Demand' "floor after the pinned runs"
expect 'rls-shadow analyze \(taskset -c 0\) #2 .* ok$' "second pinned run"
expect '^rls-shadow analyze pinned to one core, median of 2: [0-9.]+ s, [0-9]+ lines/s$' \
  "median of the pinned runs"
[[ $fail -eq 0 ]] || printf '%s\n' "$out"
exit "$fail"
