#!/usr/bin/env bash
# Installs and starts what Nearhand needs on a Debian 12 machine; safe to run again and again.
#   scripts/provision.sh system    apt packages (as root, or through sudo)
#   scripts/provision.sh database  a local PostgreSQL role, database and extensions (unless DATABASE_URL is set)
#   scripts/provision.sh redis     a local Redis when nothing answers at REDIS_URL
#   scripts/provision.sh stripe    localstripe (the offline Stripe) when STRIPE_API_BASE is local
#                                  and nothing answers there
#   scripts/provision.sh replica   a local streaming read replica of that cluster for the tests
#                                  (a second cluster on REPLICA_PORT; unless DATABASE_URL is set)
#   scripts/provision.sh bench     what only `make bench` needs: wrk, the HTTP load generator
#   scripts/provision.sh pgbouncer a PgBouncer in transaction mode on 127.0.0.1:$PGBOUNCER_PORT
#                                  (6433) in front of the database, for the tests that go through it
set -euo pipefail

APT_PACKAGES=(
  python3 python3-venv
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib
  libgdal32 libgeos-c1v5 libproj25
  redis-server redis-tools
  curl
  pgbouncer nginx openssl
  chromium fonts-liberation
  fonts-dejavu-core
)
# `make bench` alone drives the site over HTTP with it; nothing else needs it.
BENCH_APT_PACKAGES=(wrk)
# The browser tests' npm packages (axe-core). Only when there is no npm at all: a Node.js from
# elsewhere (NodeSource bundles npm) must not be replaced by Debian's.
NODE_PACKAGES=(nodejs npm)
DB_NAME=nearhand
DB_USER=nearhand
DB_PASSWORD=nearhand
PG_VERSION=15
PGBOUNCER_PORT="${PGBOUNCER_PORT:-6433}"
# The tests' read replica: a second cluster of the same version, streaming from "main" through
# a physical replication slot.
REPLICA_CLUSTER=replica
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_SLOT=nearhand_replica
# What the slot may hold back on the primary for a replica that stopped: past it the slot is
# given up (the replica is rebuilt by the next run) rather than filling the primary's disk.
REPLICA_SLOT_WAL_LIMIT=4GB
PGBOUNCER_POOL_SIZE="${PGBOUNCER_POOL_SIZE:-4}"
PGBOUNCER_DIR="${PGBOUNCER_DIR:-$(pwd)/var/pgbouncer}"

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "run as root (or install sudo) to install: $*"
  fi
}

# Prints the packages given that dpkg does not have installed.
apt_missing() {
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || echo "$package"
  done
}

apt_install() {
  [ $# -eq 0 ] && return 0
  say "Installing system packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$@" >/dev/null
}

provision_system() {
  local missing
  mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
  command -v npm >/dev/null || missing+=("${NODE_PACKAGES[@]}")
  apt_install "${missing[@]}"
}

provision_bench() {
  local missing
  mapfile -t missing < <(apt_missing "${BENCH_APT_PACKAGES[@]}")
  apt_install "${missing[@]}"
}

psql_admin() {
  # Peer authentication on the Unix socket: admin SQL runs as the postgres system user.
  as_root runuser -u postgres -- env PGOPTIONS='-c client_min_messages=warning' psql -v ON_ERROR_STOP=1 -qtAX "$@"
}

provision_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "Using DATABASE_URL (it must have the postgis, btree_gist and pg_trgm extensions)"
    return 0
  fi
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    say "Creating the PostgreSQL $PG_VERSION cluster"
    as_root pg_createcluster "$PG_VERSION" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    say "Starting PostgreSQL $PG_VERSION"
    as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
  fi
  for _ in $(seq 1 30); do
    psql_admin -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
  done
  psql_admin -c "SELECT 1" >/dev/null || die "PostgreSQL does not answer"

  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
    say "Creating the database role $DB_USER"
    psql_admin -c "CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
    say "Creating the database $DB_NAME"
    psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi
  # PostGIS needs a superuser. template1 gets the extensions too, so the test database that
  # pytest-django creates from it has them.
  for database in "$DB_NAME" template1; do
    psql_admin -d "$database" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS btree_gist; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
  done
  # What the settings send as the `options` startup parameter, on the role too, for connections
  # through PgBouncer in transaction mode, which cannot send it (docs/operations.md).
  psql_admin -c "ALTER ROLE $DB_USER SET jit = off" \
    -c "ALTER ROLE $DB_USER SET max_parallel_workers_per_gather = 0"
}

