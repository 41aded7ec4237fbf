# shellcheck shell=bash
# export_env_file FILE: exports every KEY=value of a dotenv FILE as the shell reads it, except the
# keys the process environment sets already: those win, as in saas_env (npm run bench switches
# TENANT_DB_SOURCE for its naive path while .env names the default; .env used to win silently).
export_env_file() {
  local file=$1 key
  local -A kept=()
  while IFS= read -r key; do
    [[ -n ${!key+x} ]] && kept[$key]=${!key}
  done < <(sed -n 's/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}\([A-Za-z_][A-Za-z0-9_]*\)=.*/\2/p' "$file")
  set -a
  # shellcheck disable=SC1090
  source "$file"
  set +a
  for key in "${!kept[@]}"; do export "$key=${kept[$key]}"; done
}
