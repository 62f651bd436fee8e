#!/usr/bin/env bash
# build_release.sh [BUILD_DIR]: the release build of rls-shadow, optimised with the profile of a
# training run (GCC's profile-guided optimisation). It builds an instrumented binary, runs
# `analyze` on a generated 300,000-line jsonlog (bench/gen_jsonlog --seed 7 with the bench's
# policies) and on the bundled example, then builds again using what those runs counted: which
# branches go which way, which calls are hot, how the code is laid out. `analyze` runs 6-10%
# faster for it (bench/HISTORY.md). The training log is not the benchmark's (seed 1).
#
# A profile changes how the code is arranged, not what it computes. The script checks that
# anyway: the optimised binary must write, for the training log, the same JSON report as the
# instrumented one did, byte for byte, or the script fails.
#
# BUILD_DIR defaults to build-release; the binary is BUILD_DIR/rls-shadow, and
# `bench/analyze_bench.sh BUILD_DIR` measures it. BUILD_TYPE is CMake's (default RelWithDebInfo:
# -O2, as the measured builds). Takes ~7 minutes on two cores. Needs the dependencies
# (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${1:-build-release}
mkdir -p "$build"
build=$(cd "$build" && pwd)
profile=$build/pgo-profile
jobs=$(nproc)
work=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-pgo.XXXXXX")
trap 'rm -rf "$work"' EXIT

configure() {  # FLAGS: the compiler flags of this phase
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DRLS_SHADOW_WERROR=OFF -DCMAKE_CXX_FLAGS="$1" >/dev/null
}

# analyze_training NAME: analyses the training log into $work/NAME and writes its JSON report.
analyze_training() {
  "$build/rls-shadow" analyze --policies bench/policies/migration.sql \
    --schema bench/policies/schema.sql --roles bench/policies/roles.sql \
    --log "$work/train.json" --db "$work/$1" >/dev/null 2>&1
  "$build/rls-shadow" report --db "$work/$1" --format json >"$work/$1.json"
}

echo "build_release.sh: 1/3 instrumented build in $build"
rm -rf "$profile"
# Atomic counters: the process runs threads (RocksDB's among them), and racing counters can
# leave a profile GCC rejects as not flow-consistent.
configure "-fprofile-generate=$profile -fprofile-update=atomic"
cmake --build "$build" --target rls-shadow gen_jsonlog -j"$jobs" >/dev/null

echo "build_release.sh: 2/3 training run"
"$build/bench/gen_jsonlog" --lines 300000 --sessions 1000 --seed 7 --out "$work/train.json" \
  2>/dev/null
analyze_training trained
"$build/rls-shadow" --config config/rls-shadow.toml analyze --policies examples/migration.sql \
  --schema examples/schema.sql --roles examples/roles.sql --log examples/postgres.json \
  --db "$work/example" >/dev/null 2>&1
"$build/rls-shadow" report --db "$work/example" --format md >/dev/null

echo "build_release.sh: 3/3 optimised build"
# -fprofile-partial-training: code the training did not run is optimised as usual, not for size.
# -fprofile-correction: what inconsistency is left (inline functions counted in several
# threads' copies) is smoothed rather than an error.
configure "-fprofile-use=$profile -fprofile-partial-training -fprofile-correction -Wno-missing-profile"
# The bench's tools too, so that bench/analyze_bench.sh can measure this build directory.
cmake --build "$build" --target rls-shadow gen_jsonlog ondemand_floor -j"$jobs" >/dev/null
analyze_training optimised
if ! cmp -s "$work/trained.json" "$work/optimised.json"; then
  echo "build_release.sh: the optimised binary's report of the training log differs from the" \
    "instrumented binary's" >&2
  exit 1
fi
echo "build_release.sh: $build/rls-shadow (its report of the training log is the instrumented" \
  "build's, byte for byte)"
