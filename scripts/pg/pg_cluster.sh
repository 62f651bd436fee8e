#!/usr/bin/env bash
# Starts and stops a private, throw-away PostgreSQL 15 cluster that logs in the format rls-shadow
# reads (jsonlog, log_statement=all, full parameters, C-locale messages).
#
#   pg_cluster.sh start DIR [--port N] [--log-name NAME]   # initdb on first use, then start
#   pg_cluster.sh stop DIR
#   pg_cluster.sh status DIR
#
# DIR is created if missing and holds data/, sock/ (the unix socket), log/ and cluster.env, a file
# of shell assignments (PGHOST PGPORT PGUSER PG_SOCKET_DIR PG_LOG_FILE PG_BINDIR) for callers to
# source. The server listens on 127.0.0.1 only, with trust authentication: it exists for tests and
# must never be reachable from elsewhere. The bootstrap superuser is always "postgres".
#
# PostgreSQL refuses to run as root, so as root the cluster runs as an unprivileged system user
# ($RLS_SHADOW_PG_USER, default rlsshadow_pg, created if missing); as any other user it runs as
# that user. The distribution's own cluster (port 5432) is neither used nor touched.
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${RLS_SHADOW_PG_USER:-rlsshadow_pg}

die() { echo "pg_cluster: $*" >&2; exit 1; }

usage() {
  sed -n '5,8p' "$0" >&2
  exit 2
}

# Runs a command as the user that owns the cluster.
as_pg_user() {
  if [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null; then
      runuser -u "$PG_OS_USER" -- "$@"
    else
      sudo -u "$PG_OS_USER" -- "$@"
    fi
  else
    "$@"
  fi
}

ensure_pg_user() {
  [[ $(id -u) -eq 0 ]] || return 0
  if ! id "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --create-home --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
}

# The cluster user must be able to reach DIR: a root-owned mktemp directory is mode 0700.
check_reachable() {
  local dir=$1
  if ! as_pg_user test -x "$dir"; then
    die "$dir is not reachable by user $PG_OS_USER (make its parent directories world-searchable)"
  fi
}

# A port nobody listens on: probe upward from a pseudo-random start. The remaining race with
# other processes is handled by retrying start with the next port.
free_port() {
  local port=$((20000 + (RANDOM % 20000)))
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

write_conf() {
  local dir=$1
  # Appended to the initdb default configuration; later settings win.
  as_pg_user tee -a "$dir/data/postgresql.conf" >/dev/null <<EOF

# --- rls-shadow private test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
log_destination = 'jsonlog'
logging_collector = on
log_directory = '$dir/log'
log_filename = 'pg.log'
log_file_mode = 0644
log_rotation_age = 0
log_rotation_size = 0
log_statement = 'all'
log_parameter_max_length = -1
log_parameter_max_length_on_error = -1
log_min_messages = warning
log_min_error_statement = error
log_connections = on
log_disconnections = on
lc_messages = 'C'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 32MB
# logical decoding (wal2json), for scripts/pg/capture_cdc.sh and CDC tests
wal_level = logical
max_replication_slots = 4
max_wal_senders = 4
EOF
}

cmd_start() {
  local dir=$1
  shift
  local port="" log_name="pg"
  while (($#)); do
    case $1 in
      --port) port=$2; shift 2 ;;
      --log-name) log_name=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ -x $PG_BINDIR/pg_ctl ]] || die "no PostgreSQL binaries in $PG_BINDIR (run scripts/install-deps.sh)"
  ensure_pg_user
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    chown "$PG_OS_USER" "$dir"
    chmod 0755 "$dir"
  fi
  check_reachable "$dir"
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    as_pg_user mkdir -p "$dir/data" "$dir/sock" "$dir/log"
    as_pg_user chmod 0700 "$dir/data"
    as_pg_user "$PG_BINDIR/initdb" --pgdata="$dir/data" --username=postgres --auth=trust \
      --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.out" 2>&1 ||
      { cat "$dir/initdb.out" >&2; die "initdb failed"; }
    write_conf "$dir"
  fi
  local tries=0 fixed_port=$port
  while :; do
    [[ -n $port ]] || port=$(free_port)
    # -c log_filename: each start can log to its own file (the differential test keeps the
    # shadow run's log apart from the enforced run's). The jsonlog file gets the .json suffix.
    if as_pg_user "$PG_BINDIR/pg_ctl" --pgdata="$dir/data" --wait --timeout=60 \
        --log="$dir/startup.log" \
        -o "-p $port -c log_filename=$log_name.log" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    # Only a lost race for an automatically chosen port is worth another try.
    if [[ -n $fixed_port ]] || ((tries >= 5)) ||
        ! grep -q "could not bind\|already in use" "$dir/startup.log" 2>/dev/null; then
      cat "$dir/startup.log" >&2 || true
      die "could not start PostgreSQL"
    fi
    port=""
  done
  cat >"$dir/cluster.env" <<EOF
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=postgres
PG_SOCKET_DIR=$dir/sock
PG_LOG_FILE=$dir/log/$log_name.json
PG_BINDIR=$PG_BINDIR
EOF
  echo "pg_cluster: started on 127.0.0.1:$port, log $dir/log/$log_name.json" >&2
}

cmd_stop() {
  local dir=$1
  [[ -f $dir/data/postmaster.pid ]] || return 0
  as_pg_user "$PG_BINDIR/pg_ctl" --pgdata="$dir/data" --wait --timeout=60 --mode=fast stop >/dev/null
}

cmd_status() {
  local dir=$1
  as_pg_user "$PG_BINDIR/pg_ctl" --pgdata="$dir/data" status
}

(($# >= 2)) || usage
action=$1
dir=$2
shift 2
case $action in
  start) cmd_start "$dir" "$@" ;;
  stop) cmd_stop "$dir" ;;
  status) cmd_status "$dir" ;;
  *) usage ;;
esac
