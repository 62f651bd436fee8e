#!/usr/bin/env bash
# Installs the Debian 12 packages rls-shadow builds, tests and benchmarks with.
# Idempotent: only what is missing is installed, so it is cheap to call before every build.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpg-query-dev libsimdjson-dev librocksdb-dev libspdlog-dev libfmt-dev libmimalloc-dev
  libcli11-dev libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev
  librdkafka-dev libpq-dev postgresql-15 postgresql-15-wal2json postgresql-15-pgaudit pgbadger
  libboost-dev wrk chromium
  sudo procps time bc python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages (${missing[*]}); run as root or install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