# --- The read replica (make test; docs/operations.md "Read replicas") ------------------------
psql_replica() {
  as_root runuser -u postgres -- env PGOPTIONS='-c client_min_messages=warning' \
    psql -p "$REPLICA_PORT" -v ON_ERROR_STOP=1 -qtAX "$@"
}

cluster_field() {  # cluster_field NAME COLUMN: a column of pg_lsclusters for one cluster
  pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$1" -v f="$2" '$1 == v && $2 == c {print $f}'
}

# 0 when it is in recovery, copied from this primary (the same system identifier) and
# streaming from it; 2 when it answers but is none of that (promoted, or another server's
# copy): no waiting mends that; 1 when it does not answer or does not stream yet.
replica_streaming() {
  local primary replica
  primary="$(psql_admin -c "SELECT system_identifier FROM pg_control_system()")" || return 1
  replica="$(psql_replica -c "SELECT system_identifier || ' ' || pg_is_in_recovery() FROM pg_control_system()" 2>/dev/null)" \
    || return 1
  [ "$replica" = "$primary true" ] || return 2
  [ "$(psql_replica -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = "streaming" ]
}

replica_wait_streaming() {  # replica_wait_streaming SECONDS
  local found
  for _ in $(seq 1 $(( $1 * 2 ))); do
    found=0
    replica_streaming || found=$?
    [ "$found" -eq 0 ] && return 0
    [ "$found" -eq 2 ] && return 1
    sleep 0.5
  done
  return 1
}

# pg_basebackup and the replica's WAL receiver connect as postgres over the Unix socket: the
# primary's first rule for local replication connections must let postgres in by peer (or
# trust). Debian's default pg_hba.conf has one; a file without any gets one appended.
replica_primary_allows_replication() {
  local method
  method="$(psql_admin -c "SELECT auth_method FROM pg_hba_file_rules
    WHERE type = 'local' AND error IS NULL AND 'replication' = ANY(database)
      AND ('all' = ANY(user_name) OR 'postgres' = ANY(user_name))
    ORDER BY line_number LIMIT 1")"
  case "$method" in
    peer|trust) return 0 ;;
    "")
      local hba
      hba="$(psql_admin -c "SHOW hba_file")"
      say "Allowing local replication connections by postgres (peer) in $hba"
      printf '\n# Added by Nearhand scripts/provision.sh replica: pg_basebackup and the test replica.\nlocal   replication     postgres                                peer\n' \
        | as_root tee -a "$hba" >/dev/null
      psql_admin -c "SELECT pg_reload_conf()" >/dev/null
      ;;
    *) die "the primary's pg_hba.conf asks postgres for '$method' on local replication connections; allow peer" ;;
  esac
}

