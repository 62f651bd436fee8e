#!/usr/bin/env bash
# The command line's contract: documented exit codes, one-line errors (no stack traces), the
# report written even when the verdict is "not ready", and re-runs that do not double-count.
# Usage: cli_test.sh <rls-shadow binary> <source dir> <allocator: mimalloc | libc>
set -uo pipefail
bin=$1
src=$2
allocator=$3  # what the build links: mimalloc, or the C library's (sanitizer builds)
ex=$src/examples
work=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check NAME EXPECTED_EXIT ACTUAL_EXIT [condition...]
  local name=$1 want=$2 got=$3
  shift 3
  if [[ $got == "$want" ]] && { [[ $# -eq 0 ]] || "$@"; }; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name (exit $got, expected $want)"
    sed 's/^/  stderr: /' "$work/err" 2>/dev/null | head -5
  fi
}
one_line_error() { [[ $(wc -l <"$work/err") -eq 1 ]] && grep -q '^rls-shadow: ' "$work/err"; }

analyze() {
  "$bin" analyze --policies "$ex/migration.sql" --schema "$ex/schema.sql" --roles "$ex/roles.sql" \
    "$@" 2>"$work/err"
}

"$bin" analyze --no-such-flag >/dev/null 2>"$work/err"
check "unknown flag is a usage error" 2 $? one_line_error

analyze --log "$work/missing.json" --db "$work/db" >/dev/null
check "unreadable log is a runtime error" 1 $? one_line_error

printf 'CREATE POLICY p ON t USING (;\n' >"$work/bad.sql"
"$bin" analyze --policies "$work/bad.sql" --schema "$ex/schema.sql" --roles "$ex/roles.sql" \
  --log "$ex/postgres.json" --db "$work/db-bad" >/dev/null 2>"$work/err"
check "policy syntax error names file:line:col" 1 $? grep -q "bad.sql:1:" "$work/err"

printf '[readiness]\nwindow_dayz = 3\n' >"$work/bad.toml"
"$bin" --config "$work/bad.toml" report --db "$ex" >/dev/null 2>"$work/err"
check "unknown config key is an error" 1 $? grep -q "window_dayz" "$work/err"

analyze --log "$ex/postgres.json" --db "$work/db" --verdicts "$work/v1.jsonl" >/dev/null
check "analyze the example" 0 $?
"$bin" report --db "$work/db" --format json --out "$work/r1.json" 2>"$work/err"
check "report written although not ready" 0 $? grep -q '"ready": *false' "$work/r1.json"
"$bin" report --db "$work/db" --format md --fail-on-not-ready >"$work/r.md" 2>"$work/err"
check "--fail-on-not-ready exits 3 and still writes" 3 $? grep -q "NOT READY" "$work/r.md"

analyze --log "$ex/postgres.json" --db "$work/db" >/dev/null 2>"$work/err"
check "re-run of an analysed file" 0 $? grep -q "skipped" "$work/err"
"$bin" report --db "$work/db" --format json --out "$work/r2.json" 2>/dev/null
check "re-run does not double-count" 0 $? cmp -s "$work/r1.json" "$work/r2.json"

"$bin" report --db "$work/db" --since "not-a-time" >/dev/null 2>"$work/err"
check "bad --since is a clear error" 1 $? one_line_error

analyze --log "$ex/postgres.json" --db "$work/db-c1" --cdc-format binlog >/dev/null
check "unknown --cdc-format is a usage error" 2 $? one_line_error
analyze --log "$ex/postgres.json" --db "$work/db-c2" --cdc "$work/missing.jsonl" >/dev/null
check "unreadable change stream is a runtime error" 1 $? one_line_error
analyze --log - --cdc - --db "$work/db-c3" </dev/null >/dev/null
check "stdin for both --log and --cdc is an error" 1 $? one_line_error
printf 'not json\n{"action":"B","xid":1}\n{"action":"C","xid":1}\n' >"$work/bad-cdc.jsonl"
analyze --log "$ex/postgres.json" --db "$work/db-c4" --cdc "$work/bad-cdc.jsonl" >/dev/null
check "a malformed change event is counted and skipped" 0 $? grep -q "rejected (invalid_json)" "$work/err"

"$bin" ship >/dev/null 2>"$work/err" </dev/null
check "ship without --log or --cdc is a usage error" 2 $? one_line_error
"$bin" ship --cdc somefile >/dev/null 2>"$work/err" </dev/null
check "ship --cdc takes only - (stdin)" 2 $? one_line_error
"$bin" ship --cdc - --log "$work" >/dev/null 2>"$work/err" </dev/null
check "ship --cdc and --log together is a usage error" 2 $? one_line_error
"$bin" ship --cdc - >/dev/null 2>"$work/err" </dev/null
check "ship --cdc without kafka.change_topic is a clear error" 1 $? grep -q "change_topic" "$work/err"

# The allocator: --version names the one malloc is bound to (mimalloc unless a sanitizer build).
"$bin" --version >"$work/version" 2>"$work/err"
check "--version exits 0 and names the version" 0 $? grep -q '^rls-shadow [0-9]' "$work/version"
if [[ $allocator == mimalloc ]]; then
  check "malloc is bound to mimalloc, with huge pages" 0 0 \
    grep -q '^allocator: mimalloc .*, huge pages$' "$work/version"
  RLS_SHADOW_NO_HUGE_PAGES=1 "$bin" --version >"$work/version" 2>"$work/err"
  check "RLS_SHADOW_NO_HUGE_PAGES=1: mimalloc without huge pages" 0 $? \
    grep -qx 'allocator: mimalloc [0-9.]*' "$work/version"
else
  check "a sanitizer build keeps its own malloc" 0 0 \
    grep -qx "allocator: the C library's malloc" "$work/version"
fi

# Memory tuning: the process re-executes itself (same pid) with mimalloc's huge-page option,
# and RLS_SHADOW_NO_HUGE_PAGES=1 leaves it as started; the results are the same either way.
mkfifo "$work/log.fifo"
(env -u MIMALLOC_LARGE_OS_PAGES "$bin" analyze --policies "$ex/migration.sql" \
  --schema "$ex/schema.sql" --roles "$ex/roles.sql" --log - --db "$work/db-t1" \
  <"$work/log.fifo" >/dev/null 2>"$work/err") &
tuned_pid=$!
exec 3>"$work/log.fifo"  # holds the log open, so analyze waits while its environment is read
tuned=0
for _ in $(seq 100); do
  # The subshell's child is the binary; the subshell itself may exec it directly.
  for pid in $tuned_pid $(pgrep -P "$tuned_pid" 2>/dev/null); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx 'MIMALLOC_LARGE_OS_PAGES=1'; then
      tuned=1
    fi
  done
  [[ $tuned == 1 || $allocator != mimalloc ]] && break
  sleep 0.05
done
cat "$ex/postgres.json" >&3
exec 3>&-
wait "$tuned_pid"
status=$?
if [[ $allocator == mimalloc ]]; then
  check "re-executed with MIMALLOC_LARGE_OS_PAGES=1" 0 $status [ "$tuned" = 1 ]
else
  check "a sanitizer build runs as started" 0 $status [ "$tuned" = 0 ]
fi
RLS_SHADOW_NO_HUGE_PAGES=1 "$bin" analyze --policies "$ex/migration.sql" \
  --schema "$ex/schema.sql" --roles "$ex/roles.sql" --log - --db "$work/db-t2" \
  <"$ex/postgres.json" >/dev/null 2>"$work/err"
check "RLS_SHADOW_NO_HUGE_PAGES=1 runs as started" 0 $?
"$bin" report --db "$work/db-t1" --format json --out "$work/t1.json" 2>/dev/null
"$bin" report --db "$work/db-t2" --format json --out "$work/t2.json" 2>/dev/null
check "the same results with and without huge pages" 0 $? cmp -s "$work/t1.json" "$work/t2.json"

echo "cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
