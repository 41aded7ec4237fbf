# shellcheck shell=bash
# Shared helpers for scripts/*: paths, logging, timed steps, small checks.
# Source it; it sets nothing but variables and functions.

SAAS_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SAAS_STACK_DIR=${SAAS_STACK_DIR:-$SAAS_REPO_ROOT/.stack}
# The client in /usr/local/bin may be newer than this engine's API; Debian's matches it.
DOCKER=${DOCKER:-/usr/bin/docker}
SAAS_QUIET=${SAAS_QUIET:-0}

# --- output -----------------------------------------------------------------

log() { [[ $SAAS_QUIET == 1 ]] || printf '%s\n' "$*"; }
detail() { [[ $SAAS_QUIET == 1 ]] || printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# microseconds since the epoch, as an integer
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }

# seconds elapsed since a now_us value, like "3.2s"
elapsed_since() {
  local ms=$((($(now_us) - $1) / 1000))
  printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100))
}

# step TITLE COMMAND [ARGS...]: runs one named step with its timing.
# A failing command stops the script (set -e); the ERR trap of the caller names the step.
SAAS_STEP=''
step() {
  local title=$1 t0
  shift
  SAAS_STEP=$title
  t0=$(now_us)
  log "==> $title"
  "$@"
  log "    ok ($(elapsed_since "$t0"))"
  SAAS_STEP=''
}

# install_err_trap SCRIPT_NAME: one readable line when something fails under set -e
install_err_trap() {
  SAAS_SCRIPT_NAME=$1
  set -E
  trap 'saas_on_err $? $LINENO "$BASH_COMMAND"' ERR
}
saas_on_err() {
  local rc=$1 line=$2 cmd=$3
  trap - ERR
  if [[ -n $SAAS_STEP ]]; then
    printf 'error: %s: step "%s" failed (exit %s at line %s: %s)\n' "$SAAS_SCRIPT_NAME" "$SAAS_STEP" "$rc" "$line" "$cmd" >&2
  else
    printf 'error: %s failed (exit %s at line %s: %s)\n' "$SAAS_SCRIPT_NAME" "$rc" "$line" "$cmd" >&2
  fi
  exit "$rc"
}

# --- checks -----------------------------------------------------------------

require_root() {
  [[ $(id -u) == 0 ]] || die "$1 must run as root (it installs packages and starts services)"
}

have() { command -v "$1" >/dev/null 2>&1; }

# wait_for SECONDS DESCRIPTION COMMAND [ARGS...]: polls every 0.2 s until COMMAND succeeds
wait_for() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$(($(now_us) + timeout * 1000000))
  until "$@" >/dev/null 2>&1; do
    (($(now_us) < deadline)) || return 1
    sleep 0.2
  done
  detail "$what: ready"
}

docker_ok() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# human size of a local image, e.g. "612MB"
image_size() {
  local bytes
  bytes=$("$DOCKER" image inspect --format '{{.Size}}' "$1" 2>/dev/null) || return 1
  awk -v b="$bytes" 'BEGIN { if (b >= 1e9) printf "%.2fGB\n", b / 1e9; else if (b >= 1e6) printf "%.0fMB\n", b / 1e6; else printf "%.0fkB\n", b / 1e3 }'
}

# first "deb" mirror URI of this machine's apt sources that serves SUITE (one-line or deb822 format)
apt_mirror_for() {
  local suite=$1 f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v suite="$suite" '
      /^[[:space:]]*deb[[:space:]]/ {
        i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; found = 1; exit }
      }
      /^[[:space:]]*$/ { if (types ~ /deb( |$)/ && suites ~ " " suite " " && uri != "") { print uri; found = 1; exit } types = uri = ""; suites = "" }
      /^Types:/ { $1 = ""; types = $0 }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { $1 = ""; suites = $0 " " }
      END { if (!found && types ~ /deb( |$)/ && suites ~ " " suite " " && uri != "") print uri }
    ' "$f" | head -n1
  done | head -n1
}
