#!/usr/bin/env bash
# GameV1 alpha: native install on a Debian/Ubuntu host (systemd + nginx).
#
#   sudo ./scripts/deploy-alpha.sh              # one all-in-one node (gamev1.service, --role all)
#   sudo ./scripts/deploy-alpha.sh --nodes 3    # all-in-one nodes on ports 3000-3002 (gamev1@PORT)
#   sudo ./scripts/deploy-alpha.sh --workers 1  # split roles: gamev1-gateway (port 3000, behind nginx)
#                                               #   + gamev1-worker (port 3100, players connect to it)
#   sudo ./scripts/deploy-alpha.sh --gateways 2 --workers 3
#                                               # gamev1-gateway@3000-3001 + gamev1-worker@3100-3102
#   ./scripts/deploy-alpha.sh --dry-run         # print the steps, change nothing
#
# Steps: check/install Node.js >= 20.19, PostgreSQL, Redis and nginx; create the gamev1 system
# user; copy the repository to /opt/gamev1; `npm ci && npm run build` there; create
# /opt/gamev1/.env.production (from .env.example, with a random JWT_SECRET) if it is absent;
# install every systemd unit and the nginx site (upstream: the gateways only); enable the units of
# the chosen layout and disable the others. It starts nothing: review .env.production first, then
# `systemctl start` the units it names at the end.
# Safe to run again to deploy a new version (the .env.production, data/ and logs/ are kept).
set -euo pipefail

APP_DIR=/opt/gamev1
APP_USER=gamev1
ENV_FILE="$APP_DIR/.env.production"
SYSTEMD_DIR=/etc/systemd/system
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19 # package.json "engines": node >= 20.19
BASE_PORT=3000
MAX_NODES=11 # ports 3000-3010
WORKER_BASE_PORT=3100 # worker HTTP ports 3100..; gamev1-worker@PORT serves gRPC on 5PORT (53100..)
MAX_WORKERS=20

SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DRY_RUN=0
NODES=1
WORKERS=0
DOMAIN=""
PUBLIC_HOST=""
LOCAL_SERVICES=1

usage() {
  cat <<EOF
Usage: $(basename "$0") [options]

Install GameV1 natively under $APP_DIR with systemd and nginx.

Layouts:
  all-in-one (default, --workers 0): each node serves the API and hosts its rooms (--role all):
      gamev1.service, or gamev1@PORT for each port with --nodes N > 1.
  split (--workers M, M >= 1): gateways (--role gateway, behind nginx, host no rooms) and workers
      (--role worker, host the rooms; players connect to them directly): gamev1-gateway.service or
      gamev1-gateway@PORT, and gamev1-worker.service (HTTP $WORKER_BASE_PORT, gRPC 50051) or gamev1-worker@PORT
      (HTTP $WORKER_BASE_PORT.., gRPC 5PORT). Needs REDIS_URL and a PostgreSQL DATABASE_URL.

Options:
  -n, --dry-run           print the steps instead of running them
      --nodes N, --gateways N
                          run N nodes behind nginx on ports $BASE_PORT..$((BASE_PORT + MAX_NODES - 1)) (1-$MAX_NODES, default 1):
                          all-in-one nodes, or gateways with --workers
      --workers M         run M workers on ports $WORKER_BASE_PORT..$((WORKER_BASE_PORT + MAX_WORKERS - 1)) (0-$MAX_WORKERS, default 0: all-in-one)
      --public-host NAME  host name players reach the workers at: PUBLIC_URL=http://NAME:PORT
                          (default: the --domain, else the host's own name, systemd's %H)
      --domain NAME       server_name for the nginx site (default: your-domain.com)
      --no-local-services do not check for / install PostgreSQL and Redis on this host
                          (DATABASE_URL and REDIS_URL point elsewhere)
  -h, --help              show this help
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n | --dry-run) DRY_RUN=1 ;;
    --nodes)
      [[ $# -ge 2 ]] || { echo "--nodes needs a number" >&2; exit 2; }
      NODES="$2"
      shift
      ;;
    --nodes=*) NODES="${1#*=}" ;;
    --gateways)
      [[ $# -ge 2 ]] || { echo "--gateways needs a number" >&2; exit 2; }
      NODES="$2"
      shift
      ;;
    --gateways=*) NODES="${1#*=}" ;;
    --workers)
      [[ $# -ge 2 ]] || { echo "--workers needs a number" >&2; exit 2; }
      WORKERS="$2"
      shift
      ;;
    --workers=*) WORKERS="${1#*=}" ;;
    --public-host)
      [[ $# -ge 2 ]] || { echo "--public-host needs a host name" >&2; exit 2; }
      PUBLIC_HOST="$2"
      shift
      ;;
    --public-host=*) PUBLIC_HOST="${1#*=}" ;;
    --domain)
      [[ $# -ge 2 ]] || { echo "--domain needs a name" >&2; exit 2; }
      DOMAIN="$2"
      shift
      ;;
    --domain=*) DOMAIN="${1#*=}" ;;
    --no-local-services) LOCAL_SERVICES=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "Unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if ! [[ "$NODES" =~ ^[0-9]+$ ]] || ((NODES < 1 || NODES > MAX_NODES)); then
  echo "--nodes / --gateways must be a number from 1 to $MAX_NODES" >&2
  exit 2