replica_build() {
  local primary_port datadir conf setting value
  primary_port="$(cluster_field main 3)"
  replica_primary_allows_replication
  if [ "$(psql_admin -c "SHOW max_slot_wal_keep_size")" = "-1" ]; then
    say "Bounding the WAL a replication slot may hold back on the primary ($REPLICA_SLOT_WAL_LIMIT)"
    psql_admin -c "ALTER SYSTEM SET max_slot_wal_keep_size = '$REPLICA_SLOT_WAL_LIMIT'" >/dev/null
    psql_admin -c "SELECT pg_reload_conf()" >/dev/null
  fi
  if [ -n "$(cluster_field "$REPLICA_CLUSTER" 1)" ]; then
    say "Rebuilding the read replica (it was not streaming from the primary)"
    as_root pg_dropcluster --stop "$PG_VERSION" "$REPLICA_CLUSTER"
  else
    say "Creating the read replica: PostgreSQL $PG_VERSION cluster '$REPLICA_CLUSTER' on port $REPLICA_PORT"
  fi
  # A slot left by an earlier replica holds WAL from where that one stopped: start afresh
  # (once the primary's WAL sender for a replica just stopped has let go of it).
  for _ in $(seq 1 20); do
    [ "$(psql_admin -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$REPLICA_SLOT' AND active")" = "0" ] && break
    sleep 0.5
  done
  psql_admin -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
    WHERE slot_name = '$REPLICA_SLOT' AND NOT active" >/dev/null
  if [ "$(psql_admin -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$REPLICA_SLOT'")" != "0" ]; then
    die "the replication slot $REPLICA_SLOT is in use by another server"
  fi
  psql_admin -c "SELECT pg_create_physical_replication_slot('$REPLICA_SLOT', true)" >/dev/null
  as_root pg_createcluster "$PG_VERSION" "$REPLICA_CLUSTER" -p "$REPLICA_PORT" >/dev/null
  # A hot standby refuses to start with fewer of these than its primary has.
  conf="/etc/postgresql/$PG_VERSION/$REPLICA_CLUSTER/conf.d/nearhand-replica.conf"
  {
    echo "# Written by Nearhand scripts/provision.sh replica: at least the primary's values."
    for setting in max_connections max_worker_processes max_wal_senders \
      max_prepared_transactions max_locks_per_transaction; do
      value="$(psql_admin -c "SHOW $setting")"
      echo "$setting = $value"
    done
  } | as_root tee "$conf" >/dev/null
  datadir="$(cluster_field "$REPLICA_CLUSTER" 6)"
  [ -n "$datadir" ] || die "pg_createcluster made no $REPLICA_CLUSTER cluster"
  as_root find "$datadir" -mindepth 1 -delete
  say "Copying the primary (pg_basebackup; a minute or so for a large database)"
  # -R writes standby.signal and primary_conninfo (the Unix socket, as postgres).
  as_root runuser -u postgres -- pg_basebackup -D "$datadir" -p "$primary_port" \
    -R -S "$REPLICA_SLOT" -X stream -c fast
  as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start
}

provision_replica() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "Using DATABASE_URL: no local read replica (set DATABASE_TEST_REPLICA_URL to test one)"
    return 0
  fi
  local status
  status="$(cluster_field "$REPLICA_CLUSTER" 4)"
  if [ -n "$status" ]; then
    [ "$(cluster_field "$REPLICA_CLUSTER" 3)" = "$REPLICA_PORT" ] \
      || die "the $REPLICA_CLUSTER cluster is not on port $REPLICA_PORT (pg_lsclusters)"
    if [[ "$status" != online* ]]; then  # "online,recovery" when it runs
      say "Starting the read replica"
      as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start || true
    fi
    replica_wait_streaming 20 && return 0
  fi
  replica_build
  replica_wait_streaming 60 \
    || die "the read replica does not stream (see /var/log/postgresql/postgresql-$PG_VERSION-$REPLICA_CLUSTER.log)"
  say "The read replica streams from the primary on port $REPLICA_PORT"
}

provision_redis() {
  local url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  if redis-cli -u "$url" ping 2>/dev/null | grep -q PONG; then
    return 0
  fi
  local hostport host port
  hostport="${url#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
  host="${hostport%%:*}"; port="${hostport##*:}"
  [ "$port" = "$hostport" ] && port=6379
  case "$host" in
    127.0.0.1|localhost) ;;
    *) die "nothing answers at REDIS_URL=$url" ;;
  esac
  say "Starting Redis on $host:$port"
  mkdir -p var
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$(pwd)/var" --logfile "$(pwd)/var/redis.log"
  for _ in $(seq 1 20); do
    redis-cli -u "$url" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.5
  done
  die "Redis did not start (see var/redis.log)"
}

