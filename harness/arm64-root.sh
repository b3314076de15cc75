#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An arm64 Debian 12 userland for the arm64 guest: made once with
# mmdebstrap from Debian's packages through the machine's own apt sources
# (qemu-user-static and binfmt run its maintainer scripts), kept in
# BUILD_DIR/arm64-root and reused while this script and its package list
# are unchanged.  Prints its path.
#
# It holds what the guest needs to build a module from the archive by
# itself (gcc, make, libc6-dev, tar, xz, bc, gawk), to load it (kmod) and to
# run the kselftests (perl for guest-init.sh's reboot, file for the check
# of the archive's programs).
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
want="bookworm arm64 $packages $(md5sum < "$0")"

if [ -f "$root.done" ] && [ "$(cat "$root.done")" = "$want" ]; then
	echo "$root"
	exit 0
fi

for tool in mmdebstrap update-binfmts; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo >&2 "arm64-root: $tool is missing (apt-get install mmdebstrap qemu-user-static binfmt-support)"
		exit 1
	}
done
# The maintainer scripts of arm64 packages run through qemu-aarch64.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || :
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || {
	echo >&2 "arm64-root: binfmt_misc has no qemu-aarch64 entry (qemu-user-static installed?)"
	exit 1
}

echo >&2 "arm64-root: making $root (mmdebstrap, a few minutes)"
rm -rf "$root" "$root.tmp" "$root.done"
if ! kh_run "arm64-root: mmdebstrap" "$build/arm64-root.log" mmdebstrap --verbose --arch=arm64 \
	--variant=minbase --include="$packages" bookworm "$root.tmp"; then
	tail -n 30 "$build/arm64-root.log" >&2
	echo >&2 "arm64-root: mmdebstrap failed (log: $build/arm64-root.log)"
	rm -rf "$root.tmp"
	exit 1
fi
# Mount points of the guest's init (harness/guest-init.sh): the root is
# read-only in the guest, so they must exist beforehand.
mkdir -p "$root.tmp/usr/lib/modules" "$root.tmp/mnt" "$root.tmp/host"
mv "$root.tmp" "$root"
echo "$want" > "$root.done"
echo "$root"