fi
if ! [[ "$WORKERS" =~ ^[0-9]+$ ]] || ((WORKERS > MAX_WORKERS)); then
  echo "--workers must be a number from 0 to $MAX_WORKERS" >&2
  exit 2
fi
if [[ -n "$DOMAIN" && ! "$DOMAIN" =~ ^[A-Za-z0-9.*_-]+$ ]]; then
  echo "--domain must be a host name" >&2
  exit 2
fi
if [[ -n "$PUBLIC_HOST" && ! "$PUBLIC_HOST" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
  echo "--public-host must be a host name or an IPv4 address" >&2
  exit 2
fi
# Players reach the workers directly; the nginx site's name is the best guess of a name that resolves here.
if [[ -z "$PUBLIC_HOST" && "$DOMAIN" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
  PUBLIC_HOST="$DOMAIN"
fi
SPLIT=0
((WORKERS > 0)) && SPLIT=1

# ---------------------------------------------------------------------------------------------
# helpers

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# run CMD ARGS...: run it, or print it with --dry-run.
run() {
  if ((DRY_RUN)); then
    printf '    +'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# run_in DIR CMD ARGS...: run a command inside DIR.
run_in() {
  local dir="$1"
  shift
  if ((DRY_RUN)); then
    printf '    + (cd %q &&' "$dir"
    printf ' %q' "$@"
    printf ')\n'
  else
    (cd "$dir" && "$@")
  fi
}

# set_env_key FILE KEY VALUE: replace KEY=... in FILE, or append it.
set_env_key() {
  local file="$1" key="$2" value="$3" tmp
  tmp="$(mktemp)"
  awk -v k="$key" -v v="$value" '
    BEGIN { done = 0 }
    $0 ~ "^[[:space:]]*(export[[:space:]]+)?" k "[[:space:]]*=" { if (!done) print k "=" v; done = 1; next }
    { print }
    END { if (!done) print k "=" v }
  ' "$file" >"$tmp"
  cat "$tmp" >"$file"
  rm -f "$tmp"
}

# env_value FILE KEY: print the value of KEY in FILE (last one wins, quotes stripped).
env_value() {
  awk -v k="$1" '
    $0 ~ "^[[:space:]]*(export[[:space:]]+)?" k "[[:space:]]*=" {
      sub("^[^=]*=[[:space:]]*", ""); gsub(/^["\047]|["\047][[:space:]]*$/, ""); v = $0
    }
    END { print v }
  ' "$2" 2>/dev/null
}

node_version_ok() {
  local v major minor
  command -v node >/dev/null 2>&1 || return 1
  v="$(node -p 'process.versions.node' 2>/dev/null)" || return 1
  major="${v%%.*}"
  minor="${v#*.}"
  minor="${minor%%.*}"
  ((major > NODE_MIN_MAJOR || (major == NODE_MIN_MAJOR && minor >= NODE_MIN_MINOR)))
}

has_postgres() {
  command -v postgres >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null 2>&1 && return 0
  compgen -G '/usr/pgsql-*/bin/postgres' >/dev/null 2>&1
}
has_redis() { command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]]; }
has_nginx() { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; }
nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

if ((DRY_RUN)); then
  echo "GameV1 deploy (dry run): nothing is changed."
fi
[[ -f "$SRC_DIR/package.json" && -d "$SRC_DIR/deploy/systemd" ]] ||
  die "run this script from a GameV1 checkout (expected $SRC_DIR/package.json and deploy/)"

IS_ROOT=0
[[ "$(id -u)" -eq 0 ]] && IS_ROOT=1

# ---------------------------------------------------------------------------------------------
step "Checking system dependencies"

missing=() # apt package names
if node_version_ok; then
  info "node $(node -p 'process.versions.node') (>= $NODE_MIN_MAJOR.$NODE_MIN_MINOR)"
else
  if command -v node >/dev/null 2>&1; then
    info "node $(node -p 'process.versions.node' 2>/dev/null || echo '?') is too old (need >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR)"
  else
    info "node: missing"
  fi
  missing+=(nodejs)
fi
if command -v npm >/dev/null 2>&1; then info "npm $(npm --version 2>/dev/null || echo '?')"; else
  info "npm: missing"
  missing+=(npm)
fi
if ((LOCAL_SERVICES)); then
  if has_postgres; then info "postgresql: found"; else info "postgresql: missing"; missing+=(postgresql postgresql-contrib); fi
  if has_redis; then info "redis: found"; else info "redis: missing"; missing+=(redis-server); fi
else
  info "postgresql, redis: skipped (--no-local-services)"
fi
if has_nginx; then info "nginx: found"; else info "nginx: missing"; missing+=(nginx); fi
for tool in rsync openssl; do
  if command -v "$tool" >/dev/null 2>&1; then info "$tool: found"; else info "$tool: missing"; missing+=("$tool"); fi
done

if ((${#missing[@]})); then
  if ((DRY_RUN)); then
    info "would install: ${missing[*]}"
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  elif ((IS_ROOT)) && command -v apt-get >/dev/null 2>&1; then
    step "Installing ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    if ! node_version_ok; then
      die "this distribution's Node.js ($(node -p 'process.versions.node' 2>/dev/null || echo 'none')) is older than $NODE_MIN_MAJOR.$NODE_MIN_MINOR.
       Install Node.js 20 LTS or newer (e.g. the NodeSource or the distribution's nodejs 20+ packages) and run this script again."
    fi
  else
    echo >&2
    echo "Missing: ${missing[*]}" >&2
    if ((IS_ROOT)); then
      echo "apt-get is not available: install them with your package manager (see deploy/README.md), then run this script again." >&2
    else
      echo "Install them (e.g. sudo apt-get install ${missing[*]}) or run this script as root to install them." >&2
    fi
    exit 1
  fi
fi

if ((!DRY_RUN && !IS_ROOT)); then
  die "the install steps need root: run it with sudo (or use --dry-run to see them)"
fi

NODE_BIN="$(command -v node 2>/dev/null || echo /usr/bin/node)"
NGINX_BIN="$(nginx_bin)"

# ---------------------------------------------------------------------------------------------
step "Creating the $APP_USER system user"

if getent passwd "$APP_USER" >/dev/null 2>&1; then
  info "user $APP_USER exists"
else
  NOLOGIN="$(command -v nologin 2>/dev/null || echo /usr/sbin/nologin)"
  run useradd --system --user-group --home-dir "$APP_DIR" --no-create-home --shell "$NOLOGIN" "$APP_USER"
fi

# ---------------------------------------------------------------------------------------------
step "Copying $SRC_DIR to $APP_DIR"

run mkdir -p "$APP_DIR"
if [[ "$(cd "$SRC_DIR" && pwd -P)" == "$(cd "$APP_DIR" 2>/dev/null && pwd -P || echo "$APP_DIR")" ]]; then
  info "already running from $APP_DIR: nothing to copy"
else
  # Excluded paths are neither copied nor deleted on the target: the installed .env.production,
  # data/ (embedded database) and logs/ survive a redeploy.
  run rsync -a --delete --no-owner --no-group \
    --include=/.env.example \
    --exclude=/.git --exclude=/node_modules --exclude=/data --exclude=/outbox --exclude=/logs --exclude=/dist \
    --exclude=/.env --exclude='/.env.*' --exclude=/coverage --exclude='*.cpuprofile' \
    "$SRC_DIR/" "$APP_DIR/"
fi
run mkdir -p "$APP_DIR/data" "$APP_DIR/outbox" "$APP_DIR/logs"
run chown root:root "$APP_DIR"
run chown -R "$APP_USER:$APP_USER" "$APP_DIR/data" "$APP_DIR/outbox" "$APP_DIR/logs"
run chmod 0750 "$APP_DIR/data" "$APP_DIR/outbox" "$APP_DIR/logs"

# ---------------------------------------------------------------------------------------------
step "Building (npm ci && npm run build)"

run_in "$APP_DIR" npm ci --no-audit --no-fund
run_in "$APP_DIR" npm run build
# The service runs `node dist/main.js`: development tools are not needed at run time.
run_in "$APP_DIR" npm prune --omit=dev --no-audit --no-fund
if ((!DRY_RUN)) && [[ ! -f "$APP_DIR/dist/main.js" ]]; then
  die "build finished but $APP_DIR/dist/main.js is missing"
fi

# ---------------------------------------------------------------------------------------------
step "Configuration ($ENV_FILE)"

if [[ -f "$ENV_FILE" ]]; then
  info "$ENV_FILE exists: left unchanged"
  if ((!DRY_RUN)) && [[ -z "$(env_value JWT_SECRET "$ENV_FILE")" ]]; then
    warn "JWT_SECRET is empty in $ENV_FILE: tokens will not survive a restart and nodes will reject each other's tokens."
  fi
else
  if [[ -f "$APP_DIR/.env.example" ]]; then
    TEMPLATE="$APP_DIR/.env.example"
  elif [[ -f "$SRC_DIR/.env.example" ]]; then
    TEMPLATE="$SRC_DIR/.env.example"
  else
    TEMPLATE=""
  fi
  if ((DRY_RUN)); then
    info "would create $ENV_FILE from ${TEMPLATE:-a built-in template} (root:$APP_USER, mode 0640) with:"
    info "  JWT_SECRET=<openssl rand -hex 32>  TRUST_PROXY=true  GATEWAY_BIND_ADDR=127.0.0.1:$BASE_PORT"
    if ((SPLIT && LOCAL_SERVICES)); then
      info "  REDIS_URL=redis://localhost:6379/0 (if empty: gateways and workers meet in Redis)"
    fi
  else
    umask 027
    if [[ -n "$TEMPLATE" ]]; then
      cp "$TEMPLATE" "$ENV_FILE"
    else
      cat >"$ENV_FILE" <<'EOF'
# GameV1 production settings (read by systemd: EnvironmentFile=/opt/gamev1/.env.production).
# Database
DATABASE_URL=postgresql://gamev1_user:CHANGE_ME@localhost:5432/gamev1
DATABASE_POOL_SIZE=20
REDIS_URL=redis://localhost:6379/0
REDIS_KEY_PREFIX=gamev1:

# Server
GATEWAY_BIND_ADDR=127.0.0.1:3000
TRUST_PROXY=true
LOG_LEVEL=info
SHUTDOWN_TIMEOUT=10

# Performance
MAX_CONNECTIONS=1000
MAX_CONNECTIONS_PER_ROOM=100
CONNECTION_TIMEOUT=30
MESSAGE_QUEUE_SIZE=1000

# Matchmaking
MAX_WAIT_TIME=300
MAX_SKILL_DIFF=200.0
MIN_PLAYERS_PER_MATCH=2
MAX_PLAYERS_PER_MATCH=8

# Monitoring
ENABLE_METRICS=true

# Auth
JWT_SECRET=
EOF
    fi
    set_env_key "$ENV_FILE" JWT_SECRET "$(openssl rand -hex 32)"
    # nginx on this host is the only way in: keep the gateway off the public interfaces
    # and take the client IP from X-Forwarded-For.
    set_env_key "$ENV_FILE" GATEWAY_BIND_ADDR "127.0.0.1:$BASE_PORT"
    set_env_key "$ENV_FILE" TRUST_PROXY true
    # Gateways and workers find each other in the node directory in Redis: point at the local one.
    if ((SPLIT && LOCAL_SERVICES)) && [[ -z "$(env_value REDIS_URL "$ENV_FILE")" ]]; then
      set_env_key "$ENV_FILE" REDIS_URL redis://localhost:6379/0
    fi
    chown "root:$APP_USER" "$ENV_FILE"
    chmod 0640 "$ENV_FILE"
    umask 022
    info "created from ${TEMPLATE:-a built-in template} with a random JWT_SECRET"
    info "review DATABASE_URL and REDIS_URL in it before starting the gateway"
  fi
fi
if ((SPLIT && !DRY_RUN)) && [[ -f "$ENV_FILE" ]]; then
  [[ -n "$(env_value DATABASE_URL "$ENV_FILE")" ]] ||
    warn "DATABASE_URL is empty: gateways and workers refuse to start without it (they share one database); point it to PostgreSQL."
  [[ -n "$(env_value REDIS_URL "$ENV_FILE")" ]] ||
    warn "REDIS_URL is empty: gateways and workers refuse to start without it (the node directory lives in Redis); point it to Redis."
elif ((NODES > 1 && !DRY_RUN)) && [[ -f "$ENV_FILE" ]]; then
  [[ -n "$(env_value DATABASE_URL "$ENV_FILE")" ]] ||
    warn "DATABASE_URL is empty: several nodes cannot share the embedded database; point it to PostgreSQL."
  [[ -n "$(env_value REDIS_URL "$ENV_FILE")" ]] ||
    warn "REDIS_URL is empty: the in-memory cache works for a single node only; point it to Redis."
fi

# ---------------------------------------------------------------------------------------------
step "Installing systemd units"

if [[ "$NODE_BIN" == /root/* || "$NODE_BIN" == /home/* ]]; then
  warn "node is at $NODE_BIN, which the $APP_USER user cannot reach (ProtectHome=true). Install Node.js system-wide (/usr/bin/node)."
fi

install_unit() {
  local name="$1"
  run install -m 0644 "$APP_DIR/deploy/systemd/$name" "$SYSTEMD_DIR/$name"
  # The units call /usr/bin/node; point them at this host's node if it lives elsewhere.
  if [[ "$NODE_BIN" != /usr/bin/node ]]; then
    run sed -i "s#/usr/bin/node #$NODE_BIN #" "$SYSTEMD_DIR/$name"
  fi
  # Workers announce PUBLIC_URL=http://%H:PORT (systemd's host name) unless told the name players use.
  if [[ "$name" == gamev1-worker* && -n "$PUBLIC_HOST" ]]; then
    run sed -i "/^ExecStart=/s#PUBLIC_URL=http://%H:#PUBLIC_URL=http://$PUBLIC_HOST:#" "$SYSTEMD_DIR/$name"
  fi
}
# Every layout's units are installed (switching layouts by hand then needs no redeploy); only the
# chosen layout's units are enabled below.
ALL_UNITS=(gamev1 gamev1-gateway gamev1-worker) # each also as a per-port template, NAME@.service
for unit in "${ALL_UNITS[@]}"; do
  install_unit "$unit.service"
  install_unit "$unit@.service"
done
run systemctl daemon-reload

# The nodes behind nginx: all-in-one nodes (--role all) or, with workers, gateways (--role gateway).
if ((SPLIT)); then FRONT=gamev1-gateway; else FRONT=gamev1; fi
PORTS=()    # nginx upstream: the front nodes only (players reach workers directly)
SERVICES=() # every unit to enable
if ((NODES == 1)); then
  # nginx must point at the port the single node listens on.
  single_port="$BASE_PORT"
  if [[ -f "$ENV_FILE" ]]; then
    bind="$(env_value GATEWAY_BIND_ADDR "$ENV_FILE")"
    [[ "${bind##*:}" =~ ^[0-9]+$ ]] && single_port="${bind##*:}"
  fi
  PORTS=("$single_port")
  SERVICES=("$FRONT")
else
  for ((i = 0; i < NODES; i++)); do
    PORTS+=("$((BASE_PORT + i))")
    SERVICES+=("$FRONT@$((BASE_PORT + i))")
  done
fi
WORKER_PORTS=()
if ((WORKERS == 1)); then
  WORKER_PORTS=("$WORKER_BASE_PORT")
  SERVICES+=(gamev1-worker)
else
  for ((i = 0; i < WORKERS; i++)); do
    WORKER_PORTS+=("$((WORKER_BASE_PORT + i))")
    SERVICES+=("gamev1-worker@$((WORKER_BASE_PORT + i))")
  done
fi
info "layout: ${SERVICES[*]}"

# Units of other layouts would compete for the same ports (or, for workers, run on unasked): disable
# whatever this layout does not use (e.g. after switching from --nodes 3 back to one node, or from
# the all-in-one gamev1-gateway.service of earlier versions to gamev1.service).
stale=()
for unit in "${ALL_UNITS[@]}"; do
  [[ " ${SERVICES[*]} " == *" $unit "* ]] && continue
  if systemctl is-enabled --quiet "$unit" 2>/dev/null; then
    stale+=("$unit")
  fi
done
for unit in "${ALL_UNITS[@]}"; do
  for link in "$SYSTEMD_DIR/multi-user.target.wants/$unit"@*.service; do
    [[ -e "$link" || -L "$link" ]] || continue
    instance="$(basename "$link" .service)"
    [[ " ${SERVICES[*]} " == *" $instance "* ]] || stale+=("$instance")
  done
done
if ((${#stale[@]})); then
  run systemctl disable --now "${stale[@]}"
fi
run systemctl enable "${SERVICES[@]}"

# ---------------------------------------------------------------------------------------------
step "Installing the nginx site"

# Debian/Ubuntu layout (sites-available + sites-enabled) unless this nginx only has conf.d.
if [[ -d /etc/nginx/conf.d && ! -d /etc/nginx/sites-available ]]; then
  NGINX_SITE=/etc/nginx/conf.d/gamev1.conf
  NGINX_LINK=""
else
  NGINX_SITE=/etc/nginx/sites-available/gamev1
  NGINX_LINK=/etc/nginx/sites-enabled/gamev1
  run mkdir -p /etc/nginx/sites-available /etc/nginx/sites-enabled
fi

# Render the site: upstream servers for the chosen ports, optional server_name.
render_nginx_site() {
  awk -v ports="${PORTS[*]}" -v domain="$DOMAIN" '
    /^[[:space:]]*upstream gamev1_gateway[[:space:]]*\{/ { in_up = 1 }
    in_up && /^[[:space:]]*server 127\.0\.0\.1:[0-9]+/ {
      if (!emitted) {
        n = split(ports, p, " ")
        for (i = 1; i <= n; i++) printf "    server 127.0.0.1:%s max_fails=3 fail_timeout=10s;\n", p[i]
        emitted = 1
      }
      next
    }
    in_up && /\}/ { in_up = 0 }
    domain != "" && /^[[:space:]]*server_name[[:space:]]/ { sub(/server_name[[:space:]].*;/, "server_name " domain ";") }
    { print }
  ' "$APP_DIR/deploy/nginx/gamev1.conf"
}

if ((DRY_RUN)); then
  info "would write $NGINX_SITE from deploy/nginx/gamev1.conf (upstream 127.0.0.1:{${PORTS[*]}}${DOMAIN:+, server_name $DOMAIN})"
else
  render_nginx_site >"$NGINX_SITE.tmp"
  chmod 0644 "$NGINX_SITE.tmp"
  mv "$NGINX_SITE.tmp" "$NGINX_SITE"
fi
if [[ -n "$NGINX_LINK" ]]; then
  run ln -sfn "$NGINX_SITE" "$NGINX_LINK"
fi

CERT=/etc/ssl/certs/gamev1.crt
KEY=/etc/ssl/private/gamev1.key
if [[ ! -f "$CERT" || ! -f "$KEY" ]]; then
  warn "no TLS certificate at $CERT / $KEY: a self-signed one is generated so nginx starts. Replace it with a real certificate."
  run mkdir -p /etc/ssl/certs /etc/ssl/private
  run openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 90 \
    -subj "/CN=${DOMAIN:-gamev1.local}" -keyout "$KEY" -out "$CERT"
  run chmod 0600 "$KEY"
fi

run "$NGINX_BIN" -t
run systemctl reload-or-restart nginx

# ---------------------------------------------------------------------------------------------
step "Done"

if ((DRY_RUN)); then
  info "would leave enabled, not started: ${SERVICES[*]} (then: sudo systemctl start ${SERVICES[*]})"
  echo "    Dry run finished: nothing was changed."
  exit 0
fi
cat <<EOF
    GameV1 is installed in $APP_DIR and enabled (${SERVICES[*]}), but not started.

    Next steps:
      1. Review $ENV_FILE (DATABASE_URL, REDIS_URL, ...).
         Create the database if needed (sudo -u postgres psql):
           CREATE USER gamev1_user WITH PASSWORD '...';
           CREATE DATABASE gamev1 OWNER gamev1_user;
      2. Start:   sudo systemctl start ${SERVICES[*]}
                  (after a redeploy: sudo systemctl restart ${SERVICES[*]})
      3. Status:  sudo systemctl status ${SERVICES[0]}
      4. Logs:    journalctl -u ${SERVICES[0]} -f
      5. Health:  curl -i http://127.0.0.1:${PORTS[0]}/healthz
EOF
if ((SPLIT)); then
  cat <<EOF

    Split layout: the gateways (behind nginx) host no rooms; the workers do, and players connect
    to them directly at their PUBLIC_URL, http://${PUBLIC_HOST:-<this host name>}:PORT.
      - DATABASE_URL must point to PostgreSQL and REDIS_URL to Redis: the roles refuse to start
        without either (they share one database and the node directory).
      - Open the worker ports ${WORKER_PORTS[*]} to players; keep the Worker API ports
        (gRPC: 50051, or 5PORT for gamev1-worker@PORT) to the gateways' network.
      - Worker health: curl -i http://127.0.0.1:${WORKER_PORTS[0]}/healthz
EOF
fi
