#!/usr/bin/env bash
# analyze_bench.sh: end-to-end throughput of `rls-shadow analyze` next to pgBadger, in one run, on
# the same generated PostgreSQL 15 jsonlog (bench/gen_jsonlog, 1M lines by default) and the policy
# files in bench/policies/. Builds nothing; build first:
#
#   cmake -S . -B build-bench && cmake --build build-bench --target rls-shadow gen_jsonlog -j2
#   bench/analyze_bench.sh build-bench
#
# Measures wall time (lines/s) and peak RSS (/usr/bin/time -v) of
#   (a) rls-shadow analyze --policies --schema --roles --log --db, on all cores, then ROUNDS
#       times pinned to one core (taskset -c 0; the median is the figure);
#   (b) pgbadger -f jsonlog -o report.html (single process, as pgBadger runs by default);
# and prints the ratio rls-shadow / pgBadger in lines/s. Around the pinned runs it also runs
# BUILD_DIR/bench/ondemand_floor (simdjson On-Demand alone over the same log, on the same core):
# the host's speed at the time, which varies by up to 1.5x within a day. The log is generated once and cached in
# BUILD_DIR/bench-data/ (regenerated when gen_jsonlog is newer). Before that, a 10,000-line log is
# generated and checked to be one valid JSON object per line.
#
# Environment: LINES (1000000), SESSIONS (3000), SEED (1), ROUNDS (3), PGBADGER_JOBS (1),
#   SKIP_PGBADGER=1, SKIP_RLS_SHADOW=1, RLS_SHADOW_EXTRA_ARGS (appended to the analyze command),
#   RLS_SHADOW (the binary; default BUILD_DIR/rls-shadow).
# The machine may be shared: besides wall time the table shows CPU time (user + sys) and lines per
# CPU-second, which load from other processes disturbs much less.
# Results are also written to BUILD_DIR/bench-data/analyze_bench.txt.
# Exit status: 0 when every measurement that could run succeeded; 1 otherwise; 2 on usage errors.
set -euo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
[[ -d $1 ]] || { echo "analyze_bench.sh: no build directory $1" >&2; exit 2; }

BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POLICIES=$HERE/policies
LINES=${LINES:-1000000}
SESSIONS=${SESSIONS:-3000}
SEED=${SEED:-1}
ROUNDS=${ROUNDS:-3}
PGBADGER_JOBS=${PGBADGER_JOBS:-1}
DATA=$BUILD/bench-data
RESULTS=$DATA/analyze_bench.txt
FAILED=0

first_executable() {
  local p
  for p in "$@"; do
    if [[ -x $p ]]; then echo "$p"; return 0; fi
  done
  return 1
}
GEN=$(first_executable "$BUILD/bench/gen_jsonlog" "$BUILD/gen_jsonlog") || {
  echo "analyze_bench.sh: gen_jsonlog is not built in $BUILD" \
       "(cmake --build $BUILD --target gen_jsonlog -j2)" >&2
  exit 2
}
RLS=$(first_executable "${RLS_SHADOW:-$BUILD/rls-shadow}") || RLS=""
FLOOR=$(first_executable "$BUILD/bench/ondemand_floor") || FLOOR=""
[[ -x /usr/bin/time ]] || { echo "analyze_bench.sh: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DATA"
: >"$RESULTS"

say() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

now() { date +%s.%N; }

# run_measured NAME CMD...: runs CMD under /usr/bin/time -v with stdout/stderr in
# $WORK/NAME.{out,err}; sets STATUS, WALL and CPU (user + sys seconds) and RSS_MB.
run_measured() {
  local name=$1 t0 t1
  shift
  t0=$(now)
  set +e
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  STATUS=$?
  set -e
  t1=$(now)
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  RSS_MB=$(awk -F': *' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' \
    "$WORK/$name.time" 2>/dev/null || true)
  [[ -n $RSS_MB ]] || RSS_MB="?"
  CPU=$(awk -F': *' '/(User|System) time \(seconds\)/ { t += $2 } END { printf "%.2f", t }' \
    "$WORK/$name.time" 2>/dev/null || true)
  [[ -n $CPU ]] || CPU="?"
}

per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }'; }

ROWS=()
add_row() {  # what wall cpu rss status; lines/s and lines per CPU-second are derived
  local per_wall="-" per_cpu="-"
  if [[ $2 != - && $5 == ok* ]]; then
    per_wall=$(per_second "$LINES" "$2")
    per_cpu=$(per_second "$LINES" "$3")
  fi
  ROWS+=("$(printf '  %-36s %8s %8s %10s %11s %8s  %s' "$1" "$2" "$3" "$per_wall" "$per_cpu" "$4" \
    "$5")")
}

# --- 1. Sanity: a small log, one JSON object per line ------------------------------------------
"$GEN" --lines 10000 --sessions 300 --seed "$SEED" --out "$WORK/sanity.json" 2>/dev/null
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/sanity.json" || {
  echo "analyze_bench.sh: gen_jsonlog wrote a line that is not valid JSON" >&2
  exit 1
}
sanity_lines=$(wc -l <"$WORK/sanity.json")
[[ $sanity_lines -eq 10000 ]] || { echo "analyze_bench.sh: expected 10000 lines, got $sanity_lines" >&2; exit 1; }
say "sanity: gen_jsonlog --lines 10000: $sanity_lines lines, all valid JSON"

