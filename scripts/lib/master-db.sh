# shellcheck shell=bash
# A stack's master database comes from a template: website_sale, payment_demo and saas_master are
# installed once per fingerprint (our addon, the module list, the Odoo release) into a template
# database, which every stack then clones in seconds (createdb -T, filestore copied, the Odoo
# identity reset, as the bridge does for tenants) instead of installing Odoo again. Templates and
# their filestores sit beside the masters' (MASTER_DATA_DIR), shared by every checkout on this
# machine; a lock there keeps two builds or clones from meeting.
# Needs common.sh, settings.sh; MASTER_DATA_DIR, ODOO_SRC, ODOO_MASTER_DB_PASSWORD, STACK_DIR, PY.

MASTER_MODULES=website_sale,payment_demo,payment_stripe,saas_master
MASTER_TEMPLATE_PREFIX=saas_master_tpl_
# templates kept, newest first: other checkouts on this machine (each its own addons) use theirs;
# one is ~50 MB with its filestore, a rebuild minutes
MASTER_TEMPLATES_KEPT=8

# master_pg TOOL ARGS...: psql, createdb or dropdb as the master's role on loopback
master_pg() {
  local tool=$1
  shift
  PGPASSWORD=$ODOO_MASTER_DB_PASSWORD PGOPTIONS='-c client_min_messages=warning' "$tool" -h 127.0.0.1 -U odoo_master "$@"
}

master_db_exists_named() {
  [[ $(master_pg psql -X -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'") == 1 ]]
}

# the fingerprint of what goes into the template; saas_master's files as the upgrade stamp sees them
addons_fingerprint() { find "$SAAS_REPO_ROOT/odoo-addons/saas_master" -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16; }

master_template_name() {
  local release
  release=$(sha256sum "$ODOO_SRC/odoo/release.py" | cut -c1-16)
  echo "$MASTER_TEMPLATE_PREFIX$(printf '%s %s %s' "$MASTER_MODULES" "$release" "$(addons_fingerprint)" | sha256sum | cut -c1-16)"
}

# with_master_lock COMMAND...: one build or clone at a time on this machine
with_master_lock() {
  local fd rc=0
  mkdir -p "$MASTER_DATA_DIR"
  exec {fd}>"$MASTER_DATA_DIR/.templates.lock"
  flock -w 1200 "$fd" || die "another stack has held $MASTER_DATA_DIR/.templates.lock for 20 minutes"
  "$@" || rc=$?
  exec {fd}>&-
  return "$rc"
}

# master_template_build NAME: installs the master's modules into a new template database
master_template_build() {
  local tpl=$1 conf=$STACK_DIR/odoo-template.conf
  detail "building the master template $tpl ($MASTER_MODULES; once per addons change, about a minute)"
  # a build that died half-way left a database without its ready mark
  master_pg dropdb --if-exists --force "$tpl"
  rm -rf "${MASTER_DATA_DIR:?}/filestore/$tpl"
  (
    umask 077
    master_odoo_conf "$tpl" 8069 "$MASTER_DATA_DIR" "$ODOO_SRC/addons,$SAAS_REPO_ROOT/odoo-addons" "$ODOO_MASTER_DB_PASSWORD" >"$conf"
  )
  "$PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$tpl" -i "$MASTER_MODULES" --stop-after-init --no-http \
    >>"$STACK_DIR/logs/master-template.log" 2>&1 || tail_on_fail "master template build" master-template
  # nothing may connect to a template: a connection would make every clone of it fail
  master_pg psql -X -q -d postgres -c "ALTER DATABASE $tpl WITH ALLOW_CONNECTIONS false"
  date -u +%FT%TZ >"$MASTER_DATA_DIR/$tpl.template"
  master_templates_prune "$tpl"
}

# master_templates_prune CURRENT: drops the oldest templates beyond MASTER_TEMPLATES_KEPT
master_templates_prune() {
  local tpl
  master_pg psql -X -d postgres -tAc \
    "SELECT datname FROM pg_database WHERE starts_with(datname, '$MASTER_TEMPLATE_PREFIX') AND datname <> '$1'" |
    while read -r tpl; do
      [[ -n $tpl ]] && printf '%s %s\n' "$(stat -c %Y "$MASTER_DATA_DIR/$tpl.template" 2>/dev/null || echo 0)" "$tpl"
    done | sort -rn | tail -n +"$MASTER_TEMPLATES_KEPT" | while read -r _ tpl; do
    master_pg dropdb --if-exists --force "$tpl"
    rm -rf "${MASTER_DATA_DIR:?}/filestore/$tpl" "$MASTER_DATA_DIR/$tpl.template"
    detail "dropped the old master template $tpl"
  done
}

# master_db_clone_locked TARGET: TARGET made again from the current template (built if missing)
master_db_clone_locked() {
  local target=$1 tpl t0
  tpl=$(master_template_name)
  if [[ ! -f $MASTER_DATA_DIR/$tpl.template ]] || ! master_db_exists_named "$tpl"; then
    master_template_build "$tpl"
  fi
  t0=$(now_us)
  master_pg dropdb --if-exists --force "$target"
  rm -rf "${MASTER_DATA_DIR:?}/filestore/$target"
  master_pg createdb -T "$tpl" "$target"
  if [[ -d $MASTER_DATA_DIR/filestore/$tpl ]]; then
    mkdir -p "$MASTER_DATA_DIR/filestore"
    cp -a "$MASTER_DATA_DIR/filestore/$tpl" "$MASTER_DATA_DIR/filestore/$target"
  fi
  # a clone is another database to Odoo: its own uuid (the bridge's owner mark) and secret
  master_pg psql -X -q -d "$target" -v ON_ERROR_STOP=1 <<'SQL'
UPDATE ir_config_parameter SET value = gen_random_uuid()::text WHERE key IN ('database.secret', 'database.uuid');
UPDATE ir_config_parameter SET value = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
 WHERE key = 'database.create_date';
SQL
  detail "$target cloned from $tpl in $(elapsed_since "$t0") (filestore copied, identity reset)"
}

master_db_clone() { with_master_lock master_db_clone_locked "$1"; }
