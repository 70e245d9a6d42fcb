#!/usr/bin/env bash
# Runs bake.sh in a Debian 12 root made with debootstrap from Debian's repository: how CI proves the bake without a
# builder instance (src/test/java/io/spotsh/node/BakeChrootTest.java). No systemd runs in a chroot: units are
# enabled as links, and a policy-rc.d keeps the packages' daemons from starting. Run as root.
#
#   chroot-bake.sh ROOT new                   ROOT made anew: debootstrap bookworm, or the cached copy of one
#   chroot-bake.sh ROOT bake [bake.sh options] this repository's scripts/, ami/ and ycsb-cql/ copied in, bake.sh run
#   chroot-bake.sh ROOT run COMMAND...         COMMAND run inside ROOT (with /proc and /dev, as bake.sh has them)
#   chroot-bake.sh ROOT remove                ROOT unmounted (a killed run's leftovers) and deleted
#
#   $SPOTSH_BAKE_CACHE   folder keeping bookworm-root.tar, a fresh debootstrap root (default /tmp/spotsh-bake-cache):
#                        the next `new` unpacks it instead of downloading and installing Debian again
#   $SPOTSH_BAKE_M2      a Maven repository mounted as ROOT's /root/.m2/repository while inside (e.g. ~/.m2/repository:
#                        the bake's jars then come from the test suite's cache, Maven Central only for what is missing)
#   $SPOTSH_BAKE_MIRROR  Debian mirror (default http://deb.debian.org/debian)
# Every mount is undone on the way out, however the command ends.
set -euo pipefail

usage() { echo "usage: chroot-bake.sh ROOT new | bake [--no-vendor-repos] | run COMMAND... | remove" >&2; exit 2; }
[ $# -ge 2 ] || usage
[ "$(id -u)" = 0 ] || { echo "chroot-bake.sh: run as root (debootstrap, mount, chroot)" >&2; exit 2; }
root=$(realpath -m "$1")
verb=$2
shift 2
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${SPOTSH_BAKE_CACHE:-/tmp/spotsh-bake-cache}
mirror=${SPOTSH_BAKE_MIRROR:-http://deb.debian.org/debian}
[ "$root" != / ] || { echo "chroot-bake.sh: ROOT must not be /" >&2; exit 2; }

# mounts under ROOT, deepest first
mounts_under() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }

unmount_all() {
    local m
    for m in $(mounts_under); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

remove_root() {
    unmount_all  # a killed run's leftovers; rm below stays on ROOT's file system in any case
    [ -z "$(mounts_under)" ] || { echo "chroot-bake.sh: cannot unmount $(mounts_under | tr '\n' ' ')" >&2; exit 1; }
    rm -rf --one-file-system "$root"
}

new_root() {
    remove_root
    mkdir -p "$root" "$cache"
    if [ -f "$cache/bookworm-root.tar" ]; then
        tar -xpf "$cache/bookworm-root.tar" -C "$root"
    else
        command -v debootstrap >/dev/null || { echo "chroot-bake.sh: no debootstrap (apt-get install debootstrap)" >&2; exit 1; }
        debootstrap --arch=amd64 bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
            { tail -20 "$cache/debootstrap.log" >&2; echo "chroot-bake.sh: debootstrap failed (log: $cache/debootstrap.log)" >&2; exit 1; }
        # as a stock image has them: Debian's security updates, and no downloaded packages kept
        printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
            "$mirror" "$mirror" >"$root/etc/apt/sources.list"
        rm -f "$root"/var/cache/apt/archives/*.deb
        tar -cpf "$cache/bookworm-root.tar.tmp" -C "$root" . && mv "$cache/bookworm-root.tar.tmp" "$cache/bookworm-root.tar"
    fi
    # a chroot has no init: package scripts must not start daemons here (invoke-rc.d asks this first)
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
}

inside() {
    [ -x "$root/bin/sh" ] || { echo "chroot-bake.sh: $root is not a root file system (chroot-bake.sh $root new)" >&2; exit 1; }
    trap unmount_all EXIT
    # TERM (a test's timeout) ends the command inside and unmounts at once, not after the command ends by itself
    child=
    trap '[ -z "$child" ] || { kill "$child" 2>/dev/null; wait "$child"; }; exit 143' TERM INT HUP
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    mount --bind /dev/pts "$root/dev/pts"
    if [ -n "${SPOTSH_BAKE_M2:-}" ]; then
        mkdir -p "$SPOTSH_BAKE_M2" "$root/root/.m2/repository"
        mount --bind "$SPOTSH_BAKE_M2" "$root/root/.m2/repository"
    fi
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 "$@" &
    child=$!
    wait "$child"
}

case $verb in
new) new_root ;;
bake)
    rm -rf "$root/root/spotsh-src"
    mkdir -p "$root/root/spotsh-src"
    tar -cf - -C "$repo" --exclude=target scripts ami ycsb-cql | tar -xf - -C "$root/root/spotsh-src"
    inside /bin/sh /root/spotsh-src/ami/bake.sh "$@"
    ;;
run) [ $# -gt 0 ] || usage; inside "$@" ;;
remove) remove_root ;;
*) usage ;;
esac