# --- 2. The benchmark log (cached) -------------------------------------------------------------
LOG=$DATA/jsonlog-l$LINES-s$SESSIONS-seed$SEED.json
if [[ ! -s $LOG || $GEN -nt $LOG || ! -s $LOG.gen.txt ]]; then
  rm -f "$LOG"
  run_measured gen "$GEN" --lines "$LINES" --sessions "$SESSIONS" --seed "$SEED" --out "$LOG.tmp"
  if [[ $STATUS -ne 0 ]]; then
    cat "$WORK/gen.err" >&2
    exit 1
  fi
  mv "$LOG.tmp" "$LOG"
  {
    cat "$WORK/gen.err"
    echo "wall ${WALL}s, peak RSS ${RSS_MB} MB"
  } >"$LOG.gen.txt"
  gen_note="generated now"
else
  gen_note="cached"
fi
LOG_MB=$(awk -v b="$(stat -c %s "$LOG")" 'BEGIN { printf "%.1f", b / 1e6 }')
say "log: $LOG ($LINES lines, $LOG_MB MB, $gen_note)"
sed 's/^/  /' "$LOG.gen.txt" | tee -a "$RESULTS"
cat "$LOG" >/dev/null  # warm the page cache: both tools read it from memory

# --- 3. rls-shadow analyze ---------------------------------------------------------------------
RLS_SECONDS=""
RLS_CPU=""
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ ${SKIP_RLS_SHADOW:-0} == 1 ]]; then
  add_row "rls-shadow analyze" "-" "-" "-" "skipped (SKIP_RLS_SHADOW=1)"
elif [[ -z $RLS ]]; then
  add_row "rls-shadow analyze" "-" "-" "-" "not built: ${RLS_SHADOW:-$BUILD/rls-shadow} is missing"
elif ! "$RLS" analyze --help >/dev/null 2>&1; then
  add_row "rls-shadow analyze" "-" "-" "-" "'rls-shadow analyze --help' fails: not available"
