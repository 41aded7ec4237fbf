# shellcheck shell=bash
# The Odoo, Caddy and Redis settings the local stack (scripts/stack, scripts/setup) and the
# production shape (odoo.conf, Caddyfile, docker-compose.yml) share, written once. The stack
# generates its configs from these functions; scripts/check-settings renders them and fails
# when the production files say something else. (pg_hba: scripts/lib/postgres.sh, one
# function for both.) Plain bash, no other helper needed.

# odoo.conf lines both masters carry with the same value. The rest differs on purpose: paths,
# ports, workers and memory limits (2 cores here, a server there).
MASTER_ODOO_SHARED=(
  # behind Caddy: scheme, host and client address from X-Forwarded-* (only when the header is
  # there: direct requests to the loopback port stay as they are)
  'proxy_mode = True'
  'db_host = 127.0.0.1'
  'db_port = 5432'
  'db_user = odoo_master'
  'list_db = False'
  'without_demo = all'
  # loopback only: tenants reach nothing on the host but PostgreSQL (issue 13, item 7)
  'http_interface = 127.0.0.1'
  'max_cron_threads = 1'
)

# PostgreSQL, sized for the tenants one host is meant to carry (docs/capacity.md): about 150 Basic
# tenants at ~5 connections each on average (a role may open 8: tenant-sizing.ts), plus the
# master, the bridge and ~50 to spare. An idle backend costs ~2-3 MB (more once Odoo's catalog
# is cached), so 800 stay under ~4 GB at worst. Changing max_connections or shared_buffers
# needs a restart: scripts/setup does it, compose at the next `up`.
PG_SHARED=(
  'max_connections = 800'
  'shared_buffers = 1GB'
  'work_mem = 4MB'
  # a tenant container killed without closing its sockets frees its slots within ~2 minutes
  'tcp_keepalives_idle = 60'
  # who connects from where, in the server log (issue 13, item 6)
  'log_connections = on'
)

# Redis for BullMQ: an append-only file, never evict a key (jobs would vanish)
REDIS_SHARED=(
  'appendonly yes'
  'appendfsync everysec'
  'maxmemory-policy noeviction'
)

# Caddy: the admin API on loopback only, and what a host without a tenant gets
CADDY_ADMIN_HOST=127.0.0.1
CADDY_CATCH_ALL_STATUS=404
CADDY_CATCH_ALL_BODY='No Odoo instance lives at this address.'

# master_odoo_conf DB HTTP_PORT DATA_DIR ADDONS_PATH DB_PASSWORD: the local master's odoo.conf
master_odoo_conf() {
  local db=$1 port=$2 data_dir=$3 addons=$4 pw=$5 line
  printf '[options]\n'
  printf 'addons_path = %s\ndata_dir = %s\n' "$addons" "$data_dir"
  for line in "${MASTER_ODOO_SHARED[@]}"; do printf '%s\n' "$line"; done
  printf 'db_password = %s\ndb_name = %s\ndbfilter = ^%s$\n' "$pw" "$db" "$db"
  printf 'http_port = %s\ngevent_port = %s\n' "$port" "$((port + 3))"
  # one process: the local shop is light, and a crash restarts it whole (supervisor)
  printf 'workers = 0\nlimit_time_real = 600\n'
}

# redis_conf DIR: the local Redis (scripts/setup), daemonized, state in DIR
redis_conf() {
  local dir=$1 line
  printf '# written by scripts/setup: the stack'\''s Redis (scripts/lib/settings.sh)\n'
  printf 'bind 127.0.0.1\nport 6379\nprotected-mode yes\ndaemonize yes\n'
  printf 'pidfile %s/redis.pid\nlogfile %s/redis.log\ndir %s\n' "$dir" "$dir" "$dir"
  for line in "${REDIS_SHARED[@]}"; do printf '%s\n' "$line"; done
}

# Caddy: a certificate authority of its own for local HTTPS (`tls internal`), on demand: a name gets
# its certificate at its first TLS handshake, once the bridge's ask endpoint says it is ours
CADDY_ASK_PATH=/v1/tls/ask
CADDY_ON_DEMAND_INTERVAL=1m
CADDY_ON_DEMAND_BURST=20

# caddy_json ADMIN_PORT HTTP_PORT [HTTPS_PORT BRIDGE_PORT MASTER_PORT]: the local Caddy
# (scripts/stack); tenant routes go before the catch-all, in the server named "saas" (CADDY_SERVER
# of the local stack). With HTTPS_PORT the same routes also answer TLS there (http_port is the plain
# listener, Caddy speaks TLS on every other one), certificates from Caddy's local CA (its root:
# admin API /pki/ca/local), and the master is routed at host localhost.
caddy_json() {
  local admin=$1 http=$2 https=${3:-} bridge=${4:-3000} master=${5:-8069}
  local listen="\":$http\"" ports='' policies='' master_route='' tls=''
  if [[ -n $https ]]; then
    listen="\":$http\", \":$https\""
    ports="\"http_port\": $http, \"https_port\": $https,"
    policies='"tls_connection_policies": [ {} ],'
    # Odoo sets its session cookie without Secure: over TLS the proxy adds it (as for tenants:
    # src/adapters/caddy-proxy.adapter.ts)
    master_route=$(
      cat <<EOF
{ "@id": "saas-master", "match": [ { "host": ["localhost"] } ], "terminal": true, "handle": [
      { "handler": "subroute", "routes": [ { "match": [ { "protocol": "https" } ], "handle": [ { "handler": "headers",
        "response": { "deferred": true, "replace": { "Set-Cookie": [ { "search_regexp": "^(.*)\$", "replace": "\${1}; Secure" } ] } } } ] } ] },
      { "handler": "reverse_proxy", "upstreams": [ { "dial": "127.0.0.1:$master" } ] } ] },
EOF
    )
    tls=$(
      cat <<EOF
,
  "tls": { "automation": {
    "policies": [ { "issuers": [ { "module": "internal" } ], "on_demand": true } ],
    "on_demand": { "ask": "http://127.0.0.1:$bridge$CADDY_ASK_PATH",
      "rate_limit": { "interval": "$CADDY_ON_DEMAND_INTERVAL", "burst": $CADDY_ON_DEMAND_BURST } } } },
  "pki": { "certificate_authorities": { "local": { "install_trust": false } } }
EOF
    )
  fi
  cat <<EOF
{
  "admin": { "listen": "$CADDY_ADMIN_HOST:$admin" },
  "apps": { "http": { $ports "servers": { "saas": {
    "listen": [$listen],
    "automatic_https": { "disable": true }, $policies
    "routes": [ $master_route { "@id": "saas-catch-all", "handle": [ { "handler": "static_response", "status_code": $CADDY_CATCH_ALL_STATUS,
      "headers": { "Content-Type": ["text/plain; charset=utf-8"] },
      "body": "$CADDY_CATCH_ALL_BODY" } ] } ]
  } } }$tls }
}
EOF
}
