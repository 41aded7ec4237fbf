# shellcheck shell=bash
# Debian (bookworm) package lists, hardcoded so a fresh machine needs no Odoo tree to read them.

# What Odoo 17 needs to run: the Depends of its debian/control (alternatives resolved for
# bookworm: fonts-dejavu-core, python3-lxml since python3-lxml-html-clean is not in bookworm),
# plus what its ${python3:Depends} would expand to (python3, pkg_resources imported by
# odoo.modules.module), python3-cffi-backend (cryptography's C bindings), and gevent/greenlet
# for the websocket process Odoo starts when workers > 0.
ODOO_DEB_DEPS=(
  adduser
  fonts-dejavu-core
  fonts-inconsolata
  fonts-font-awesome
  fonts-roboto-unhinted
  gsfonts
  libjs-underscore
  lsb-base
  postgresql-client
  python3
  python3-babel
  python3-cffi-backend
  python3-chardet
  python3-dateutil
  python3-decorator
  python3-docutils
  python3-freezegun
  python3-geoip2
  python3-gevent
  python3-greenlet
  python3-jinja2
  python3-libsass
  python3-lxml
  python3-num2words
  python3-ofxparse
  python3-openssl
  python3-passlib
  python3-pil
  python3-pkg-resources
  python3-polib
  python3-psutil
  python3-psycopg2
  python3-pydot
  python3-pypdf2
  python3-qrcode
  python3-renderpm
  python3-reportlab
  python3-requests
  python3-rjsmin
  python3-stdnum
  python3-tz
  python3-vobject
  python3-werkzeug
  python3-xlrd
  python3-xlsxwriter
  python3-zeep
)

# The local stack's services and tools (scripts/setup installs the missing ones).
STACK_DEBS=(
  black
  ca-certificates
  caddy
  chromium
  curl
  debootstrap
  docker-compose
  docker.io
  docker-registry
  flake8
  openssl
  postgresql
  redis-server
  supervisor
  restic
  wkhtmltopdf
)

# Debian packages of this list that are not installed (one per line); one dpkg-query call
missing_debs() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true)
  local pkg
  for pkg in "$@"; do
    grep -qxF "$pkg" <<<"$installed" || echo "$pkg"
  done
}
