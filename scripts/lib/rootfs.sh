# Shared by the scripts that build an image from a Debian root (build-tenant-image,
# build-swarm-node-image): a cached debootstrap minbase tree, a chroot with the .deb cache bound in,
# clean-up that never deletes through a live mount. The caller sets ROOT, WORK, LOG, SUITE, MIRROR,
# SECURITY_MIRROR, BASE_TAR, DEB_CACHE and REFRESH, then calls `trap cleanup EXIT`.
# shellcheck shell=bash

unmount_all() {
  local m
  # deepest first; lazy so a busy mount cannot stop the clean-up
  for m in $(awk -v r="$ROOT" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}
cleanup() {
  unmount_all
  # never descend into anything still mounted (like a bind of /dev)
  if awk -v r="$ROOT" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    warn "mounts left under $ROOT; not removing $WORK"
  else
    rm -rf --one-file-system "$WORK"
  fi
}
# quiet_run COMMAND...: output into the build log; its tail on failure
quiet_run() {
  if ! "$@" >>"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    return 1
  fi
}

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

base_rootfs() {
  if [[ $REFRESH == 1 ]]; then
    rm -f "$BASE_TAR" "$DEB_CACHE"/*.deb
    detail "caches dropped"
  fi
  if [[ ! -f $BASE_TAR ]]; then
    detail "debootstrap --variant=minbase $SUITE from $MIRROR (log: $LOG)"
    quiet_run debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR"
    rm -f "$ROOT"/var/cache/apt/archives/*.deb
    # cache the bootstrapped tree: a forced rebuild starts from here in seconds
    tar --numeric-owner -C "$ROOT" -cf "$BASE_TAR.tmp" . && mv "$BASE_TAR.tmp" "$BASE_TAR"
    detail "cached as $BASE_TAR ($(du -h "$BASE_TAR" | cut -f1))"
  else
    mkdir -p "$ROOT"
    tar --numeric-owner -C "$ROOT" -xf "$BASE_TAR"
    detail "unpacked cached $BASE_TAR"
  fi
}

prepare_chroot() {
  cat >"$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  cat >"$ROOT/etc/apt/apt.conf.d/90saas-runtime" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
  # like Debian's slim images: no man pages, docs or translations (copyright files stay)
  cat >"$ROOT/etc/dpkg/dpkg.cfg.d/90saas-runtime" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
  mount -t proc proc "$ROOT/proc"
  mount --bind /dev "$ROOT/dev"
  mkdir -p "$ROOT/var/cache/apt/archives"
  mount --bind "$DEB_CACHE" "$ROOT/var/cache/apt/archives"
}

