#!/usr/bin/env bash
# The dashboard page in a real browser: analyses the bundled example, starts
# `rls-shadow dashboard` on a free loopback port with a token, loads the page in headless
# Chromium (Debian's `chromium`), and checks the verdict and the rows it rendered from the API.
# Saves a screenshot as <out dir>/dashboard.png.
# Usage: browser_test.sh <rls-shadow binary> <source dir> <out dir>
set -uo pipefail
bin=$1
src=$2
out=$3
ex=$src/examples
command -v chromium >/dev/null || { echo "chromium is not installed (scripts/install-deps.sh)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-browser.XXXXXX")
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" analyze --policies "$ex/migration.sql" --schema "$ex/schema.sql" --roles "$ex/roles.sql" \
  --log "$ex/postgres.json" --db "$work/db" 2>"$work/analyze.err" || fail "analyze"

token=browser-test-$RANDOM$RANDOM
RLS_SHADOW_HTTP_TOKEN=$token "$bin" dashboard --db "$work/db" --listen 127.0.0.1:0 \
  2>"$work/server.err" &
server=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/server.err")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || fail "dashboard did not start: $(cat "$work/server.err")"

chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$work/chrome-$1" --virtual-time-budget=10000 \
    --window-size=1280,2400 "${@:2}" "http://127.0.0.1:$port/?access_token=$token" \
    2>>"$work/chrome.err"
}
chrome dom --dump-dom >"$work/dom.html" || fail "chromium --dump-dom: $(tail -3 "$work/chrome.err")"
mkdir -p "$out"
chrome shot --screenshot="$out/dashboard.png" >/dev/null || fail "chromium --screenshot"

dom=$work/dom.html
grep -q 'data-loaded="1"' "$dom" || fail "the page did not finish loading: $(grep -o '<p id="error">[^<]*' "$dom")"
grep -q '<div id="verdict" class="notready">NOT READY</div>' "$dom" || fail "verdict NOT READY not shown"
for table in public.orders public.invoices; do
  grep -q "<tr data-table=\"$table\">" "$dom" || fail "no row for $table"
done
denial_rows=$(sed -n '/<table id="denials">/,/<\/table>/p' "$dom" | grep -o '<tr>' | wc -l)
((denial_rows >= 3)) || fail "denials table has $denial_rows rows"
grep -q '<svg[^>]*id="hourly"' "$dom" || fail "no hourly chart"
grep -q '<table id="code-paths">' "$dom" && grep -q '<table id="lanes">' "$dom" || fail "sections missing"
[[ -s $out/dashboard.png ]] || fail "no screenshot"
grep -q "$token" "$work/server.err" && fail "the token was logged"
echo "browser: ok (port $port, $denial_rows denial rows, screenshot $out/dashboard.png)"
