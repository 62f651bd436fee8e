#!/usr/bin/env bash
# The test suite: installs what is missing, builds everything with warnings as errors, runs the
# unit tests and the differential test against a real PostgreSQL 15 (ctest), then builds the unit
# tests again under AddressSanitizer + UndefinedBehaviorSanitizer and runs them.
#   SKIP_SANITIZERS=1  skips the sanitizer pass.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)

bash scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRLS_SHADOW_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

if [[ ${SKIP_SANITIZERS:-0} != 1 ]]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRLS_SHADOW_SANITIZE=ON \
    -DRLS_SHADOW_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs" --target rls-shadow common_tests ingest_tests cdc_tests \
    analyze_tests store_tests report_tests pipeline_tests http_tests serve_tests ship_tests
  (cd build-asan && ctest --output-on-failure -j"$jobs" -LE integration)
fi