# localstripe (pinned in requirements.txt) stands in for Stripe offline: `make run` keeps its
# state in var/ between runs (it saves on exit); `make test` starts a second one from scratch on
# its own port. With real Stripe keys, STRIPE_API_BASE is empty and nothing is started.
provision_stripe() {
  local base="${STRIPE_API_BASE:-}"
  [ -n "$base" ] || return 0
  if curl -fsS -o /dev/null "$base/v1/customers?limit=1" -u sk_test_probe: 2>/dev/null; then
    register_localstripe_webhook "$base"
    return 0
  fi
  local hostport host port
  hostport="${base#*://}"; hostport="${hostport%%/*}"
  host="${hostport%%:*}"; port="${hostport##*:}"
  case "$host" in
    127.0.0.1|localhost) ;;
    *) die "nothing answers at STRIPE_API_BASE=$base" ;;
  esac
  say "Starting localstripe (offline Stripe) on port $port"
  mkdir -p var
  # scripts/run_localstripe.py keeps the store at LOCALSTRIPE_STORE (in memory when it is empty).
  LOCALSTRIPE_STORE="${LOCALSTRIPE_STORE-$(pwd)/var/localstripe.pickle}" \
    nohup setsid .venv/bin/python scripts/run_localstripe.py --port "$port" \
    >"var/localstripe-$port.log" 2>&1 &
  for _ in $(seq 1 40); do
    if curl -fsS -o /dev/null "$base/v1/customers?limit=1" -u sk_test_probe: 2>/dev/null; then
      register_localstripe_webhook "$base"
      return 0
    fi
    sleep 0.25
  done
  die "localstripe did not start (see var/localstripe-$port.log)"
}

# localstripe keeps webhook endpoints in memory: tell it where the site listens, each start.
register_localstripe_webhook() {
  [ -n "${LOCALSTRIPE_WEBHOOK_URL:-}" ] || return 0
  curl -fsS -o /dev/null -X POST "$1/_config/webhooks/nearhand" \
    -d "url=$LOCALSTRIPE_WEBHOOK_URL" \
    -d "secret=${STRIPE_WEBHOOK_SECRET:-whsec_localstripe_development}" \
    || die "localstripe did not take the webhook endpoint"
}

# A PgBouncer of the project's own (not Debian's service on 6432), in transaction mode, its files
# in $PGBOUNCER_DIR (var/pgbouncer/): every database of the server behind it, as the project's
# role. The tests' pool is small on purpose, so a test through it shares few server connections
# among many clients; `make prod` writes one of its own (pgbouncer-config) and supervises it.
provision_pgbouncer() {
  local user
  user="$(database_target | cut -d' ' -f3)"
  if pgbouncer_answers "$user"; then return 0; fi
  pgbouncer_config
  say "Starting PgBouncer (transaction mode) on 127.0.0.1:$PGBOUNCER_PORT"
  if [ "$(id -u)" -eq 0 ]; then
    pgbouncer -d -u postgres "$PGBOUNCER_DIR/pgbouncer.ini"  # it will not run as root
  else
    pgbouncer -d "$PGBOUNCER_DIR/pgbouncer.ini"
  fi
  for _ in $(seq 1 20); do
    pgbouncer_answers "$user" && return 0
    sleep 0.25
  done
  die "PgBouncer did not start (see $PGBOUNCER_DIR/pgbouncer.log)"
}

pgbouncer_config() {
  local host port user password dir="$PGBOUNCER_DIR"
  read -r host port user password <<<"$(database_target)"
  mkdir -p "$dir"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = md5
auth_file = $dir/userlist.txt
admin_users = $user
pool_mode = transaction
default_pool_size = $PGBOUNCER_POOL_SIZE
max_client_conn = 200
ignore_startup_parameters = options
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  printf '"%s" "%s"\n' "$user" "$password" >"$dir/userlist.txt"
  chmod 600 "$dir/userlist.txt"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir"; fi
}

pgbouncer_answers() {
  pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d pgbouncer -U "$1" 2>/dev/null
}

# "host port user password" of the database server: DATABASE_URL's, or the local cluster's.
database_target() {
  if [ -z "${DATABASE_URL:-}" ]; then
    echo "127.0.0.1 5432 $DB_USER $DB_PASSWORD"
    return 0
  fi
  python3 -c 'import os, urllib.parse as u; p = u.urlsplit(os.environ["DATABASE_URL"]);
print(p.hostname or "127.0.0.1", p.port or 5432, u.unquote(p.username or ""), u.unquote(p.password or ""))'
}

case "${1:-}" in
  system) provision_system ;;
  database) provision_database ;;
  redis) provision_redis ;;
  stripe) provision_stripe ;;
  replica) provision_replica ;;
  bench) provision_bench ;;
  pgbouncer) provision_pgbouncer ;;
  pgbouncer-config) pgbouncer_config ;;
  *) die "usage: $0 system|database|redis|stripe|replica|bench|pgbouncer|pgbouncer-config" ;;
esac
