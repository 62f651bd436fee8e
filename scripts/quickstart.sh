#!/usr/bin/env bash
# Quick start: installs what is missing, builds rls-shadow, analyses the bundled example (a real
# PostgreSQL 15 jsonlog with its schema, roles and restrictive migration, made by
# examples/generate.sh) and prints the readiness report.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRLS_SHADOW_BENCH=OFF >/dev/null
cmake --build build --target rls-shadow -j"$(nproc)"

state=$(mktemp -d "${TMPDIR:-/tmp}/rls-shadow-example.XXXXXX")
trap 'rm -rf "$state"' EXIT
./build/rls-shadow --config config/rls-shadow.toml analyze \
  --policies examples/migration.sql --schema examples/schema.sql --roles examples/roles.sql \
  --log examples/postgres.json --db "$state/db"
./build/rls-shadow --config config/rls-shadow.toml report --db "$state/db" --format md
