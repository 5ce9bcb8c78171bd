#!/usr/bin/env bash
# `make prod-check` (`make test` runs it): starts the production layout (scripts/prod.sh) on ports
# of its own, with a database of its own (nearhand_prodcheck, made afresh, migrated and seeded
# each run) and a Redis database of its own, runs the checks in prodcheck/ against it through nginx,
# and stops it all, whatever the checks say.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROD_DIR="$(pwd)/var/prod-check"
export PROD_PORT=8543 PROD_HTTP_PORT=8180 PROD_INTERNAL_PORT=8201 PROD_PGBOUNCER_PORT=6435
export PROD_STRIPE_PORT=8423 PROD_WEB_WORKERS=2
export PROD_REDIS_URL="${PROD_CHECK_REDIS_URL:-redis://127.0.0.1:6379/7}"
BIN=.venv/bin

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

# DATABASE_URL's server (or the local one), the database nearhand_prodcheck.
DATABASE_URL="$(python3 -c 'import os, urllib.parse as u
url = u.urlsplit(os.environ.get("DATABASE_URL") or "postgis://nearhand:nearhand@127.0.0.1:5432/nearhand")
print(u.urlunsplit(url._replace(path="/nearhand_prodcheck")))')"
export DATABASE_URL

"$BIN/python" - <<'PY'
import os, urllib.parse as u
import psycopg
url = u.urlsplit(os.environ["DATABASE_URL"])
params = dict(host=url.hostname, port=url.port or 5432, user=u.unquote(url.username or ""),
              password=u.unquote(url.password or ""), autocommit=True)
with psycopg.connect(dbname="postgres", **params) as admin:
    admin.execute("DROP DATABASE IF EXISTS nearhand_prodcheck WITH (FORCE)")
    admin.execute("CREATE DATABASE nearhand_prodcheck")  # from template1, with the extensions
PY
REDIS_URL="$PROD_REDIS_URL" scripts/provision.sh redis
# The layout's offline Stripe, from scratch (the seed saves cards with it); its webhooks go to
# the site through nginx, so it trusts the layout's certificate.
scripts/prod.sh certificate
export STRIPE_API_BASE="http://127.0.0.1:$PROD_STRIPE_PORT" STRIPE_SECRET_KEY=sk_test_localstripe
SSL_CERT_FILE="$PROD_DIR/tls/cert.pem" LOCALSTRIPE_STORE= LOCALSTRIPE_WEBHOOK_URL= \
  scripts/provision.sh stripe
say "Migrating and seeding nearhand_prodcheck, a database made afresh for the check"
DJANGO_DEBUG=1 "$BIN/python" manage.py migrate --noinput -v 0
DJANGO_DEBUG=1 "$BIN/python" manage.py seed_demo >/dev/null
# What an earlier run left in the queue would be sent now, to this run's mail folder.
redis-cli -u "$PROD_REDIS_URL" flushdb >/dev/null
rm -rf "$PROD_DIR/logs" "$PROD_DIR/mail"

say "Starting the production layout on https://localhost:$PROD_PORT/"
mkdir -p "$PROD_DIR"
setsid scripts/prod.sh >"$PROD_DIR.log" 2>&1 &
layout=$!
stop() {
  "$BIN/supervisorctl" -c "$PROD_DIR/supervisord.conf" shutdown >/dev/null 2>&1 || kill "$layout" 2>/dev/null || true
  wait "$layout" 2>/dev/null || true
}
trap stop EXIT

for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null --cacert "$PROD_DIR/tls/cert.pem" "https://localhost:$PROD_PORT/healthz" 2>/dev/null; then
    break
  fi
  kill -0 "$layout" 2>/dev/null || { tail -30 "$PROD_DIR.log"; die "the layout stopped (see $PROD_DIR.log)"; }
  sleep 0.5
done
curl -fsS -o /dev/null --cacert "$PROD_DIR/tls/cert.pem" "https://localhost:$PROD_PORT/healthz" \
  || { tail -30 "$PROD_DIR.log"; die "nginx did not answer on https://localhost:$PROD_PORT/"; }

PROD_CHECK_URL="https://localhost:$PROD_PORT" "$BIN/pytest" prodcheck -p no:cacheprovider "$@"
