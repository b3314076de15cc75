#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": install what is needed, build the linux-source kernel with
# CONFIG_IKHEADERS=m, boot it in QEMU, and in it build and load a module
# from /proc/kheaders.tar.xz alone.
#
# Usage: demo.sh [BUILD_DIR]   Environment: KH_VERSION (default 6.12)

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
mkdir -p "$build" && build=$(cd "$build" && pwd)
version=${KH_VERSION:-6.12}
odir=$build/$version/m

sh "$top/harness/deps.sh" "$version"
tree=$(sh "$top/harness/ksrc.sh" "$version" "$build")
echo "demo: building linux-$version with CONFIG_IKHEADERS=m in $odir (log: $odir/build.log)"
sh "$top/harness/build-kernel.sh" "$tree" "$odir" \
	"$top/configs/base.config" "$top/configs/ikheaders-m.config"

printf 'sh %s %s %s\n' "$top/harness/demo-guest.sh" "$odir/modroot" \
	"$top/harness/demo-module" > "$odir/kh-demo-job.sh"
echo "demo: booting it in QEMU (console follows)"
if sh "$top/harness/vm-run.sh" "$odir/arch/x86/boot/bzImage" \
	"$odir/kh-demo-job.sh" "$odir/demo.log" 900; then
	echo "demo: done: a module built from /proc/kheaders.tar.xz loaded and unloaded"
else
	echo "demo: FAILED (console log: $odir/demo.log)" >&2
	exit 1
fi
