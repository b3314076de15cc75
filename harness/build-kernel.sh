#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build a small kernel in its own O= directory: allnoconfig
# with the given config fragments merged in (KCONFIG_ALLCONFIG), every
# option of the fragments checked to have taken, then the default image
# (bzImage, Image.gz) and modules, installed to ODIR/modroot.  Uses ccache
# when it is installed.  The build log is ODIR/build.log: its path is
# printed when the build starts, a line every minute says how far it got,
# and its tail is shown when the build fails.  KH_LABEL starts those lines.
#
# Usage: build-kernel.sh KSRC ODIR FRAGMENT...
#
# KH_MAKEVARS holds the make variables that choose the target and the
# tools, e.g. "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-" or "LLVM=1";
# empty for a native x86_64 build with gcc.
#
# With KH_MAKE_TARGETS set, only those targets are built and nothing is
# installed (the fast tests need "prepare kernel/kheaders.o" only).
#
# With KH_HIDE_DIR set, that directory is empty for the configuration and
# the build (a tmpfs over it, in a mount namespace of their own): the
# build of a host without, say, the target's C library.

set -eu

if [ -n "${KH_HIDE_DIR:-}" ]; then
	hide=$KH_HIDE_DIR
	# shellcheck disable=SC2016 # the inner shell expands them
	KH_HIDE_DIR='' exec unshare -m sh -c \
		'mount -t tmpfs none "$1" && shift && exec sh "$@"' sh "$hide" "$0" "$@"
fi

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=harness/lib.sh
. "$top/harness/lib.sh"
ksrc=$1
odir=$2
shift 2
label=${KH_LABEL:-build-kernel}

mkdir -p "$odir"
odir=$(cd "$odir" && pwd)
# ODIR is BUILD_DIR/VERSION/CONFIG
kh_ccache "$(cd "$odir/../.." && pwd)"

cat "$@" > "$odir/kh-fragment.config.new"
if ! cmp -s "$odir/kh-fragment.config.new" "$odir/kh-fragment.config" ||
   [ ! -f "$odir/.config" ]; then
	kh_make "$ksrc" "$odir" "${KH_MAKEVARS:-}" -s \
		KCONFIG_ALLCONFIG="$odir/kh-fragment.config.new" allnoconfig \
		> "$odir/config.log" 2>&1 ||
		{ cat "$odir/config.log" >&2; exit 1; }
fi
mv "$odir/kh-fragment.config.new" "$odir/kh-fragment.config"

# An option that did not take (a missing dependency, a renamed symbol)
# would silently test another kernel than the one asked for.
bad=0
while read -r line; do
	case $line in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	if ! grep -qxF "$want" "$odir/.config"; then
		name=${want#\# }
		name=${name%%[= ]*}
		echo >&2 "$label: asked for '$want', got '$(grep "${name}[= ]" "$odir/.config" || echo "# $name is not set")'"
		bad=1
	fi
done < "$odir/kh-fragment.config"
[ $bad -eq 0 ] || exit 1

start=$(date +%s)
# shellcheck disable=SC2086 # a list of targets
if ! kh_run "$label: make${KH_MAKE_TARGETS:+ $KH_MAKE_TARGETS}" "$odir/build.log" \
	kh_make "$ksrc" "$odir" "${KH_MAKEVARS:-}" ${KH_MAKE_TARGETS:-}; then
	tail -n 40 "$odir/build.log" | tap_diag >&2
	echo >&2 "$label: build failed in $odir (log: $odir/build.log)"
	exit 1
fi
if [ -n "${KH_MAKE_TARGETS:-}" ]; then
	echo "$label: $KH_MAKE_TARGETS in $odir in $(($(date +%s) - start))s"
	exit 0
fi
rm -rf "$odir/modroot"
kh_make "$ksrc" "$odir" "${KH_MAKEVARS:-}" -s INSTALL_MOD_PATH="$odir/modroot" \
	modules_install >> "$odir/build.log" 2>&1 ||
	{ tail -n 20 "$odir/build.log" | tap_diag >&2; exit 1; }
echo "$label: $odir built in $(($(date +%s) - start))s"
