#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": install what is needed, build the linux-source kernel with
# CONFIG_IKHEADERS=m, boot it in QEMU (quietly: the kernel's own messages
# are left out), and in it build and load a module from
# /proc/kheaders.tar.xz alone, then from /dev/kheaders mounted as the
# build tree, each step shown as it runs.
#
# With KH_ARCH=arm64 the kernel is cross-built for arm64 on this host
# (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) and boots on
# qemu-system-aarch64 -M virt with an arm64 Debian userland, whose own gcc
# builds the module from the archive.
#
# Usage: demo.sh [BUILD_DIR]
# Environment: KH_VERSIONS (the one tree, default 6.12), KH_ARCH (x86_64
# or arm64)

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd)
version=${KH_VERSIONS:-6.12}
arch=${KH_ARCH:-x86_64}
case $version in
*" "*) echo >&2 "demo: one tree at a time (KH_VERSIONS='$version')"; exit 2 ;;
esac

case $arch in
x86_64)
	cfg=m
	host=
	sh "$top/harness/deps.sh" "$version"
	;;
arm64)
	cfg=arm64
	host=/host
	sh "$top/harness/deps.sh" "$version" arm64
	KH_GUEST_ROOT=$(sh "$top/harness/arm64-root.sh" "$build")
	export KH_GUEST_ROOT
	;;
*)
	echo >&2 "demo: KH_ARCH must be x86_64 or arm64, not '$arch'"
	exit 2
	;;
esac
kh_config "$version" "$cfg"
odir=$build/$version/$cfg

tree=$(sh "$top/harness/ksrc.sh" "$version" "$build")
echo "demo: building linux-$version ($arch) with CONFIG_IKHEADERS=m in $odir"
# shellcheck disable=SC2086 # file names without blanks
KH_LABEL=demo KH_MAKEVARS=$makevars sh "$top/harness/build-kernel.sh" "$tree" "$odir" $frags

printf 'sh %s %s %s\n' "$host$top/harness/demo-guest.sh" "$host$odir/modroot" \
	"$host$top/harness/demo-module" > "$odir/kh-demo-job.sh"
echo "demo: booting it in QEMU; the guest's steps follow (console log: $odir/demo.log)"
if KH_GUEST_ARCH=$garch KH_VM_APPEND=quiet sh "$top/harness/vm-run.sh" "$odir/$image" \
	"$odir/kh-demo-job.sh" "$odir/demo.log" 900; then
	echo "demo: done: a module built from /proc/kheaders.tar.xz, and from /dev/kheaders mounted as the build tree, loaded and unloaded"
else
	echo "demo: FAILED (console log: $odir/demo.log)" >&2
	exit 1
fi
