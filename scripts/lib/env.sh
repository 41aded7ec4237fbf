# shellcheck shell=bash
# The stack's configuration: .env in the repo root (git-ignored), made from .env.example.
# Needs common.sh.

SAAS_ENV_FILE=${SAAS_ENV_FILE:-$SAAS_REPO_ROOT/.env}
SAAS_ENV_EXAMPLE=$SAAS_REPO_ROOT/.env.example

# env_file_get FILE KEY: prints KEY's value in a dotenv FILE (last one wins, quotes and
# trailing " # comment" removed); fails when KEY is absent
env_file_get() {
  [[ -f $1 ]] || return 1
  awk -v key="$2" '
    { line = $0; sub(/^[ \t]*export[ \t]+/, "", line) }
    index(line, key "=") == 1 {
      v = substr(line, length(key) + 2)
      if (v ~ /^"/) { v = substr(v, 2); sub(/".*$/, "", v) }
      else if (v ~ /^\047/) { v = substr(v, 2); sub(/\047.*$/, "", v) }
      else { sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v) }
      value = v; found = 1
    }
    END { if (found) print value; exit !found }
  ' "$1"
}

# saas_env KEY [DEFAULT]: the process environment wins, then .env, then DEFAULT
saas_env() {
  local key=$1
  if [[ -n ${!key+x} ]]; then
    printf '%s\n' "${!key}"
  elif ! env_file_get "$SAAS_ENV_FILE" "$key" 2>/dev/null; then
    printf '%s\n' "${2-}"
  fi
}

# the password in a URL like postgres://user:pass@host/db, percent-decoded
url_password() {
  local p
  p=$(sed -n 's#^[A-Za-z0-9+.-]*://[^:/@]*:\([^@]*\)@.*#\1#p' <<<"$1")
  printf '%b\n' "${p//%/\\x}"
}

# the user in such a URL
url_user() { sed -n 's#^[A-Za-z0-9+.-]*://\([^:/@]*\)[:@].*#\1#p' <<<"$1"; }

env_secret() { openssl rand -hex 24 2>/dev/null || od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# Values that differ from .env.example on this machine (the local stack, not production).
env_local_value() {
  local odoo_src=${ODOO_SRC:-}
  [[ -z $odoo_src && -f /opt/odoo17/odoo-bin ]] && odoo_src=/opt/odoo17
  case $1 in
    TENANT_IMAGE) echo saas-odoo-runtime:17 ;;
    TENANT_ODOO_SRC) echo "$odoo_src" ;;
    TENANT_ADDONS_PATH) echo /opt/odoo/addons,/mnt/extra-addons ;;
    SAAS_ADDONS_DIR) echo "$SAAS_REPO_ROOT/odoo-addons" ;;
    TENANT_DATA_DIR) echo /var/lib/saas/tenants ;;
    *) return 1 ;;
  esac
}

# env_render_line LINE: a line of .env.example as it goes into .env: local values set,
# every change-me* placeholder replaced by its own random secret, PG_ADMIN_PASSWORD equal
# to the password inside PG_ADMIN_URL. Sets ENV_PG_ADMIN_PW when it renders PG_ADMIN_URL.
ENV_PG_ADMIN_PW=''
env_render_line() {
  local line=$1 key value
  if [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]]; then
    key=${BASH_REMATCH[1]}
    if value=$(env_local_value "$key"); then
      [[ $value == *[[:space:]]* ]] && value="\"$value\""
      line="$key=$value"
    elif [[ $key == PG_ADMIN_PASSWORD && -n $ENV_PG_ADMIN_PW ]]; then
      line="$key=$ENV_PG_ADMIN_PW"
    else
      while [[ $line =~ (change-me[A-Za-z0-9_-]*) ]]; do
        line=${line/"${BASH_REMATCH[1]}"/$(env_secret)}
      done
    fi
    [[ $key == PG_ADMIN_URL ]] && ENV_PG_ADMIN_PW=$(url_password "${line#*=}")
  fi
  printf '%s\n' "$line"
}

# ensure_env_file: creates .env from .env.example when missing; otherwise appends the
# variables .env.example has and .env lacks (with their comments). Never changes a value
# already in .env. Prints what it did.
ensure_env_file() {
  [[ -f $SAAS_ENV_EXAMPLE ]] || die "$SAAS_ENV_EXAMPLE is missing"
  local old_umask line key comments='' added=()
  old_umask=$(umask)
  umask 077
  if [[ ! -f $SAAS_ENV_FILE ]]; then
    {
      printf '# Made by scripts/setup from .env.example on %s: secrets are random, paths are this machine'\''s.\n' "$(date -u +%FT%TZ)"
      while IFS= read -r line || [[ -n $line ]]; do env_render_line "$line"; done <"$SAAS_ENV_EXAMPLE"
    } >"$SAAS_ENV_FILE.tmp"
    mv "$SAAS_ENV_FILE.tmp" "$SAAS_ENV_FILE"
    umask "$old_umask"
    detail "created $SAAS_ENV_FILE with random secrets"
    return 0
  fi
  ENV_PG_ADMIN_PW=$(url_password "$(env_file_get "$SAAS_ENV_FILE" PG_ADMIN_URL || true)")
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]]; then
      key=${BASH_REMATCH[1]}
      if ! env_file_get "$SAAS_ENV_FILE" "$key" >/dev/null; then
        ((${#added[@]})) || printf '\n# Added by scripts/setup on %s (new in .env.example)\n' "$(date -u +%FT%TZ)" >>"$SAAS_ENV_FILE"
        printf '%s' "$comments" >>"$SAAS_ENV_FILE"
        env_render_line "$line" >>"$SAAS_ENV_FILE"
        added+=("$key")
      fi
      comments=''
    elif [[ $line == \#* ]]; then
      comments+="$line"$'\n'
    else
      comments=''
    fi
  done <"$SAAS_ENV_EXAMPLE"
  umask "$old_umask"
  if ((${#added[@]})); then detail ".env: added ${added[*]}"; else detail ".env is complete"; fi
}
