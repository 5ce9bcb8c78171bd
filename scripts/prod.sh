#!/usr/bin/env bash
# `make prod`: the production layout on loopback, with production settings, until Ctrl-C
# (docs/operations.md, "The production layout"). `make prod` has provisioned, migrated and seeded
# the database and collected the static files first.
#
#   nginx          https://localhost:$PROD_PORT (TLS, a self-signed certificate made here) and
#                  http://localhost:$PROD_HTTP_PORT (redirects); serves static and public media
#                  files; /ws/ to the two daphnes, everything else to gunicorn
#   web            gunicorn (WSGI), $PROD_WEB_WORKERS workers x 2 threads, on 127.0.0.1:8101
#                  ($PROD_INTERNAL_PORT)
#   ws-1, ws-2     daphne (websockets) on 127.0.0.1:8102 and 8103 (the next two ports)
#   pgbouncer      transaction mode on 127.0.0.1:6434 ($PROD_PGBOUNCER_PORT), in front of
#                  PostgreSQL; every process but `migrate` connects through it
#   worker-email   Celery on the `email` queue;  worker-default  Celery on `default`;  beat
#   the pages read from the local streaming replica (127.0.0.1:$REPLICA_PORT, 5433) when there
#   is one (DATABASE_REPLICA_URLS)
#
# supervisord (pinned in requirements.txt) runs them all and restarts whichever dies; Ctrl-C stops
# them all. Everything it writes is in var/prod/ ($PROD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

PROD_PORT="${PROD_PORT:-8443}"
PROD_HTTP_PORT="${PROD_HTTP_PORT:-8080}"
PROD_WEB_WORKERS="${PROD_WEB_WORKERS:-2}"
PROD_STRIPE_PORT="${PROD_STRIPE_PORT:-8422}"
# gunicorn on this port, the daphnes on the next two.
PROD_INTERNAL_PORT="${PROD_INTERNAL_PORT:-8101}"
PGBOUNCER_PORT="${PROD_PGBOUNCER_PORT:-6434}"
WEB_ADDRESS="127.0.0.1:$PROD_INTERNAL_PORT"
WS_PORTS=($((PROD_INTERNAL_PORT + 1)) $((PROD_INTERNAL_PORT + 2)))
ROOT="$(pwd)"
DIR="${PROD_DIR:-$ROOT/var/prod}"
BIN="$ROOT/.venv/bin"

say() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mError:\033[0m %s\n' "$*" >&2; exit 1; }

command -v nginx >/dev/null || PATH="$PATH:/usr/sbin"
command -v nginx >/dev/null || die "nginx is missing: run scripts/provision.sh system"
[ -f staticfiles/staticfiles.json ] || die "no static manifest: run make static first"
mkdir -p "$DIR"/{logs,mail,nginx,tls}

# A self-signed certificate for localhost and 127.0.0.1, made once.
certificate() {
  [ -f "$DIR/tls/cert.pem" ] && return 0
  say "Making a self-signed TLS certificate for localhost ($DIR/tls/)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" 2>/dev/null
  chmod 600 "$DIR/tls/key.pem"
}

# One secret key for this machine's production layout, kept between runs.
secret_key() {
  [ -s "$DIR/secret-key" ] || "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))" >"$DIR/secret-key"
  chmod 600 "$DIR/secret-key"
  cat "$DIR/secret-key"
}

nginx_conf() {
  local static="$ROOT/staticfiles" media="$ROOT/media" user
  # The workers must read the checkout's static files: run them as its owner.
  user="$(stat -c %U "$ROOT")"
  cat >"$DIR/nginx.conf" <<NGINX
user $user;
worker_processes auto;
pid $DIR/nginx/nginx.pid;
error_log $DIR/logs/nginx-error.log warn;
events { worker_connections 1024; }

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $DIR/logs/nginx-access.log;
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    server_tokens off;
    sendfile on;
    keepalive_timeout 30s;

    gzip on;
    gzip_vary on;
    gzip_proxied any;
    gzip_min_length 1024;
    gzip_types text/css application/javascript application/json image/svg+xml text/plain
               application/xml application/manifest+json;

    upstream web {
        server $WEB_ADDRESS;
        keepalive 16;
    }
    # Either daphne takes any socket: the channel layer (Redis) joins them. One that stops
    # answering is left alone for 5 s and its new connections go to the other.
    upstream websockets {
        server 127.0.0.1:${WS_PORTS[0]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:${WS_PORTS[1]} max_fails=1 fail_timeout=5s;
    }
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      close;
    }

    server {
        listen 127.0.0.1:$PROD_HTTP_PORT;
        server_name localhost 127.0.0.1;
        return 301 https://\$host:$PROD_PORT\$request_uri;
    }

    server {
        listen 127.0.0.1:$PROD_PORT ssl http2;
        server_name localhost 127.0.0.1;
        ssl_certificate $DIR/tls/cert.pem;
        ssl_certificate_key $DIR/tls/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        # = MAX_REQUEST_BODY_BYTES: an oversized upload never reaches the application.
        client_max_body_size 101m;

        # Django sends the security headers of every page it answers; nginx adds them only to
        # what it serves itself, so none is sent twice.
        location /static/ {
            alias $static/;
            gzip_static on;
            add_header X-Content-Type-Options nosniff;
            add_header Cache-Control "public, max-age=3600";
            # Names with the manifest's content hash never change: cache them for a year.
            location ~ "\.[0-9a-f]{12}\.[A-Za-z0-9]+\$" {
                gzip_static on;
                add_header X-Content-Type-Options nosniff;
                add_header Cache-Control "public, max-age=31536000, immutable";
            }
        }
        # The uploads anyone may see (profile photos, logos, the demo pictures); a listing's,
        # a message's, a review's photos go through the site, which checks who asks.
        location ~ ^/media/((?:avatars|logos|demo)/.+)\$ {
            alias $media/\$1;
            add_header X-Content-Type-Options nosniff;
            add_header Cache-Control "public, max-age=3600";
        }

        location /ws/ {
            proxy_pass http://websockets;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_read_timeout 1h;
        }

        location / {
            proxy_pass http://web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_redirect off;
            proxy_hide_header Server;
            # A worker killed mid-request: a GET is tried again on another worker.
            proxy_next_upstream error timeout http_502;
        }
    }
}
NGINX
  nginx -t -q -p "$DIR/nginx" -c "$DIR/nginx.conf" || die "nginx refused $DIR/nginx.conf"
}

