#!/usr/bin/env bash
# The stack's supervisor brings a killed program back by itself: brings a throwaway stack up on ports
# of its own (master db cloned from the template), SIGKILLs the bridge, then the master Odoo, and
# waits for each to answer again with no one restarting it. Also: the master listens on loopback
# only (refused at the tenant network's gateway, where tenants would reach it), and `down` leaves
# none of the programs' processes behind. Prints how long each took; tears its stack down.
#
#   test/stack/supervisor-restart.sh        (after scripts/setup; ODOO_SRC as for scripts/stack)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$REPO/scripts/lib/common.sh"
source "$REPO/scripts/lib/env.sh"

case ${1:-} in
  -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
  '') ;;
  *) die "unknown option: $1" ;;
esac

# beside the dev stack (8069...), the e2e (18069...) and the bench (18169...) stacks
export SAAS_STACK_DIR=$REPO/.stack-supervisor STACK_MASTER_DB=saas_supervisor
# its own restic repositories, as every test stack (scripts/stack --help, STACK_BACKUP_DIR)
export STACK_BACKUP_DIR=$SAAS_STACK_DIR/backups
export STACK_ODOO_PORT=18269 STACK_BRIDGE_PORT=13200 STACK_CADDY_PORT=18280
# every port its own, HTTPS included: a dev stack from README holds 8080/8443 meanwhile
export STACK_CADDY_ADMIN_PORT=12219 STACK_CADDY_HTTPS_PORT=18243 STACK_SMTP_PORT=11225 STACK_REDIS_DB=3
export STACK_MASTER_FROM_TEMPLATE=1
stack() { "$REPO/scripts/stack" "$@"; }

code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" || true; }
bridge_ready() { [[ $(code "http://127.0.0.1:$STACK_BRIDGE_PORT/readyz") == 200 ]]; }
master_ready() { [[ $(code "http://127.0.0.1:$STACK_ODOO_PORT/web/login") == 200 ]]; }
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  stack status >&2 || true
  exit 1
}

started=0
made_db=0
teardown() {
  if ((started)); then stack down >/dev/null 2>&1 || warn "scripts/stack down failed for $SAAS_STACK_DIR"; fi
  ((made_db)) || return 0
  # the throwaway master goes too (the next run clones it again in seconds)
  local data=${STACK_MASTER_DATA_DIR:-/var/lib/saas/master}
  PGPASSWORD=$(saas_env ODOO_MASTER_DB_PASSWORD) PGOPTIONS='-c client_min_messages=warning' \
    dropdb -h 127.0.0.1 -U odoo_master --if-exists --force "$STACK_MASTER_DB" || warn "could not drop $STACK_MASTER_DB"
  rm -rf "${data:?}/filestore/$STACK_MASTER_DB" "$data/$STACK_MASTER_DB.addons.sha"
}
trap teardown EXIT

# kill_and_wait PROGRAM READY_CHECK: SIGKILL, then seconds until READY_CHECK passes on a new pid
kill_and_wait() {
  local name=$1 ready=$2 old new t0 deadline
  old=$(stack pid "$name") || fail "$name does not run"
  kill -KILL "$old"
  t0=$(now_us)
  deadline=$((t0 + 180 * 1000000))
  while :; do
    new=$(stack pid "$name" 2>/dev/null) || new=''
    if [[ -n $new && $new != "$old" ]] && "$ready"; then break; fi
    (($(now_us) < deadline)) || fail "$name (pid $old, SIGKILLed) did not answer again within 180 s"
    sleep 0.2
  done
  kill -0 "$old" 2>/dev/null && fail "$name's old pid $old still lives"
  KILL_SECONDS=$(elapsed_since "$t0")
  log "  $name: SIGKILL pid $old -> pid $new answering after $KILL_SECONDS"
}

