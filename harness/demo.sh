#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": install what is needed, build the linux-source kernel with
# CONFIG_IKHEADERS=m, boot it in QEMU, and in it build and load a module
# from /proc/kheaders.tar.xz alone.
#
# With KH_ARCH=arm64 the kernel is cross-built for arm64 on this host
# (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) and boots on
# qemu-system-aarch64 -M virt with an arm64 Debian userland, whose own gcc
# builds the module from the archive.
#
# Usage: demo.sh [BUILD_DIR]
# Environment: KH_VERSION (default 6.12), KH_ARCH (x86_64 or arm64)

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
mkdir -p "$build" && build=$(cd "$build" && pwd)
version=${KH_VERSION:-6.12}
arch=${KH_ARCH:-x86_64}
cfgs="$top/configs/base.config"
[ ! -f "$top/configs/linux-$version.config" ] ||
	cfgs="$cfgs $top/configs/linux-$version.config"

case $arch in
x86_64)
	odir=$build/$version/m
	makevars=
	image=arch/x86/boot/bzImage
	cfgs="$cfgs $top/configs/ikheaders-m.config"
	host=
	sh "$top/harness/deps.sh" "$version"
	;;
arm64)
	odir=$build/$version/arm64
	makevars="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
	image=arch/arm64/boot/Image
	cfgs="$cfgs $top/configs/arch-arm64.config $top/configs/ikheaders-arm64.config"
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

tree=$(sh "$top/harness/ksrc.sh" "$version" "$build")
echo "demo: building linux-$version ($arch) with CONFIG_IKHEADERS=m in $odir (log: $odir/build.log)"
# shellcheck disable=SC2086 # file names without blanks
KH_MAKEVARS=$makevars sh "$top/harness/build-kernel.sh" "$tree" "$odir" $cfgs

printf 'sh %s %s %s\n' "$host$top/harness/demo-guest.sh" "$host$odir/modroot" \
	"$host$top/harness/demo-module" > "$odir/kh-demo-job.sh"
echo "demo: booting it in QEMU (console follows)"
if KH_GUEST_ARCH=$arch sh "$top/harness/vm-run.sh" "$odir/$image" \
	"$odir/kh-demo-job.sh" "$odir/demo.log" 900; then
	echo "demo: done: a module built from /proc/kheaders.tar.xz loaded and unloaded"
else
	echo "demo: FAILED (console log: $odir/demo.log)" >&2
	exit 1
fi