# The local streaming replica (scripts/provision.sh replica, which `make prod` runs) of the
# database `make prod` uses, when there is one and DATABASE_URL does not point elsewhere.
local_replica_url() {
  local port="${REPLICA_PORT:-5433}"
  [ -z "${DATABASE_URL:-}" ] || [[ "$DATABASE_URL" == *@127.0.0.1:5432/* ]] || return 0
  pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null || return 0
  REPLICA_PORT=$port python3 -c 'import os, urllib.parse as u
url = u.urlsplit(os.environ.get("DATABASE_URL") or "postgis://nearhand:nearhand@127.0.0.1:5432/nearhand")
login = url.netloc.rpartition("@")[0]
print(u.urlunsplit(url._replace(netloc=login + "@127.0.0.1:" + os.environ["REPLICA_PORT"])))'
}

supervisord_conf() {
  local key database replica_urls="" pgbouncer_user=""
  key="$(secret_key)"
  # The database `make prod` migrated (DATABASE_URL's, or the local one), through PgBouncer.
  database="$(PGBOUNCER_PORT=$PGBOUNCER_PORT python3 -c 'import os, urllib.parse as u
url = u.urlsplit(os.environ.get("DATABASE_URL") or "postgis://nearhand:nearhand@127.0.0.1:5432/nearhand")
login = url.netloc.rpartition("@")[0]
print(u.urlunsplit(url._replace(netloc=login + "@127.0.0.1:" + os.environ["PGBOUNCER_PORT"])))')"
  # PROD_REPLICA=off: no replica (make bench's scaling part measures the web tier alone).
  if [ "${PROD_REPLICA:-auto}" = off ]; then
    replica_urls=""
  else
    replica_urls="${DATABASE_REPLICA_URLS:-$(local_replica_url)}"
  fi
  [ "$(id -u)" -eq 0 ] && pgbouncer_user="user=postgres"
  # supervisord expands %(...)s: a literal % is written %%. filemail:// takes four slashes
  # before an absolute path (three make it relative to the checkout).
  cat >"$DIR/supervisord.conf" <<CONF
[supervisord]
nodaemon=true
logfile=$DIR/logs/supervisord.log
pidfile=$DIR/supervisord.pid
childlogdir=$DIR/logs
environment=
    DJANGO_SETTINGS_MODULE="marketplace.settings",
    DJANGO_SECRET_KEY="${key//%/%%}",
    DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
    DJANGO_BEHIND_PROXY="1",
    DJANGO_CSRF_TRUSTED_ORIGINS="https://localhost:$PROD_PORT,https://127.0.0.1:$PROD_PORT",
    SITE_URL="https://localhost:$PROD_PORT",
    DATABASE_URL="$database",
    DATABASE_TRANSACTION_POOLING="1",
    DATABASE_REPLICA_URLS="$replica_urls",
    REDIS_URL="${PROD_REDIS_URL:-redis://127.0.0.1:6379/1}",
    EMAIL_URL="filemail:///$DIR/mail",
    STRIPE_API_BASE="http://127.0.0.1:$PROD_STRIPE_PORT",
    STRIPE_SECRET_KEY="sk_test_localstripe",
    STRIPE_PUBLISHABLE_KEY="pk_test_localstripe",
    STRIPE_WEBHOOK_SECRET="whsec_localstripe_production_layout"

[unix_http_server]
file=$DIR/supervisor.sock
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$DIR/supervisor.sock

[program:pgbouncer]
command=/usr/sbin/pgbouncer $DIR/pgbouncer/pgbouncer.ini
$pgbouncer_user
priority=10
autorestart=true
stopasgroup=true

[program:nginx]
command=nginx -p $DIR/nginx -c $DIR/nginx.conf -g "daemon off;"
priority=40
autorestart=true
stopasgroup=true
CONF
  local number=1 port queue
  {
    program web 20 "$BIN/gunicorn ${PROD_WSGI:-marketplace.wsgi:application} \
--bind $WEB_ADDRESS --workers $PROD_WEB_WORKERS --worker-class gthread --threads 2 \
--graceful-timeout 20 --access-logfile - --error-logfile -" \
      'environment=DATABASE_POOL_MIN_SIZE="1",DATABASE_POOL_MAX_SIZE="2"'
    for port in "${WS_PORTS[@]}"; do
      program "ws-$number" 20 \
        "$BIN/daphne --no-server-name -b 127.0.0.1 -p $port marketplace.asgi:application"
      number=$((number + 1))
    done
    for queue in email default; do
      program "worker-$queue" 30 \
        "$BIN/celery -A marketplace worker -Q $queue -n $queue@%%h --concurrency 2 --loglevel INFO" \
        'environment=DATABASE_POOL="0"' stopwaitsecs=30
    done
    program beat 30 \
      "$BIN/celery -A marketplace beat --loglevel INFO --schedule $DIR/celerybeat-schedule" \
      'environment=DATABASE_POOL="0"'
  } >>"$DIR/supervisord.conf"
}

# One of the project's processes under supervisord: restarted when it dies, stopped with its
# children, its output in one log; any further arguments are lines of its section.
program() {
  local name="$1" priority="$2" command="$3"
  shift 3
  printf '\n[program:%s]\ncommand=%s\ndirectory=%s\npriority=%s\n' "$name" "$command" "$ROOT" "$priority"
  printf 'autorestart=true\nstopasgroup=true\nredirect_stderr=true\n'
  [ $# -eq 0 ] || printf '%s\n' "$@"
}

certificate
# `scripts/prod.sh certificate` makes the certificate only (scripts/prod_check.sh needs it first).
[ "${1:-}" = certificate ] && exit 0
nginx_conf
# Its configuration only; supervisord runs it in the foreground.
PGBOUNCER_PORT=$PGBOUNCER_PORT PGBOUNCER_POOL_SIZE=20 PGBOUNCER_DIR="$DIR/pgbouncer" \
  scripts/provision.sh pgbouncer-config
# An offline Stripe of the layout's own; its webhooks reach the site through nginx, and trust
# the certificate made above.
SSL_CERT_FILE="$DIR/tls/cert.pem" STRIPE_API_BASE="http://127.0.0.1:$PROD_STRIPE_PORT" \
  LOCALSTRIPE_STORE="$DIR/localstripe.pickle" STRIPE_WEBHOOK_SECRET=whsec_localstripe_production_layout \
  LOCALSTRIPE_WEBHOOK_URL="https://localhost:$PROD_PORT/payments/webhooks/stripe/" \
  scripts/provision.sh stripe
supervisord_conf
say "The production layout is starting at https://localhost:$PROD_PORT/ (self-signed certificate)."
say "Logs: $DIR/logs/. Ctrl-C stops everything."
exec "$BIN/supervisord" -c "$DIR/supervisord.conf"
