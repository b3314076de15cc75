#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An arm64 Debian 12 userland for the arm64 guest, kept in
# BUILD_DIR/arm64-root and reused while this script and its package list
# are unchanged.  Prints its path.
#
# It holds what the guest needs to build a module from the archive by
# itself (gcc, make, libc6-dev, tar, xz, bc, gawk), to load it (kmod), to
# run DKMS and the kselftests (perl, setpriv, file) and the guest's init
# (busybox-static).
#
# mmdebstrap's "extract" variant fetches those packages and what they
# depend on through the machine's own apt sources and unpacks them with
# the host's tools: no maintainer script runs, so nothing needs
# qemu-user emulation (which took 9 to 35 minutes of CPU for the same
# packages).  What the maintainer scripts would have made and the guest
# uses is made here: the awk and cc links (alternatives), /etc/passwd and
# /etc/group (base-passwd).  /bin, /sbin and /lib are links into /usr,
# as in a Debian 12 system (usrmerge).
#
# Usage: arm64-root.sh BUILD_DIR

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"

build=$1
mkdir -p "$build" && build=$(cd "$build" && pwd)
root=$build/arm64-root
packages=gcc,make,libc6-dev,xz-utils,tar,kmod,bc,gawk,perl,file,busybox-static,procps,dkms
# the Essential packages the guest's scripts use ("extract" adds none)
packages=$packages,base-files,base-passwd,libc-bin,dash,bash,coreutils,util-linux,mount
packages=$packages,grep,sed,findutils,diffutils,gzip
want="bookworm arm64 $packages $(md5sum < "$0")"

if [ -f "$root.done" ] && [ "$(cat "$root.done")" = "$want" ]; then
	echo "$root"
	exit 0
fi

command -v mmdebstrap >/dev/null 2>&1 || {
	echo >&2 "arm64-root: mmdebstrap is missing (apt-get install mmdebstrap)"
	exit 1
}

echo >&2 "arm64-root: making $root (mmdebstrap, about a minute)"
rm -rf "$root" "$root.tmp" "$root.done"
if ! kh_run "arm64-root: mmdebstrap" "$build/arm64-root.log" mmdebstrap --verbose --arch=arm64 \
	--variant=extract --setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh \
	--include="$packages" bookworm "$root.tmp"; then
	tail -n 30 "$build/arm64-root.log" >&2
	echo >&2 "arm64-root: mmdebstrap failed (log: $build/arm64-root.log)"
	rm -rf "$root.tmp"
	exit 1
fi
# What the maintainer scripts would have made
ln -s gawk "$root.tmp/usr/bin/awk"
ln -s gcc "$root.tmp/usr/bin/cc"
for f in passwd group; do
	cp "$root.tmp/usr/share/base-passwd/$f.master" "$root.tmp/etc/$f"
done
if [ ! -x "$root.tmp/bin/sh" ] || [ ! -x "$root.tmp/usr/bin/gcc" ]; then
	echo >&2 "arm64-root: the unpacked userland has no /bin/sh or gcc (log: $build/arm64-root.log)"
	rm -rf "$root.tmp"
	exit 1
fi
# Mount points of the guest's init (harness/guest-init.sh): the root is
# read-only in the guest, so they must exist beforehand.
mkdir -p "$root.tmp/usr/lib/modules" "$root.tmp/mnt" "$root.tmp/host"
mv "$root.tmp" "$root"
echo "$want" > "$root.done"
echo "$root"