t0=$(now_us)
started=1
made_db=1
log "==> bring up a throwaway stack in $SAAS_STACK_DIR (db $STACK_MASTER_DB)"
up_log=$SAAS_STACK_DIR/logs/up.log
mkdir -p "$SAAS_STACK_DIR/logs"
stack up --no-setup >"$up_log" 2>&1 || {
  tail -n 40 "$up_log" >&2
  fail "scripts/stack up failed (log: $up_log)"
}
up_time=$(elapsed_since "$t0")
grep -E 'cloned from|building the master template' "$up_log" | sed 's/^ */  /' || true
log "  stack up in $up_time"
stack status | sed 's/^/  /'
for name in caddy mail-sink odoo-master bridge; do
  [[ $(stack pid "$name" 2>/dev/null) ]] || fail "$name does not run under the stack's supervisord"
done

log "==> the master Odoo listens on loopback only"
subnet=$(saas_env TENANT_SUBNET 172.30.0.0/24)
[[ $subnet =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.([0-9]+)/[0-9]+$ ]] || fail "TENANT_SUBNET=$subnet is not an IPv4 subnet"
gateway=${BASH_REMATCH[1]}.$((BASH_REMATCH[2] + 1))
# the gateway is this host's address on the tenant network: PostgreSQL answers there (the control)
bash -c "exec 3<>/dev/tcp/$gateway/5432" 2>/dev/null || fail "nothing answers on $gateway:5432: is the tenant network up (scripts/setup)?"
master_ready || fail "the master does not answer on 127.0.0.1:$STACK_ODOO_PORT"
[[ $(code "http://localhost:$STACK_ODOO_PORT/shop") == 200 ]] || fail "the shop does not answer at http://localhost:$STACK_ODOO_PORT/shop"
for port in "$STACK_ODOO_PORT" "$STACK_BRIDGE_PORT" "$STACK_CADDY_ADMIN_PORT"; do
  rc=0
  curl -s -o /dev/null --max-time 5 "http://$gateway:$port/" || rc=$?
  # 7: connection refused (28 would be a timeout, which proves nothing)
  ((rc == 7)) || fail "http://$gateway:$port/ was not refused (curl exit $rc)"
done
# the mail sink is the tenants' SMTP relay here (README, Mail): it answers there, SMTP only
banner=$(timeout 5 bash -c "exec 3<>/dev/tcp/$gateway/$STACK_SMTP_PORT && head -c 3 <&3" 2>/dev/null || true)
[[ $banner == 220 ]] || fail "the mail sink does not greet tenants on $gateway:$STACK_SMTP_PORT (got '$banner')"
log "  shop 200 at http://localhost:$STACK_ODOO_PORT/shop; refused at $gateway: master :$STACK_ODOO_PORT, bridge :$STACK_BRIDGE_PORT, Caddy admin :$STACK_CADDY_ADMIN_PORT; mail sink greets (SMTP 220) on :$STACK_SMTP_PORT"

log "==> SIGKILL each program; its supervisor brings it back"
kill_and_wait bridge bridge_ready
bridge_time=$KILL_SECONDS
kill_and_wait odoo-master master_ready
master_time=$KILL_SECONDS
wait_for 60 "bridge after the master's restart" bridge_ready || fail "the bridge is not ready after the master came back"

log "==> scripts/stack down leaves nothing behind"
pids=()
for name in caddy mail-sink odoo-master bridge; do pids+=("$(stack pid "$name")"); done
stack down >/dev/null
started=0
# supervisor starts each program as the leader of its own process group: the whole group must go
for pid in "${pids[@]}"; do
  pgrep -g "$pid" >/dev/null && fail "process group $pid still has processes after scripts/stack down: $(pgrep -g "$pid" | tr '\n' ' ')"
done
[[ -e $SAAS_STACK_DIR/supervisor.sock ]] && fail "the supervisor's socket is still there"
supervisorctl -c "$SAAS_STACK_DIR/supervisord.conf" pid >/dev/null 2>&1 && fail "the stack's supervisord still answers"
log "  the 4 programs' process groups and supervisord are gone"

log "stack supervisor: bridge back in $bridge_time, master back in $master_time after SIGKILL (no manual restart); master refused on $gateway:$STACK_ODOO_PORT; stack up in $up_time"
