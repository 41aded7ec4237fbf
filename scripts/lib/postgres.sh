# shellcheck shell=bash
# PostgreSQL roles of the stack (docs/contracts.md), shared by scripts/setup (Debian cluster)
# and scripts/postgres-initdb (the postgres container of docker-compose.yml). Plain bash: no
# other helper is needed, so the postgres image can source it as it is.

# psql_quote VALUE: VALUE as a single-quoted argument of a psql backslash command
psql_quote() {
  local v=${1//\\/\\\\}
  printf "'%s'" "${v//\'/\'\'}"
}

# pg_roles_sql ADMIN ADMIN_PW TEMPLATE TEMPLATE_PW MASTER MASTER_PW: a psql script that creates
# the roles when missing and (re)sets their attributes and passwords; run it as a superuser with
# psql -v ON_ERROR_STOP=1. Passwords travel as psql variables, never on a command line.
pg_roles_sql() {
  printf '\\set admin_user %s\n\\set admin_pw %s\n' "$(psql_quote "$1")" "$(psql_quote "$2")"
  printf '\\set template_user %s\n\\set template_pw %s\n' "$(psql_quote "$3")" "$(psql_quote "$4")"
  printf '\\set master_user %s\n\\set master_pw %s\n' "$(psql_quote "$5")" "$(psql_quote "$6")"
  cat <<'SQL'
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I', :'admin_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'admin_user') \gexec
SELECT format('CREATE ROLE %I', :'template_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'template_user') \gexec
SELECT format('CREATE ROLE %I', :'master_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'master_user') \gexec
-- the bridge: creates tenant roles and databases, clones templates
ALTER ROLE :"admin_user" WITH SUPERUSER LOGIN PASSWORD :'admin_pw';
-- owns the template databases; templates are built connecting as it
ALTER ROLE :"template_user" WITH NOSUPERUSER NOCREATEDB NOCREATEROLE LOGIN PASSWORD :'template_pw';
-- the master Odoo
ALTER ROLE :"master_user" WITH NOSUPERUSER CREATEDB NOCREATEROLE LOGIN PASSWORD :'master_pw';
-- every tenant role is a member (the bridge grants it): the only role pg_hba admits from tenants
SELECT 'CREATE ROLE saas_tenants NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'saas_tenants') \gexec
SELECT format('GRANT saas_tenants TO %I', rolname) FROM pg_roles
 WHERE rolname ~ '^tenant_[a-z0-9_]+$' AND rolcanlogin AND NOT rolsuper \gexec
-- tenants open 'postgres' (Odoo's cron and bus LISTEN there): they see no other session or role
-- membership; pg_user stays readable, Odoo's list_dbs reads it on every request
REVOKE SELECT ON pg_catalog.pg_stat_activity, pg_catalog.pg_roles,
  pg_catalog.pg_auth_members FROM PUBLIC;
GRANT SELECT ON pg_catalog.pg_user TO PUBLIC;
SQL
}

# pg_hba_tenant_rules ADDRESS TEMPLATE_USER [ADMIN_USER]: what tenants may open, from ADDRESS (the
# tenant subnet locally; "all" in the compose postgres, which sees every tenant at docker-proxy's
# address). Only members of saas_tenants (every tenant role) get in, to their own database and to
# 'postgres'; the stack's own roles are refused before any password is asked. Template builds run
# on the host's network (loopback). One function for scripts/setup and scripts/postgres-initdb.
pg_hba_tenant_rules() {
  local address=$1 template=$2 admin=${3:-saas_admin} pad
  pad=$(printf '%*s' $((24 - ${#address})) '')
  echo "# the stack's own roles never from tenants"
  printf 'host    all             %s,odoo_master,%s,postgres   %s%sreject\n' "$admin" "$template" "$address" "$pad"
  echo "# Odoo opens 'postgres' at start (does its database exist?) and its cron and bus LISTEN there"
  printf 'host    postgres        +saas_tenants   %s%sscram-sha-256\n' "$address" "$pad"
  echo "# tenants reach only the database named like their role"
  printf 'host    sameuser        +saas_tenants   %s%sscram-sha-256\n' "$address" "$pad"
  printf 'host    all             all             %s%sreject\n' "$address" "$pad"
}