else
  # shellcheck disable=SC2206  # word splitting of the extra arguments is intended
  extra=(${RLS_SHADOW_EXTRA_ARGS:-})
  floor() {  # the host's speed now: simdjson alone over the log, on the pinned core
    [[ -n $FLOOR ]] || { say "host: ondemand_floor is not built ($BUILD/bench/ondemand_floor)"; return; }
    say "host $1: $(taskset -c 0 "$FLOOR" "$LOG" | head -n 1)"
  }
  PINNED=()
  for mode in all $(seq -s ' ' 1 "$ROUNDS"); do
    if [[ $mode == all ]]; then
      label="rls-shadow analyze ($(nproc) cores)"
      pin=()
    else
      [[ $mode == 1 ]] && floor before
      label="rls-shadow analyze (taskset -c 0) #$mode"
      pin=(taskset -c 0)
    fi
    rm -rf "$WORK/db-$mode"
    run_measured "rls-$mode" "${pin[@]}" "$RLS" analyze \
      --policies "$POLICIES/migration.sql" --schema "$POLICIES/schema.sql" \
      --roles "$POLICIES/roles.sql" --log "$LOG" --db "$WORK/db-$mode" "${extra[@]}"
    rm -rf "$WORK/db-$mode"
    if [[ $STATUS -eq 0 ]]; then
      add_row "$label" "$WALL" "$CPU" "$RSS_MB" "ok"
      if [[ $mode == all ]]; then
        RLS_SECONDS=$WALL
        RLS_CPU=$CPU
      else
        PINNED+=("$WALL")
      fi
    else
      add_row "$label" "$WALL" "$CPU" "$RSS_MB" "FAILED (exit $STATUS), stderr tail below"
      FAILED=1
      {
        echo "--- rls-shadow analyze ($mode) stderr (last 15 lines):"
        tail -n 15 "$WORK/rls-$mode.err"
      } >>"$WORK/notes"
    fi
  done
  floor after
  if [[ ${#PINNED[@]} -gt 0 ]]; then
    PINNED_MEDIAN=$(printf '%s\n' "${PINNED[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    say "rls-shadow analyze pinned to one core, median of ${#PINNED[@]}: ${PINNED_MEDIAN} s, $(
      per_second "$LINES" "$PINNED_MEDIAN") lines/s"
  fi
  {
    echo "--- rls-shadow analyze output (last 10 lines):"
    tail -n 10 "$WORK/rls-all.out" "$WORK/rls-all.err" 2>/dev/null
  } >>"$WORK/notes"
fi

# --- 4. pgBadger -------------------------------------------------------------------------------
# pgBadger 11.6+ reads PostgreSQL 15 jsonlog with -f jsonlog (the same option it uses for Cloud SQL
# JSON logs). Its progress line ("queries: N, events: M") tells whether it understood the log;
# when it counted no query, the script tries format autodetection too and says so.
PGB_SECONDS=""
PGB_CPU=""
pgbadger_queries() {  # prints the last "queries: N" pgBadger reported for run NAME
  cat "$WORK/$1.out" "$WORK/$1.err" 2>/dev/null | tr '\r' '\n' |
    sed -n 's/.*queries: \([0-9]*\).*/\1/p' | tail -n 1
}
if [[ ${SKIP_PGBADGER:-0} == 1 ]]; then
  add_row "pgbadger" "-" "-" "-" "skipped (SKIP_PGBADGER=1)"
elif ! command -v pgbadger >/dev/null 2>&1; then
  add_row "pgbadger" "-" "-" "-" "not installed (apt-get install pgbadger)"
else
  pgb_version=$(pgbadger --version 2>/dev/null | head -n 1)
  for variant in "-f jsonlog" ""; do
    # shellcheck disable=SC2206
    fmt=($variant)
    run_measured pgbadger pgbadger "${fmt[@]}" -j "$PGBADGER_JOBS" -o "$WORK/pgbadger.html" "$LOG"
    queries=$(pgbadger_queries pgbadger)
    label="pgbadger ${variant:-(autodetect)} -j $PGBADGER_JOBS"
    if [[ $STATUS -eq 0 && ${queries:-0} -gt 0 ]]; then
      add_row "$label" "$WALL" "$CPU" "$RSS_MB" "ok: $pgb_version, $queries queries counted"
      PGB_SECONDS=$WALL
      PGB_CPU=$CPU
      break
    fi
    add_row "$label" "$WALL" "$CPU" "$RSS_MB" \
      "did not understand the log (exit $STATUS, ${queries:-0} queries counted)"
    {
      echo "--- pgbadger ${variant:-(autodetect)} stderr (last 10 lines):"
      tr '\r' '\n' <"$WORK/pgbadger.err" | tail -n 10
    } >>"$WORK/notes"
  done
  [[ -n $PGB_SECONDS ]] || FAILED=1
fi

# --- 5. Results --------------------------------------------------------------------------------
say ""
say "load average before the runs: $LOAD_BEFORE ($(nproc) cores)"
say "$(printf '  %-36s %8s %8s %10s %11s %8s  %s' "what" "wall s" "cpu s" "lines/s" \
  "lines/cpu-s" "RSS MB" "status")"
for row in "${ROWS[@]}"; do say "$row"; done
if [[ -n $RLS_SECONDS && -n $PGB_SECONDS ]]; then
  say ""
  say "ratio rls-shadow / pgbadger, lines/s (rls-shadow on all cores): $(
    awk -v r="$RLS_SECONDS" -v p="$PGB_SECONDS" 'BEGIN { printf "%.2fx", p / r }')"
  say "ratio rls-shadow / pgbadger, lines per CPU-second:                $(
    awk -v r="$RLS_CPU" -v p="$PGB_CPU" 'BEGIN { if (r > 0) printf "%.2fx", p / r; else print "?" }')"
else
  say ""
  say "ratio rls-shadow / pgbadger: not available (one of the two did not run)"
fi
if [[ -s $WORK/notes ]]; then
  say ""
  tee -a "$RESULTS" <"$WORK/notes"
fi
say ""
say "results written to $RESULTS"
exit "$FAILED"
